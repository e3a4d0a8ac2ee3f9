/*
 * unit_registry.c -- slot claim, names and release (lib/registry.c) and
 * the name index behind them (lib/names.c), on a real segment.
 *
 * Creates a small segment under a private name ("/chat-unit-reg-<pid>",
 * t/testseg.c) with 8 slots, so the index has 16 entries and names
 * collide often.  Checks claim order and reuse, names in any case,
 * guest names that only look like one online, a
 * long random run of logins and leaves against a plain scan of the
 * slots, an index full of garbage, the repair after a lock holder
 * died, close requests by (slot, generation) and follower slots.  The segment is removed at exit whatever happened.
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "names.h"
#include "registry.h"
#include "shm.h"
#include "tap.h"
#include "testseg.h"

#define SESSIONS	8
#define POOL		24	/* names the random run picks from */

static struct shm seg;
static uint32_t generation[SESSIONS];
static char pool[POOL][SHM_NAME_MAX + 1];

/* What the index should answer: a scan of every slot. */
static uint32_t
scan_find(const char *name)
{
	for (uint32_t i = 0; i < SESSIONS; i++)
		if (atomic_load(&shm_slot(&seg, i)->s_state) == SLOT_ACTIVE &&
		    strcasecmp(shm_slot(&seg, i)->s_name, name) == 0)
			return i;
	return SLOT_NONE;
}

static uint32_t
scan_active(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < SESSIONS; i++)
		n += atomic_load(&shm_slot(&seg, i)->s_state) == SLOT_ACTIVE;
	return n;
}

/* Claim a slot with no limit on pending ones; the slot, or SLOT_NONE. */
static uint32_t
claim(const char *peer)
{
	uint32_t slot;

	if (registry_claim(&seg, getpid(), peer, 0, &slot) != CLAIM_OK)
		return SLOT_NONE;
	generation[slot] = atomic_load(&shm_slot(&seg, slot)->s_generation);
	return slot;
}

static enum name_result last_result;

/* Claim a slot and name it; the slot, or SLOT_NONE (see last_result). */
static uint32_t
login_as(const char *name, int registered)
{
	uint64_t after;
	uint32_t slot = claim("test");

	if (slot == SLOT_NONE)
		return SLOT_NONE;
	generation[slot] = atomic_load(&shm_slot(&seg, slot)->s_generation);
	last_result = registry_take_name(&seg, slot, name, registered, &after);
	if (last_result != NAME_OK) {
		registry_release(&seg, slot, getpid(), generation[slot], "taken");
		return SLOT_NONE;
	}
	return slot;
}

/* A registered user: only the same name (any case) is taken. */
static uint32_t
login(const char *name)
{
	return login_as(name, 1);
}

static void
logout(uint32_t slot)
{
	registry_release(&seg, slot, getpid(), generation[slot], "bye");
}

static void
logout_all(void)
{
	for (uint32_t i = 0; i < SESSIONS; i++)
		if (atomic_load(&shm_slot(&seg, i)->s_state) != SLOT_FREE)
			logout(i);
}

/* Does every pool name find what a scan finds? */
static int
index_agrees(void)
{
	for (int i = 0; i < POOL; i++)
		if (registry_find(&seg, pool[i]) != scan_find(pool[i])) {
			diag("%s: index says %u, the slots say %u", pool[i],
			    registry_find(&seg, pool[i]), scan_find(pool[i]));
			return 0;
		}
	return registry_active_count(&seg) == scan_active();
}

static void
test_claim_order(void)
{
	uint32_t a = login("ann"), b = login("bob"), c = login("cy");

	ok(a == 0 && b == 1 && c == 2, "claims take the lowest free slots (%u %u %u)",
	    a, b, c);
	logout(b);
	is_int(1, login("dee"), "a freed slot is claimed again first");
	is_int(3, login("eve"), "then the claim goes on after the last one");
	logout_all();
	is_int(0, login("fay"), "after everyone left, slot 0 again");
	logout_all();
}

static void
test_names(void)
{
	uint32_t a = login("Alice");

	is_int(a, registry_find(&seg, "alice"), "a name is found in lower case");
	is_int(a, registry_find(&seg, "ALICE"), "and in upper case");
	is_int(SLOT_NONE, login("aLiCe"), "the same name in another case is taken");
	is_int(SLOT_NONE, registry_find(&seg, "alic"), "a prefix is not the name");
	is_int(1, registry_active_count(&seg), "one session is active");
	logout(a);
	is_int(SLOT_NONE, registry_find(&seg, "alice"), "a name is gone once its session left");
	is_int(0, registry_active_count(&seg), "no session is active");
	a = login("alice");
	ok(a != SLOT_NONE, "and the name can be taken again");
	logout_all();
}

/* A guest name that only looks like one online is refused. */
static void
test_lookalikes(void)
{
	uint32_t a = login("alice"), o = login("Bob0");

	is_int(SLOT_NONE, login_as("aIice", 0), "guest aIice while alice is online");
	is_int(NAME_LOOKALIKE, last_result, "is refused as a look-alike");
	is_int(SLOT_NONE, login_as("a1ice", 0), "so is a1ice");
	is_int(SLOT_NONE, login_as("B0BO", 0), "and B0BO while Bob0 is online");
	is_int(SLOT_NONE, login_as("ALICE", 0), "the same name in another case");
	is_int(NAME_TAKEN, last_result, "is taken, not a look-alike");
	is_int(a, names_find_lookalike(&seg, "AIiCE"), "the index finds alice for AIiCE");
	is_int(o, registry_find(&seg, "bob0"), "while an exact lookup still "
	    "finds only the name itself");
	is_int(SLOT_NONE, registry_find(&seg, "BOBO"), "(BOBO is not Bob0)");
	ok(login_as("aIice", 1) != SLOT_NONE,
	    "a registered aIice is not held off by alice");
	ok(login_as("alicia", 0) != SLOT_NONE, "a guest alicia is not a look-alike");
	logout_all();
	ok(login_as("aIice", 0) != SLOT_NONE, "once alice left, aIice may log in");
	logout_all();
	ok(index_agrees(), "after everyone left, the index agrees with the slots");
}

/* m and w are expanded in the skeleton, so a contraction hides none. */
static void
test_lookalike_expanded(void)
{
	uint32_t v = login("vw"), m = login("rnm");
	uint32_t w = login("mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm");

	is_int(SLOT_NONE, login_as("vvv", 0), "guest vvv while vw is online");
	is_int(NAME_LOOKALIKE, last_result, "is refused as a look-alike");
	is_int(v, names_find_lookalike(&seg, "wv"), "the index finds vw for wv");
	is_int(SLOT_NONE, login_as("mrn", 0), "guest mrn while rnm is online");
	is_int(m, names_find_lookalike(&seg, "RNRN"), "the index finds rnm for RNRN");
	is_int(w, names_find_lookalike(&seg, "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"),
	    "a 32-letter name of m's, 64 in its skeleton, is found");
	is_int(SLOT_NONE, names_find_lookalike(&seg, "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmn"),
	    "but not for one that ends in n");
	ok(login_as("vv", 0) != SLOT_NONE, "a guest vv is not a look-alike of vw");
	logout_all();
	ok(index_agrees(), "the index agrees with the slots");
}

static void
test_full(void)
{
	char name[16];
	uint32_t n = 0;

	for (int i = 0; i < SESSIONS; i++) {
		snprintf(name, sizeof(name), "full%d", i);
		n += login(name) != SLOT_NONE;
	}
	is_int(SESSIONS, n, "every slot can be claimed");
	is_int(SLOT_NONE, claim("test"), "a claim in a full table finds nothing");
	ok(index_agrees() && registry_find(&seg, "full7") != SLOT_NONE,
	    "a full table's names are all found");
	logout_all();
}

/* Logins and leaves in a random order, checked after every step. */
static void
test_random(void)
{
	uint32_t slot_of[POOL];
	int agree = 1, steps = 0;

	for (int i = 0; i < POOL; i++)
		slot_of[i] = SLOT_NONE;
	srandom(42);
	for (; steps < 20000 && agree; steps++) {
		int i = (int)(random() % POOL);

		if (slot_of[i] == SLOT_NONE)
			slot_of[i] = login(pool[i]);
		else {
			logout(slot_of[i]);
			slot_of[i] = SLOT_NONE;
		}
		agree = index_agrees();
	}
	ok(agree, "20000 random logins and leaves: the index agrees with "
	    "the slots after each (%d steps)", steps);
	logout_all();
}

/* Entries that point nowhere or at the wrong slot do not fool a lookup. */
static void
test_garbage(void)
{
	uint32_t *table = shm_names(&seg), a, b;

	a = login("gus");
	b = login("hal");
	for (uint32_t i = 0; i < seg.geo.name_buckets; i++)
		if (table[i] == 0)
			table[i] = i % 2 ? UINT32_MAX : 5 + 1;	/* out of range; a FREE slot */
	ok(registry_find(&seg, "gus") == a && registry_find(&seg, "hal") == b &&
	    registry_find(&seg, "ida") == SLOT_NONE,
	    "an index with no empty entry still answers, and stops");
	is_int(SLOT_NONE, login("GUS"), "and still refuses a taken name");
	ok(login("ida") != SLOT_NONE && registry_find(&seg, "ida") != SLOT_NONE,
	    "a login into a full index makes it again and is found");
	logout_all();
	ok(index_agrees(), "after everyone left, the index agrees with the slots");
}

/* A holder of the registry lock dies; the next locker repairs. */
/* A child takes registry_lock and dies holding it: the next locker repairs. */
static void
die_holding_lock(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == -1)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		registry_lock(&seg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		bail("waitpid: %s", strerror(errno));
	diag("a warning about a repaired registry lock is expected:");
}

static void
test_repair(void)
{
	uint32_t a, b;

	a = login("jo");
	b = login("kim");
	memset(shm_names(&seg), 0, seg.geo.name_buckets * sizeof(uint32_t));
	atomic_store(&seg.hdr->sessions_active, 77);
	seg.hdr->slot_hint = SESSIONS - 1;
	die_holding_lock();
	ok(registry_find(&seg, "jo") == a && registry_find(&seg, "KIM") == b,
	    "the next locker makes the name index again from the slots");
	is_int(2, registry_active_count(&seg), "and recounts the active sessions");
	is_int(2, login("lee"), "and claims from the first free slot again");
	logout_all();
}

/* A close request lands on (slot, generation) or nowhere. */
static void
test_close_request(void)
{
	struct shm_slot *s;
	uint32_t a, gen, n;

	a = login("olga");
	ok(registry_lookup(&seg, "OLGA", &gen) == a && gen == generation[a],
	    "a lookup gives the slot and its generation");
	logout(a);
	n = login("nina");
	s = shm_slot(&seg, n);
	is_int(a, n, "a newcomer takes the slot the looked-up session left");
	is_int(0, registry_request_close(&seg, a, gen, DISC_KICKED, "stale"),
	    "a request for the old generation is refused");
	ok(atomic_load(&s->s_close) == 0 && s->s_close_reason[0] == '\0',
	    "and the newcomer's slot is untouched");
	is_int(1, registry_request_close(&seg, n, generation[n], DISC_KICKED, "now"),
	    "a request for the slot's own generation is stored");
	ok(atomic_load(&s->s_close) == DISC_KICKED + 1 &&
	    strcmp(s->s_close_reason, "now") == 0, "with its reason");
	logout(n);
	is_int(0, registry_request_close(&seg, n, generation[n], DISC_KICKED, "gone"),
	    "a FREE slot takes no request");
	is_int(0, registry_request_close(&seg, SESSIONS, 0, DISC_KICKED, "out"),
	    "nor does a slot past the table");
}

/* Follower slots: claimed, counted apart, never named, freed. */
static void
test_followers(void)
{
	uint32_t f, a, gen;

	f = registry_claim_follower(&seg, getpid(), "follower:test");
	gen = atomic_load(&shm_slot(&seg, f)->s_generation);
	ok(f != SLOT_NONE && atomic_load(&shm_slot(&seg, f)->s_state) ==
	    SLOT_FOLLOWER && atomic_load(&seg.hdr->followers) == 1,
	    "a follower claims a slot of its own state, counted in followers");
	a = login("pia");
	is_int(1, registry_active_count(&seg), "a follower is no active session");
	atomic_store(&seg.hdr->followers, 77);
	die_holding_lock();
	registry_find(&seg, "pia");
	is_int(1, atomic_load(&seg.hdr->followers), "the repair counts it again");
	is_int(SLOT_FOLLOWER, registry_release(&seg, f, getpid(), gen, ""),
	    "it is released like a session");
	is_int(0, atomic_load(&seg.hdr->followers), "and no longer counted");
	logout(a);
}

/* Claim for peer with max_pending 2. */
static enum claim_result
claim_limited(const char *peer, uint32_t *slot)
{
	enum claim_result r = registry_claim(&seg, getpid(), peer, 2, slot);

	if (r == CLAIM_OK)
		generation[*slot] = atomic_load(&shm_slot(&seg, *slot)->s_generation);
	return r;
}

/* max_pending: slots not yet named, counted per address. */
static void
test_pending(void)
{
	uint32_t a, b, c, d, x;
	uint64_t after;

	ok(claim_limited("10.0.0.1:1000", &a) == CLAIM_OK &&
	    claim_limited("10.0.0.1:1001", &b) == CLAIM_OK,
	    "max_pending 2: two connections from one address are claimed");
	is_int(CLAIM_PENDING, claim_limited("10.0.0.1:1002", &x),
	    "a third from that address, at another port, is refused");
	is_int(CLAIM_OK, claim_limited("10.0.0.2:1000", &c),
	    "another address is not counted with it");
	ok(claim_limited("[2001:db8:1:2::5]:7", &d) == CLAIM_OK &&
	    claim_limited("[2001:db8:1:2:aaaa::9]:8", &x) == CLAIM_OK &&
	    claim_limited("[2001:db8:1:2:ffff::1]:9", &x) == CLAIM_PENDING,
	    "IPv6 addresses count by their /64");
	is_int(CLAIM_OK, claim_limited("[2001:db8:1:3::5]:7", &x),
	    "another /64 is not counted with it");
	is_int(CLAIM_OK, claim_limited("stdio", &x),
	    "a peer without an address is not counted");
	is_int(CLAIM_OK, claim_limited("stdio", &x), "... however many there are");
	/* 8 slots: a, b, c, d, two more IPv6, stdio, stdio.  Full. */
	is_int(CLAIM_FULL, claim_limited("10.0.0.9:1", &x),
	    "a full table is still refused as full");
	logout(c);
	ok(registry_take_name(&seg, a, "pen", 1, &after) == NAME_OK &&
	    claim_limited("10.0.0.1:1003", &x) == CLAIM_OK,
	    "once one of them logs in, the address may open another");
	is_int(CLAIM_PENDING, claim_limited("10.0.0.1:1004", &x),
	    "... and no more");
	logout(b);
	is_int(CLAIM_OK, claim_limited("10.0.0.1:1005", &x),
	    "once one of them leaves, another is claimed");
	logout_all();
}

int
main(void)
{
	int created = 0;

	testseg_create(&seg, "reg", SESSIONS, 64, 64, &created);
	for (int i = 0; i < POOL; i++)
		snprintf(pool[i], sizeof(pool[i]), i % 3 ? "user%d" : "User%d", i);
	plan(1 + 4 + 8 + 13 + 3 + 1 + 4 + 3 + 11 + 9 + 8 + 5);
	is_int(2 * SESSIONS, seg.geo.name_buckets,
	    "the index has twice as many entries as there are slots");
	test_claim_order();
	test_names();
	test_lookalikes();
	test_lookalike_expanded();
	test_full();
	test_random();
	test_garbage();
	test_repair();
	test_pending();
	test_close_request();
	test_followers();
	shm_detach(&seg);
	return 0;
}

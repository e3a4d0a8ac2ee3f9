/*
 * registry.c -- the slot table in shared memory.
 *
 * Owns slot claim (sessions and log followers), naming and release.
 * Fields are written first and s_state last, so a holder that dies
 * half-way leaves either the old or the new state, never a mix; what is
 * derived from the states (counts, the claim hint, the name index)
 * registry_repair makes again.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdatomic.h>
#include <string.h>

#include "clock.h"
#include "fault.h"
#include "groups.h"
#include "msglog.h"
#include "names.h"
#include "registry.h"

static void	registry_repair(const struct shm *);

/*
 * The address a peer text ("1.2.3.4:5", "[::1]:5", UCSPI's "::1:5")
 * counts under for max_pending: IPv4 as an IPv4-mapped IPv6 address,
 * IPv6 cut to its /64 (one host often holds a whole /64).  -1 if the
 * text names no address ("stdio", "local", "unknown").
 */
static int
peer_address(const char *peer, struct in6_addr *key)
{
	char text[SHM_PEER_MAX];
	struct in_addr v4;
	char *colon, *host = text;
	size_t len;

	len = strnlen(peer, sizeof(text) - 1);
	memcpy(text, peer, len);
	text[len] = '\0';
	if ((colon = strrchr(text, ':')) == NULL)
		return -1;
	*colon = '\0';
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		host++;
	}
	memset(key, 0, sizeof(*key));
	if (inet_pton(AF_INET, host, &v4) == 1) {
		key->s6_addr[10] = key->s6_addr[11] = 0xff;
		memcpy(&key->s6_addr[12], &v4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, key) != 1)
		return -1;
	if (!IN6_IS_ADDR_V4MAPPED(key))
		memset(&key->s6_addr[8], 0, 8);
	return 0;
}

/*
 * With registry_lock held: may one more connection from peer wait at the
 * login prompt?  The slot table is read only when at least max_pending
 * slots are logging in at all, which a server not under attack seldom
 * sees: reading it costs a page fault per 4 KiB of slots.
 */
static int
pending_allowed(const struct shm *shm, const char *peer, uint32_t max_pending)
{
	struct in6_addr key, other;
	struct shm_slot *s;
	uint32_t same = 0;

	if (max_pending == 0 || shm->hdr->sessions_in_use -
	    atomic_load(&shm->hdr->sessions_active) -
	    atomic_load(&shm->hdr->followers) < max_pending ||
	    peer_address(peer, &key) == -1)
		return 1;
	for (uint32_t i = 0; i < shm->geo.max_sessions && same < max_pending; i++) {
		s = shm_slot(shm, i);
		if (atomic_load_explicit(&s->s_state, memory_order_relaxed) ==
		    SLOT_LOGIN && peer_address(s->s_peer, &other) == 0 &&
		    memcmp(&key, &other, sizeof(key)) == 0)
			same++;
	}
	return same < max_pending;
}

/*
 * With registry_lock held: take the first free slot from the hint on
 * (round to the start in case the hint was wrong) for pid in state.
 */
static uint32_t
claim_free(const struct shm *shm, pid_t pid, const char *peer, uint32_t state)
{
	struct shm_header *h = shm->hdr;
	uint32_t start, max = shm->geo.max_sessions;
	struct shm_slot *s;

	start = h->slot_hint < max ? h->slot_hint : 0;
	for (uint32_t n = 0, i = start; n < max; n++, i = i + 1 < max ? i + 1 : 0) {
		s = shm_slot(shm, i);
		if (atomic_load_explicit(&s->s_state, memory_order_relaxed) != SLOT_FREE)
			continue;
		s->s_pid = pid;
		s->s_pid_start = 0;
		s->s_connected = clock_unix_seconds();
		atomic_store(&s->s_last_active, s->s_connected);
		atomic_store(&s->s_wake_pending, 0);
		atomic_store(&s->s_cursor, atomic_load(&shm->hdr->log_next));
		atomic_store(&s->s_close, 0);
		s->s_close_reason[0] = '\0';
		s->s_registered = 0;
		s->s_origin = 0;
		s->s_transport = TRANSPORT_LINE;
		s->s_name[0] = '\0';
		strlcpy(s->s_peer, peer, sizeof(s->s_peer));
		s->s_ident[0] = '\0';
		s->s_realname[0] = '\0';
		s->s_away[0] = '\0';
		atomic_fetch_add(&s->s_generation, 1);
		atomic_store_explicit(&s->s_state, state, memory_order_release);
		h->sessions_in_use++;
		h->slot_hint = i + 1;
		return i;
	}
	return SLOT_NONE;
}

enum claim_result
registry_claim(const struct shm *shm, pid_t pid, const char *peer,
    uint32_t max_pending, uint32_t *slot)
{
	registry_lock(shm);
	if (!pending_allowed(shm, peer, max_pending)) {
		registry_unlock(shm);
		*slot = SLOT_NONE;
		return CLAIM_PENDING;
	}
	*slot = claim_free(shm, pid, peer, SLOT_LOGIN);
	registry_unlock(shm);
	if (*slot == SLOT_NONE)
		return CLAIM_FULL;
	atomic_fetch_add(&shm->hdr->st_sessions_total, 1);
	return CLAIM_OK;
}

uint32_t
registry_claim_remote(const struct shm *shm, pid_t pid, const char *node,
    uint32_t origin)
{
	struct shm_slot *s;
	uint32_t slot;

	registry_lock(shm);
	if ((slot = claim_free(shm, pid, node, SLOT_LOGIN)) != SLOT_NONE) {
		s = shm_slot(shm, slot);
		s->s_origin = origin;
		s->s_transport = TRANSPORT_REMOTE;
	}
	registry_unlock(shm);
	return slot;
}

uint32_t
registry_adopt_remote(const struct shm *shm, pid_t pid)
{
	struct shm_slot *s;
	uint32_t n = 0;

	registry_lock(shm);
	for (uint32_t i = 0; i < shm->geo.max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load(&s->s_state) != SLOT_FREE && s->s_origin != 0) {
			s->s_pid = pid;
			s->s_pid_start = 0;
			n++;
		}
	}
	registry_unlock(shm);
	return n;
}

uint32_t
registry_claim_follower(const struct shm *shm, pid_t pid, const char *label)
{
	uint32_t slot;

	registry_lock(shm);
	if ((slot = claim_free(shm, pid, label, SLOT_FOLLOWER)) != SLOT_NONE)
		atomic_fetch_add(&shm->hdr->followers, 1);
	registry_unlock(shm);
	return slot;
}

enum name_result
registry_take_name(const struct shm *shm, uint32_t slot, const char *name,
    int registered, uint64_t *after_join)
{
	struct shm_slot *s = shm_slot(shm, slot);
	enum name_result result = NAME_TAKEN;

	registry_lock(shm);
	fault_point("registry");
	if (names_find(shm, name) != SLOT_NONE)
		result = NAME_TAKEN;
	else if (!registered && names_find_lookalike(shm, name) != SLOT_NONE)
		result = NAME_LOOKALIKE;
	else {
		strlcpy(s->s_name, name, sizeof(s->s_name));
		atomic_store_explicit(&s->s_state, SLOT_ACTIVE, memory_order_release);
		names_add(shm, slot);
		atomic_fetch_add(&shm->hdr->sessions_active, 1);
		*after_join = msglog_append_all(shm, REC_JOIN, slot,
		    atomic_load(&s->s_generation), name, "", 0);
		result = NAME_OK;
	}
	registry_unlock(shm);
	if (result == NAME_OK)
		atomic_fetch_add(&shm->hdr->st_logins, 1);
	return result;
}

enum slot_state
registry_release(const struct shm *shm, uint32_t slot, pid_t pid,
    uint32_t generation, const char *reason)
{
	struct shm_slot *s = shm_slot(shm, slot);
	enum slot_state was = SLOT_FREE;

	registry_lock(shm);
	if (s->s_pid == pid && atomic_load(&s->s_generation) == generation) {
		was = atomic_load(&s->s_state);
		if (was == SLOT_ACTIVE) {
			s->s_name[SHM_NAME_MAX] = '\0';	/* bound what follows */
			groups_leave_all(shm, slot, generation, s->s_name, reason);
			msglog_append_all(shm, REC_LEAVE, slot, generation,
			    s->s_name, reason, strlen(reason));
			names_remove(shm, slot);
			atomic_fetch_sub(&shm->hdr->sessions_active, 1);
		}
		if (was == SLOT_FOLLOWER)
			atomic_fetch_sub(&shm->hdr->followers, 1);
		if (was != SLOT_FREE) {
			atomic_store_explicit(&s->s_state, SLOT_FREE, memory_order_release);
			shm->hdr->sessions_in_use--;
			if (slot < shm->hdr->slot_hint)
				shm->hdr->slot_hint = slot;
		}
	}
	registry_unlock(shm);
	return was;
}

uint32_t
registry_find(const struct shm *shm, const char *name)
{
	uint32_t generation;

	return registry_lookup(shm, name, &generation);
}

uint32_t
registry_lookup(const struct shm *shm, const char *name, uint32_t *generation)
{
	uint32_t found;

	*generation = 0;
	registry_lock(shm);
	if ((found = names_find(shm, name)) != SLOT_NONE)
		*generation = atomic_load(&shm_slot(shm, found)->s_generation);
	registry_unlock(shm);
	return found;
}

int
registry_request_close(const struct shm *shm, uint32_t slot,
    uint32_t generation, uint32_t disc, const char *reason)
{
	struct shm_slot *s;
	int stored = 0;

	if (slot >= shm->geo.max_sessions)
		return 0;
	s = shm_slot(shm, slot);
	registry_lock(shm);
	if (atomic_load(&s->s_state) != SLOT_FREE &&
	    atomic_load(&s->s_generation) == generation) {
		strlcpy(s->s_close_reason, reason, sizeof(s->s_close_reason));
		atomic_store(&s->s_close, disc + 1);
		stored = 1;
	}
	registry_unlock(shm);
	return stored;
}

uint32_t
registry_active_count(const struct shm *shm)
{
	return atomic_load(&shm->hdr->sessions_active);
}

/*
 * After a holder of registry_lock died: every slot change commits with
 * one store to s_state, so the counts, the hint and the name index are
 * made again from the states.
 */
static void
registry_repair(const struct shm *shm)
{
	uint32_t in_use = 0, active = 0, followers = 0, state;

	for (uint32_t i = 0; i < shm->geo.max_sessions; i++) {
		state = atomic_load(&shm_slot(shm, i)->s_state);
		in_use += state != SLOT_FREE;
		active += state == SLOT_ACTIVE;
		followers += state == SLOT_FOLLOWER;
	}
	shm->hdr->sessions_in_use = in_use;
	atomic_store(&shm->hdr->sessions_active, active);
	atomic_store(&shm->hdr->followers, followers);
	shm->hdr->slot_hint = 0;
	names_rebuild(shm);
}

void
registry_lock(const struct shm *shm)
{
	shm_lock_robust(shm, &shm->hdr->registry_lock, "registry", registry_repair);
}

void
registry_unlock(const struct shm *shm)
{
	pthread_mutex_unlock(&shm->hdr->registry_lock);
}

void
registry_set_away(const struct shm *shm, uint32_t slot, uint32_t generation,
    const char *text)
{
	struct shm_slot *s = shm_slot(shm, slot);

	registry_lock(shm);
	if (atomic_load(&s->s_generation) == generation)
		strlcpy(s->s_away, text, sizeof(s->s_away));
	registry_unlock(shm);
}

void
registry_away(const struct shm *shm, uint32_t slot, char *buf, size_t size)
{
	struct shm_slot *s = shm_slot(shm, slot);

	registry_lock(shm);
	s->s_away[SHM_AWAY_MAX] = '\0';	/* bound what follows */
	strlcpy(buf, s->s_away, size);
	registry_unlock(shm);
}

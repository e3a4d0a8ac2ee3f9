/*
 * login.c -- the login rules: names, accounts, a user logging in twice.
 *
 * Owns the name rule and reserved names, what the users file says of a
 * name (registered, locked, a guest's), checking a password, and taking
 * a name: a registered user already online is refused or replaces the
 * older session (duplicate_login; under refuse, takeover_after lets the
 * password take over a session whose client has been silent that long).
 * The dialogue around it (prompts, delays after a wrong password) is the
 * front door's.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "core.h"
#include "fault.h"
#include "log.h"
#include "names.h"
#include "nameclaim.h"
#include "registry.h"
#include "text.h"
#include "users.h"

#define REPLACE_WAIT_MS		3000	/* for the old session to leave */

void
core_check_name(const char *name, size_t len, struct core_result *r)
{
	core_result_set(r, CR_OK);
	if (!name_valid(name, len))
		r->status = CR_NAME_INVALID;
	else if (name_reserved(name, len)) {
		r->status = CR_NAME_RESERVED;	/* a valid name: len <= 32 */
		memcpy(r->user, name, len);
		r->user[len] = '\0';
	}
}

/* A registered name whose line in the users file cannot be used. */
static void
account_locked(const struct core_user *u, const struct users_match *m)
{
	const char *file = u->conf->users_file;

	if (m->other != 0)
		log_warnx("%s: %s cannot log in: %s:%u: %s (its other line: %u)",
		    u->peer, u->name, file, m->lineno, m->why, m->other);
	else
		log_warnx("%s: %s cannot log in: %s:%u: %s", u->peer, u->name,
		    file, m->lineno, m->why);
}

enum core_account
core_account(const struct core_user *u, struct core_result *r)
{
	struct users_match m;
	char err[512];
	int found;

	core_result_set(r, CR_OK);
	strlcpy(r->user, u->name, sizeof(r->user));
	found = users_lookup_match(u->conf->users_file, u->name, &m, err,
	    sizeof(err));
	explicit_bzero(m.hash, sizeof(m.hash));
	if (found == -1) {
		log_warnx("%s", err);
		r->status = CR_ACCOUNTS_UNREADABLE;
		return ACCOUNT_REFUSED;
	}
	users_report(u->conf->users_file, m.stamp, &u->shm->hdr->users_stamp);
	if (found == USERS_IS_LOCKED) {
		account_locked(u, &m);
		r->status = CR_ACCOUNT_LOCKED;
		return ACCOUNT_REFUSED;
	}
	if (found)
		return ACCOUNT_REGISTERED;
	if (!u->conf->allow_guests) {
		r->status = CR_GUESTS_DISABLED;
		return ACCOUNT_REFUSED;
	}
	return ACCOUNT_GUEST;
}

int
core_check_password(const struct core_user *u, const char *password)
{
	char hash[USERS_HASH_MAX], err[512];
	int ok;

	ok = users_lookup(u->conf->users_file, u->name, hash, sizeof(hash),
	    err, sizeof(err)) == 1 && users_verify(hash, password);
	explicit_bzero(hash, sizeof(hash));
	return ok;
}

enum core_status
core_password_attempt(const struct core_user *u, const char *password,
    int *failures)
{
	struct timespec delay;

	if (core_check_password(u, password))
		return CR_OK;
	(*failures)++;
	atomic_fetch_add(&u->shm->hdr->st_auth_failures, 1);
	log_warnx("%s: wrong password for %s (failure %d of %d)", u->peer,
	    u->name, *failures, CORE_LOGIN_MAX_FAILURES);
	/* Brute-force throttle: one more second per failure.  Only this
	 * connection waits; it has no chat to deliver yet. */
	delay.tv_sec = *failures;
	delay.tv_nsec = 0;
	nanosleep(&delay, NULL);
	return *failures >= CORE_LOGIN_MAX_FAILURES ? CR_AUTH_FAILED :
	    CR_BAD_PASSWORD;
}

/*
 * Ask the session holding our name (slot old of generation) to close,
 * then wait for it to go.  The request is addressed by slot and
 * generation (registry_request_close), so it never reaches a newcomer
 * that took the slot since the lookup (the "close-request" fault point
 * stops here for t/close-request.t).
 */
static int
replace_old_session(const struct core_user *u, uint32_t old,
    uint32_t generation, long long silent)
{
	struct timespec tick = { 0, 20 * 1000000L };
	char why[SHM_REASON_MAX], after[32] = "";
	struct msglog_address a = { TO_USER, old, generation };

	/* A takeover says why: the old client was silent (clamped: a clock jump). */
	if (silent >= 0)
		snprintf(after, sizeof(after), " after %u s of silence",
		    (unsigned)(silent < 999999999 ? silent : 999999999));
	snprintf(why, sizeof(why), "replaced by a new login from %s%s", u->peer,
	    after);
	fault_point("close-request");
	if (!registry_request_close(u->shm, old, generation, DISC_KICKED, why))
		return 0;	/* gone meanwhile */
	hublink_wake(u->link, &a);
	/* This session only waits for its own login; nobody else does. */
	for (int waited = 0; waited < REPLACE_WAIT_MS; waited += 20) {
		if (registry_find(u->shm, u->name) == SLOT_NONE)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

/*
 * Under refuse: seconds the client of the session in slot old has been
 * silent (nothing read from it, s_last_active) if more than
 * takeover_after, else -1.  Stamps are whole seconds, so "more than N"
 * means at least N seconds really passed.
 */
static long long
silent_past_grace(const struct core_user *u, uint32_t old)
{
	long long silent;

	if (u->conf->takeover_after == 0)
		return -1;
	silent = clock_unix_seconds() -
	    atomic_load(&shm_slot(u->shm, old)->s_last_active);
	return silent > (long long)u->conf->takeover_after ? silent : -1;
}

static int
take(const struct core_user *u, uint64_t *after_join)
{
	return registry_take_name(u->shm, u->slot, u->name, u->registered,
	    after_join);
}

/*
 * On a node of a cluster: the name must be this node's in the bus's
 * bucket (chat-bridge claims it).  -1 with r set if another node's user
 * has it.  Without a bridge, or with the bus away, the node admits on its
 * own (logged): chat goes on within a node while the bus is down.
 */
/*
 * duplicate_login = replace, the older login on another node: ask that
 * node to close it, and wait until the name is this node's and the
 * older login's leave has come.  0, or -1 (it did not leave in time).
 */
static int
replace_elsewhere(const struct core_user *u, const char *node)
{
	struct timespec tick = { 0, 50 * 1000000L };
	char why[SHM_REASON_MAX], holder[SHM_NAME_MAX + 1];
	uint32_t old;

	snprintf(why, sizeof(why), "replaced by a new login from %s on node %s",
	    u->peer, u->conf->node_name);
	if (nameclaim_replace(u->conf->runtime_dir, u->name, node, why) == -1)
		return -1;
	for (int waited = 0; waited < REPLACE_WAIT_MS; waited += 50) {
		old = registry_find(u->shm, u->name);
		if ((old == SLOT_NONE || shm_slot(u->shm, old)->s_origin == 0) &&
		    nameclaim(u->conf->runtime_dir, u->name, holder,
		    sizeof(holder)) == NAME_CLAIMED)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

static int
claim_in_cluster(const struct core_user *u, struct core_result *r)
{
	char node[SHM_NAME_MAX + 1];

	if (u->conf->nats_url[0] == '\0')
		return 0;
	switch (nameclaim(u->conf->runtime_dir, u->name, node, sizeof(node))) {
	case NAME_CLAIMED:
		return 0;
	case NAME_CLAIM_TAKEN:
		log_info("%s: %s is online on node %s", u->peer, u->name, node);
		if (u->registered && u->conf->duplicate_login == DUP_REPLACE) {
			if (replace_elsewhere(u, node) == 0) {
				log_info("%s: %s replaced a login on node %s",
				    u->peer, u->name, node);
				return 0;
			}
			r->status = CR_DID_NOT_LEAVE;
			return -1;
		}
		r->status = u->registered ? CR_ALREADY_ONLINE : CR_NAME_TAKEN;
		return -1;
	case NAME_CLAIM_UNAVAILABLE:
		log_warnx("%s: %s admitted without a claim in the cluster (the "
		    "bridge or the bus is away)", u->peer, u->name);
		return 0;
	}
	return 0;
}

void
core_take_name(const struct core_user *u, uint64_t *after_join,
    struct core_result *r)
{
	uint32_t old, generation;
	long long silent = -1;
	enum name_result nr;

	core_result_set(r, CR_OK);
	strlcpy(r->user, u->name, sizeof(r->user));
	if (claim_in_cluster(u, r) == -1)
		return;
	if ((nr = take(u, after_join)) == NAME_OK)
		return;
	old = registry_lookup(u->shm, u->name, &generation);
	if (nr == NAME_LOOKALIKE)
		r->status = CR_NAME_LOOKALIKE;
	else if (!u->registered || old == SLOT_NONE)
		r->status = CR_NAME_TAKEN;
	else if (shm_slot(u->shm, old)->s_origin != 0)
		r->status = CR_ALREADY_ONLINE;	/* on another node: its own */
	else if (u->conf->duplicate_login == DUP_REFUSE &&
	    (silent = silent_past_grace(u, old)) < 0)
		r->status = CR_ALREADY_ONLINE;
	else if (replace_old_session(u, old, generation, silent) == 0 &&
	    take(u, after_join) == NAME_OK) {
		if (silent >= 0)
			log_info("%s: %s took over a login silent for %lld s",
			    u->peer, u->name, silent);
		else
			log_info("%s: %s replaced an older login", u->peer, u->name);
	} else
		r->status = CR_DID_NOT_LEAVE;
}

/*
 * login.c -- the login dialogue of one connection.
 *
 * Owns: the name prompt, the name rule, registered names (their password
 * is asked and checked against the users file; wrong passwords are
 * slowed down, logged with the peer address, and end the connection
 * after LOGIN_MAX_FAILURES; what the client typed ahead of the answer is
 * thrown away and the password asked again), guests (allow_guests), and
 * a registered user logging in twice (duplicate_login = refuse or
 * replace; under refuse, takeover_after lets the password take over a
 * session whose client has been silent that long).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "registry.h"
#include "session.h"
#include "text.h"
#include "users.h"

#define LOGIN_MAX_FAILURES	3
#define REPLACE_WAIT_MS		3000	/* for the old session to leave */

void
login_prompt(struct session *s)
{
	reply(s, s->awaiting_password ? "? password:" : "? name:");
}

static void
enter_chat(struct session *s, uint64_t after_join)
{
	uint32_t others = registry_active_count(&s->shm) - 1;

	s->state = SESSION_CHAT;
	logreader_init(&s->reader, &s->shm, s->slot, s->generation, after_join,
	    s->text);
	session_arm_deadline(s);
	shm_slot(&s->shm, s->slot)->s_registered = (uint32_t)s->registered;
	log_info("%s: logged in as %s%s", s->peer, s->name,
	    s->registered ? "" : " (guest)");
	reply(s, "* welcome, %s (%u other%s online; /help for commands)", s->name,
	    others, others == 1 ? "" : "s");
	session_presence(s);
	deliver_drain(s);
}

/*
 * Ask the session holding our name to close, then wait for it to go.
 * The request is made under registry_lock on the slot that holds the
 * name then (registry_request_close), never on one reused since a lookup.
 */
static int
replace_old_session(struct session *s, long long silent)
{
	struct timespec tick = { 0, 20 * 1000000L };
	char why[SHM_REASON_MAX], after[32] = "";
	uint32_t old;

	/* A takeover says why: the old client was silent (clamped: a clock jump). */
	if (silent >= 0)
		snprintf(after, sizeof(after), " after %u s of silence",
		    (unsigned)(silent < 999999999 ? silent : 999999999));
	snprintf(why, sizeof(why), "replaced by a new login from %s%s", s->peer,
	    after);
	if ((old = registry_request_close(&s->shm, s->name, DISC_KICKED, why)) ==
	    SLOT_NONE)
		return 0;	/* gone meanwhile */
	session_wake(s, TO_USER, old);
	/* This session only waits for its own login; nobody else does. */
	for (int waited = 0; waited < REPLACE_WAIT_MS; waited += 20) {
		if (registry_find(&s->shm, s->name) == SLOT_NONE)
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
silent_past_grace(struct session *s, uint32_t old)
{
	long long silent;

	if (s->conf.takeover_after == 0)
		return -1;
	silent = clock_unix_seconds() -
	    atomic_load(&shm_slot(&s->shm, old)->s_last_active);
	return silent > (long long)s->conf.takeover_after ? silent : -1;
}

static void
take_name(struct session *s)
{
	enum name_result r;
	uint64_t after_join;
	uint32_t old;
	long long silent = -1;

	r = registry_take_name(&s->shm, s->slot, s->name, s->registered, &after_join);
	if (r == NAME_OK) {
		enter_chat(s, after_join);
		return;
	}
	old = registry_find(&s->shm, s->name);
	if (r == NAME_LOOKALIKE) {
		reply(s, "! name-taken: %s looks too much like the name of a user "
		    "online; choose another", s->name);
	} else if (!s->registered || old == SLOT_NONE) {
		reply(s, "! name-taken: %s is already in use; choose another", s->name);
	} else if (s->conf.duplicate_login == DUP_REFUSE &&
	    (silent = silent_past_grace(s, old)) < 0) {
		reply(s, "! already-online: %s is already logged in elsewhere", s->name);
	} else if (replace_old_session(s, silent) == 0 &&
	    registry_take_name(&s->shm, s->slot, s->name, s->registered,
	    &after_join) == NAME_OK) {
		if (silent >= 0)
			log_info("%s: %s took over a login silent for %lld s",
			    s->peer, s->name, silent);
		else
			log_info("%s: %s replaced an older login", s->peer, s->name);
		enter_chat(s, after_join);
		return;
	} else
		reply(s, "! already-online: %s is logged in and did not leave in time",
		    s->name);
	s->name[0] = '\0';
	s->registered = 0;
	login_prompt(s);
}

/* A registered name whose line in the users file cannot be used. */
static void
account_locked(struct session *s, const struct users_match *m)
{
	if (m->other != 0)
		log_warnx("%s: %s cannot log in: %s:%u: %s (its other line: %u)",
		    s->peer, s->name, s->conf.users_file, m->lineno, m->why, m->other);
	else
		log_warnx("%s: %s cannot log in: %s:%u: %s", s->peer, s->name,
		    s->conf.users_file, m->lineno, m->why);
	reply(s, "! unavailable: the account %s cannot be used now; ask the operator",
	    s->name);
	session_close(s, DISC_ERROR, "account locked in the users file");
}

static void
name_given(struct session *s, const char *line, size_t len)
{
	struct users_match m;
	char err[512];
	int found;

	if (!name_valid(line, len)) {
		reply(s, "! name-invalid: a name is 1-32 letters, digits, '_', '-' "
		    "or '.', starting with a letter");
		login_prompt(s);
		return;
	}
	if (name_reserved(line, len)) {
		reply(s, "! name-taken: %.*s is reserved (notices say \"you\" to "
		    "their reader); choose another", (int)len, line);
		login_prompt(s);
		return;
	}
	memcpy(s->name, line, len);
	s->name[len] = '\0';
	found = users_lookup_match(s->conf.users_file, s->name, &m, err, sizeof(err));
	explicit_bzero(m.hash, sizeof(m.hash));
	if (found == -1) {
		log_warnx("%s", err);
		reply(s, "! unavailable: cannot check accounts now; try again later");
		session_close(s, DISC_ERROR, "users file unreadable");
		return;
	}
	users_report(s->conf.users_file, m.stamp, &s->shm.hdr->users_stamp);
	if (found == USERS_IS_LOCKED) {
		account_locked(s, &m);
		return;
	}
	if (found) {
		s->awaiting_password = 1;
		login_prompt(s);
		return;
	}
	if (!s->conf.allow_guests) {
		reply(s, "! guests-disabled: %s is not a registered user and this "
		    "server does not allow guests", s->name);
		s->name[0] = '\0';
		login_prompt(s);
		return;
	}
	s->registered = 0;
	take_name(s);
}

static void
password_given(struct session *s, const char *password)
{
	char hash[USERS_HASH_MAX], err[512];
	struct timespec delay;

	s->awaiting_password = 0;
	if (users_lookup(s->conf.users_file, s->name, hash, sizeof(hash),
	    err, sizeof(err)) == 1 && users_verify(hash, password)) {
		s->registered = 1;
		take_name(s);
		return;
	}
	s->auth_failures++;
	atomic_fetch_add(&s->shm.hdr->st_auth_failures, 1);
	log_warnx("%s: wrong password for %s (failure %d of %d)", s->peer, s->name,
	    s->auth_failures, LOGIN_MAX_FAILURES);
	/* Brute-force throttle: one more second per failure.  Only this
	 * connection waits; it has no chat to deliver yet. */
	delay.tv_sec = s->auth_failures;
	delay.tv_nsec = 0;
	nanosleep(&delay, NULL);
	if (s->auth_failures >= LOGIN_MAX_FAILURES) {
		reply(s, "! auth-failed: too many wrong passwords; closing");
		session_close(s, DISC_AUTH, "too many wrong passwords");
		return;
	}
	input_discard_typed_ahead(s);
	reply(s, "! bad-password: wrong password for %s", s->name);
	/* The user said who they are: only the password is asked again. */
	s->awaiting_password = 1;
	login_prompt(s);
}

void
login_line(struct session *s, char *line, size_t len)
{
	if (s->awaiting_password) {
		password_given(s, line);
		explicit_bzero(line, len);
	} else
		name_given(s, line, len);
}

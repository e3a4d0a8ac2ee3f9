/*
 * login.c -- the login dialogue of one connection.
 *
 * Owns: the name prompt, the name rule, registered names (their password
 * is asked and checked against the users file; wrong passwords are
 * slowed down, logged with the peer address, and end the connection
 * after LOGIN_MAX_FAILURES), guests (allow_guests), and a registered user
 * logging in twice (duplicate_login = refuse or replace).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	s->cursor = after_join;
	session_arm_deadline(s);
	shm_slot(&s->shm, s->slot)->s_registered = (uint32_t)s->registered;
	log_info("%s: logged in as %s%s", s->peer, s->name,
	    s->registered ? "" : " (guest)");
	reply(s, "* welcome, %s (%u other%s online; /help for commands)", s->name,
	    others, others == 1 ? "" : "s");
	hublink_presence(s);
	deliver_drain(s);
}

/* Ask the session holding our name to close, then wait for it to go. */
static int
replace_old_session(struct session *s, uint32_t old)
{
	struct shm_slot *o = shm_slot(&s->shm, old);
	struct timespec tick = { 0, 20 * 1000000L };

	snprintf(o->s_close_reason, sizeof(o->s_close_reason),
	    "replaced by a new login from %s", s->peer);
	atomic_store(&o->s_close, DISC_KICKED + 1);
	hublink_wake(s, TO_USER, old);
	/* This session only waits for its own login; nobody else does. */
	for (int waited = 0; waited < REPLACE_WAIT_MS; waited += 20) {
		if (registry_find(&s->shm, s->name) == SLOT_NONE)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

static void
take_name(struct session *s)
{
	enum name_result r;
	uint64_t after_join;
	uint32_t old;

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
	} else if (s->conf.duplicate_login == DUP_REFUSE) {
		reply(s, "! already-online: %s is already logged in elsewhere", s->name);
	} else if (replace_old_session(s, old) == 0 &&
	    registry_take_name(&s->shm, s->slot, s->name, s->registered, &after_join) == NAME_OK) {
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

static void
name_given(struct session *s, const char *line, size_t len)
{
	char hash[USERS_HASH_MAX], err[512];
	int found;

	if (!name_valid(line, len)) {
		reply(s, "! name-invalid: a name is 1-32 letters, digits, '_', '-' "
		    "or '.', starting with a letter");
		login_prompt(s);
		return;
	}
	memcpy(s->name, line, len);
	s->name[len] = '\0';
	found = users_lookup(s->conf.users_file, s->name, hash, sizeof(hash),
	    err, sizeof(err));
	if (found == -1) {
		log_warnx("%s", err);
		reply(s, "! unavailable: cannot check accounts now; try again later");
		session_close(s, DISC_ERROR, "users file unreadable");
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
	reply(s, "! bad-password: wrong password for %s", s->name);
	s->name[0] = '\0';
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

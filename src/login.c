/*
 * login.c -- the login dialogue of one connection.
 *
 * Owns the prompts and their order: the name, then the password of a
 * registered name (wrong passwords are slowed down, logged with the
 * peer address, and end the connection after CORE_LOGIN_MAX_FAILURES; what
 * the client typed ahead of the answer is thrown away and the password
 * asked again).  The rules (names, accounts, guests, a user logging in
 * twice) are the core's: chatcore/login.c.
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "registry.h"
#include "session.h"

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
	log_info("%s: logged in as %s%s", s->client.peer, s->name,
	    s->registered ? "" : " (guest)");
	reply_named(s, CR_WELCOME, s->name, others);
	history_welcome_back(s);
	session_presence(s);
	deliver_drain(s);
}

static void
take_name(struct session *s)
{
	struct core_result r;
	struct core_user u;
	uint64_t after_join;

	session_user(s, &u);
	core_take_name(&u, &after_join, &r);
	if (r.status == CR_OK) {
		enter_chat(s, after_join);
		return;
	}
	reply_result(s, &r);
	s->name[0] = '\0';
	s->registered = 0;
	login_prompt(s);
}

static void
name_given(struct session *s, const char *line, size_t len)
{
	struct core_result r;
	struct core_user u;

	core_check_name(line, len, &r);
	if (r.status != CR_OK) {
		reply_result(s, &r);
		login_prompt(s);
		return;
	}
	memcpy(s->name, line, len);
	s->name[len] = '\0';
	session_user(s, &u);
	switch (core_account(&u, &r)) {
	case ACCOUNT_REFUSED:
		reply_result(s, &r);
		if (r.status == CR_GUESTS_DISABLED) {
			s->name[0] = '\0';
			login_prompt(s);
		} else
			session_close(s, DISC_ERROR, r.status == CR_ACCOUNT_LOCKED ?
			    "account locked in the users file" : "users file unreadable");
		return;
	case ACCOUNT_REGISTERED:
		s->awaiting_password = 1;
		login_prompt(s);
		return;
	case ACCOUNT_GUEST:
		s->registered = 0;
		take_name(s);
		return;
	}
}

static void
password_given(struct session *s, const char *password)
{
	struct core_user u;

	s->awaiting_password = 0;
	session_user(s, &u);
	switch (core_password_attempt(&u, password, &s->auth_failures)) {
	case CR_OK:
		s->registered = 1;
		take_name(s);
		return;
	case CR_AUTH_FAILED:
		reply_status(s, CR_AUTH_FAILED, 0);
		session_close(s, DISC_AUTH, "too many wrong passwords");
		return;
	default:
		break;
	}
	receive_discard_typed_ahead(s);
	reply_named(s, CR_BAD_PASSWORD, s->name, 0);
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

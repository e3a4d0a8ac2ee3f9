/*
 * conn.c -- the connection's state, for every other file of chat-session.
 *
 * Owns what the session's files share below the commands: the epoll set
 * and its timers, closing the session, the deadlines, and queueing lines
 * for the client (reply, and the line form of the core's results:
 * "! code: words" or "* words").  It calls nothing above it.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "fd.h"
#include "log.h"
#include "registry.h"
#include "session.h"
#include "text.h"

void
session_update_events(struct session *s)
{
	client_update_events(&s->client,
	    !s->in_eof && !s->throttled && s->state != SESSION_CLOSING,
	    outq_pending(&s->out) > 0);
}

void
session_close(struct session *s, int disc_reason, const char *why)
{
	int registered_name = s->state == SESSION_CHAT;
	char line[RESULT_LINE_MAX];
	struct core_result closed;

	if (s->state == SESSION_CLOSING)
		return;
	/* The reasons nobody replied to yet: tell the client, best effort. */
	if (disc_reason == DISC_SENDQ)
		outq_drop_unsent(&s->out);
	if (disc_reason == DISC_SENDQ || disc_reason == DISC_LAGGED ||
	    disc_reason == DISC_LOST) {
		core_result_set(&closed, CR_CLOSED);
		closed.text = why;
		result_line(&closed, line, sizeof(line));
		outq_appendf(&s->out, "%s\n", line);
	}
	if (registered_name)
		hublink_flush_owed(&s->link);
	registry_release(&s->shm, s->slot, s->pid, s->generation, why);
	s->state = SESSION_CLOSING;	/* no drain from here on */
	if (registered_name)
		hublink_presence(&s->link);
	atomic_fetch_add(&s->shm.hdr->st_disconnects[disc_reason], 1);
	log_info("%s: close%s%s: %s", s->client.peer, s->name[0] ? " " : "", s->name, why);
}

void
session_arm_deadline(struct session *s)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (s->state == SESSION_LOGIN)
		its.it_value.tv_sec = s->conf.login_timeout;
	else if (s->state == SESSION_CHAT)
		its.it_value.tv_sec = s->conf.idle_timeout;	/* 0: disarm */
	if (timerfd_settime(s->deadline_fd, 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

void
reply(struct session *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = outq_vappendf(&s->out, fmt, ap);
	va_end(ap);
	if (rc == -1 || outq_append(&s->out, "\n", 1) == -1)
		session_close(s, DISC_SENDQ, "SendQ exceeded");
}

void
reply_text(struct session *s, enum core_status status, const char *text)
{
	struct core_result r;

	core_result_set(&r, status);
	r.text = text;
	reply_result(s, &r);
}

size_t
result_line(const struct core_result *r, char *line, size_t size)
{
	const struct core_error_info *err;
	char words[RESULT_LINE_MAX];
	int n;

	core_result_text(r, words, sizeof(words));
	if ((err = core_error_info(core_result_error(r->status))) != NULL)
		n = snprintf(line, size, "! %s: %s", err->code, words);
	else
		n = snprintf(line, size, "* %s", words);
	return text_printed(n, size);
}

void
reply_result(struct session *s, const struct core_result *r)
{
	char line[RESULT_LINE_MAX];

	if (r->status != CR_OK) {
		result_line(r, line, sizeof(line));
		reply(s, "%s", line);
	}
}

void
reply_status(struct session *s, enum core_status status, uint32_t count)
{
	struct core_result r;

	core_result_set(&r, status);
	r.count = count;
	reply_result(s, &r);
}

void
reply_named(struct session *s, enum core_status status, const char *user,
    uint32_t count)
{
	struct core_result r;

	core_result_set(&r, status);
	strlcpy(r.user, user, sizeof(r.user));
	r.count = count;
	reply_result(s, &r);
}

void
session_user(const struct session *s, struct core_user *u)
{
	u->shm = &s->shm;
	u->conf = &s->conf;
	u->link = (struct hublink *)&s->link;
	u->slot = s->slot;
	u->generation = s->generation;
	u->name = s->name;
	u->peer = s->client.peer;
	u->registered = s->registered;
	u->say_flags = 0;
}


/*
 * history.c -- the archive's lines for a line client.
 *
 * Owns /history, the lines replayed on /join_group, and what a
 * registered user is given at login: its kept groups back, and the
 * private messages that arrived while it was away.  A line from the
 * archive starts with "~ " and its original time (UTC), then reads as
 * it did live ("~ 2026-12-03T17:20:01Z #dev <alice> hi"); a private
 * message the reader sent shows its addressee ("-> *bob* hi").  Each
 * batch is framed: "* history of WHAT (N lines):" ... "* end of
 * history" (doc/protocol.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "cmdline.h"
#include "session.h"

static void
history_line(struct session *s, const struct hist_line *l)
{
	char when[32];

	/* A long answer goes out as it is made, not all into the queue. */
	if (outq_pending(&s->out) >= OUTQ_WRITE_BATCH)
		outq_flush(&s->out, s->client.out_fd);
	clock_format_utc(l->time_ms, when, sizeof(when));
	switch (l->to_kind) {
	case TO_GROUP:
		reply(s, "~ %s #%s <%s> %s", when, l->to, l->from, l->text);
		break;
	case TO_USER:
		if (strcasecmp(l->from, s->name) == 0)
			reply(s, "~ %s -> *%s* %s", when, l->to, l->text);
		else
			reply(s, "~ %s *%s* %s", when, l->from, l->text);
		break;
	default:
		reply(s, "~ %s <%s> %s", when, l->from, l->text);
		break;
	}
}

/* The framed lines of a CR_HISTORY_START result; frees them. */
static void
show_lines(struct session *s, const struct core_result *r, struct core_lines *l)
{
	reply_result(s, r);
	for (size_t i = 0; i < l->count; i++)
		history_line(s, &l->line[i]);
	reply_status(s, CR_HISTORY_END, 0);
	core_lines_free(l);
}

static int
all_digits(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (*w < '0' || *w > '9')
			return 0;
	return 1;
}

/* /history [#group|user] [N] */
void
cmd_history(struct session *s, char *args)
{
	char *target = cmdline_next_word(&args), *count;
	struct core_result r;
	struct core_lines l;
	struct core_user u;
	unsigned long limit = 0;

	if (all_digits(target)) {
		count = target;
		target = "";
	} else
		count = cmdline_next_word(&args);
	if (*count != '\0' && (!all_digits(count) || strlen(count) > 4 ||
	    (limit = strtoul(count, NULL, 10)) == 0)) {
		reply_text(s, CR_USAGE, "/history [#group|user] [N]: N is 1 to 500");
		return;
	}
	deliver_drain(s);	/* what is read is history, the rest live */
	session_user(s, &u);
	core_history(&u, target, (uint32_t)limit, s->reader.cursor, &l, &r);
	if (r.status == CR_HISTORY_START)
		show_lines(s, &r, &l);
	else
		session_answer(s, &r);
}

/* After a join: the group's last lines, if there are any to show. */
void
history_replay(struct session *s, const struct core_result *joined)
{
	struct core_result r;
	struct core_lines l;
	struct core_user u;

	session_user(s, &u);
	core_replay(&u, joined->group, joined->seq, &l, &r);
	if (r.status == CR_HISTORY_START && l.count > 0)
		show_lines(s, &r, &l);
	else
		core_lines_free(&l);
}

static void
rejoined(void *arg, const struct core_result *r)
{
	session_answer(arg, r);
}

/* A registered user's login: its groups, then its offline messages. */
void
history_welcome_back(struct session *s)
{
	struct core_lines l;
	struct core_user u;

	if (!s->registered)
		return;
	session_user(s, &u);
	core_welcome_back(&u, rejoined, s, &l);
	if (l.count > 0)
		reply_status(s, CR_OFFLINE_WAITING, (uint32_t)l.count);
	for (size_t i = 0; i < l.count; i++)
		history_line(s, &l.line[i]);
	core_offline_done(&u, &l);
}

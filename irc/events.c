/*
 * events.c -- what an IRC user sees of the log, as IRC lines.
 *
 * Owns the line of each record a user's log reader returns: a chat line
 * to everyone is a PRIVMSG to the lobby's channel, a private one a
 * PRIVMSG to the reader's nick, a group's a PRIVMSG to "#group"; a user
 * entering or leaving the chat JOINs the lobby or QUITs; a group's
 * events are JOIN, PART, KICK, INVITE and MODE from the actor's mask.
 * Lines are put together from pieces (no printf on the delivery path,
 * as in src/deliver.c).  The reader's own records never come back
 * (lib/logreader.c), so its own lines are not echoed.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "log.h"
#include "msglog.h"
#include "irc.h"

static struct outq_piece
str(const char *s)
{
	return (struct outq_piece){ s, strlen(s) };
}

/* A record's text up to any line end it should never hold. */
static struct outq_piece
text(const char *t, size_t len)
{
	const char *end;

	if ((end = memchr(t, '\n', len)) != NULL)
		len = (size_t)(end - t);
	if ((end = memchr(t, '\r', len)) != NULL)
		len = (size_t)(end - t);
	return (struct outq_piece){ t, len };
}

/* ":nick!nick@server " of the sender. */
static struct outq_piece
prefix(const struct irc *i, const char *nick, char *buf, size_t size)
{
	size_t len;

	buf[0] = ':';
	irc_mask(i, nick, buf + 1, size - 2);
	len = strlen(buf);
	buf[len] = ' ';
	buf[len + 1] = '\0';
	return str(buf);
}

/* ":from!from@server CMD to :text", an action wrapped in CTCP's ACTION. */
static int
said_line(struct irc *i, const char *from, const char *cmd, const char *to,
    const char *t, size_t len, int action)
{
	char head[IRC_MASK_MAX + 4];
	struct outq_piece p[] = { prefix(i, from, head, sizeof(head)),
	    str(cmd), str(" "), str(to), str(action ? " :\001ACTION " : " :"),
	    text(t, len), str(action ? "\001" : "") };

	return irc_send_pieces(i, p, sizeof(p) / sizeof(p[0]));
}

static int
chat_line(struct irc *i, const struct msglog_entry *e)
{
	char chan[IRC_CHANNEL_MAX + 1];
	const char *to = i->lobby;

	if (e->to.kind == TO_USER)
		to = i->nick;
	else if (e->to.kind == TO_GROUP) {
		snprintf(chan, sizeof(chan), "#%s", e->to_name);
		to = chan;
	}
	return said_line(i, e->from_name,
	    (e->flags & RECF_NOTICE) ? "NOTICE" : "PRIVMSG", to, e->text,
	    e->len, (e->flags & RECF_ACTION) != 0);
}

/* A group's event from its actor, or nothing for one IRC does not show. */
static int
group_line(struct irc *i, const struct msglog_entry *e)
{
	char head[IRC_MASK_MAX + 4];
	struct core_event ev;

	core_event_from_record(e, &ev);
	prefix(i, ev.actor, head, sizeof(head));
	switch (ev.kind) {
	case GROUP_JOINED:
		return irc_send(i, "%sJOIN #%s", head, ev.group);
	case GROUP_LEFT:
		/* Leaving the chat: the QUIT that follows says it. */
		if (e->flags & RECF_QUIT)
			return 0;
		if (ev.reason[0] == '\0')
			return irc_send(i, "%sPART #%s", head, ev.group);
		return irc_send(i, "%sPART #%s :%s", head, ev.group, ev.reason);
	case GROUP_OWNER:
		return irc_send(i, ":%s MODE #%s +o %s", i->server, ev.group,
		    ev.target);
	case GROUP_KICKED:
		return irc_send(i, "%sKICK #%s %s :%s", head, ev.group, ev.target,
		    ev.reason[0] != '\0' ? ev.reason : ev.actor);
	case GROUP_INVITED:
		return irc_send(i, "%sINVITE %s #%s", head, i->nick, ev.group);
	case GROUP_MODE:
		return irc_send(i, "%sMODE #%s %ci", head, ev.group,
		    ev.invite_only ? '+' : '-');
	}
	return 0;	/* closed, or an event from a newer layout */
}

static int
record_line(struct irc *i, const struct msglog_entry *e)
{
	char head[IRC_MASK_MAX + 4], words[512];

	switch (e->kind) {
	case REC_CHAT:
		return chat_line(i, e);
	case REC_GROUP:
		return group_line(i, e);
	case REC_JOIN: {
		struct outq_piece p[] = { prefix(i, e->from_name, head,
		    sizeof(head)), str("JOIN "), str(i->lobby) };
		return irc_send_pieces(i, p, sizeof(p) / sizeof(p[0]));
	}
	case REC_LEAVE: {
		struct outq_piece p[] = { prefix(i, e->from_name, head,
		    sizeof(head)), str("QUIT :"), text(e->text, e->len) };
		return irc_send_pieces(i, p, sizeof(p) / sizeof(p[0]));
	}
	case REC_LOST:
		core_lost_words(e, words, sizeof(words));
		return irc_send(i, ":%s NOTICE %s :%s", i->server, i->lobby, words);
	}
	return 0;	/* a kind from a newer layout */
}

/* "@time=...Z " for a time in unix ms, if the client asked for it. */
static void
time_tag(struct irc *i, int64_t ms)
{
	char when[32];

	if (!(i->caps & CAP_SERVER_TIME))
		return;
	clock_format_utc(ms, when, sizeof(when));
	/* "2026-12-03T17:20:01Z" with its milliseconds */
	snprintf(i->tags, sizeof(i->tags), "@time=%.19s.%03dZ ", when,
	    (int)(ms % 1000));
}

int
events_history_line(struct irc *i, const char *target,
    const struct hist_line *l)
{
	int rc;

	time_tag(i, l->time_ms);
	rc = said_line(i, l->from, "PRIVMSG", target, l->text, l->len, 0);
	i->tags[0] = '\0';
	return rc;
}

int
events_echo(struct irc *i, const char *cmd, const char *target,
    const char *t, size_t len, int action)
{
	int rc;

	time_tag(i, clock_unix_ms());
	rc = said_line(i, i->nick, cmd, target, t, len, action);
	i->tags[0] = '\0';
	return rc;
}

/* The record's lines, with its time first under server-time. */
static int
record_lines(struct irc *i, const struct msglog_entry *e)
{
	int rc;

	time_tag(i, e->time);
	rc = record_line(i, e);
	i->tags[0] = '\0';
	return rc;
}

/* One record queued; past OUTQ_WRITE_BATCH the socket is written first. */
static int
deliver(void *arg, const struct msglog_entry *e)
{
	struct irc *i = arg;

	if (outq_pending(&i->out) >= OUTQ_WRITE_BATCH)
		irc_flush(i);
	if (i->state != IRC_CHAT)
		return -1;
	return record_lines(i, e) == -1 ? -1 : 1;
}

void
events_drain(struct irc *i)
{
	if (i->state != IRC_CHAT)
		return;
	if (logreader_drain(&i->reader, deliver, i) == LOGREADER_LOST)
		irc_close(i, DISC_LAGGED, "fell a whole message log behind");
}

void
events_wakeup(struct irc *i)
{
	char reason[SHM_REASON_MAX];
	int disc;

	events_drain(i);
	if (i->state == IRC_CLOSING || !i->claimed)
		return;
	if ((disc = logreader_close_request(&i->reader, reason,
	    sizeof(reason))) != -1)
		irc_close(i, disc, reason);
}

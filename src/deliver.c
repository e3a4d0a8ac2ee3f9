/*
 * deliver.c -- from the shared log to the client's socket.
 *
 * A wake-up drains the log (lib/logreader.c: the cursor, which records
 * are this user's), formats each record as a line and flushes them with
 * one write where the socket takes it (design invariant 4).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "msglog.h"
#include "session.h"
#include "text.h"

/*
 * Lines are put together from pieces rather than with a printf format:
 * every delivery passes here, and vsnprintf cost more than the rest of
 * a delivery put together.
 */
static struct outq_piece
str(const char *s)
{
	return (struct outq_piece){ s, strlen(s) };
}

static struct outq_piece
text(const struct msglog_entry *e)
{
	return (struct outq_piece){ e->text, e->len };
}

/* An action (RECF_ACTION): what the sender does, after its name. */
static int
format_action(struct session *s, const struct msglog_entry *e)
{
	switch (e->to.kind) {
	case TO_USER: {		/* *alice* * alice waves */
		struct outq_piece p[] = { str("*"), str(e->from_name), str("* * "),
		    str(e->from_name), str(" "), text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	case TO_GROUP: {	/* #room * alice waves */
		struct outq_piece p[] = { str("#"), str(e->to_name), str(" * "),
		    str(e->from_name), str(" "), text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	default: {		/* * alice waves */
		struct outq_piece p[] = { str("* "), str(e->from_name), str(" "),
		    text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	}
}

static int
format_chat(struct session *s, const struct msglog_entry *e)
{
	if (e->flags & RECF_ACTION)
		return format_action(s, e);
	switch (e->to.kind) {
	case TO_USER: {		/* *alice* hi */
		struct outq_piece p[] = { str("*"), str(e->from_name), str("* "),
		    text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	case TO_GROUP: {	/* #room <alice> hi */
		struct outq_piece p[] = { str("#"), str(e->to_name), str(" <"),
		    str(e->from_name), str("> "), text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	default: {		/* <alice> hi */
		struct outq_piece p[] = { str("<"), str(e->from_name), str("> "),
		    text(e), str("\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	}
}

/*
 * A group record: in words ("* alice joined #dev"), or, for a client that
 * asked with /events on, in its machine form ("= group joined #dev alice
 * - -"; doc/protocol.md).  Words are cut to fit max_line, as every line
 * of text is.
 */
static int
format_group(struct session *s, const struct msglog_entry *e)
{
	char line[1024];
	struct core_event ev;
	size_t max = (size_t)s->shm.geo.max_line + 1, len;
	const char *name;
	int n;

	core_event_from_record(e, &ev);
	if ((name = core_event_name(&ev)) == NULL)
		return 0;	/* an event from a newer layout: nothing for us */
	if (s->events) {
		n = snprintf(line, sizeof(line), "= group %s #%s %s %s %s%s%s\n",
		    name, ev.group, ev.actor, ev.target[0] ? ev.target : "-",
		    ev.kind != GROUP_MODE ? "-" : ev.invite_only ? "invite-only" :
		    "open", ev.reason[0] ? " :" : "", ev.reason);
		return outq_append(&s->out, line, text_printed(n, sizeof(line)));
	}
	len = core_event_words(&ev, line + 2, max < sizeof(line) - 3 ? max :
	    sizeof(line) - 3);
	memcpy(line, "* ", 2);
	line[2 + len] = '\n';
	return outq_append(&s->out, line, len + 3);
}

/* Lines lost between nodes (a cluster's bridge said so). */
static int
format_lost(struct session *s, const struct msglog_entry *e)
{
	char line[512];
	size_t max = (size_t)s->shm.geo.max_line + 1, len;

	len = core_lost_words(e, line + 2, max < sizeof(line) - 3 ? max :
	    sizeof(line) - 3);
	memcpy(line, "* ", 2);
	line[2 + len] = '\n';
	return outq_append(&s->out, line, len + 3);
}

/* Queue one record for the client; -1 if the output queue is full. */
static int
format_record(struct session *s, const struct msglog_entry *e)
{
	switch (e->kind) {
	case REC_CHAT:
		return format_chat(s, e);
	case REC_GROUP:		/* * alice joined #room */
		return format_group(s, e);
	case REC_JOIN: {	/* * alice joined */
		struct outq_piece p[] = { str("* "), str(e->from_name),
		    str(" joined\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	case REC_LEAVE: {	/* * alice left (reason) */
		struct outq_piece p[] = { str("* "), str(e->from_name),
		    str(" left ("), text(e), str(")\n") };
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
	case REC_LOST:		/* * up to 12 lines said on node beta never ... */
		return format_lost(s, e);
	}
	return 0;	/* a kind from a newer layout: nothing for us */
}

/*
 * Queue a record; past OUTQ_WRITE_BATCH, or when the queue is full,
 * write to the socket first.
 * 1, or -1 (the session closes) if the client does not take it.
 */
static int
queue_record(void *arg, const struct msglog_entry *e)
{
	struct session *s = arg;

	if (outq_pending(&s->out) >= OUTQ_WRITE_BATCH &&
	    outq_flush(&s->out, s->client.out_fd) == -1)
		goto sendq;
	if (format_record(s, e) == 0)
		return 1;
	if (outq_flush(&s->out, s->client.out_fd) == -1 ||
	    format_record(s, e) == -1)
		goto sendq;
	return 1;
sendq:
	session_close(s, DISC_SENDQ, "SendQ exceeded");
	return -1;
}

void
deliver_drain(struct session *s)
{
	if (s->state != SESSION_CHAT)
		return;
	if (logreader_drain(&s->reader, queue_record, s) == LOGREADER_LOST)
		session_close(s, DISC_LAGGED, "fell a whole message log behind");
}

/* An operator's kick or a newer login asked this session to close. */
static void
close_if_requested(struct session *s)
{
	char reason[SHM_REASON_MAX];
	int disc;

	if (s->state == SESSION_CLOSING ||
	    (disc = logreader_close_request(&s->reader, reason, sizeof(reason))) == -1)
		return;
	reply_text(s, CR_CLOSED, reason);
	session_close(s, disc, reason);
}

/* The eventfd fired (or the hub came back): drain (lib/hublink.c). */
void
deliver_wakeup(struct session *s)
{
	deliver_drain(s);
	close_if_requested(s);
}

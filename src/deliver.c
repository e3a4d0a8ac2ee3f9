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

static int
format_chat(struct session *s, const struct msglog_entry *e)
{
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
 * A group record in words.  A reason is cut so that the whole line fits
 * in max_line and keeps its ")".
 */
static size_t
group_sentence(const struct session *s, const struct msglog_entry *e,
    char *buf, size_t size)
{
	const char *a = e->from_name, *g = e->group_name, *t = e->target_name;
	char head[4 * SHM_NAME_MAX + 64], reason[SHM_REASON_MAX + 1];
	size_t max = (size_t)s->shm.geo.max_line + 1;

	if (size > max)
		size = max;
	memcpy(reason, e->text, e->len < SHM_REASON_MAX ? e->len : SHM_REASON_MAX);
	reason[e->len < SHM_REASON_MAX ? e->len : SHM_REASON_MAX] = '\0';
	switch (e->event) {
	case GROUP_JOINED:
		return (size_t)snprintf(buf, size, "%s joined #%s", a, g);
	case GROUP_LEFT:
		if (e->len == 0)
			return (size_t)snprintf(buf, size, "%s left #%s", a, g);
		snprintf(head, sizeof(head), "%s left #%s (", a, g);
		return text_compose(buf, size, head, reason, SIZE_MAX, ")");
	case GROUP_OWNER:
		return (size_t)snprintf(buf, size, "%s now owns #%s", t, g);
	case GROUP_KICKED:
		if (e->to.kind == TO_USER)
			snprintf(head, sizeof(head), "%s kicked you from #%s (", a, g);
		else
			snprintf(head, sizeof(head), "%s kicked %s from #%s (", a, t, g);
		return text_compose(buf, size, head, reason, SIZE_MAX, ")");
	case GROUP_INVITED:
		return (size_t)snprintf(buf, size, "%s invited you to #%s; "
		    "/join_group %s to join", a, g, g);
	case GROUP_MODE:
		return (size_t)snprintf(buf, size, "%s made #%s %s", a, g,
		    e->mode ? "invite-only" : "open to everyone");
	}
	return 0;
}

/* Queue one record for the client; -1 if the output queue is full. */
static int
format_record(struct session *s, const struct msglog_entry *e)
{
	switch (e->kind) {
	case REC_CHAT:
		return format_chat(s, e);
	case REC_GROUP: {	/* * alice joined #room */
		char line[1024];
		size_t len = group_sentence(s, e, line, sizeof(line));
		struct outq_piece p[] = { str("* "), { line, len }, str("\n") };

		if (len == 0 || len >= sizeof(line))
			return 0;	/* an event from a newer layout */
		return outq_append_pieces(&s->out, p, sizeof(p) / sizeof(p[0]));
	}
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
	}
	return 0;	/* a kind from a newer layout: nothing for us */
}

/*
 * A drain writes to the socket once it has formatted this much, not only
 * at its end: a burst (a storm of join notices held off by the hub)
 * would otherwise grow the output buffer, and its pages would stay with
 * the session for good.  The system calls saved by larger writes are
 * few: a 3 KiB write carries some 150 lines.
 */
#define WRITE_BATCH	3072

/* Queue a record; when the queue is full, write to the socket first. */
static int
queue_record(struct session *s, const struct msglog_entry *e)
{
	if (outq_pending(&s->out) >= WRITE_BATCH &&
	    outq_flush(&s->out, s->out_fd) == -1)
		return -1;
	if (format_record(s, e) == 0)
		return 0;
	if (outq_flush(&s->out, s->out_fd) == -1)
		return -1;
	return format_record(s, e);
}

void
deliver_drain(struct session *s)
{
	struct msglog_entry e;
	uint64_t delivered = 0;

	if (s->state != SESSION_CHAT)
		return;
	logreader_begin(&s->reader);
	for (;;) {
		switch (logreader_next(&s->reader, &e)) {
		case LOGREADER_END:
			break;
		case LOGREADER_LOST:
			session_close(s, DISC_LAGGED,
			    "fell a whole message log behind");
			return;
		case LOGREADER_RECORD:
			if (queue_record(s, &e) == -1) {
				session_close(s, DISC_SENDQ, "SendQ exceeded");
				return;
			}
			delivered++;
			continue;
		}
		break;
	}
	logreader_publish(&s->reader);
	if (delivered > 0)
		atomic_fetch_add_explicit(&s->shm.hdr->st_deliveries, delivered,
		    memory_order_relaxed);
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
	reply_closed(s, reason);
	session_close(s, disc, reason);
}

/* The eventfd fired (or the hub came back): drain (lib/hublink.c). */
void
deliver_wakeup(struct session *s)
{
	deliver_drain(s);
	close_if_requested(s);
}

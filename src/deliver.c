/*
 * deliver.c -- from the shared log to the client's socket.
 *
 * Owns the session's read cursor.  A wake-up clears the wake-pending
 * flag first, then reads every record up to the log's end, formats the
 * ones meant for this user and flushes them with one write where the
 * socket takes it (design invariant 4).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "msglog.h"
#include "session.h"
#include "text.h"

static int
from_self(const struct session *s, const struct msglog_entry *e)
{
	return e->from_slot == s->slot && e->from_generation == s->generation;
}

/* Is the record for this user?  The sender never gets its own back. */
static int
for_me(const struct session *s, const struct msglog_entry *e)
{
	if (from_self(s, e))
		return 0;
	switch (e->to_kind) {
	case TO_ALL:
		return 1;
	case TO_USER:
		return e->to == s->slot && e->to_generation == s->generation;
	case TO_GROUP:
		return groups_received(&s->shm, e->to, s->slot, e->seq);
	}
	return 0;
}

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
	switch (e->to_kind) {
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
		if (e->to_kind == TO_USER)
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
	uint64_t end, delivered = 0;

	if (s->state != SESSION_CHAT)
		return;
	atomic_exchange(&shm_slot(&s->shm, s->slot)->s_wake_pending, 0);
	end = msglog_next(&s->shm);
	e.text = s->text;
	while (s->cursor < end) {
		switch (msglog_read(&s->shm, s->cursor, &e)) {
		case MSGLOG_NONE:
			return;
		case MSGLOG_LOST:
			session_close(s, DISC_LAGGED,
			    "fell a whole message log behind");
			return;
		case MSGLOG_OK:
			break;
		}
		s->cursor = e.next;
		if (!for_me(s, &e))
			continue;
		if (queue_record(s, &e) == -1) {
			session_close(s, DISC_SENDQ, "SendQ exceeded");
			return;
		}
		delivered++;
	}
	atomic_store_explicit(&shm_slot(&s->shm, s->slot)->s_cursor, s->cursor,
	    memory_order_relaxed);
	if (delivered > 0)
		atomic_fetch_add_explicit(&s->shm.hdr->st_deliveries, delivered,
		    memory_order_relaxed);
}

/* An operator's kick or a newer login asked this session to close. */
static void
close_if_requested(struct session *s)
{
	struct shm_slot *slot = shm_slot(&s->shm, s->slot);
	char reason[SHM_REASON_MAX];
	uint32_t request;

	request = atomic_load(&slot->s_close);
	if (request == 0 || s->state == SESSION_CLOSING)
		return;
	memcpy(reason, slot->s_close_reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	reply(s, "! closed: %s", reason);
	session_close(s, request - 1 < DISC_REASONS ? (int)request - 1 : DISC_KICKED,
	    reason);
}

/*
 * The eventfd fired (or the hub came back): drain.  The eventfd is
 * watched edge-triggered, so every write by the hub is an event of its
 * own and its count is never read: one system call less per wake-up.
 * (The count would take centuries of wake-ups to reach its limit.)
 */
void
deliver_wakeup(struct session *s)
{
	deliver_drain(s);
	close_if_requested(s);
}

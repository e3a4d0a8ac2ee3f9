/*
 * deliver.c -- from the shared log to the client's socket.
 *
 * Owns the session's read cursor.  A wake-up clears the wake-pending
 * flag first, then reads every record up to the log's end, formats the
 * ones meant for this user and flushes them with one write where the
 * socket takes it (design invariant 4).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "log.h"
#include "msglog.h"
#include "session.h"

static int
from_self(const struct session *s, const struct msglog_entry *e)
{
	return e->from_slot == s->slot && e->from_generation == s->generation;
}

/* Queue one record for the client; -1 if the output queue is full. */
static int
format_record(struct session *s, const struct msglog_entry *e)
{
	switch (e->kind) {
	case REC_CHAT:
		return outq_appendf(&s->out, "<%s> %.*s\n", e->from_name,
		    (int)e->len, e->text);
	case REC_JOIN:
		return outq_appendf(&s->out, "* %s joined\n", e->from_name);
	case REC_LEAVE:
		return outq_appendf(&s->out, "* %s left (%.*s)\n", e->from_name,
		    (int)e->len, e->text);
	}
	return 0;	/* a kind from a newer layout: nothing for us */
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
	for (; s->cursor < end; s->cursor++) {
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
		if (from_self(s, &e))
			continue;
		if (format_record(s, &e) == -1) {
			session_close(s, DISC_SENDQ, "SendQ exceeded");
			return;
		}
		delivered++;
	}
	if (delivered > 0)
		atomic_fetch_add_explicit(&s->shm.hdr->st_deliveries, delivered,
		    memory_order_relaxed);
}

/* The eventfd fired (or the hub came back): drain. */
void
deliver_wakeup(struct session *s)
{
	uint64_t count;

	if (s->wake_fd != -1 && read(s->wake_fd, &count, sizeof(count)) == -1 &&
	    errno != EAGAIN)
		log_warn("eventfd read");
	deliver_drain(s);
}

/*
 * outbound.c -- this node's records on their way to the stream
 * (outbound.h).
 *
 * Order is what the window must not lose.  Records in flight went down
 * one TCP connection in log order, and the stream stores them in the
 * order it reads them, so a record can be stored after a later one only
 * if it was lost while the later one was not: a connection that broke
 * (so publishing stops when it changes), or a stream leader lost in a
 * cluster (so publishing stops at the first failure, and waits while the
 * oldest record has had no answer for OUTBOUND_STALL_MS: a new leader
 * takes seconds to be elected).  Should it happen anyway, it is seen:
 * the stream's sequence numbers of the records counted must rise, a
 * duplicate answering with where it was stored first.
 */
#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "outbound.h"

enum { OUTBOUND_SENT, OUTBOUND_STORED, OUTBOUND_FAILED };

static struct outbound_rec *
rec(struct outbound *o, unsigned i)
{
	return &o->recs[(o->head + i) % OUTBOUND_WINDOW];
}

int
outbound_may_send(struct outbound *o, int64_t link, int64_t now)
{
	if (o->failing || link < 0)
		return 0;
	if (o->count == 0)
		return 1;
	if (link != o->link) {
		log_warnx("bus: the connection changed under %u records in "
		    "flight; publishing again from the first not stored",
		    o->count);
		outbound_fail(o, now);
		return 0;
	}
	return o->count < (o->probing ? 1u : OUTBOUND_WINDOW) &&
	    now - rec(o, 0)->sent_ms < OUTBOUND_STALL_MS;
}

static void
add(struct outbound *o, uint64_t seq, int state, int64_t now)
{
	struct outbound_rec *r = rec(o, o->count++);

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->state = state;
	r->sent_ms = now;
}

void
outbound_sent(struct outbound *o, uint64_t seq, int64_t link, int64_t now)
{
	o->link = link;
	add(o, seq, OUTBOUND_SENT, now);
}

void
outbound_refused(struct outbound *o, uint64_t seq, int64_t now)
{
	add(o, seq, OUTBOUND_FAILED, now);
	outbound_fail(o, now);
}

void
outbound_fail(struct outbound *o, int64_t now)
{
	o->failing = 1;
	o->retry_ms = now + OUTBOUND_RETRY_MS;
}

void
outbound_answer(struct outbound *o, const struct bus_ack *a, int64_t now)
{
	struct outbound_rec *r;

	for (unsigned i = 0; i < o->count; i++) {
		r = rec(o, i);
		if (r->seq != a->seq || r->state != OUTBOUND_SENT)
			continue;
		if (a->stored) {
			r->state = OUTBOUND_STORED;
			r->stream_seq = a->stream_seq;
			return;
		}
		r->state = OUTBOUND_FAILED;
		if (!o->failing)
			log_warnx("bus: record %" PRIu64 " not stored (%s, "
			    "error %d); publishing again from the first not "
			    "stored once the %u in flight are answered", a->seq,
			    natsStatus_GetText((natsStatus)a->status), a->err,
			    o->count);
		outbound_fail(o, now);
		return;
	}
	/* An answer to a record sent before the last failure: stale. */
}

uint64_t
outbound_settle(struct outbound *o)
{
	struct outbound_rec *r;
	uint64_t n = 0;

	while (o->count > 0 && (r = rec(o, 0))->state == OUTBOUND_STORED) {
		if (r->stream_seq <= o->last_stream_seq)
			log_warnx("bus: record %" PRIu64 " is stream message %"
			    PRIu64 ", before the record published ahead of it "
			    "(%" PRIu64 "): the other nodes read them out of "
			    "order", r->seq, r->stream_seq, o->last_stream_seq);
		o->last_stream_seq = r->stream_seq;
		o->head = (o->head + 1) % OUTBOUND_WINDOW;
		o->count--;
		o->probing = 0;
		n++;
	}
	return n;
}

int
outbound_resend(struct outbound *o, int64_t now, uint64_t *seq)
{
	if (!o->failing || now < o->retry_ms)
		return 0;
	for (unsigned i = 0; i < o->count; i++)
		if (rec(o, i)->state == OUTBOUND_SENT)
			return 0;	/* its answer, or cnats's timeout, comes */
	o->failing = 0;
	o->probing = 1;
	if (o->count == 0)
		return 0;	/* all stored meanwhile: go on */
	*seq = rec(o, 0)->seq;
	o->head = o->count = 0;
	return 1;
}

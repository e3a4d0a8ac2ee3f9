/*
 * outbound.h -- this node's records on their way to the stream.
 *
 * Owns chat-bridge's publishing window: the records published and not
 * yet answered by the stream, at most OUTBOUND_WINDOW of them, all sent
 * down one connection (bus_link) in log order.  A record counts as
 * carried once the stream has stored it and every record before it.
 * At the first failure (an error, no answer in time, the connection
 * changed under records in flight) nothing more is sent; once every
 * record in flight has its answer, publishing goes on from the first
 * one not stored, one record at a time until the stream stores one.
 * The stream drops what it holds already (Nats-Msg-Id).  Does no I/O:
 * bridged.c reads the log, publishes, and says what it sent and what
 * came back.
 */
#ifndef CHAT_BRIDGE_OUTBOUND_H
#define CHAT_BRIDGE_OUTBOUND_H

#include <stdint.h>

#include "bus.h"

#define OUTBOUND_WINDOW		64	/* records in flight, at most */
#define OUTBOUND_STALL_MS	1000	/* the oldest unanswered this long:
					   send no more until it is */
#define OUTBOUND_RETRY_MS	250	/* after a failure, not sooner */

_Static_assert(OUTBOUND_WINDOW < BUS_PENDING_MAX,
    "cnats never makes a publish wait for room");

struct outbound_rec {
	uint64_t	 seq;		/* the record's log sequence number */
	uint64_t	 stream_seq;	/* where the stream holds it */
	int64_t		 sent_ms;	/* monotonic */
	int		 state;		/* OUTBOUND_SENT, _STORED, _FAILED */
};

struct outbound {
	struct outbound_rec recs[OUTBOUND_WINDOW];	/* a ring, log order */
	unsigned	 head, count;
	int64_t		 link;		/* bus_link the records went down */
	int		 failing;	/* send nothing until all are answered */
	int		 probing;	/* one at a time until one is stored */
	int64_t		 retry_ms;	/* monotonic: not before, after a
					   failure */
	uint64_t	 last_stream_seq; /* of the last record counted */
};

/*
 * May another record go now, down link (bus_link: -1 while away) at
 * now (monotonic ms)?  A link changed under records in flight is a
 * failure.
 */
int	outbound_may_send(struct outbound *o, int64_t link, int64_t now);
/* Record seq was published down link. */
void	outbound_sent(struct outbound *o, uint64_t seq, int64_t link,
	    int64_t now);
/* Record seq could not be published (it was not sent). */
void	outbound_refused(struct outbound *o, uint64_t seq, int64_t now);
/* A record published may have gone astray (the link changed meanwhile). */
void	outbound_fail(struct outbound *o, int64_t now);
/* The stream's answer to a record in flight (others are ignored). */
void	outbound_answer(struct outbound *o, const struct bus_ack *a,
	    int64_t now);
/*
 * The records stored, each after all before it, since the last call:
 * how many (each is counted once, in order).
 */
uint64_t outbound_settle(struct outbound *o);
/*
 * After a failure, once every record in flight is answered and the
 * retry delay is over: 1 with *seq the record to publish again from
 * (the window is then empty), else 0.
 */
int	outbound_resend(struct outbound *o, int64_t now, uint64_t *seq);

#endif

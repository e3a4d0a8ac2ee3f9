/*
 * bus.h -- chat-bridge's side of NATS.
 *
 * Owns the connection to the servers of nats_url (reconnecting for ever,
 * pinging every 5 s), the JetStream stream WIRE_STREAM that carries every
 * node's records (de-duplicated by message id), the ordered consumer
 * that reads it from the first message this node has not applied
 * (bridge_applied + 1), the heartbeats, and the hand-over from cnats's
 * threads to the bridge's: a message cnats delivers is queued under a
 * mutex and the eventfd bus.fd is written; the bridge's thread takes the
 * queue.  Records are published without waiting (js_PublishMsgAsync):
 * the stream's answer to each, or its failure (an error, or no answer
 * within 5 s), is queued the same way as a struct bus_ack, and the
 * bridge (bridge/outbound.c) decides what to send next; st_bridge_out
 * counts the records the stream stored (acknowledged), each once, in
 * order.
 * Nothing else runs on cnats's threads.
 */
#ifndef CHAT_BRIDGE_BUS_H
#define CHAT_BRIDGE_BUS_H

#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "conf.h"

/* What became of a record published: handed from cnats's thread. */
struct bus_ack {
	uint64_t	 seq;		/* the record's log sequence number */
	uint64_t	 stream_seq;	/* where the stream holds it (a
					   duplicate: where it was stored
					   first); 0 if it failed */
	int		 stored;	/* 1 stored, or held already */
	int		 status;	/* natsStatus of a failure */
	int		 err;		/* jsErrCode of a failure, or 0 */
};

struct bus {
	natsConnection	*nc;
	jsCtx		*js;
	natsSubscription *sub;
	natsSubscription *heartbeats;	/* every node's, core NATS */
	natsSubscription *kicks;	/* logins to close here, core NATS */
	int		 fd;		/* eventfd: messages are queued */
	pthread_mutex_t	 lock;		/* guards the queue */
	natsMsg		**queue;
	size_t		 queued, room;
	struct bus_ack	*acks;		/* guarded by lock too */
	size_t		 acked, acks_room;
	natsStatistics	*stats;		/* for bus_link */
	char		 node[SHM_NAME_MAX + 1];
	int		 replicas;	/* of the stream and buckets: 3 when
					   nats_url names 3 servers or more */
	unsigned	 keep_hours;	/* the stream's MaxAge: bus_keep_hours */
	_Atomic int	 connected;	/* 0 while cnats reconnects */
	_Atomic int	 closing;	/* bus_close under way */
};

/*
 * Connect, make the stream, read it from stream sequence start (0: from
 * now on): 0, or -1 with why.
 */
int	bus_open(struct bus *b, const struct chat_conf *conf, uint64_t start,
	    char *why, size_t whylen);
void	bus_close(struct bus *b);
/* This node's heartbeat (core NATS, no ack): 0, or -1. */
int	bus_heartbeat(struct bus *b);
/*
 * Publish without waiting for the stream's answer, which comes later
 * through bus_take_acks (at most BUS_PENDING_MAX records in flight; the
 * caller keeps fewer).  0 sent (cnats owns *m and cleared it), or -1
 * (not sent; *m is still the caller's).
 */
#define BUS_PENDING_MAX	256
int	bus_publish_async(struct bus *b, natsMsg **m);
/* Take the publishes' outcomes queued: how many are in *acks. */
size_t	bus_take_acks(struct bus *b, struct bus_ack **acks);
/*
 * Which connection publishes go to now: cnats's count of reconnections,
 * or -1 while it is not connected.  Records published under the same
 * number went down one TCP connection, in order.
 */
int64_t	bus_link(struct bus *b);
/*
 * The last record this node published (its headers; NULL if none, or
 * the bus cannot say): for going on where the last run stopped.
 */
natsMsg *bus_last_published(struct bus *b);
/*
 * Read the stream again from start, with a new ordered consumer (the
 * last one stopped): 0, or -1 (logged; tried again later).
 */
int	bus_resubscribe(struct bus *b, uint64_t start);
/*
 * The stream's first and last sequence now: 0, or -1 (both 0) if the
 * bus cannot say.
 */
int	bus_stream_span(struct bus *b, uint64_t *first, uint64_t *last);
/* Take the messages queued (clears the eventfd): how many are in *msgs. */
size_t	bus_take(struct bus *b, natsMsg ***msgs);
/* The stream sequence of a delivered message, 0 if it has none. */
uint64_t bus_stream_seq(natsMsg *m);

#endif

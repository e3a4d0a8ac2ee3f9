/*
 * wire.h -- a log record as a message on the bus, and back.
 *
 * Owns the bus's message format (doc/cluster.md): the subject
 * "chat.rec.NODE" of the node that appended the record first, the
 * record's fields as headers (Chat-Kind, Chat-To-Kind, Chat-From, ...),
 * its text as the payload, and Nats-Msg-Id "NODE:SEGMENT:SEQ" for the
 * stream's de-duplication.  Reading trusts nothing: every header is
 * checked as untrusted bytes are.
 */
#ifndef CHAT_BRIDGE_WIRE_H
#define CHAT_BRIDGE_WIRE_H

#include <nats/nats.h>
#include <stdint.h>

#include "msglog.h"
#include "shm.h"

#define WIRE_STREAM		"CHAT"
#define WIRE_SUBJECTS		"chat.rec.>"
#define WIRE_SUBJECT_MAX	(sizeof("chat.rec.") + SHM_NAME_MAX)

/* Where a record came from: its node, its run of the log, its place. */
struct wire_origin {
	char		node[SHM_NAME_MAX + 1];
	uint64_t	segment_id;
	uint64_t	seq;
	uint64_t	next;
};

/*
 * 1 if the bridge carries e to the other nodes: the records of this
 * node's users (r_origin 0) that others see -- lines to everyone, joins
 * and leaves, and private messages to a user of another node.
 */
int	wire_carried(const struct shm *shm, const struct msglog_entry *e);
/* The slot of to (a record's addressee) holds a user of another node. */
int	wire_remote_user(const struct shm *shm, const struct msglog_address *to);
/* The subject of node's records. */
void	wire_subject(const char *node, char *subject, size_t size);
/* e as a message from o: NULL if out of memory. */
natsMsg *wire_encode(const struct msglog_entry *e, const struct wire_origin *o);
/*
 * A message as a record (text into e->text, max_line bytes) and its
 * origin: 0, or -1 if it is not one this node can append.
 */
int	wire_decode(natsMsg *m, uint32_t max_line, struct msglog_entry *e,
	    struct wire_origin *o);
/* The log sequence number of the record a message carries; 0 if none. */
uint64_t wire_seq(natsMsg *m);

#endif

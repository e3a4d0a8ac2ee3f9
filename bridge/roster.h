/*
 * roster.h -- who is online on each node, kept in a JetStream key-value
 * bucket.
 *
 * Owns the bucket ROSTER_BUCKET: one key per node, whose value lists the
 * node's own users ("NAME TAB FLAGS" lines), written again by its bridge
 * whenever one of them joins or leaves.  A bridge that starts (or starts
 * again: the hub freed the other nodes' users when the last one died)
 * reads every other node's list and shows those users here; the joins
 * and leaves that follow come through the stream.
 */
#ifndef CHAT_BRIDGE_ROSTER_H
#define CHAT_BRIDGE_ROSTER_H

#include <nats/nats.h>

#include "follower.h"

#define ROSTER_BUCKET	"chat-roster"

/* Bind (or make) the bucket: NULL with why filled. */
kvStore	*roster_open(jsCtx *js, int replicas, char *why, size_t whylen);
/* Write this node's users: 0, or -1 (logged; tried again later). */
int	roster_publish(kvStore *kv, const char *node, struct follower *f);
/* Show every other node's users here (remote_apply, as joins). */
void	roster_load(kvStore *kv, const char *node, struct follower *f);
/* Show one node's users here. */
void	roster_load_node(kvStore *kv, const char *node, struct follower *f);

#endif

/*
 * remote.h -- the other nodes' users and records in this segment.
 *
 * Owns what chat-bridge appends here for another node: its users as
 * slots of their own (registry_claim_remote: TRANSPORT_REMOTE, s_peer
 * the node's name, s_origin its number), named at their join and freed
 * at their leave, so /users lists them and /msg reaches them; and their
 * lines, appended with the node's origin and the message's stream
 * sequence (bridge_applied), so none is appended twice.  A user of
 * another node holding a name this node has online already (both
 * admitted while the bus was away) is not shown here.
 */
#ifndef CHAT_BRIDGE_REMOTE_H
#define CHAT_BRIDGE_REMOTE_H

#include <stdint.h>

#include "follower.h"
#include "msglog.h"

/* A node's number in r_origin and s_origin: never 0. */
uint32_t remote_node_id(const char *node);
/*
 * Apply e, a record of node's (decoded by wire_decode), delivered as the
 * stream's message stream_seq.
 */
void	remote_apply(struct follower *f, const char *node, uint64_t stream_seq,
	    struct msglog_entry *e);

/* The slot of node origin's user name here, or SLOT_NONE. */
uint32_t remote_user(struct follower *f, uint32_t origin, const char *name,
	    uint32_t *generation);
/* Another node took over name: this node's login of it is closed. */
void	remote_kick(struct follower *f, const char *name, const char *why);

#endif

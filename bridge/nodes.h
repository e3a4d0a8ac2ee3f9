/*
 * nodes.h -- the other nodes of the cluster: heard, or dead.
 *
 * Owns the segment's node table (shm_header.nodes, read by chatctl
 * nodes): every bridge publishes a heartbeat every node_heartbeat
 * seconds on "chat.hb.NODE"; a node unheard for node_timeout is dead
 * here, and its users leave ("node lost": their names freed, their
 * group memberships ended).  When it is heard again its users are shown
 * again from its roster, once.
 */
#ifndef CHAT_BRIDGE_NODES_H
#define CHAT_BRIDGE_NODES_H

#include <nats/nats.h>
#include <stdint.h>

#include "follower.h"

#define NODES_SUBJECT	"chat.hb."

/*
 * At start: the nodes whose users are shown here (a last bridge's, or
 * the roster's) are alive, and every node counts as heard, from now.
 */
void	nodes_start(struct follower *f);
/* A heartbeat from node: alive; back from the dead: its roster again. */
void	nodes_heard(struct follower *f, kvStore *roster, const char *node);
/* The nodes unheard for timeout_s: dead, their users gone and their
 * names released in claims. */
void	nodes_check(struct follower *f, unsigned timeout_s, kvStore *claims);

#endif

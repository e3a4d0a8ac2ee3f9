/*
 * remotegroup.h -- another node's group changes, applied here.
 *
 * Owns how a group record of another node (a join, a create, a
 * /leave_group, a new owner, a kick, an invitation, a mode) changes this
 * node's group table, so that every node's table mirrors the others'
 * and a group is one group across the cluster (doc/cluster.md).  The
 * change is made with lib/groups.c's own operations, acting for the
 * other node's user (its slot here), so the records they append carry
 * that node's origin and are never published again; this node's members
 * (and a kicked or invited user of this node) are then woken.
 */
#ifndef CHAT_BRIDGE_REMOTEGROUP_H
#define CHAT_BRIDGE_REMOTEGROUP_H

#include <stdint.h>

#include "follower.h"
#include "msglog.h"

/* Apply e, a REC_GROUP record of node origin (decoded by wire_decode). */
void	remote_group(struct follower *f, uint32_t origin, struct msglog_entry *e);

#endif

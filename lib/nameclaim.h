/*
 * nameclaim.h -- a name claimed across the nodes of a cluster.
 *
 * Owns the asking side of chat-bridge's socket (BRIDGE_SOCKET_NAME in
 * the runtime directory, lib/asksock.h): before a front door gives a
 * user a name on a node of a cluster (nats_url set), it asks the bridge
 * to claim the name for this node in the bus's key-value bucket, where
 * a claim is made only if no other node holds it.
 *
 *	request:  claim TAB NAME
 *	answers:  end             the name is this node's
 *	          taken TAB NODE  another node's user has it
 *	          error TAB WHY   the bus cannot say now
 *	request:  group TAB NAME  a group's name, before it is made
 *	answers:  as for claim
 *	request:  replace TAB NAME TAB NODE TAB WHY
 *	answers:  end             NODE was asked to close its login of NAME
 *	          error TAB WHY
 */
#ifndef CHAT_NAMECLAIM_H
#define CHAT_NAMECLAIM_H

#include <stddef.h>

#define BRIDGE_SOCKET_NAME	"bridge.sock"

enum name_claim {
	NAME_CLAIMED,
	NAME_CLAIM_TAKEN,	/* node says which */
	NAME_CLAIM_UNAVAILABLE,	/* no bridge, or the bus is away: logged */
};

enum name_claim nameclaim(const char *runtime_dir, const char *name,
	    char *node, size_t nodelen);
/* The same for a group about to be made here. */
enum name_claim nameclaim_group(const char *runtime_dir, const char *group,
	    char *node, size_t nodelen);
/* Ask node to close its login of name (duplicate_login = replace): 0, -1. */
int	nameclaim_replace(const char *runtime_dir, const char *name,
	    const char *node, const char *why);

#endif

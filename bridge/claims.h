/*
 * claims.h -- names claimed across the cluster.
 *
 * Owns the bucket CLAIMS_BUCKET (one key per user name and one per group
 * name, its value the node whose user has it or made it) and the answering side of BRIDGE_SOCKET_NAME
 * (lib/nameclaim.h): a front door asks before it gives a user a name.
 * A claim is a create, which only one node can make; a name held by a
 * node that is dead here is taken over.  The bridge keeps the bucket
 * true as it reads this node's log (a join claims, a leave releases
 * unless a newer login here has the name or was just given it) and as
 * nodes die (their users' names are released).
 */
#ifndef CHAT_BRIDGE_CLAIMS_H
#define CHAT_BRIDGE_CLAIMS_H

#include <nats/nats.h>

#include "conf.h"
#include "follower.h"
#include "msglog.h"

#define CLAIMS_BUCKET	"chat-names"
#define CLAIMS_KICK	"chat.kick."	/* + node: close a login of a name */
#define CLAIMS_PROMISED		64	/* names given out, not yet joined */
#define CLAIMS_PROMISE_MS	10000	/* how long a given name is held */

struct claims {
	kvStore		*kv;
	int		 fd;		/* listening on BRIDGE_SOCKET_NAME */
	char		 path[CONF_PATH_MAX + 32];
	const char	*node;		/* this node's name */
	struct follower	*f;
	natsConnection	*nc;		/* for a replace's request */
	struct {
		char	 kind;		/* 'u' a user's name, 'g' a group's */
		char	 name[SHM_NAME_MAX + 1];
		int64_t	 made;		/* unix ms: a join after it is its */
		int64_t	 until;		/* monotonic ms */
	} promised[CLAIMS_PROMISED];
};

int	claims_open(struct claims *c, natsConnection *nc, jsCtx *js,
	    int replicas, const struct chat_conf *conf, struct follower *f,
	    char *why, size_t whylen);
void	claims_close(struct claims *c);
/* Answer the front doors waiting on the socket. */
void	claims_accept(struct claims *c);
/*
 * A record of this node's log, read by the bridge: the claims it makes
 * or ends (a join or create of this node's, a leave, a group closed).
 */
void	claims_follow(struct claims *c, const struct msglog_entry *e);
/* Names given out whose login never joined: released. */
void	claims_expire(struct claims *c);
/* A dead node's user: its name is free again. */
void	claims_forget(kvStore *kv, const char *node, const char *name);

#endif

/*
 * claims.c -- names claimed across the cluster (claims.h).
 *
 * A key is "u" (a user's name) or "g" (a group's) and the hex of the
 * name in lower case (names compare without case; a key may not hold
 * every name character where it is).  A free name's key is absent or
 * holds "" (a release is a compare-and-set, not a delete).
 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "asksock.h"
#include "claims.h"
#include "clock.h"
#include "log.h"
#include "nameclaim.h"
#include "registry.h"
#include "text.h"

#define KEY_MAX		(2 + 2 * SHM_NAME_MAX)
#define REQUEST_MAX	256
#define CLAIM_TRIES	5	/* a claim read late, written meanwhile */

static void
key_of(char kind, const char *name, char *key)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	key[k++] = kind;
	for (; *name != '\0' && k + 2 < KEY_MAX; name++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*name);

		key[k++] = hex[c >> 4];
		key[k++] = hex[c & 15];
	}
	key[k] = '\0';
}

int
claims_open(struct claims *c, natsConnection *nc, jsCtx *js, int replicas,
    const struct chat_conf *conf, struct follower *f, char *why, size_t whylen)
{
	kvConfig cfg;
	natsStatus s;

	memset(c, 0, sizeof(*c));
	c->node = conf->node_name;
	c->f = f;
	c->nc = nc;
	if (js_KeyValue(&c->kv, js, CLAIMS_BUCKET) != NATS_OK) {
		kvConfig_Init(&cfg);
		cfg.Bucket = CLAIMS_BUCKET;
		cfg.History = 1;
		/*
		 * One replica, whatever the stream has: nats-server 2.9 checks a
		 * clustered bucket's expected revision before the write is
		 * agreed, so two nodes' compare-and-sets over the same revision
		 * both succeeded (t/cluster.t saw it); on one replica the check
		 * and the write are one step.
		 */
		cfg.Replicas = 1;
		(void)replicas;
		if ((s = js_CreateKeyValue(&c->kv, js, &cfg)) != NATS_OK &&
		    (s = js_KeyValue(&c->kv, js, CLAIMS_BUCKET)) != NATS_OK) {
			snprintf(why, whylen, "bucket %s: %s", CLAIMS_BUCKET,
			    natsStatus_GetText(s));
			return -1;
		}
	}
	c->fd = asksock_listen(conf->runtime_dir, BRIDGE_SOCKET_NAME, c->path,
	    sizeof(c->path), why, whylen);
	return c->fd == -1 ? -1 : 0;
}

void
claims_close(struct claims *c)
{
	if (c->fd != -1) {
		close(c->fd);
		unlink(c->path);
	}
	c->fd = -1;
	if (c->kv != NULL)
		kvStore_Destroy(c->kv);
	c->kv = NULL;
}

/* node is dead here (its users left), or unknown: its claims lapse. */
static int
node_dead(struct claims *c, const char *node)
{
	const struct shm_node *n;

	for (int i = 0; i < SHM_MAX_NODES; i++) {
		n = &c->f->shm.hdr->nodes[i];
		if (atomic_load(&n->n_state) != NODE_UNKNOWN &&
		    strncmp(n->n_name, node, sizeof(n->n_name)) == 0)
			return atomic_load(&n->n_state) == NODE_DEAD;
	}
	return 0;	/* not heard of yet: maybe just started; its claim holds */
}

/* The owner of key and the revision it was read at: 0, or -1. */
static int
owner_of(struct claims *c, const char *key, char *owner, uint64_t *rev)
{
	kvEntry *e = NULL;
	int len;

	if (kvStore_Get(&e, c->kv, key) != NATS_OK)
		return -1;
	len = kvEntry_ValueLen(e);
	if (len < 0 || len > SHM_NAME_MAX) {
		kvEntry_Destroy(e);
		return -1;
	}
	memcpy(owner, kvEntry_Value(e), (size_t)len);
	owner[len] = '\0';
	*rev = kvEntry_Revision(e);
	kvEntry_Destroy(e);
	return 0;
}

/*
 * Claim name for this node: "" in holder if it is, or the node whose
 * user has it; -1 if the bus cannot say.  A claim is a create (one node
 * wins), or a compare-and-set over the revision read: a replica may
 * answer a read late, so what was read counts only if nothing was
 * written since -- this node's own claim of an earlier login, or a dead
 * node's.
 */
static int
claim(struct claims *c, char kind, const char *name, char *holder, size_t size)
{
	char key[KEY_MAX + 1], owner[SHM_NAME_MAX + 1];
	uint64_t rev, now;

	holder[0] = '\0';
	key_of(kind, name, key);
	for (int tries = 0; tries < CLAIM_TRIES; tries++) {
		if (kvStore_Create(&now, c->kv, key, c->node,
		    (int)strlen(c->node)) == NATS_OK)
			return 0;
		if (owner_of(c, key, owner, &rev) == -1)
			continue;	/* deleted meanwhile: create again */
		if (owner[0] != '\0' && strcmp(owner, c->node) != 0 &&
		    !node_dead(c, owner)) {
			strlcpy(holder, owner, size);
			return 0;
		}
		if (kvStore_Update(&now, c->kv, key, c->node,
		    (int)strlen(c->node), rev) == NATS_OK) {
			if (owner[0] != '\0' && strcmp(owner, c->node) != 0)
				log_info("%s: claimed from node %s, which is dead "
				    "here", name, owner);
			return 0;
		}
	}
	return -1;
}

/*
 * A name just given to a front door: its leave of an earlier login,
 * still to be read from the log, must not release it meanwhile.
 */
static void
promise(struct claims *c, char kind, const char *name)
{
	int64_t now = clock_monotonic_ms();
	size_t i, oldest = 0;

	for (i = 0; i < CLAIMS_PROMISED; i++) {
		if ((c->promised[i].kind == kind &&
		    strcasecmp(c->promised[i].name, name) == 0) ||
		    c->promised[i].until < now)
			break;
		if (c->promised[i].until < c->promised[oldest].until)
			oldest = i;
	}
	if (i == CLAIMS_PROMISED)
		i = oldest;
	strlcpy(c->promised[i].name, name, sizeof(c->promised[i].name));
	c->promised[i].kind = kind;
	c->promised[i].made = clock_unix_ms();
	c->promised[i].until = now + CLAIMS_PROMISE_MS;
}

/* name (of kind) was given out and its join not read yet. */
static int
promised(const struct claims *c, char kind, const char *name)
{
	int64_t now = clock_monotonic_ms();

	for (size_t i = 0; i < CLAIMS_PROMISED; i++)
		if (c->promised[i].until >= now && c->promised[i].kind == kind &&
		    strcasecmp(c->promised[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * The login given name has joined (a join at time or later), or gave
 * up: no longer a promise.  An earlier login's join, read late, is not
 * the promised one's.
 */
static void
unpromise(struct claims *c, char kind, const char *name, int64_t time)
{
	for (size_t i = 0; i < CLAIMS_PROMISED; i++)
		if (c->promised[i].kind == kind &&
		    strcasecmp(c->promised[i].name, name) == 0 &&
		    time >= c->promised[i].made) {
			c->promised[i].name[0] = '\0';
			c->promised[i].until = 0;
		}
}

static void
answer(int fd, const char *text)
{
	ssize_t n = write(fd, text, strlen(text));

	(void)n;	/* the asker gave up: it times out and says so */
}

/* replace TAB NAME TAB NODE TAB WHY: node is asked to close its login. */
static void
replace_request(struct claims *c, int fd, char **f)
{
	char subject[sizeof(CLAIMS_KICK) + SHM_NAME_MAX], payload[REQUEST_MAX];

	if (!name_valid(f[1], strlen(f[1])) || !name_valid(f[2], strlen(f[2]))) {
		answer(fd, "error\tmalformed request\n");
		return;
	}
	snprintf(subject, sizeof(subject), CLAIMS_KICK "%s", f[2]);
	snprintf(payload, sizeof(payload), "%s\t%s", f[1], f[3]);
	if (natsConnection_PublishString(c->nc, subject, payload) != NATS_OK ||
	    natsConnection_FlushTimeout(c->nc, ASKSOCK_TIMEOUT_MS / 2) != NATS_OK)
		answer(fd, "error\tthe bus cannot carry it now\n");
	else
		answer(fd, "end\n");
}

static void
claim_request(struct claims *c, int fd)
{
	char buf[REQUEST_MAX + 1], holder[SHM_NAME_MAX + 1], reply[64];
	char *f[4], kind;
	size_t n;

	if (asksock_request(fd, buf, REQUEST_MAX) == -1)
		return;
	n = asksock_split(buf, f, 4);
	if (n == 4 && strcmp(f[0], "replace") == 0) {
		replace_request(c, fd, f);
		return;
	}
	if (n != 2 || (strcmp(f[0], "claim") != 0 && strcmp(f[0], "group") != 0) ||
	    !name_valid(f[1], strlen(f[1]))) {
		answer(fd, "error\tmalformed request\n");
		return;
	}
	kind = f[0][0] == 'g' ? 'g' : 'u';
	if (claim(c, kind, f[1], holder, sizeof(holder)) == -1)
		answer(fd, "error\tthe bus cannot say now\n");
	else if (holder[0] == '\0') {
		promise(c, kind, f[1]);
		answer(fd, "end\n");
	}
	else {
		snprintf(reply, sizeof(reply), "taken\t%s\n", holder);
		answer(fd, reply);
	}
}

void
claims_accept(struct claims *c)
{
	int fd;

	while ((fd = asksock_accept(c->fd)) != -1) {
		claim_request(c, fd);
		close(fd);
	}
}

/* A name of kind in use here: claimed (again) for this node. */
static void
claim_used(struct claims *c, char kind, const char *name, int64_t time)
{
	char holder[SHM_NAME_MAX + 1];

	unpromise(c, kind, name, time);
	if (claim(c, kind, name, holder, sizeof(holder)) == -1)
		log_warnx("claims: %s not recorded for this node", name);
	else if (holder[0] != '\0')
		log_warnx("claims: %s%s is used here while node %s holds the "
		    "name (admitted while the bus was away)",
		    kind == 'g' ? "#" : "", name, holder);
}


/*
 * Free name's claim if it is node's: its value made "" over the
 * revision read (kvStore_Delete cannot compare, and a late read could
 * make it delete another node's claim).
 */
static void
release(kvStore *kv, const char *node, char kind, const char *name)
{
	char key[KEY_MAX + 1], owner[SHM_NAME_MAX + 1];
	struct claims c = { .kv = kv };
	uint64_t rev, now;

	key_of(kind, name, key);
	if (owner_of(&c, key, owner, &rev) == 0 && strcmp(owner, node) == 0 &&
	    kvStore_Update(&now, kv, key, "", 0, rev) != NATS_OK)
		log_info("claims: %s changed hands meanwhile; left alone", name);
}

/* This node's user name left: its claim is freed. */
static void
user_left(struct claims *c, const char *name)
{
	uint32_t slot = registry_find(&c->f->shm, name);

	/* A newer login here has the name, or is about to take it. */
	if ((slot != SLOT_NONE && shm_slot(&c->f->shm, slot)->s_origin == 0) ||
	    promised(c, 'u', name))
		return;
	release(c->kv, c->node, 'u', name);
}

/* A group closed here: its claim is freed if this node holds it. */
static void
group_closed(struct claims *c, const char *group)
{
	/* A create here that was given the name is about to make it. */
	if (!promised(c, 'g', group))
		release(c->kv, c->node, 'g', group);
}

/* A name given out whose login never joined: released after a while. */
void
claims_expire(struct claims *c)
{
	int64_t now = clock_monotonic_ms();
	char name[SHM_NAME_MAX + 1], kind;

	for (size_t i = 0; i < CLAIMS_PROMISED; i++) {
		if (c->promised[i].name[0] == '\0' || c->promised[i].until >= now)
			continue;
		strlcpy(name, c->promised[i].name, sizeof(name));
		kind = c->promised[i].kind;
		unpromise(c, kind, name, INT64_MAX);
		if (kind == 'g')
			group_closed(c, name);
		else
			user_left(c, name);
	}
}

void
claims_forget(kvStore *kv, const char *node, const char *name)
{
	release(kv, node, 'u', name);
}

void
claims_follow(struct claims *c, const struct msglog_entry *e)
{
	if (e->kind == REC_JOIN && e->origin == 0)
		claim_used(c, 'u', e->from_name, e->time);
	else if (e->kind == REC_LEAVE && e->origin == 0)
		user_left(c, e->from_name);
	else if (e->kind == REC_GROUP && e->event == GROUP_JOINED &&
	    (e->flags & RECF_CREATED) && e->origin == 0)
		claim_used(c, 'g', e->group_name, e->time);
	else if (e->kind == REC_GROUP && e->event == GROUP_CLOSED)
		group_closed(c, e->group_name);
}

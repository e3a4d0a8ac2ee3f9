/*
 * nodes.c -- heartbeats and dead nodes (nodes.h).
 */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "clock.h"
#include "log.h"
#include "nodes.h"
#include "registry.h"
#include "remote.h"
#include "roster.h"

/* The entry of node, added if add and there is room; NULL if none. */
static struct shm_node *
find(struct follower *f, const char *node, int add)
{
	struct shm_node *free_entry = NULL, *n;

	for (int i = 0; i < SHM_MAX_NODES; i++) {
		n = &f->shm.hdr->nodes[i];
		if (atomic_load(&n->n_state) == NODE_UNKNOWN) {
			if (free_entry == NULL)
				free_entry = n;
		} else if (strncmp(n->n_name, node, sizeof(n->n_name)) == 0)
			return n;
	}
	if (!add || free_entry == NULL)
		return NULL;
	strlcpy(free_entry->n_name, node, sizeof(free_entry->n_name));
	return free_entry;
}

/* Count each node's users shown here. */
static void
count_users(struct follower *f)
{
	uint32_t counts[SHM_MAX_NODES] = { 0 };
	struct shm_node *n;
	struct shm_slot *s;
	char node[SHM_NAME_MAX + 1];

	for (uint32_t i = 0; i < f->shm.geo.max_sessions; i++) {
		s = shm_slot(&f->shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE || s->s_origin == 0)
			continue;
		shm_name_copy(node, s->s_peer);
		if ((n = find(f, node, 0)) != NULL)
			counts[n - f->shm.hdr->nodes]++;
	}
	for (int i = 0; i < SHM_MAX_NODES; i++)
		atomic_store(&f->shm.hdr->nodes[i].n_users, counts[i]);
}

void
nodes_start(struct follower *f)
{
	char node[SHM_NAME_MAX + 1];
	struct shm_node *n;
	struct shm_slot *s;

	/* A last bridge's times say nothing of now: heard from now on. */
	for (int i = 0; i < SHM_MAX_NODES; i++)
		atomic_store(&f->shm.hdr->nodes[i].n_heard_ms, clock_unix_ms());

	for (uint32_t i = 0; i < f->shm.geo.max_sessions; i++) {
		s = shm_slot(&f->shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE || s->s_origin == 0)
			continue;
		shm_name_copy(node, s->s_peer);
		if ((n = find(f, node, 1)) != NULL &&
		    atomic_load(&n->n_state) != NODE_ALIVE) {
			atomic_store(&n->n_heard_ms, clock_unix_ms());
			atomic_store(&n->n_state, NODE_ALIVE);
		}
	}
	count_users(f);
}

void
nodes_heard(struct follower *f, kvStore *roster, const char *node)
{
	struct shm_node *n;
	uint32_t was;

	if ((n = find(f, node, 1)) == NULL) {
		log_warnx("node %s: more than %d nodes; not tracked", node,
		    SHM_MAX_NODES);
		return;
	}
	atomic_store(&n->n_heard_ms, clock_unix_ms());
	was = atomic_exchange(&n->n_state, NODE_ALIVE);
	if (was == NODE_DEAD) {
		log_info("node %s is back", node);
		roster_load_node(roster, node, f);
	} else if (was == NODE_UNKNOWN)
		log_info("node %s is heard", node);
	count_users(f);
}

/* node is dead: its users leave, their names are free again. */
static void
bury(struct follower *f, const char *node, kvStore *claims)
{
	uint32_t origin = remote_node_id(node), gone = 0;
	char name[SHM_NAME_MAX + 1];
	struct shm_slot *s;

	for (uint32_t i = 0; i < f->shm.geo.max_sessions; i++) {
		s = shm_slot(&f->shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE || s->s_origin != origin)
			continue;
		shm_name_copy(name, s->s_name);
		registry_release(&f->shm, i, getpid(),
		    atomic_load(&s->s_generation), "node lost");
		claims_forget(claims, node, name);
		gone++;
	}
	atomic_fetch_add(&f->shm.hdr->st_nodes_lost, 1);
	log_warnx("node %s is dead (unheard for node_timeout): its %u user%s "
	    "left", node, gone, gone == 1 ? "" : "s");
	if (gone > 0)
		hublink_presence(&f->link);
}

void
nodes_check(struct follower *f, unsigned timeout_s, kvStore *claims)
{
	int64_t now = clock_unix_ms(), limit = (int64_t)timeout_s * 1000;
	struct shm_node *n;

	for (int i = 0; i < SHM_MAX_NODES; i++) {
		n = &f->shm.hdr->nodes[i];
		if (atomic_load(&n->n_state) != NODE_ALIVE ||
		    now - atomic_load(&n->n_heard_ms) < limit)
			continue;
		atomic_store(&n->n_state, NODE_DEAD);
		bury(f, n->n_name, claims);
	}
	count_users(f);
}

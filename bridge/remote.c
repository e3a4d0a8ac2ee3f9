/*
 * remote.c -- the other nodes' users and records here (remote.h).
 */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "groups.h"
#include "registry.h"
#include "remotegroup.h"
#include "remote.h"

uint32_t
remote_node_id(const char *node)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *node != '\0'; node++)
		h = (h ^ (unsigned char)*node) * 16777619u;
	return h != 0 ? h : 1;
}

uint32_t
remote_user(struct follower *f, uint32_t origin, const char *name,
    uint32_t *generation)
{
	uint32_t slot = registry_lookup(&f->shm, name, generation);

	if (slot == SLOT_NONE || shm_slot(&f->shm, slot)->s_origin != origin)
		return SLOT_NONE;
	return slot;
}

static void
join(struct follower *f, const char *node, uint32_t origin,
    const struct msglog_entry *e)
{
	uint32_t slot, generation;
	uint64_t after;

	if (registry_lookup(&f->shm, e->from_name, &generation) != SLOT_NONE) {
		if (remote_user(f, origin, e->from_name, &generation) == SLOT_NONE)
			log_warnx("%s of node %s is not shown here: the name is "
			    "online here already", e->from_name, node);
		return;		/* or known already: given again after a crash */
	}
	if ((slot = registry_claim_remote(&f->shm, getpid(), node, origin)) ==
	    SLOT_NONE) {
		log_warnx("%s of node %s is not shown here: every slot is in use",
		    e->from_name, node);
		return;
	}
	if (registry_take_name(&f->shm, slot, e->from_name, 1, &after) != NAME_OK) {
		registry_release(&f->shm, slot, getpid(),
		    atomic_load(&shm_slot(&f->shm, slot)->s_generation), "");
		return;
	}
	shm_slot(&f->shm, slot)->s_registered = (e->flags & RECF_REGISTERED) != 0;
	hublink_presence(&f->link);	/* the join, to everyone here */
}

static void
leave(struct follower *f, uint32_t origin, struct msglog_entry *e)
{
	char reason[SHM_REASON_MAX];
	uint32_t slot, generation;
	size_t len = e->len < sizeof(reason) - 1 ? e->len : sizeof(reason) - 1;

	if ((slot = remote_user(f, origin, e->from_name, &generation)) == SLOT_NONE)
		return;		/* not shown here, or gone already */
	memcpy(reason, e->text, len);
	reason[len] = '\0';
	registry_release(&f->shm, slot, getpid(), generation, reason);
	hublink_presence(&f->link);
}

/* A group line: to the group's members here, if the sender is one. */
static int
to_group(struct follower *f, struct msglog_entry *e)
{
	struct group_actor a = { e->from_slot, e->from_generation, e->from_name,
	    (e->flags & RECF_REGISTERED) != 0 };
	enum group_result r;

	if (e->from_slot == SLOT_NONE)
		r = GR_NOT_MEMBER;
	else
		r = groups_check_member(&f->shm, &a, e->to_name, &e->to.index,
		    &e->to.generation, e->to_name);
	if (r != GR_OK)
		log_info("a line from %s to group %s: %s here", e->from_name,
		    e->to_name, r == GR_NO_GROUP ? "no such group" : "not a member");
	return r == GR_OK ? 0 : -1;
}

/* A line: to everyone here, to a user of this node, or to a group. */
static void
chat(struct follower *f, uint32_t origin, uint64_t stream_seq,
    struct msglog_entry *e)
{
	_Atomic uint64_t *applied = &f->shm.hdr->bridge_applied;
	uint32_t generation;

	if (stream_seq <= atomic_load(applied))
		return;		/* appended before a crash */
	e->from_slot = remote_user(f, origin, e->from_name, &generation);
	e->from_generation = e->from_slot != SLOT_NONE ? generation : 0;
	if (e->to.kind == TO_GROUP && to_group(f, e) == -1)
		return;
	if (e->to.kind == TO_USER) {
		e->to.index = registry_lookup(&f->shm, e->to_name, &e->to.generation);
		if (e->to.index == SLOT_NONE ||
		    shm_slot(&f->shm, e->to.index)->s_origin != 0) {
			log_info("a private message from %s to %s: not online here",
			    e->from_name, e->to_name);
			return;
		}
		shm_name_copy(e->to_name, shm_slot(&f->shm, e->to.index)->s_name);
	}
	e->origin = origin;
	msglog_append_marked(&f->shm, e, applied, stream_seq);
	hublink_wake(&f->link, &e->to);
}

/* Another node's lines were lost on their way: everyone here is told. */
static void
lost(struct follower *f, uint32_t origin, uint64_t stream_seq,
    struct msglog_entry *e)
{
	_Atomic uint64_t *applied = &f->shm.hdr->bridge_applied;

	if (stream_seq <= atomic_load(applied))
		return;		/* appended before a crash */
	e->from_slot = SLOT_NONE;
	e->origin = origin;
	msglog_append_marked(&f->shm, e, applied, stream_seq);
	hublink_wake(&f->link, &e->to);
}

void
remote_kick(struct follower *f, const char *name, const char *why)
{
	uint32_t slot, generation;
	struct msglog_address a = { TO_USER, 0, 0 };

	if ((slot = registry_lookup(&f->shm, name, &generation)) == SLOT_NONE ||
	    shm_slot(&f->shm, slot)->s_origin != 0)
		return;		/* gone meanwhile, or not this node's */
	if (!registry_request_close(&f->shm, slot, generation, DISC_KICKED, why))
		return;
	log_info("%s: %s", name, why);
	a.index = slot;
	a.generation = generation;
	hublink_wake(&f->link, &a);
}

void
remote_apply(struct follower *f, const char *node, uint64_t stream_seq,
    struct msglog_entry *e)
{
	uint32_t origin = remote_node_id(node);

	switch (e->kind) {
	case REC_GROUP:
		remote_group(f, origin, e);
		break;
	case REC_JOIN:
		join(f, node, origin, e);
		break;
	case REC_LEAVE:
		leave(f, origin, e);
		break;
	case REC_CHAT:
		chat(f, origin, stream_seq, e);
		break;
	case REC_LOST:
		lost(f, origin, stream_seq, e);
		break;
	}
}

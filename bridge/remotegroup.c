/*
 * remotegroup.c -- another node's group changes here (remotegroup.h).
 */
#include <stdatomic.h>
#include <string.h>

#include "groups.h"
#include "log.h"
#include "registry.h"
#include "remote.h"
#include "remotegroup.h"

static const char *const result_words[] = {
	[GR_OK] = "done",
	[GR_EXISTS] = "the group exists",
	[GR_NO_GROUP] = "no such group",
	[GR_NOT_MEMBER] = "not a member",
	[GR_ALREADY_MEMBER] = "a member already",
	[GR_NOT_OWNER] = "not its owner",
	[GR_INVITE_ONLY] = "invite-only",
	[GR_FULL] = "the group is full",
	[GR_TOO_MANY] = "every group entry is in use",
	[GR_OWNED_TOO_MANY] = "owns too many groups",
	[GR_SELF] = "the owner itself",
	[GR_TARGET_NOT_MEMBER] = "the target is not a member",
	[GR_TARGET_MEMBER] = "the target is a member",
};

static void
wake(struct follower *f, uint32_t kind, uint32_t index, uint32_t generation)
{
	struct msglog_address a = { kind, index, generation };

	hublink_wake(&f->link, &a);
}

/* A join, or the create of a group (RECF_CREATED). */
static enum group_result
joined(struct follower *f, const struct group_actor *a,
    const struct msglog_entry *e, uint32_t *index)
{
	enum group_result r;
	uint32_t members;

	if (e->flags & RECF_CREATED) {
		r = groups_create(&f->shm, a, e->group_name, 0, index);
		if (r != GR_EXISTS)
			return r;
		log_info("group %s, made by %s on another node, exists here "
		    "already: %s joins it", e->group_name, a->name, a->name);
	}
	r = groups_rejoin(&f->shm, a, e->group_name, index, &members);
	if (r == GR_NO_GROUP) {
		log_warnx("group %s, joined by %s on another node, is not known "
		    "here: made with no owner", e->group_name, a->name);
		r = groups_mirror(&f->shm, a, e->group_name, "", 0, index);
	}
	return r;
}

/* The user e names as its target, here (of any node): 0, or -1. */
static int
target(struct follower *f, const struct msglog_entry *e, struct group_target *t)
{
	if ((t->slot = registry_lookup(&f->shm, e->target_name,
	    &t->generation)) == SLOT_NONE)
		return -1;
	shm_name_copy(t->name, shm_slot(&f->shm, t->slot)->s_name);
	return 0;
}

/* An invitation: only one to a user of this node changes anything here. */
static enum group_result
invited(struct follower *f, const struct group_actor *a,
    const struct msglog_entry *e, const struct group_target *t, uint32_t *index)
{
	enum group_result r;

	if (shm_slot(&f->shm, t->slot)->s_origin != 0)
		return GR_OK;
	if ((r = groups_invite(&f->shm, a, e->group_name, t, index)) == GR_OK)
		wake(f, TO_USER, t->slot, t->generation);
	return r;
}

static enum group_result
change(struct follower *f, const struct group_actor *a, struct msglog_entry *e,
    uint32_t *index)
{
	struct group_target t;
	enum group_result r;

	if (e->event == GROUP_JOINED)
		return joined(f, a, e, index);
	if (e->event == GROUP_LEFT) {	/* the reason is the record's text */
		e->text[e->len] = '\0';
		return groups_leave(&f->shm, a, e->group_name, e->text, index);
	}
	if (e->event == GROUP_MODE)
		return groups_set_invite_only(&f->shm, a, e->group_name,
		    e->mode != 0, index);
	if (target(f, e, &t) == -1)
		return GR_TARGET_NOT_MEMBER;
	if (e->event == GROUP_OWNER)
		return groups_set_owner(&f->shm, a, e->group_name, &t, index);
	if (e->event == GROUP_INVITED)
		return invited(f, a, e, &t, index);
	/* GROUP_KICKED: the reason is the record's text */
	e->text[e->len] = '\0';
	if ((r = groups_kick(&f->shm, a, e->group_name, &t, e->text,
	    index)) == GR_OK)
		wake(f, TO_USER, t.slot, t.generation);
	return r;
}

void
remote_group(struct follower *f, uint32_t origin, struct msglog_entry *e)
{
	struct group_actor a = { SLOT_NONE, 0, e->from_name,
	    (e->flags & RECF_REGISTERED) != 0 };
	enum group_result r;
	uint32_t index = GROUP_NONE;

	if ((a.slot = remote_user(f, origin, e->from_name,
	    &a.generation)) == SLOT_NONE) {
		log_info("group %s: a change by %s, who is not shown here",
		    e->group_name, e->from_name);
		return;
	}
	r = change(f, &a, e, &index);
	if (r != GR_OK && !(r == GR_ALREADY_MEMBER && e->event == GROUP_JOINED))
		log_info("group %s: %s's change (event %u) not made here: %s",
		    e->group_name, e->from_name, e->event, result_words[r]);
	if (index != GROUP_NONE && e->event != GROUP_INVITED)
		wake(f, TO_GROUP, index, 0);
}

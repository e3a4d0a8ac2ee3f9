/*
 * groupact.c -- the group actions of a logged-in user.
 *
 * Owns the argument checks and the result of each outcome; the group
 * table itself is lib/groups.c.  After a change the group's members (and
 * a kicked or invited user) are woken to read its record.
 */
#include <stdatomic.h>
#include <string.h>

#include "act.h"
#include "log.h"
#include "nameclaim.h"
#include "registry.h"
#include "text.h"

const char *
core_group_name(const char *group)
{
	return group[0] == '#' ? group + 1 : group;
}

void
core_actor(const struct core_user *u, struct group_actor *a)
{
	a->slot = u->slot;
	a->generation = u->generation;
	a->name = u->name;
	a->registered = u->registered;
}

static const enum core_status group_status[] = {
	[GR_OK] = CR_OK,
	[GR_EXISTS] = CR_GROUP_EXISTS,
	[GR_NO_GROUP] = CR_NO_SUCH_GROUP,
	[GR_NOT_MEMBER] = CR_NOT_MEMBER,
	[GR_ALREADY_MEMBER] = CR_ALREADY_MEMBER,
	[GR_NOT_OWNER] = CR_NOT_OWNER,
	[GR_INVITE_ONLY] = CR_INVITE_ONLY,
	[GR_FULL] = CR_GROUP_FULL,
	[GR_TOO_MANY] = CR_TOO_MANY_GROUPS,
	[GR_OWNED_TOO_MANY] = CR_TOO_MANY_OWNED,
	[GR_SELF] = CR_KICK_SELF,
	[GR_TARGET_NOT_MEMBER] = CR_TARGET_NOT_MEMBER,
	[GR_TARGET_MEMBER] = CR_TARGET_MEMBER,
};

void
core_group_result(const struct core_user *u, enum group_result gr,
    const char *group, const char *who, struct core_result *r)
{
	core_result_set(r, group_status[gr]);
	strlcpy(r->group, group, sizeof(r->group));
	if (who != NULL)
		strlcpy(r->user, who, sizeof(r->user));
	if (gr == GR_FULL)
		r->count = u->shm->geo.max_group_members;
	else if (gr == GR_TOO_MANY)
		r->count = u->shm->geo.max_groups;
	else if (gr == GR_OWNED_TOO_MANY)
		r->count = u->conf->max_groups_per_user;
}

/* A valid group name, or CR_BAD_GROUP_NAME. */
static int
valid_group(const char *group, struct core_result *r)
{
	if (group_name_valid(group))
		return 1;
	core_result_set(r, CR_BAD_GROUP_NAME);
	return 0;
}

/* An online user named by the actor (kick, invite); 0 after *r says not. */
static int
find_target(const struct core_user *u, const char *name, struct group_target *t,
    struct core_result *r)
{
	struct shm_slot *slot;

	if ((t->slot = registry_find(u->shm, name)) == SLOT_NONE) {
		core_not_online(u, name, r);
		return 0;
	}
	slot = shm_slot(u->shm, t->slot);
	t->generation = atomic_load(&slot->s_generation);
	shm_name_copy(t->name, slot->s_name);
	return 1;
}

/* The group's name as stored (its case), for the answer. */
static void
stored_name(const struct core_user *u, uint32_t index, struct core_result *r)
{
	shm_name_copy(r->group, shm_group(u->shm, index)->g_name);
}

static void
wake(const struct core_user *u, uint32_t to_kind, uint32_t index,
    uint32_t generation, struct core_result *r)
{
	struct msglog_address a = { to_kind, index, generation };

	r->lagging |= hublink_wake(u->link, &a);
}

/*
 * On a node of a cluster, the group's name is claimed for this node
 * first (chat-bridge): a group made on another node exists, even before
 * this node heard of it.  With no bridge or no bus, the group is made
 * here alone (logged), as a name is.
 */
static int
group_free_in_cluster(const struct core_user *u, const char *group,
    struct core_result *r)
{
	char node[SHM_NAME_MAX + 1];

	if (u->conf->nats_url[0] == '\0')
		return 1;
	switch (nameclaim_group(u->conf->runtime_dir, group, node, sizeof(node))) {
	case NAME_CLAIMED:
		return 1;
	case NAME_CLAIM_TAKEN:
		log_info("%s: group %s was made on node %s", u->peer, group, node);
		core_group_result(u, GR_EXISTS, group, NULL, r);
		return 0;
	case NAME_CLAIM_UNAVAILABLE:
		log_warnx("%s: group %s made on this node alone: the bus cannot "
		    "say whether another node has it", u->peer, group);
		return 1;
	}
	return 1;
}

void
core_create_group(const struct core_user *u, const char *group,
    struct core_result *r)
{
	struct group_actor a;
	enum group_result gr;
	uint32_t index;

	group = core_group_name(group);
	if (!valid_group(group, r) || !group_free_in_cluster(u, group, r))
		return;
	core_actor(u, &a);
	gr = groups_create(u->shm, &a, group, u->conf->max_groups_per_user, &index);
	core_group_result(u, gr, group, NULL, r);
	if (gr != GR_OK)
		return;
	r->status = CR_CREATED;
	wake(u, TO_GROUP, index, 0, r);	/* no member but the log followers */
}

void
core_join_group(const struct core_user *u, const char *group,
    struct core_result *r)
{
	uint32_t index, members = 0;
	struct group_actor a;
	enum group_result gr;

	group = core_group_name(group);
	if (!valid_group(group, r))
		return;
	core_actor(u, &a);
	gr = groups_join(u->shm, &a, group, &index, &members);
	core_group_result(u, gr, group, NULL, r);
	if (gr != GR_OK)
		return;
	r->status = CR_JOINED;
	r->count = members;
	r->seq = atomic_load(shm_joined(u->shm, index, u->slot));
	stored_name(u, index, r);
	wake(u, TO_GROUP, index, 0, r);
}

void
core_leave_group(const struct core_user *u, const char *group,
    struct core_result *r)
{
	core_part_group(u, group, "", r);
}

void
core_part_group(const struct core_user *u, const char *group,
    const char *reason, struct core_result *r)
{
	struct group_actor a;
	enum group_result gr;
	uint32_t index;

	group = core_group_name(group);
	core_actor(u, &a);
	gr = groups_leave(u->shm, &a, group, reason, &index);
	core_group_result(u, gr, group, NULL, r);
	if (gr != GR_OK)
		return;
	r->status = CR_LEFT;
	wake(u, TO_GROUP, index, 0, r);
}

void
core_kick(const struct core_user *u, const char *group, const char *user,
    char *reason, struct core_result *r)
{
	struct group_target t;
	struct group_actor a;
	enum group_result gr;
	uint32_t index;

	if (!find_target(u, user, &t, r))
		return;
	core_actor(u, &a);
	reason[text_cut_blanks(reason, strlen(reason))] = '\0';
	group = core_group_name(group);
	gr = groups_kick(u->shm, &a, group, &t, reason, &index);
	core_group_result(u, gr, group, t.name, r);
	if (gr != GR_OK)
		return;
	r->status = CR_KICKED;
	stored_name(u, index, r);
	wake(u, TO_GROUP, index, 0, r);
	wake(u, TO_USER, t.slot, t.generation, r);
}

void
core_invite(const struct core_user *u, const char *group, const char *user,
    struct core_result *r)
{
	struct group_target t;
	struct group_actor a;
	enum group_result gr;
	uint32_t index;

	if (!find_target(u, user, &t, r))
		return;
	core_actor(u, &a);
	group = core_group_name(group);
	gr = groups_invite(u->shm, &a, group, &t, &index);
	core_group_result(u, gr, group, t.name, r);
	if (gr != GR_OK)
		return;
	r->status = CR_INVITED;
	stored_name(u, index, r);
	wake(u, TO_USER, t.slot, t.generation, r);
}

void
core_set_invite_only(const struct core_user *u, const char *group, int on,
    struct core_result *r)
{
	struct group_actor a;
	enum group_result gr;
	uint32_t index;

	group = core_group_name(group);
	core_actor(u, &a);
	gr = groups_set_invite_only(u->shm, &a, group, on, &index);
	core_group_result(u, gr, group, NULL, r);
	if (gr != GR_OK)
		return;
	r->status = on ? CR_NOW_INVITE_ONLY : CR_NOW_OPEN;
	stored_name(u, index, r);
	wake(u, TO_GROUP, index, 0, r);
}

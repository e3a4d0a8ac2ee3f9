/*
 * groups.c -- the group table in shared memory.
 *
 * Every change happens under groups_lock and is announced by a REC_GROUP
 * record (data: event, group, actor, target, mode; each front door words
 * it) addressed to the group (TO_GROUP), appended under the same lock so
 * records and membership agree.  Membership is joined[group][slot]:
 * the sequence number of the member's join record, so a reader can tell
 * whether it was a member when a record was written (sequence after its
 * join) with one load.  Records carry what the archive needs to keep
 * groups across segments: whether the actor is registered, whether a
 * join created the group, and when a group was closed.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "fault.h"
#include "groups.h"
#include "msglog.h"
#include "text.h"

static void	groups_repair(const struct shm *);

int
group_name_valid(const char *name)
{
	return name_valid(name, strlen(name));
}

static uint32_t
find_locked(const struct shm *shm, const char *name)
{
	struct shm_group *g;

	for (uint32_t i = 0; i < shm->geo.max_groups; i++) {
		g = shm_group(shm, i);
		if (g->g_state == GROUP_USED &&
		    strncasecmp(g->g_name, name, sizeof(g->g_name)) == 0)
			return i;
	}
	return GROUP_NONE;
}

static int
is_member(const struct shm *shm, uint32_t group, uint32_t slot)
{
	return atomic_load_explicit(shm_joined(shm, group, slot),
	    memory_order_relaxed) != 0;
}

/*
 * With groups_lock held: the group named group exists (*index gets its
 * index, GROUP_NONE if not) and the actor is one of its members.
 */
static enum group_result
member_check(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t *index)
{
	if ((*index = find_locked(shm, group)) == GROUP_NONE)
		return GR_NO_GROUP;
	if (!is_member(shm, *index, a->slot))
		return GR_NOT_MEMBER;
	return GR_OK;
}

/* The actor still owns its slot (a stale generation is not a member). */
static int
actor_current(const struct shm *shm, uint32_t slot, uint32_t generation)
{
	return atomic_load(&shm_slot(shm, slot)->s_generation) == generation &&
	    atomic_load(&shm_slot(shm, slot)->s_state) == SLOT_ACTIVE;
}

/* What a group record says besides its group and actor. */
struct event {
	uint32_t	 kind;		/* GROUP_* */
	uint32_t	 flags;		/* RECF_CREATED, RECF_QUIT */
	const char	*target;	/* the user acted on, or NULL */
	const char	*reason;	/* kick, part or quit reason, or NULL */
	size_t		 reason_max;	/* bytes of reason kept */
	uint32_t	 mode;		/* GROUP_MODE: 1 invite-only */
};

/*
 * Append a record of event about group index from the actor (who
 * already had its own answer, so it is not sent back); to_slot !=
 * UINT32_MAX sends it to that one user instead of the group.
 */
static uint64_t
append_event(const struct shm *shm, uint32_t index, uint32_t to_slot,
    uint32_t to_gen, const struct group_actor *from, const struct event *ev)
{
	struct shm_group *g = shm_group(shm, index);
	char reason[SHM_REASON_MAX];
	struct msglog_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = REC_GROUP;
	e.event = ev->kind;
	e.mode = ev->mode;
	e.flags = ev->flags | (from->registered ? RECF_REGISTERED : 0);
	e.origin = from->slot < shm->geo.max_sessions ?
	    shm_slot(shm, from->slot)->s_origin : 0;
	e.from_slot = from->slot;
	e.from_generation = from->generation;
	strlcpy(e.from_name, from->name, sizeof(e.from_name));
	strlcpy(e.group_name, g->g_name, sizeof(e.group_name));
	if (ev->target != NULL)
		strlcpy(e.target_name, ev->target, sizeof(e.target_name));
	if (to_slot == UINT32_MAX) {
		e.to.kind = TO_GROUP;
		e.to.index = index;
		e.to.generation = g->g_generation;
		strlcpy(e.to_name, g->g_name, sizeof(e.to_name));
	} else {
		e.to.kind = TO_USER;
		e.to.index = to_slot;
		e.to.generation = to_gen;
		strlcpy(e.to_name, ev->target, sizeof(e.to_name));
	}
	if (ev->reason != NULL) {
		text_compose(reason, sizeof(reason), "", ev->reason, ev->reason_max, "");
		e.text = reason;
		e.len = (uint32_t)strlen(reason);
	}
	return msglog_append(shm, &e);
}

static uint64_t
group_event(const struct shm *shm, uint32_t index, const struct group_actor *from,
    const struct event *ev)
{
	return append_event(shm, index, UINT32_MAX, 0, from, ev);
}

/*
 * Add slot to group; the join record's sequence marks its membership.
 * A kept group's owner coming back takes it again.
 */
static void
add_member(const struct shm *shm, uint32_t index, const struct group_actor *a,
    uint32_t flags)
{
	struct shm_group *g = shm_group(shm, index);
	struct event ev = { .kind = GROUP_JOINED, .flags = flags };
	uint64_t seq;

	if (g->g_owner == SLOT_NONE && a->registered &&
	    strcasecmp(g->g_owner_name, a->name) == 0)
		g->g_owner = a->slot;
	seq = group_event(shm, index, a, &ev);
	atomic_store(shm_joined(shm, index, a->slot), seq);
	fault_point("groups");	/* a member whose count is not yet bumped */
	*shm_invited(shm, index, a->slot) = 0;
	g->g_members++;
}

/* Delete a group, telling the archive (GROUP_CLOSED, read by no member). */
static void
delete_group(const struct shm *shm, uint32_t index,
    const struct group_actor *from)
{
	struct shm_group *g = shm_group(shm, index);
	struct event ev = { .kind = GROUP_CLOSED };

	group_event(shm, index, from, &ev);

	for (uint32_t s = 0; s < shm->geo.max_sessions; s++) {
		atomic_store(shm_joined(shm, index, s), 0);
		*shm_invited(shm, index, s) = 0;
	}
	g->g_state = GROUP_FREE;
	shm->hdr->groups_in_use--;
}

/* The member with the smallest join sequence, or SLOT_NONE. */
static uint32_t
longest_member(const struct shm *shm, uint32_t index)
{
	uint32_t best = UINT32_MAX;
	uint64_t best_seq = UINT64_MAX, seq;

	for (uint32_t s = 0; s < shm->geo.max_sessions; s++) {
		seq = atomic_load_explicit(shm_joined(shm, index, s),
		    memory_order_relaxed);
		if (seq != 0 && seq < best_seq) {
			best_seq = seq;
			best = s;
		}
	}
	return best;
}

/*
 * The member whose name sorts first, or SLOT_NONE: the same on every
 * node that has the same members, whatever order they joined in here.
 */
static uint32_t
first_named_member(const struct shm *shm, uint32_t index)
{
	uint32_t best = UINT32_MAX;

	for (uint32_t s = 0; s < shm->geo.max_sessions; s++)
		if (is_member(shm, index, s) && (best == UINT32_MAX ||
		    strncasecmp(shm_slot(shm, s)->s_name, shm_slot(shm, best)->s_name,
		    SHM_NAME_MAX) < 0))
			best = s;
	return best;
}

/* Make slot owner, announced as from's doing. */
static void
set_owner(const struct shm *shm, uint32_t index, uint32_t owner,
    const struct group_actor *from)
{
	struct shm_group *g = shm_group(shm, index);
	struct event ev = { .kind = GROUP_OWNER };

	g->g_owner = owner;
	shm_name_copy(g->g_owner_name, shm_slot(shm, owner)->s_name);
	g->g_kept = shm_slot(shm, owner)->s_registered != 0;
	ev.target = g->g_owner_name;
	group_event(shm, index, from, &ev);
}

/*
 * The owner left: the longest member online takes over (0), if any (-1).
 * An owner of another node (a cluster, doc/cluster.md) is followed by
 * whom its node chose (GROUP_OWNER crosses with the leave); only if its
 * node died is one chosen here, by a rule every node agrees on.
 */
static int
pass_ownership(const struct shm *shm, uint32_t index,
    const struct group_actor *from, const struct event *ev)
{
	uint32_t owner;

	if (from->slot < shm->geo.max_sessions &&
	    shm_slot(shm, from->slot)->s_origin != 0) {
		if (ev->kind == GROUP_LEFT && (ev->flags & RECF_QUIT) == 0 &&
		    shm_group(shm, index)->g_members > 0) {
			shm_group(shm, index)->g_owner = SLOT_NONE;
			return 0;	/* its node's GROUP_OWNER follows */
		}
		owner = first_named_member(shm, index);
	} else
		owner = longest_member(shm, index);
	if (owner == UINT32_MAX)
		return -1;
	set_owner(shm, index, owner, from);
	return 0;
}

/*
 * Remove slot; announce with ev.  An owner who leaves the group passes
 * it on; a registered owner who leaves the chat (RECF_QUIT) keeps
 * it while away.  A group left with no owner, or with no member online
 * and not kept, is deleted.
 */
static void
remove_member(const struct shm *shm, uint32_t index, uint32_t slot,
    const struct group_actor *from, const struct event *ev)
{
	struct shm_group *g = shm_group(shm, index);
	int owned = g->g_owner == slot;

	atomic_store(shm_joined(shm, index, slot), 0);
	g->g_members--;
	group_event(shm, index, from, ev);
	if (owned && g->g_kept && ev->kind == GROUP_LEFT && (ev->flags & RECF_QUIT))
		g->g_owner = SLOT_NONE;
	else if (owned && pass_ownership(shm, index, from, ev) == -1) {
		delete_group(shm, index, from);
		return;
	}
	if (g->g_members == 0 && !g->g_kept)
		delete_group(shm, index, from);
}

/* Groups the slot owns now (ownership passes on when it leaves). */
static uint32_t
owned_by(const struct shm *shm, uint32_t slot)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < shm->geo.max_groups; i++)
		n += shm_group(shm, i)->g_state == GROUP_USED &&
		    shm_group(shm, i)->g_owner == slot;
	return n;
}

static uint32_t
free_group(const struct shm *shm)
{
	for (uint32_t i = 0; i < shm->geo.max_groups; i++)
		if (shm_group(shm, i)->g_state == GROUP_FREE)
			return i;
	return GROUP_NONE;
}

/* Make group entry i, with no member yet. */
static void
make_group(const struct shm *shm, uint32_t i, const char *name,
    uint32_t owner, const char *owner_name, int kept, int invite_only,
    int64_t created)
{
	struct shm_group *g = shm_group(shm, i);

	g->g_generation++;
	g->g_owner = owner;
	g->g_members = 0;
	g->g_invite_only = invite_only != 0;
	g->g_kept = kept != 0;
	g->g_created = created;
	strlcpy(g->g_name, name, sizeof(g->g_name));
	strlcpy(g->g_owner_name, owner_name, sizeof(g->g_owner_name));
	g->g_state = GROUP_USED;
	shm->hdr->groups_in_use++;
}

enum group_result
groups_create(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t max_owned, uint32_t *index)
{
	enum group_result r = GR_OK;
	uint32_t i;

	groups_lock(shm);
	if (find_locked(shm, group) != GROUP_NONE)
		r = GR_EXISTS;
	else if (max_owned > 0 && owned_by(shm, a->slot) >= max_owned)
		r = GR_OWNED_TOO_MANY;
	else if ((i = free_group(shm)) == GROUP_NONE)
		r = GR_TOO_MANY;
	else {
		make_group(shm, i, group, a->slot, a->name, a->registered, 0,
		    clock_unix_seconds());
		add_member(shm, i, a, RECF_CREATED);
		*index = i;
	}
	groups_unlock(shm);
	return r;
}

/*
 * Join group.  A member returning (its membership kept by the archive)
 * needs no invitation, and finding itself a member already is no error.
 */
static enum group_result
join(const struct shm *shm, const struct group_actor *a, const char *group,
    int returning, uint32_t *index, uint32_t *members)
{
	enum group_result r = GR_OK;
	struct shm_group *g = NULL;
	uint32_t i;

	groups_lock(shm);
	if ((i = find_locked(shm, group)) == GROUP_NONE)
		r = GR_NO_GROUP;
	else if (g = shm_group(shm, i), is_member(shm, i, a->slot))
		r = returning ? GR_OK : GR_ALREADY_MEMBER;
	else if (!returning && g->g_invite_only &&
	    *shm_invited(shm, i, a->slot) != a->generation)
		r = GR_INVITE_ONLY;
	else if (g->g_members >= shm->geo.max_group_members)
		r = GR_FULL;
	else
		add_member(shm, i, a, 0);
	if (g != NULL)
		*members = g->g_members;
	*index = i;
	groups_unlock(shm);
	return r;
}

enum group_result
groups_join(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t *index, uint32_t *members)
{
	return join(shm, a, group, 0, index, members);
}

enum group_result
groups_rejoin(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t *index, uint32_t *members)
{
	return join(shm, a, group, 1, index, members);
}

void
groups_reinvite(const struct shm *shm, const char *group, uint32_t slot,
    uint32_t generation)
{
	uint32_t i;

	groups_lock(shm);
	if ((i = find_locked(shm, group)) != GROUP_NONE && !is_member(shm, i, slot))
		*shm_invited(shm, i, slot) = generation;
	groups_unlock(shm);
}

enum group_result
groups_restore(const struct shm *shm, const char *group, const char *owner,
    int invite_only, int64_t created)
{
	enum group_result r = GR_OK;
	uint32_t i;

	groups_lock(shm);
	if (find_locked(shm, group) != GROUP_NONE)
		r = GR_EXISTS;
	else if ((i = free_group(shm)) == GROUP_NONE)
		r = GR_TOO_MANY;
	else
		make_group(shm, i, group, SLOT_NONE, owner, 1, invite_only, created);
	groups_unlock(shm);
	return r;
}

enum group_result
groups_set_owner(const struct shm *shm, const struct group_actor *a,
    const char *group, const struct group_target *t, uint32_t *index)
{
	enum group_result r = GR_OK;

	groups_lock(shm);
	if ((*index = find_locked(shm, group)) == GROUP_NONE)
		r = GR_NO_GROUP;
	else if (!is_member(shm, *index, t->slot) ||
	    !actor_current(shm, t->slot, t->generation))
		r = GR_TARGET_NOT_MEMBER;
	else if (shm_group(shm, *index)->g_owner != t->slot)
		set_owner(shm, *index, t->slot, a);
	groups_unlock(shm);
	return r;
}

enum group_result
groups_mirror(const struct shm *shm, const struct group_actor *a,
    const char *group, const char *owner, int invite_only, uint32_t *index)
{
	enum group_result r = GR_OK;
	struct shm_group *g;

	groups_lock(shm);
	if ((*index = find_locked(shm, group)) == GROUP_NONE) {
		if ((*index = free_group(shm)) == GROUP_NONE)
			r = GR_TOO_MANY;
		else
			make_group(shm, *index, group, SLOT_NONE, owner, 1,
			    invite_only, clock_unix_seconds());
	}
	if (r == GR_OK) {
		g = shm_group(shm, *index);
		if (strcasecmp(g->g_owner_name, a->name) == 0) {
			g->g_owner = a->slot;
			g->g_kept = a->registered != 0;
		}
		if (!is_member(shm, *index, a->slot))
			add_member(shm, *index, a, 0);
	}
	groups_unlock(shm);
	return r;
}

enum group_result
groups_leave(const struct shm *shm, const struct group_actor *a,
    const char *group, const char *reason, uint32_t *index)
{
	struct event ev = { .kind = GROUP_LEFT, .reason = reason,
	    .reason_max = SHM_REASON_MAX - 1 };
	enum group_result r;

	groups_lock(shm);
	if ((r = member_check(shm, a, group, index)) == GR_OK)
		remove_member(shm, *index, a->slot, a, &ev);
	groups_unlock(shm);
	return r;
}

/* member_check, and the actor owns the group. */
static enum group_result
owner_check(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t *index)
{
	enum group_result r;

	if ((r = member_check(shm, a, group, index)) != GR_OK)
		return r;
	if (shm_group(shm, *index)->g_owner != a->slot)
		return GR_NOT_OWNER;
	return GR_OK;
}

enum group_result
groups_kick(const struct shm *shm, const struct group_actor *a,
    const char *group, const struct group_target *t, const char *reason,
    uint32_t *index)
{
	struct event ev = { .kind = GROUP_KICKED, .target = t->name,
	    .reason = reason, .reason_max = GROUP_KICK_REASON_MAX };
	enum group_result r;

	groups_lock(shm);
	r = owner_check(shm, a, group, index);
	if (r == GR_OK && t->slot == a->slot)
		r = GR_SELF;
	else if (r == GR_OK && (!is_member(shm, *index, t->slot) ||
	    !actor_current(shm, t->slot, t->generation)))
		r = GR_TARGET_NOT_MEMBER;
	if (r == GR_OK) {
		append_event(shm, *index, t->slot, t->generation, a, &ev);
		remove_member(shm, *index, t->slot, a, &ev);
	}
	groups_unlock(shm);
	return r;
}

enum group_result
groups_invite(const struct shm *shm, const struct group_actor *a,
    const char *group, const struct group_target *t, uint32_t *index)
{
	struct event ev = { .kind = GROUP_INVITED, .target = t->name };
	enum group_result r;

	groups_lock(shm);
	r = owner_check(shm, a, group, index);
	if (r == GR_OK && is_member(shm, *index, t->slot))
		r = GR_TARGET_MEMBER;
	if (r == GR_OK) {
		*shm_invited(shm, *index, t->slot) = t->generation;
		append_event(shm, *index, t->slot, t->generation, a, &ev);
	}
	groups_unlock(shm);
	return r;
}

enum group_result
groups_set_invite_only(const struct shm *shm, const struct group_actor *a,
    const char *group, int on, uint32_t *index)
{
	struct event ev = { .kind = GROUP_MODE, .mode = on != 0 };
	enum group_result r;

	groups_lock(shm);
	r = owner_check(shm, a, group, index);
	if (r == GR_OK) {
		shm_group(shm, *index)->g_invite_only = on != 0;
		group_event(shm, *index, a, &ev);
	}
	groups_unlock(shm);
	return r;
}

enum group_result
groups_check_member(const struct shm *shm, const struct group_actor *a,
    const char *group, uint32_t *index, uint32_t *generation, char *canonical)
{
	enum group_result r;
	struct shm_group *g;

	groups_lock(shm);
	if ((r = member_check(shm, a, group, index)) == GR_OK) {
		g = shm_group(shm, *index);
		*generation = g->g_generation;
		strlcpy(canonical, g->g_name, SHM_NAME_MAX + 1);
	}
	groups_unlock(shm);
	return r;
}

void
groups_leave_all(const struct shm *shm, uint32_t slot, uint32_t generation,
    const char *name, const char *reason)
{
	struct group_actor a = { slot, generation, name,
	    shm_slot(shm, slot)->s_registered != 0 };
	struct event ev = { .kind = GROUP_LEFT, .flags = RECF_QUIT,
	    .reason = reason, .reason_max = SHM_REASON_MAX - 1 };

	/*
	 * Only groups in use are looked at: a free group's rows are all
	 * zero (delete_group clears them), and touching a row costs a page
	 * fault per group at every logout.  An invitation is cleared only
	 * if set, so the row's page is not dirtied for nothing.
	 */
	groups_lock(shm);
	for (uint32_t i = 0; i < shm->geo.max_groups; i++) {
		if (shm_group(shm, i)->g_state != GROUP_USED)
			continue;
		if (is_member(shm, i, slot))
			remove_member(shm, i, slot, &a, &ev);
		if (*shm_invited(shm, i, slot) != 0)
			*shm_invited(shm, i, slot) = 0;
	}
	groups_unlock(shm);
}

/*
 * A holder died inside a group change.  joined[][] is the truth; member
 * counts, owners and groups_in_use are recomputed from it: a group with
 * no members that is not kept is freed, an owner who is not a member is
 * replaced by the longest member (a kept group's owner may be away).
 */
static void
groups_repair(const struct shm *shm)
{
	struct shm_group *g;
	uint32_t members, in_use = 0;

	for (uint32_t i = 0; i < shm->geo.max_groups; i++) {
		g = shm_group(shm, i);
		if (g->g_state != GROUP_USED)
			continue;
		members = 0;
		for (uint32_t s = 0; s < shm->geo.max_sessions; s++)
			members += is_member(shm, i, s);
		g->g_members = members;
		if (g->g_kept && (g->g_owner == SLOT_NONE ||
		    (g->g_owner < shm->geo.max_sessions &&
		    is_member(shm, i, g->g_owner)))) {
			in_use++;
			continue;
		}
		if (members == 0) {
			for (uint32_t s = 0; s < shm->geo.max_sessions; s++)
				*shm_invited(shm, i, s) = 0;
			g->g_state = GROUP_FREE;
			continue;
		}
		if (g->g_owner >= shm->geo.max_sessions || !is_member(shm, i, g->g_owner)) {
			g->g_owner = longest_member(shm, i);
			shm_name_copy(g->g_owner_name, shm_slot(shm, g->g_owner)->s_name);
			g->g_kept = shm_slot(shm, g->g_owner)->s_registered != 0;
		}
		in_use++;
	}
	shm->hdr->groups_in_use = in_use;
}

void
groups_lock(const struct shm *shm)
{
	shm_lock_robust(shm, &shm->hdr->groups_lock, "groups", groups_repair);
}

void
groups_unlock(const struct shm *shm)
{
	pthread_mutex_unlock(&shm->hdr->groups_lock);
}

/* Slot i's name, or "?" for an index past the table. */
static void
slot_name(const struct shm *shm, uint32_t i, char *name)
{
	if (i < shm->geo.max_sessions)
		shm_name_copy(name, shm_slot(shm, i)->s_name);
	else
		strlcpy(name, "?", SHM_NAME_MAX + 1);
}

static void
copy_view(const struct shm *shm, uint32_t i, struct group_view *v)
{
	struct shm_group *g = shm_group(shm, i);

	shm_name_copy(v->name, g->g_name);
	shm_name_copy(v->owner, g->g_owner_name);
	v->invite_only = g->g_invite_only != 0;
	v->members = g->g_members;
	v->copied = 0;
	for (uint32_t m = 0; m < shm->geo.max_sessions && v->copied < v->room; m++)
		if (is_member(shm, i, m))
			slot_name(shm, m, v->member[v->copied++]);
}

int
groups_snapshot_next(const struct shm *shm, const char *prefix, uint32_t *cursor,
    struct group_view *v)
{
	size_t len = strlen(prefix);
	struct shm_group *g;
	int found = 0;

	if (len > SHM_NAME_MAX)
		return 0;
	groups_lock(shm);
	while (!found && *cursor < shm->geo.max_groups) {
		g = shm_group(shm, (*cursor)++);
		if (g->g_state != GROUP_USED || strncasecmp(g->g_name, prefix, len) != 0)
			continue;
		copy_view(shm, *cursor - 1, v);
		found = 1;
	}
	groups_unlock(shm);
	return found;
}

int
groups_invited_next(const struct shm *shm, uint32_t slot, uint32_t generation,
    uint32_t *cursor, char name[SHM_NAME_MAX + 1])
{
	struct shm_group *g;
	uint32_t i;
	int found = 0;

	groups_lock(shm);
	while (!found && (i = *cursor) < shm->geo.max_groups) {
		(*cursor)++;
		g = shm_group(shm, i);
		if (g->g_state != GROUP_USED ||
		    *shm_invited(shm, i, slot) != generation)
			continue;
		shm_name_copy(name, g->g_name);
		found = 1;
	}
	groups_unlock(shm);
	return found;
}

/*
 * groups.h -- groups: create, join, leave, kick, invite, invite-only.
 *
 * Owns the group table, joined[][] and invited[][] in the segment (all
 * under groups_lock) and the records that announce each change to the
 * group's members (and to the archive).  The creator owns a group; when
 * the owner leaves, the longest member online (smallest join sequence)
 * becomes owner.  A registered owner who leaves the chat stays owner
 * while away, and the group is kept: it stays with no member online, and
 * registered members come back into it at their next login (from the
 * archive, groups_rejoin).  Any other group with no member online is
 * deleted, with a GROUP_CLOSED record.
 */
#ifndef CHAT_GROUPS_H
#define CHAT_GROUPS_H

#include <stdint.h>

#include "shm.h"

#define GROUP_NONE UINT32_MAX
/*
 * Longest kick reason kept, bytes: cut at a character boundary, and
 * shorter when the notice would not fit in max_line (doc/protocol.md).
 */
#define GROUP_KICK_REASON_MAX	120

enum group_result {
	GR_OK,
	GR_EXISTS,		/* create: the name is taken */
	GR_NO_GROUP,		/* no group of that name */
	GR_NOT_MEMBER,		/* the actor (or the target) is not a member */
	GR_ALREADY_MEMBER,	/* join: already in it; invite: target is in */
	GR_NOT_OWNER,		/* kick, invite, mode: only the owner may */
	GR_INVITE_ONLY,		/* join: invite-only and not invited */
	GR_FULL,		/* join: max_group_members reached */
	GR_TOO_MANY,		/* create: max_groups reached */
	GR_OWNED_TOO_MANY,	/* create: the actor owns max_groups_per_user */
	GR_SELF,		/* kick: the owner cannot kick itself */
	GR_TARGET_NOT_MEMBER,	/* kick: the target is not a member */
	GR_TARGET_MEMBER,	/* invite: the target is already a member */
};

/* Who acts: a logged-in session. */
struct group_actor {
	uint32_t	slot;
	uint32_t	generation;
	const char	*name;
	int		registered;	/* logged in with a password */
};

/* A user the actor names (kick, invite): found with registry_find. */
struct group_target {
	uint32_t	slot;
	uint32_t	generation;
	char		name[SHM_NAME_MAX + 1];	/* copied from the slot */
};

/* Create group, owned by the actor, unless it owns max_owned (0: no cap). */
enum group_result groups_create(const struct shm *shm, const struct group_actor *a,
	    const char *group, uint32_t max_owned, uint32_t *index);
enum group_result groups_join(const struct shm *shm, const struct group_actor *a,
	    const char *group, uint32_t *index, uint32_t *members);
/* Leave group, with reason (the user's words, "" for none). */
enum group_result groups_leave(const struct shm *shm, const struct group_actor *a,
	    const char *group, const char *reason, uint32_t *index);
enum group_result groups_kick(const struct shm *shm, const struct group_actor *a,
	    const char *group, const struct group_target *t, const char *reason,
	    uint32_t *index);
enum group_result groups_invite(const struct shm *shm, const struct group_actor *a,
	    const char *group, const struct group_target *t, uint32_t *index);
enum group_result groups_set_invite_only(const struct shm *shm,
	    const struct group_actor *a, const char *group, int on, uint32_t *index);
/*
 * A registered member coming back (its membership is in the archive):
 * join group whatever its mode; its owner takes it back.  GR_OK (also
 * when already a member), GR_NO_GROUP or GR_FULL.
 */
enum group_result groups_rejoin(const struct shm *shm, const struct group_actor *a,
	    const char *group, uint32_t *index, uint32_t *members);
/* An invitation kept in the archive, given again to slot at its login. */
void	groups_reinvite(const struct shm *shm, const char *group, uint32_t slot,
	    uint32_t generation);
/*
 * Make a kept group again from the archive, its owner away: GR_OK,
 * GR_EXISTS (the name is taken in this segment) or GR_TOO_MANY.
 */
enum group_result groups_restore(const struct shm *shm, const char *group,
	    const char *owner, int invite_only, int64_t created);
/*
 * Another node's doing (doc/cluster.md): target now owns group, as its
 * node chose; announced only if it did not already.  GR_OK, GR_NO_GROUP
 * or GR_TARGET_NOT_MEMBER.
 */
enum group_result groups_set_owner(const struct shm *shm,
	    const struct group_actor *a, const char *group,
	    const struct group_target *t, uint32_t *index);
/*
 * A user of another node is a member of group, as its node's roster
 * says (owner: the group's owner's name; invite_only: its mode): the
 * group is made if it is not known here (kept: its owner may be away),
 * the user made its owner if named so, and a member.  GR_OK or
 * GR_TOO_MANY.
 */
enum group_result groups_mirror(const struct shm *shm,
	    const struct group_actor *a, const char *group, const char *owner,
	    int invite_only, uint32_t *index);
/*
 * Check that the actor may send to group and get its index and
 * generation for the record.
 */
enum group_result groups_check_member(const struct shm *shm,
	    const struct group_actor *a, const char *group, uint32_t *index,
	    uint32_t *generation, char *canonical);
/* On disconnect: leave every group, announcing it with reason (RECF_QUIT). */
void	groups_leave_all(const struct shm *shm, uint32_t slot,
	    uint32_t generation, const char *name, const char *reason);
/*
 * Take and give back groups_lock.  When its holder died, member counts,
 * owners and groups_in_use are made again from joined[][] before
 * groups_lock returns.
 */
void	groups_lock(const struct shm *shm);
void	groups_unlock(const struct shm *shm);
/* One group, copied out of the segment for a listing. */
struct group_view {
	char		 name[SHM_NAME_MAX + 1];
	char		 owner[SHM_NAME_MAX + 1];
	int		 invite_only;
	uint32_t	 members;	/* its member count */
	uint32_t	 copied;	/* names in member[] */
	uint32_t	 room;		/* member[]'s size: set by the caller */
	char		(*member)[SHM_NAME_MAX + 1];
};
/*
 * The next group whose name starts with prefix (any case), from *cursor
 * on (start at 0): 1 with it copied into *v (as many members as
 * v->room), or 0 at the end.  Each group is copied under groups_lock.
 */
int	groups_snapshot_next(const struct shm *shm, const char *prefix,
	    uint32_t *cursor, struct group_view *v);
/*
 * The next group, from *cursor on (start at 0), that slot (of
 * generation) is invited to and has not joined: 1 with its name, or 0
 * at the end.
 */
int	groups_invited_next(const struct shm *shm, uint32_t slot,
	    uint32_t generation, uint32_t *cursor, char name[SHM_NAME_MAX + 1]);
/* The name rule for groups (the same as for users). */
int	group_name_valid(const char *name);

#endif

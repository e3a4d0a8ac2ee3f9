/*
 * groupcmds.c -- the group commands of a logged-in user.
 *
 * Owns argument checks and the one-line answer for each outcome; the
 * group table itself is lib/groups.c.  After a change, the group's
 * members (and a kicked or invited user) are woken to read its notice.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "groups.h"
#include "registry.h"
#include "session.h"
#include "text.h"

/* Accept "#name" as well as "name". */
static char *
group_arg(char **args)
{
	char *g = cmdline_next_word(args);

	return g[0] == '#' ? g + 1 : g;
}

static int
check_group_name(struct session *s, const char *g)
{
	if (group_name_valid(g))
		return 0;
	reply(s, "! bad-group-name: a group name is 1-32 letters, digits, '_', "
	    "'-' or '.', starting with a letter");
	return -1;
}

static void
actor(const struct session *s, struct group_actor *a)
{
	a->slot = s->slot;
	a->generation = s->generation;
	a->name = s->name;
}

/* Find an online user for kick or invite; -1 after replying. */
static int
target(struct session *s, const char *name, struct group_target *t)
{
	t->slot = registry_find(&s->shm, name);
	if (t->slot == SLOT_NONE) {
		reply_not_online(s, name);
		return -1;
	}
	t->generation = atomic_load(&shm_slot(&s->shm, t->slot)->s_generation);
	memcpy(t->name, shm_slot(&s->shm, t->slot)->s_name, sizeof(t->name));
	t->name[SHM_NAME_MAX] = '\0';
	return 0;
}

static void
group_error(struct session *s, enum group_result r, const char *g, const char *who)
{
	switch (r) {
	case GR_OK:
		break;
	case GR_EXISTS:
		reply(s, "! group-exists: #%s already exists; /join_group %s", g, g);
		break;
	case GR_NO_GROUP:
		reply(s, "! no-such-group: there is no group #%s", g);
		break;
	case GR_NOT_MEMBER:
		reply(s, "! not-member: you are not in #%s", g);
		break;
	case GR_TARGET_NOT_MEMBER:
		reply(s, "! not-member: %s is not in #%s", who, g);
		break;
	case GR_ALREADY_MEMBER:
		reply(s, "! already-member: you are already in #%s", g);
		break;
	case GR_TARGET_MEMBER:
		reply(s, "! already-member: %s is already in #%s", who, g);
		break;
	case GR_NOT_OWNER:
		reply(s, "! not-owner: only the owner of #%s can do that", g);
		break;
	case GR_INVITE_ONLY:
		reply(s, "! invite-only: #%s is invite-only; ask its owner for an invite", g);
		break;
	case GR_FULL:
		reply(s, "! group-full: #%s has %u members, the most allowed", g,
		    s->shm.geo.max_group_members);
		break;
	case GR_TOO_MANY:
		reply(s, "! too-many-groups: the server has %u groups, the most allowed",
		    s->shm.geo.max_groups);
		break;
	case GR_OWNED_TOO_MANY:
		reply(s, "! too-many-owned: a user may own at most %u groups; "
		    "/leave_group one of yours first", s->conf.max_groups_per_user);
		break;
	case GR_SELF:
		reply(s, "! bad-target: you cannot kick yourself; /leave_group %s", g);
		break;
	}
}

void
cmd_create_group(struct session *s, char *args)
{
	struct group_actor a;
	char *g = group_arg(&args);
	enum group_result r;
	uint32_t index;

	if (check_group_name(s, g) == -1)
		return;
	actor(s, &a);
	r = groups_create(&s->shm, &a, g, s->conf.max_groups_per_user, &index);
	if (r != GR_OK) {
		group_error(s, r, g, NULL);
		return;
	}
	reply(s, "* created #%s; you own it", g);
}

void
cmd_join_group(struct session *s, char *args)
{
	struct group_actor a;
	char *g = group_arg(&args);
	enum group_result r;
	uint32_t index, members = 0;

	if (check_group_name(s, g) == -1)
		return;
	actor(s, &a);
	if ((r = groups_join(&s->shm, &a, g, &index, &members)) != GR_OK) {
		group_error(s, r, g, NULL);
		return;
	}
	reply(s, "* joined #%s (%u member%s)", shm_group(&s->shm, index)->g_name,
	    members, members == 1 ? "" : "s");
	session_wake(s, TO_GROUP, index);
}

void
cmd_leave_group(struct session *s, char *args)
{
	struct group_actor a;
	char *g = group_arg(&args);
	enum group_result r;
	uint32_t index;

	actor(s, &a);
	if ((r = groups_leave(&s->shm, &a, g, &index)) != GR_OK) {
		group_error(s, r, g, NULL);
		return;
	}
	reply(s, "* left #%s", g);
	session_wake(s, TO_GROUP, index);
}

void
cmd_group_msg(struct session *s, char *args)
{
	char *g = group_arg(&args), name[SHM_NAME_MAX + 1];
	struct group_actor a;
	enum group_result r;
	uint32_t index, generation;

	actor(s, &a);
	r = groups_check_member(&s->shm, &a, g, &index, &generation, name);
	if (r != GR_OK) {
		group_error(s, r, g, NULL);
		return;
	}
	say(s, TO_GROUP, index, generation, name, args, strlen(args));
}

void
cmd_kick(struct session *s, char *args)
{
	char *g = group_arg(&args), *user = cmdline_next_word(&args);
	struct group_target t;
	struct group_actor a;
	enum group_result r;
	uint32_t index;

	if (target(s, user, &t) == -1)
		return;
	actor(s, &a);
	args[text_cut_blanks(args, strlen(args))] = '\0';
	r = groups_kick(&s->shm, &a, g, &t, *args != '\0' ? args : "no reason given",
	    &index);
	if (r != GR_OK) {
		group_error(s, r, g, t.name);
		return;
	}
	reply(s, "* kicked %s from #%s", t.name, shm_group(&s->shm, index)->g_name);
	session_wake(s, TO_GROUP, index);
	session_wake(s, TO_USER, t.slot);
}

void
cmd_invite(struct session *s, char *args)
{
	char *g = group_arg(&args), *user = cmdline_next_word(&args);
	struct group_target t;
	struct group_actor a;
	enum group_result r;
	uint32_t index;

	if (target(s, user, &t) == -1)
		return;
	actor(s, &a);
	if ((r = groups_invite(&s->shm, &a, g, &t, &index)) != GR_OK) {
		group_error(s, r, g, t.name);
		return;
	}
	reply(s, "* invited %s to #%s", t.name, shm_group(&s->shm, index)->g_name);
	session_wake(s, TO_USER, t.slot);
}

void
cmd_invite_only(struct session *s, char *args)
{
	char *g = group_arg(&args), *mode = cmdline_next_word(&args);
	struct group_actor a;
	enum group_result r;
	uint32_t index;
	int on;

	if (strcasecmp(mode, "on") == 0)
		on = 1;
	else if (strcasecmp(mode, "off") == 0)
		on = 0;
	else {
		reply(s, "! missing-argument: usage: /invite_only <group> on|off");
		return;
	}
	actor(s, &a);
	if ((r = groups_set_invite_only(&s->shm, &a, g, on, &index)) != GR_OK) {
		group_error(s, r, g, NULL);
		return;
	}
	reply(s, "* #%s is now %s", shm_group(&s->shm, index)->g_name,
	    on ? "invite-only" : "open to everyone");
	session_wake(s, TO_GROUP, index);
}

/*
 * One group's line: name, owner, mode, members, as far as the budget
 * goes.  Returns the members left out (0 if the line is whole), or
 * UINT32_MAX if not even its start fitted.
 */
static uint32_t
list_group(struct listing *l, const struct shm *shm, uint32_t i)
{
	struct shm_group *g = shm_group(shm, i);
	uint32_t listed = 0;

	/* Names from the segment: bounded, never trusted to end. */
	if (listing_add(l, "* #%.*s (owner %.*s%s, %u member%s):",
	    SHM_NAME_MAX, g->g_name, SHM_NAME_MAX,
	    g->g_owner < shm->geo.max_sessions ?
	    shm_slot(shm, g->g_owner)->s_name : "?",
	    g->g_invite_only ? ", invite-only" : "", g->g_members,
	    g->g_members == 1 ? "" : "s") == -1)
		return UINT32_MAX;
	for (uint32_t m = 0; m < shm->geo.max_sessions; m++)
		if (atomic_load(shm_joined(shm, i, m)) != 0) {
			if (listing_add(l, " %.*s", SHM_NAME_MAX,
			    shm_slot(shm, m)->s_name) == -1)
				break;
			listed++;
		}
	listing_end_line(l);
	return g->g_members > listed ? g->g_members - listed : 0;
}

/*
 * One line per group whose name starts with the argument (every group
 * without one): name, owner, mode, members.  What does not fit the
 * listing's budget is left out and counted in a notice.
 */
void
cmd_groups(struct session *s, char *args)
{
	const struct shm *shm = &s->shm;
	char *prefix = group_arg(&args), cut_group[SHM_NAME_MAX + 1] = "";
	uint32_t matched = 0, unlisted = 0, members_cut = 0, r;
	size_t len = strlen(prefix);
	struct listing l;

	listing_start(&l, s);
	groups_lock(shm);
	for (uint32_t i = 0; i < shm->geo.max_groups; i++) {
		if (shm_group(shm, i)->g_state != GROUP_USED ||
		    !listing_match(shm_group(shm, i)->g_name, prefix, len))
			continue;
		matched++;
		if (l.cut || (r = list_group(&l, shm, i)) == UINT32_MAX) {
			unlisted++;
			continue;
		}
		if (r > 0) {
			members_cut = r;
			memcpy(cut_group, shm_group(shm, i)->g_name, SHM_NAME_MAX);
		}
	}
	groups_unlock(shm);
	if (listing_finish(&l) == -1)
		return;
	if (matched == 0 && len == 0)
		reply(s, "* no groups; /create_group <group> makes one");
	else if (matched == 0)
		reply(s, "* no groups start with that; /groups lists them all");
	if (members_cut > 0)
		reply(s, "* %u more member%s of #%s not shown", members_cut,
		    members_cut == 1 ? "" : "s", cut_group);
	if (unlisted > 0)
		reply(s, "* %u more group%s not shown; /groups PREFIX lists only "
		    "the groups whose names start with PREFIX", unlisted,
		    unlisted == 1 ? "" : "s");
}

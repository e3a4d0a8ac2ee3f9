/*
 * groupcmds.c -- the group commands of a logged-in user, in words.
 *
 * Owns parsing each group command's words and the /groups listing's
 * lines; what a command does and answers is the core's
 * (chatcore/groupact.c, chatcore/who.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "session.h"

void
cmd_create_group(struct session *s, char *args)
{
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_create_group(&u, cmdline_next_word(&args), &r);
	session_answer(s, &r);
}

void
cmd_join_group(struct session *s, char *args)
{
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_join_group(&u, cmdline_next_word(&args), &r);
	session_answer(s, &r);
	if (r.status == CR_JOINED)
		history_replay(s, &r);
}

void
cmd_leave_group(struct session *s, char *args)
{
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_leave_group(&u, cmdline_next_word(&args), &r);
	session_answer(s, &r);
}

void
cmd_group_msg(struct session *s, char *args)
{
	char *group = cmdline_next_word(&args);
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_group_msg(&u, group, args, strlen(args), &r);
	session_answer(s, &r);
}

void
cmd_kick(struct session *s, char *args)
{
	char *group = cmdline_next_word(&args), *user = cmdline_next_word(&args);
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_kick(&u, group, user, args, &r);
	session_answer(s, &r);
}

void
cmd_invite(struct session *s, char *args)
{
	char *group = cmdline_next_word(&args), *user = cmdline_next_word(&args);
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_invite(&u, group, user, &r);
	session_answer(s, &r);
}

void
cmd_invite_only(struct session *s, char *args)
{
	char *group = cmdline_next_word(&args), *mode = cmdline_next_word(&args);
	struct core_result r;
	struct core_user u;
	int on;

	if (strcasecmp(mode, "on") == 0)
		on = 1;
	else if (strcasecmp(mode, "off") == 0)
		on = 0;
	else {
		reply_text(s, CR_USAGE, "/invite_only <group> on|off");
		return;
	}
	session_user(s, &u);
	core_set_invite_only(&u, group, on, &r);
	session_answer(s, &r);
}

/*
 * One group's line: name, owner, mode, members, as far as the budget
 * goes.  Returns the members left out (0 if the line is whole), or
 * UINT32_MAX if not even its start fitted.
 */
static uint32_t
list_group(struct listing *l, const struct group_view *g)
{
	uint32_t listed = 0;

	if (listing_add(l, "* #%s (owner %s%s, %u member%s):", g->name, g->owner,
	    g->invite_only ? ", invite-only" : "", g->members,
	    g->members == 1 ? "" : "s") == -1)
		return UINT32_MAX;
	while (listed < g->copied &&
	    listing_add(l, " %s", g->member[listed]) == 0)
		listed++;
	listing_end_line(l);
	return g->members > listed ? g->members - listed : 0;
}

/*
 * One line per group whose name starts with the argument (every group
 * without one): name, owner, mode, members.  What does not fit the
 * listing's budget is left out and counted in a notice.
 */
void
cmd_groups(struct session *s, char *args)
{
	char *prefix = cmdline_next_word(&args);
	uint32_t matched = 0, unlisted = 0, members_cut = 0, cursor = 0, n;
	struct core_result cut;
	struct group_view g;
	struct core_user u;
	struct listing l;

	session_user(s, &u);
	memset(&g, 0, sizeof(g));
	g.room = s->shm.geo.max_group_members;
	if ((g.member = calloc(g.room, sizeof(*g.member))) == NULL) {
		session_close(s, DISC_ERROR, "out of memory");
		return;
	}
	core_result_set(&cut, CR_MEMBERS_NOT_SHOWN);
	listing_start(&l, s);
	while (core_groups_next(&u, prefix, &cursor, &g)) {
		matched++;
		if (l.cut || (n = list_group(&l, &g)) == UINT32_MAX) {
			unlisted++;
			continue;
		}
		if (n > 0) {
			members_cut = n;
			memcpy(cut.group, g.name, sizeof(cut.group));
		}
	}
	free(g.member);
	if (listing_finish(&l) == -1)
		return;
	if (matched == 0)
		reply_status(s, prefix[0] == '\0' || strcmp(prefix, "#") == 0 ?
		    CR_NO_GROUPS : CR_NO_GROUPS_MATCH, 0);
	cut.count = members_cut;
	if (members_cut > 0)
		reply_result(s, &cut);
	if (unlisted > 0)
		reply_status(s, CR_GROUPS_NOT_SHOWN, unlisted);
}

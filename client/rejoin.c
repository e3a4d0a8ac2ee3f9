/*
 * rejoin.c -- rejoining the groups after a reconnect, and checking them.
 *
 * Owns what is remembered of the groups when the connection drops (each
 * group's name, its owner and mode, whether this user owned it), the
 * commands sent to rejoin them after the login (made again if ours and
 * gone, invite-only again if it was, joined), the matching of the
 * server's answers to those commands in the order they went out, and the
 * settling of each group once /groups has told its owner: what the pane
 * says, and the warning for a group that may not be the one the user
 * was in.  It does not own the groups joined, the target or the status
 * line's warning: session.c does, and is reached through session_*().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

/* Where the rejoin of one group stands after a reconnect. */
enum rejoin_step {
	REJOIN_SENT,		/* its commands not all answered yet */
	REJOIN_JOINED,		/* joined again; /groups tells its owner */
	REJOIN_CREATED,		/* ours, and gone: made again */
	REJOIN_TAKEN,		/* ours, but it exists under another owner:
				 * joined as one of its members */
	REJOIN_GONE,		/* not ours, and gone: not made again */
	REJOIN_FAILED,		/* the server refused the join (or the
				 * create): why */
};

/* A command the rejoin sent, waiting for its one answer line. */
enum rejoin_cmd {
	RCMD_CREATE,		/* /create_group G */
	RCMD_MODE,		/* /invite_only G on */
	RCMD_JOIN,		/* /join_group G */
};
#define REJOIN_CMDS	3

/* One group to rejoin. */
struct rejoin {
	char	name[CLIENT_NAME_MAX + 1];
	char	owner[CLIENT_NAME_MAX + 1];	/* before the drop; "" unknown */
	char	now_owner[CLIENT_NAME_MAX + 1];	/* from /groups; "" unknown */
	int	invite_only;	/* before the drop; -1 unknown */
	int	owned;		/* this user owned it before the drop */
	int	taken;		/* ours, but the create found it exists */
	enum rejoin_cmd	sent[REJOIN_CMDS];	/* not answered yet, in order */
	size_t	nsent;
	enum rejoin_step step;
	char	why[128];	/* REJOIN_FAILED: the server's error */
};

/* The groups to rejoin, from the drop until the check after the login. */
struct rejoin_state {
	struct rejoin rejoin[CLIENT_GROUPS_MAX];
	size_t	nrejoin;
	int	checking;	/* the rejoin's /groups is not all in yet */
};

struct rejoin_state *
rejoin_new(void)
{
	return calloc(1, sizeof(struct rejoin_state));
}

void
rejoin_free(struct rejoin_state *rj)
{
	free(rj);
}

/* Where group g is in rj->rejoin, or -1. */
static int
rejoin_find(const struct rejoin_state *rj, const char *g)
{
	for (size_t i = 0; i < rj->nrejoin; i++)
		if (strcasecmp(rj->rejoin[i].name, g) == 0)
			return (int)i;
	return -1;
}

/*
 * The connection dropped while logged in: remember the groups to rejoin
 * and what each was (its owner, its mode), to tell after the reconnect
 * whether a group of that name is still the one the user was in.  A
 * group still waiting from an earlier reconnect keeps what was known
 * before that one.
 */
void
rejoin_remember(struct rejoin_state *rj, const char *const *groups, size_t n,
    const struct groupinfo *info, const char *me)
{
	const struct group_facts *f;
	struct rejoin *r;

	rj->checking = 0;
	for (size_t i = 0; i < n && rj->nrejoin < CLIENT_GROUPS_MAX; i++) {
		if (rejoin_find(rj, groups[i]) >= 0)
			continue;
		r = &rj->rejoin[rj->nrejoin++];
		memset(r, 0, sizeof(*r));
		strlcpy(r->name, groups[i], sizeof(r->name));
		r->invite_only = -1;
		if ((f = groupinfo_find(info, r->name)) != NULL) {
			strlcpy(r->owner, f->owner, sizeof(r->owner));
			r->invite_only = f->invite_only;
		}
		r->owned = strcasecmp(r->owner, me) == 0;
	}
	for (size_t i = 0; i < rj->nrejoin; i++) {
		r = &rj->rejoin[i];
		r->step = REJOIN_SENT;
		r->now_owner[0] = r->why[0] = '\0';
		r->taken = 0;
		r->nsent = 0;
	}
}

/* Send command c of rejoin r; r waits for its answer after the others. */
static void
rejoin_send(struct session *s, struct rejoin *r, enum rejoin_cmd c)
{
	char cmd[64];

	switch (c) {
	case RCMD_CREATE:
		snprintf(cmd, sizeof(cmd), "/create_group %s", r->name);
		break;
	case RCMD_MODE:
		snprintf(cmd, sizeof(cmd), "/invite_only %s on", r->name);
		break;
	case RCMD_JOIN:
		snprintf(cmd, sizeof(cmd), "/join_group %s", r->name);
		break;
	}
	if (session_send_line(s, cmd) == 0 && r->nsent < REJOIN_CMDS)
		r->sent[r->nsent++] = c;
}

/*
 * Logged in again after a drop: rejoin every group, then ask /groups to
 * check their owners (the /users sent next ends its answer).  A group
 * this user owned is made again first: if it is gone, so that it comes
 * back as it was (invite-only included) and owned by the same user.  It
 * is joined too, at once: if someone else has it, that join says
 * whether this user may be one of its members (if it was made again,
 * the join answers already-member).  All this goes out before anything
 * the user types, and the server answers in order, one line for each
 * of these commands: so the first answers after the login are theirs
 * (rejoin_answered), and an error for a command the user typed is the
 * user's.
 */
void
rejoin_start(struct rejoin_state *rj, struct session *s)
{
	char list[CLIENT_GROUPS_MAX * (CLIENT_NAME_MAX + 2) + 1] = "";
	struct rejoin *r;

	for (size_t i = 0; i < rj->nrejoin; i++) {
		strlcat(list, " #", sizeof(list));
		strlcat(list, rj->rejoin[i].name, sizeof(list));
	}
	session_note(s, SHOW_CLIENT, "reconnected as %s%s%s", session_name(s),
	    rj->nrejoin > 0 ? "; rejoining" : "", list);
	for (size_t i = 0; i < rj->nrejoin; i++) {
		r = &rj->rejoin[i];
		if (r->owned)
			rejoin_send(s, r, RCMD_CREATE);
		/* At once, so that nobody can join in between. */
		if (r->owned && r->invite_only == 1)
			rejoin_send(s, r, RCMD_MODE);
		rejoin_send(s, r, RCMD_JOIN);
	}
	if (rj->nrejoin > 0) {
		session_send_line(s, "/groups");
		rj->checking = 1;
	}
}

/*
 * The rejoin whose command l answers, or NULL.  The rejoin's commands
 * went out before any the user typed, group after group, and each has
 * one answer line: an error, or its notice ("created #G", "#G is now
 * invite-only", "joined #G").  So while one waits, an error answers the
 * first command still waiting, whatever group it names (too-many-groups
 * names none); once none waits, errors are the user's.
 */
static struct rejoin *
rejoin_answered(struct rejoin_state *rj, const struct line *l)
{
	struct rejoin *r = NULL;
	struct notice n;

	for (size_t i = 0; i < rj->nrejoin && r == NULL; i++)
		if (rj->rejoin[i].nsent > 0)
			r = &rj->rejoin[i];
	if (r == NULL ||
	    (l->kind == LINE_ERROR && proto_closing_error(l->code)))
		return NULL;
	if (l->kind == LINE_ERROR)
		return r;
	if (l->kind != LINE_NOTICE)
		return NULL;
	proto_notice(l, &n);
	if (strcasecmp(n.group, r->name) != 0)
		return NULL;
	switch (r->sent[0]) {
	case RCMD_CREATE:
		return n.kind == NOTICE_CREATED ? r : NULL;
	case RCMD_MODE:
		return n.kind == NOTICE_GROUP_MODE ? r : NULL;
	case RCMD_JOIN:
		return n.kind == NOTICE_YOU_JOINED ? r : NULL;
	}
	return NULL;
}

/* What the join of rejoin r answered (l: its notice or its error). */
static void
rejoin_joined(struct session *s, struct rejoin *r, const struct line *l)
{
	const char *c = l->kind == LINE_ERROR ? l->code : "";

	if (l->kind != LINE_ERROR || strcmp(c, "already-member") == 0) {
		r->step = r->taken ? REJOIN_TAKEN : REJOIN_JOINED;
		session_add_group(s, r->name);
	} else if (strcmp(c, "no-such-group") == 0 && !r->owned) {
		r->step = REJOIN_GONE;
	} else {
		r->step = REJOIN_FAILED;
		/* Gone, and not made again: the create said why. */
		if (r->why[0] == '\0' || strcmp(c, "no-such-group") != 0)
			strlcpy(r->why, l->text, sizeof(r->why));
	}
}

/* Line l answers the first command rejoin r waits for. */
static void
rejoin_take(struct session *s, struct rejoin *r, const struct line *l)
{
	enum rejoin_cmd c = r->sent[0];

	r->nsent--;
	memmove(r->sent, r->sent + 1, r->nsent * sizeof(r->sent[0]));
	if (c == RCMD_CREATE && l->kind != LINE_ERROR)
		r->step = REJOIN_CREATED;
	else if (c == RCMD_CREATE && strcmp(l->code, "group-exists") == 0)
		r->taken = 1;		/* ours once: the join tells the rest */
	else if (c == RCMD_CREATE)
		strlcpy(r->why, l->text, sizeof(r->why));
	else if (c == RCMD_JOIN && r->step == REJOIN_SENT)
		rejoin_joined(s, r, l);
	/* The mode after a failed create fails too; a join after a
	 * create that worked answers already-member. */
}

int
rejoin_answer(struct rejoin_state *rj, struct session *s, const struct line *l)
{
	struct rejoin *r;

	if ((r = rejoin_answered(rj, l)) == NULL)
		return 0;
	rejoin_take(s, r, l);
	return 1;
}

void
rejoin_owner(struct rejoin_state *rj, const char *group, const char *owner)
{
	int i;

	if (rj->checking && (i = rejoin_find(rj, group)) >= 0)
		strlcpy(rj->rejoin[i].now_owner, owner,
		    sizeof(rj->rejoin[i].now_owner));
}

int
rejoin_checking(const struct rejoin_state *rj)
{
	return rj->checking;
}

int
rejoin_pending(const struct rejoin_state *rj, const char *group)
{
	return rj->checking && rejoin_find(rj, group) >= 0;
}

/* What became of one group, once /groups has answered. */
static void
rejoin_settle(struct session *s, const struct rejoin *r)
{
	const char *g = r->name, *now = r->now_owner, *was = r->owner;
	char what[64];

	switch (r->step) {
	case REJOIN_JOINED:
		if (was[0] != '\0' && strcasecmp(was, now) == 0) {
			session_note(s, SHOW_CLIENT, "rejoined #%s", g);
			return;
		}
		if (was[0] == '\0')
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but cannot "
			    "tell whether it is the group you were in: its owner "
			    "was not known (now %s)", g, now[0] ? now : "unknown");
		else if (now[0] == '\0')
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but cannot "
			    "check its owner (it was %s)", g, was);
		else
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but it "
			    "belongs to %s now, not %s: it may not be the group you "
			    "were in", g, now, was);
		snprintf(what, sizeof(what), "owner now %s", now[0] ? now : "unknown");
		break;
	case REJOIN_CREATED:
		session_note(s, SHOW_CLIENT_ERROR, "#%s was gone: made it again%s; "
		    "nobody else is in it now", g, r->invite_only == 1 ?
		    ", invite-only again" : "");
		snprintf(what, sizeof(what), "made again");
		break;
	case REJOIN_TAKEN:
		if (strcasecmp(now, session_name(s)) == 0) {
			/* Kept while we were away (a registered owner). */
			session_note(s, SHOW_CLIENT, "rejoined #%s", g);
			return;
		}
		session_note(s, SHOW_CLIENT_ERROR, "#%s exists again but belongs "
		    "to %s now, not you; joined it as one of its members", g,
		    now[0] ? now : "someone else");
		snprintf(what, sizeof(what), "owner now %s", now[0] ? now : "unknown");
		break;
	case REJOIN_GONE:
		session_note(s, SHOW_CLIENT_ERROR, "#%s is gone and was not yours: "
		    "not made again (it would be open to everyone); /create_group "
		    "%s makes it", g, g);
		snprintf(what, sizeof(what), "gone");
		break;
	case REJOIN_FAILED:
		if (r->taken) {
			session_note(s, SHOW_CLIENT_ERROR, "#%s exists again but "
			    "belongs to %s now, not you, and you may not join it: "
			    "%s", g, now[0] ? now : "someone else", r->why);
			snprintf(what, sizeof(what), "owner now %s, not rejoined",
			    now[0] ? now : "unknown");
			break;
		}
		/* FALLTHROUGH */
	case REJOIN_SENT:
		session_note(s, SHOW_CLIENT_ERROR, "could not rejoin #%s: %s", g,
		    r->why[0] ? r->why : "no answer");
		snprintf(what, sizeof(what), "not rejoined");
		break;
	}
	session_warn_group(s, g, what);
}

/* The end of the rejoin's /groups answer. */
void
rejoin_check(struct rejoin_state *rj, struct session *s)
{
	rj->checking = 0;
	for (size_t i = 0; i < rj->nrejoin; i++)
		rejoin_settle(s, &rj->rejoin[i]);
	rj->nrejoin = 0;
}

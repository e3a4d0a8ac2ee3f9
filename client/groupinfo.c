/*
 * groupinfo.c -- what the client knows of each group: who owns it and
 * whether it is invite-only.
 *
 * Learned from the server's lines (the /groups listing, "created #G",
 * "NAME now owns #G", "#G is now invite-only", "OWNER made #G ...",
 * invitations and kicks, which only an owner gives), so that after a
 * reconnect session.c can tell whether a group it rejoins is still the
 * group it was in.  It decides nothing and sends nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

#define GROUPINFO_MAX	1024	/* groups remembered; more are not */

struct groupinfo {
	struct group_facts	*facts;
	size_t			 len, cap;
};

struct groupinfo *
groupinfo_new(void)
{
	return calloc(1, sizeof(struct groupinfo));
}

void
groupinfo_free(struct groupinfo *gi)
{
	if (gi == NULL)
		return;
	free(gi->facts);
	free(gi);
}

const struct group_facts *
groupinfo_find(const struct groupinfo *gi, const char *group)
{
	for (size_t i = 0; i < gi->len; i++)
		if (strcasecmp(gi->facts[i].name, group) == 0)
			return &gi->facts[i];
	return NULL;
}

/* The entry of group, made (owner and mode unknown) if need be. */
static struct group_facts *
entry(struct groupinfo *gi, const char *group)
{
	struct group_facts *f = (struct group_facts *)groupinfo_find(gi, group);
	size_t cap;
	void *p;

	if (f != NULL || group[0] == '\0')
		return f;
	if (gi->len == GROUPINFO_MAX)
		return NULL;
	if (gi->len == gi->cap) {
		cap = gi->cap ? gi->cap * 2 : 16;
		if ((p = realloc(gi->facts, cap * sizeof(*gi->facts))) == NULL)
			return NULL;
		gi->facts = p;
		gi->cap = cap;
	}
	f = &gi->facts[gi->len++];
	memset(f, 0, sizeof(*f));
	strlcpy(f->name, group, sizeof(f->name));
	f->invite_only = -1;
	return f;
}

static void
set_owner(struct groupinfo *gi, const char *group, const char *owner)
{
	struct group_facts *f = entry(gi, group);

	if (f != NULL)
		strlcpy(f->owner, owner, sizeof(f->owner));
}

static void
set_mode(struct groupinfo *gi, const char *group, int invite_only)
{
	struct group_facts *f = entry(gi, group);

	if (f != NULL)
		f->invite_only = invite_only;
}

void
groupinfo_learn(struct groupinfo *gi, const struct line *l, const char *me)
{
	struct notice n;

	if (l->kind != LINE_NOTICE)
		return;
	proto_notice(l, &n);
	switch (n.kind) {
	case NOTICE_CREATED:
		set_owner(gi, n.group, me);
		set_mode(gi, n.group, 0);
		break;
	case NOTICE_GROUP_INFO:
		/* The owner is "?" while the server has none to name. */
		set_owner(gi, n.group, n.name);
		set_mode(gi, n.group, n.invite_only);
		break;
	case NOTICE_GROUP_MODE:		/* the answer to our /invite_only */
		set_owner(gi, n.group, me);
		set_mode(gi, n.group, n.invite_only);
		break;
	case NOTICE_MADE:
		set_owner(gi, n.group, n.name);
		set_mode(gi, n.group, n.invite_only);
		break;
	case NOTICE_NEW_OWNER:
	case NOTICE_INVITED_YOU:	/* only the owner invites */
	case NOTICE_KICKED_YOU:		/* ... and kicks */
		set_owner(gi, n.group, n.name);
		break;
	default:
		break;
	}
}

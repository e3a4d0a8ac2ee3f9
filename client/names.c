/*
 * names.c -- the user and group names the client has learned.
 *
 * Owns two sorted sets of names, for Tab completion: users (from /users,
 * joins and leaves, and whoever speaks) and groups (from /groups and the
 * group notices).  Names compare without case, as the server's do.
 * Groups are only ever added: the server does not announce the end of a
 * group, so a group name, once learned, stays until the client exits.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

#define NAMES_MAX	4096	/* per set; more are not remembered */

struct name_set {
	char	(*names)[CLIENT_NAME_MAX + 1];
	size_t	 len, cap;
};

struct names {
	struct name_set	users;
	struct name_set	groups;
};

struct names *
names_new(void)
{
	return calloc(1, sizeof(struct names));
}

void
names_free(struct names *n)
{
	if (n == NULL)
		return;
	free(n->users.names);
	free(n->groups.names);
	free(n);
}

/* Index of name, or where it would go (*found says which). */
static size_t
find(const struct name_set *set, const char *name, int *found)
{
	size_t lo = 0, hi = set->len, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcasecmp(set->names[mid], name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
set_add(struct name_set *set, const char *name)
{
	size_t at, len = strlen(name);
	int found;
	void *p;

	if (len == 0 || len > CLIENT_NAME_MAX)
		return;
	at = find(set, name, &found);
	if (found) {
		memcpy(set->names[at], name, len + 1);	/* the latest case */
		return;
	}
	if (set->len == NAMES_MAX)
		return;
	if (set->len == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;

		if ((p = realloc(set->names, cap * sizeof(*set->names))) == NULL)
			return;
		set->names = p;
		set->cap = cap;
	}
	memmove(set->names + at + 1, set->names + at,
	    (set->len - at) * sizeof(*set->names));
	memcpy(set->names[at], name, len + 1);
	set->len++;
}

static void
set_remove(struct name_set *set, const char *name)
{
	size_t at;
	int found;

	at = find(set, name, &found);
	if (!found)
		return;
	memmove(set->names + at, set->names + at + 1,
	    (set->len - at - 1) * sizeof(*set->names));
	set->len--;
}

/* Call add for each name in a space-separated list. */
static void
each_name(struct name_set *set, const char *list)
{
	char name[CLIENT_NAME_MAX + 1];
	const char *p = list;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (proto_take_name(&p, name, sizeof(name)))
			set_add(set, name);
		else
			while (*p != '\0' && *p != ' ')
				p++;
	}
}

static void
names_add_user(struct names *n, const char *name)
{
	set_add(&n->users, name);
}

static void
names_remove_user(struct names *n, const char *name)
{
	set_remove(&n->users, name);
}

static void
names_set_users(struct names *n, const char *list)
{
	n->users.len = 0;
	each_name(&n->users, list);
}

static void
names_add_users(struct names *n, const char *list)
{
	each_name(&n->users, list);
}

static void
names_add_group(struct names *n, const char *name)
{
	set_add(&n->groups, name);
}

size_t
names_match(const struct names *n, int groups, const char *prefix,
    const char **out, size_t max)
{
	const struct name_set *set = groups ? &n->groups : &n->users;
	size_t len = strlen(prefix), count = 0;

	for (size_t i = 0; i < set->len && count < max; i++)
		if (strncasecmp(set->names[i], prefix, len) == 0)
			out[count++] = set->names[i];
	return count;
}

void
names_learn(struct names *n, const struct line *l)
{
	struct notice no;

	switch (l->kind) {
	case LINE_CHAT:
	case LINE_PRIVATE:
		names_add_user(n, l->from);
		return;
	case LINE_GROUP:
		names_add_user(n, l->from);
		names_add_group(n, l->group);
		return;
	case LINE_NOTICE:
		break;
	default:
		return;
	}
	proto_notice(l, &no);
	switch (no.kind) {
	case NOTICE_USERS:
		names_set_users(n, no.list);
		break;
	case NOTICE_GROUP_INFO:
		names_add_group(n, no.group);
		names_add_users(n, no.list);
		break;
	case NOTICE_WELCOME:
	case NOTICE_USER_JOINED:
		names_add_user(n, no.name);
		break;
	case NOTICE_USER_LEFT:
		names_remove_user(n, no.name);
		break;
	case NOTICE_YOU_JOINED:
	case NOTICE_YOU_LEFT:
	case NOTICE_CREATED:
	case NOTICE_GROUP_MODE:
		names_add_group(n, no.group);
		break;
	case NOTICE_MEMBER_JOINED:
	case NOTICE_MEMBER_LEFT:
	case NOTICE_KICKED_YOU:
	case NOTICE_INVITED_YOU:
	case NOTICE_NEW_OWNER:
	case NOTICE_MADE:
		names_add_group(n, no.group);
		if (no.kind != NOTICE_MEMBER_LEFT)
			names_add_user(n, no.name);
		break;
	case NOTICE_BYE:
	case NOTICE_OTHER:
		break;
	}
}

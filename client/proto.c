/*
 * proto.c -- what a line from the server is.
 *
 * Owns the classification of server lines by their prefix (doc/protocol.md:
 * "? " prompt, "* " notice, "! code: " error, "<name> " chat, "*name* "
 * private, "#group <name> " group chat), the reading of the notices the
 * client acts on (welcome, joins, leaves, lists), and which errors end the
 * connection.  It keeps no state and decides nothing: session.c does.
 */
#include <ctype.h>
#include <string.h>

#include "client.h"

static int
name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

int
proto_take_name(const char **p, char *name, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (name_char(s[n]))
		n++;
	if (n == 0 || n >= size)
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	*p = s + n;
	return 1;
}

/* "prefix" at *p: skip it and return 1. */
static int
skip(const char **p, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(*p, prefix, n) != 0)
		return 0;
	*p += n;
	return 1;
}

void
proto_parse(const char *raw, struct line *l)
{
	const char *p = raw, *colon;

	memset(l, 0, sizeof(*l));
	l->raw = raw;
	l->text = raw;
	l->kind = LINE_UNKNOWN;
	if (skip(&p, "? ")) {
		l->kind = LINE_PROMPT;
		l->text = p;
	} else if (skip(&p, "* ")) {
		l->kind = LINE_NOTICE;
		l->text = p;
	} else if (skip(&p, "! ")) {
		l->kind = LINE_ERROR;
		l->text = p;
		colon = strstr(p, ": ");
		if (colon != NULL && (size_t)(colon - p) < sizeof(l->code)) {
			memcpy(l->code, p, (size_t)(colon - p));
			l->code[colon - p] = '\0';
			l->text = colon + 2;
		}
	} else if (skip(&p, "<") && proto_take_name(&p, l->from, sizeof(l->from)) &&
	    skip(&p, "> ")) {
		l->kind = LINE_CHAT;
		l->text = p;
	} else if ((p = raw, skip(&p, "*")) &&
	    proto_take_name(&p, l->from, sizeof(l->from)) && skip(&p, "* ")) {
		l->kind = LINE_PRIVATE;
		l->text = p;
	} else if ((p = raw, skip(&p, "#")) &&
	    proto_take_name(&p, l->group, sizeof(l->group)) && skip(&p, " <") &&
	    proto_take_name(&p, l->from, sizeof(l->from)) && skip(&p, "> ")) {
		l->kind = LINE_GROUP;
		l->text = p;
	} else {
		l->from[0] = l->group[0] = '\0';
	}
}

int
proto_closing_error(const char *code)
{
	return strcmp(code, "closed") == 0 || strcmp(code, "idle-timeout") == 0 ||
	    strcmp(code, "flood") == 0;
}

/* "#G" at *p: the group's name into group. */
static int
group_then(const char **p, char *group, size_t size)
{
	return skip(p, "#") && proto_take_name(p, group, size);
}

/* "invite-only" or "open to everyone", the whole rest of a notice. */
static int
group_mode(const char *p, int *invite_only)
{
	if (strcmp(p, "invite-only") == 0)
		*invite_only = 1;
	else if (strcmp(p, "open to everyone") == 0)
		*invite_only = 0;
	else
		return 0;
	return 1;
}

void
proto_notice(const char *text, struct notice *n)
{
	const char *p = text, *q;
	char other[CLIENT_NAME_MAX + 1];

	memset(n, 0, sizeof(*n));
	n->kind = NOTICE_OTHER;
	if (skip(&p, "welcome, ") && proto_take_name(&p, n->name, sizeof(n->name))) {
		n->kind = NOTICE_WELCOME;
		return;
	}
	if (strcmp(text, "bye") == 0) {
		n->kind = NOTICE_BYE;
		return;
	}
	p = text;
	if (skip(&p, "users (") && (q = strstr(p, "):")) != NULL) {
		n->kind = NOTICE_USERS;
		n->list = q + 2;
		return;
	}
	p = text;
	if (group_then(&p, n->group, sizeof(n->group)) && skip(&p, " (owner ") &&
	    (q = strstr(p, "):")) != NULL) {
		n->kind = NOTICE_GROUP_INFO;
		n->list = q + 2;
		if (proto_take_name(&p, n->name, sizeof(n->name)))
			n->invite_only = skip(&p, ", invite-only, ");
		return;
	}
	p = text;
	if (group_then(&p, n->group, sizeof(n->group)) && skip(&p, " is now ") &&
	    group_mode(p, &n->invite_only)) {
		n->kind = NOTICE_GROUP_MODE;
		return;
	}
	p = text;
	if (skip(&p, "joined ") && group_then(&p, n->group, sizeof(n->group)) &&
	    skip(&p, " (")) {
		n->kind = NOTICE_YOU_JOINED;
		return;
	}
	p = text;
	if (skip(&p, "left ") && group_then(&p, n->group, sizeof(n->group)) &&
	    *p == '\0') {
		n->kind = NOTICE_YOU_LEFT;
		return;
	}
	p = text;
	if (skip(&p, "created ") && group_then(&p, n->group, sizeof(n->group)) &&
	    skip(&p, "; you own it")) {
		n->kind = NOTICE_CREATED;
		return;
	}
	/* The rest start with a user's name. */
	p = text;
	n->group[0] = '\0';
	if (!proto_take_name(&p, n->name, sizeof(n->name)))
		return;
	if (strcmp(p, " joined") == 0) {
		n->kind = NOTICE_USER_JOINED;
	} else if (skip(&p, " left (")) {
		n->kind = NOTICE_USER_LEFT;
	} else if (skip(&p, " joined ") &&
	    group_then(&p, n->group, sizeof(n->group)) && *p == '\0') {
		n->kind = NOTICE_MEMBER_JOINED;
	} else if (skip(&p, " left ") &&
	    group_then(&p, n->group, sizeof(n->group)) &&
	    (*p == '\0' || *p == ' ')) {
		n->kind = NOTICE_MEMBER_LEFT;
	} else if (skip(&p, " kicked you from ") &&
	    group_then(&p, n->group, sizeof(n->group))) {
		n->kind = NOTICE_KICKED_YOU;
	} else if (skip(&p, " kicked ") && proto_take_name(&p, other, sizeof(other)) &&
	    skip(&p, " from ") && group_then(&p, n->group, sizeof(n->group))) {
		n->kind = NOTICE_MEMBER_LEFT;
		memcpy(n->name, other, sizeof(other));
	} else if (skip(&p, " invited you to ") &&
	    group_then(&p, n->group, sizeof(n->group))) {
		n->kind = NOTICE_INVITED_YOU;
	} else if (skip(&p, " now owns ") &&
	    group_then(&p, n->group, sizeof(n->group)) && *p == '\0') {
		n->kind = NOTICE_NEW_OWNER;
	} else if (skip(&p, " made ") &&
	    group_then(&p, n->group, sizeof(n->group)) && skip(&p, " ") &&
	    group_mode(p, &n->invite_only)) {
		n->kind = NOTICE_MADE;
	} else
		n->group[0] = '\0';
}

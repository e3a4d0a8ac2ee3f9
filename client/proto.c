/*
 * proto.c -- what a line from the server is.
 *
 * Owns the classification of server lines by their prefix (doc/protocol.md:
 * "? " prompt, "* " notice, "! code: " error, "<name> " chat, "*name* "
 * private, "#group <name> " group chat, "= group " a group event in its
 * machine form), the reading of the notices the client acts on (welcome,
 * joins, leaves, lists, the answers to its commands), and which errors
 * end the connection.  Group events are never read from sentences: the
 * client asks for their machine form (/events on) and words them with
 * the server's own table (chatcore/events.c).  It keeps no state and decides nothing: session.c does.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "errors.h"
#include "events.h"

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

/* The next space-separated word at *p into word: 1, or 0 if none fits. */
static int
take_word(const char **p, char *word, size_t size)
{
	size_t n = strcspn(*p, " ");

	if (n == 0 || n >= size)
		return 0;
	memcpy(word, *p, n);
	word[n] = '\0';
	*p += n;
	if (**p == ' ')
		(*p)++;
	return 1;
}

/* What a client keeps of an event: the notice kinds it acts on. */
static void
event_notice(const struct core_event *ev, struct notice *n)
{
	const char *name = ev->actor;

	n->kind = NOTICE_OTHER;
	switch (ev->kind) {
	case GROUP_JOINED:
		n->kind = NOTICE_MEMBER_JOINED;
		break;
	case GROUP_LEFT:
		n->kind = NOTICE_MEMBER_LEFT;
		break;
	case GROUP_OWNER:
		n->kind = NOTICE_NEW_OWNER;
		name = ev->target;
		break;
	case GROUP_KICKED:
		n->kind = ev->to_you ? NOTICE_KICKED_YOU : NOTICE_MEMBER_LEFT;
		name = ev->to_you ? ev->actor : ev->target;
		break;
	case GROUP_INVITED:
		n->kind = NOTICE_INVITED_YOU;
		break;
	case GROUP_MODE:
		n->kind = NOTICE_MADE;
		n->invite_only = ev->invite_only;
		break;
	}
	strlcpy(n->name, name, sizeof(n->name));
	strlcpy(n->group, ev->group, sizeof(n->group));
}

/*
 * "= group EVENT #GROUP ACTOR TARGET MODE[ :REASON]" (TARGET and MODE
 * "-" when the event has none): 1 with l filled, else 0.
 */
static int
parse_event(const char *p, const char *me, struct line *l)
{
	char name[16], group[CLIENT_NAME_MAX + 2], target[CLIENT_NAME_MAX + 1];
	char mode[16];
	struct core_event ev;
	size_t len;

	memset(&ev, 0, sizeof(ev));
	if (!skip(&p, "= group ") || !take_word(&p, name, sizeof(name)) ||
	    !core_event_by_name(name, &ev) ||
	    !take_word(&p, group, sizeof(group)) || group[0] != '#' ||
	    !take_word(&p, ev.actor, sizeof(ev.actor)) ||
	    !take_word(&p, target, sizeof(target)) ||
	    !take_word(&p, mode, sizeof(mode)))
		return 0;
	strlcpy(ev.group, group + 1, sizeof(ev.group));
	if (strcmp(target, "-") != 0)
		strlcpy(ev.target, target, sizeof(ev.target));
	ev.invite_only = strcmp(mode, "invite-only") == 0;
	if (skip(&p, ":"))
		strlcpy(ev.reason, p, sizeof(ev.reason));
	ev.to_you = (ev.kind == GROUP_KICKED || ev.kind == GROUP_INVITED) &&
	    strcasecmp(ev.target, me) == 0;
	memcpy(l->shown, "* ", 2);
	len = core_event_words(&ev, l->shown + 2, sizeof(l->shown) - 2);
	if (len == 0)
		return 0;
	l->kind = LINE_NOTICE;
	l->text = l->shown + 2;
	l->event = 1;
	event_notice(&ev, &l->notice);
	return 1;
}

void
proto_parse(const char *raw, const char *me, struct line *l)
{
	const char *p = raw, *colon;

	memset(l, 0, sizeof(*l));
	l->raw = raw;
	l->text = raw;
	l->kind = LINE_UNKNOWN;
	if (parse_event(raw, me, l))
		return;
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

/* The errors after which the server closes: the core's table says. */
int
proto_closing_error(const char *code)
{
	const struct core_error_info *e = core_error_info(core_error_by_code(code));

	return e != NULL && e->closes;
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
proto_notice(const struct line *l, struct notice *n)
{
	const char *text = l->text, *p = text, *q;

	if (l->event) {
		*n = l->notice;
		return;
	}
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
	/* Users joining and leaving the chat (group events are l->event). */
	p = text;
	n->group[0] = '\0';
	if (!proto_take_name(&p, n->name, sizeof(n->name)))
		return;
	if (strcmp(p, " joined") == 0)
		n->kind = NOTICE_USER_JOINED;
	else if (skip(&p, " left ("))
		n->kind = NOTICE_USER_LEFT;
}

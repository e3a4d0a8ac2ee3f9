/*
 * events.c -- the words and names of group events.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "msglog.h"
#include "text.h"

void
core_event_from_record(const struct msglog_entry *e, struct core_event *ev)
{
	size_t len = e->len < EVENT_REASON_MAX ? e->len : EVENT_REASON_MAX;

	memset(ev, 0, sizeof(*ev));
	ev->kind = e->event;
	ev->to_you = e->to.kind == TO_USER;
	ev->invite_only = e->mode != 0;
	strlcpy(ev->group, e->group_name, sizeof(ev->group));
	strlcpy(ev->actor, e->from_name, sizeof(ev->actor));
	strlcpy(ev->target, e->target_name, sizeof(ev->target));
	/* The appender cut it at a character boundary, well under this. */
	memcpy(ev->reason, e->text, len);
	ev->reason[len] = '\0';
}

/* "HEAD(REASON)", the reason cut to fit size. */
static size_t
with_reason(char *buf, size_t size, const char *head, const char *reason)
{
	return text_compose(buf, size, head, reason, SIZE_MAX, ")");
}

size_t
core_event_words(const struct core_event *ev, char *buf, size_t size)
{
	const char *a = ev->actor, *g = ev->group, *t = ev->target;
	char head[4 * SHM_NAME_MAX + 64];

	if (size == 0)
		return 0;
	buf[0] = '\0';
	switch (ev->kind) {
	case GROUP_JOINED:
		return text_printed(snprintf(buf, size, "%s joined #%s", a, g), size);
	case GROUP_LEFT:
		if (ev->reason[0] == '\0')
			return text_printed(snprintf(buf, size, "%s left #%s", a, g), size);
		snprintf(head, sizeof(head), "%s left #%s (", a, g);
		return with_reason(buf, size, head, ev->reason);
	case GROUP_OWNER:
		return text_printed(snprintf(buf, size, "%s now owns #%s", t, g), size);
	case GROUP_KICKED:
		if (ev->to_you)
			snprintf(head, sizeof(head), "%s kicked you from #%s (", a, g);
		else
			snprintf(head, sizeof(head), "%s kicked %s from #%s (", a, t, g);
		return with_reason(buf, size, head, ev->reason[0] != '\0' ?
		    ev->reason : "no reason given");
	case GROUP_INVITED:
		return text_printed(snprintf(buf, size, "%s invited you to #%s; "
		    "/join_group %s to join", a, g, g), size);
	case GROUP_MODE:
		return text_printed(snprintf(buf, size, "%s made #%s %s", a, g,
		    ev->invite_only ? "invite-only" : "open to everyone"), size);
	case GROUP_CLOSED:
		return text_printed(snprintf(buf, size, "#%s was closed", g), size);
	}
	return 0;
}

int
core_lost_span(const struct msglog_entry *e, int64_t *from_ms, int64_t *to_ms)
{
	char text[48];
	size_t len = e->len < sizeof(text) - 1 ? e->len : sizeof(text) - 1;
	long long from, to;
	int end = 0;

	memcpy(text, e->text, len);
	text[len] = '\0';
	if (sscanf(text, "%lld %lld%n", &from, &to, &end) != 2 ||
	    (size_t)end != len || from < 0 || to < from)
		return -1;
	*from_ms = from;
	*to_ms = to;
	return 0;
}

size_t
core_lost_words(const struct msglog_entry *e, char *buf, size_t size)
{
	char from[32] = "?", to[32] = "?";
	int64_t from_ms, to_ms;

	if (size == 0)
		return 0;
	if (core_lost_span(e, &from_ms, &to_ms) == 0) {
		clock_format_utc(from_ms, from, sizeof(from));
		clock_format_utc(to_ms, to, sizeof(to));
	}
	if (e->origin == 0)
		return text_printed(snprintf(buf, size, "lines said here from %s to "
		    "%s never reached the other nodes (the bus was away for too "
		    "long)", from, to), size);
	return text_printed(snprintf(buf, size, "lines said on node %s from %s "
	    "to %s never reached this node (%s was cut off from the bus for too "
	    "long)", e->from_name, from, to, e->from_name), size);
}

static const char *const names[] = {
	[GROUP_JOINED] = "joined",
	[GROUP_LEFT] = "left",
	[GROUP_OWNER] = "owner",
	[GROUP_KICKED] = "kicked",
	[GROUP_INVITED] = "invited",
	[GROUP_MODE] = "mode",
	[GROUP_CLOSED] = "closed",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

const char *
core_event_name(const struct core_event *ev)
{
	return ev->kind < NNAMES ? names[ev->kind] : NULL;
}

int
core_event_by_name(const char *name, struct core_event *ev)
{
	for (uint32_t i = 1; i < NNAMES; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0) {
			ev->kind = i;
			return 1;
		}
	return 0;
}

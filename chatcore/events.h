/*
 * events.h -- group events as data, and their words.
 *
 * Owns what a REC_GROUP record says (lib/groups.c writes it as data:
 * event, group, actor, target, mode, reason), its words for people
 * ("alice kicked bob from #dev (spam)"), and each event's stable name
 * for programs ("kicked").  The line session words a record with it, and
 * chat-client words the events it is sent in their machine form ("= ",
 * doc/protocol.md), so a sentence is never parsed back.
 */
#ifndef CHAT_CORE_EVENTS_H
#define CHAT_CORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "shm_layout.h"

#define EVENT_REASON_MAX	SHM_REASON_MAX	/* bytes of reason kept */

struct core_event {
	uint32_t	kind;		/* GROUP_* */
	int		to_you;		/* addressed to the reader alone: the
					   kicked or invited user */
	int		invite_only;	/* GROUP_MODE */
	char		group[SHM_NAME_MAX + 1];
	char		actor[SHM_NAME_MAX + 1];
	char		target[SHM_NAME_MAX + 1];	/* "" if none */
	char		reason[EVENT_REASON_MAX + 1];	/* "" if none */
};

struct msglog_entry;
/* The event a REC_GROUP record says. */
void	core_event_from_record(const struct msglog_entry *e, struct core_event *ev);
/*
 * Its words in buf (size bytes, NUL-ended); a reason is cut so that the
 * whole fits and keeps its ")".  Returns the length, 0 for an event this
 * build does not know.
 */
size_t	core_event_words(const struct core_event *ev, char *buf, size_t size);
/*
 * What a REC_LOST record says: lines said from *from_ms to *to_ms (unix
 * ms) were lost between nodes.  0, or -1 if its text is not "FROM TO".
 */
int	core_lost_span(const struct msglog_entry *e, int64_t *from_ms,
	    int64_t *to_ms);
/*
 * Its words ("lines said here from ... to ... never reached the other
 * nodes ..."), as core_event_words.
 */
size_t	core_lost_words(const struct msglog_entry *e, char *buf, size_t size);
/* The stable name of an event ("joined"), or NULL. */
const char *core_event_name(const struct core_event *ev);
/* The event named name: 1 with ev->kind (and invite_only) set, else 0. */
int	core_event_by_name(const char *name, struct core_event *ev);

#endif

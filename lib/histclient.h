/*
 * histclient.h -- asking the archive (chat-historyd) over its socket.
 *
 * Owns the wire protocol of HIST_SOCKET_NAME in the runtime directory
 * (doc/architecture.md, section 21) and the asking side of it, used by
 * the front doors: the lines of a scope (the room, a group, a private
 * conversation) before a log position, the private messages kept for a
 * registered user who was offline, and the groups it belongs to.  Only
 * chat-historyd opens the SQLite file: a session asks, for the moment
 * it needs an answer, so it links no SQLite and grows by nothing while
 * nobody asks.  Each question is one connection (lib/asksock.h): a
 * request line, then answer lines, then a last line that says how it
 * ended.
 *
 * Request lines (fields separated by TAB, ended by LF):
 *	history TAB scope TAB name TAB viewer TAB limit TAB segment TAB before
 *		scope "room" (name ""), "group" (name the group) or "user"
 *		(the conversation of viewer and name); at most limit chat
 *		lines, oldest first, stored before record `before` of the
 *		segment whose id is `segment` (hex)
 *	offline-store TAB from TAB to TAB text
 *	offline-take TAB user
 *	offline-done TAB user TAB last-id	(those up to last-id were shown)
 *	groups TAB user
 * Answer lines:
 *	line TAB id TAB time-ms TAB to-kind TAB from TAB to TAB text
 *	member TAB group	invited TAB group
 * and last:
 *	end			done
 *	full			offline-store: the user's queue is full
 *	error TAB why		the archive cannot answer
 */
#ifndef CHAT_HISTCLIENT_H
#define CHAT_HISTCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "shm_layout.h"

#define HIST_SOCKET_NAME	"history.sock"
#define HIST_LIMIT_MAX		500	/* lines one history request gets */
/* Longest request or answer line: a max_line text, names, numbers. */
#define HIST_WIRE_MAX(max_line)	((size_t)(max_line) + 4 * SHM_NAME_MAX + 128)

enum hist_scope {
	HIST_ROOM,
	HIST_GROUP,
	HIST_USER,
};

enum hist_status {
	HIST_OK,
	HIST_FULL,		/* offline-store: the queue is full */
	HIST_UNAVAILABLE,	/* no archive, or it failed: logged */
	HIST_STOPPED,		/* the callback asked to stop */
};

/* A chat line from the archive (text is not NUL-ended). */
struct hist_line {
	uint64_t	 id;		/* record sequence, or offline id */
	int64_t		 time_ms;	/* when it was sent */
	uint32_t	 to_kind;	/* TO_* */
	char		 from[SHM_NAME_MAX + 1];
	char		 to[SHM_NAME_MAX + 1];
	const char	*text;
	size_t		 len;
};

/* Called per line; -1 stops the answer (HIST_STOPPED). */
typedef int	(*hist_line_fn)(void *arg, const struct hist_line *line);
/* Called per group; member 1, or 0 for an invitation. */
typedef void	(*hist_group_fn)(void *arg, const char *group, int member);

struct hist_query {
	const char	*runtime_dir;
	uint32_t	 max_line;
	enum hist_scope	 scope;
	const char	*name;		/* the group or the other user */
	const char	*viewer;
	uint32_t	 limit;
	uint64_t	 segment_id;
	uint64_t	 before;
};

enum hist_status hist_history(const struct hist_query *q, hist_line_fn fn,
	    void *arg);
enum hist_status hist_offline_store(const char *runtime_dir, uint32_t max_line,
	    const char *from, const char *to, const char *text, size_t len);
/* The kept messages, oldest first; *last_id the last one's id (0: none). */
enum hist_status hist_offline_take(const char *runtime_dir, uint32_t max_line,
	    const char *user, hist_line_fn fn, void *arg, uint64_t *last_id);
enum hist_status hist_offline_done(const char *runtime_dir, uint32_t max_line,
	    const char *user, uint64_t last_id);
enum hist_status hist_groups(const char *runtime_dir, uint32_t max_line,
	    const char *user, hist_group_fn fn, void *arg);

#endif

/*
 * follower.h -- following the message log without a client.
 *
 * A log follower (the archiver, the bridge, tools/chat-follow) reads
 * every record of the log with a cursor of its own, and is woken and
 * nudged like a session (design invariant 12; doc/architecture.md,
 * section 18).  This module owns the follower's side: claim a
 * SLOT_FOLLOWER slot, register it with the hub (lib/hublink.c), wait for
 * a wake-up, read on (lib/logreader.c), publish the cursor, and report
 * an overrun as an explicit gap.  The senders' side is in hublink_wake,
 * the hub's in hub/sessions.c.  A follower appends nothing and holds no
 * lock while it waits.
 */
#ifndef CHAT_FOLLOWER_H
#define CHAT_FOLLOWER_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "hublink.h"
#include "logreader.h"
#include "msglog.h"
#include "shm.h"

struct follower {
	struct shm	shm;
	char		runtime_dir[CONF_PATH_MAX];
	int		epfd;		/* the hub link's descriptors */
	struct hublink	link;
	struct logreader reader;	/* every record (reader.every) */
	int		draining;	/* a drain is under way */
	uint64_t	records;	/* records read (pads not counted) */
	uint64_t	gaps;		/* overruns reported */
	uint64_t	lost;		/* cells lost in them */
	char		*text;		/* max_line bytes for a record's text */
	/*
	 * Descriptors of the follower's own added to epfd (data.fd): their
	 * events go to on_event during follower_wait.
	 */
	void		(*on_event)(void *arg, int fd, uint32_t events);
	void		*on_event_arg;
};

/* Where a new follower starts reading. */
enum follower_start {
	FOLLOW_NEW,		/* records appended from now on */
	FOLLOW_OLDEST,		/* the oldest record the ring still holds */
};

/*
 * Attach conf's segment, claim a follower slot (label goes to s_peer,
 * e.g. "follower:chat-follow") and register it with the hub.  0, or -1
 * with why filled (nothing is left held).
 */
int	follower_open(struct follower *f, const struct chat_conf *conf,
	    const char *label, enum follower_start start, char *why,
	    size_t whylen);
/*
 * Go on reading at seq (a stored cursor of this segment's run, from an
 * archive): a record the ring no longer holds is reported as a gap by
 * the next follower_next.  A seq past the log's end reads from its end.
 */
void	follower_seek(struct follower *f, uint64_t seq);
/*
 * SIGINT and SIGTERM end a follower's loop: after follower_on_signals,
 * follower_stopping() is 1 once either came, and a follower_wait under
 * way returns 0 (no SA_RESTART).
 */
void	follower_on_signals(void);
int	follower_stopping(void);
/* Free the slot, close the descriptors, detach. */
void	follower_close(struct follower *f);

/*
 * Wait up to timeout_ms (-1: for ever) for a wake-up.  While the hub is
 * away, registers again every 100 ms; a new registration counts as a
 * wake-up (what was appended meanwhile is there to read).  1 woken, 0
 * timed out or interrupted, -1 with why filled when the hub refused the
 * slot (it was freed while the hub was away) or the wait failed.
 */
int	follower_wait(struct follower *f, int timeout_ms, char *why,
	    size_t whylen);

enum follower_result {
	FOLLOW_RECORD,		/* *entry is the next record */
	FOLLOW_GAP,		/* records were overwritten unread: the cells
				   [gap->from, gap->to) are lost; reading goes
				   on at gap->to */
	FOLLOW_NONE,		/* nothing more now: wait */
};
struct follower_gap {
	uint64_t	from;
	uint64_t	to;
};
/*
 * The next record after the cursor.  A drain starts by clearing the
 * wake flag and noting log_next (logreader_begin), and ends, before
 * FOLLOW_NONE, by publishing the cursor (s_cursor).
 */
enum follower_result follower_next(struct follower *f,
	    struct msglog_entry *entry, struct follower_gap *gap);

#endif

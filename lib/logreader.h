/*
 * logreader.h -- reading the shared log for one slot.
 *
 * Owns a reader's cursor: a drain clears the slot's wake-pending flag,
 * then reads every record up to the log's end, keeps those that reach
 * the reader (msglog_reaches; never its own) and publishes the cursor
 * in the slot (s_cursor) for the laggard nudge.  Also reads the close
 * requests other processes leave in the slot (chatctl kick, a newer
 * login).  A front door formats what it returns; it decides nothing.
 */
#ifndef CHAT_LOGREADER_H
#define CHAT_LOGREADER_H

#include <stddef.h>
#include <stdint.h>

#include "msglog.h"
#include "shm.h"

struct logreader {
	const struct shm *shm;
	uint32_t	 slot, generation;
	uint64_t	 cursor;	/* next record to read */
	uint64_t	 end;		/* log_next when the drain began */
	int		 every;		/* a log follower: every record, for
					   whoever it is (logreader_init: 0) */
	char		*text;		/* max_line bytes for a record's text */
};

enum logreader_result {
	LOGREADER_RECORD,	/* *e is a record for this reader */
	LOGREADER_END,		/* read up to where the drain began */
	LOGREADER_LOST,		/* the ring overran the cursor */
	LOGREADER_STOPPED,	/* logreader_drain: the deliverer said stop */
};

/* text: a buffer of max_line bytes for the records' text. */
void	logreader_init(struct logreader *r, const struct shm *shm, uint32_t slot,
	    uint32_t generation, uint64_t cursor, char *text);
/* Start a drain: clear the wake-pending flag, then note the log's end. */
void	logreader_begin(struct logreader *r);
/* The next record for this reader, up to where the drain began. */
enum logreader_result logreader_next(struct logreader *r, struct msglog_entry *e);
/* Publish the cursor (s_cursor) at the end of a drain. */
void	logreader_publish(const struct logreader *r);
/*
 * A whole drain: begin, hand each record to deliver(arg, e), which
 * returns 1 (delivered), 0 (not shown to this reader) or -1 (stop: the
 * connection is closing), then publish the cursor and count the
 * deliveries (st_deliveries).  LOGREADER_END, LOGREADER_LOST (nothing
 * published: the reader must go) or LOGREADER_STOPPED.
 */
enum logreader_result logreader_drain(struct logreader *r,
	    int (*deliver)(void *, const struct msglog_entry *), void *arg);
/*
 * A close request left in the slot: its DISC_* reason, with its text in
 * reason (size bytes, NUL-ended); -1 if none.
 */
int	logreader_close_request(const struct logreader *r, char *reason,
	    size_t size);

#endif

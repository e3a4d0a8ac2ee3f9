/*
 * msglog.h -- the message log: a ring of 64-byte cells in the segment,
 * holding records of one or more cells each.
 *
 * Owns appending (under log_lock) and reading with torn/overwritten
 * record detection.  Every reader keeps its own cursor: the sequence
 * number of the next record it will read; a record read tells where the
 * next one starts.
 */
#ifndef CHAT_MSGLOG_H
#define CHAT_MSGLOG_H

#include <stddef.h>
#include <stdint.h>

#include "shm.h"

/* Whom a record is for (its r_to_kind, r_to, r_to_generation). */
struct msglog_address {
	uint32_t	kind;			/* TO_* */
	uint32_t	index;			/* slot or group (TO_USER, TO_GROUP) */
	uint32_t	generation;		/* its s_generation or g_generation */
};

/* A record: what msglog_append writes and msglog_read copies out. */
struct msglog_entry {
	uint64_t	seq;			/* set by append and read */
	uint64_t	next;			/* set by append and read: the
						   sequence number after it */
	int64_t		time;			/* set by append and read: unix
						   time of the append, ms */
	uint32_t	origin;			/* node; 0: this one */
	uint32_t	kind;			/* REC_* */
	uint32_t	event;			/* REC_GROUP: GROUP_* */
	uint32_t	mode;			/* GROUP_MODE: 1 invite-only */
	uint32_t	flags;			/* RECF_* */
	uint32_t	from_slot;
	uint32_t	from_generation;
	struct msglog_address to;
	uint32_t	len;			/* bytes of text */
	char		from_name[SHM_NAME_MAX + 1];
	char		to_name[SHM_NAME_MAX + 1];	/* user or group */
	char		group_name[SHM_NAME_MAX + 1];	/* REC_GROUP */
	char		target_name[SHM_NAME_MAX + 1];	/* REC_GROUP */
	char		*text;			/* read: caller's max_line buffer */
};

/*
 * Append a record; its text is cut to max_line, and shorter if the
 * names and text would pass SHM_RECORD_DATA_MAX (callers check lengths
 * first).  Sets e->seq, e->next and e->time and returns e->seq.
 */
uint64_t msglog_append(const struct shm *shm, struct msglog_entry *e);
/*
 * The same, and value stored in *mark (a header field) before log_lock
 * is given back: the record and the mark are there together or not at
 * all, whoever dies when (chat-bridge's bridge_applied).
 */
uint64_t msglog_append_marked(const struct shm *shm, struct msglog_entry *e,
	    _Atomic uint64_t *mark, uint64_t value);
/*
 * Shorthand for a record from slot to everyone (its r_origin the slot's
 * s_origin).  Returns the sequence
 * number after it (where a reader that has read it goes on).
 */
uint64_t msglog_append_all(const struct shm *shm, uint32_t kind,
	    uint32_t from_slot, uint32_t from_generation, const char *from_name,
	    const char *text, size_t len);
/* The sequence number the next appended record will get. */
uint64_t msglog_next(const struct shm *shm);
/*
 * How long ago (ms) the first record a follower labelled label (its
 * s_peer, "follower:chat-bridge") has not read was appended: 0 when it
 * has read them all, -1 when no such follower is attached.  A cursor
 * the ring overran counts from the oldest record still there.
 */
int64_t	msglog_follower_lag_ms(const struct shm *shm, const char *label);
#define BRIDGE_FOLLOWER	"follower:chat-bridge"	/* chat-bridge's label */

enum msglog_result {
	MSGLOG_OK,		/* *entry holds the record at seq (or,
				   after a pad, the one at entry->seq) */
	MSGLOG_NONE,		/* seq has not been written yet */
	MSGLOG_LOST,		/* seq was overwritten: the reader fell behind */
};
/*
 * Copy the record at seq into entry (entry->text must hold max_line
 * bytes), stepping over a pad.  seq must be where a record starts: 1, or
 * an entry's next.
 */
enum msglog_result msglog_read(const struct shm *shm, uint64_t seq,
	    struct msglog_entry *entry);
/*
 * Does a record addressed to `to`, appended as seq, reach the reader in
 * slot (of generation)?  Everyone for TO_ALL; the one user for TO_USER;
 * for TO_GROUP, the members who joined before the record.  The reader of
 * a record and its sender (waking its readers, seq UINT64_MAX: the
 * members now) ask the same question here.  It does not say whether the
 * slot is ACTIVE, nor exclude the sender.
 */
int	msglog_reaches(const struct shm *shm, const struct msglog_address *to,
	    uint64_t seq, uint32_t slot, uint32_t generation);
/*
 * Where a reader that found seq overwritten (MSGLOG_LOST) goes on: the
 * first record at or after seq that is still intact and from which the
 * records chain up to log_next, or log_next if there is none.  The cells
 * from seq to the answer are the gap the reader must report.  entry (its
 * text holding max_line bytes) is scratch.
 */
uint64_t msglog_resync(const struct shm *shm, uint64_t seq,
	    struct msglog_entry *entry);

#endif

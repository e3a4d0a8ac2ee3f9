/*
 * msglog.h -- the message log: a ring of fixed-size records in the segment.
 *
 * Owns appending (under log_lock) and reading with torn/overwritten
 * record detection.  Every reader keeps its own cursor: the sequence
 * number of the next record it will read.
 */
#ifndef CHAT_MSGLOG_H
#define CHAT_MSGLOG_H

#include <stddef.h>
#include <stdint.h>

#include "shm.h"

/* A record copied out of the ring. */
struct msglog_entry {
	uint64_t	seq;
	uint32_t	kind;			/* REC_* */
	uint32_t	from_slot;
	uint32_t	from_generation;
	uint32_t	len;
	char		from_name[SHM_NAME_MAX + 1];
	char		*text;			/* caller's buffer, max_line bytes */
};

/*
 * Append a record; text is cut to max_line (callers check lengths
 * first).  Returns its sequence number.
 */
uint64_t msglog_append(const struct shm *shm, uint32_t kind, uint32_t from_slot,
	    uint32_t from_generation, const char *from_name,
	    const char *text, size_t len);
/* The sequence number the next appended record will get. */
uint64_t msglog_next(const struct shm *shm);

enum msglog_result {
	MSGLOG_OK,		/* *entry holds record seq */
	MSGLOG_NONE,		/* seq has not been written yet */
	MSGLOG_LOST,		/* seq was overwritten: the reader fell behind */
};
/* Copy record seq into entry (entry->text must hold max_line bytes). */
enum msglog_result msglog_read(const struct shm *shm, uint64_t seq,
	    struct msglog_entry *entry);

#endif

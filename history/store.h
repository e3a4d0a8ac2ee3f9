/*
 * store.h -- the history archive: one SQLite file in WAL mode.
 *
 * Owns the schema and every write chat-historyd makes: records keyed by
 * the segment's id and their sequence number (so runs of the log never
 * collide, and a record stored twice is stored once), explicit gap rows
 * for records the ring overwrote before they were read, and the cursor
 * of each run, written in the same transaction as the records it
 * follows, so a kill -9 at any moment resumes exactly where the last
 * commit ended.  Writes are batched: one transaction per drain, at most
 * STORE_BATCH records each.
 */
#ifndef CHAT_HISTORY_STORE_H
#define CHAT_HISTORY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "msglog.h"

#define STORE_BATCH	1000	/* records a transaction holds at most */

struct store;

/* Open (creating, 0640) the archive at path: NULL with why filled. */
struct store *store_open(const char *path, char *why, size_t whylen);
void	store_close(struct store *s);
/*
 * Where the run of segment_id was stored up to: 1 with *next the
 * sequence number to read next, 0 if nothing of that run is stored.
 */
int	store_cursor(struct store *s, uint64_t segment_id, uint64_t *next);
/* Start a batch; add records and gaps; commit it with the cursor. */
int	store_begin(struct store *s);
int	store_record(struct store *s, uint64_t segment_id,
	    const struct msglog_entry *e);
int	store_gap(struct store *s, uint64_t segment_id, uint64_t first,
	    uint64_t last);
int	store_commit(struct store *s, uint64_t segment_id, uint64_t next);
/* The database, for the archive's readers (history/query.c, kept.c) and
 * retention (history/retention.c). */
struct sqlite3;
struct sqlite3 *store_db(struct store *s);
/* The last error, for the log. */
const char *store_error(const struct store *s);

#endif

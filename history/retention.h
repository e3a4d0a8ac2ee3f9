/*
 * retention.h -- forgetting old history: history_days and
 * history_max_rows (chat.conf(5)).
 *
 * Owns the deletion of archived records older than history_days (and of
 * gap rows noticed before then), and of the oldest records beyond
 * history_max_rows.  It deletes in small transactions, a few per step,
 * and a step is taken between two drains of chat-historyd's loop, at
 * most every RETENTION_INTERVAL_MS while nothing is left to delete:
 * archiving waits for one small transaction at a time, never for a whole
 * clean-up.  It does not own the schema (history/store.c).
 */
#ifndef CHAT_HISTORY_RETENTION_H
#define CHAT_HISTORY_RETENTION_H

#include <sqlite3.h>
#include <stdint.h>

#include "conf.h"

#define RETENTION_BATCH		500	/* rows a transaction deletes at most */
#define RETENTION_TXNS		4	/* transactions a step runs at most */
#define RETENTION_INTERVAL_MS	10000	/* between passes with nothing left */
#define RETENTION_AGAIN_MS	50	/* between steps while rows are left */

struct retention;

/*
 * Forget in db (the archive's handle, store_db) what conf's history_days
 * and history_max_rows say to: NULL with why filled if the statements
 * cannot be prepared.  With both 0 there is nothing to do, and every
 * step returns at once.
 */
struct retention *retention_open(sqlite3 *db, const struct chat_conf *conf,
	    char *why, size_t whylen);
void	retention_close(struct retention *r);
/*
 * Milliseconds until the next step is due (0: now), or -1 if none ever
 * is: a timeout for the loop's wait.
 */
int	retention_wait_ms(const struct retention *r);
/*
 * If a step is due, delete up to RETENTION_TXNS * RETENTION_BATCH rows
 * in transactions of their own (none may be open).  Logs at info what a
 * pass deleted once it is over, and at warning an error (the pass is
 * then tried again after RETENTION_INTERVAL_MS).  Returns the rows
 * deleted, or -1 on an error.
 */
long	retention_step(struct retention *r);

#endif

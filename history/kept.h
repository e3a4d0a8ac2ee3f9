/*
 * kept.h -- the archive's copy of the groups that outlive a segment.
 *
 * Owns the tables groups, members and invitations of the archive: every
 * group record (REC_GROUP) the archiver stores is applied to them in
 * the same transaction, so they say, at the archive's cursor, which
 * groups exist with which owner and mode, which registered users are
 * members (a registered member who leaves the chat stays one; /leave_group
 * and a kick end it) and who is invited.  When the hub's segment is made
 * again, the groups whose owner is registered are made again in it
 * (kept_restore), and a registered user logging in is told its groups
 * (history/query.c) to come back into them.
 */
#ifndef CHAT_HISTORY_KEPT_H
#define CHAT_HISTORY_KEPT_H

#include <sqlite3.h>

#include "msglog.h"
#include "shm.h"

/* Apply a REC_GROUP record: 0, or -1 (the database's error). */
int	kept_apply(sqlite3 *db, const struct msglog_entry *e);
/*
 * A segment the archive has not seen: forget the groups of guests, and
 * make the others again in shm, their owners away.  The number made, or
 * -1 (the database's error).
 */
int	kept_restore(sqlite3 *db, const struct shm *shm);

#endif

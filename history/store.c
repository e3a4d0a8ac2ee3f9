/*
 * store.c -- the history archive in SQLite (store.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "kept.h"
#include "store.h"

static const char schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "CREATE TABLE IF NOT EXISTS records ("
    "  segment_id INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  origin INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"		/* REC_* of lib/shm_layout.h */
    "  event INTEGER NOT NULL,"		/* GROUP_* of a REC_GROUP record */
    "  mode INTEGER NOT NULL,"
    "  to_kind INTEGER NOT NULL,"	/* TO_* */
    "  from_name TEXT NOT NULL,"
    "  to_name TEXT NOT NULL,"
    "  group_name TEXT NOT NULL,"
    "  target_name TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  flags INTEGER NOT NULL,"		/* RECF_* */
    "  PRIMARY KEY (segment_id, seq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS records_time ON records (time_ms);"
    /* The room's and a group's lines; a private conversation's. */
    "CREATE INDEX IF NOT EXISTS records_to ON records (kind, to_kind,"
    "  to_name COLLATE NOCASE, time_ms);"
    "CREATE INDEX IF NOT EXISTS records_pair ON records (kind, to_kind,"
    "  to_name COLLATE NOCASE, from_name COLLATE NOCASE, time_ms);"
    /* Kept groups (history/kept.c): registered members, invitations. */
    "CREATE TABLE IF NOT EXISTS groups ("
    "  name TEXT PRIMARY KEY COLLATE NOCASE,"
    "  owner TEXT NOT NULL,"
    "  owner_registered INTEGER NOT NULL,"
    "  invite_only INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS members ("
    "  group_name TEXT NOT NULL COLLATE NOCASE,"
    "  user TEXT NOT NULL COLLATE NOCASE,"
    "  PRIMARY KEY (group_name, user));"
    "CREATE INDEX IF NOT EXISTS members_user ON members (user);"
    "CREATE TABLE IF NOT EXISTS invitations ("
    "  group_name TEXT NOT NULL COLLATE NOCASE,"
    "  user TEXT NOT NULL COLLATE NOCASE,"
    "  PRIMARY KEY (group_name, user));"
    "CREATE INDEX IF NOT EXISTS invitations_user ON invitations (user);"
    /* Private messages to a registered user who was offline. */
    "CREATE TABLE IF NOT EXISTS offline ("
    "  id INTEGER PRIMARY KEY,"
    "  to_name TEXT NOT NULL COLLATE NOCASE,"
    "  from_name TEXT NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  delivered INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS offline_to ON offline (to_name, delivered, id);"
    "CREATE TABLE IF NOT EXISTS gaps ("
    "  segment_id INTEGER NOT NULL,"
    "  first_seq INTEGER NOT NULL,"
    "  last_seq INTEGER NOT NULL,"	/* inclusive */
    "  noticed_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (segment_id, first_seq));"
    "CREATE TABLE IF NOT EXISTS cursors ("
    "  segment_id INTEGER PRIMARY KEY,"
    "  next_seq INTEGER NOT NULL);";

struct store {
	sqlite3		*db;
	sqlite3_stmt	*insert, *gap, *cursor, *find;
	char		 error[256];
};

static int
failed(struct store *s, const char *what)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

static int
prepare(struct store *s)
{
	return sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO records VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s->insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO gaps VALUES (?,?,?,?)",
	    -1, &s->gap, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO cursors VALUES (?,?) ON CONFLICT"
	    "(segment_id) DO UPDATE SET next_seq = excluded.next_seq", -1,
	    &s->cursor, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT next_seq FROM cursors WHERE "
	    "segment_id = ?", -1, &s->find, NULL) != SQLITE_OK ? -1 : 0;
}

struct store *
store_open(const char *path, char *why, size_t whylen)
{
	struct store *s;
	int fd;

	/* Made 0640 before SQLite opens it: the archive holds private lines. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    prepare(s) == -1) {
		snprintf(why, whylen, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "cannot open");
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->gap);
	sqlite3_finalize(s->cursor);
	sqlite3_finalize(s->find);
	sqlite3_close(s->db);
	free(s);
}

int
store_cursor(struct store *s, uint64_t segment_id, uint64_t *next)
{
	int rc, found = 0;

	sqlite3_reset(s->find);
	sqlite3_bind_int64(s->find, 1, (sqlite3_int64)segment_id);
	if ((rc = sqlite3_step(s->find)) == SQLITE_ROW) {
		*next = (uint64_t)sqlite3_column_int64(s->find, 0);
		found = 1;
	} else if (rc != SQLITE_DONE)
		return failed(s, "reading the cursor");
	sqlite3_reset(s->find);
	return found;
}

int
store_begin(struct store *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return failed(s, "BEGIN");
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *text, size_t len)
{
	sqlite3_bind_text(st, i, text, (int)len, SQLITE_TRANSIENT);
}

int
store_record(struct store *s, uint64_t segment_id, const struct msglog_entry *e)
{
	sqlite3_stmt *st = s->insert;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)segment_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)e->seq);
	sqlite3_bind_int64(st, 3, e->time);
	sqlite3_bind_int64(st, 4, e->origin);
	sqlite3_bind_int64(st, 5, e->kind);
	sqlite3_bind_int64(st, 6, e->event);
	sqlite3_bind_int64(st, 7, e->mode);
	sqlite3_bind_int64(st, 8, e->to.kind);
	bind_text(st, 9, e->from_name, strlen(e->from_name));
	bind_text(st, 10, e->to_name, strlen(e->to_name));
	bind_text(st, 11, e->group_name, strlen(e->group_name));
	bind_text(st, 12, e->target_name, strlen(e->target_name));
	bind_text(st, 13, e->text, e->len);
	sqlite3_bind_int64(st, 14, e->flags);
	if (sqlite3_step(st) != SQLITE_DONE)
		return failed(s, "storing a record");
	if (e->kind == REC_GROUP && kept_apply(s->db, e) == -1)
		return failed(s, "keeping a group");
	return 0;
}

int
store_gap(struct store *s, uint64_t segment_id, uint64_t first, uint64_t last)
{
	sqlite3_stmt *st = s->gap;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)segment_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	sqlite3_bind_int64(st, 4, clock_unix_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return failed(s, "storing a gap");
	return 0;
}

int
store_commit(struct store *s, uint64_t segment_id, uint64_t next)
{
	sqlite3_stmt *st = s->cursor;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)segment_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)next);
	if (sqlite3_step(st) != SQLITE_DONE) {
		failed(s, "storing the cursor");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return failed(s, "COMMIT");
	return 0;
}

const char *
store_error(const struct store *s)
{
	return s->error;
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

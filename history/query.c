/*
 * query.c -- the archive's answers (query.h).
 *
 * A scope's newest lines come from the index records_to (the room, a
 * group) or records_pair (a conversation, both ways), read newest first
 * up to the limit, then put oldest first.  "Before" a log position is
 * every run but the present one, and the present run's records before
 * it: the line a reader has not reached yet is not history, it is on
 * its way live.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "query.h"

#define LINE_COLUMNS	"seq, time_ms, to_kind, from_name, to_name, text"
#define BEFORE		"NOT (segment_id = ?4 AND seq >= ?5)"
#define NEWEST		"ORDER BY time_ms DESC, segment_id DESC, seq DESC LIMIT ?6"
#define OLDEST_FIRST	"ORDER BY time_ms, segment_id, seq"

static const char *const sql[] = {
	/* the room (?1 TO_ALL, ?2 "") or a group (?1 TO_GROUP, ?2 its name) */
	"SELECT " LINE_COLUMNS " FROM (SELECT segment_id, " LINE_COLUMNS
	" FROM records WHERE kind = 1 AND to_kind = ?1 AND to_name = ?2 COLLATE"
	" NOCASE AND " BEFORE " " NEWEST ") " OLDEST_FIRST,
	/* the conversation of ?2 and ?3 */
	"SELECT " LINE_COLUMNS " FROM (SELECT segment_id, " LINE_COLUMNS
	" FROM records WHERE kind = 1 AND to_kind = ?1 AND to_name = ?2 COLLATE"
	" NOCASE AND from_name = ?3 COLLATE NOCASE AND " BEFORE
	" UNION ALL SELECT segment_id, " LINE_COLUMNS " FROM records WHERE"
	" kind = 1 AND to_kind = ?1 AND to_name = ?3 COLLATE NOCASE AND"
	" from_name = ?2 COLLATE NOCASE AND " BEFORE " " NEWEST ") " OLDEST_FIRST,
	"SELECT count(*) FROM offline WHERE to_name = ?1 AND delivered = 0",
	"INSERT INTO offline (to_name, from_name, time_ms, text, delivered)"
	" VALUES (?1, ?2, ?3, ?4, 0)",
	"SELECT id, time_ms, 1, from_name, to_name, text FROM offline"
	" WHERE to_name = ?1 AND delivered = 0 ORDER BY id",
	"UPDATE offline SET delivered = 1 WHERE to_name = ?1 AND delivered = 0"
	" AND id <= ?2",
	"SELECT m.group_name, 1 FROM members m JOIN groups g ON g.name ="
	" m.group_name WHERE m.user = ?1 UNION ALL SELECT i.group_name, 0 FROM"
	" invitations i JOIN groups g ON g.name = i.group_name WHERE i.user = ?1",
};
enum statement {
	ST_SCOPE,
	ST_PAIR,
	ST_OFFLINE_COUNT,
	ST_OFFLINE_ADD,
	ST_OFFLINE_TAKE,
	ST_OFFLINE_DONE,
	ST_GROUPS,
	ST_COUNT
};

struct query {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
};

struct query *
query_open(sqlite3 *db)
{
	struct query *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->db = db;
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v2(db, sql[i], -1, &q->st[i], NULL) != SQLITE_OK) {
			query_close(q);
			return NULL;
		}
	return q;
}

void
query_close(struct query *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	free(q);
}

const char *
query_error(struct query *q)
{
	return sqlite3_errmsg(q->db);
}

static sqlite3_stmt *
statement(struct query *q, enum statement which)
{
	sqlite3_stmt *st = q->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void
bind_name(sqlite3_stmt *st, int i, const char *name)
{
	sqlite3_bind_text(st, i, name, -1, SQLITE_STATIC);
}

/* Copy a name column, cut to a segment name's length. */
static void
column_name(sqlite3_stmt *st, int i, char *name)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t len = s != NULL ? strlen((const char *)s) : 0;

	if (len > SHM_NAME_MAX)
		len = SHM_NAME_MAX;
	memcpy(name, s != NULL ? (const char *)s : "", len);
	name[len] = '\0';
}

/* Hand every row of st (LINE_COLUMNS) to fn: 0, or -1. */
static int
each_line(sqlite3_stmt *st, query_line_fn fn, void *arg)
{
	struct hist_line l;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.id = (uint64_t)sqlite3_column_int64(st, 0);
		l.time_ms = sqlite3_column_int64(st, 1);
		l.to_kind = (uint32_t)sqlite3_column_int(st, 2);
		column_name(st, 3, l.from);
		column_name(st, 4, l.to);
		l.text = (const char *)sqlite3_column_text(st, 5);
		l.len = (size_t)sqlite3_column_bytes(st, 5);
		if (l.text == NULL)
			l.text = "";
		if (fn(arg, &l) == -1)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
query_history(struct query *q, enum hist_scope scope, const char *name,
    const char *viewer, uint32_t limit, uint64_t segment_id, uint64_t before,
    query_line_fn fn, void *arg)
{
	sqlite3_stmt *st = statement(q, scope == HIST_USER ? ST_PAIR : ST_SCOPE);

	sqlite3_bind_int(st, 1, scope == HIST_ROOM ? TO_ALL : scope == HIST_GROUP ?
	    TO_GROUP : TO_USER);
	bind_name(st, 2, scope == HIST_ROOM ? "" : name);
	if (scope == HIST_USER)
		bind_name(st, 3, viewer);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)segment_id);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)before);
	sqlite3_bind_int64(st, 6, limit);
	return each_line(st, fn, arg);
}

int
query_offline_store(struct query *q, const char *from, const char *to,
    const char *text, uint32_t max)
{
	sqlite3_stmt *st = statement(q, ST_OFFLINE_COUNT);
	int64_t queued;

	bind_name(st, 1, to);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	queued = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (queued >= max)
		return 1;
	st = statement(q, ST_OFFLINE_ADD);
	bind_name(st, 1, to);
	bind_name(st, 2, from);
	sqlite3_bind_int64(st, 3, clock_unix_ms());
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int
query_offline_take(struct query *q, const char *user, query_line_fn fn,
    void *arg)
{
	sqlite3_stmt *st = statement(q, ST_OFFLINE_TAKE);

	bind_name(st, 1, user);
	return each_line(st, fn, arg);
}

int
query_offline_done(struct query *q, const char *user, uint64_t last_id)
{
	sqlite3_stmt *st = statement(q, ST_OFFLINE_DONE);

	bind_name(st, 1, user);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)last_id);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int
query_groups(struct query *q, const char *user, query_group_fn fn, void *arg)
{
	sqlite3_stmt *st = statement(q, ST_GROUPS);
	char group[SHM_NAME_MAX + 1];
	int rc;

	bind_name(st, 1, user);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		column_name(st, 0, group);
		if (fn(arg, group, sqlite3_column_int(st, 1)) == -1)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

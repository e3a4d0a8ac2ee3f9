/*
 * chatctl_history.c -- chatctl history and export: reading the archive.
 *
 * Opens chat-historyd's SQLite file (history_db; the schema is
 * history/store.c's) read-only: chatctl never writes it, and in WAL mode
 * a reader and the archiver do not wait for each other.  history prints
 * the newest records that match its filters, oldest first, one line each
 * (in the words a client sees) or one JSON object each; export streams
 * every record and gap row as JSON lines, oldest first, a row at a time.
 * It does not own the words of the line protocol (src/deliver.c) nor the
 * schema; it only reads the columns store.c documents.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chatctl.h"
#include "clock.h"
#include "log.h"
#include "shm_layout.h"
#include "text.h"

#define HISTORY_LIMIT		100		/* records shown by default */
#define HISTORY_LIMIT_MAX	10000000

/* The columns read, in this order (COL_*). */
#define COLUMNS "segment_id, seq, time_ms, origin, kind, event, mode, to_kind, " \
	"from_name, to_name, group_name, target_name, text"
enum column {
	COL_SEGMENT, COL_SEQ, COL_TIME, COL_ORIGIN, COL_KIND, COL_EVENT,
	COL_MODE, COL_TO_KIND, COL_FROM, COL_TO, COL_GROUP, COL_TARGET, COL_TEXT
};

/* One record as the statement holds it (strings valid until its next step). */
struct row {
	uint64_t	 segment_id;
	int64_t		 seq, time_ms, origin;
	int		 kind, event, mode, to_kind;
	const char	*from, *to, *group, *target, *text;
	size_t		 text_len;
};

struct filter {
	const char	*group;		/* chat lines to this group */
	const char	*user;		/* chat lines from or to this user */
	int64_t		 since_ms;	/* records at or after; -1 all */
	long		 limit;
};

static const char *const kinds[] = {
	[REC_CHAT] = "chat", [REC_JOIN] = "join", [REC_LEAVE] = "leave",
	[REC_GROUP] = "group", [REC_LOST] = "lost",
};
static const char *const events[] = {
	[GROUP_JOINED] = "joined", [GROUP_LEFT] = "left", [GROUP_OWNER] = "owner",
	[GROUP_KICKED] = "kicked", [GROUP_INVITED] = "invited",
	[GROUP_MODE] = "mode", [GROUP_CLOSED] = "closed",
};
static const char *const to_kinds[] = {
	[TO_ALL] = "all", [TO_USER] = "user", [TO_GROUP] = "group",
};
#define NAME_OF(table, i) ((i) >= 0 && (size_t)(i) < \
	sizeof(table) / sizeof(table[0]) ? (table)[i] : NULL)

static const char *
column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

static void
row_read(sqlite3_stmt *st, struct row *r)
{
	r->segment_id = (uint64_t)sqlite3_column_int64(st, COL_SEGMENT);
	r->seq = sqlite3_column_int64(st, COL_SEQ);
	r->time_ms = sqlite3_column_int64(st, COL_TIME);
	r->origin = sqlite3_column_int64(st, COL_ORIGIN);
	r->kind = sqlite3_column_int(st, COL_KIND);
	r->event = sqlite3_column_int(st, COL_EVENT);
	r->mode = sqlite3_column_int(st, COL_MODE);
	r->to_kind = sqlite3_column_int(st, COL_TO_KIND);
	r->from = column_text(st, COL_FROM);
	r->to = column_text(st, COL_TO);
	r->group = column_text(st, COL_GROUP);
	r->target = column_text(st, COL_TARGET);
	r->text = column_text(st, COL_TEXT);
	r->text_len = (size_t)sqlite3_column_bytes(st, COL_TEXT);
}

/* "2026-12-03T17:20:01.123Z" into buf (at least 32 bytes). */
static void
format_time(char *buf, size_t size, int64_t ms)
{
	int64_t secs = ms / 1000, frac = ms % 1000;
	struct tm tm;
	time_t t;

	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	t = (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "@%lld", (long long)ms);
		return;
	}
	snprintf(buf + strlen(buf), size - strlen(buf), ".%03dZ", (int)frac);
}

/* ------------------------------------------------------------------ */
/* Opening the archive */

static int
archive_open(const struct chatctl *ctl, const char *verb, sqlite3 **db)
{
	const char *path = ctl->conf.history_db;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			fprintf(stderr, "chatctl: %s: no archive at %s (is "
			    "chat-historyd running?)\n", verb, path);
		else
			fprintf(stderr, "chatctl: %s: %s: %s\n", verb, path,
			    strerror(errno));
		return EXIT_SYSTEM;
	}
	close(fd);
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(*db, 5000) != SQLITE_OK) {
		fprintf(stderr, "chatctl: %s: %s: %s\n", verb, path,
		    *db != NULL ? sqlite3_errmsg(*db) : "cannot open");
		sqlite3_close(*db);
		return EXIT_SYSTEM;
	}
	return 0;
}

static int
archive_failed(const struct chatctl *ctl, const char *verb, sqlite3 *db)
{
	fprintf(stderr, "chatctl: %s: %s: %s\n", verb, ctl->conf.history_db,
	    sqlite3_errmsg(db));
	return EXIT_SYSTEM;
}

/* ------------------------------------------------------------------ */
/* Lines for people */

/* s (len bytes) with control characters (C0, DEL, C1) shown as '?'. */
static void
put_text(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f) {
			putchar('?');
			i++;
		} else if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			putchar('?');
		else
			putchar(u[i]);
	}
}

static void
put(const char *s)
{
	put_text(s, strlen(s));
}

/* REC_LOST: "* lines of node N from T1 to T2 were lost between nodes". */
static void
put_lost(const struct row *r)
{
	char text[48], from[32] = "?", to[32] = "?";
	size_t len = r->text_len < sizeof(text) - 1 ? r->text_len : sizeof(text) - 1;
	long long from_ms, to_ms;

	memcpy(text, r->text, len);
	text[len] = '\0';
	if (sscanf(text, "%lld %lld", &from_ms, &to_ms) == 2) {
		format_time(from, sizeof(from), from_ms);
		format_time(to, sizeof(to), to_ms);
	}
	fputs("* lines of node ", stdout);
	put(r->from);
	printf(" from %s to %s were lost between nodes", from, to);
}

/* " (TEXT)" when there is a text: a reason. */
static void
put_reason(const struct row *r)
{
	if (r->text_len == 0)
		return;
	fputs(" (", stdout);
	put_text(r->text, r->text_len);
	putchar(')');
}

static void
put_chat(const struct row *r)
{
	switch (r->to_kind) {
	case TO_USER:		/* *alice->bob* hi */
		putchar('*');
		put(r->from);
		fputs("->", stdout);
		put(r->to);
		fputs("* ", stdout);
		break;
	case TO_GROUP:		/* #dev <alice> hi */
		putchar('#');
		put(r->to);
		fputs(" <", stdout);
		put(r->from);
		fputs("> ", stdout);
		break;
	default:		/* <alice> hi */
		putchar('<');
		put(r->from);
		fputs("> ", stdout);
		break;
	}
	put_text(r->text, r->text_len);
}

/* A group event in the words a member reads, for a third person. */
static void
put_group(const struct row *r)
{
	fputs("* ", stdout);
	if (r->event == GROUP_CLOSED) {		/* * #dev was closed */
		putchar('#');
		put(r->group);
		fputs(" was closed", stdout);
		return;
	}
	put(r->event == GROUP_OWNER ? r->target : r->from);
	switch (r->event) {
	case GROUP_JOINED:
		fputs(" joined #", stdout);
		put(r->group);
		break;
	case GROUP_LEFT:
		fputs(" left #", stdout);
		put(r->group);
		put_reason(r);
		break;
	case GROUP_OWNER:
		fputs(" now owns #", stdout);
		put(r->group);
		break;
	case GROUP_KICKED:
		fputs(" kicked ", stdout);
		put(r->target);
		fputs(" from #", stdout);
		put(r->group);
		put_reason(r);
		break;
	case GROUP_INVITED:
		fputs(" invited ", stdout);
		put(r->target);
		fputs(" to #", stdout);
		put(r->group);
		break;
	case GROUP_MODE:
		fputs(" made #", stdout);
		put(r->group);
		fputs(r->mode ? " invite-only" : " open to everyone", stdout);
		break;
	default:
		printf(": event %d on #", r->event);
		put(r->group);
		break;
	}
}

static void
put_row(const struct row *r)
{
	char when[64];

	format_time(when, sizeof(when), r->time_ms);
	printf("%s ", when);
	switch (r->kind) {
	case REC_CHAT:
		put_chat(r);
		break;
	case REC_JOIN:
		fputs("* ", stdout);
		put(r->from);
		fputs(" joined", stdout);
		break;
	case REC_LEAVE:
		fputs("* ", stdout);
		put(r->from);
		fputs(" left", stdout);
		put_reason(r);
		break;
	case REC_GROUP:
		put_group(r);
		break;
	case REC_LOST:
		put_lost(r);
		break;
	default:
		printf("* record of kind %d from ", r->kind);
		put(r->from);
		break;
	}
	putchar('\n');
}

/* ------------------------------------------------------------------ */
/* JSON lines */

/* A JSON string of s (len bytes), invalid UTF-8 replaced by U+FFFD. */
static json_t *
json_text(const char *s, size_t len)
{
	json_t *j;
	char *copy;
	size_t n = 0, c;

	if ((j = json_stringn(s, len)) != NULL)
		return j;
	if ((copy = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += c) {
		if ((c = utf8_char_length(s + i, len - i)) != 0 && s[i] != '\0') {
			memcpy(copy + n, s + i, c);
			n += c;
		} else {
			memcpy(copy + n, "\xef\xbf\xbd", 3);
			n += 3;
			c = 1;
		}
	}
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

static void
set_name(json_t *o, const char *key, const char *const name, int value)
{
	json_object_set_new(o, key, name != NULL ? json_string(name) :
	    json_integer(value));
}

static json_t *
row_json(const struct row *r)
{
	char when[64], segment[32];
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	format_time(when, sizeof(when), r->time_ms);
	snprintf(segment, sizeof(segment), "%016llx",
	    (unsigned long long)r->segment_id);
	json_object_set_new(o, "type", json_string("record"));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "time_ms", json_integer(r->time_ms));
	json_object_set_new(o, "segment", json_string(segment));
	json_object_set_new(o, "seq", json_integer(r->seq));
	json_object_set_new(o, "origin", json_integer(r->origin));
	set_name(o, "kind", NAME_OF(kinds, r->kind), r->kind);
	set_name(o, "to_kind", NAME_OF(to_kinds, r->to_kind), r->to_kind);
	json_object_set_new(o, "from", json_text(r->from, strlen(r->from)));
	json_object_set_new(o, "to", json_text(r->to, strlen(r->to)));
	if (r->kind == REC_GROUP || r->event != 0) {
		set_name(o, "event", NAME_OF(events, r->event), r->event);
		json_object_set_new(o, "group", json_text(r->group,
		    strlen(r->group)));
		json_object_set_new(o, "target", json_text(r->target,
		    strlen(r->target)));
		if (r->event == GROUP_MODE)
			json_object_set_new(o, "mode", json_string(r->mode ?
			    "invite-only" : "open"));
	}
	json_object_set_new(o, "text", json_text(r->text, r->text_len));
	return o;
}

/* Print o as one line and drop it: 0, or -1 (out of memory, a write). */
static int
put_json(json_t *o)
{
	int rc;

	if (o == NULL)
		return -1;
	rc = json_dumpf(o, stdout, JSON_COMPACT);
	json_decref(o);
	if (rc == -1 || putchar('\n') == EOF)
		return -1;
	return 0;
}

/* After the last line: 0, or EXIT_SYSTEM if a write failed. */
static int
put_output_end(const char *verb)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "chatctl: %s: writing: %s\n", verb, strerror(errno));
		return EXIT_SYSTEM;
	}
	return 0;
}

/* When put_json failed: say why, return EXIT_SYSTEM. */
static int
put_json_failed(const char *verb)
{
	if (put_output_end(verb) == 0)
		fprintf(stderr, "chatctl: %s: out of memory\n", verb);
	return EXIT_SYSTEM;
}

/* ------------------------------------------------------------------ */
/* chatctl history */

/* n followed by the unit c, in ms (s, m, h, d, w), or -1. */
static int64_t
unit_ms(char c)
{
	switch (c) {
	case 's':
		return 1000;
	case 'm':
		return 60 * 1000;
	case 'h':
		return 3600 * 1000;
	case 'd':
		return 24 * 3600 * 1000;
	case 'w':
		return 7 * 24 * 3600 * 1000;
	}
	return -1;
}

/* "YYYY-MM-DD[ HH:MM[:SS]]" (or with a T, and a Z at the end), UTC. */
static int
parse_date(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *p;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if ((*p == ' ' || *p == 'T') &&
	    (p = strptime(p + 1, "%H:%M", &tm)) != NULL && *p == ':')
		p = strptime(p + 1, "%S", &tm);
	if (p != NULL && *p == 'Z')
		p++;
	if (p == NULL || *p != '\0')
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* --since: unix seconds, a date (UTC), or an age (2h, 30m, 7d). */
static int
parse_since(const char *s, int64_t now_ms, int64_t *ms)
{
	long long n;
	int64_t unit;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	if (strlen(s) >= 10 && s[4] == '-')
		return parse_date(s, ms);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || n < 0)
		return -1;
	if (*end == '\0') {
		if (n > INT64_MAX / 1000)
			return -1;
		*ms = (int64_t)n * 1000;
		return 0;
	}
	if (end[1] != '\0' || (unit = unit_ms(*end)) == -1 ||
	    n > (now_ms < 0 ? 0 : now_ms) / unit)
		return -1;
	*ms = now_ms - (int64_t)n * unit;
	return 0;
}

static int
history_usage(void)
{
	fprintf(stderr, "usage: chatctl history [--group G] [--user U] "
	    "[--since TIME] [--limit N] [--json]\n");
	return EXIT_USAGE;
}

/* "--key value" or "--key=value": the value, or NULL if argv[*i] is not it. */
static const char *
option(const char *key, int argc, char **argv, int *i)
{
	size_t len = strlen(key);

	if (strncmp(argv[*i], key, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int
parse_filter(int argc, char **argv, struct filter *f)
{
	const char *v;
	char *end;

	memset(f, 0, sizeof(*f));
	f->since_ms = -1;
	f->limit = HISTORY_LIMIT;
	for (int i = 0; i < argc; i++) {
		if ((v = option("--group", argc, argv, &i)) != NULL)
			f->group = v[0] == '#' ? v + 1 : v;
		else if ((v = option("--user", argc, argv, &i)) != NULL)
			f->user = v;
		else if ((v = option("--since", argc, argv, &i)) != NULL) {
			if (parse_since(v, clock_unix_ms(), &f->since_ms) == -1) {
				fprintf(stderr, "chatctl: history: bad --since '%s' "
				    "(unix seconds, YYYY-MM-DD[ HH:MM[:SS]] in UTC, "
				    "or an age like 30m, 2h, 7d)\n", v);
				return EXIT_USAGE;
			}
		} else if ((v = option("--limit", argc, argv, &i)) != NULL) {
			errno = 0;
			f->limit = strtol(v, &end, 10);
			if (errno != 0 || end == v || *end != '\0' ||
			    f->limit < 1 || f->limit > HISTORY_LIMIT_MAX) {
				fprintf(stderr, "chatctl: history: bad --limit '%s' "
				    "(1 to %d)\n", v, HISTORY_LIMIT_MAX);
				return EXIT_USAGE;
			}
		} else
			return history_usage();
	}
	if ((f->group != NULL && f->group[0] == '\0') ||
	    (f->user != NULL && f->user[0] == '\0'))
		return history_usage();
	return 0;
}

/* Bind the parameter name if the statement has it. */
static void
bind_int64(sqlite3_stmt *st, const char *name, int64_t value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i != 0)
		sqlite3_bind_int64(st, i, value);
}

static void
bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i != 0 && value != NULL)
		sqlite3_bind_text(st, i, value, -1, SQLITE_STATIC);
}

/*
 * The newest f->limit records that match, oldest first: the inner query
 * walks the time index backwards, the outer one puts them in order.
 */
static int
history_query(sqlite3 *db, const struct filter *f, sqlite3_stmt **st)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "SELECT * FROM (SELECT " COLUMNS
	    " FROM records WHERE 1%s%s%s%s ORDER BY time_ms DESC, segment_id DESC,"
	    " seq DESC LIMIT :limit) ORDER BY time_ms, segment_id, seq",
	    f->group != NULL || f->user != NULL ? " AND kind = :chat" : "",
	    f->group != NULL ? " AND to_kind = :to_group AND to_name = :group"
	    " COLLATE NOCASE" : "",
	    f->user != NULL ? " AND (from_name = :user COLLATE NOCASE OR"
	    " (to_kind = :to_user AND to_name = :user COLLATE NOCASE))" : "",
	    f->since_ms >= 0 ? " AND time_ms >= :since" : "");
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return -1;
	bind_int64(*st, ":limit", f->limit);
	bind_int64(*st, ":chat", REC_CHAT);
	bind_int64(*st, ":to_group", TO_GROUP);
	bind_int64(*st, ":to_user", TO_USER);
	bind_int64(*st, ":since", f->since_ms);
	bind_text(*st, ":group", f->group);
	bind_text(*st, ":user", f->user);
	return 0;
}

int
verb_history(struct chatctl *ctl, int argc, char **argv)
{
	struct filter f;
	struct row r;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = parse_filter(argc, argv, &f)) != 0 ||
	    (rc = archive_open(ctl, "history", &db)) != 0)
		return rc;
	if (history_query(db, &f, &st) == -1) {
		rc = archive_failed(ctl, "history", db);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_read(st, &r);
		if (!ctl->json)
			put_row(&r);
		else if (put_json(row_json(&r)) == -1) {
			rc = put_json_failed("history");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		rc = archive_failed(ctl, "history", db);
	else
		rc = put_output_end("history");
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* ------------------------------------------------------------------ */
/* chatctl export */

/*
 * Gap rows, each placed where its missing records would be: at the time
 * of the record before it in its run (or after it, or when it was
 * noticed), so that merging by (time, segment, sequence) with the
 * records puts it between them.
 */
static const char gaps_sql[] =
    "SELECT segment_id, first_seq, last_seq, noticed_ms, COALESCE("
    " (SELECT time_ms FROM records r WHERE r.segment_id = g.segment_id AND"
    "  r.seq < g.first_seq ORDER BY r.seq DESC LIMIT 1),"
    " (SELECT time_ms FROM records r WHERE r.segment_id = g.segment_id AND"
    "  r.seq > g.last_seq ORDER BY r.seq LIMIT 1),"
    " noticed_ms) AS at FROM gaps g ORDER BY at, segment_id, first_seq";

static json_t *
gap_json(sqlite3_stmt *st)
{
	char when[64], segment[32];
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	format_time(when, sizeof(when), sqlite3_column_int64(st, 3));
	snprintf(segment, sizeof(segment), "%016llx",
	    (unsigned long long)sqlite3_column_int64(st, 0));
	json_object_set_new(o, "type", json_string("gap"));
	json_object_set_new(o, "segment", json_string(segment));
	json_object_set_new(o, "first_seq", json_integer(sqlite3_column_int64(st, 1)));
	json_object_set_new(o, "last_seq", json_integer(sqlite3_column_int64(st, 2)));
	json_object_set_new(o, "noticed", json_string(when));
	json_object_set_new(o, "noticed_ms", json_integer(sqlite3_column_int64(st, 3)));
	return o;
}

/* Does the gap at st come before the record r? */
static int
gap_first(sqlite3_stmt *st, const struct row *r)
{
	int64_t at = sqlite3_column_int64(st, 4);
	int64_t segment = sqlite3_column_int64(st, 0);

	if (at != r->time_ms)
		return at < r->time_ms;
	if (segment != (int64_t)r->segment_id)
		return segment < (int64_t)r->segment_id;
	return sqlite3_column_int64(st, 1) < r->seq;
}

/* Merge the two cursors; an SQLite result code (SQLITE_DONE), or -1. */
static int
export_rows(sqlite3_stmt *records, sqlite3_stmt *gaps)
{
	int rrc = sqlite3_step(records), grc = sqlite3_step(gaps);
	struct row r;

	while (rrc == SQLITE_ROW || grc == SQLITE_ROW) {
		if (rrc == SQLITE_ROW)
			row_read(records, &r);
		if (grc == SQLITE_ROW && (rrc != SQLITE_ROW ||
		    gap_first(gaps, &r))) {
			if (put_json(gap_json(gaps)) == -1)
				return -1;
			grc = sqlite3_step(gaps);
		} else {
			if (put_json(row_json(&r)) == -1)
				return -1;
			rrc = sqlite3_step(records);
		}
	}
	return rrc != SQLITE_DONE ? rrc : grc;
}

int
verb_export(struct chatctl *ctl, int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *records = NULL, *gaps = NULL;
	int rc;

	if (!(argc == 0 || (argc == 2 && strcmp(argv[0], "--format") == 0 &&
	    strcmp(argv[1], "jsonl") == 0) || (argc == 1 &&
	    strcmp(argv[0], "--format=jsonl") == 0))) {
		fprintf(stderr, "usage: chatctl export --format jsonl\n");
		return EXIT_USAGE;
	}
	if ((rc = archive_open(ctl, "export", &db)) != 0)
		return rc;
	/* One read transaction: both cursors see the same archive. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT " COLUMNS " FROM records ORDER BY "
	    "time_ms, segment_id, seq", -1, &records, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, gaps_sql, -1, &gaps, NULL) != SQLITE_OK) {
		rc = archive_failed(ctl, "export", db);
		goto out;
	}
	if ((rc = export_rows(records, gaps)) == -1)
		rc = put_json_failed("export");
	else if (rc != SQLITE_DONE)
		rc = archive_failed(ctl, "export", db);
	else
		rc = put_output_end("export");
out:
	sqlite3_finalize(records);
	sqlite3_finalize(gaps);
	sqlite3_close(db);
	return rc;
}

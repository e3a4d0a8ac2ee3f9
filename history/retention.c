/*
 * retention.c -- forgetting old history (retention.h).
 *
 * A pass goes through three phases, each a series of transactions of at
 * most RETENTION_BATCH rows: the records older than history_days, the
 * gap rows noticed before then, and the oldest records (by time_ms)
 * beyond history_max_rows, counted once when that phase begins.  A step
 * runs at most RETENTION_TXNS transactions, and the next step comes
 * RETENTION_AGAIN_MS later while the pass is under way, so the archiver
 * drains the log between them; a finished pass is logged, and the next
 * one starts RETENTION_INTERVAL_MS later.
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "retention.h"

#define DAY_MS	(24LL * 60 * 60 * 1000)

enum phase {
	PHASE_OLD,		/* records older than history_days */
	PHASE_GAPS,		/* gap rows noticed before then */
	PHASE_OVER,		/* the oldest records beyond history_max_rows */
	PHASE_DONE,
};

struct retention {
	sqlite3		*db;
	int64_t		 keep_ms;	/* history_days in ms; 0: for ever */
	int64_t		 max_rows;	/* history_max_rows; 0: no cap */
	sqlite3_stmt	*old, *old_gaps, *count, *over;
	int64_t		 due;		/* monotonic ms of the next step */
	enum phase	 phase;		/* of the pass under way */
	int64_t		 excess;	/* PHASE_OVER: records still to delete */
	long		 records, gaps;	/* deleted by the pass under way */
};

static int
enabled(const struct retention *r)
{
	return r->keep_ms != 0 || r->max_rows != 0;
}

static enum phase
first_phase(const struct retention *r)
{
	return r->keep_ms != 0 ? PHASE_OLD : PHASE_OVER;
}

struct retention *
retention_open(sqlite3 *db, const struct chat_conf *conf, char *why,
    size_t whylen)
{
	struct retention *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	r->db = db;
	r->keep_ms = (int64_t)conf->history_days * DAY_MS;
	r->max_rows = conf->history_max_rows;
	r->phase = first_phase(r);
	r->excess = -1;
	if (sqlite3_prepare_v2(db, "DELETE FROM records WHERE (segment_id, seq) "
	    "IN (SELECT segment_id, seq FROM records WHERE time_ms < ?1 "
	    "ORDER BY time_ms LIMIT ?2)", -1, &r->old, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM gaps WHERE (segment_id, first_seq) "
	    "IN (SELECT segment_id, first_seq FROM gaps WHERE noticed_ms < ?1 "
	    "LIMIT ?2)", -1, &r->old_gaps, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM records", -1, &r->count,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM records WHERE (segment_id, seq) "
	    "IN (SELECT segment_id, seq FROM records ORDER BY time_ms LIMIT ?2)",
	    -1, &r->over, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "retention: %s", sqlite3_errmsg(db));
		retention_close(r);
		return NULL;
	}
	return r;
}

void
retention_close(struct retention *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->old);
	sqlite3_finalize(r->old_gaps);
	sqlite3_finalize(r->count);
	sqlite3_finalize(r->over);
	free(r);
}

int
retention_wait_ms(const struct retention *r)
{
	int64_t left;

	if (!enabled(r))
		return -1;
	left = r->due - clock_monotonic_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static long
failed(struct retention *r, const char *what)
{
	log_warnx("retention: %s: %s", what, sqlite3_errmsg(r->db));
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* One transaction: st deletes up to limit rows before cutoff.  Rows, or -1. */
static long
delete_batch(struct retention *r, sqlite3_stmt *st, int64_t cutoff, int limit)
{
	long n;

	if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return failed(r, "BEGIN");
	sqlite3_reset(st);
	if (sqlite3_bind_parameter_index(st, "?1") != 0)
		sqlite3_bind_int64(st, 1, cutoff);
	sqlite3_bind_int(st, 2, limit);
	if (sqlite3_step(st) != SQLITE_DONE) {
		n = failed(r, "deleting");
		sqlite3_reset(st);
		return n;
	}
	n = sqlite3_changes(r->db);
	sqlite3_reset(st);
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return failed(r, "COMMIT");
	return n;
}

/* The records beyond history_max_rows now: 0 or more, or -1. */
static int64_t
excess(struct retention *r)
{
	int64_t rows;

	sqlite3_reset(r->count);
	if (sqlite3_step(r->count) != SQLITE_ROW) {
		rows = failed(r, "counting the records");
		sqlite3_reset(r->count);
		return rows;
	}
	rows = sqlite3_column_int64(r->count, 0);
	sqlite3_reset(r->count);
	return rows > r->max_rows ? rows - r->max_rows : 0;
}

/*
 * One transaction of the pass's current phase, moving to the next phase
 * when this one has nothing left.  Rows deleted, or -1.
 */
static long
phase_step(struct retention *r, int64_t cutoff)
{
	long n = 0;
	int limit;

	switch (r->phase) {
	case PHASE_OLD:
		if ((n = delete_batch(r, r->old, cutoff, RETENTION_BATCH)) == -1)
			return -1;
		r->records += n;
		if (n < RETENTION_BATCH)
			r->phase = PHASE_GAPS;
		break;
	case PHASE_GAPS:
		if ((n = delete_batch(r, r->old_gaps, cutoff, RETENTION_BATCH)) == -1)
			return -1;
		r->gaps += n;
		if (n < RETENTION_BATCH) {
			r->phase = PHASE_OVER;
			r->excess = -1;
		}
		break;
	case PHASE_OVER:
		if (r->max_rows == 0) {
			r->phase = PHASE_DONE;
			break;
		}
		if (r->excess == -1 && (r->excess = excess(r)) == -1)
			return -1;
		limit = r->excess < RETENTION_BATCH ? (int)r->excess : RETENTION_BATCH;
		if (limit > 0 && (n = delete_batch(r, r->over, 0, limit)) == -1)
			return -1;
		r->records += n;
		r->excess -= n;
		if (n < limit || r->excess <= 0)
			r->phase = PHASE_DONE;
		break;
	case PHASE_DONE:
		break;
	}
	return n;
}

static void
pass_over(struct retention *r, int64_t now)
{
	if (r->records > 0 || r->gaps > 0)
		log_info("retention: deleted %ld records and %ld gap rows "
		    "(history_days %lld, history_max_rows %lld)", r->records,
		    r->gaps, (long long)(r->keep_ms / DAY_MS),
		    (long long)r->max_rows);
	r->records = r->gaps = 0;
	r->phase = first_phase(r);
	r->excess = -1;
	r->due = now + RETENTION_INTERVAL_MS;
}

long
retention_step(struct retention *r)
{
	int64_t now = clock_monotonic_ms(), cutoff;
	long n, total = 0;

	if (!enabled(r) || now < r->due)
		return 0;
	cutoff = clock_unix_ms() - r->keep_ms;
	for (int t = 0; t < RETENTION_TXNS && r->phase != PHASE_DONE; t++) {
		if ((n = phase_step(r, cutoff)) == -1) {
			r->records = r->gaps = 0;
			pass_over(r, now);
			return -1;
		}
		total += n;
	}
	if (r->phase == PHASE_DONE)
		pass_over(r, now);
	else
		r->due = now + RETENTION_AGAIN_MS;
	return total;
}

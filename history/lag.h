/*
 * lag.h -- how far the archive trails the log.
 *
 * Owns chat-historyd's figures for the run: for every record it stored,
 * the time from the record's append (the log's e.time, unix ms) to the
 * commit that made it durable, in a fixed histogram of 1 ms buckets up
 * to LAG_MAX_MS and one bucket for anything longer; the records, the
 * span they were archived over and the gap rows stored.  The drain
 * notes each record's append time (lag_note, no clock read), the commit
 * settles the batch (lag_commit, one clock read by the caller), and the
 * run's summary is one log line at exit (lag_report).  make bench reads
 * that line; nothing else depends on it.
 */
#ifndef CHAT_HISTORY_LAG_H
#define CHAT_HISTORY_LAG_H

#include <stddef.h>
#include <stdint.h>

#define LAG_MAX_MS	10000	/* 1 ms buckets below this, one above */
#define LAG_PENDING	256	/* distinct append ms an open batch notes */

struct lag_pending {
	int64_t		 append_ms;
	uint32_t	 records;
};

struct lag {
	uint64_t	 buckets[LAG_MAX_MS + 1];	/* [LAG_MAX_MS]: longer */
	struct lag_pending pending[LAG_PENDING];	/* the open batch */
	size_t		 npending;
	uint64_t	 records;	/* committed */
	uint64_t	 gaps;		/* gap rows stored */
	int64_t		 first_ms;	/* append time of the first record */
	int64_t		 last_ms;	/* the last commit that stored one */
	int64_t		 max_ms;	/* the longest lag */
};

/* A zeroed struct lag is an empty one. */
void	lag_note(struct lag *l, int64_t append_ms);
void	lag_gap(struct lag *l);
/* The open batch was committed at now_ms: count its records. */
void	lag_commit(struct lag *l, int64_t now_ms);
/* The q-quantile (0 < q <= 1) of the committed records' lags, in ms. */
int64_t	lag_quantile(const struct lag *l, double q);
/* "archived N records in S s (R/s), lag p50 X ms p99 Y ms ..." */
void	lag_report(const struct lag *l);

#endif

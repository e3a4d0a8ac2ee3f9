/*
 * lag.h -- how far the archive trails the log.
 *
 * Owns chat-historyd's figures for its run: for every record it stored,
 * the time from the record's append (the log's e.time, unix ms) to the
 * commit that made it durable, in a fixed histogram of 1 ms buckets up
 * to LAG_MAX_MS and one bucket for anything longer; how many records,
 * over what span (the first one's append to the last commit), and the
 * gap rows stored.  Chat lines are counted twice, with all records and
 * on their own: a fan-out's load is chat lines, while a login storm's
 * joins are not, so a benchmark reads the one it loaded.  The drain
 * notes each record (lag_note, no clock read), the commit settles the
 * batch (lag_commit, one clock read by the caller), and the run's
 * figures are one log line at exit (lag_report), which make bench reads.
 */
#ifndef CHAT_HISTORY_LAG_H
#define CHAT_HISTORY_LAG_H

#include <stddef.h>
#include <stdint.h>

#include "msglog.h"

#define LAG_MAX_MS	10000	/* 1 ms buckets below this, one above */
#define LAG_PENDING	256	/* runs of records an open batch notes */

/* The lags of one kind of record. */
struct lag_series {
	uint64_t	 buckets[LAG_MAX_MS + 1];	/* [LAG_MAX_MS]: longer */
	uint64_t	 records;	/* committed */
	int64_t		 first_ms;	/* append time of the first */
	int64_t		 last_ms;	/* the last commit that stored one */
	int64_t		 max_ms;	/* the longest lag */
};

/* Records of the open batch appended in the same ms, of one kind. */
struct lag_run {
	int64_t		 append_ms;
	uint32_t	 records;
	int		 chat;		/* REC_CHAT */
};

struct lag {
	struct lag_series all;		/* every record */
	struct lag_series chat;		/* chat lines */
	struct lag_run	 pending[LAG_PENDING];	/* the open batch */
	size_t		 npending;
	uint64_t	 gaps;		/* gap rows stored */
};

/* A zeroed struct lag is an empty one. */
void	lag_note(struct lag *l, const struct msglog_entry *e);
void	lag_gap(struct lag *l);
/* The open batch was committed at now_ms (unix ms): count its records. */
void	lag_commit(struct lag *l, int64_t now_ms);
/* The q-quantile (0 < q <= 1) of a series' lags, in ms. */
int64_t	lag_quantile(const struct lag_series *s, double q);
/*
 * "archived N records in S s (R/s), lag p50 X ms p99 Y ms max Z ms;
 * chat lines N in S s (R/s), lag ...; gaps G"
 */
void	lag_report(const struct lag *l);

#endif

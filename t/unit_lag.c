/*
 * unit_lag.c -- the archive's lag figures (history/lag.c).
 *
 * Notes records with chosen append times, commits them at chosen times
 * and checks the counts, quantiles and spans lag_report would log: runs
 * of equal milliseconds, a batch with more runs than LAG_PENDING (its
 * lag overstated, never lost), a clock set back, lags past LAG_MAX_MS,
 * and chat lines counted on their own.  No clock is read.
 */
#include <stdlib.h>
#include <string.h>

#include "lag.h"
#include "shm_layout.h"
#include "tap.h"

static struct lag lag;

static void
note(int64_t append_ms, uint32_t kind, unsigned count)
{
	struct msglog_entry e;

	memset(&e, 0, sizeof(e));
	e.time = append_ms;
	e.kind = kind;
	while (count-- > 0)
		lag_note(&lag, &e);
}

int
main(void)
{
	plan(22);

	/* 100 chat lines appended at 1000 ms, 100 joins at 1000 ms. */
	note(1000, REC_CHAT, 100);
	note(1000, REC_JOIN, 100);
	is_int(2, (long long)lag.npending, "equal times and kinds are one run each");
	lag_commit(&lag, 1005);
	is_int(0, (long long)lag.npending, "a commit settles the batch");
	is_int(200, (long long)lag.all.records, "every record is counted");
	is_int(100, (long long)lag.chat.records, "chat lines on their own too");
	is_int(5, lag_quantile(&lag.all, 0.99), "their lag: commit time minus append time");
	lag_commit(&lag, 2000);
	is_int(200, (long long)lag.all.records, "an empty commit counts nothing");
	is_int(1005, lag.all.last_ms, "nor moves the span's end");

	/* 120 more at lag 1 ms, one at 40 ms: p50, p99 and the longest. */
	note(2000, REC_CHAT, 120);
	note(1961, REC_CHAT, 1);
	lag_commit(&lag, 2001);
	is_int(221, (long long)lag.chat.records, "221 chat lines");
	is_int(1, lag_quantile(&lag.chat, 0.5), "p50 of 120 x 1 ms, 100 x 5 ms, 1 x 40 ms");
	is_int(5, lag_quantile(&lag.chat, 0.99), "p99");
	is_int(40, lag.chat.max_ms, "the longest");
	is_int(40, lag_quantile(&lag.chat, 1.0), "p100 is the longest");
	is_int(1000, lag.chat.first_ms, "the span starts at the first append");
	is_int(2001, lag.chat.last_ms, "and ends at the last commit");

	/* More runs than the batch keeps: the rest join the last run. */
	memset(&lag, 0, sizeof(lag));
	for (int i = 0; i < LAG_PENDING + 10; i++)
		note(10000 + i, REC_CHAT, 1);
	is_int(LAG_PENDING, (long long)lag.npending, "runs are capped");
	lag_commit(&lag, 10000 + LAG_PENDING + 10);
	is_int(LAG_PENDING + 10, (long long)lag.chat.records, "no record is lost past the cap");
	is_int(LAG_PENDING + 10, lag.chat.max_ms, "the longest lag is the first record's");
	ok(lag.chat.buckets[11] == 11, "the capped ones count at the last run's lag "
	    "(overstated, %llu at 11 ms)", (unsigned long long)lag.chat.buckets[11]);

	/* A clock set back, and a lag past the histogram. */
	memset(&lag, 0, sizeof(lag));
	note(5000, REC_LEAVE, 1);
	lag_commit(&lag, 4000);
	is_int(1, (long long)lag.all.buckets[0], "a negative lag counts as 0 ms");
	note(5000, REC_LEAVE, 1);
	lag_commit(&lag, 5000 + LAG_MAX_MS + 500);
	is_int(1, (long long)lag.all.buckets[LAG_MAX_MS], "a lag past LAG_MAX_MS is in the last bucket");
	is_int(LAG_MAX_MS + 500, lag_quantile(&lag.all, 0.99), "and its quantile is the longest");
	lag_gap(&lag);
	is_int(1, (long long)lag.gaps, "gap rows are counted");
	return 0;
}

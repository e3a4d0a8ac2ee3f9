/*
 * lag.c -- how far the archive trails the log (lag.h).
 *
 * An open batch holds at most STORE_BATCH records, appended in order, so
 * their append times come as runs of equal milliseconds: the batch keeps
 * one (time, count) pair per run.  Should a batch ever span more than
 * LAG_PENDING distinct milliseconds, the rest are counted with the last
 * pair, whose time is the earlier: their lag is overstated, never hidden.
 */
#include <stdint.h>

#include "lag.h"
#include "log.h"

void
lag_note(struct lag *l, int64_t append_ms)
{
	struct lag_pending *p;

	if (l->npending > 0) {
		p = &l->pending[l->npending - 1];
		if (p->append_ms == append_ms || l->npending == LAG_PENDING) {
			p->records++;
			return;
		}
	}
	p = &l->pending[l->npending++];
	p->append_ms = append_ms;
	p->records = 1;
}

void
lag_gap(struct lag *l)
{
	l->gaps++;
}

void
lag_commit(struct lag *l, int64_t now_ms)
{
	const struct lag_pending *p;
	int64_t ms;

	if (l->npending == 0)
		return;
	if (l->records == 0)
		l->first_ms = l->pending[0].append_ms;
	for (size_t i = 0; i < l->npending; i++) {
		p = &l->pending[i];
		ms = now_ms - p->append_ms;
		if (ms < 0)
			ms = 0;		/* the wall clock was set back */
		if (ms > l->max_ms)
			l->max_ms = ms;
		l->buckets[ms < LAG_MAX_MS ? ms : LAG_MAX_MS] += p->records;
		l->records += p->records;
	}
	l->npending = 0;
	l->last_ms = now_ms;
}

int64_t
lag_quantile(const struct lag *l, double q)
{
	uint64_t want, seen = 0;

	if (l->records == 0)
		return 0;
	want = (uint64_t)(q * (double)l->records);
	if (want >= l->records)
		want = l->records - 1;
	for (int64_t i = 0; i < LAG_MAX_MS; i++) {
		seen += l->buckets[i];
		if (seen > want)
			return i;
	}
	return l->max_ms;
}

void
lag_report(const struct lag *l)
{
	double secs = 0;

	if (l->records > 0 && l->last_ms > l->first_ms)
		secs = (double)(l->last_ms - l->first_ms) / 1000.0;
	log_info("archived %llu records in %.1f s (%.0f/s), lag p50 %lld ms "
	    "p99 %lld ms max %lld ms, gaps %llu",
	    (unsigned long long)l->records, secs,
	    secs > 0 ? (double)l->records / secs : (double)l->records,
	    (long long)lag_quantile(l, 0.5), (long long)lag_quantile(l, 0.99),
	    (long long)l->max_ms, (unsigned long long)l->gaps);
}

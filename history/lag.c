/*
 * lag.c -- how far the archive trails the log (lag.h).
 *
 * An open batch holds at most STORE_BATCH records, appended in order, so
 * their append times come in runs of equal milliseconds: the batch keeps
 * one (time, count, kind) per run.  Should a batch ever hold more than
 * LAG_PENDING runs, the rest are counted with the last run, whose time is
 * the earlier: their lag is overstated, never hidden.
 */
#include <stdint.h>
#include <stdio.h>

#include "lag.h"
#include "log.h"
#include "shm_layout.h"

void
lag_note(struct lag *l, const struct msglog_entry *e)
{
	struct lag_run *r;
	int chat = e->kind == REC_CHAT;

	if (l->npending > 0) {
		r = &l->pending[l->npending - 1];
		if ((r->append_ms == e->time && r->chat == chat) ||
		    l->npending == LAG_PENDING) {
			r->records++;
			return;
		}
	}
	r = &l->pending[l->npending++];
	r->append_ms = e->time;
	r->records = 1;
	r->chat = chat;
}

void
lag_gap(struct lag *l)
{
	l->gaps++;
}

static void
series_add(struct lag_series *s, const struct lag_run *r, int64_t now_ms)
{
	int64_t ms = now_ms - r->append_ms;

	if (ms < 0)
		ms = 0;		/* the wall clock was set back */
	if (s->records == 0)
		s->first_ms = r->append_ms;
	if (ms > s->max_ms)
		s->max_ms = ms;
	s->buckets[ms < LAG_MAX_MS ? ms : LAG_MAX_MS] += r->records;
	s->records += r->records;
	s->last_ms = now_ms;
}

void
lag_commit(struct lag *l, int64_t now_ms)
{
	for (size_t i = 0; i < l->npending; i++) {
		series_add(&l->all, &l->pending[i], now_ms);
		if (l->pending[i].chat)
			series_add(&l->chat, &l->pending[i], now_ms);
	}
	l->npending = 0;
}

int64_t
lag_quantile(const struct lag_series *s, double q)
{
	uint64_t want, seen = 0;

	if (s->records == 0)
		return 0;
	want = (uint64_t)(q * (double)s->records);
	if (want >= s->records)
		want = s->records - 1;
	for (int64_t i = 0; i < LAG_MAX_MS; i++) {
		seen += s->buckets[i];
		if (seen > want)
			return i;
	}
	return s->max_ms;
}

/* "in S s (R/s), lag p50 X ms p99 Y ms max Z ms" */
static void
series_format(const struct lag_series *s, char *buf, size_t len)
{
	double secs = 0;

	if (s->last_ms > s->first_ms)
		secs = (double)(s->last_ms - s->first_ms) / 1000.0;
	snprintf(buf, len, "in %.1f s (%.0f/s), lag p50 %lld ms p99 %lld ms "
	    "max %lld ms", secs, secs > 0 ? (double)s->records / secs :
	    (double)s->records, (long long)lag_quantile(s, 0.5),
	    (long long)lag_quantile(s, 0.99), (long long)s->max_ms);
}

void
lag_report(const struct lag *l)
{
	char all[128], chat[128];

	series_format(&l->all, all, sizeof(all));
	series_format(&l->chat, chat, sizeof(chat));
	log_info("archived %llu records %s; chat lines %llu %s; gaps %llu",
	    (unsigned long long)l->all.records, all,
	    (unsigned long long)l->chat.records, chat,
	    (unsigned long long)l->gaps);
}

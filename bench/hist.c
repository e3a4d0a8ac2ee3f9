/*
 * hist.c -- the benchmarks' latency histogram (hist.h).
 */
#include "hist.h"

static unsigned
hist_index(uint64_t v)
{
	int e;

	if (v < 256)
		return (unsigned)v;
	e = 63 - __builtin_clzll(v);
	return 256 + (unsigned)(e - 8) * 128 + (unsigned)((v >> (e - 7)) & 127);
}

static uint64_t
hist_value(unsigned i)
{
	unsigned e, m;

	if (i < 256)
		return i;
	e = (i - 256) / 128 + 8;
	m = (i - 256) % 128;
	return ((uint64_t)(128 + m) << (e - 7)) + ((1ULL << (e - 7)) / 2);
}

void
hist_add(struct hist *h, uint64_t v)
{
	unsigned i = hist_index(v);

	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->b[i]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct hist *into, const struct hist *h)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		into->b[i] += h->b[i];
	into->count += h->count;
	if (h->max > into->max)
		into->max = h->max;
}

double
hist_ms(const struct hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want >= h->count)
		want = h->count - 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want)
			return (double)hist_value(i) / 1e6;
	}
	return (double)h->max / 1e6;
}

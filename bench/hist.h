/*
 * hist.h -- the benchmarks' latency histogram (chat-load, nats-floor).
 *
 * Log-linear: exact below 256 ns, then 128 sub-buckets per octave, so a
 * quantile is within 1 % of the value measured, up to about 2^63 ns.
 */
#ifndef CHAT_BENCH_HIST_H
#define CHAT_BENCH_HIST_H

#include <stdint.h>

#define HIST_BUCKETS	(256 + 56 * 128)

struct hist {
	uint64_t	 count;
	uint64_t	 max;
	uint64_t	 b[HIST_BUCKETS];
};

void	hist_add(struct hist *h, uint64_t ns);
void	hist_merge(struct hist *into, const struct hist *h);
/* The q-quantile in ms; 0 for an empty histogram. */
double	hist_ms(const struct hist *h, double q);

#endif

/*
 * bucket.c -- token bucket arithmetic on the monotonic clock.
 */
#include <time.h>

#include "bucket.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
bucket_init(struct bucket *b, double rate, double burst)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = burst;
	b->refilled_ns = now_ns();
}

static void
refill(struct bucket *b)
{
	long long now = now_ns();

	b->tokens += (double)(now - b->refilled_ns) * b->rate / 1e9;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->refilled_ns = now;
}

int
bucket_take(struct bucket *b)
{
	refill(b);
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

void
bucket_refund(struct bucket *b)
{
	b->tokens += 1.0;
}

long long
bucket_wait_ns(const struct bucket *b)
{
	return (long long)((1.0 - b->tokens) * 1e9 / b->rate) + 1;
}

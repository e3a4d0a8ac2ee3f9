/*
 * bucket.h -- a token bucket: rate tokens a second, at most burst saved.
 *
 * Owns only the arithmetic; whoever holds one (a front door's flood
 * control) decides what to do while it is empty.
 */
#ifndef CHAT_BUCKET_H
#define CHAT_BUCKET_H

struct bucket {
	double		rate;		/* tokens a second, > 0 */
	double		burst;		/* most tokens saved */
	double		tokens;
	long long	refilled_ns;	/* CLOCK_MONOTONIC of the last refill */
};

/* A full bucket. */
void	bucket_init(struct bucket *b, double rate, double burst);
/* Take a token: 1, or 0 if there is none now. */
int	bucket_take(struct bucket *b);
/* Give back a token taken for nothing. */
void	bucket_refund(struct bucket *b);
/* Nanoseconds until the next token (at least 1). */
long long bucket_wait_ns(const struct bucket *b);

#endif

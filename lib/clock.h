/*
 * clock.h -- the wall clock, to the second, for the stamps people read
 * (when a session connected or last spoke, when a group or the hub was
 * started, when a log record was appended).
 *
 * time(2) answers from the clock as of the last timer tick, which here
 * lags the exact time by up to 5 ms: a session that connected just
 * after a second turned could be stamped with the second before, earlier
 * than the client's own clock said it connected.  CLOCK_REALTIME is
 * exact, and a vDSO call too.
 */
#ifndef CHAT_CLOCK_H
#define CHAT_CLOCK_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int64_t
clock_unix_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec;
}

/* The same clock in milliseconds: the time a log record was appended. */
static inline int64_t
clock_unix_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Milliseconds of CLOCK_MONOTONIC: for timers that a clock change must
 * not move. */
static inline int64_t
clock_monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* "2026-12-03T17:20:01Z": a record's time as people read it (UTC). */
static inline void
clock_format_utc(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
}

#endif

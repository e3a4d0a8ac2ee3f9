/*
 * flood.c -- flood control for one client: a token bucket.
 *
 * rate_msgs tokens a second, at most rate_burst saved.  Each chat line or
 * command takes one.  With no token left the session stops reading its
 * socket (the client, and only it, waits) and arms a timer for the next
 * token.  While it waits the unread input is measured; past max_recvq the
 * flooder is disconnected.
 */
#include <sys/timerfd.h>

#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
flood_init(struct session *s)
{
	s->tokens = s->conf.rate_burst;
	s->refilled_ns = now_ns();
}

static void
refill(struct session *s)
{
	long long now = now_ns();

	s->tokens += (double)(now - s->refilled_ns) * s->conf.rate_msgs / 1e9;
	if (s->tokens > s->conf.rate_burst)
		s->tokens = s->conf.rate_burst;
	s->refilled_ns = now;
}

/* Unread input: the kernel's receive queue plus our partial line. */
static size_t
unread_input(const struct session *s)
{
	return input_in_kernel(s) + linebuf_pending(&s->in);
}

static void
arm(struct session *s)
{
	struct itimerspec its;
	long long wait_ns;

	memset(&its, 0, sizeof(its));
	wait_ns = (long long)((1.0 - s->tokens) * 1e9 / s->conf.rate_msgs) + 1;
	its.it_value.tv_sec = wait_ns / 1000000000LL;
	its.it_value.tv_nsec = wait_ns % 1000000000LL;
	if (timerfd_settime(session_timer(s, &s->throttle_fd), 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

int
flood_take(struct session *s)
{
	if (s->throttled)
		return 0;
	refill(s);
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
		return 1;
	}
	s->throttled = 1;
	atomic_fetch_add_explicit(&s->shm.hdr->st_throttled, 1, memory_order_relaxed);
	log_debug("%s: %s is flooding; reading paused", s->peer, s->name);
	arm(s);
	return 0;
}

/* A token taken for a line that was not complete after all. */
void
flood_refund(struct session *s)
{
	s->tokens += 1.0;
}

/* The throttle timer fired: check the backlog, then read again. */
void
flood_resume(struct session *s)
{
	uint64_t ticks;

	if (read(s->throttle_fd, &ticks, sizeof(ticks)) == -1)
		return;
	if (!s->throttled || s->state == SESSION_CLOSING)
		return;
	if (unread_input(s) > s->conf.max_recvq) {
		reply(s, "! flood: too much unread input (more than %u bytes); closing",
		    s->conf.max_recvq);
		session_close(s, DISC_FLOOD, "Excess flood");
		return;
	}
	s->throttled = 0;
	input_lines(s);
	input_finish(s);
}

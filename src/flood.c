/*
 * flood.c -- flood control for one client: a token bucket (lib/bucket.c).
 *
 * rate_msgs tokens a second, at most rate_burst saved.  Each chat line or
 * command takes one.  With no token left the session stops reading its
 * socket (the client, and only it, waits) and arms a timer for the next
 * token.  While it waits the unread input is measured; past max_recvq the
 * flooder is disconnected.
 */

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

void
flood_init(struct session *s)
{
	bucket_init(&s->bucket, s->conf.rate_msgs, s->conf.rate_burst);
}

/* Unread input: the kernel's receive queue plus our partial line. */
static size_t
unread_input(const struct session *s)
{
	return receive_pending(s) + linebuf_pending(&s->in);
}

static void
arm(struct session *s)
{
	client_arm_ns(client_timer(&s->client, &s->throttle_fd),
	    bucket_wait_ns(&s->bucket));
}

int
flood_take(struct session *s)
{
	if (s->throttled)
		return 0;
	if (bucket_take(&s->bucket))
		return 1;
	s->throttled = 1;
	atomic_fetch_add_explicit(&s->shm.hdr->st_throttled, 1, memory_order_relaxed);
	log_debug("%s: %s is flooding; reading paused", s->client.peer, s->name);
	arm(s);
	return 0;
}

/* A token taken for a line that was not complete after all. */
void
flood_refund(struct session *s)
{
	bucket_refund(&s->bucket);
}

/* The throttle timer fired: check the backlog, then read again. */
int
flood_resume(struct session *s)
{
	uint64_t ticks;

	if (read(s->throttle_fd, &ticks, sizeof(ticks)) == -1)
		return 0;
	if (!s->throttled || s->state == SESSION_CLOSING)
		return 0;
	if (unread_input(s) > s->conf.max_recvq) {
		reply_status(s, CR_FLOOD, s->conf.max_recvq);
		session_close(s, DISC_FLOOD, "Excess flood");
		return 0;
	}
	s->throttled = 0;
	return 1;
}

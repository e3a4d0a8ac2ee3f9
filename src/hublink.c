/*
 * hublink.c -- a session's control connection to the hub.
 *
 * Owns registering (HELLO, then WELCOME with the eventfd), noticing that
 * the hub went away, reconnecting on a timer, and sending wake-up
 * requests.  Wake-ups that cannot be sent while the hub is away are
 * remembered per slot and sent when it is back, so none is lost.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "fd.h"
#include "log.h"
#include "msglog.h"
#include "session.h"

#define RETRY_MS	100	/* hub reconnect interval */
#define WELCOME_MS	10000	/* how long to wait for the hub's answer */
/*
 * Slots per wake request.  The batch lives on the stack: a heap buffer
 * for max_sessions slots cost every idle session a page of its own; a
 * fan-out to 1000 members is 4 requests instead of 1.
 */
#define WAKE_CHUNK	256
_Static_assert(WAKE_CHUNK <= CTL_WAKE_MAX, "a wake request holds WAKE_CHUNK slots");

static void
set_retry_timer(struct session *s, int on)
{
	struct itimerspec its;

	if (!on && s->timer_fd == -1)
		return;
	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_value.tv_nsec = RETRY_MS * 1000000L;
		its.it_interval.tv_nsec = RETRY_MS * 1000000L;
	}
	if (timerfd_settime(session_timer(s, &s->timer_fd), 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

static void
hub_lost(struct session *s)
{
	if (s->ctl_fd != -1)
		close(s->ctl_fd);	/* closing also removes it from epoll */
	if (s->wake_fd != -1)
		close(s->wake_fd);
	s->ctl_fd = s->wake_fd = -1;
	log_info("hub went away; reconnecting every %d ms", RETRY_MS);
	set_retry_timer(s, 1);
}

/* The hub's answer to HELLO: the eventfd, or -1 with why filled. */
static int
await_welcome(struct session *s, int *refused, char *why, size_t whylen)
{
	struct pollfd pfd = { .fd = s->ctl_fd, .events = POLLIN };
	char buf[CTL_TO_SESSION_MAX], err[256];
	struct ctl_msg msg;
	ssize_t n;
	int fd = -1;

	*refused = 0;
	if (poll(&pfd, 1, WELCOME_MS) != 1) {
		strlcpy(why, "no answer from the hub", whylen);
		return -1;
	}
	if ((n = ctl_recv_into(s->ctl_fd, buf, sizeof(buf), &fd)) <= 0) {
		strlcpy(why, "the hub closed the connection", whylen);
		return -1;
	}
	if (ctl_decode(buf, (size_t)n, &msg, err, sizeof(err)) == -1)
		snprintf(why, whylen, "bad answer from the hub: %s", err);
	else if (msg.type == CTL_REFUSE) {
		snprintf(why, whylen, "the hub refused: %s", msg.u.text.text);
		*refused = 1;
	} else if (msg.type != CTL_WELCOME || fd == -1)
		strlcpy(why, "unexpected answer from the hub", whylen);
	else
		return fd;
	if (fd != -1)
		close(fd);
	return -1;
}

int
hublink_open(struct session *s)
{
	s->ctl_fd = ctl_connect(s->conf.runtime_dir, 0);
	return s->ctl_fd == -1 ? -1 : 0;
}

int
hublink_hello(struct session *s, char *why, size_t whylen)
{
	struct ctl_hello hello;
	char buf[sizeof(struct ctl_header) + sizeof(hello)];
	size_t len;

	if (s->ctl_fd == -1 && hublink_open(s) == -1) {
		snprintf(why, whylen, "cannot reach the hub: %s", strerror(errno));
		return -1;
	}
	memset(&hello, 0, sizeof(hello));
	hello.slot = s->slot;
	hello.generation = s->generation;
	hello.layout_version = SHM_LAYOUT_VERSION;
	len = ctl_encode(buf, CTL_HELLO, &hello, sizeof(hello));
	/*
	 * A hub out of descriptors accepts, refuses and closes before the
	 * HELLO arrives: the send fails, and the refusal is still there to
	 * read (hublink_welcome).
	 */
	if (ctl_send(s->ctl_fd, buf, len, -1) == -1 && errno != EPIPE &&
	    errno != ECONNRESET) {
		snprintf(why, whylen, "cannot reach the hub: %s", strerror(errno));
		close(s->ctl_fd);
		s->ctl_fd = -1;
		return -1;
	}
	return 0;
}

int
hublink_register(struct session *s, char *why, size_t whylen)
{
	if (hublink_hello(s, why, whylen) == -1)
		return HUBLINK_AWAY;
	return hublink_welcome(s, why, whylen);
}

int
hublink_welcome(struct session *s, char *why, size_t whylen)
{
	int efd, refused = 0;

	efd = await_welcome(s, &refused, why, whylen);
	if (efd == -1) {
		close(s->ctl_fd);
		s->ctl_fd = -1;
		return refused ? HUBLINK_REFUSED : HUBLINK_AWAY;
	}
	if (fd_nonblock(s->ctl_fd) == -1)
		fatal("control socket");
	s->ctl_room_watched = 0;
	s->wake_fd = efd;
	session_watch(s, s->ctl_fd, EPOLLIN);
	session_watch(s, s->wake_fd, EPOLLIN | EPOLLET);	/* deliver_wakeup */
	return HUBLINK_OK;
}

/* The hub only ever answers HELLO; anything readable now means EOF. */
void
hublink_read(struct session *s)
{
	char buf[CTL_TO_SESSION_MAX];
	ssize_t n;
	int fd;

	n = ctl_recv_into(s->ctl_fd, buf, sizeof(buf), &fd);
	if (fd != -1)
		close(fd);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		log_warnx("unexpected control message from the hub; ignored");
		return;
	}
	hub_lost(s);
}

/* Timer tick while the hub is away: try to register again. */
void
hublink_retry(struct session *s)
{
	uint64_t ticks;
	char why[256];

	if (read(s->timer_fd, &ticks, sizeof(ticks)) == -1 && errno != EAGAIN)
		fatal("timerfd read");
	switch (hublink_register(s, why, sizeof(why))) {
	case HUBLINK_AWAY:
		return;
	case HUBLINK_REFUSED:
		log_warnx("%s", why);
		set_retry_timer(s, 0);
		session_close(s, DISC_LOST, "lost registration with the hub");
		return;
	case HUBLINK_OK:
		break;
	}
	set_retry_timer(s, 0);
	log_info("re-registered with the hub");
	hublink_flush_owed(s);
	deliver_wakeup(s);
}

/* Watch the control socket for room while wake-ups are owed. */
static void
watch_room(struct session *s, int on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
	    .data.fd = s->ctl_fd };

	if (s->ctl_fd == -1 || s->ctl_room_watched == on)
		return;
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->ctl_fd, &ev) == -1)
		fatal("epoll_ctl control socket");
	s->ctl_room_watched = on;
}

static void
owe(struct session *s, uint32_t slot)
{
	/* Allocated at the first owed wake: most sessions never need it. */
	if (s->wake_owed == NULL &&
	    (s->wake_owed = calloc(s->shm.geo.max_sessions, 1)) == NULL)
		fatal("wake-up bookkeeping");
	if (!s->wake_owed[slot]) {
		s->wake_owed[slot] = 1;
		s->wake_owed_count++;
	}
}

/*
 * Send one wake request for count slots; on failure they are owed: with
 * the hub away they go out after re-registration, with its socket full
 * as soon as it has room (EPOLLOUT).
 */
static void
send_wake(struct session *s, const uint32_t *slots, uint32_t count)
{
	if (count == 0)
		return;
	if (s->ctl_fd != -1) {
		if (ctl_send_wake(s->ctl_fd, slots, count) == 0)
			return;
		if (errno != EAGAIN)
			log_warn("wake request");
	}
	for (uint32_t i = 0; i < count; i++)
		owe(s, slots[i]);
	/* Hub busy: send them as soon as its socket has room again. */
	watch_room(s, 1);
}

/* Send every owed wake-up. */
void
hublink_flush_owed(struct session *s)
{
	uint32_t batch[WAKE_CHUNK], n = 0, max = s->shm.geo.max_sessions;

	if (s->ctl_fd == -1)
		return;
	if (s->wake_owed_count == 0) {
		watch_room(s, 0);
		return;
	}
	s->wake_owed_count = 0;
	watch_room(s, 0);	/* send_wake turns it on again if still full */
	for (uint32_t i = 0; i < max; i++) {
		if (!s->wake_owed[i])
			continue;
		s->wake_owed[i] = 0;
		batch[n++] = i;
		if (n == WAKE_CHUNK) {
			send_wake(s, batch, n);
			n = 0;
		}
	}
	send_wake(s, batch, n);
}

/*
 * Every quarter ring of appends, one sender (whoever wins the exchange
 * of log_nudged) wakes the sessions whose published cursor lags half a
 * ring: they were not addressed, so nothing else would wake them, and
 * without reading on they would find their next record overwritten.
 */
static void
nudge_laggards(struct session *s)
{
	const struct shm_geometry *geo = &s->shm.geo;
	uint64_t next = msglog_next(&s->shm), last, interval, behind;
	uint32_t batch[WAKE_CHUNK], n = 0;
	struct shm_slot *slot;

	interval = geo->log_cells / 4 > 0 ? geo->log_cells / 4 : 1;
	last = atomic_load(&s->shm.hdr->log_nudged);
	if (next - last < interval ||
	    !atomic_compare_exchange_strong(&s->shm.hdr->log_nudged, &last, next))
		return;
	behind = geo->log_cells / 2;
	for (uint32_t i = 0; i < geo->max_sessions; i++) {
		slot = shm_slot(&s->shm, i);
		if (atomic_load(&slot->s_state) != SLOT_ACTIVE ||
		    atomic_load(&slot->s_cursor) + behind > next)
			continue;
		if (i == s->slot)
			deliver_drain(s);	/* a sender lags behind its own lines */
		else if (shm_slot_flag_wake(slot))
			batch[n++] = i;
		if (n == WAKE_CHUNK) {
			send_wake(s, batch, n);
			n = 0;
		}
	}
	send_wake(s, batch, n);
}

/* Does slot i receive a record addressed (to_kind, to)? */
static int
addressed(const struct session *s, uint32_t i, uint32_t to_kind, uint32_t to)
{
	switch (to_kind) {
	case TO_USER:
		return i == to;
	case TO_GROUP:
		return atomic_load_explicit(shm_joined(&s->shm, to, i),
		    memory_order_relaxed) != 0;
	default:
		return 1;
	}
}

/*
 * After appending a record: every other ACTIVE session it is addressed
 * to must read it.  Only those whose wake-pending flag this call flips
 * from 0 to 1 need an eventfd write; the others are already owed one
 * (coalescing).  One wake request carries them all.
 */
void
hublink_wake(struct session *s, uint32_t to_kind, uint32_t to)
{
	uint32_t batch[WAKE_CHUNK], n = 0, coalesced = 0;
	uint32_t max = s->shm.geo.max_sessions;
	struct shm_slot *slot;

	hublink_flush_owed(s);
	for (uint32_t i = 0; i < max; i++) {
		if (i == s->slot || !addressed(s, i, to_kind, to))
			continue;
		slot = shm_slot(&s->shm, i);
		if (atomic_load_explicit(&slot->s_state, memory_order_acquire) != SLOT_ACTIVE)
			continue;
		if (!shm_slot_flag_wake(slot)) {
			coalesced++;
			continue;
		}
		batch[n++] = i;
		if (n == WAKE_CHUNK) {
			send_wake(s, batch, n);
			n = 0;
		}
	}
	send_wake(s, batch, n);
	if (coalesced > 0)
		atomic_fetch_add_explicit(&s->shm.hdr->st_wakeups_coalesced,
		    coalesced, memory_order_relaxed);
	nudge_laggards(s);
}

/*
 * After appending a record for everyone that can wait a moment (a join
 * or a leave): the hub wakes whoever has not read it, batching a storm
 * of logins into one wake-up per session per 300 ms (hub/presence.c).
 * Without the hub, or with its socket full, the others are woken the
 * ordinary way, owed until it is back.
 */
void
hublink_presence(struct session *s)
{
	struct ctl_presence p = { msglog_next(&s->shm) };
	char buf[sizeof(struct ctl_header) + sizeof(p)];
	size_t len;

	hublink_flush_owed(s);
	if (s->ctl_fd != -1 && s->wake_owed_count == 0) {
		len = ctl_encode(buf, CTL_PRESENCE, &p, sizeof(p));
		if (ctl_send(s->ctl_fd, buf, len, -1) == 0) {
			nudge_laggards(s);
			return;
		}
	}
	hublink_wake(s, TO_ALL, 0);
}

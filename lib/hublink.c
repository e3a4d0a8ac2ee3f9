/*
 * hublink.c -- a log reader's control connection to the hub.
 *
 * Owns registering (HELLO, then WELCOME with the eventfd), noticing that
 * the hub went away, reconnecting on a timer, and sending wake-up
 * requests, batched.  Wake-ups that cannot be sent while the hub is away
 * are remembered per slot and sent when it is back, so none is lost.
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
#include "hublink.h"
#include "msglog.h"

#define RETRY_MS	100	/* hub reconnect interval */
#define WELCOME_MS	10000	/* how long to wait for the hub's answer */
/*
 * Slots per wake request.  The batch lives on the stack: a heap buffer
 * for max_sessions slots cost every idle session a page of its own; a
 * fan-out to 1000 members is 4 requests instead of 1.
 */
#define WAKE_CHUNK	256
_Static_assert(WAKE_CHUNK <= CTL_WAKE_MAX, "a wake request holds WAKE_CHUNK slots");

void
hublink_init(struct hublink *l, const struct shm *shm, const char *runtime_dir,
    int epfd)
{
	memset(l, 0, sizeof(*l));
	l->shm = shm;
	l->runtime_dir = runtime_dir;
	l->epfd = epfd;
	l->ctl_fd = l->wake_fd = l->timer_fd = -1;
}

void
hublink_free(struct hublink *l)
{
	free(l->wake_owed);
	l->wake_owed = NULL;
}

static void
set_retry_timer(struct hublink *l, int on)
{
	struct itimerspec its;

	if (!on && l->timer_fd == -1)
		return;
	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_value.tv_nsec = RETRY_MS * 1000000L;
		its.it_interval.tv_nsec = RETRY_MS * 1000000L;
	}
	if (l->timer_fd == -1 && (l->timer_fd = fd_new_timer(l->epfd)) == -1) {
		log_warn("hub retry timer");
		return;
	}
	if (timerfd_settime(l->timer_fd, 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

static void
hub_lost(struct hublink *l)
{
	if (l->ctl_fd != -1)
		close(l->ctl_fd);	/* closing also removes it from epoll */
	if (l->wake_fd != -1)
		close(l->wake_fd);
	l->ctl_fd = l->wake_fd = -1;
	log_info("hub went away; reconnecting every %d ms", RETRY_MS);
	set_retry_timer(l, 1);
}

/* The hub's answer to HELLO: the eventfd, or -1 with why filled. */
static int
await_welcome(struct hublink *l, int *refused, char *why, size_t whylen)
{
	struct pollfd pfd = { .fd = l->ctl_fd, .events = POLLIN };
	char buf[CTL_TO_SESSION_MAX], err[256];
	struct ctl_msg msg;
	ssize_t n;
	int fd = -1;

	*refused = 0;
	if (poll(&pfd, 1, WELCOME_MS) != 1) {
		strlcpy(why, "no answer from the hub", whylen);
		return -1;
	}
	if ((n = ctl_recv_into(l->ctl_fd, buf, sizeof(buf), &fd)) <= 0) {
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
hublink_open(struct hublink *l)
{
	l->ctl_fd = ctl_connect(l->runtime_dir, 0);
	return l->ctl_fd == -1 ? -1 : 0;
}

int
hublink_hello(struct hublink *l, uint32_t slot, uint32_t generation, char *why,
    size_t whylen)
{
	struct ctl_hello hello;
	char buf[sizeof(struct ctl_header) + sizeof(hello)];
	size_t len;

	if (l->ctl_fd == -1 && hublink_open(l) == -1) {
		snprintf(why, whylen, "cannot reach the hub: %s", strerror(errno));
		return -1;
	}
	l->slot = slot;
	l->generation = generation;
	memset(&hello, 0, sizeof(hello));
	hello.slot = l->slot;
	hello.generation = l->generation;
	hello.layout_version = SHM_LAYOUT_VERSION;
	hello.flags = l->hello_flags;
	len = ctl_encode(buf, CTL_HELLO, &hello, sizeof(hello));
	/*
	 * A hub out of descriptors accepts, refuses and closes before the
	 * HELLO arrives: the send fails, and the refusal is still there to
	 * read (hublink_welcome).
	 */
	if (ctl_send(l->ctl_fd, buf, len, -1) == -1 && errno != EPIPE &&
	    errno != ECONNRESET) {
		snprintf(why, whylen, "cannot reach the hub: %s", strerror(errno));
		close(l->ctl_fd);
		l->ctl_fd = -1;
		return -1;
	}
	return 0;
}

int
hublink_welcome(struct hublink *l, char *why, size_t whylen)
{
	int efd, refused = 0;

	efd = await_welcome(l, &refused, why, whylen);
	if (efd == -1) {
		close(l->ctl_fd);
		l->ctl_fd = -1;
		return refused ? HUBLINK_REFUSED : HUBLINK_AWAY;
	}
	if (fd_nonblock(l->ctl_fd) == -1)
		fatal("control socket");
	l->ctl_room_watched = 0;
	l->wake_fd = efd;
	if (fd_watch(l->epfd, l->ctl_fd, EPOLLIN) == -1)
		fatal("epoll_ctl add control socket");
	/*
	 * Edge-triggered: every write by the hub is an event of its own and
	 * its count is never read, one system call less per wake-up (the
	 * count would take centuries of wake-ups to reach its limit).
	 */
	if (fd_watch(l->epfd, l->wake_fd, EPOLLIN | EPOLLET) == -1)
		fatal("epoll_ctl add eventfd");
	return HUBLINK_OK;
}

/* The hub only ever answers HELLO; anything readable now means EOF. */
int
hublink_read(struct hublink *l)
{
	char buf[CTL_TO_SESSION_MAX];
	ssize_t n;
	int fd;

	n = ctl_recv_into(l->ctl_fd, buf, sizeof(buf), &fd);
	if (fd != -1)
		close(fd);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n > 0) {
		log_warnx("unexpected control message from the hub; ignored");
		return 0;
	}
	hub_lost(l);
	return 1;
}

/* Timer tick while the hub is away: try to register again. */
int
hublink_retry(struct hublink *l, char *why, size_t whylen)
{
	uint64_t ticks;
	int rc;

	if (read(l->timer_fd, &ticks, sizeof(ticks)) == -1 && errno != EAGAIN)
		fatal("timerfd read");
	if (hublink_hello(l, l->slot, l->generation, why, whylen) == -1)
		return HUBLINK_AWAY;
	if ((rc = hublink_welcome(l, why, whylen)) == HUBLINK_AWAY)
		return rc;
	set_retry_timer(l, 0);
	if (rc == HUBLINK_OK) {
		log_info("re-registered with the hub");
		hublink_flush_owed(l);
	}
	return rc;
}

/* Watch the control socket for room while wake-ups are owed. */
static void
watch_room(struct hublink *l, int on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
	    .data.fd = l->ctl_fd };

	if (l->ctl_fd == -1 || l->ctl_room_watched == on)
		return;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, l->ctl_fd, &ev) == -1)
		fatal("epoll_ctl control socket");
	l->ctl_room_watched = on;
}

/*
 * One entry per slot, and one past them (max_sessions) for the log
 * followers' request (CTL_WAKE_FOLLOWERS).
 */
static void
owe(struct hublink *l, uint32_t slot)
{
	if (slot == CTL_WAKE_FOLLOWERS)
		slot = l->shm->geo.max_sessions;
	/* Allocated at the first owed wake: most sessions never need it. */
	if (l->wake_owed == NULL &&
	    (l->wake_owed = calloc(l->shm->geo.max_sessions + 1, 1)) == NULL)
		fatal("wake-up bookkeeping");
	if (!l->wake_owed[slot]) {
		l->wake_owed[slot] = 1;
		l->wake_owed_count++;
	}
}

/*
 * Send one wake request for count slots; on failure they are owed: with
 * the hub away they go out after re-registration, with its socket full
 * as soon as it has room (EPOLLOUT).
 */
static void
send_wake(struct hublink *l, const uint32_t *slots, uint32_t count)
{
	if (count == 0)
		return;
	if (l->ctl_fd != -1) {
		if (ctl_send_wake(l->ctl_fd, slots, count) == 0)
			return;
		if (errno != EAGAIN)
			log_warn("wake request");
	}
	for (uint32_t i = 0; i < count; i++)
		owe(l, slots[i]);
	/* Hub busy: send them as soon as its socket has room again. */
	watch_room(l, 1);
}

/* Slots to wake, sent WAKE_CHUNK at a time. */
struct batch {
	uint32_t	slots[WAKE_CHUNK];
	uint32_t	n;
};

static void
batch_add(struct hublink *l, struct batch *b, uint32_t slot)
{
	b->slots[b->n++] = slot;
	if (b->n == WAKE_CHUNK) {
		send_wake(l, b->slots, b->n);
		b->n = 0;
	}
}

static void
batch_send(struct hublink *l, struct batch *b)
{
	send_wake(l, b->slots, b->n);
	b->n = 0;
}

void
hublink_flush_owed(struct hublink *l)
{
	uint32_t max = l->shm->geo.max_sessions;
	struct batch b = { .n = 0 };

	if (l->ctl_fd == -1)
		return;
	if (l->wake_owed_count == 0) {
		watch_room(l, 0);
		return;
	}
	l->wake_owed_count = 0;
	watch_room(l, 0);	/* send_wake turns it on again if still full */
	for (uint32_t i = 0; i <= max; i++)
		if (l->wake_owed[i]) {
			l->wake_owed[i] = 0;
			batch_add(l, &b, i < max ? i : CTL_WAKE_FOLLOWERS);
		}
	batch_send(l, &b);
}

/*
 * Every quarter ring of appends, one sender (whoever wins the exchange
 * of log_nudged) wakes the readers whose published cursor lags half a
 * ring: they were not addressed, so nothing else would wake them, and
 * without reading on they would find their next record overwritten.
 * Returns 1 if the caller itself lags.
 */
static int
nudge_laggards(struct hublink *l)
{
	const struct shm_geometry *geo = &l->shm->geo;
	uint64_t next = msglog_next(l->shm), last, interval;
	uint64_t half = geo->log_cells / 2, target;
	struct batch b = { .n = 0 };
	int self_behind = 0;
	struct shm_slot *slot;

	interval = geo->log_cells / 4 > 0 ? geo->log_cells / 4 : 1;
	last = atomic_load(&l->shm->hdr->log_nudged);
	if (next - last < interval ||
	    !atomic_compare_exchange_strong(&l->shm->hdr->log_nudged, &last, next))
		return 0;
	/* Behind: the cursor is at least half a ring short of next. */
	target = next >= half ? next - half + 1 : 0;
	for (uint32_t i = 0; i < geo->max_sessions; i++) {
		slot = shm_slot(l->shm, i);
		if (!shm_slot_behind(slot, target))
			continue;
		if (i == l->slot)
			self_behind = 1;	/* lags behind its own lines */
		else if (shm_slot_flag_wake(slot))
			batch_add(l, &b, i);
	}
	batch_send(l, &b);
	return self_behind;
}

/*
 * The log followers read every record (doc/architecture.md section 18):
 * ask the hub to wake them if there are some and this call flips their
 * shared request from 0 to 1; otherwise one is coming already.  Loaded
 * first, as for a slot's flag, so a set flag keeps its cache line.
 */
static int
followers_flag_wake(const struct shm *shm)
{
	struct shm_header *h = shm->hdr;

	return atomic_load(&h->followers) != 0 &&
	    atomic_load(&h->followers_wake) == 0 &&
	    atomic_exchange(&h->followers_wake, 1) == 0;
}

/*
 * After appending a record: every other ACTIVE session it reaches must
 * read it, and every log follower.  Only those whose wake-pending flag
 * this call flips from 0 to 1 need an eventfd write; the others are
 * already owed one (coalescing).  One wake request carries them all.
 * The followers come first: the hub wakes in the request's order, and a
 * follower woken after a fan-out to hundreds of sessions waited behind
 * all of them for a core (chat-bridge, which carries the line on to the
 * other nodes, most of all).
 */
int
hublink_wake(struct hublink *l, const struct msglog_address *to)
{
	uint32_t max = l->shm->geo.max_sessions, coalesced = 0;
	struct batch b = { .n = 0 };
	struct shm_slot *slot;

	hublink_flush_owed(l);
	if (followers_flag_wake(l->shm))
		batch_add(l, &b, CTL_WAKE_FOLLOWERS);
	for (uint32_t i = 0; i < max; i++) {
		slot = shm_slot(l->shm, i);
		if (i == l->slot ||
		    atomic_load_explicit(&slot->s_state, memory_order_acquire) !=
		    SLOT_ACTIVE ||
		    !msglog_reaches(l->shm, to, UINT64_MAX, i,
		    atomic_load_explicit(&slot->s_generation, memory_order_relaxed)))
			continue;
		if (shm_slot_flag_wake(slot))
			batch_add(l, &b, i);
		else
			coalesced++;
	}
	batch_send(l, &b);
	if (coalesced > 0)
		atomic_fetch_add_explicit(&l->shm->hdr->st_wakeups_coalesced,
		    coalesced, memory_order_relaxed);
	return nudge_laggards(l);
}

/*
 * After appending a record for everyone that can wait a moment (a join
 * or a leave): the hub wakes whoever has not read it, batching a storm
 * of logins into one wake-up per session per 300 ms (hub/presence.c).
 * Without the hub, or with its socket full, the others are woken the
 * ordinary way, owed until it is back.
 */
int
hublink_presence(struct hublink *l)
{
	static const struct msglog_address everyone = { TO_ALL, 0, 0 };
	struct ctl_presence p = { msglog_next(l->shm) };
	char buf[sizeof(struct ctl_header) + sizeof(p)];
	size_t len;

	hublink_flush_owed(l);
	if (l->ctl_fd != -1 && l->wake_owed_count == 0) {
		len = ctl_encode(buf, CTL_PRESENCE, &p, sizeof(p));
		if (ctl_send(l->ctl_fd, buf, len, -1) == 0)
			return nudge_laggards(l);
	}
	return hublink_wake(l, &everyone);
}

enum hublink_event
hublink_handle(struct hublink *l, int fd, uint32_t events, char *why,
    size_t whylen)
{
	if (fd == -1)
		return HUBLINK_EVENT_NONE;
	if (fd == l->wake_fd)
		return HUBLINK_EVENT_WAKE;
	if (fd == l->ctl_fd) {
		if (events & EPOLLOUT)
			hublink_flush_owed(l);
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			hublink_read(l);	/* the hub went away: retry */
		return HUBLINK_EVENT_DONE;
	}
	if (fd != l->timer_fd)
		return HUBLINK_EVENT_NONE;
	switch (hublink_retry(l, why, whylen)) {
	case HUBLINK_OK:
		return HUBLINK_EVENT_WAKE;	/* what came while it was away */
	case HUBLINK_REFUSED:
		return HUBLINK_EVENT_LOST;
	default:
		return HUBLINK_EVENT_DONE;
	}
}

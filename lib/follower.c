/*
 * follower.c -- a log follower: a reader of every record without a
 * client (see follower.h and doc/architecture.md, section 18).
 *
 * Owns the follower's slot, its epoll set over the hub link, its drains
 * and the gaps it reports.  Registering, reconnecting and the eventfd
 * are the hub link's (lib/hublink.c); the cursor and the wake flag's
 * order are the log reader's (lib/logreader.c).
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "follower.h"
#include "registry.h"

/* Claim the slot and set the reader up at the start asked for. */
static int
claim(struct follower *f, const char *label, enum follower_start start,
    char *why, size_t whylen)
{
	struct msglog_entry scratch;
	uint32_t slot, generation;
	uint64_t cursor;

	slot = registry_claim_follower(&f->shm, getpid(), label);
	if (slot == SLOT_NONE) {
		snprintf(why, whylen, "every slot is in use (%u)",
		    f->shm.geo.max_sessions);
		return -1;
	}
	generation = atomic_load(&shm_slot(&f->shm, slot)->s_generation);
	cursor = atomic_load(&shm_slot(&f->shm, slot)->s_cursor);
	if (start == FOLLOW_OLDEST) {
		scratch.text = f->text;
		cursor = msglog_resync(&f->shm, 1, &scratch);
	}
	logreader_init(&f->reader, &f->shm, slot, generation, cursor, f->text);
	f->reader.every = 1;
	logreader_publish(&f->reader);
	return 0;
}

#define HELLO_TRIES	50	/* HELLO_RETRY_MS apart: 5 s */
#define HELLO_RETRY_MS	100

static volatile sig_atomic_t stopping;
/*
 * SIGINT and SIGTERM are blocked but while a follower waits
 * (epoll_pwait with this mask): one that comes while it drains is
 * noticed by the next wait, which returns at once, instead of being
 * taken before the wait starts and leaving it blocked.
 */
static sigset_t wait_mask;
static int signals_set;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

void
follower_on_signals(void)
{
	struct sigaction sa;

	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	signals_set = 1;
}

int
follower_stopping(void)
{
	return stopping;
}

void
follower_seek(struct follower *f, uint64_t seq)
{
	uint64_t end = atomic_load(&f->shm.hdr->log_next);

	f->reader.cursor = seq < end ? seq : end;
	logreader_publish(&f->reader);
}

/*
 * Register with the hub; a hub that is starting (its socket not yet
 * there, or not yet listening: systemd starts a follower right after
 * it) is waited for a few seconds.
 */
static int
hello(struct follower *f, char *why, size_t whylen)
{
	for (int tries = 0;; tries++) {
		if (hublink_hello(&f->link, f->reader.slot, f->reader.generation,
		    why, whylen) == 0)
			return 0;
		if ((errno != ECONNREFUSED && errno != ENOENT) ||
		    tries == HELLO_TRIES)
			return -1;
		usleep(HELLO_RETRY_MS * 1000);
	}
}

int
follower_open(struct follower *f, const struct chat_conf *conf,
    const char *label, enum follower_start start, char *why, size_t whylen)
{
	memset(f, 0, sizeof(*f));
	f->epfd = -1;
	strlcpy(f->runtime_dir, conf->runtime_dir, sizeof(f->runtime_dir));
	if (shm_attach(&f->shm, conf->shm_name, 1, why, whylen) == -1)
		return -1;
	if ((f->text = malloc(f->shm.geo.max_line)) == NULL ||
	    (f->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto fail;
	}
	hublink_init(&f->link, &f->shm, f->runtime_dir, f->epfd);
	f->link.hello_flags = CTL_HELLO_FOLLOWER;
	if (claim(f, label, start, why, whylen) == -1)
		goto fail;
	if (hello(f, why, whylen) == -1 ||
	    hublink_welcome(&f->link, why, whylen) != HUBLINK_OK) {
		registry_release(&f->shm, f->reader.slot, getpid(),
		    f->reader.generation, "");
		goto fail;
	}
	return 0;
fail:
	if (f->epfd != -1)
		close(f->epfd);
	free(f->text);
	shm_detach(&f->shm);
	return -1;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

void
follower_close(struct follower *f)
{
	if (f->shm.hdr == NULL)
		return;
	close_fd(&f->link.ctl_fd);
	close_fd(&f->link.wake_fd);
	close_fd(&f->link.timer_fd);
	close_fd(&f->epfd);
	hublink_free(&f->link);
	registry_release(&f->shm, f->reader.slot, getpid(), f->reader.generation,
	    "");
	free(f->text);
	f->text = NULL;
	shm_detach(&f->shm);
}

/* One event of the hub link: 1 if it is a reason to read, -1 refused. */
static int
link_event(struct follower *f, const struct epoll_event *ev, char *why,
    size_t whylen)
{
	int fd = ev->data.fd;

	if (fd != f->link.ctl_fd && fd != f->link.wake_fd &&
	    fd != f->link.timer_fd && f->on_event != NULL) {
		f->on_event(f->on_event_arg, fd, ev->events);
		return 0;
	}
	switch (hublink_handle(&f->link, fd, ev->events, why, whylen)) {
	case HUBLINK_EVENT_WAKE:
		return 1;
	case HUBLINK_EVENT_LOST:
		return -1;
	default:
		return 0;
	}
}

int
follower_wait(struct follower *f, int timeout_ms, char *why, size_t whylen)
{
	struct epoll_event events[4];
	int n, woken = 0, rc;

	if (stopping)
		return 0;
	if ((n = epoll_pwait(f->epfd, events, 4, timeout_ms,
	    signals_set ? &wait_mask : NULL)) == -1) {
		if (errno == EINTR)
			return 0;
		snprintf(why, whylen, "epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = link_event(f, &events[i], why, whylen)) == -1)
			return -1;
		woken |= rc;
	}
	return woken;
}

/* The ring overran the cursor: go on at the first intact record. */
static void
skip_gap(struct follower *f, struct msglog_entry *scratch,
    struct follower_gap *gap)
{
	gap->from = f->reader.cursor;
	gap->to = msglog_resync(&f->shm, gap->from, scratch);
	if (gap->to <= gap->from)
		gap->to = gap->from + 1;	/* never the same cell again */
	f->reader.cursor = gap->to;
	if (f->reader.end < gap->to)
		f->reader.end = gap->to;
	f->gaps++;
	f->lost += gap->to - gap->from;
	logreader_publish(&f->reader);
}

enum follower_result
follower_next(struct follower *f, struct msglog_entry *entry,
    struct follower_gap *gap)
{
	if (!f->draining) {
		logreader_begin(&f->reader);
		f->draining = 1;
	}
	switch (logreader_next(&f->reader, entry)) {
	case LOGREADER_RECORD:
		f->records++;
		return FOLLOW_RECORD;
	case LOGREADER_LOST:
		skip_gap(f, entry, gap);
		return FOLLOW_GAP;
	case LOGREADER_END:
	case LOGREADER_STOPPED:		/* logreader_drain's alone */
		break;
	}
	logreader_publish(&f->reader);
	f->draining = 0;
	return FOLLOW_NONE;
}

/*
 * presence.c -- the wake-ups for joins and leaves, batched.
 *
 * Every login and logout is announced to everyone online.  When the
 * session that appended the notice woke everyone itself, a login storm
 * cost a wake-up of every online session per login (2000 logins: 224,000
 * eventfd writes, and as many reads and socket writes).  Instead the
 * session tells the hub (CTL_PRESENCE, with the log position after its
 * record) and the hub wakes every registered session whose cursor has
 * not reached that position: at once if it has not done so for
 * PRESENCE_MS, else when that hold-off ends.  So a quiet chat sees a
 * join at once, and a storm wakes each session at most every
 * PRESENCE_MS, for all the notices since.  A session woken meanwhile
 * for anything else has read the notice already (the log is read in
 * order) and is skipped; one whose flag is set is woken by whoever set
 * it.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "hub.h"
#include "log.h"
#include "msglog.h"

/*
 * At most one wake-up per session this often.  A 2000-login storm gave
 * 13 % more logins/s at 300 than at 100 (a third of the wake-ups and
 * socket writes per session); 1000 gave no more than 300.
 */
#define PRESENCE_MS	300

static void
hold_off(struct hub *hub, int on)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_value.tv_sec = PRESENCE_MS / 1000;
		its.it_value.tv_nsec = PRESENCE_MS % 1000 * 1000000L;
	}
	if (timerfd_settime(hub->presence.fd, 0, &its, NULL) == -1) {
		log_warn("presence timer");
		on = 0;		/* no hold-off: each request wakes at once */
	}
	hub->presence_holding = on;
}

/*
 * Wake every registered session (and log follower) that has not read up
 * to the target.
 */
static void
wake_behind(struct hub *hub)
{
	uint64_t target = hub->presence_target, coalesced = 0;
	struct shm_slot *s;

	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		s = shm_slot(&hub->shm, i);
		if (hub->slots[i].eventfd == -1 || !shm_slot_behind(s, target))
			continue;
		coalesced += !sessions_flag_wake(hub, i);
	}
	sessions_coalesced(hub, coalesced);
	hub->presence_done = target;
	hold_off(hub, 1);
}

void
presence_init(struct hub *hub)
{
	hub->presence.kind = WATCH_PRESENCE;
	hub->presence.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (hub->presence.fd == -1)
		fatal("presence timer");
	hub_watch(hub, &hub->presence, EPOLLIN);
}

void
presence_request(struct hub *hub, uint64_t next)
{
	uint64_t log_next = msglog_next(&hub->shm);

	/* The peer's number is not trusted past what the log holds. */
	if (next > log_next)
		next = log_next;
	if (next > hub->presence_target)
		hub->presence_target = next;
	if (!hub->presence_holding && hub->presence_target > hub->presence_done)
		wake_behind(hub);
}

void
presence_tick(struct hub *hub)
{
	uint64_t ticks;

	if (read(hub->presence.fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (hub->presence_target > hub->presence_done)
		wake_behind(hub);	/* notices arrived during the hold-off */
	else
		hold_off(hub, 0);
}

/*
 * watch.c -- the hub's epoll set: adding and removing what it watches.
 *
 * The bottom of the hub's files: start-up (hubd.c), peers (control.c),
 * sessions (sessions.c) and presence (presence.c) all watch through it,
 * and it calls none of them.
 */
#include <sys/epoll.h>

#include <errno.h>

#include "fault.h"
#include "hub.h"
#include "log.h"

int
hub_try_watch(struct hub *hub, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (fault_fail("hub-watch")) {
		errno = ENOSPC;
		return -1;
	}
	return epoll_ctl(hub->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void
hub_watch(struct hub *hub, struct watch *w, uint32_t events)
{
	if (hub_try_watch(hub, w, events) == -1)
		fatal("epoll_ctl add");
}

void
hub_unwatch(struct hub *hub, struct watch *w)
{
	if (epoll_ctl(hub->epfd, EPOLL_CTL_DEL, w->fd, NULL) == -1)
		log_warn("epoll_ctl del");
}

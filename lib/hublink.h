/*
 * hublink.h -- a log reader's control connection to the hub.
 *
 * Owns registering a slot with the hub (HELLO, then WELCOME with the
 * eventfd the hub wakes it on), noticing that the hub went away,
 * reconnecting on a timer, and sending wake-up requests for the records
 * its owner appends.  Wake-ups that cannot be sent while the hub is away
 * or busy are owed per slot and sent when it has room, so none is lost.
 * Every front door (and any process that appends or follows the log)
 * holds one; the descriptors it opens are watched in the owner's epoll
 * set with data.fd set to the descriptor, and the owner's loop hands
 * their events back here.
 */
#ifndef CHAT_HUBLINK_H
#define CHAT_HUBLINK_H

#include <stddef.h>
#include <stdint.h>

#include "msglog.h"
#include "shm.h"

struct hublink {
	const struct shm *shm;
	const char	*runtime_dir;
	int		 epfd;		/* the owner's epoll set */
	uint32_t	 slot, generation; /* the slot registered */
	uint32_t	 hello_flags;	/* CTL_HELLO_*: 0 for a session */
	int		 ctl_fd;	/* control connection; -1 while away */
	int		 ctl_room_watched; /* EPOLLOUT on ctl_fd: wakes are owed */
	int		 wake_fd;	/* eventfd from the hub; -1 while away */
	int		 timer_fd;	/* reconnect timer; -1 until needed */
	uint8_t		*wake_owed;	/* per slot, then one for the log
					   followers: a wake not yet sent; lazy */
	uint32_t	 wake_owed_count;
};

enum hublink_result { HUBLINK_OK, HUBLINK_AWAY, HUBLINK_REFUSED };

void	hublink_init(struct hublink *l, const struct shm *shm,
	    const char *runtime_dir, int epfd);
void	hublink_free(struct hublink *l);
/* Connect to the hub's socket: 0, or -1 (errno) if it is not there. */
int	hublink_open(struct hublink *l);
/*
 * Register slot (of generation): hublink_hello sends HELLO, and
 * hublink_welcome awaits the answer (up to 10 s) and watches the
 * eventfd (edge-triggered) and the control socket.  Return HUBLINK_*,
 * with why filled unless OK.
 */
int	hublink_hello(struct hublink *l, uint32_t slot, uint32_t generation,
	    char *why, size_t whylen);
int	hublink_welcome(struct hublink *l, char *why, size_t whylen);
/*
 * The control socket is readable: the hub went away (the retry timer is
 * then armed); returns 1 then, else 0.
 */
int	hublink_read(struct hublink *l);
/* The retry timer fired: try to register again; HUBLINK_*. */
int	hublink_retry(struct hublink *l, char *why, size_t whylen);
/* What an event on one of the link's descriptors meant (hublink_handle). */
enum hublink_event {
	HUBLINK_EVENT_NONE,	/* not the link's descriptor */
	HUBLINK_EVENT_DONE,	/* handled; nothing for the owner */
	HUBLINK_EVENT_WAKE,	/* read the log: woken, or registered again */
	HUBLINK_EVENT_LOST,	/* the hub refused the slot after a restart */
};
/*
 * Handle an epoll event on fd if it is the link's: the eventfd (WAKE),
 * the control socket (owed wake-ups sent, or the hub gone and the retry
 * timer armed), the retry timer (registered again: WAKE; refused: LOST,
 * why filled).
 */
enum hublink_event hublink_handle(struct hublink *l, int fd, uint32_t events,
	    char *why, size_t whylen);
/* Send every owed wake-up (also when the control socket has room). */
void	hublink_flush_owed(struct hublink *l);
/*
 * After appending a record addressed to `to`: wake every other slot it
 * reaches and the log followers (one request carries them all; a slot
 * whose wake-pending flag is already set is owed one already), and
 * nudge laggards.  Returns 1
 * if the caller's own cursor lags half a ring: it must read on now.
 */
int	hublink_wake(struct hublink *l, const struct msglog_address *to);
/*
 * After a record for everyone that can wait a moment (a join or a
 * leave): the hub wakes whoever has not read it, batched
 * (hub/presence.c).  Returns as hublink_wake.
 */
int	hublink_presence(struct hublink *l);

#endif

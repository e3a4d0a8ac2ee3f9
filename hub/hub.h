/*
 * hub.h -- chat-hubd's private state, shared by its modules.
 *
 * hubd.c     start-up, the event loop, signals
 * control.c  the control socket: accepting peers, decoding their messages
 * sessions.c what the hub holds per slot: eventfd, pidfd; wakes (of log
 *            followers too); cleanup
 * presence.c wake-ups for joins and leaves, at most one per session per 300 ms
 */
#ifndef CHAT_HUB_H
#define CHAT_HUB_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>

#include "conf.h"
#include "shm.h"

/* What an epoll registration points at. */
enum watch_kind {
	WATCH_LISTEN, WATCH_SIGNAL, WATCH_CONN, WATCH_PIDFD, WATCH_SWEEP,
	WATCH_PRESENCE,
};

struct watch {
	enum watch_kind	kind;
	int		fd;
	uint32_t	slot;		/* WATCH_PIDFD: slot it watches */
};

/* One control-socket peer (a session, or chatctl later). */
struct hub_conn {
	struct watch	w;		/* must be first: epoll points here */
	pid_t		pid;		/* from SO_PEERCRED */
	uint32_t	slot;		/* registered slot, SLOT_NONE if none */
	uint32_t	generation;
	TAILQ_ENTRY(hub_conn) entry;	/* in hub.conns */
};

/* The hub's view of one slot. */
struct hub_slot {
	int		eventfd;	/* -1 unless a session registered */
	struct hub_conn	*conn;		/* its control connection */
	struct watch	pidfd;		/* fd -1 unless watched by pidfd */
	pid_t		pid;
	uint32_t	generation;
	int		follower;	/* registered as a log follower */
	int		was_pending;	/* wake flag set at the last sweep */
	uint64_t	swept_cursor;	/* its s_cursor at the last sweep */
};

struct hub {
	struct chat_conf conf;
	const char	*conf_path;	/* -c FILE, or NULL */
	struct shm	shm;
	int		epfd;
	struct watch	listen;
	int		listen_paused;	/* out of descriptors: not accepting */
	int		reserve_fd;	/* /dev/null, given up to refuse a peer */
	int		fds_warned;	/* said so since the last sweep tick */
	struct watch	signal;
	struct watch	sweep;		/* timerfd: the wake-flag safety net */
	struct watch	presence;	/* timerfd: the presence hold-off */
	uint64_t	presence_target; /* log position joins/leaves need read */
	uint64_t	presence_done;	/* target of the last presence wake-up */
	int		presence_holding; /* hold-off timer armed */
	struct hub_slot	*slots;		/* conf geometry: shm max_sessions */
	uint32_t	*followers;	/* slots of registered log followers */
	uint32_t	nfollowers;
	TAILQ_HEAD(, hub_conn) conns;	/* every control connection */
	volatile int	quit;
};

/* control.c */
int	control_listen(struct hub *hub);
void	control_accept(struct hub *hub);
void	control_read(struct hub *hub, struct hub_conn *conn);
void	control_close(struct hub *hub, struct hub_conn *conn);
/* At exit: close every connection without freeing any slot. */
void	control_shutdown(struct hub *hub);
/* Once a second: accept again if out of descriptors, warn again. */
void	control_tick(struct hub *hub);

/* sessions.c */
int	sessions_init(struct hub *hub);
int	sessions_register(struct hub *hub, struct hub_conn *conn, uint32_t slot,
	    uint32_t generation, int follower, const char **why);
void	sessions_gone(struct hub *hub, uint32_t slot, pid_t pid,
	    uint32_t generation);
void	sessions_forget_pid(struct hub *hub, pid_t pid);
void	sessions_pidfd_exited(struct hub *hub, uint32_t slot);
void	sessions_adopt_stale(struct hub *hub);
void	sessions_wake(struct hub *hub, uint32_t slot);
/*
 * Flip slot's wake flag and write its eventfd; 0 (nothing written) if a
 * wake-up was pending already.  Callers add those up for
 * sessions_coalesced (st_wakeups_coalesced, one atomic add a batch).
 */
int	sessions_flag_wake(struct hub *hub, uint32_t slot);
void	sessions_coalesced(struct hub *hub, uint64_t count);
/* A record was appended: wake every registered log follower, coalesced. */
void	sessions_wake_followers(struct hub *hub);
/* chatctl kick: the slot of the user asked to close, or SLOT_NONE. */
uint32_t sessions_request_close(struct hub *hub, const char *name,
	    const char *reason);
void	sessions_free(struct hub *hub);
void	sessions_sweep(struct hub *hub);

/* presence.c */
void	presence_init(struct hub *hub);
/* A join or leave was appended; next is the log position after it. */
void	presence_request(struct hub *hub, uint64_t next);
void	presence_tick(struct hub *hub);

/* hubd.c */
/*
 * Watch w->fd in the loop.  hub_try_watch returns -1 (errno set) when
 * epoll cannot (ENOMEM; ENOSPC past fs.epoll.max_user_watches), and the
 * caller refuses or retries; hub_watch, for start-up, calls fatal.
 */
int	hub_try_watch(struct hub *hub, struct watch *w, uint32_t events);
void	hub_watch(struct hub *hub, struct watch *w, uint32_t events);
void	hub_unwatch(struct hub *hub, struct watch *w);

#endif

/*
 * shm.h -- creating, attaching and locking the shared-memory segment.
 *
 * Owns the mapping and the protocol of the three robust mutexes; what each
 * guards and its repair after a holder died belong to registry.c,
 * groups.c and msglog.c.  The layout itself is in shm_layout.h; what the
 * slots and the log mean is in registry.h and msglog.h.
 */
#ifndef CHAT_SHM_H
#define CHAT_SHM_H

#include <sys/stat.h>
#include <sys/types.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "shm_layout.h"

/*
 * The largest value of each capacity a segment may be built for: the
 * upper limits of these chat.conf keys (lib/conf.c, chat.conf(5)) and of
 * shm_check.  Their defaults and lower limits are chat.conf's alone
 * (shm_check only wants them non-zero).
 */
#define SHM_MAX_SESSIONS	65536
#define SHM_MAX_LINE		65536
#define SHM_MAX_LOG_RECORDS	(1 << 20)
#define SHM_MAX_GROUPS		65536
#define SHM_MAX_GROUP_MEMBERS	65536

/* The capacities a segment is built for, and where its parts start. */
struct shm_geometry {
	uint32_t	max_sessions, max_line, log_records;
	uint32_t	max_groups, max_group_members, name_buckets;
	uint64_t	slots_offset, names_offset, groups_offset, joined_offset;
	uint64_t	invited_offset, log_offset, segment_size;
	uint32_t	log_cells;
};

struct shm {
	struct shm_header	*hdr;	/* the mapping; NULL when detached */
	size_t			 size;	/* bytes mapped */
	int			 writable;
	/*
	 * The header's geometry as shm_check found it at attach (or as the
	 * hub made it).  Every bound and offset is taken from this private
	 * copy, never from the shared header again: a process that scribbles
	 * on the header after the check cannot move an index out of the
	 * mapping.
	 */
	struct shm_geometry	 geo;
};

/* Fill the offsets and sizes of g from its capacities. */
void	shm_geometry_compute(struct shm_geometry *g);
/* 1 if a and b have the same capacities (and so the same offsets). */
int	shm_geometry_equal(const struct shm_geometry *a,
	    const struct shm_geometry *b);
/*
 * Check that size bytes at base hold a segment this build can use:
 * magic, layout version, sizes and offsets.  0 if so, with its geometry
 * in *geo (which may be NULL), else -1 and err.
 */
int	shm_check(const void *base, size_t size, struct shm_geometry *geo,
	    char *err, size_t errlen);
/*
 * Whether the object st describes may be used as a segment: a regular
 * file owned by root or by hub_uid (the hub's user), with no permission
 * bits for others.  /dev/shm is world-writable, so a name found there
 * may have been planted by anyone.  0 if so, else -1 and err, naming
 * the owner and the mode.
 */
int	shm_check_owner(const struct stat *st, const char *name, uid_t hub_uid,
	    char *err, size_t errlen);
/*
 * Attach to an existing segment (sessions, chatctl).  Its owner must be
 * root or hub_uid (shm_check_owner; errno EPERM if not), then its header
 * must pass shm_check (errno EPROTO if not).  shm_attach takes this
 * process's effective user for the hub's, as the hub and the sessions
 * run as the same user.
 */
int	shm_attach_as(struct shm *shm, const char *name, int writable,
	    uid_t hub_uid, char *err, size_t errlen);
int	shm_attach(struct shm *shm, const char *name, int writable,
	    char *err, size_t errlen);
/*
 * Hub: attach to a valid existing segment of its own named name
 * (shm_attach), or create a new one with the capacities of want (its
 * offsets are computed here; conf_geometry gives chat.conf's).
 * *created tells which.  The segment is created with O_EXCL, so a name
 * someone else made meanwhile is never taken for the hub's own: it goes
 * through the checks of shm_attach instead.
 */
int	shm_open_or_create(struct shm *shm, const char *name,
	    const struct shm_geometry *want, int *created, char *err,
	    size_t errlen);
/* Hub: remove the segment name (for a fresh start). */
int	shm_remove(const char *name);
void	shm_detach(struct shm *shm);

/*
 * Where things are in the segment.  Inline: a fan-out calls them for
 * every slot; the bounds are the caller's (against shm->geo).
 */
static inline char *
shm_base(const struct shm *shm)
{
	return (char *)shm->hdr;
}

static inline struct shm_slot *
shm_slot(const struct shm *shm, uint32_t index)
{
	return (struct shm_slot *)(void *)(shm_base(shm) + shm->geo.slots_offset +
	    (size_t)index * sizeof(struct shm_slot));
}

static inline struct shm_group *
shm_group(const struct shm *shm, uint32_t index)
{
	return (struct shm_group *)(void *)(shm_base(shm) + shm->geo.groups_offset +
	    (size_t)index * sizeof(struct shm_group));
}

/* The name index, name_buckets entries (see shm_layout.h, names.h). */
static inline uint32_t *
shm_names(const struct shm *shm)
{
	return (uint32_t *)(void *)(shm_base(shm) + shm->geo.names_offset);
}

/* joined[group][slot] and invited[group][slot]; see shm_layout.h. */
static inline _Atomic uint64_t *
shm_joined(const struct shm *shm, uint32_t group, uint32_t slot)
{
	size_t cell = (size_t)group * shm->geo.max_sessions + slot;

	return (_Atomic uint64_t *)(void *)(shm_base(shm) + shm->geo.joined_offset +
	    cell * sizeof(uint64_t));
}

static inline uint32_t *
shm_invited(const struct shm *shm, uint32_t group, uint32_t slot)
{
	size_t cell = (size_t)group * shm->geo.max_sessions + slot;

	return (uint32_t *)(void *)(shm_base(shm) + shm->geo.invited_offset +
	    cell * sizeof(uint32_t));
}

/* The log cell of sequence number seq (the ring wraps). */
static inline struct shm_record *
shm_record(const struct shm *shm, uint64_t seq)
{
	return (struct shm_record *)(void *)(shm_base(shm) + shm->geo.log_offset +
	    seq % shm->geo.log_cells * SHM_CELL);
}

/* Cells a record takes: its header and data bytes (names and text). */
uint32_t		 shm_record_cells(size_t data);
/*
 * Set a slot's wake-pending flag: 1 if this call set it, so the caller
 * owes its eventfd write; 0 if a wake-up was pending already
 * (coalescing, doc/architecture.md section 6).
 */
int	shm_slot_flag_wake(struct shm_slot *s);
/*
 * Copy a name field of the segment (a slot's s_name, a group's g_name)
 * into name, NUL-ended: at most SHM_NAME_MAX bytes are read, since a
 * name in the segment is never trusted to end.
 */
void	shm_name_copy(char name[SHM_NAME_MAX + 1], const char *field);
/* A DISC_* reason's name in chatctl stats and /metrics ("sendq_exceeded"). */
const char *shm_disconnect_name(uint32_t reason);
/* The name users see for a slot's s_transport: "tcp", "ws", "sse". */
const char *shm_transport_name(uint32_t transport);
/*
 * Is the slot a reader (an ACTIVE session or a log follower) that has
 * not read up to target (its published s_cursor is below it)?  Whoever
 * wakes readers that lag (the senders' nudge, the hub's presence
 * wake-ups) asks here.
 */
int	shm_slot_behind(struct shm_slot *s, uint64_t target);
/*
 * Does a slot in state read the log with a published cursor (an ACTIVE
 * session, or a log follower)?  Such a slot is nudged when it lags,
 * woken for joins and leaves, and woken after a death.
 */
static inline int
shm_state_reads_log(uint32_t state)
{
	return state == SLOT_ACTIVE || state == SLOT_FOLLOWER;
}

/*
 * Lock m, one of the three robust mutexes in the header.  When its
 * previous holder died, log it, call repair(shm) to make again what the
 * lock guards, and make m consistent before returning.  Each lock's
 * owner wraps this: registry_lock, groups_lock, and msglog.c's own.
 */
void	shm_lock_robust(const struct shm *shm, pthread_mutex_t *m,
	    const char *what, void (*repair)(const struct shm *));

#endif

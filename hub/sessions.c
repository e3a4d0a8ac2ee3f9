/*
 * sessions.c -- what the hub holds for each slot, and the wake-ups.
 *
 * Owns the eventfd of every registered session and log follower
 * (created here, passed over the control socket), the list of
 * followers and their wake-ups, the pidfds of sessions left over from a
 * previous hub, and the cleanup of a slot whose session died.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "hub.h"
#include "log.h"
#include "proc.h"
#include "registry.h"

int
sessions_init(struct hub *hub)
{
	uint32_t n = hub->shm.geo.max_sessions;

	hub->slots = calloc(n, sizeof(*hub->slots));
	hub->followers = calloc(n, sizeof(*hub->followers));
	if (hub->slots == NULL || hub->followers == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		hub->slots[i].eventfd = -1;
		hub->slots[i].pidfd.kind = WATCH_PIDFD;
		hub->slots[i].pidfd.fd = -1;
		hub->slots[i].pidfd.slot = i;
	}
	return 0;
}

static void
unwatch_pidfd(struct hub *hub, struct hub_slot *hs)
{
	if (hs->pidfd.fd == -1)
		return;
	hub_unwatch(hub, &hs->pidfd);
	close(hs->pidfd.fd);
	hs->pidfd.fd = -1;
}

/* The follower list: a few slots, kept packed. */
static void
follower_list(struct hub *hub, uint32_t slot, int on)
{
	struct hub_slot *hs = &hub->slots[slot];

	if (hs->follower == on)
		return;
	hs->follower = on;
	if (on) {
		hub->followers[hub->nfollowers++] = slot;
		return;
	}
	for (uint32_t i = 0; i < hub->nfollowers; i++) {
		if (hub->followers[i] == slot) {
			hub->followers[i] = hub->followers[--hub->nfollowers];
			return;
		}
	}
}

static void
forget_slot(struct hub *hub, uint32_t slot)
{
	struct hub_slot *hs = &hub->slots[slot];

	follower_list(hub, slot, 0);
	if (hs->eventfd != -1)
		close(hs->eventfd);
	hs->eventfd = -1;
	if (hs->conn != NULL)
		hs->conn->slot = SLOT_NONE;
	hs->conn = NULL;
	unwatch_pidfd(hub, hs);
}

int
sessions_register(struct hub *hub, struct hub_conn *conn, uint32_t slot,
    uint32_t generation, int follower, const char **why)
{
	struct shm_slot *s;
	struct hub_slot *hs;
	int efd;

	if (slot >= hub->shm.geo.max_sessions) {
		*why = "slot out of range";
		return -1;
	}
	s = shm_slot(&hub->shm, slot);
	if (atomic_load(&s->s_state) == SLOT_FREE || s->s_pid != conn->pid ||
	    atomic_load(&s->s_generation) != generation) {
		*why = "slot is not yours (it was freed while the hub was away)";
		return -1;
	}
	if ((atomic_load(&s->s_state) == SLOT_FOLLOWER) != follower) {
		*why = follower ? "slot is not a follower's" :
		    "slot is a follower's, registered as a session";
		return -1;
	}
	if ((efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		*why = errno == EMFILE || errno == ENFILE ?
		    "the hub is out of file descriptors (raise LimitNOFILE)" :
		    "the hub cannot create an eventfd";
		return -1;
	}
	hs = &hub->slots[slot];
	if (hs->conn != NULL && hs->conn != conn)
		hs->conn->slot = SLOT_NONE;
	forget_slot(hub, slot);
	hs->eventfd = efd;
	hs->conn = conn;
	hs->pid = conn->pid;
	hs->generation = generation;
	follower_list(hub, slot, follower);
	s->s_pid_start = proc_start_time(conn->pid);
	conn->slot = slot;
	conn->generation = generation;
	return efd;
}

/*
 * After a session died: the others must read its leave record, and the
 * dead session may have set wake-pending flags without sending the
 * wake-ups, so every ACTIVE slot, every follower and every flagged slot
 * is woken.
 */
static void
wake_after_death(struct hub *hub)
{
	struct shm_slot *s;

	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		s = shm_slot(&hub->shm, i);
		if (shm_state_reads_log(atomic_load(&s->s_state)))
			atomic_store(&s->s_wake_pending, 1);
		if (atomic_load(&s->s_wake_pending) != 0)
			sessions_wake(hub, i);
	}
}

/* Free a slot whose session is gone and tell everyone. */
void
sessions_gone(struct hub *hub, uint32_t slot, pid_t pid, uint32_t generation)
{
	struct hub_slot *hs = &hub->slots[slot];
	struct shm_slot *s = shm_slot(&hub->shm, slot);
	char reason[SHM_REASON_MAX], node[SHM_NAME_MAX + 1];
	enum slot_state was;

	/* Forget what the hub holds only if it is this session's. */
	if (hs->pid == pid && hs->generation == generation)
		forget_slot(hub, slot);
	/* Another node's user: the bridge that showed it here is gone. */
	shm_name_copy(node, s->s_peer);
	if (s->s_origin != 0)
		snprintf(reason, sizeof(reason), "node %s unreachable", node);
	else
		strlcpy(reason, "connection lost", sizeof(reason));
	was = registry_release(&hub->shm, slot, pid, generation, reason);
	if (was == SLOT_FREE)
		return;		/* the session released it itself */
	if (was == SLOT_FOLLOWER) {
		/* A log follower appended nothing and owed nobody a wake-up. */
		log_info("slot %u: log follower %d died; slot freed", slot,
		    (int)pid);
		return;
	}
	atomic_fetch_add(&hub->shm.hdr->st_disconnects[DISC_LOST], 1);
	log_info("slot %u: session %d died; slot freed", slot, (int)pid);
	wake_after_death(hub);
}

/*
 * A peer that never registered closed: if it died after claiming a slot,
 * that slot still carries its pid.
 */
void
sessions_forget_pid(struct hub *hub, pid_t pid)
{
	struct shm_slot *s;

	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		s = shm_slot(&hub->shm, i);
		if (atomic_load(&s->s_state) != SLOT_FREE && s->s_pid == pid &&
		    hub->slots[i].conn == NULL)
			sessions_gone(hub, i, pid, atomic_load(&s->s_generation));
	}
}

void
sessions_pidfd_exited(struct hub *hub, uint32_t slot)
{
	struct hub_slot *hs = &hub->slots[slot];

	if (hs->pidfd.fd == -1)
		return;		/* unwatched earlier in this batch of events */
	sessions_gone(hub, slot, hs->pid, hs->generation);
}

static int
pidfd_open_pid(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/*
 * At start-up on an existing segment: every slot in use belongs to a
 * session of an earlier hub.  Dead ones are freed now; live ones are
 * watched by pidfd until they re-register (or die).
 */
void
sessions_adopt_stale(struct hub *hub)
{
	struct shm_slot *s;
	struct hub_slot *hs;
	uint32_t stale = 0, adopted = 0;
	uint64_t start;
	int fd;

	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		s = shm_slot(&hub->shm, i);
		if (atomic_load(&s->s_state) == SLOT_FREE)
			continue;
		hs = &hub->slots[i];
		hs->pid = s->s_pid;
		hs->generation = atomic_load(&s->s_generation);
		/*
		 * pidfd_open failing with ESRCH is the sign of death; the start
		 * time (when /proc lets us read it) tells a reused pid.
		 */
		fd = pidfd_open_pid(s->s_pid);
		if (fd == -1 && errno != ESRCH)
			log_warn("slot %u: pidfd_open(%d)", i, (int)s->s_pid);
		start = fd == -1 ? 0 : proc_start_time(s->s_pid);
		if (fd == -1 || (s->s_pid_start != 0 && start != 0 &&
		    s->s_pid_start != start)) {
			if (fd != -1)
				close(fd);
			sessions_gone(hub, i, hs->pid, hs->generation);
			stale++;
			continue;
		}
		hs->pidfd.fd = fd;
		hub_watch(hub, &hs->pidfd, EPOLLIN);
		adopted++;
	}
	if (stale + adopted > 0)
		log_info("segment had %u sessions: %u alive, %u stale slots freed",
		    stale + adopted, adopted, stale);
}

void
sessions_wake(struct hub *hub, uint32_t slot)
{
	uint64_t one = 1;
	int efd;

	if (slot >= hub->shm.geo.max_sessions)
		return;
	if ((efd = hub->slots[slot].eventfd) == -1)
		return;		/* not registered (yet): it drains when it does */
	if (write(efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("slot %u: eventfd write", slot);
	atomic_fetch_add_explicit(&hub->shm.hdr->st_wakeups_sent, 1,
	    memory_order_relaxed);
}

int
sessions_flag_wake(struct hub *hub, uint32_t slot)
{
	if (!shm_slot_flag_wake(shm_slot(&hub->shm, slot)))
		return 0;
	sessions_wake(hub, slot);
	return 1;
}

void
sessions_coalesced(struct hub *hub, uint64_t count)
{
	if (count > 0)
		atomic_fetch_add_explicit(&hub->shm.hdr->st_wakeups_coalesced,
		    count, memory_order_relaxed);
}

/*
 * Clear the followers' shared request first, then flag each follower: a
 * record appended after the clear asks again, and one appended before it
 * is read by the drain this wakes (or by the one a set flag promises).
 */
void
sessions_wake_followers(struct hub *hub)
{
	uint64_t coalesced = 0;

	atomic_exchange(&hub->shm.hdr->followers_wake, 0);
	for (uint32_t i = 0; i < hub->nfollowers; i++)
		coalesced += !sessions_flag_wake(hub, hub->followers[i]);
	sessions_coalesced(hub, coalesced);
}

/*
 * chatctl kick: ask the session of the user named name to close with
 * reason (it tells its client).  The request is addressed by slot and
 * generation, so it never reaches a newcomer that took the slot after
 * the lookup (the "close-request" fault point stops the hub in between).
 */
uint32_t
sessions_request_close(struct hub *hub, const char *name, const char *reason)
{
	char why[SHM_REASON_MAX];
	uint32_t slot, generation;

	snprintf(why, sizeof(why), "kicked by an operator: %s", reason);
	if ((slot = registry_lookup(&hub->shm, name, &generation)) == SLOT_NONE)
		return SLOT_NONE;
	fault_point("close-request");
	if (!registry_request_close(&hub->shm, slot, generation, DISC_KICKED, why))
		return SLOT_NONE;	/* left meanwhile */
	atomic_store(&shm_slot(&hub->shm, slot)->s_wake_pending, 1);
	sessions_wake(hub, slot);
	return slot;
}

/* At exit: close the eventfds and pidfds the hub holds. */
void
sessions_free(struct hub *hub)
{
	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		if (hub->slots[i].eventfd != -1)
			close(hub->slots[i].eventfd);
		if (hub->slots[i].pidfd.fd != -1)
			close(hub->slots[i].pidfd.fd);
	}
	free(hub->slots);
	hub->slots = NULL;
	free(hub->followers);
	hub->followers = NULL;
}

/*
 * The safety net, once a second: every wake-up path is designed so that
 * none is lost (doc/architecture.md, section 6), but a flag left set
 * would deafen its session for good, so a registered session whose flag
 * was set at the last sweep and still is, and which has not read on
 * since, gets its eventfd written again.  One that read on is not deaf:
 * under steady traffic most flags are set at any instant.  The counter
 * shows whether the net ever catches anything.
 */
void
sessions_sweep(struct hub *hub)
{
	struct shm_slot *s;
	struct hub_slot *hs;
	uint64_t cursor;
	int pending;

	/* A followers' request whose CTL_WAKE_FOLLOWERS never came (owed). */
	if (atomic_load(&hub->shm.hdr->followers_wake) != 0)
		sessions_wake_followers(hub);
	for (uint32_t i = 0; i < hub->shm.geo.max_sessions; i++) {
		hs = &hub->slots[i];
		s = shm_slot(&hub->shm, i);
		pending = hs->eventfd != -1 && atomic_load(&s->s_wake_pending) != 0;
		cursor = atomic_load(&s->s_cursor);
		if (pending && hs->was_pending && cursor == hs->swept_cursor) {
			atomic_fetch_add(&hub->shm.hdr->st_wakeups_swept, 1);
			sessions_wake(hub, i);
		}
		hs->was_pending = pending;
		hs->swept_cursor = cursor;
	}
}

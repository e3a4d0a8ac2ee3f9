/*
 * registry.c -- the slot table in shared memory.
 *
 * Owns slot claim, naming and release.  Fields are written first and
 * s_state last, so a holder that dies half-way leaves either the old or
 * the new state, never a mix (see repair_registry in shm.c).
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fault.h"
#include "groups.h"
#include "msglog.h"
#include "registry.h"

uint32_t
registry_claim(const struct shm *shm, pid_t pid, const char *peer)
{
	struct shm_slot *s;
	uint32_t found = SLOT_NONE;

	shm_lock_registry(shm);
	for (uint32_t i = 0; i < shm->hdr->max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load_explicit(&s->s_state, memory_order_relaxed) != SLOT_FREE)
			continue;
		s->s_pid = pid;
		s->s_pid_start = 0;
		s->s_connected = time(NULL);
		atomic_store(&s->s_last_active, s->s_connected);
		atomic_store(&s->s_wake_pending, 0);
		atomic_store(&s->s_cursor, atomic_load(&shm->hdr->log_next));
		atomic_store(&s->s_close, 0);
		s->s_close_reason[0] = '\0';
		s->s_registered = 0;
		s->s_name[0] = '\0';
		strlcpy(s->s_peer, peer, sizeof(s->s_peer));
		atomic_fetch_add(&s->s_generation, 1);
		atomic_store_explicit(&s->s_state, SLOT_LOGIN, memory_order_release);
		shm->hdr->sessions_in_use++;
		found = i;
		break;
	}
	shm_unlock_registry(shm);
	if (found != SLOT_NONE)
		atomic_fetch_add(&shm->hdr->st_sessions_total, 1);
	return found;
}

static uint32_t
find_locked(const struct shm *shm, const char *name)
{
	struct shm_slot *s;

	for (uint32_t i = 0; i < shm->hdr->max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load_explicit(&s->s_state, memory_order_acquire) == SLOT_ACTIVE &&
		    strncasecmp(s->s_name, name, sizeof(s->s_name)) == 0)
			return i;
	}
	return SLOT_NONE;
}

enum name_result
registry_take_name(const struct shm *shm, uint32_t slot, const char *name,
    uint64_t *after_join)
{
	struct shm_slot *s = shm_slot(shm, slot);
	enum name_result result = NAME_TAKEN;

	shm_lock_registry(shm);
	fault_point("registry");
	if (find_locked(shm, name) == SLOT_NONE) {
		strlcpy(s->s_name, name, sizeof(s->s_name));
		atomic_store_explicit(&s->s_state, SLOT_ACTIVE, memory_order_release);
		msglog_append_all(shm, REC_JOIN, slot,
		    atomic_load(&s->s_generation), name, "", 0, after_join);
		result = NAME_OK;
	}
	shm_unlock_registry(shm);
	if (result == NAME_OK)
		atomic_fetch_add(&shm->hdr->st_logins, 1);
	return result;
}

enum slot_state
registry_release(const struct shm *shm, uint32_t slot, pid_t pid,
    uint32_t generation, const char *reason)
{
	struct shm_slot *s = shm_slot(shm, slot);
	enum slot_state was = SLOT_FREE;

	shm_lock_registry(shm);
	if (s->s_pid == pid && atomic_load(&s->s_generation) == generation) {
		was = atomic_load(&s->s_state);
		if (was == SLOT_ACTIVE) {
			s->s_name[SHM_NAME_MAX] = '\0';	/* bound what follows */
			groups_leave_all(shm, slot, generation, s->s_name, reason);
			msglog_append_all(shm, REC_LEAVE, slot, generation,
			    s->s_name, reason, strlen(reason), NULL);
		}
		if (was != SLOT_FREE) {
			atomic_store_explicit(&s->s_state, SLOT_FREE, memory_order_release);
			shm->hdr->sessions_in_use--;
		}
	}
	shm_unlock_registry(shm);
	return was;
}

uint32_t
registry_find(const struct shm *shm, const char *name)
{
	uint32_t found;

	shm_lock_registry(shm);
	found = find_locked(shm, name);
	shm_unlock_registry(shm);
	return found;
}

uint32_t
registry_active_count(const struct shm *shm)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < shm->hdr->max_sessions; i++)
		if (atomic_load(&shm_slot(shm, i)->s_state) == SLOT_ACTIVE)
			n++;
	return n;
}

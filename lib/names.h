/*
 * names.h -- the name index: from a user name, in any case, to the slot
 * of the ACTIVE session that has it.
 *
 * Owns the open-addressing table at names_offset (shm_layout.h).  A
 * login or a lookup reads a few entries of it instead of every slot, so
 * a session maps a page or two of the slot table, not all of it.  Every
 * call is made under registry_lock.  The table is derived: the slots'
 * states and names are the truth, and names_rebuild makes it again from
 * them.
 */
#ifndef CHAT_NAMES_H
#define CHAT_NAMES_H

#include <stdint.h>

#include "shm.h"

/* The ACTIVE slot named name (any case), or SLOT_NONE. */
uint32_t names_find(const struct shm *shm, const char *name);
/*
 * An ACTIVE slot whose name looks like name (equal skeletons,
 * name_skeleton in text.h; the same name in any case included), or
 * SLOT_NONE.
 */
uint32_t names_find_lookalike(const struct shm *shm, const char *name);
/* Index slot, which has just become ACTIVE with its name. */
void	names_add(const struct shm *shm, uint32_t slot);
/* Drop slot, still ACTIVE with its name, from the index. */
void	names_remove(const struct shm *shm, uint32_t slot);
/* Make the index again from the slots (a lock holder died mid-change). */
void	names_rebuild(const struct shm *shm);

#endif

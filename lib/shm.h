/*
 * shm.h -- creating, attaching and locking the shared-memory segment.
 *
 * Owns the mapping and the two robust mutexes (with their repair after a
 * holder died).  The layout itself is in shm_layout.h; what the slots and
 * the log mean is in registry.h and msglog.h.
 */
#ifndef CHAT_SHM_H
#define CHAT_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "shm_layout.h"

struct shm {
	struct shm_header	*hdr;	/* the mapping; NULL when detached */
	size_t			 size;	/* bytes mapped */
	int			 writable;
};

/* Bytes a segment with this geometry needs. */
size_t	shm_segment_size(uint32_t max_sessions, uint32_t max_line,
	    uint32_t log_records);
uint32_t shm_record_size(uint32_t max_line);
/*
 * Check that size bytes at base hold a segment this build can use:
 * magic, layout version, sizes and offsets.  0 if so, else -1 and err.
 */
int	shm_check(const void *base, size_t size, char *err, size_t errlen);
/* Attach to an existing segment (sessions, chatctl). */
int	shm_attach(struct shm *shm, const char *name, int writable,
	    char *err, size_t errlen);
/*
 * Hub: attach to a valid existing segment, or create a new one with the
 * geometry of conf.  *created tells which.
 */
int	shm_open_or_create(struct shm *shm, const struct chat_conf *conf,
	    int *created, char *err, size_t errlen);
/* Hub: remove the segment name (for a fresh start). */
int	shm_remove(const char *name);
void	shm_detach(struct shm *shm);

struct shm_slot		*shm_slot(const struct shm *shm, uint32_t index);
struct shm_record	*shm_record(const struct shm *shm, uint64_t seq);

/*
 * Lock and unlock the two mutexes.  A lock whose previous holder died is
 * repaired (the derived state it guards is recomputed) and made
 * consistent before these return.
 */
void	shm_lock_registry(const struct shm *shm);
void	shm_unlock_registry(const struct shm *shm);
void	shm_lock_log(const struct shm *shm);
void	shm_unlock_log(const struct shm *shm);

#endif

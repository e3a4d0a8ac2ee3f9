/*
 * registry.h -- session slots: claim, name, release, look up.
 *
 * Owns the rules for slot state changes (FREE -> LOGIN -> ACTIVE -> FREE,
 * and FREE -> FOLLOWER -> FREE for log followers) and name uniqueness;
 * every change is made under registry_lock and commits with one store
 * to s_state.
 */
#ifndef CHAT_REGISTRY_H
#define CHAT_REGISTRY_H

#include <stdint.h>
#include <sys/types.h>

#include "shm.h"

/* Outcome of registry_claim. */
enum claim_result {
	CLAIM_OK,
	CLAIM_FULL,		/* every slot is in use */
	CLAIM_PENDING,		/* max_pending slots of the peer's address are
				   not logged in yet */
};
/*
 * Claim a free slot for pid, connected from peer ("ADDRESS:PORT", as
 * s_peer holds it); *slot gets its index.  Refused when every slot is in
 * use, or when max_pending (0: no limit) slots still in SLOT_LOGIN come
 * from the same address (IPv4: the address; IPv6: its /64 prefix; a
 * peer without an address, such as "stdio", is never counted).  Counted
 * under registry_lock, so concurrent claims cannot both pass the limit.
 */
enum claim_result registry_claim(const struct shm *shm, pid_t pid,
	    const char *peer, uint32_t max_pending, uint32_t *slot);
/*
 * Claim a free slot for a log follower (pid; label, such as
 * "follower:chat-follow", goes to s_peer): SLOT_FOLLOWER, counted in
 * followers, never named.  Its index, or SLOT_NONE when every slot is in
 * use.  registry_release frees it.
 */
/*
 * A user of another node (chat-bridge): a SLOT_LOGIN slot held by pid,
 * TRANSPORT_REMOTE, s_peer the node's name, s_origin its number, so the
 * records appended for it (its join and leave, its group events) carry
 * it.  registry_take_name names it.  Its index, or SLOT_NONE when full.
 */
uint32_t registry_claim_remote(const struct shm *shm, pid_t pid,
	    const char *node, uint32_t origin);
/*
 * A bridge that starts again takes over the other nodes' users an
 * earlier one left here (their slots carry its dead pid): how many.
 */
uint32_t registry_adopt_remote(const struct shm *shm, pid_t pid);
uint32_t registry_claim_follower(const struct shm *shm, pid_t pid,
	    const char *label);
/* Outcome of registry_take_name. */
enum name_result {
	NAME_OK,
	NAME_TAKEN,		/* an ACTIVE slot has the name (any case) */
	NAME_LOOKALIKE,		/* a guest name that looks like an ACTIVE one */
};
/*
 * Give slot (claimed by this process, in SLOT_LOGIN) the name and make it
 * ACTIVE, unless an ACTIVE slot already has that name (any case) or,
 * for a guest (registered 0), a name that looks like it (name_skeleton);
 * both are checked under the one lock, so two logins cannot race past
 * each other.  A registered user proved the name is his and is not held
 * off by a guest's look-alike.  The join record is appended under the
 * same lock, so it is ordered before anything the user says; *after_join
 * receives the sequence number after it, where the session starts
 * reading.
 */
enum name_result registry_take_name(const struct shm *shm, uint32_t slot,
	    const char *name, int registered, uint64_t *after_join);
/*
 * Free slot if it still belongs to (pid, generation).  Returns the state
 * it was in (SLOT_FREE if it was not ours any more).  When it was ACTIVE,
 * a leave record with reason is appended before the slot is freed, so no
 * newcomer can take the name before the others hear it was left.
 */
enum slot_state registry_release(const struct shm *shm, uint32_t slot,
	    pid_t pid, uint32_t generation, const char *reason);
/* Index of the ACTIVE slot named name (any case), or SLOT_NONE. */
uint32_t registry_find(const struct shm *shm, const char *name);
/*
 * The same, and *generation gets that slot's s_generation, read under
 * the same lock: with the index, the one session to address.
 */
uint32_t registry_lookup(const struct shm *shm, const char *name,
	    uint32_t *generation);
/*
 * Ask the session in slot to close: s_close_reason gets reason, then
 * s_close disc + 1 (a DISC_*), under registry_lock, and only if the slot
 * is not FREE and still of generation, so a request made after a lookup
 * never lands on a newcomer that reused the slot.  1 if it was stored
 * (the caller wakes the slot), 0 if that session is gone.
 */
int	registry_request_close(const struct shm *shm, uint32_t slot,
	    uint32_t generation, uint32_t disc, const char *reason);
/*
 * The away message of slot (IRC's AWAY), "" for none: set by the user's
 * own front door (if generation is still the slot's), copied by anyone
 * into buf; both under registry_lock (the text is longer than a word).
 */
void	registry_set_away(const struct shm *shm, uint32_t slot,
	    uint32_t generation, const char *text);
void	registry_away(const struct shm *shm, uint32_t slot, char *buf,
	    size_t size);
/* Number of ACTIVE slots. */
uint32_t registry_active_count(const struct shm *shm);
/*
 * Take and give back registry_lock.  When its holder died, what is
 * derived from the slots (the counts, the claim hint, the name index)
 * is made again before registry_lock returns.
 */
void	registry_lock(const struct shm *shm);
void	registry_unlock(const struct shm *shm);

#endif

/*
 * names.c -- the name index (names.h).
 *
 * Linear probing over name_buckets entries, at most half of them in use.
 * An entry holds 1 + a slot; the hash is FNV-1a of the name's look-alike
 * skeleton (name_skeleton: case folded, I/l/1 and O/0 made one, m as rn,
 * w as vv), so names that are equal in any case, and names that only
 * look alike, share one probe sequence: names_find compares with
 * strncasecmp, names_find_lookalike compares skeletons.  Removal shifts the
 * entries after the hole back, so there are no tombstones.  Nothing read
 * from the table is trusted: an entry must point at an ACTIVE slot with
 * the name, and every walk stops after name_buckets steps.
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "names.h"
#include "registry.h"
#include "text.h"

static uint32_t
name_hash(const char *name)
{
	char skeleton[2 * SHM_NAME_MAX + 1];
	size_t n = name_skeleton(name, SHM_NAME_MAX, skeleton);

	return fnv1a(FNV1A_START, skeleton, n);
}

/* Read no further than sizeof(s_name): the slot's NUL is not trusted. */
static const char *
slot_name(const struct shm *shm, uint32_t slot)
{
	return shm_slot(shm, slot)->s_name;
}

/* Does entry e point at an ACTIVE slot? */
static int
valid(const struct shm *shm, uint32_t e)
{
	return e != 0 && e - 1 < shm->geo.max_sessions &&
	    atomic_load(&shm_slot(shm, e - 1)->s_state) == SLOT_ACTIVE;
}

uint32_t
names_find(const struct shm *shm, const char *name)
{
	const uint32_t *table = shm_names(shm);
	uint32_t mask = shm->geo.name_buckets - 1;
	uint32_t i = name_hash(name) & mask;

	for (uint32_t n = 0; n <= mask && table[i] != 0; n++, i = (i + 1) & mask)
		if (valid(shm, table[i]) &&
		    strncasecmp(slot_name(shm, table[i] - 1), name, SHM_NAME_MAX + 1) == 0)
			return table[i] - 1;
	return SLOT_NONE;
}

uint32_t
names_find_lookalike(const struct shm *shm, const char *name)
{
	const uint32_t *table = shm_names(shm);
	uint32_t mask = shm->geo.name_buckets - 1;
	uint32_t i = name_hash(name) & mask;
	char want[2 * SHM_NAME_MAX + 1], have[2 * SHM_NAME_MAX + 1];

	name_skeleton(name, SHM_NAME_MAX, want);
	for (uint32_t n = 0; n <= mask && table[i] != 0; n++, i = (i + 1) & mask) {
		if (!valid(shm, table[i]))
			continue;
		name_skeleton(slot_name(shm, table[i] - 1), SHM_NAME_MAX, have);
		if (strcmp(have, want) == 0)
			return table[i] - 1;
	}
	return SLOT_NONE;
}

/* Put slot in the first empty entry from its name's home; -1 if none. */
static int
insert(const struct shm *shm, uint32_t slot)
{
	uint32_t *table = shm_names(shm);
	uint32_t mask = shm->geo.name_buckets - 1;
	uint32_t i = name_hash(slot_name(shm, slot)) & mask;

	for (uint32_t n = 0; n <= mask; n++, i = (i + 1) & mask)
		if (table[i] == 0) {
			table[i] = slot + 1;
			return 0;
		}
	return -1;
}

void
names_add(const struct shm *shm, uint32_t slot)
{
	/* Never full unless overwritten: then start again from the slots. */
	if (insert(shm, slot) == -1)
		names_rebuild(shm);
}

/* Where entry i wants to be; an invalid entry stays where it is. */
static uint32_t
home(const struct shm *shm, uint32_t i)
{
	uint32_t e = shm_names(shm)[i];

	if (!valid(shm, e))
		return i;
	return name_hash(slot_name(shm, e - 1)) & (shm->geo.name_buckets - 1);
}

void
names_remove(const struct shm *shm, uint32_t slot)
{
	uint32_t *table = shm_names(shm);
	uint32_t mask = shm->geo.name_buckets - 1;
	uint32_t hole = name_hash(slot_name(shm, slot)) & mask, n, j;

	for (n = 0; n <= mask && table[hole] != slot + 1; n++)
		if (table[hole] == 0)
			return;		/* not indexed */
		else
			hole = (hole + 1) & mask;
	if (n > mask)
		return;
	/*
	 * Close the hole: an entry further on moves into it unless its
	 * home lies (cyclically) after the hole, where a search would not
	 * pass the hole to reach it.
	 */
	j = hole;
	for (n = 0; n < mask; n++) {
		j = (j + 1) & mask;
		if (table[j] == 0)
			break;
		if (((j - home(shm, j)) & mask) >= ((j - hole) & mask)) {
			table[hole] = table[j];
			hole = j;
		}
	}
	table[hole] = 0;
}

void
names_rebuild(const struct shm *shm)
{
	memset(shm_names(shm), 0, (size_t)shm->geo.name_buckets * sizeof(uint32_t));
	for (uint32_t i = 0; i < shm->geo.max_sessions; i++)
		if (atomic_load(&shm_slot(shm, i)->s_state) == SLOT_ACTIVE)
			(void)insert(shm, i);
}

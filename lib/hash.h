/*
 * hash.h -- FNV-1a, the one hash chat uses: for the name index's buckets
 * (names.c) and for the users file's change stamp (users.c).  Not for
 * anything an attacker must not steer; both uses tolerate collisions.
 */
#ifndef CHAT_HASH_H
#define CHAT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_START	UINT32_C(2166136261)

/* Hash len bytes of data on from h (FNV1A_START for a new hash). */
static inline uint32_t
fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT32_C(16777619);
	}
	return h;
}

#endif

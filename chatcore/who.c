/*
 * who.c -- who is online and which groups exist, as data.
 *
 * Listings grow with the server, so they are read one user or one group
 * at a time: a front door stops when its answer is as long as it may be.
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "groups.h"
#include "registry.h"
#include "users.h"

int
core_name_matches(const char *name, const char *prefix, size_t len)
{
	return len <= SHM_NAME_MAX && strncasecmp(name, prefix, len) == 0;
}

/* Slot i's name into name if it is online and matches prefix. */
static int
user_listed(const struct core_user *u, uint32_t i, const char *prefix,
    size_t len, char *name)
{
	struct shm_slot *slot = shm_slot(u->shm, i);

	if (atomic_load(&slot->s_state) != SLOT_ACTIVE)
		return 0;
	shm_name_copy(name, slot->s_name);
	return core_name_matches(name, prefix, len);
}

/* What else a listing shows of slot i; every copy bounded. */
static void
user_details(const struct shm_slot *slot, uint32_t i, struct user_view *v)
{
	v->slot = i;
	v->transport = slot->s_transport;
	v->node[0] = '\0';
	if (v->transport == TRANSPORT_REMOTE)
		shm_name_copy(v->node, slot->s_peer);
	memcpy(v->ident, slot->s_ident, SHM_IDENT_MAX);
	v->ident[SHM_IDENT_MAX] = '\0';
	memcpy(v->realname, slot->s_realname, SHM_REALNAME_MAX);
	v->realname[SHM_REALNAME_MAX] = '\0';
	v->last_active = atomic_load(&slot->s_last_active);
	v->registered = slot->s_registered != 0;
}

uint32_t
core_users_count(const struct core_user *u, const char *prefix)
{
	char name[SHM_NAME_MAX + 1];
	size_t len = strlen(prefix);
	uint32_t count = 0;

	if (len == 0)
		return registry_active_count(u->shm);
	for (uint32_t i = 0; i < u->shm->geo.max_sessions; i++)
		count += user_listed(u, i, prefix, len, name);
	return count;
}

int
core_users_next(const struct core_user *u, const char *prefix, uint32_t *cursor,
    struct user_view *v)
{
	size_t len = strlen(prefix);
	uint32_t i;

	while ((i = (*cursor)++) < u->shm->geo.max_sessions)
		if (user_listed(u, i, prefix, len, v->name)) {
			user_details(shm_slot(u->shm, i), i, v);
			return 1;
		}
	return 0;
}

int
core_find_user(const struct core_user *u, const char *name, struct user_view *v)
{
	uint32_t i = registry_find(u->shm, name);

	if (i == SLOT_NONE || !user_listed(u, i, name, strlen(name), v->name) ||
	    strcasecmp(v->name, name) != 0)
		return 0;
	user_details(shm_slot(u->shm, i), i, v);
	return 1;
}

void
core_not_online(const struct core_user *u, const char *name,
    struct core_result *r)
{
	char hash[USERS_HASH_MAX], err[256];

	switch (users_lookup(u->conf->users_file, name, hash, sizeof(hash),
	    err, sizeof(err))) {
	case USERS_FOUND:
	case USERS_IS_LOCKED:	/* registered, if unusable for now */
		core_result_set(r, CR_USER_OFFLINE);
		break;
	default:
		core_result_set(r, CR_NO_SUCH_USER);
	}
	explicit_bzero(hash, sizeof(hash));
	strlcpy(r->user, name, sizeof(r->user));
}

int
core_groups_next(const struct core_user *u, const char *prefix, uint32_t *cursor,
    struct group_view *g)
{
	return groups_snapshot_next(u->shm, prefix[0] == '#' ? prefix + 1 : prefix,
	    cursor, g);
}

int
core_invitations_next(const struct core_user *u, uint32_t *cursor,
    char name[SHM_NAME_MAX + 1])
{
	return groups_invited_next(u->shm, u->slot, u->generation, cursor, name);
}

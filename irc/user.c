/*
 * user.c -- the chat user behind an IRC connection.
 *
 * Owns the user's place in the chat: a slot claimed in the registry and
 * registered with the hub (lib/hublink.c) when the connection opens, the
 * account rules asked of the core, taking the name (the slot turns
 * ACTIVE with its transport; others see it join), and leaving.  The
 * rules themselves are chatcore/login.c's, as for chat-session.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "registry.h"
#include "irc.h"

int
user_claim(struct irc *i, const char **why)
{
	char whyhub[256];

	switch (registry_claim(&i->shm, i->pid, i->client.peer,
	    i->conf.max_pending_per_address, &i->slot)) {
	case CLAIM_OK:
		break;
	case CLAIM_FULL:
		atomic_fetch_add(&i->shm.hdr->st_refused_full, 1);
		*why = "the server is full";
		return -1;
	case CLAIM_PENDING:
		*why = "too many connections from your address are not logged in";
		return -1;
	}
	i->claimed = 1;
	i->generation = atomic_load(&shm_slot(&i->shm, i->slot)->s_generation);
	logreader_init(&i->reader, &i->shm, i->slot, i->generation, 0, i->text);
	if (hublink_open(&i->link) == -1)
		snprintf(whyhub, sizeof(whyhub), "hub not reachable: %s",
		    strerror(errno));
	else if (hublink_hello(&i->link, i->slot, i->generation, whyhub,
	    sizeof(whyhub)) == 0 &&
	    hublink_welcome(&i->link, whyhub, sizeof(whyhub)) == HUBLINK_OK)
		return 0;
	log_warnx("%s: %s", i->client.peer, whyhub);
	registry_release(&i->shm, i->slot, i->pid, i->generation, "");
	i->claimed = 0;
	*why = "the chat is not running";
	return -1;
}

void
user_core(const struct irc *i, struct core_user *u)
{
	u->shm = &i->shm;
	u->conf = &i->conf;
	u->link = (struct hublink *)&i->link;
	u->slot = i->slot;
	u->generation = i->generation;
	u->name = i->nick;
	u->peer = i->client.peer;
	u->registered = i->registered;
	u->say_flags = 0;
}

enum core_account
user_account(struct irc *i, struct core_result *r)
{
	struct core_user u;

	user_core(i, &u);
	return core_account(&u, r);
}

void
user_enter(struct irc *i, struct core_result *r)
{
	struct shm_slot *slot = shm_slot(&i->shm, i->slot);
	struct core_user u;
	uint64_t after_join;

	/* Before the slot turns ACTIVE: what others read of it. */
	slot->s_transport = TRANSPORT_IRC;
	strlcpy(slot->s_ident, i->ident, sizeof(slot->s_ident));
	strlcpy(slot->s_realname, i->realname, sizeof(slot->s_realname));
	user_core(i, &u);
	core_take_name(&u, &after_join, r);
	if (r->status != CR_OK)
		return;
	slot->s_registered = (uint32_t)i->registered;
	logreader_init(&i->reader, &i->shm, i->slot, i->generation, after_join,
	    i->text);
	log_info("%s: logged in as %s (irc%s)", i->client.peer, i->nick,
	    i->registered ? "" : ", guest");
	hublink_presence(&i->link);
}

void
user_leave(struct irc *i, const char *why)
{
	int named = i->state == IRC_CHAT;

	if (!i->claimed)
		return;
	if (named)
		hublink_flush_owed(&i->link);
	registry_release(&i->shm, i->slot, i->pid, i->generation, named ? why : "");
	i->claimed = 0;
	if (named) {
		hublink_presence(&i->link);
		log_info("%s: %s left: %s", i->client.peer, i->nick, why);
	}
}

/*
 * user.c -- the chat user behind a WebSocket or an event stream (and the
 * account a push speaks for).
 *
 * Owns the user's place in the chat: a slot claimed in the registry and
 * registered with the hub (lib/hublink.c) before a name is given, the
 * account rules asked of the core, taking the name (the slot turns
 * ACTIVE with its transport; others see it join), and leaving.  The
 * rules themselves are chatcore/login.c's, as for chat-session.
 */
#include <errno.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>

#include "log.h"
#include "registry.h"
#include "web.h"

int
user_claim(struct web *w, const char **why)
{
	char whyhub[256];

	if (w->claimed)
		return 0;
	if (!w->attached) {
		*why = "the chat is not running";
		return 503;
	}
	switch (registry_claim(&w->shm, w->pid, w->client.peer,
	    w->conf.max_pending_per_address, &w->slot)) {
	case CLAIM_OK:
		break;
	case CLAIM_FULL:
		atomic_fetch_add(&w->shm.hdr->st_refused_full, 1);
		*why = "the server is full";
		return 503;
	case CLAIM_PENDING:
		*why = "too many connections from your address are not logged in";
		return 429;
	}
	w->claimed = 1;
	w->generation = atomic_load(&shm_slot(&w->shm, w->slot)->s_generation);
	logreader_init(&w->reader, &w->shm, w->slot, w->generation, 0, w->text);
	if (hublink_open(&w->link) == -1)
		snprintf(whyhub, sizeof(whyhub), "hub not reachable: %s",
		    strerror(errno));
	else if (hublink_hello(&w->link, w->slot, w->generation, whyhub,
	    sizeof(whyhub)) == 0 &&
	    hublink_welcome(&w->link, whyhub, sizeof(whyhub)) == HUBLINK_OK)
		return 0;
	log_warnx("%s: %s", w->client.peer, whyhub);
	registry_release(&w->shm, w->slot, w->pid, w->generation, "");
	w->claimed = 0;
	*why = "the chat is not running";
	return 503;
}

void
user_core(const struct web *w, struct core_user *u)
{
	u->shm = &w->shm;
	u->conf = &w->conf;
	u->link = (struct hublink *)&w->link;
	u->slot = w->slot;
	u->generation = w->generation;
	u->name = w->name;
	u->peer = w->client.peer;
	u->registered = w->registered;
	u->say_flags = 0;
}

enum core_account
user_account(struct web *w, const char *name, struct core_result *r)
{
	struct core_user u;

	strlcpy(w->name, name, sizeof(w->name));
	user_core(w, &u);
	return core_account(&u, r);
}

void
user_enter(struct web *w, struct core_result *r)
{
	struct shm_slot *slot = shm_slot(&w->shm, w->slot);
	struct core_user u;
	uint64_t after_join;

	slot->s_transport = w->transport;	/* before the slot turns ACTIVE */
	user_core(w, &u);
	core_take_name(&u, &after_join, r);
	if (r->status != CR_OK)
		return;
	slot->s_registered = (uint32_t)w->registered;
	logreader_init(&w->reader, &w->shm, w->slot, w->generation, after_join,
	    w->text);
	log_info("%s: logged in as %s (%s%s)", w->client.peer, w->name,
	    shm_transport_name(w->transport), w->registered ? "" : ", guest");
	hublink_presence(&w->link);
}

void
user_leave(struct web *w, const char *why)
{
	int named = w->state == WEB_WS_CHAT || w->state == WEB_SSE;

	if (!w->claimed)
		return;
	if (named)
		hublink_flush_owed(&w->link);
	registry_release(&w->shm, w->slot, w->pid, w->generation, named ? why : "");
	w->claimed = 0;
	if (named) {
		hublink_presence(&w->link);
		log_info("%s: %s left: %s", w->client.peer, w->name, why);
	}
}

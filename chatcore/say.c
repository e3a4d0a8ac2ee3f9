/*
 * say.c -- chat lines: to everyone, to one user, to a group.
 *
 * Text that shows nothing is refused whichever way it is sent; the rest
 * is cut of trailing blanks (text_cut_blanks), appended to the log and
 * its readers woken.
 */
#include <stdatomic.h>
#include <string.h>

#include "core.h"
#include "groups.h"
#include "registry.h"
#include "act.h"
#include "text.h"

void
core_check_text(const struct core_user *u, const char *text, size_t len,
    struct core_result *r)
{
	static const enum core_status by_fault[] = {
		[TEXT_BAD_UTF8] = CR_BAD_UTF8,
		[TEXT_NUL] = CR_NUL_BYTE,
		[TEXT_CONTROL] = CR_CONTROL_CHAR,
	};
	enum text_fault fault;
	uint32_t hidden;

	core_result_set(r, CR_OK);
	if (len > u->shm->geo.max_line) {
		r->status = CR_TEXT_TOO_LONG;
		r->count = u->shm->geo.max_line;
	} else if ((fault = text_check(text, len)) != TEXT_OK)
		r->status = by_fault[fault];
	else if ((hidden = text_find_hidden(text, len)) != 0) {
		r->status = CR_HIDDEN_CHAR;
		r->count = hidden;
	}
}

void
core_append_chat(const struct core_user *u, const struct msglog_address *to,
    const char *to_name, char *text, size_t len, struct core_result *r)
{
	struct msglog_entry e;

	core_result_set(r, CR_OK);
	if (text_is_blank(text, len)) {
		r->status = CR_NOTHING_TO_SEND;
		return;
	}
	len = text_cut_blanks(text, len);
	memset(&e, 0, sizeof(e));
	e.kind = REC_CHAT;
	e.from_slot = u->slot;
	e.from_generation = u->generation;
	e.flags = u->say_flags;
	e.to = *to;
	strlcpy(e.from_name, u->name, sizeof(e.from_name));
	if (to_name != NULL)
		strlcpy(e.to_name, to_name, sizeof(e.to_name));
	e.text = text;
	e.len = (uint32_t)len;
	r->seq = msglog_append(u->shm, &e);
	r->lagging = hublink_wake(u->link, to);
}

void
core_say_all(const struct core_user *u, char *text, size_t len,
    struct core_result *r)
{
	static const struct msglog_address everyone = { TO_ALL, 0, 0 };

	core_append_chat(u, &everyone, NULL, text, len, r);
}

void
core_msg(const struct core_user *u, const char *to, char *text, size_t len,
    struct core_result *r)
{
	struct msglog_address a = { TO_USER, 0, 0 };
	char name[SHM_NAME_MAX + 1];
	struct shm_slot *slot;

	if ((a.index = registry_find(u->shm, to)) == SLOT_NONE) {
		core_not_online(u, to, r);
		if (r->status == CR_USER_OFFLINE)
			core_keep_offline(u, to, text, len, r);
		return;
	}
	if (a.index == u->slot) {
		core_result_set(r, CR_MSG_SELF);
		return;
	}
	slot = shm_slot(u->shm, a.index);
	a.generation = atomic_load(&slot->s_generation);
	shm_name_copy(name, slot->s_name);
	core_append_chat(u, &a, name, text, len, r);
}

void
core_group_msg(const struct core_user *u, const char *group, char *text,
    size_t len, struct core_result *r)
{
	struct msglog_address a = { TO_GROUP, 0, 0 };
	char name[SHM_NAME_MAX + 1];
	struct group_actor actor;
	enum group_result gr;

	group = core_group_name(group);
	core_actor(u, &actor);
	gr = groups_check_member(u->shm, &actor, group, &a.index, &a.generation,
	    name);
	if (gr != GR_OK) {
		core_group_result(u, gr, group, NULL, r);
		return;
	}
	core_append_chat(u, &a, name, text, len, r);
}

void
core_quit_reason(char *text, char *reason, size_t size)
{
	text[text_cut_blanks(text, strlen(text))] = '\0';
	if (*text != '\0')
		text_compose(reason, size, "quit: ", text, SIZE_MAX, "");
	else
		strlcpy(reason, "quit", size);
}

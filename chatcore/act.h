/*
 * act.h -- what the core's files share among themselves (not for front
 * doors: they use core.h).
 */
#ifndef CHAT_CORE_ACT_H
#define CHAT_CORE_ACT_H

#include "core.h"
#include "groups.h"
#include "msglog.h"

/* Append a chat record to `to` (to_name: its name) and wake its readers. */
void	core_append_chat(const struct core_user *u,
	    const struct msglog_address *to, const char *to_name, char *text,
	    size_t len, struct core_result *r);
/* "#name" or "name": the name. */
const char *core_group_name(const char *group);
/* The group actor for u. */
void	core_actor(const struct core_user *u, struct group_actor *a);
/* A group_result as a core result about group (and the user who). */
void	core_group_result(const struct core_user *u, enum group_result gr,
	    const char *group, const char *who, struct core_result *r);

#endif

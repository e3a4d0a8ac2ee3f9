/*
 * commands.c -- what a logged-in client's lines mean.
 *
 * Owns plain chat lines and the /command table from which /help is
 * generated: one row and one function per command.  Every line the
 * server sends starts with a prefix that tells its kind (see
 * doc/protocol.md): "? " prompt, "* " notice, "! code: " error,
 * "<name> " chat, "*name* " private, "#group <name> " group chat.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "log.h"
#include "msglog.h"
#include "registry.h"
#include "session.h"
#include "text.h"
#include "users.h"

void
reply(struct session *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = outq_vappendf(&s->out, fmt, ap);
	va_end(ap);
	if (rc == -1 || outq_append(&s->out, "\n", 1) == -1)
		session_close(s, DISC_SENDQ, "SendQ exceeded");
}

void
reply_not_online(struct session *s, const char *name)
{
	char hash[USERS_HASH_MAX], err[256];

	switch (users_lookup(s->conf.users_file, name, hash, sizeof(hash),
	    err, sizeof(err))) {
	case USERS_FOUND:
	case USERS_IS_LOCKED:	/* registered, if unusable for now */
		reply(s, "! user-offline: %s is not online", name);
		break;
	default:
		reply(s, "! no-such-user: there is no user named %s", name);
	}
}

void
say(struct session *s, uint32_t to_kind, uint32_t to, uint32_t to_gen,
    const char *to_name, char *text, size_t len)
{
	struct msglog_entry e;

	/* Text that shows nothing is no text, whichever command sent it. */
	if (text_is_blank(text, len)) {
		reply(s, "! missing-argument: nothing to send: the text is only "
		    "blanks");
		return;
	}
	len = text_cut_blanks(text, len);
	memset(&e, 0, sizeof(e));
	e.kind = REC_CHAT;
	e.from_slot = s->slot;
	e.from_generation = s->generation;
	e.to.kind = to_kind;
	e.to.index = to;
	e.to.generation = to_gen;
	strlcpy(e.from_name, s->name, sizeof(e.from_name));
	if (to_name != NULL)
		strlcpy(e.to_name, to_name, sizeof(e.to_name));
	e.text = text;
	e.len = (uint32_t)len;
	msglog_append(&s->shm, &e);
	session_wake(s, to_kind, to);
}

static void
cmd_broadcast(struct session *s, char *args)
{
	say(s, TO_ALL, 0, 0, NULL, args, strlen(args));
}

static void
cmd_msg(struct session *s, char *args)
{
	char *name = cmdline_next_word(&args), to_name[SHM_NAME_MAX + 1];
	uint32_t slot;

	if (*args == '\0') {
		reply(s, "! missing-argument: usage: /msg <user> <text>");
		return;
	}
	if ((slot = registry_find(&s->shm, name)) == SLOT_NONE) {
		reply_not_online(s, name);
		return;
	}
	if (slot == s->slot) {
		reply(s, "! bad-target: you cannot send a private message to yourself");
		return;
	}
	/* A name from the segment: bounded, never trusted to end. */
	memcpy(to_name, shm_slot(&s->shm, slot)->s_name, SHM_NAME_MAX);
	to_name[SHM_NAME_MAX] = '\0';
	say(s, TO_USER, slot, atomic_load(&shm_slot(&s->shm, slot)->s_generation),
	    to_name, args, strlen(args));
}

/* Is slot i ACTIVE with a name starting with prefix (any case)? */
static int
user_listed(struct session *s, uint32_t i, const char *prefix, size_t len,
    char *name)
{
	struct shm_slot *slot = shm_slot(&s->shm, i);

	if (atomic_load(&slot->s_state) != SLOT_ACTIVE)
		return 0;
	memcpy(name, slot->s_name, SHM_NAME_MAX);
	name[SHM_NAME_MAX] = '\0';
	return listing_match(name, prefix, len);
}

/*
 * The users online whose names start with the argument (all without
 * one), as far as the listing's budget goes; a notice counts the rest.
 */
static void
cmd_users(struct session *s, char *args)
{
	char *prefix = cmdline_next_word(&args), name[SHM_NAME_MAX + 1];
	uint32_t count = 0, unlisted = 0;
	size_t len = strlen(prefix);
	struct listing l;

	if (len == 0)
		count = registry_active_count(&s->shm);
	else
		for (uint32_t i = 0; i < s->shm.geo.max_sessions; i++)
			count += user_listed(s, i, prefix, len, name);
	listing_start(&l, s);
	listing_add(&l, "* users (%u):", count);
	for (uint32_t i = 0; i < s->shm.geo.max_sessions; i++)
		if (user_listed(s, i, prefix, len, name) &&
		    listing_add(&l, " %s", name) == -1)
			unlisted++;
	listing_end_line(&l);
	if (listing_finish(&l) == -1)
		return;
	if (unlisted > 0)
		reply(s, "* %u more user%s not shown; /users PREFIX lists only "
		    "the users whose names start with PREFIX", unlisted,
		    unlisted == 1 ? "" : "s");
}

/* The reason is kept as typed, cut so that "quit: REASON" fits. */
static void
cmd_quit(struct session *s, char *args)
{
	char reason[SHM_REASON_MAX];

	args[text_cut_blanks(args, strlen(args))] = '\0';
	if (*args != '\0')
		text_compose(reason, sizeof(reason), "quit: ", args, SIZE_MAX, "");
	else
		strlcpy(reason, "quit", sizeof(reason));
	reply(s, "* bye");
	session_close(s, DISC_QUIT, reason);
}

static void cmd_help(struct session *, char *);

/* Bytes of an unknown command's name that its error shows. */
#define UNKNOWN_SHOWN_MAX	64

struct command {
	const char	*name;
	void		(*handler)(struct session *, char *args);
	int		 min_args;	/* words required before the handler runs */
	const char	*usage;
	const char	*help;
};

static const struct command commands[] = {
	{ "help", cmd_help, 0, "/help", "list the commands" },
	{ "msg", cmd_msg, 2, "/msg <user> <text>", "send a private message" },
	{ "broadcast", cmd_broadcast, 1, "/broadcast <text>",
	    "send to everyone (as a plain line does)" },
	{ "users", cmd_users, 0, "/users [prefix]", "list the users online" },
	{ "groups", cmd_groups, 0, "/groups [prefix]",
	    "list the groups with their members" },
	{ "groups_users", cmd_groups, 0, "/groups_users", "the same as /groups" },
	{ "create_group", cmd_create_group, 1, "/create_group <group>",
	    "create a group and own it" },
	{ "join_group", cmd_join_group, 1, "/join_group <group>", "join a group" },
	{ "leave_group", cmd_leave_group, 1, "/leave_group <group>", "leave a group" },
	{ "group_msg", cmd_group_msg, 2, "/group_msg <group> <text>",
	    "send to the members of a group" },
	{ "kick", cmd_kick, 2, "/kick <group> <user> [reason]",
	    "owner: remove a member from a group" },
	{ "invite", cmd_invite, 2, "/invite <group> <user>",
	    "owner: let a user join an invite-only group" },
	{ "invite_only", cmd_invite_only, 2, "/invite_only <group> on|off",
	    "owner: make a group invite-only, or open" },
	{ "quit", cmd_quit, 0, "/quit [reason]", "leave the chat" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
cmd_help(struct session *s, char *args)
{
	(void)args;
	reply(s, "* commands (a line not starting with / goes to everyone; "
	    "start it with // to send a leading /):");
	for (size_t i = 0; i < NCOMMANDS; i++)
		reply(s, "* %-30s %s", commands[i].usage, commands[i].help);
}

static void
run_command(struct session *s, char *name, char *args)
{
	char shown[UNKNOWN_SHOWN_MAX + 1];
	const struct command *c;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		c = &commands[i];
		if (strcmp(c->name, name) != 0)
			continue;
		if (cmdline_count_words(args) < c->min_args) {
			reply(s, "! missing-argument: usage: %s", c->usage);
			return;
		}
		c->handler(s, args);
		return;
	}
	text_compose(shown, sizeof(shown), "", name, SIZE_MAX, "");
	reply(s, "! unknown-command: /%s is not a command; /help lists them", shown);
}

void
commands_line(struct session *s, char *line, size_t len)
{
	enum text_fault fault;
	char *name, *args;
	uint32_t hidden;

	if (len == 0)
		return;
	if ((fault = text_check(line, len)) != TEXT_OK) {
		reply(s, "! %s: %s; not sent", fault == TEXT_BAD_UTF8 ? "bad-utf8" :
		    fault == TEXT_NUL ? "nul-byte" : "control-char",
		    text_fault_string(fault));
		if (s->state == SESSION_LOGIN)
			login_prompt(s);
		return;
	}
	line[len] = '\0';	/* room: the framer's buffer has a spare byte */
	if (s->state == SESSION_LOGIN) {
		login_line(s, line, len);
		return;
	}
	if (s->conf.idle_timeout > 0)
		session_arm_deadline(s);
	if ((hidden = text_find_hidden(line, len)) != 0) {
		reply(s, "! control-char: line contains an invisible or bidirectional "
		    "formatting character (U+%04X); not sent", (unsigned)hidden);
		return;
	}
	if (cmdline_parse(line, &name, &args) == CMDLINE_COMMAND)
		run_command(s, name, args);
	else
		say(s, TO_ALL, 0, 0, NULL, args, strlen(args));
}

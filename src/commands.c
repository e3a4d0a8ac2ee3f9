/*
 * commands.c -- what a logged-in client's lines mean.
 *
 * Owns plain chat lines and the /command table from which /help is
 * generated: one row and one function per command, which parses the
 * words and calls the core (chatcore/core.h); conn.c words the result.
 * Every line the server sends starts with a prefix that tells its kind
 * (see doc/protocol.md): "? " prompt, "* " notice, "! code: " error,
 * "<name> " chat, "*name* " private, "#group <name> " group chat, "= "
 * a group event for a client that asked (/events on).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "session.h"
#include "text.h"

static void
cmd_broadcast(struct session *s, char *args)
{
	struct core_result r;
	struct core_user u;

	session_user(s, &u);
	core_say_all(&u, args, strlen(args), &r);
	session_answer(s, &r);
}

static void
cmd_msg(struct session *s, char *args)
{
	char *name = cmdline_next_word(&args);
	struct core_result r;
	struct core_user u;

	if (*args == '\0') {
		reply_text(s, CR_USAGE, "/msg <user> <text>");
		return;
	}
	session_user(s, &u);
	core_msg(&u, name, args, strlen(args), &r);
	session_answer(s, &r);
}

/*
 * The users online whose names start with the argument (all without
 * one), as far as the listing's budget goes; a notice counts the rest.
 */
static void
cmd_users(struct session *s, char *args)
{
	char *prefix = cmdline_next_word(&args);
	uint32_t unlisted = 0, cursor = 0;
	struct user_view v;
	struct listing l;
	struct core_user u;

	session_user(s, &u);
	listing_start(&l, s);
	listing_add(&l, "* users (%u):", core_users_count(&u, prefix));
	while (core_users_next(&u, prefix, &cursor, &v))
		if (listing_add(&l, " %s%s%s", v.name, v.node[0] ? "@" : "",
		    v.node) == -1)
			unlisted++;
	listing_end_line(&l);
	if (listing_finish(&l) == -1)
		return;
	if (unlisted > 0)
		reply_status(s, CR_USERS_NOT_SHOWN, unlisted);
}

static void
cmd_quit(struct session *s, char *args)
{
	char reason[SHM_REASON_MAX];

	core_quit_reason(args, reason, sizeof(reason));
	reply_status(s, CR_BYE, 0);
	session_close(s, DISC_QUIT, reason);
}

/* Group events as "= group ..." lines (for programs), or in words. */
static void
cmd_events(struct session *s, char *args)
{
	char *mode = cmdline_next_word(&args);

	if (strcasecmp(mode, "on") == 0)
		s->events = 1;
	else if (strcasecmp(mode, "off") == 0)
		s->events = 0;
	else {
		reply_text(s, CR_USAGE, "/events on|off");
		return;
	}
	reply_status(s, s->events ? CR_EVENTS_ON : CR_EVENTS_OFF, 0);
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
	{ "history", cmd_history, 0, "/history [#group|user] [N]",
	    "the last N lines (50) of the room, a group or a conversation" },
	{ "events", cmd_events, 1, "/events on|off",
	    "group events as '= group' lines, for programs" },
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
	struct core_result r;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		c = &commands[i];
		if (strcmp(c->name, name) != 0)
			continue;
		if (cmdline_count_words(args) < c->min_args) {
			reply_text(s, CR_USAGE, c->usage);
			return;
		}
		c->handler(s, args);
		return;
	}
	text_compose(shown, sizeof(shown), "", name, SIZE_MAX, "");
	core_result_set(&r, CR_UNKNOWN_COMMAND);
	r.text = shown;
	session_answer(s, &r);
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
		reply_status(s, fault == TEXT_BAD_UTF8 ? CR_BAD_UTF8 :
		    fault == TEXT_NUL ? CR_NUL_BYTE : CR_CONTROL_CHAR, 0);
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
		reply_status(s, CR_HIDDEN_CHAR, hidden);
		return;
	}
	if (cmdline_parse(line, &name, &args) == CMDLINE_COMMAND)
		run_command(s, name, args);
	else
		cmd_broadcast(s, args);
}

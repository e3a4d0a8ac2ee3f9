/*
 * commands.c -- the commands a user types.
 *
 * Owns one table of every command the user can type: the client's own
 * (/query, /switch, /reconnect, and its part of /help), which run here,
 * and the server's, which go to the server as typed; for each, what its
 * arguments are, so that Tab knows what to complete.  Turning plain
 * lines into /msg or /group_msg for the current target is session.c's.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"

static int	cmd_help(struct session *, char *);
static int	cmd_query(struct session *, char *);
static int	cmd_switch(struct session *, char *);
static int	cmd_reconnect(struct session *, char *);

static const struct command commands[] = {
	/* The client's own. */
	{ "query", "u", cmd_query, "/query [<user>]",
	    "send plain lines to <user> as private messages; alone: to everyone" },
	{ "switch", "g", cmd_switch, "/switch [<group>]",
	    "send plain lines to <group>; alone: to everyone" },
	{ "reconnect", "", cmd_reconnect, "/reconnect",
	    "connect again after the server closed the connection" },
	/* The server's (see src/commands.c); /help is both. */
	{ "help", "", cmd_help, "/help", "list the commands" },
	{ "msg", "u-", NULL, NULL, NULL },
	{ "broadcast", "-", NULL, NULL, NULL },
	{ "users", "", NULL, NULL, NULL },
	{ "groups", "", NULL, NULL, NULL },
	{ "groups_users", "", NULL, NULL, NULL },
	{ "create_group", "-", NULL, NULL, NULL },
	{ "join_group", "g", NULL, NULL, NULL },
	{ "leave_group", "g", NULL, NULL, NULL },
	{ "group_msg", "g-", NULL, NULL, NULL },
	{ "kick", "gu-", NULL, NULL, NULL },
	{ "invite", "gu", NULL, NULL, NULL },
	{ "invite_only", "g-", NULL, NULL, NULL },
	{ "quit", "-", NULL, NULL, NULL },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

const struct command *
commands_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

size_t
commands_match(const char *prefix, const char **out, size_t max)
{
	size_t n = 0, len = strlen(prefix);

	for (size_t i = 0; i < NCOMMANDS && n < max; i++)
		if (strncmp(commands[i].name, prefix, len) == 0)
			out[n++] = commands[i].name;
	return n;
}

enum arg_kind
commands_arg(const char *name, int argn)
{
	const struct command *c = commands_find(name);

	if (c == NULL || argn < 1 || (size_t)argn > strlen(c->args))
		return ARG_OTHER;
	switch (c->args[argn - 1]) {
	case 'u':
		return ARG_USER;
	case 'g':
		return ARG_GROUP;
	}
	return ARG_OTHER;
}

static void
commands_help(struct session *s)
{
	session_note(s, SHOW_CLIENT, "client commands (Tab completes commands, "
	    "users and groups; PageUp/PageDown scroll):");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].local != NULL && commands[i].local != cmd_help)
			session_note(s, SHOW_CLIENT, "%-30s %s", commands[i].usage,
			    commands[i].help);
}

static int
cmd_help(struct session *s, char *args)
{
	commands_help(s);
	return session_state(s) == CONN_CHAT;	/* and the server's list */
}

/* The one argument of /query or /switch, without a leading '#'. */
static const char *
one_name(struct session *s, char *args, const char *usage)
{
	const char *p = args;
	char *name = args;

	if (*name == '#')
		p = ++name;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p != '\0' || p - name > CLIENT_NAME_MAX) {
		session_note(s, SHOW_CLIENT_ERROR, "usage: %s", usage);
		return NULL;
	}
	return name;
}

static int
cmd_query(struct session *s, char *args)
{
	const char *who;

	if (*args == '\0') {
		session_set_target(s, TARGET_ALL, NULL);
		session_note(s, SHOW_CLIENT, "plain lines now go to everyone");
		return 0;
	}
	if (*args == '#')
		return cmd_switch(s, args);
	if ((who = one_name(s, args, "/query [<user>]")) == NULL)
		return 0;
	session_set_target(s, TARGET_USER, who);
	session_note(s, SHOW_CLIENT, "plain lines now go to %s only; /query alone "
	    "to talk to everyone", who);
	return 0;
}

static int
cmd_switch(struct session *s, char *args)
{
	const char *group;

	if (*args == '\0')
		return cmd_query(s, args);
	if ((group = one_name(s, args, "/switch [<group>]")) == NULL)
		return 0;
	session_set_target(s, TARGET_GROUP, group);
	session_note(s, SHOW_CLIENT, "plain lines now go to #%s; /switch alone "
	    "to talk to everyone", group);
	return 0;
}

static int
cmd_reconnect(struct session *s, char *args)
{
	session_reconnect(s);
	return 0;
}

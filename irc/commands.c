/*
 * commands.c -- the command table: a client's line to its handler.
 *
 * Owns which commands exist, how many parameters each needs (461 with
 * fewer), which wait for registration (451 before it), and the small
 * ones: PING, PONG, AWAY (kept in the user's slot), QUIT (its reason
 * shown to everyone), MOTD, ISON; 421 for the rest.  A line
 * that does not parse is answered 417 (too long) or 400.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "registry.h"
#include "irc.h"

static void
cmd_ping(struct irc *i, struct irc_msg *m)
{
	irc_send(i, ":%s PONG %s :%s", i->server, i->server, m->param[0]);
}

static void
cmd_pong(struct irc *i, struct irc_msg *m)
{
	i->ping_unanswered = 0;
}

/*
 * AWAY :text marks the user away (kept in its slot for the others'
 * WHO, WHOIS, USERHOST and private messages), AWAY alone back.
 */
static void
cmd_away(struct irc *i, struct irc_msg *m)
{
	char away[SHM_AWAY_MAX + 1];

	if (results_words(i, m->count > 0 ? m->param[0] : "", "AWAY", NULL,
	    away, sizeof(away)) == -1)
		return;
	registry_set_away(&i->shm, i->slot, i->generation, away);
	if (away[0] == '\0')
		irc_numeric(i, 305, ":You are no longer marked as being away");
	else
		irc_numeric(i, 306, ":You have been marked as being away");
}

static void
cmd_quit(struct irc *i, struct irc_msg *m)
{
	char copy[SHM_REASON_MAX + 1], reason[SHM_REASON_MAX];

	strlcpy(copy, m->count > 0 ? m->param[0] : "", sizeof(copy));
	core_quit_reason(copy, reason, sizeof(reason));
	irc_close(i, DISC_QUIT, reason);
}

static void
cmd_motd(struct irc *i, struct irc_msg *m)
{
	irc_numeric(i, 422, ":MOTD File is missing");
}

/* ISON nick...: 303 with those online. */
static void
cmd_ison(struct irc *i, struct irc_msg *m)
{
	char list[512] = "";
	size_t len = 0;

	for (int k = 0; k < m->count; k++) {
		char *nick, *save = NULL;

		for (nick = strtok_r(m->param[k], " ", &save); nick != NULL &&
		    len < sizeof(list) - SHM_NAME_MAX - 2;
		    nick = strtok_r(NULL, " ", &save))
			if (registry_find(&i->shm, nick) != SLOT_NONE)
				len += (size_t)snprintf(list + len, sizeof(list) - len,
				    "%s%.*s", len > 0 ? " " : "", SHM_NAME_MAX, nick);
	}
	irc_numeric(i, 303, ":%s", list);
}

static const struct command {
	const char	*name;
	void		(*run)(struct irc *, struct irc_msg *);
	int		 min;		/* parameters needed */
	int		 registered;	/* only after registration */
	int		 activity;	/* counts for idle_timeout */
} commands[] = {
	{ "PASS", cmd_pass, 1, 0, 1 },
	{ "NICK", cmd_nick, 0, 0, 1 },
	{ "USER", cmd_user, 0, 0, 1 },
	{ "CAP", cmd_cap, 1, 0, 1 },
	{ "AUTHENTICATE", cmd_authenticate, 1, 0, 1 },
	{ "PING", cmd_ping, 1, 0, 0 },
	{ "PONG", cmd_pong, 0, 0, 0 },
	{ "QUIT", cmd_quit, 0, 0, 1 },
	{ "PRIVMSG", cmd_privmsg, 0, 1, 1 },
	{ "NOTICE", cmd_notice, 0, 1, 1 },
	{ "TAGMSG", cmd_tagmsg, 1, 1, 0 },
	{ "JOIN", cmd_join, 1, 1, 1 },
	{ "PART", cmd_part, 1, 1, 1 },
	{ "KICK", cmd_kick, 2, 1, 1 },
	{ "INVITE", cmd_invite, 0, 1, 1 },
	{ "MODE", cmd_mode, 1, 1, 1 },
	{ "TOPIC", cmd_topic, 1, 1, 1 },
	{ "NAMES", cmd_names, 0, 1, 1 },
	{ "LIST", cmd_list, 0, 1, 1 },
	{ "WHO", cmd_who, 0, 1, 1 },
	{ "WHOIS", cmd_whois, 0, 1, 1 },
	{ "AWAY", cmd_away, 0, 1, 1 },
	{ "USERHOST", cmd_userhost, 1, 1, 1 },
	{ "ISON", cmd_ison, 1, 1, 1 },
	{ "LUSERS", cmd_lusers, 0, 1, 1 },
	{ "MOTD", cmd_motd, 0, 1, 1 },
};

static void
run(struct irc *i, const struct command *c, struct irc_msg *m)
{
	if (c->registered && i->state != IRC_CHAT)
		irc_numeric(i, 451, ":You have not registered");
	else if (m->count < c->min)
		irc_numeric(i, 461, "%s :Not enough parameters", c->name);
	else
		c->run(i, m);
}

int
commands_line(struct irc *i, char *line, size_t len)
{
	struct irc_msg m;

	switch (irc_parse(line, len, i->linelen, &m)) {
	case IRC_PARSE_EMPTY:
		return 0;
	case IRC_PARSE_TOOLONG:
		irc_numeric(i, 417, ":Input line was too long");
		return 1;
	case IRC_PARSE_BAD:
		irc_numeric(i, 400, "* :A line may not hold a NUL or a CR");
		return 1;
	case IRC_PARSE_OK:
		break;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcasecmp(commands[k].name, m.command) == 0) {
			run(i, &commands[k], &m);
			return commands[k].activity;
		}
	if (i->state == IRC_CHAT)
		irc_numeric(i, 421, "%.*s :Unknown command", 32, m.command);
	else
		irc_numeric(i, 451, ":You have not registered");
	return 1;
}

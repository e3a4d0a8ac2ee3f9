/*
 * listing.c -- NAMES, LIST, WHO, WHOIS, LUSERS: who is where, as
 * numerics.
 *
 * Owns the listings an IRC client asks for, read through the core's
 * listings (core_users_next, core_groups_next): the lobby's channel has
 * every user online, a group's channel its members with its owner as
 * operator ("@").  Long lists are cut into several 353 lines.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "irc.h"

#define NAMES_CHUNK	400	/* bytes of names in one 353 line */
#define MEMBERS_ROOM	1024	/* members listed per group */

static char member[MEMBERS_ROOM][SHM_NAME_MAX + 1];

int
listing_group(struct irc *i, const char *channel, struct group_view *g)
{
	const char *name = channel[0] == '#' ? channel + 1 : channel;
	struct core_user u;
	uint32_t cursor = 0;

	user_core(i, &u);
	g->room = MEMBERS_ROOM;
	g->member = member;
	while (core_groups_next(&u, name, &cursor, g))
		if (strcasecmp(g->name, name) == 0)
			return 1;
	return 0;
}

/* Names gathered for 353 lines: sent when the next would not fit. */
struct names {
	struct irc	*i;
	const char	*channel;
	char		 buf[NAMES_CHUNK + SHM_NAME_MAX + 4];
	size_t		 len;
};

static void
names_flush(struct names *n)
{
	if (n->len > 0)
		irc_numeric(n->i, 353, "= %s :%s", n->channel, n->buf);
	n->len = 0;
	n->buf[0] = '\0';
}

static void
names_add(struct names *n, const char *mode, const char *name)
{
	if (n->len + strlen(name) + 2 > NAMES_CHUNK)
		names_flush(n);
	n->len += (size_t)snprintf(n->buf + n->len, sizeof(n->buf) - n->len,
	    "%s%s%s", n->len > 0 ? " " : "", mode, name);
}

void
listing_names(struct irc *i, const char *channel)
{
	struct names n = { .i = i, .channel = channel };
	struct group_view g;
	struct user_view v;
	struct core_user u;
	uint32_t cursor = 0;

	if (irc_is_lobby(i, channel)) {
		n.channel = i->lobby;
		user_core(i, &u);
		while (core_users_next(&u, "", &cursor, &v))
			names_add(&n, "", v.name);
	} else if (listing_group(i, channel, &g)) {
		for (uint32_t k = 0; k < g.copied; k++)
			names_add(&n, strcasecmp(g.member[k], g.owner) == 0 ?
			    "@" : "", g.member[k]);
	}
	names_flush(&n);
	irc_numeric(i, 366, "%s :End of /NAMES list", channel);
}

void
cmd_names(struct irc *i, struct irc_msg *m)
{
	char *list, *channel, *save = NULL;

	if (m->count == 0) {
		irc_numeric(i, 366, "* :End of /NAMES list");
		return;
	}
	list = m->param[0];
	for (channel = strtok_r(list, ",", &save); channel != NULL;
	    channel = strtok_r(NULL, ",", &save))
		listing_names(i, channel);
}

/* LIST's filter: "" lists all; else channel must be one of list's. */
static int
listed(const char *list, const char *channel)
{
	size_t len = strlen(channel);
	const char *p = list;

	if (*list == '\0')
		return 1;
	while ((p = strcasestr(p, channel)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

void
cmd_list(struct irc *i, struct irc_msg *m)
{
	const char *filter = m->count > 0 ? m->param[0] : "";
	char channel[IRC_CHANNEL_MAX + 1];
	struct core_user u;
	struct group_view g = { .room = 0, .member = member };
	uint32_t cursor = 0;

	user_core(i, &u);
	irc_numeric(i, 321, "Channel :Users  Name");
	if (listed(filter, i->lobby))
		irc_numeric(i, 322, "%s %u :everyone online", i->lobby,
		    core_users_count(&u, ""));
	while (core_groups_next(&u, "", &cursor, &g)) {
		snprintf(channel, sizeof(channel), "#%s", g.name);
		if (listed(filter, channel))
			irc_numeric(i, 322, "%s %u :[+%s] owned by %s", channel,
			    g.members, g.invite_only ? "i" : "", g.owner);
	}
	irc_numeric(i, 323, ":End of /LIST");
}

static void
who_line(struct irc *i, const char *channel, const char *nick, int op)
{
	int away = strcasecmp(nick, i->nick) == 0 && i->away[0] != '\0';

	irc_numeric(i, 352, "%s %s %s %s %s %c%s :0 %s", channel, nick,
	    i->server, i->server, nick, away ? 'G' : 'H', op ? "@" : "", nick);
}

/* The user online named nick (any case): 1 with it in *v. */
static int
find_user(struct irc *i, const char *nick, struct user_view *v)
{
	struct core_user u;
	uint32_t cursor = 0;

	user_core(i, &u);
	while (core_users_next(&u, nick, &cursor, v))
		if (strcasecmp(v->name, nick) == 0)
			return 1;
	return 0;
}

void
cmd_who(struct irc *i, struct irc_msg *m)
{
	const char *mask = m->count > 0 ? m->param[0] : "*";
	struct group_view g;
	struct user_view v;
	struct core_user u;
	uint32_t cursor = 0;

	if (irc_is_lobby(i, mask)) {
		user_core(i, &u);
		while (core_users_next(&u, "", &cursor, &v))
			who_line(i, i->lobby, v.name, 0);
	} else if (irc_is_channel(mask)) {
		if (listing_group(i, mask, &g))
			for (uint32_t k = 0; k < g.copied; k++)
				who_line(i, mask, g.member[k],
				    strcasecmp(g.member[k], g.owner) == 0);
	} else if (find_user(i, mask, &v))
		who_line(i, "*", v.name, 0);
	irc_numeric(i, 315, "%s :End of /WHO list", mask);
}

void
cmd_whois(struct irc *i, struct irc_msg *m)
{
	const char *nick;
	struct user_view v;

	if (m->count == 0) {
		irc_numeric(i, 431, ":No nickname given");
		return;
	}
	nick = m->param[m->count > 1 ? 1 : 0];
	if (!find_user(i, nick, &v)) {
		irc_numeric(i, 401, "%s :No such nick/channel", nick);
		irc_numeric(i, 318, "%s :End of /WHOIS list", nick);
		return;
	}
	irc_numeric(i, 311, "%s %s %s * :%s", v.name, v.name, i->server, v.name);
	irc_numeric(i, 312, "%s %s :chat, connected by %s%s%s", v.name,
	    i->server, shm_transport_name(v.transport),
	    v.node[0] != '\0' ? " on node " : "", v.node);
	if (strcasecmp(v.name, i->nick) == 0 && i->away[0] != '\0')
		irc_numeric(i, 301, "%s :%s", v.name, i->away);
	irc_numeric(i, 318, "%s :End of /WHOIS list", v.name);
}

void
listing_lusers(struct irc *i)
{
	struct group_view g = { .room = 0, .member = member };
	struct core_user u;
	uint32_t cursor = 0, users, groups = 0;

	user_core(i, &u);
	users = core_users_count(&u, "");
	while (core_groups_next(&u, "", &cursor, &g))
		groups++;
	irc_numeric(i, 251, ":There are %u users and 0 invisible on 1 servers",
	    users);
	irc_numeric(i, 254, "%u :channels formed", groups + 1);
	irc_numeric(i, 255, ":I have %u clients and 0 servers", users);
}

void
cmd_lusers(struct irc *i, struct irc_msg *m)
{
	listing_lusers(i);
}

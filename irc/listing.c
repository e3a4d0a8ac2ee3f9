/*
 * listing.c -- NAMES, LIST, WHO, WHOIS, USERHOST, LUSERS: who is where,
 * as numerics.
 *
 * Owns the listings an IRC client asks for, read through the core's
 * listings (core_users_next, core_groups_next): the lobby's channel has
 * every user online, a group's channel its members with its owner as
 * operator ("@").  Long lists are cut into several 353 lines.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "registry.h"
#include "text.h"
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

/* A member, as "nick" or (userhost-in-names) "nick!user@host". */
static void
names_add(struct names *n, const char *mode, const char *name)
{
	char mask[IRC_MASK_MAX + 1];

	if (n->i->caps & CAP_USERHOST_IN_NAMES) {
		irc_mask(n->i, name, mask, sizeof(mask));
		name = mask;
	}
	if (n->len + strlen(name) + 2 > NAMES_CHUNK)
		names_flush(n);
	n->len += (size_t)snprintf(n->buf + n->len, sizeof(n->buf) - n->len,
	    "%s%s%s", n->len > 0 ? " " : "", mode, name);
}

/* 353 lines of channel's members (none if there is no such channel). */
static void
names_of(struct irc *i, const char *channel)
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
}

void
listing_names(struct irc *i, const char *channel)
{
	names_of(i, channel);
	irc_numeric(i, 366, "%s :End of /NAMES list", channel);
}

/* NAMES #a,#b: each one's 353 lines, then one 366 with the list. */
void
cmd_names(struct irc *i, struct irc_msg *m)
{
	char list[IRC_LINE_BASE], *channel, *save = NULL;

	if (m->count == 0) {
		irc_numeric(i, 366, "* :End of /NAMES list");
		return;
	}
	strlcpy(list, m->param[0], sizeof(list));
	for (channel = strtok_r(m->param[0], ",", &save); channel != NULL;
	    channel = strtok_r(NULL, ",", &save))
		names_of(i, channel);
	irc_numeric(i, 366, "%s :End of /NAMES list", list);
}

/*
 * LIST's filter: "" lists all groups; else channel must be one of
 * list's.  The lobby is listed only when named: every user is in it.
 */
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
	if (*filter != '\0' && listed(filter, i->lobby))
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

/* The user name WHO and WHOIS show: USER's, or the nick if it gave none. */
static const char *
ident_of(const struct user_view *v)
{
	return v->ident[0] != '\0' ? v->ident : v->name;
}

static const char *
realname_of(const struct user_view *v)
{
	return v->realname[0] != '\0' ? v->realname : v->name;
}

/* 352 for the user v in channel ("*": none), its op mark if op. */
static void
who_line(struct irc *i, const char *channel, const struct user_view *v, int op)
{
	char away[SHM_AWAY_MAX + 1];

	registry_away(&i->shm, v->slot, away, sizeof(away));
	irc_numeric(i, 352, "%s %s %s %s %s %c%s :0 %s", channel, ident_of(v),
	    i->server, i->server, v->name, away[0] != '\0' ? 'G' : 'H',
	    op ? "@" : "", realname_of(v));
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

/* WHO's mask against what a user shows: nick, user name, host, real name. */
static int
who_matches(struct irc *i, const char *mask, const struct user_view *v)
{
	if (strcmp(mask, "*") == 0 || strcmp(mask, "0") == 0)
		return 1;
	return fnmatch(mask, v->name, FNM_CASEFOLD) == 0 ||
	    fnmatch(mask, ident_of(v), FNM_CASEFOLD) == 0 ||
	    fnmatch(mask, i->server, FNM_CASEFOLD) == 0 ||
	    fnmatch(mask, realname_of(v), FNM_CASEFOLD) == 0;
}

/* WHO #group: its members, the owner marked "@". */
static void
who_group(struct irc *i, const char *mask)
{
	char channel[IRC_CHANNEL_MAX + 1];
	struct group_view g;
	struct user_view v;

	if (!listing_group(i, mask, &g))
		return;
	snprintf(channel, sizeof(channel), "#%s", g.name);
	for (uint32_t k = 0; k < g.copied; k++)
		if (find_user(i, g.member[k], &v))
			who_line(i, channel, &v, strcasecmp(g.member[k],
			    g.owner) == 0);
}

void
cmd_who(struct irc *i, struct irc_msg *m)
{
	const char *mask = m->count > 0 ? m->param[0] : "*";
	struct user_view v;
	struct core_user u;
	uint32_t cursor = 0;

	user_core(i, &u);
	if (irc_is_lobby(i, mask)) {
		while (core_users_next(&u, "", &cursor, &v))
			who_line(i, i->lobby, &v, 0);
	} else if (irc_is_channel(mask))
		who_group(i, mask);
	else if (strpbrk(mask, "*?") == NULL) {
		if (find_user(i, mask, &v))
			who_line(i, "*", &v, 0);
	} else
		while (core_users_next(&u, "", &cursor, &v))
			if (who_matches(i, mask, &v))
				who_line(i, "*", &v, 0);
	irc_numeric(i, 315, "%s :End of /WHO list", mask);
}

static int
group_has(const struct group_view *g, const char *nick)
{
	for (uint32_t k = 0; k < g->copied; k++)
		if (strcasecmp(g->member[k], nick) == 0)
			return 1;
	return 0;
}

/*
 * 319: the groups nick is in, the owned ones marked "@" (not the lobby,
 * which everyone is in); none if it is in none.
 */
static void
whois_channels(struct irc *i, const char *nick)
{
	char buf[NAMES_CHUNK + IRC_CHANNEL_MAX + 4];
	struct group_view g = { .room = MEMBERS_ROOM, .member = member };
	struct core_user u;
	uint32_t cursor = 0;
	size_t len = 0;

	user_core(i, &u);
	while (core_groups_next(&u, "", &cursor, &g)) {
		if (!group_has(&g, nick))
			continue;
		if (len > NAMES_CHUNK) {
			irc_numeric(i, 319, "%s :%s", nick, buf);
			len = 0;
		}
		len += text_printed(snprintf(buf + len, sizeof(buf) - len,
		    "%s%s#%s", len > 0 ? " " : "", strcasecmp(g.owner, nick) == 0 ?
		    "@" : "", g.name), sizeof(buf) - len);
	}
	if (len > 0)
		irc_numeric(i, 319, "%s :%s", nick, buf);
}

void
cmd_whois(struct irc *i, struct irc_msg *m)
{
	char away[SHM_AWAY_MAX + 1];
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
	irc_numeric(i, 311, "%s %s %s * :%s", v.name, ident_of(&v), i->server,
	    realname_of(&v));
	whois_channels(i, v.name);
	irc_numeric(i, 312, "%s %s :chat, connected by %s%s%s", v.name,
	    i->server, shm_transport_name(v.transport),
	    v.node[0] != '\0' ? " on node " : "", v.node);
	registry_away(&i->shm, v.slot, away, sizeof(away));
	if (away[0] != '\0')
		irc_numeric(i, 301, "%s :%s", v.name, away);
	irc_numeric(i, 318, "%s :End of /WHOIS list", v.name);
}

/* USERHOST nick...: 302 with those online, "-" before the away ones. */
void
cmd_userhost(struct irc *i, struct irc_msg *m)
{
	char list[512] = "", away[SHM_AWAY_MAX + 1];
	struct user_view v;
	size_t len = 0;

	for (int k = 0; k < m->count && k < 5; k++) {
		if (!find_user(i, m->param[k], &v))
			continue;
		registry_away(&i->shm, v.slot, away, sizeof(away));
		len += text_printed(snprintf(list + len, sizeof(list) - len,
		    "%s%s=%c%s@%s", len > 0 ? " " : "", v.name,
		    away[0] != '\0' ? '-' : '+', ident_of(&v), i->server),
		    sizeof(list) - len);
	}
	irc_numeric(i, 302, ":%s", list);
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
	irc_numeric(i, 265, ":Current local users: %u", users);
	irc_numeric(i, 266, ":Current global users: %u", users);
}

void
cmd_lusers(struct irc *i, struct irc_msg *m)
{
	listing_lusers(i);
}

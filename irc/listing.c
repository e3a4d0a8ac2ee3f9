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
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
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
 * LIST's parameter (ELIST=MNU): comma-separated channel names, masks
 * ("#dev*"), masks not to match ("!#dev*"), and member counts (">N",
 * "<N").  A group is listed if it matches a name or mask (when any is
 * given), no "!" mask, and the counts.  The lobby is listed only when
 * named exactly: every user is in it.
 */
struct list_filter {
	char		 copy[IRC_LINE_BASE];
	const char	*want[IRC_PARAMS_MAX];	/* names and masks */
	const char	*not[IRC_PARAMS_MAX];	/* "!" masks */
	int		 nwant, nnot;
	uint32_t	 more_than, less_than;	/* members */
};

/* ">N" and "<N"'s N, at most UINT32_MAX; 0 if it is not a number. */
static uint32_t
count_of(const char *s)
{
	unsigned long n = strtoul(s, NULL, 10);

	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static void
filter_parse(struct list_filter *f, const char *param)
{
	char *token, *save = NULL;

	memset(f, 0, sizeof(*f));
	f->less_than = UINT32_MAX;
	strlcpy(f->copy, param, sizeof(f->copy));
	for (token = strtok_r(f->copy, ",", &save); token != NULL;
	    token = strtok_r(NULL, ",", &save)) {
		if (token[0] == '>')
			f->more_than = count_of(token + 1);
		else if (token[0] == '<')
			f->less_than = count_of(token + 1);
		else if (token[0] == '!' && f->nnot < IRC_PARAMS_MAX)
			f->not[f->nnot++] = token + 1;
		else if (f->nwant < IRC_PARAMS_MAX)
			f->want[f->nwant++] = token;
	}
}

static int
filter_lists(const struct list_filter *f, const char *channel, uint32_t members)
{
	int wanted = f->nwant == 0;

	for (int k = 0; k < f->nwant && !wanted; k++)
		wanted = fnmatch(f->want[k], channel, FNM_CASEFOLD) == 0;
	for (int k = 0; k < f->nnot && wanted; k++)
		wanted = fnmatch(f->not[k], channel, FNM_CASEFOLD) != 0;
	return wanted && members > f->more_than && members < f->less_than;
}

/* The lobby is named (not matched by a mask) in the filter. */
static int
filter_names_lobby(struct irc *i, const struct list_filter *f)
{
	for (int k = 0; k < f->nwant; k++)
		if (irc_is_lobby(i, f->want[k]))
			return 1;
	return 0;
}

void
cmd_list(struct irc *i, struct irc_msg *m)
{
	char channel[IRC_CHANNEL_MAX + 1];
	struct core_user u;
	struct group_view g = { .room = 0, .member = member };
	struct list_filter f;
	uint32_t cursor = 0, everyone;

	filter_parse(&f, m->count > 0 ? m->param[0] : "");
	user_core(i, &u);
	irc_numeric(i, 321, "Channel :Users  Name");
	everyone = core_users_count(&u, "");
	if (filter_names_lobby(i, &f) && filter_lists(&f, i->lobby, everyone))
		irc_numeric(i, 322, "%s %u :everyone online", i->lobby, everyone);
	while (core_groups_next(&u, "", &cursor, &g)) {
		snprintf(channel, sizeof(channel), "#%s", g.name);
		if (filter_lists(&f, channel, g.members))
			irc_numeric(i, 322, "%s %u :%sowned by %s", channel,
			    g.members, g.invite_only ? "[+i] " : "", g.owner);
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

/*
 * WHOX (IRCv3): "WHO mask %fields[,token]" asks for a 354 with those of
 * t c u i h s n f d l a o r, always in that order; fields NULL asks for
 * the plain 352.
 */
struct who_ask {
	const char	*fields;
	char		 token[4];
};

static void
who_ask_parse(struct who_ask *w, const char *param)
{
	const char *comma;
	size_t len;

	w->fields = NULL;
	w->token[0] = '\0';
	if (param == NULL || param[0] != '%')
		return;
	w->fields = param + 1;
	if ((comma = strchr(param, ',')) != NULL) {
		len = strspn(comma + 1, "0123456789");
		if (len > 3)
			len = 3;
		memcpy(w->token, comma + 1, len);
		w->token[len] = '\0';
	}
}

/* sep and s appended to buf (len bytes of size): the new length. */
static size_t
field_append(char *buf, size_t len, size_t size, const char *sep, const char *s)
{
	return len + text_printed(snprintf(buf + len, size - len, "%s%s", sep, s),
	    size - len);
}

/* One WHOX field of v's, appended to buf (at len): the new length. */
static size_t
whox_field(struct irc *i, char field, const char *channel,
    const struct user_view *v, const char *flags, const struct who_ask *w,
    char *buf, size_t len, size_t size)
{
	int64_t idle = clock_unix_seconds() - v->last_active;

	switch (field) {
	case 't': return field_append(buf, len, size, " ", w->token);
	case 'c': return field_append(buf, len, size, " ", channel);
	case 'u': return field_append(buf, len, size, " ", ident_of(v));
	case 'i': return field_append(buf, len, size, " ", "255.255.255.255");
	case 'h': return field_append(buf, len, size, " ", i->server);
	case 's': return field_append(buf, len, size, " ", i->server);
	case 'n': return field_append(buf, len, size, " ", v->name);
	case 'f': return field_append(buf, len, size, " ", flags);
	case 'd': return field_append(buf, len, size, " ", "0");
	case 'l':
		len += text_printed(snprintf(buf + len, size - len, " %lld",
		    (long long)(idle > 0 ? idle : 0)), size - len);
		return len;
	case 'a': return field_append(buf, len, size, " ", v->registered ?
		    v->name : "0");
	case 'o': return field_append(buf, len, size, " ", "n/a");
	case 'r': return field_append(buf, len, size, " :", realname_of(v));
	}
	return len;
}

/* 352 (or WHOX's 354) for the user v in channel ("*": none), op if op. */
static void
who_line(struct irc *i, const char *channel, const struct user_view *v, int op,
    const struct who_ask *w)
{
	char away[SHM_AWAY_MAX + 1], flags[4], line[IRC_LINE_BASE];
	size_t len = 0;

	registry_away(&i->shm, v->slot, away, sizeof(away));
	snprintf(flags, sizeof(flags), "%c%s", away[0] != '\0' ? 'G' : 'H',
	    op ? "@" : "");
	if (w->fields == NULL) {
		irc_numeric(i, 352, "%s %s %s %s %s %s :0 %s", channel,
		    ident_of(v), i->server, i->server, v->name, flags,
		    realname_of(v));
		return;
	}
	line[0] = '\0';
	for (const char *f = "tcuihsnfdlaor"; *f != '\0'; f++)
		if (strchr(w->fields, *f) != NULL)
			len = whox_field(i, *f, channel, v, flags, w, line, len,
			    sizeof(line));
	irc_numeric(i, 354, "%s", line + (line[0] == ' '));
}

/* The user online named nick (any case): 1 with it in *v. */
static int
find_user(struct irc *i, const char *nick, struct user_view *v)
{
	struct core_user u;

	user_core(i, &u);
	return core_find_user(&u, nick, v);
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
who_group(struct irc *i, const char *mask, const struct who_ask *w)
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
			    g.owner) == 0, w);
}

void
cmd_who(struct irc *i, struct irc_msg *m)
{
	const char *mask = m->count > 0 ? m->param[0] : "*";
	struct user_view v;
	struct core_user u;
	struct who_ask w;
	uint32_t cursor = 0;

	who_ask_parse(&w, m->count > 1 ? m->param[1] : NULL);
	user_core(i, &u);
	if (irc_is_lobby(i, mask)) {
		while (core_users_next(&u, "", &cursor, &v))
			who_line(i, i->lobby, &v, 0, &w);
	} else if (irc_is_channel(mask))
		who_group(i, mask, &w);
	else if (strpbrk(mask, "*?") == NULL) {
		if (find_user(i, mask, &v))
			who_line(i, "*", &v, 0, &w);
	} else
		while (core_users_next(&u, "", &cursor, &v))
			if (who_matches(i, mask, &v))
				who_line(i, "*", &v, 0, &w);
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

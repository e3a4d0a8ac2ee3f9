/*
 * channels.c -- the channel commands: JOIN, PART, KICK, INVITE, MODE,
 * TOPIC.
 *
 * Owns their mapping to the core's group actions: JOIN joins a group,
 * or makes it with the joiner as its owner (core_create_group) when it
 * does not exist; KICK, INVITE and MODE +i/-i are the owner's, as the
 * core rules.  The lobby's channel is the room everyone is in: joined
 * at login, never left, owned by no one.  The client is told its own
 * action the way IRC servers do (its JOIN, PART, KICK, MODE echoed, 341
 * for an invitation); the other members read the group's record.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "irc.h"

/* ":nick!nick@server " of the client itself, in buf. */
static const char *
me(const struct irc *i, char *buf, size_t size)
{
	buf[0] = ':';
	irc_mask(i, i->nick, buf + 1, size - 1);
	return buf;
}

/* A channel that is not "#name": 403, and 0. */
static int
check_channel(struct irc *i, const char *channel)
{
	if (irc_is_channel(channel) && channel[1] != '\0')
		return 1;
	irc_numeric(i, 403, "%s :No such channel", channel);
	return 0;
}

/*
 * The group's last history_replay lines before the join, as PRIVMSGs to
 * the channel (the line session's replay; none twice: the logreader
 * gives the later ones).
 */
static void
replay(struct irc *i, const char *channel, const struct core_result *joined)
{
	struct core_result r;
	struct core_lines l;
	struct core_user u;

	user_core(i, &u);
	core_replay(&u, joined->group, joined->seq, &l, &r);
	if (r.status == CR_HISTORY_START)
		for (size_t k = 0; k < l.count; k++)
			events_history_line(i, channel, &l.line[k]);
	core_lines_free(&l);
}

static void
joined(struct irc *i, const struct core_result *r)
{
	char mask[IRC_MASK_MAX + 2], channel[IRC_CHANNEL_MAX + 1];

	snprintf(channel, sizeof(channel), "#%s", r->group);
	irc_send(i, "%s JOIN %s", me(i, mask, sizeof(mask)), channel);
	listing_names(i, channel);
	if (r->status == CR_JOINED)
		replay(i, channel, r);
}

static void
join_one(struct irc *i, const char *channel)
{
	struct core_result r;
	struct core_user u;

	if (!check_channel(i, channel) || irc_is_lobby(i, channel))
		return;
	user_core(i, &u);
	core_join_group(&u, channel, &r);
	if (r.status == CR_NO_SUCH_GROUP) {
		core_create_group(&u, channel, &r);
		if (r.status == CR_GROUP_EXISTS)	/* made meanwhile */
			core_join_group(&u, channel, &r);
	}
	if (r.status == CR_JOINED || r.status == CR_CREATED)
		joined(i, &r);
	else if (r.status != CR_ALREADY_MEMBER)
		results_numeric(i, &r, "JOIN", channel);
	if (r.lagging)
		events_drain(i);
}

void
cmd_join(struct irc *i, struct irc_msg *m)
{
	char *channel, *save = NULL;

	if (strcmp(m->param[0], "0") == 0) {
		irc_numeric(i, 400, "JOIN :JOIN 0 is not supported: PART each "
		    "channel");
		return;
	}
	for (channel = strtok_r(m->param[0], ",", &save); channel != NULL &&
	    i->state == IRC_CHAT; channel = strtok_r(NULL, ",", &save))
		join_one(i, channel);
}

static void
part_one(struct irc *i, const char *channel, const char *reason)
{
	char mask[IRC_MASK_MAX + 2];
	struct core_result r;
	struct core_user u;

	if (!check_channel(i, channel))
		return;
	if (irc_is_lobby(i, channel)) {
		irc_numeric(i, 400, "PART :%s is the room everyone is in: it "
		    "cannot be left", i->lobby);
		return;
	}
	user_core(i, &u);
	core_part_group(&u, channel, reason, &r);
	if (r.status == CR_LEFT && reason[0] == '\0')
		irc_send(i, "%s PART #%s", me(i, mask, sizeof(mask)), r.group);
	else if (r.status == CR_LEFT)
		irc_send(i, "%s PART #%s :%s", me(i, mask, sizeof(mask)),
		    r.group, reason);
	else
		results_numeric(i, &r, "PART", channel);
	if (r.lagging)
		events_drain(i);
}

/* PART #a,#b [:reason]: the reason checked as chat text, and cut. */
void
cmd_part(struct irc *i, struct irc_msg *m)
{
	char reason[SHM_REASON_MAX], *channel, *save = NULL;

	if (results_words(i, m->count > 1 ? m->param[1] : "", "PART",
	    m->param[0], reason, sizeof(reason)) == -1)
		return;
	for (channel = strtok_r(m->param[0], ",", &save); channel != NULL &&
	    i->state == IRC_CHAT; channel = strtok_r(NULL, ",", &save))
		part_one(i, channel, reason);
}

/* Split a comma list in place into at most max items: how many. */
static int
split_list(char *list, char **item, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *p = strtok_r(list, ",", &save); p != NULL && n < max;
	    p = strtok_r(NULL, ",", &save))
		item[n++] = p;
	return n;
}

/* No one owns the lobby: 482 for what only an owner may do. */
static int
lobby_refused(struct irc *i, const char *channel)
{
	if (!irc_is_lobby(i, channel))
		return 0;
	irc_numeric(i, 482, "%s :You're not channel operator (no one owns "
	    "the room everyone is in)", channel);
	return 1;
}

static void
kick_one(struct irc *i, const char *channel, const char *nick,
    const char *given)
{
	char reason[SHM_REASON_MAX + 1], mask[IRC_MASK_MAX + 2];
	struct core_result r;
	struct core_user u;

	if (!check_channel(i, channel) || lobby_refused(i, channel))
		return;
	user_core(i, &u);
	strlcpy(reason, given, sizeof(reason));	/* the core cuts it in place */
	core_kick(&u, channel, nick, reason, &r);
	if (r.status == CR_KICKED)
		irc_send(i, "%s KICK #%s %s :%s", me(i, mask, sizeof(mask)),
		    r.group, r.user, reason[0] != '\0' ? reason : i->nick);
	else
		results_numeric(i, &r, "KICK", r.status == CR_NO_SUCH_USER ||
		    r.status == CR_USER_OFFLINE ? nick : channel);
	if (r.lagging)
		events_drain(i);
}

/*
 * KICK #g a,b [:reason]: each one from #g; KICK #g,#h a,b: a from #g
 * and b from #h.
 */
void
cmd_kick(struct irc *i, struct irc_msg *m)
{
	char *channels[IRC_PARAMS_MAX], *nicks[IRC_PARAMS_MAX];
	char reason[SHM_REASON_MAX + 1];
	int nchannels, nnicks;

	if (results_words(i, m->count > 2 ? m->param[2] : "", "KICK",
	    m->param[0], reason, sizeof(reason)) == -1)
		return;
	nchannels = split_list(m->param[0], channels, IRC_PARAMS_MAX);
	nnicks = split_list(m->param[1], nicks, IRC_PARAMS_MAX);
	if (nchannels == 0 || nnicks == 0 ||
	    (nchannels > 1 && nchannels != nnicks)) {
		irc_numeric(i, 461, "KICK :Not enough parameters");
		return;
	}
	for (int k = 0; k < nnicks && i->state == IRC_CHAT; k++)
		kick_one(i, channels[nchannels > 1 ? k : 0], nicks[k], reason);
}

/* INVITE alone: the groups one is invited to (336), then 337. */
static void
invitations(struct irc *i)
{
	char name[SHM_NAME_MAX + 1];
	struct core_user u;
	uint32_t cursor = 0;

	user_core(i, &u);
	while (core_invitations_next(&u, &cursor, name))
		irc_numeric(i, 336, "#%s", name);
	irc_numeric(i, 337, ":End of INVITE list");
}

void
cmd_invite(struct irc *i, struct irc_msg *m)
{
	const char *nick, *channel;
	struct core_result r;
	struct core_user u;

	if (m->count == 0) {
		invitations(i);
		return;
	}
	if (m->count < 2) {
		irc_numeric(i, 461, "INVITE :Not enough parameters");
		return;
	}
	nick = m->param[0];
	channel = m->param[1];
	if (!check_channel(i, channel))
		return;
	if (irc_is_lobby(i, channel)) {
		irc_numeric(i, 443, "%s %s :is already on channel", nick, channel);
		return;
	}
	user_core(i, &u);
	core_invite(&u, channel, nick, &r);
	if (r.status == CR_INVITED)
		irc_numeric(i, 341, "%s #%s", r.user, r.group);
	else
		results_numeric(i, &r, "INVITE", r.status == CR_NO_SUCH_USER ||
		    r.status == CR_USER_OFFLINE ? nick : channel);
	if (r.lagging)
		events_drain(i);
}

/* MODE #channel: 324 with its modes, or 403. */
static void
mode_query(struct irc *i, const char *channel)
{
	struct group_view g;

	if (irc_is_lobby(i, channel))
		irc_numeric(i, 324, "%s +", i->lobby);
	else if (listing_group(i, channel, &g))
		irc_numeric(i, 324, "#%s +%s", g.name, g.invite_only ? "i" : "");
	else
		irc_numeric(i, 403, "%s :No such channel", channel);
}

static void
set_invite_only(struct irc *i, const char *channel, int on)
{
	char mask[IRC_MASK_MAX + 2];
	struct core_result r;
	struct core_user u;

	if (lobby_refused(i, channel))
		return;
	user_core(i, &u);
	core_set_invite_only(&u, channel, on, &r);
	if (r.status == CR_NOW_INVITE_ONLY || r.status == CR_NOW_OPEN)
		irc_send(i, "%s MODE #%s %ci", me(i, mask, sizeof(mask)), r.group,
		    on ? '+' : '-');
	else
		results_numeric(i, &r, "MODE", channel);
	if (r.lagging)
		events_drain(i);
}

/* "+i", "-i", "b" (the empty ban list): each letter of modes in turn. */
static void
mode_change(struct irc *i, const char *channel, const char *modes)
{
	int on = 1;

	for (const char *c = modes; *c != '\0' && i->state == IRC_CHAT; c++) {
		switch (*c) {
		case '+':
		case '-':
			on = *c == '+';
			break;
		case 'i':
			set_invite_only(i, channel, on);
			break;
		case 'b':
			irc_numeric(i, 368, "%s :End of channel ban list", channel);
			break;
		default:
			irc_numeric(i, 472, "%c :is unknown mode char to me", *c);
		}
	}
}

void
cmd_mode(struct irc *i, struct irc_msg *m)
{
	const char *target = m->param[0];

	if (!irc_is_channel(target)) {
		if (strcasecmp(target, i->nick) != 0)
			irc_numeric(i, 502, ":Can't change mode for other users");
		else if (m->count == 1)
			irc_numeric(i, 221, "+");
		return;		/* no user modes: a change is ignored */
	}
	if (m->count == 1)
		mode_query(i, target);
	else
		mode_change(i, target, m->param[1]);
}

void
cmd_topic(struct irc *i, struct irc_msg *m)
{
	const char *channel = m->param[0];
	struct group_view g;

	if (!irc_is_lobby(i, channel) && !listing_group(i, channel, &g)) {
		irc_numeric(i, 403, "%s :No such channel", channel);
		return;
	}
	if (m->count == 1)
		irc_numeric(i, 331, "%s :No topic is set", channel);
	else
		irc_numeric(i, 482, "%s :Topics are not supported here", channel);
}

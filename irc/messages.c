/*
 * messages.c -- PRIVMSG and NOTICE: chat lines.
 *
 * Owns their mapping to the core's say actions: to the lobby's channel
 * a line to everyone (core_say_all), to "#group" a group's line
 * (core_group_msg), to a nick a private message (core_msg; kept for a
 * registered user who is offline when the archive takes it).  The text
 * is checked by the core first, as every front door's is.  A NOTICE is
 * sent the same way, marked RECF_NOTICE so IRC readers see a NOTICE,
 * and never answered with an error (RFC 2812 3.3.2).  A CTCP ACTION
 * ("/me waves") is an action line (RECF_ACTION); no other CTCP is
 * carried.  A private message to a user who is away is answered 301
 * with why.
 */
#include <string.h>

#include "registry.h"
#include "irc.h"

/* 301 when a private message's addressee is away. */
static void
tell_away(struct irc *i, const char *nick)
{
	char away[SHM_AWAY_MAX + 1];
	struct core_user u;
	struct user_view v;

	user_core(i, &u);
	if (!core_find_user(&u, nick, &v))
		return;
	registry_away(&i->shm, v.slot, away, sizeof(away));
	if (away[0] != '\0')
		irc_numeric(i, 301, "%s :%s", v.name, away);
}

/* What one PRIVMSG or NOTICE says, to each of its targets. */
struct said {
	const char	*cmd;		/* "PRIVMSG" or "NOTICE" */
	const char	*text;		/* the text (an action's without CTCP) */
	size_t		 len;
	unsigned	 flags;		/* RECF_NOTICE, RECF_ACTION */
	int		 quiet;		/* a NOTICE: no error answers */
};

static void
say_one(struct irc *i, const struct said *s, const char *target)
{
	struct core_result r;
	struct core_user u;
	char words[512];

	user_core(i, &u);
	u.say_flags = s->flags;
	memcpy(i->say, s->text, s->len);	/* the core cuts it in place */
	if (irc_is_lobby(i, target))
		core_say_all(&u, i->say, s->len, &r);
	else if (irc_is_channel(target))
		core_group_msg(&u, target, i->say, s->len, &r);
	else {
		core_msg(&u, target, i->say, s->len, &r);
		if (r.status == CR_USER_OFFLINE)
			core_keep_offline(&u, target, i->say, s->len, &r);
	}
	if ((r.status == CR_OK || r.status == CR_OFFLINE_KEPT) &&
	    (i->caps & CAP_ECHO_MESSAGE))
		events_echo(i, s->cmd, target, s->text, s->len,
		    (s->flags & RECF_ACTION) != 0);
	if (r.status == CR_OK && !s->quiet && !irc_is_channel(target))
		tell_away(i, target);
	if (r.status == CR_OFFLINE_KEPT && !s->quiet) {
		core_result_text(&r, words, sizeof(words));
		irc_send(i, ":%s NOTICE %s :%s", i->server, i->nick, words);
	} else if (r.status != CR_OK && r.status != CR_OFFLINE_KEPT && !s->quiet)
		results_numeric(i, &r, s->cmd, target);
	if (r.lagging)
		events_drain(i);
}

/*
 * CTCP (text starting with \001): "\001ACTION waves\001" is an action,
 * said as "waves" with RECF_ACTION.  Other CTCP requests cannot be
 * carried (chat text has no control characters): 400 for a PRIVMSG,
 * silence for a NOTICE (a CTCP reply).  0, or -1 if refused.
 */
static int
ctcp(struct irc *i, struct said *s)
{
	const char *body, *end;
	size_t len, word;

	if (s->len == 0 || s->text[0] != '\001')
		return 0;
	body = s->text + 1;
	len = s->len - 1;
	if (len > 0 && body[len - 1] == '\001')
		len--;
	if (len > 7 && strncmp(body, "ACTION ", 7) == 0) {
		s->text = body + 7;
		s->len = len - 7;
		s->flags |= RECF_ACTION;
		return 0;
	}
	end = memchr(body, ' ', len);
	word = end != NULL ? (size_t)(end - body) : len;
	if (!s->quiet)
		irc_numeric(i, 400, "%s :CTCP %.*s is not carried here; only "
		    "ACTION (/me) is", s->cmd, (int)(word < 32 ? word : 32), body);
	return -1;
}

static void
say(struct irc *i, struct irc_msg *m, const char *cmd, int quiet)
{
	struct said s = { .cmd = cmd, .flags = quiet ? RECF_NOTICE : 0,
	    .quiet = quiet };
	char *target, *save = NULL;
	struct core_result r;
	struct core_user u;

	if (m->count == 0 || m->param[0][0] == '\0') {
		if (!quiet)
			irc_numeric(i, 411, ":No recipient given (%s)", cmd);
		return;
	}
	if (m->count < 2 || m->param[1][0] == '\0') {
		if (!quiet)
			irc_numeric(i, 412, ":No text to send");
		return;
	}
	s.text = m->param[1];
	s.len = strlen(s.text);
	if (ctcp(i, &s) == -1)
		return;
	user_core(i, &u);
	core_check_text(&u, s.text, s.len, &r);
	if (r.status != CR_OK) {
		if (!quiet)
			results_numeric(i, &r, cmd, m->param[0]);
		return;
	}
	for (target = strtok_r(m->param[0], ",", &save); target != NULL &&
	    i->state == IRC_CHAT; target = strtok_r(NULL, ",", &save))
		say_one(i, &s, target);
}

void
cmd_privmsg(struct irc *i, struct irc_msg *m)
{
	say(i, m, "PRIVMSG", 0);
}

void
cmd_notice(struct irc *i, struct irc_msg *m)
{
	say(i, m, "NOTICE", 1);
}

/*
 * TAGMSG (message-tags): a message of tags alone, such as a typing
 * notification.  Chat carries no tags, so there is nothing to send; it
 * is dropped without an answer, as a server may drop client tags.
 */
void
cmd_tagmsg(struct irc *i, struct irc_msg *m)
{
}

/*
 * messages.c -- PRIVMSG and NOTICE: chat lines.
 *
 * Owns their mapping to the core's say actions: to the lobby's channel
 * a line to everyone (core_say_all), to "#group" a group's line
 * (core_group_msg), to a nick a private message (core_msg; kept for a
 * registered user who is offline when the archive takes it).  The text
 * is checked by the core first, as every front door's is.  A NOTICE is
 * sent the same way, marked RECF_NOTICE so IRC readers see a NOTICE,
 * and never answered with an error (RFC 2812 3.3.2).  A private
 * message to a user who is away is answered 301 with why.
 */
#include <string.h>

#include "registry.h"
#include "irc.h"

/* 301 when a private message's addressee is away. */
static void
tell_away(struct irc *i, const char *nick)
{
	char away[SHM_AWAY_MAX + 1], name[SHM_NAME_MAX + 1];
	uint32_t slot;

	if ((slot = registry_find(&i->shm, nick)) == SLOT_NONE)
		return;
	registry_away(&i->shm, slot, away, sizeof(away));
	shm_name_copy(name, shm_slot(&i->shm, slot)->s_name);
	if (away[0] != '\0')
		irc_numeric(i, 301, "%s :%s", name, away);
}

static void
say_one(struct irc *i, const char *cmd, const char *target, const char *text,
    size_t len, int quiet)
{
	struct core_result r;
	struct core_user u;
	char words[512];

	user_core(i, &u);
	u.say_flags = quiet ? RECF_NOTICE : 0;
	memcpy(i->say, text, len);	/* the core cuts it in place */
	if (irc_is_lobby(i, target))
		core_say_all(&u, i->say, len, &r);
	else if (irc_is_channel(target))
		core_group_msg(&u, target, i->say, len, &r);
	else {
		core_msg(&u, target, i->say, len, &r);
		if (r.status == CR_USER_OFFLINE)
			core_keep_offline(&u, target, i->say, len, &r);
	}
	if ((r.status == CR_OK || r.status == CR_OFFLINE_KEPT) &&
	    (i->caps & CAP_ECHO_MESSAGE))
		events_echo(i, cmd, target, text, len);
	if (r.status == CR_OK && !quiet && !irc_is_channel(target))
		tell_away(i, target);
	if (r.status == CR_OFFLINE_KEPT && !quiet) {
		core_result_text(&r, words, sizeof(words));
		irc_send(i, ":%s NOTICE %s :%s", i->server, i->nick, words);
	} else if (r.status != CR_OK && r.status != CR_OFFLINE_KEPT && !quiet)
		results_numeric(i, &r, cmd, target);
	if (r.lagging)
		events_drain(i);
}

static void
say(struct irc *i, struct irc_msg *m, const char *cmd, int quiet)
{
	char *target, *save = NULL;
	struct core_result r;
	struct core_user u;
	size_t len;

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
	len = strlen(m->param[1]);
	user_core(i, &u);
	core_check_text(&u, m->param[1], len, &r);
	if (r.status != CR_OK) {
		if (!quiet)
			results_numeric(i, &r, cmd, m->param[0]);
		return;
	}
	for (target = strtok_r(m->param[0], ",", &save); target != NULL &&
	    i->state == IRC_CHAT; target = strtok_r(NULL, ",", &save))
		say_one(i, cmd, target, m->param[1], len, quiet);
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

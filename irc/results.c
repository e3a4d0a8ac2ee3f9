/*
 * results.c -- the core's results as IRC numerics.
 *
 * Owns the choice of numeric for each failure an action of the core can
 * answer (RFC 2812's where one fits: 401 no such nick, 403 no such
 * channel, 404 cannot send, 441, 442, 443, 471, 473, 482; 417 for a
 * text past max_line) and its words, which are the core's (results.c in
 * chatcore/) so a line client and an IRC client read the same reason.
 * A failure IRC has no numeric for is 400 with the core's words and its
 * stable error code.
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "irc.h"

/* "#group" for a result's group, in buf. */
static const char *
channel_of(const struct core_result *r, const char *target, char *buf,
    size_t size)
{
	if (r->group[0] != '\0') {
		snprintf(buf, size, "#%s", r->group);
		return buf;
	}
	return target != NULL ? target : "*";
}

/* 400 with the core's words and its code: "COMMAND :words (code)". */
static void
unknown_error(struct irc *i, const struct core_result *r, const char *cmd,
    const char *words)
{
	const struct core_error_info *err;

	err = core_error_info(core_result_error(r->status));
	if (err != NULL)
		irc_numeric(i, 400, "%s :%s (%s)", cmd, words, err->code);
	else
		irc_numeric(i, 400, "%s :%s", cmd, words);
}

void
results_numeric(struct irc *i, const struct core_result *r, const char *cmd,
    const char *target)
{
	char words[1024], chan[IRC_CHANNEL_MAX + 1];
	const char *who = r->user[0] != '\0' ? r->user : target != NULL ?
	    target : "*";

	if (r->status == CR_OK)
		return;
	core_result_text(r, words, sizeof(words));
	switch (r->status) {
	case CR_NO_SUCH_USER:
	case CR_USER_OFFLINE:
		irc_numeric(i, 401, "%s :No such nick/channel (%s)", who, words);
		return;
	case CR_NO_SUCH_GROUP:
	case CR_BAD_GROUP_NAME:
		irc_numeric(i, 403, "%s :No such channel (%s)",
		    channel_of(r, target, chan, sizeof(chan)), words);
		return;
	case CR_NOT_MEMBER:
		if (strcmp(cmd, "PRIVMSG") == 0 || strcmp(cmd, "NOTICE") == 0)
			irc_numeric(i, 404, "%s :Cannot send to channel (%s)",
			    channel_of(r, target, chan, sizeof(chan)), words);
		else
			irc_numeric(i, 442, "%s :You're not on that channel",
			    channel_of(r, target, chan, sizeof(chan)));
		return;
	case CR_TARGET_NOT_MEMBER:
		irc_numeric(i, 441, "%s %s :They aren't on that channel", who,
		    channel_of(r, NULL, chan, sizeof(chan)));
		return;
	case CR_TARGET_MEMBER:
		irc_numeric(i, 443, "%s %s :is already on channel", who,
		    channel_of(r, NULL, chan, sizeof(chan)));
		return;
	case CR_NOT_OWNER:
		irc_numeric(i, 482, "%s :You're not channel operator (%s)",
		    channel_of(r, target, chan, sizeof(chan)), words);
		return;
	case CR_INVITE_ONLY:
		irc_numeric(i, 473, "%s :Cannot join channel (+i)",
		    channel_of(r, target, chan, sizeof(chan)));
		return;
	case CR_GROUP_FULL:
		irc_numeric(i, 471, "%s :Cannot join channel (+l) (%s)",
		    channel_of(r, target, chan, sizeof(chan)), words);
		return;
	case CR_TOO_MANY_GROUPS:
	case CR_TOO_MANY_OWNED:
		irc_numeric(i, 405, "%s :You have joined too many channels (%s)",
		    channel_of(r, target, chan, sizeof(chan)), words);
		return;
	case CR_TEXT_TOO_LONG:
		irc_numeric(i, 417, ":Input line was too long (%s)", words);
		return;
	case CR_NAME_INVALID:
	case CR_NAME_RESERVED:
		irc_numeric(i, 432, "%s :Erroneous nickname (%s)", who, words);
		return;
	case CR_NAME_TAKEN:
	case CR_NAME_LOOKALIKE:
	case CR_ALREADY_ONLINE:
		irc_numeric(i, 433, "%s :Nickname is already in use (%s)", who,
		    words);
		return;
	default:
		unknown_error(i, r, cmd, words);
	}
}

int
results_words(struct irc *i, const char *given, const char *cmd,
    const char *target, char *buf, size_t size)
{
	struct core_result r;
	struct core_user u;
	size_t len = strlen(given);

	user_core(i, &u);
	if (len > 0) {
		core_check_text(&u, given, len, &r);
		if (r.status != CR_OK) {
			results_numeric(i, &r, cmd, target);
			return -1;
		}
	}
	len = utf8_prefix(given, len, size - 1);
	memcpy(buf, given, len);
	buf[len] = '\0';
	return 0;
}

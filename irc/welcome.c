/*
 * welcome.c -- registration: PASS, NICK, USER, CAP; the welcome burst.
 *
 * Owns the IRC side of the login: the nick checked as the core checks
 * a name (432 when it is not one, 433 when someone online has it), a
 * registered nick's password given by PASS (464 when it is wrong or
 * missing; the same users file as chat-session's), USER's user name
 * and real name (kept in the slot for WHO and WHOIS), CAP LS/REQ/LIST/END
 * (the capabilities in caps[]; registration waits for CAP END once
 * CAP LS or REQ was sent), then the name taken (the others see the user
 * join), 001-005 with an ISUPPORT that says the server's real limits,
 * 422, the lobby's channel joined, and for a registered user its kept
 * groups joined again and its offline messages.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "clock.h"
#include "log.h"
#include "registry.h"
#include "text.h"
#include "irc.h"

/* a and b are equal, in a time that does not say where they differ. */
static int
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t k = 0; k < la; k++)
		diff |= (unsigned char)(a[k] ^ b[k % (lb + 1)]);
	return diff == 0;
}

/*
 * PASS: with irc_password set, the server's password (checked at
 * registration; registered users log in with SASL); else the password
 * of the registered user the nick names.
 */
void
cmd_pass(struct irc *i, struct irc_msg *m)
{
	if (i->state != IRC_REGISTERING) {
		irc_numeric(i, 462, ":You may not reregister");
		return;
	}
	if (strlen(m->param[0]) > IRC_PASSWORD_MAX) {
		irc_numeric(i, 464, ":Password incorrect");
		irc_close(i, DISC_AUTH, "bad password");
		return;
	}
	if (i->conf.irc_password[0] != '\0') {	/* the server's */
		i->server_password_ok = same_secret(m->param[0],
		    i->conf.irc_password);
		return;
	}
	strlcpy(i->password, m->param[0], sizeof(i->password));
	i->password_given = 1;
}

static void
isupport(struct irc *i)
{
	irc_numeric(i, 5, "CHANTYPES=# PREFIX=(o)@ CHANMODES=b,,,i "
	    "CASEMAPPING=ascii NICKLEN=%d CHANNELLEN=%d LINELEN=%zu NETWORK=chat "
	    "MODES=1 KICKLEN=%d AWAYLEN=%d :are supported by this server",
	    SHM_NAME_MAX, SHM_NAME_MAX + 1, i->linelen, SHM_REASON_MAX,
	    IRC_AWAY_MAX);
	irc_numeric(i, 5, "CHANLIMIT=#: TARGMAX=PRIVMSG:,NOTICE:,JOIN:,PART:,"
	    "NAMES:,KICK: ELIST=MNU WHOX USERLEN=%d :are supported by this "
	    "server", SHM_IDENT_MAX);
}

static void
burst(struct irc *i)
{
	char created[32];

	clock_format_utc(i->shm.hdr->created * 1000, created, sizeof(created));
	irc_numeric(i, 1, ":Welcome to the chat IRC network, %s", i->nick);
	irc_numeric(i, 2, ":Your host is %s, running version chat-%s",
	    i->server, PACKAGE_VERSION);
	irc_numeric(i, 3, ":This server was created %s", created);
	irc_numeric(i, 4, "%s chat-%s i bio", i->server, PACKAGE_VERSION);
	isupport(i);
	listing_lusers(i);
	irc_numeric(i, 422, ":MOTD File is missing");
}

static void
rejoined(void *arg, const struct core_result *r)
{
	struct irc *i = arg;
	char channel[IRC_CHANNEL_MAX + 1];

	if (r->status != CR_REJOINED)
		return;
	snprintf(channel, sizeof(channel), "#%s", r->group);
	irc_send(i, ":%s!%s@%s JOIN %s", i->nick, i->nick, i->server, channel);
	listing_names(i, channel);
}

/* A registered user back: its kept groups, its offline messages. */
static void
welcome_back(struct irc *i)
{
	struct core_lines l;
	struct core_user u;

	if (!i->registered)
		return;
	user_core(i, &u);
	core_welcome_back(&u, rejoined, i, &l);
	for (size_t k = 0; k < l.count; k++)
		events_history_line(i, i->nick, &l.line[k]);
	core_offline_done(&u, &l);
}

static void
enter(struct irc *i)
{
	struct core_result r;

	user_enter(i, &r);
	if (r.status == CR_NAME_TAKEN || r.status == CR_ALREADY_ONLINE ||
	    r.status == CR_NAME_LOOKALIKE) {
		results_numeric(i, &r, "NICK", i->nick);
		i->nick[0] = '\0';	/* another NICK may follow */
		return;
	}
	if (r.status != CR_OK) {
		char words[512];

		core_result_text(&r, words, sizeof(words));
		irc_close(i, DISC_ERROR, words);
		return;
	}
	i->state = IRC_CHAT;
	client_arm(i->deadline_fd, 0);
	if (i->conf.idle_timeout > 0)
		client_arm(client_timer(&i->client, &i->idle_fd),
		    i->conf.idle_timeout);
	burst(i);
	irc_send(i, ":%s!%s@%s JOIN %s", i->nick, i->nick, i->server, i->lobby);
	listing_names(i, i->lobby);
	welcome_back(i);
	events_drain(i);
}

/* A registered nick: its password, given by PASS. */
static void
check_password(struct irc *i)
{
	struct core_user u;

	if (!i->password_given) {
		irc_numeric(i, 464, ":Password incorrect (%s is registered: %s)",
		    i->nick, i->conf.irc_password[0] != '\0' ? "log in with SASL "
		    "PLAIN" : "give its password with PASS before NICK");
		i->nick[0] = '\0';
		return;
	}
	user_core(i, &u);
	switch (core_password_attempt(&u, i->password, &i->auth_failures)) {
	case CR_OK:
		i->registered = 1;
		explicit_bzero(i->password, sizeof(i->password));
		enter(i);
		return;
	default:
		explicit_bzero(i->password, sizeof(i->password));
		irc_numeric(i, 464, ":Password incorrect");
		irc_close(i, DISC_AUTH, "wrong password");
	}
}

/* NICK and USER given, CAP done: log in. */
static void
try_register(struct irc *i)
{
	struct core_result r;

	if (i->state != IRC_REGISTERING || i->nick[0] == '\0' ||
	    !i->user_given || i->cap_negotiating)
		return;
	if (i->conf.irc_password[0] != '\0' && !i->server_password_ok) {
		log_warnx("%s: no or a wrong server password", i->client.peer);
		irc_numeric(i, 464, ":Password incorrect (this server's "
		    "password is needed in PASS)");
		irc_close(i, DISC_AUTH, "bad server password");
		return;
	}
	if (i->account[0] != '\0') {	/* SASL named the account */
		strlcpy(i->nick, i->account, sizeof(i->nick));
		i->registered = 1;
		enter(i);
		return;
	}
	switch (user_account(i, &r)) {
	case ACCOUNT_GUEST:
		i->registered = 0;
		enter(i);
		return;
	case ACCOUNT_REGISTERED:
		check_password(i);
		return;
	case ACCOUNT_REFUSED:
		break;
	}
	if (r.status == CR_GUESTS_DISABLED)
		irc_numeric(i, 464, ":Password required (%s is not registered "
		    "and guests may not log in)", i->nick);
	else
		results_numeric(i, &r, "NICK", i->nick);
	irc_close(i, DISC_AUTH, "refused");
}

void
cmd_nick(struct irc *i, struct irc_msg *m)
{
	const char *nick = m->count > 0 ? m->param[0] : "";
	struct core_result r;

	if (*nick == '\0') {
		irc_numeric(i, 431, ":No nickname given");
		return;
	}
	if (i->state == IRC_CHAT) {
		if (strcmp(nick, i->nick) != 0)
			irc_numeric(i, 447, ":Nick changes are not supported "
			    "here: reconnect as %.*s", SHM_NAME_MAX, nick);
		return;
	}
	core_check_name(nick, strlen(nick), &r);
	if (r.status != CR_OK) {
		strlcpy(r.user, nick, sizeof(r.user));
		results_numeric(i, &r, "NICK", nick);
		return;
	}
	/*
	 * Someone online has it: said at once, as IRC servers do.  With a
	 * PASS the nick may be a registered user's taking its name over
	 * (duplicate_login, takeover_after): the core decides at login.
	 */
	if (!i->password_given && i->account[0] == '\0' &&
	    registry_find(&i->shm, nick) != SLOT_NONE) {
		irc_numeric(i, 433, "%s :Nickname is already in use", nick);
		return;
	}
	strlcpy(i->nick, nick, sizeof(i->nick));
	try_register(i);
}

/*
 * USER's user name as WHO shows it: its bytes that may be in a mask
 * (printable ASCII but '!', '@' and ':'), at most SHM_IDENT_MAX; "" if
 * none are (the nick is shown then).
 */
static void
keep_ident(char *ident, const char *given)
{
	size_t len = 0;

	for (; *given != '\0' && len < SHM_IDENT_MAX; given++)
		if (*given > ' ' && *given < 0x7f && strchr("!@:", *given) == NULL)
			ident[len++] = *given;
	ident[len] = '\0';
}

/*
 * USER's real name: its valid UTF-8 characters but controls, each byte
 * that is not one a '?', cut at a character to SHM_REALNAME_MAX.
 */
static void
keep_realname(char *realname, const char *given)
{
	size_t len = 0, n, step, left = strlen(given);
	int shown;

	for (; left > 0; given += step, left -= step) {
		n = utf8_char_length(given, left);
		shown = n > 1 || (n == 1 && (unsigned char)*given >= ' ' &&
		    *given != 0x7f);
		step = n > 0 ? n : 1;
		if (len + (shown ? n : 1) > SHM_REALNAME_MAX)
			break;
		if (shown) {
			memcpy(realname + len, given, n);
			len += n;
		} else
			realname[len++] = '?';
	}
	realname[len] = '\0';
}

void
cmd_user(struct irc *i, struct irc_msg *m)
{
	if (i->state != IRC_REGISTERING) {
		irc_numeric(i, 462, ":You may not reregister");
		return;
	}
	if (m->count < 4 || m->param[0][0] == '\0' || m->param[3][0] == '\0') {
		irc_numeric(i, 461, "USER :Not enough parameters");
		return;
	}
	keep_ident(i->ident, m->param[0]);
	keep_realname(i->realname, m->param[3]);
	i->user_given = 1;
	try_register(i);
}

static const struct cap {
	const char	*name;
	unsigned	 bit;
} caps[] = {
	{ "echo-message", CAP_ECHO_MESSAGE },
	{ "multi-prefix", CAP_MULTI_PREFIX },
	{ "server-time", CAP_SERVER_TIME },
	{ "sasl", CAP_SASL },
	{ "userhost-in-names", CAP_USERHOST_IN_NAMES },
	{ "message-tags", CAP_MESSAGE_TAGS },
};

/* The bit of a capability's name, or 0. */
static unsigned
cap_bit(const char *name)
{
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++)
		if (strcmp(caps[k].name, name) == 0)
			return caps[k].bit;
	return 0;
}

/* The names of the capabilities in bits, blank-separated, in buf. */
static const char *
cap_names(unsigned bits, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++)
		if (bits & caps[k].bit) {
			if (buf[0] != '\0')
				strlcat(buf, " ", size);
			strlcat(buf, caps[k].name, size);
		}
	return buf;
}

/* CAP REQ :a -b: all of them (ACK) or none (NAK), as IRCv3 says. */
static void
cap_req(struct irc *i, const char *nick, const char *list)
{
	char copy[IRC_LINE_BASE], *name, *save = NULL;
	unsigned on = 0, off = 0, bit;

	strlcpy(copy, list, sizeof(copy));
	for (name = strtok_r(copy, " ", &save); name != NULL;
	    name = strtok_r(NULL, " ", &save)) {
		if ((bit = cap_bit(name[0] == '-' ? name + 1 : name)) == 0) {
			irc_send(i, ":%s CAP %s NAK :%.*s", i->server, nick,
			    IRC_LINE_BASE - 80, list);
			return;
		}
		if (name[0] == '-')
			off |= bit;
		else
			on |= bit;
	}
	i->caps = (i->caps | on) & ~off;
	irc_send(i, ":%s CAP %s ACK :%.*s", i->server, nick, IRC_LINE_BASE - 80,
	    list);
}

void
cmd_cap(struct irc *i, struct irc_msg *m)
{
	const char *sub = m->param[0], *nick = i->nick[0] ? i->nick : "*";
	char names[128];

	if (strcasecmp(sub, "LS") == 0) {
		if (i->state == IRC_REGISTERING)
			i->cap_negotiating = 1;
		irc_send(i, ":%s CAP %s LS :%s", i->server, nick,
		    cap_names(~0U, names, sizeof(names)));
	} else if (strcasecmp(sub, "LIST") == 0)
		irc_send(i, ":%s CAP %s LIST :%s", i->server, nick,
		    cap_names(i->caps, names, sizeof(names)));
	else if (strcasecmp(sub, "REQ") == 0) {
		if (i->state == IRC_REGISTERING)
			i->cap_negotiating = 1;
		cap_req(i, nick, m->count > 1 ? m->param[1] : "");
	} else if (strcasecmp(sub, "END") == 0) {
		i->cap_negotiating = 0;
		try_register(i);
	} else
		irc_numeric(i, 410, "%s :Invalid CAP command", sub);
}

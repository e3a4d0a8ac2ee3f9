/*
 * sasl.c -- SASL PLAIN (the IRCv3 capability "sasl"): a registered
 * user's password given before registration ends, instead of PASS.
 *
 * Owns AUTHENTICATE: the mechanism (PLAIN alone), the base64 payload in
 * chunks of 400 bytes, its check by the core (the users file; failures
 * counted, slowed and logged as for PASS), and the numerics 900, 903,
 * 904, 905, 906, 907 and 908.  A success names the account: the
 * registration that follows logs in as it, whatever NICK said.
 */
#include <sys/types.h>
#include <netinet/in.h>

#include <resolv.h>
#include <string.h>
#include <strings.h>

#include "irc.h"
#include "text.h"

#define SASL_CHUNK	400	/* a chunk this long means more follow */

static void
sasl_reset(struct irc *i)
{
	explicit_bzero(i->sasl_buf, sizeof(i->sasl_buf));
	i->sasl_len = 0;
	i->sasl_state = SASL_NONE;
}

static void
sasl_fail(struct irc *i)
{
	sasl_reset(i);
	irc_numeric(i, 904, ":SASL authentication failed");
}

/* "authzid NUL authcid NUL password": the core checks the password. */
static void
sasl_check(struct irc *i, const char *plain, size_t len)
{
	const char *authz = plain, *authc = NULL, *password = NULL;
	const char *end = plain + len, *nul;
	char account[SHM_NAME_MAX + 1], pass[IRC_PASSWORD_MAX + 1];
	struct core_result r;
	struct core_user u;

	if ((nul = memchr(authz, '\0', len)) != NULL) {
		authc = nul + 1;
		if ((nul = memchr(authc, '\0', (size_t)(end - authc))) != NULL)
			password = nul + 1;
	}
	if (password == NULL || !name_valid(authc, (size_t)(nul - authc)) ||
	    (size_t)(end - password) > IRC_PASSWORD_MAX ||
	    (*authz != '\0' && strcasecmp(authz, authc) != 0)) {
		sasl_fail(i);
		return;
	}
	strlcpy(account, authc, sizeof(account));
	memcpy(pass, password, (size_t)(end - password));
	pass[end - password] = '\0';
	user_core(i, &u);
	u.name = account;
	u.registered = 1;
	if (core_account(&u, &r) != ACCOUNT_REGISTERED) {
		explicit_bzero(pass, sizeof(pass));
		sasl_fail(i);	/* a guest has no password to give */
		return;
	}
	switch (core_password_attempt(&u, pass, &i->auth_failures)) {
	case CR_OK:
		strlcpy(i->account, account, sizeof(i->account));
		sasl_reset(i);
		irc_numeric(i, 900, "%s!%s@%s %s :You are now logged in as %s",
		    account, account, i->server, account, account);
		irc_numeric(i, 903, ":SASL authentication successful");
		break;
	case CR_AUTH_FAILED:
		sasl_fail(i);
		irc_close(i, DISC_AUTH, "wrong password");
		break;
	default:
		sasl_fail(i);
	}
	explicit_bzero(pass, sizeof(pass));
}

/* The whole payload came: decode and check it. */
static void
sasl_payload(struct irc *i)
{
	unsigned char plain[sizeof(i->sasl_buf)];
	int n;

	i->sasl_buf[i->sasl_len] = '\0';
	if ((n = b64_pton(i->sasl_buf, plain, sizeof(plain) - 1)) < 0) {
		sasl_fail(i);
		return;
	}
	sasl_check(i, (const char *)plain, (size_t)n);
	explicit_bzero(plain, sizeof(plain));
}

/* A chunk of the payload ("+": none, or the end after 400 bytes). */
static void
sasl_chunk(struct irc *i, const char *chunk)
{
	size_t len = strcmp(chunk, "+") == 0 ? 0 : strlen(chunk);

	if (len > SASL_CHUNK || i->sasl_len + len >= sizeof(i->sasl_buf)) {
		sasl_reset(i);
		irc_numeric(i, 905, ":SASL message too long");
		return;
	}
	memcpy(i->sasl_buf + i->sasl_len, chunk, len);
	i->sasl_len += len;
	if (len < SASL_CHUNK)
		sasl_payload(i);
}

void
cmd_authenticate(struct irc *i, struct irc_msg *m)
{
	const char *arg = m->param[0];

	if (i->state != IRC_REGISTERING || i->account[0] != '\0') {
		irc_numeric(i, 907, ":You have already authenticated using SASL");
		return;
	}
	if (!(i->caps & CAP_SASL)) {
		sasl_fail(i);	/* the capability was not asked for */
		return;
	}
	if (strcmp(arg, "*") == 0) {
		sasl_reset(i);
		irc_numeric(i, 906, ":SASL authentication aborted");
		return;
	}
	if (i->sasl_state == SASL_PAYLOAD) {
		sasl_chunk(i, arg);
		return;
	}
	if (strcasecmp(arg, "PLAIN") != 0) {
		irc_numeric(i, 908, "PLAIN :are available SASL mechanisms");
		sasl_fail(i);
		return;
	}
	i->sasl_state = SASL_PAYLOAD;
	irc_send(i, "AUTHENTICATE +");
}

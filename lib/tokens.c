/*
 * tokens.c -- look a bearer token up in the tokens file.
 *
 * The file is read with the users file's reader and parser (users.c),
 * so it has the same line rules: a line ends at '\n' only, however long,
 * a '#' line is a comment, and a name on two lines is locked.  A line
 * matches only when its hash is 64 lowercase hex digits and neither its
 * name nor its hash is on another line; anything else is skipped, never
 * trusted.  The token's own hash is compared with every line in constant
 * time.  Editing the file is chatctl's (src/chatctl_tokens.c, through
 * users_edit.c).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <sha2.h>

#include "tokens.h"

/* len bytes of lowercase hex digits, exactly TOKEN_HEX_LEN of them. */
static int
hex_ok(const char *s, size_t len)
{
	if (len != TOKEN_HEX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Whether the len bytes at a and b are equal, in a time that depends on
 * len alone (libbsd 0.11 does not export timingsafe_bcmp).
 */
static int
same_bytes(const char *a, const char *b, size_t len)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/*
 * Whether l's name or its hash is on another line of buf too (a name on
 * two lines is locked, as in the users file; a hash on two lines would
 * speak for two names): why, or NULL.
 */
static const char *
on_two_lines(const char *buf, size_t len, const struct users_line *l)
{
	struct users_reader r;
	struct users_line o;
	unsigned names = 0, hashes = 0;

	users_reader_init(&r, buf, len);
	while (users_next(&r, &o)) {
		if ((o.kind == USERS_ENTRY || o.kind == USERS_LOCKED) &&
		    strcasecmp(o.name, l->name) == 0)
			names++;
		if (o.kind == USERS_ENTRY && o.hashlen == l->hashlen &&
		    memcmp(o.hash, l->hash, l->hashlen) == 0)
			hashes++;
	}
	if (names > 1)
		return "the name is on two lines";
	if (hashes > 1)
		return "the hash is on two lines";
	return NULL;
}

const char *
tokens_problem(const char *buf, size_t len, const struct users_line *l)
{
	if (l->kind == USERS_BLANK)
		return "a comment or a blank line";
	if (l->kind != USERS_ENTRY)
		return l->why;
	if (!hex_ok(l->hash, l->hashlen))
		return "the hash is not 64 lowercase hex digits (a SHA-256)";
	return on_two_lines(buf, len, l);
}

int
tokens_lookup(const char *path, const char *token, size_t len,
    char name[SHM_NAME_MAX + 1])
{
	char want[SHA256_DIGEST_STRING_LENGTH], err[512];
	struct users_reader r;
	struct users_line l, match;
	char *buf;
	size_t buflen;
	uint32_t stamp;
	int found = 0, rc;

	memset(&match, 0, sizeof(match));
	if (!hex_ok(token, len))
		return 0;
	if (users_read(path, &buf, &buflen, &stamp, err, sizeof(err)) == -1)
		return -1;
	if (stamp == 0) {
		errno = ENOENT;
		return -1;
	}
	SHA256Data((const uint8_t *)token, len, want);
	users_reader_init(&r, buf, buflen);
	while (users_next(&r, &l)) {
		if (l.kind != USERS_ENTRY || l.hashlen != TOKEN_HEX_LEN)
			continue;
		/* Every line is compared, whether one matched or not. */
		if (same_bytes(l.hash, want, TOKEN_HEX_LEN) && !found) {
			match = l;
			found = 1;
		}
	}
	rc = found && tokens_problem(buf, buflen, &match) == NULL;
	if (rc)
		memcpy(name, match.name, sizeof(match.name));
	users_release(buf, buflen);
	explicit_bzero(want, sizeof(want));
	return rc;
}

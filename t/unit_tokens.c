/*
 * unit_tokens.c -- bearer token lookups in the tokens file (lib/tokens.c).
 *
 * The right token gives its name; a wrong one, one of the wrong length,
 * in upper case or with other than hex digits gives none; malformed
 * lines (a long one, a name too long, a bad hash) are skipped, and
 * neither line of a name or of a hash on two lines matches; a missing or
 * unreadable file is -1.  The hashes here were made with another SHA-256 (Python's
 * hashlib), so they check libmd's use too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "testfile.h"
#include "tokens.h"

#define TOKEN_A	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HASH_A	"2a8abfa8cb9906290437854193ca6bca41d4d4e26d1d454bd66a35158095e737"
#define TOKEN_B	"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define HASH_B	"7b9d07f2404b102b3c62fede026097c5ab81668f18414abd8ea560cecb008006"
#define HASH_B_UPPER \
		"7B9D07F2404B102B3C62FEDE026097C5AB81668F18414ABD8EA560CECB008006"

static char dir[] = "/tmp/unit_tokens.XXXXXX";
static char path[256];

/* tokens_lookup of the NUL-ended token; name is "" unless it matched. */
static int
lookup(const char *token, char name[SHM_NAME_MAX + 1])
{
	name[0] = '\0';
	return tokens_lookup(path, token, strlen(token), name);
}

static void
test_match(void)
{
	char name[SHM_NAME_MAX + 1], upper[TOKEN_HEX_LEN + 1];

	testfile_write(path, "# bots\nalice:" HASH_A "\n\nBob:" HASH_B "\r\n");
	is_int(1, lookup(TOKEN_A, name), "alice's token matches");
	is_string("alice", name, "... and gives her name");
	is_int(1, lookup(TOKEN_B, name), "Bob's token matches (a CRLF line)");
	is_string("Bob", name, "... and gives the name as the file spells it");
	is_int(0, lookup("0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef", name), "a token of nobody's matches no line");
	is_string("", name, "... and leaves the name alone");
	is_int(0, lookup(HASH_A, name), "the hash itself is not a token");
	is_int(0, tokens_lookup(path, TOKEN_A, TOKEN_HEX_LEN - 1, name),
	    "one digit short: no match");
	is_int(0, lookup(TOKEN_A "0", name), "one digit too many: no match");
	is_int(0, tokens_lookup(path, "", 0, name), "an empty token: no match");
	for (size_t i = 0; i < TOKEN_HEX_LEN; i++)
		upper[i] = (char)toupper((unsigned char)TOKEN_B[i]);
	upper[TOKEN_HEX_LEN] = '\0';
	is_int(0, lookup(upper, name), "Bob's token in upper case: no match");
	memcpy(upper, TOKEN_A, sizeof(upper));
	upper[10] = 'g';
	is_int(0, lookup(upper, name), "a token with a 'g': no match");
	is_int(0, tokens_lookup(path, TOKEN_A "\0", TOKEN_HEX_LEN + 1, name),
	    "a token with a NUL after it: no match");
}

static void
test_malformed(void)
{
	char name[SHM_NAME_MAX + 1], *text;
	size_t len = 100000;

	/* A line far longer than any buffer, then good lines after it. */
	if ((text = malloc(len + 300)) == NULL)
		bail("out of memory");
	memset(text, 'x', len);
	snprintf(text + len, 300, "\nalice:" HASH_A "\n"
	    "abcdefghijklmnopqrstuvwxyz0123456:" HASH_B "\n");
	testfile_write(path, text);
	free(text);
	is_int(1, lookup(TOKEN_A, name), "after a 100000-byte line, alice still matches");
	is_int(0, lookup(TOKEN_B, name), "a name of 33 characters matches nothing");
	testfile_write(path, "garbage\n:" HASH_A "\ncarol:\ndave:" HASH_A "x\nerin:"
	    HASH_B_UPPER "\n frank:" HASH_B "\ngus:" HASH_B " \n");
	is_int(0, lookup(TOKEN_A, name), "no line of garbage, a hash too long or "
	    "an empty name matches");
	is_int(0, lookup(TOKEN_B, name), "nor a hash in upper case, blanks around "
	    "the name, or after the hash");
	testfile_write(path, "alice:" HASH_A "\nALICE:" HASH_B "\n");
	is_int(0, lookup(TOKEN_A, name), "a name on two lines: its first token "
	    "does not match");
	is_int(0, lookup(TOKEN_B, name), "... nor its second");
	testfile_write(path, "carol:" HASH_A "\ndave:" HASH_A "\n");
	is_int(0, lookup(TOKEN_A, name), "a hash on two lines matches neither");
}

static void
test_problems(void)
{
	static const char text[] = "alice:" HASH_A "\n# c\nbob:12ab\ncarol\n";
	struct users_reader r;
	struct users_line l;
	const char *why[4];
	size_t n = 0;

	users_reader_init(&r, text, strlen(text));
	while (n < 4 && users_next(&r, &l))
		why[n++] = tokens_problem(text, strlen(text), &l);
	is_int(4, (long long)n, "tokens_problem: four lines");
	ok(n == 4 && why[0] == NULL, "a good line has no problem");
	ok(n == 4 && why[1] != NULL && why[2] != NULL && why[3] != NULL,
	    "a comment, a short hash and a name alone each have one");
}

static void
test_unreadable(void)
{
	char name[SHM_NAME_MAX + 1];

	unlink(path);
	errno = 0;
	is_int(-1, lookup(TOKEN_A, name), "a missing file: -1");
	is_int(ENOENT, errno, "... with errno ENOENT");
	errno = 0;
	is_int(-1, tokens_lookup(dir, TOKEN_A, TOKEN_HEX_LEN, name),
	    "a directory in its place: -1");
	ok(errno != 0, "... with errno set");
	testfile_write(path, "");
	is_int(0, lookup(TOKEN_A, name), "an empty file: no match");
	unlink(path);
}

int
main(void)
{
	plan(13 + 7 + 3 + 5);
	log_init("unit_tokens", LOG_LEVEL_INFO);
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(path, sizeof(path), "%s/tokens", dir);
	test_match();
	test_malformed();
	test_problems();
	test_unreadable();
	rmdir(dir);
	return 0;
}

/*
 * fuzz_conf.c -- libFuzzer target: the chat.conf parser.
 *
 * The input, ended with a NUL, is parsed by conf_parse (lib/conf.c) over
 * the defaults.  It must never crash.  On success every field is within
 * its documented limits (the key table in lib/conf.c, chat.conf(5),
 * doc/architecture.md section 10) and the text had no line of 1024 bytes
 * or more and no non-blank line without '='; on failure the error names
 * the file and is NUL-ended within the buffer it was given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

#define in(v, lo, hi)	((v) >= (lo) && (v) <= (hi))

#define FUZZ_NAME	"fuzz.conf"

/* A string field: NUL-ended within its array. */
static size_t
field_len(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	check(nul != NULL);
	return (size_t)(nul - s);
}

static void
within_limits(const struct chat_conf *c)
{
	size_t n;

	n = field_len(c->shm_name, sizeof(c->shm_name));
	check(n >= 2 && n <= CONF_SHM_NAME_MAX - 1);
	check(c->shm_name[0] == '/' && strchr(c->shm_name + 1, '/') == NULL);

	n = field_len(c->runtime_dir, sizeof(c->runtime_dir));
	check(n >= 1 && n < 100 && c->runtime_dir[0] == '/');

	n = field_len(c->users_file, sizeof(c->users_file));
	check(n >= 1 && c->users_file[0] == '/');

	check(in(c->max_sessions, 1u, 65536u));
	check(in(c->max_line, 64u, 65536u));
	check(in(c->max_sendq, 4096u, 1u << 30));
	check(in(c->log_records, 64u, 1u << 20));
	check(in(c->max_groups, 1u, 65536u));
	check(in(c->max_group_members, 1u, 65536u));
	check(in(c->rate_msgs, 1u, 1000000u));
	check(in(c->rate_burst, 1u, 1000000u));
	check(in(c->max_recvq, 1024u, 1u << 30));
	check(in(c->login_timeout, 1u, 86400u));
	check(c->idle_timeout <= 31u * 86400u);
	check(c->allow_guests == 0 || c->allow_guests == 1);
	check(c->duplicate_login == DUP_REFUSE || c->duplicate_login == DUP_REPLACE);
	check(c->log_level >= LOG_LEVEL_ERROR && c->log_level <= LOG_LEVEL_DEBUG);
	check(c->source[0] == '\0');
}

/* What any text conf_parse accepts must look like, line by line. */
static void
well_formed(const char *text)
{
	const char *p = text, *nl, *hash;
	size_t len, i;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		check(len < 1024);
		hash = memchr(p, '#', len);
		if (hash != NULL)
			len = (size_t)(hash - p);
		for (i = 0; i < len; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				break;
		if (i < len)
			check(memchr(p, '=', len) != NULL);
		p += len + (hash != NULL ? strcspn(hash, "\n") : 0);
		p += *p == '\n';
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_conf conf;
	char *text, err[512];
	size_t errlen;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	conf_defaults(&conf);
	within_limits(&conf);

	/* The error buffer's size varies too; it must never be overrun. */
	errlen = size % 2 == 0 ? sizeof(err) : 1 + size % 64;
	memset(err, 'x', sizeof(err));
	if (conf_parse(&conf, FUZZ_NAME, text, err, errlen) == 0) {
		within_limits(&conf);
		well_formed(text);
	} else {
		check(memchr(err, '\0', errlen) != NULL);
		check(errlen == sizeof(err) || err[errlen] == 'x');
		if (errlen > strlen(FUZZ_NAME ":"))
			check(strncmp(err, FUZZ_NAME ":", strlen(FUZZ_NAME ":")) == 0);
	}
	free(text);
	return 0;
}

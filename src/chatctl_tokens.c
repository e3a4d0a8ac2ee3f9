/*
 * chatctl_tokens.c -- chatctl token add, list and revoke.
 *
 * Owns making bearer tokens and every change to the tokens file
 * (tokens_file; its format is lib/tokens.h's).  A token is printed once,
 * when it is made, and only its SHA-256 is written; nothing here prints
 * or logs a hash.  The file is edited like the users file (chatctl_load
 * and chatctl_save: lib/users_edit.c, under TOKENS_FILE.lock, renamed
 * into place with mode 0640).  token add also holds the users file's
 * lock, as userdel does when it revokes a token (token_forget), so a
 * token is never given to an account being deleted.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sha2.h>

#include "chatctl.h"
#include "log.h"
#include "tokens.h"

static int token_add(struct chatctl *, const char *);
static int token_list(struct chatctl *, const char *);
static int token_revoke(struct chatctl *, const char *);

struct token_verb {
	const char	*name;
	int		(*run)(struct chatctl *ctl, const char *name);
	int		 args;		/* 1 if it takes NAME */
	const char	*usage;
};

static const struct token_verb token_verbs[] = {
	{ "add", token_add, 1, "token add NAME" },
	{ "list", token_list, 0, "token list [--json]" },
	{ "revoke", token_revoke, 1, "token revoke NAME" },
};
#define NTOKEN_VERBS (sizeof(token_verbs) / sizeof(token_verbs[0]))

/* A new token: 32 random bytes as 64 lowercase hex digits.  0 or -1. */
static int
token_new(char token[TOKEN_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[TOKEN_HEX_LEN / 2];
	ssize_t n;

	if ((n = getrandom(raw, sizeof(raw), 0)) != (ssize_t)sizeof(raw)) {
		fprintf(stderr, "chatctl: cannot get random bytes: %s\n",
		    n == -1 ? strerror(errno) : "too few");
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	token[TOKEN_HEX_LEN] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/*
 * Whether name is an account that can log in, asked with users (the
 * users file, loaded and locked) held: 0 with its spelling there in
 * canon, else an exit status with the reason on stderr.
 */
static int
check_account(const struct chatctl *ctl, struct users_list *users, const char *name,
    char canon[SHM_NAME_MAX + 1])
{
	struct users_match m;
	struct users_rec *r;
	char err[512];
	int found;

	found = users_lookup_match(ctl->conf.users_file, name, &m, err, sizeof(err));
	explicit_bzero(m.hash, sizeof(m.hash));
	if (found == -1) {
		fprintf(stderr, "chatctl: %s\n", err);
		return EXIT_SYSTEM;
	}
	if (found == USERS_NONE || (r = users_find(users, name)) == NULL) {
		fprintf(stderr, "chatctl: %s is not a registered user\n", name);
		return 1;
	}
	if (found == USERS_IS_LOCKED) {
		fprintf(stderr, "chatctl: %s is locked (%s:%u: %s); chatctl passwd %s "
		    "unlocks it\n", name, ctl->conf.users_file, m.lineno, m.why, name);
		return 1;
	}
	strlcpy(canon, r->name, SHM_NAME_MAX + 1);
	return 0;
}

/* Write name's new hash into the tokens file; 0 or an exit status. */
static int
token_store(struct chatctl *ctl, const char *name, const char *hash)
{
	struct users_list tokens;
	int replaced;

	if (chatctl_load(ctl->conf.tokens_file, &tokens, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	replaced = users_find(&tokens, name) != NULL;
	if (users_set(&tokens, name, hash) == -1) {
		fprintf(stderr, "chatctl: out of memory\n");
		users_free(&tokens);
		return EXIT_SYSTEM;
	}
	if (chatctl_save(ctl->conf.tokens_file, &tokens) != 0)
		return EXIT_SYSTEM;
	if (replaced)
		fprintf(stderr, "chatctl: %s had a token; the new one replaces it, "
		    "the old one no longer works\n", name);
	return 0;
}

static int
token_add(struct chatctl *ctl, const char *name)
{
	char canon[SHM_NAME_MAX + 1], token[TOKEN_HEX_LEN + 1];
	char hash[SHA256_DIGEST_STRING_LENGTH];
	struct users_list users;
	int rc;

	if (chatctl_load(ctl->conf.users_file, &users, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	if ((rc = check_account(ctl, &users, name, canon)) != 0) {
		users_free(&users);
		return rc;
	}
	if (token_new(token) == -1) {
		users_free(&users);
		return EXIT_SYSTEM;
	}
	SHA256Data((const uint8_t *)token, TOKEN_HEX_LEN, hash);
	rc = token_store(ctl, canon, hash);
	users_free(&users);
	if (rc == 0 && (printf("%s\n", token) < 0 || fflush(stdout) == EOF)) {
		fprintf(stderr, "chatctl: cannot print the token (%s); it is stored: "
		    "chatctl token add %s makes another\n", strerror(errno), canon);
		rc = EXIT_SYSTEM;
	}
	explicit_bzero(token, sizeof(token));
	return rc;
}

/* The names that have a usable token; every other line is told on stderr. */
static int
token_list(struct chatctl *ctl, const char *unused)
{
	const char *path = ctl->conf.tokens_file, *why;
	struct users_reader r;
	struct users_line l;
	char err[512], *buf;
	size_t len;
	uint32_t stamp;
	json_t *names;

	if (users_read(path, &buf, &len, &stamp, err, sizeof(err)) == -1) {
		fprintf(stderr, "chatctl: %s\n", err);
		return EXIT_SYSTEM;
	}
	names = json_array();
	users_reader_init(&r, buf, len);
	while (users_next(&r, &l)) {
		if (l.kind == USERS_BLANK)
			continue;
		if ((why = tokens_problem(buf, len, &l)) != NULL)
			fprintf(stderr, "chatctl: %s:%u: %s; ignored\n", path,
			    l.lineno, why);
		else if (ctl->json)
			json_array_append_new(names, json_pack("{s:s}", "name", l.name));
		else
			printf("%s\n", l.name);
	}
	users_release(buf, len);
	if (ctl->json)
		return print_json(names);
	json_decref(names);
	return 0;
}

static int
token_revoke(struct chatctl *ctl, const char *name)
{
	struct users_list tokens;

	if (chatctl_load(ctl->conf.tokens_file, &tokens, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	if (users_remove(&tokens, name) == -1) {
		fprintf(stderr, "chatctl: %s has no token\n", name);
		users_free(&tokens);
		return 1;
	}
	return chatctl_save(ctl->conf.tokens_file, &tokens);
}

int
token_forget(struct chatctl *ctl, const char *name)
{
	struct users_list tokens;
	struct stat st;
	int rc;

	/* No file, no token: nothing to lock, in a directory that may not exist. */
	if (stat(ctl->conf.tokens_file, &st) == -1 && errno == ENOENT)
		return 0;
	if (chatctl_load(ctl->conf.tokens_file, &tokens, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	if (users_remove(&tokens, name) == -1) {
		users_free(&tokens);
		return 0;
	}
	if ((rc = chatctl_save(ctl->conf.tokens_file, &tokens)) == 0)
		fprintf(stderr, "chatctl: %s's token is revoked too\n", name);
	return rc;
}

static void
token_usage(void)
{
	fprintf(stderr, "usage:");
	for (size_t i = 0; i < NTOKEN_VERBS; i++)
		fprintf(stderr, "%s chatctl %s\n", i == 0 ? "" : "      ",
		    token_verbs[i].usage);
}

int
verb_token(struct chatctl *ctl, int argc, char **argv)
{
	const struct token_verb *v = NULL;

	for (size_t i = 0; argc >= 1 && i < NTOKEN_VERBS; i++)
		if (strcmp(argv[0], token_verbs[i].name) == 0)
			v = &token_verbs[i];
	if (v == NULL) {
		token_usage();
		return EXIT_USAGE;
	}
	if (argc - 1 != v->args) {
		fprintf(stderr, "usage: chatctl %s\n", v->usage);
		return EXIT_USAGE;
	}
	return v->run(ctl, v->args == 1 ? argv[1] : NULL);
}

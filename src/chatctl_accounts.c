/*
 * chatctl_accounts.c -- chatctl useradd, passwd, userdel and import.
 *
 * Owns reading passwords (without echo through readpassphrase, or one
 * line from stdin with --stdin) and every change to the users file,
 * which lib/users.c rewrites atomically.  Plain passwords never reach
 * the disk: import hashes each one.
 */
#include <errno.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chatctl.h"
#include "log.h"
#include "text.h"
#include "users.h"

#define PASSWORD_MAX	256

/* One line of at most len - 1 bytes into buf; -1 if none or longer. */
static int
read_stdin_line(char *buf, size_t len)
{
	char line[PASSWORD_MAX + 2];	/* the longest password, "\n", NUL */
	size_t n;

	if (len > PASSWORD_MAX || fgets(line, sizeof(line), stdin) == NULL)
		return -1;
	n = strcspn(line, "\r\n");
	if (n > len - 1) {
		explicit_bzero(line, sizeof(line));
		return -1;
	}
	memcpy(buf, line, n);
	buf[n] = '\0';
	explicit_bzero(line, sizeof(line));
	return 0;
}

/* A new password for name: asked twice on a terminal, or one stdin line. */
static int
new_password(const struct chatctl *ctl, const char *name, char *pw, size_t len)
{
	char again[PASSWORD_MAX], prompt[128];

	if (ctl->from_stdin) {
		if (read_stdin_line(pw, len) == -1) {
			fprintf(stderr, "chatctl: no password on stdin (or longer "
			    "than %zu bytes)\n", len - 1);
			return -1;
		}
	} else {
		snprintf(prompt, sizeof(prompt), "password for %s: ", name);
		if (readpassphrase(prompt, pw, len, RPP_REQUIRE_TTY) == NULL ||
		    readpassphrase("again: ", again, sizeof(again),
		    RPP_REQUIRE_TTY) == NULL) {
			fprintf(stderr, "chatctl: cannot read a password: %s "
			    "(use --stdin in scripts)\n", strerror(errno));
			return -1;
		}
		if (strcmp(pw, again) != 0) {
			explicit_bzero(again, sizeof(again));
			fprintf(stderr, "chatctl: the passwords differ\n");
			return -1;
		}
		explicit_bzero(again, sizeof(again));
	}
	if (pw[0] == '\0' || text_check(pw, strlen(pw)) != TEXT_OK) {
		fprintf(stderr, "chatctl: a password must be non-empty UTF-8 text "
		    "without control characters\n");
		return -1;
	}
	return 0;
}

static int
check_name(const char *name)
{
	if (name_valid(name, strlen(name)))
		return 0;
	fprintf(stderr, "chatctl: '%s' is not a valid name: 1-32 letters, digits, "
	    "'_', '-' or '.', starting with a letter\n", name);
	return -1;
}

static int
load(const struct chatctl *ctl, struct users_list *list)
{
	char err[512];

	if (users_load(ctl->conf.users_file, list, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "chatctl: %s\n", err);
	return -1;
}

static int
save(const struct chatctl *ctl, struct users_list *list)
{
	char err[512];
	int rc = 0;

	if (users_save(ctl->conf.users_file, list, err, sizeof(err)) == -1) {
		fprintf(stderr, "chatctl: %s\n", err);
		rc = EXIT_SYSTEM;
	}
	users_free(list);
	return rc;
}

/* useradd (exists = 0) and passwd (exists = 1). */
static int
set_password(struct chatctl *ctl, int argc, char **argv, int exists, const char *verb)
{
	char pw[PASSWORD_MAX], hash[USERS_HASH_MAX];
	struct users_list list;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl %s [--stdin] NAME\n", verb);
		return EXIT_USAGE;
	}
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	if (load(ctl, &list) == -1)
		return EXIT_SYSTEM;
	if ((users_find(&list, argv[0]) != NULL) != exists) {
		fprintf(stderr, "chatctl: %s %s\n", argv[0], exists ?
		    "is not a registered user" : "is already registered");
		users_free(&list);
		return 1;
	}
	if (new_password(ctl, argv[0], pw, sizeof(pw)) == -1) {
		users_free(&list);
		return 1;
	}
	if (users_hash(pw, hash, sizeof(hash)) == -1) {
		explicit_bzero(pw, sizeof(pw));
		fprintf(stderr, "chatctl: cannot hash the password\n");
		users_free(&list);
		return EXIT_SYSTEM;
	}
	explicit_bzero(pw, sizeof(pw));
	if (users_set(&list, argv[0], hash) == -1) {
		users_free(&list);
		return EXIT_SYSTEM;
	}
	return save(ctl, &list);
}

int
verb_useradd(struct chatctl *ctl, int argc, char **argv)
{
	return set_password(ctl, argc, argv, 0, "useradd");
}

int
verb_passwd(struct chatctl *ctl, int argc, char **argv)
{
	return set_password(ctl, argc, argv, 1, "passwd");
}

int
verb_userdel(struct chatctl *ctl, int argc, char **argv)
{
	struct users_list list;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl userdel NAME\n");
		return EXIT_USAGE;
	}
	if (load(ctl, &list) == -1)
		return EXIT_SYSTEM;
	if (users_remove(&list, argv[0]) == -1) {
		fprintf(stderr, "chatctl: %s is not a registered user\n", argv[0]);
		users_free(&list);
		return 1;
	}
	return save(ctl, &list);
}

/* One "name:password" line of an import file into list; -1 if malformed. */
static int
import_line(struct users_list *list, char *line)
{
	char hash[USERS_HASH_MAX], *colon;
	int rc;

	if ((colon = strchr(line, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (!name_valid(line, strlen(line)) || colon[1] == '\0' ||
	    text_check(colon + 1, strlen(colon + 1)) != TEXT_OK)
		return -1;
	rc = users_hash(colon + 1, hash, sizeof(hash));
	explicit_bzero(colon + 1, strlen(colon + 1));
	if (rc == -1 || users_set(list, line, hash) == -1)
		return -2;
	return 0;
}

int
verb_import(struct chatctl *ctl, int argc, char **argv)
{
	char line[512];
	struct users_list list;
	unsigned lineno = 0, added = 0, bad = 0;
	FILE *f;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl import FILE\n");
		return EXIT_USAGE;
	}
	if ((f = fopen(argv[0], "re")) == NULL) {
		fprintf(stderr, "chatctl: %s: %s\n", argv[0], strerror(errno));
		return EXIT_SYSTEM;
	}
	if (load(ctl, &list) == -1) {
		fclose(f);
		return EXIT_SYSTEM;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((rc = import_line(&list, line)) == -2) {
			fprintf(stderr, "chatctl: cannot hash a password\n");
			fclose(f);
			users_free(&list);
			return EXIT_SYSTEM;
		}
		if (rc == -1) {
			fprintf(stderr, "chatctl: %s:%u: not a name:password line; "
			    "skipped\n", argv[0], lineno);
			bad++;
			continue;
		}
		added++;
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if ((rc = save(ctl, &list)) != 0)
		return rc;
	printf("imported %u user%s into %s", added, added == 1 ? "" : "s",
	    ctl->conf.users_file);
	if (bad > 0)
		printf(" (%u line%s skipped)", bad, bad == 1 ? "" : "s");
	printf("\n");
	return bad > 0 ? 1 : 0;
}

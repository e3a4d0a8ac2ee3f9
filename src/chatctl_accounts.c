/*
 * chatctl_accounts.c -- chatctl useradd, passwd, userdel and import.
 *
 * Owns reading passwords (without echo through readpassphrase, or one
 * line from stdin with --stdin) and every change to the users file,
 * which lib/users_edit.c rewrites atomically under its lock file
 * (through chatctl_edit.c).  userdel revokes the account's token too.
 * Passwords are read and hashed before that lock is taken, so nobody
 * waits on a person typing.  Plain passwords never reach the disk:
 * import hashes each one.
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
	if (!name_valid(name, strlen(name))) {
		fprintf(stderr, "chatctl: '%s' is not a valid name: 1-%d letters, "
		    "digits, '_', '-' or '.', starting with a letter\n", name,
		    SHM_NAME_MAX);
		return -1;
	}
	if (name_reserved(name, strlen(name))) {
		fprintf(stderr, "chatctl: '%s' is reserved: notices say \"you\" "
		    "to their reader\n", name);
		return -1;
	}
	return 0;
}

/*
 * Whether name may be given a password: useradd (exists = 0) wants it
 * absent, passwd (exists = 1) present; a locked line counts as present
 * (passwd replaces it).  0, or 1 with the reason on stderr.
 */
static int
check_exists(const struct chatctl *ctl, struct users_list *list, const char *name,
    int exists)
{
	struct users_rec *r = users_find(list, name);

	if (exists && r == NULL) {
		fprintf(stderr, "chatctl: %s is not a registered user\n", name);
		return 1;
	}
	if (!exists && r != NULL && r->kind == USERS_LOCKED) {
		fprintf(stderr, "chatctl: %s is already registered, on a line that "
		    "cannot be used (%s:%u); chatctl passwd %s replaces it\n",
		    name, ctl->conf.users_file, r->lineno, name);
		return 1;
	}
	if (!exists && r != NULL) {
		fprintf(stderr, "chatctl: %s is already registered\n", name);
		return 1;
	}
	return 0;
}

/*
 * useradd (exists = 0) and passwd (exists = 1).  The password is asked
 * before the file is locked (nobody waits for a person typing) and the
 * check is made again under the lock.
 */
static int
set_password(struct chatctl *ctl, int argc, char **argv, int exists, const char *verb)
{
	char pw[PASSWORD_MAX], hash[USERS_HASH_MAX];
	struct users_list list;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl %s [--stdin] NAME\n", verb);
		return EXIT_USAGE;
	}
	if (check_name(argv[0]) == -1)
		return EXIT_USAGE;
	if (chatctl_load(ctl->conf.users_file, &list, USERS_READ) == -1)
		return EXIT_SYSTEM;
	rc = check_exists(ctl, &list, argv[0], exists);
	users_free(&list);
	if (rc != 0)
		return rc;
	if (new_password(ctl, argv[0], pw, sizeof(pw)) == -1)
		return 1;
	rc = users_hash(pw, hash, sizeof(hash));
	explicit_bzero(pw, sizeof(pw));
	if (rc == -1) {
		fprintf(stderr, "chatctl: cannot hash the password\n");
		return EXIT_SYSTEM;
	}
	if (chatctl_load(ctl->conf.users_file, &list, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	if ((rc = check_exists(ctl, &list, argv[0], exists)) != 0 ||
	    (rc = users_set(&list, argv[0], hash)) == -1) {
		users_free(&list);
		return rc == -1 ? EXIT_SYSTEM : rc;
	}
	return chatctl_save(ctl->conf.users_file, &list);
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

/*
 * The account's token goes first, under the users file's lock: should
 * the users file then fail to be written, the account stays without a
 * token rather than a token outliving its account.
 */
int
verb_userdel(struct chatctl *ctl, int argc, char **argv)
{
	struct users_list list;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl userdel NAME\n");
		return EXIT_USAGE;
	}
	if (chatctl_load(ctl->conf.users_file, &list, USERS_EDIT) == -1)
		return EXIT_SYSTEM;
	if (users_remove(&list, argv[0]) == -1) {
		fprintf(stderr, "chatctl: %s is not a registered user\n", argv[0]);
		users_free(&list);
		return 1;
	}
	if ((rc = token_forget(ctl, argv[0])) != 0) {
		users_free(&list);
		return rc;
	}
	return chatctl_save(ctl->conf.users_file, &list);
}

/* Accounts read from an import file, hashed, before the users file is locked. */
struct imported {
	struct imported_user {
		char	name[SHM_NAME_MAX + 1];
		char	hash[USERS_HASH_MAX];
	}	*users;
	size_t	 count, size;
};

static void
imported_free(struct imported *im)
{
	if (im->users != NULL)
		explicit_bzero(im->users, im->size * sizeof(*im->users));
	free(im->users);
}

/*
 * One "name:password" line of an import file (modified, then wiped) into
 * im: 0, -1 if malformed, -2 on a system failure.
 */
static int
import_line(struct imported *im, char *line)
{
	struct imported_user *u;
	char *colon;
	int rc;

	if ((colon = strchr(line, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (!name_valid(line, strlen(line)) || name_reserved(line, strlen(line)) ||
	    colon[1] == '\0' ||
	    text_check(colon + 1, strlen(colon + 1)) != TEXT_OK)
		return -1;
	if (im->count == im->size) {
		size_t size = im->size == 0 ? 16 : im->size * 2;

		if ((u = calloc(size, sizeof(*u))) == NULL)
			return -2;
		if (im->users != NULL) {
			memcpy(u, im->users, im->count * sizeof(*u));
			imported_free(im);
		}
		im->users = u;
		im->size = size;
	}
	u = &im->users[im->count];
	strlcpy(u->name, line, sizeof(u->name));
	rc = users_hash(colon + 1, u->hash, sizeof(u->hash));
	explicit_bzero(colon + 1, strlen(colon + 1));
	if (rc == -1)
		return -2;
	im->count++;
	return 0;
}

/* Read and hash every line of path; the count of malformed ones, or -1. */
static int
import_read(const char *path, struct imported *im)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	int bad = 0, rc = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "chatctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* getline: a line ends at '\n' only, however long, so numbers are right. */
	while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((rc = import_line(im, line)) == -1) {
			fprintf(stderr, "chatctl: %s:%u: not a name:password line; "
			    "skipped\n", path, lineno);
			bad++;
			rc = 0;
		} else if (rc == -2)
			fprintf(stderr, "chatctl: cannot hash a password\n");
		explicit_bzero(line, cap);
	}
	free(line);
	fclose(f);
	return rc == 0 ? bad : -1;
}

int
verb_import(struct chatctl *ctl, int argc, char **argv)
{
	struct imported im = { NULL, 0, 0 };
	struct users_list list;
	size_t added;
	int bad, rc;

	if (argc != 1) {
		fprintf(stderr, "usage: chatctl import FILE\n");
		return EXIT_USAGE;
	}
	if ((bad = import_read(argv[0], &im)) == -1) {
		imported_free(&im);
		return EXIT_SYSTEM;
	}
	if (chatctl_load(ctl->conf.users_file, &list, USERS_EDIT) == -1) {
		imported_free(&im);
		return EXIT_SYSTEM;
	}
	for (size_t i = 0; i < im.count; i++)
		if (users_set(&list, im.users[i].name, im.users[i].hash) == -1) {
			fprintf(stderr, "chatctl: out of memory\n");
			imported_free(&im);
			users_free(&list);
			return EXIT_SYSTEM;
		}
	added = im.count;
	imported_free(&im);
	if ((rc = chatctl_save(ctl->conf.users_file, &list)) != 0)
		return rc;
	printf("imported %zu user%s into %s", added, added == 1 ? "" : "s",
	    ctl->conf.users_file);
	if (bad > 0)
		printf(" (%d line%s skipped)", bad, bad == 1 ? "" : "s");
	printf("\n");
	return bad > 0 ? 1 : 0;
}

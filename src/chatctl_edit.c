/*
 * chatctl_edit.c -- load and save the users file and the tokens file.
 *
 * The account verbs and the token verbs edit their files through
 * lib/users_edit.c (one line format, one lock, one atomic rename); this
 * file only tells that library's errors on stderr, as chatctl does.
 * Kept apart from both verb files so that neither depends on the other
 * for it.
 */
#include <stdio.h>

#include "chatctl.h"
#include "log.h"

int
chatctl_load(const char *path, struct users_list *list, int mode)
{
	char err[512];

	if (users_load(path, list, mode, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "chatctl: %s\n", err);
	return -1;
}

int
chatctl_save(const char *path, struct users_list *list)
{
	char err[512];
	int rc = 0;

	if (users_save(path, list, err, sizeof(err)) == -1) {
		fprintf(stderr, "chatctl: %s\n", err);
		rc = EXIT_SYSTEM;
	}
	users_free(list);
	return rc;
}

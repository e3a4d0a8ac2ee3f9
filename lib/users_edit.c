/*
 * users_edit.c -- load, change and rewrite the whole users file (chatctl).
 *
 * Kept apart from users.c so that chat-session, which only looks names
 * up, does not link the group database code (getgrnam) it never uses.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "users.h"

int
users_load(const char *path, struct users_list *list, char *err, size_t errlen)
{
	char line[512];
	struct user_entry e;
	unsigned lineno = 0;
	FILE *f;

	memset(list, 0, sizeof(*list));
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (users_parse_entry(line, &e) == -1) {
			log_warnx("%s:%u: not a name:hash line; skipped", path, lineno);
			continue;
		}
		if (users_set(list, e.name, e.hash) == -1) {
			fclose(f);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int
users_save(const char *path, const struct users_list *list, char *err, size_t errlen)
{
	char tmp[4096];
	struct group *gr;
	FILE *f;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* Readable by the sessions (group chat), by nobody else. */
	gr = getgrnam("chat");
	if (fchmod(fd, 0640) == -1 ||
	    (gr != NULL && fchown(fd, (uid_t)-1, gr->gr_gid) == -1) ||
	    (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	for (size_t i = 0; i < list->count; i++)
		fprintf(f, "%s:%s\n", list->entries[i].name, list->entries[i].hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct user_entry *
users_find(struct users_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcasecmp(list->entries[i].name, name) == 0)
			return &list->entries[i];
	return NULL;
}

int
users_set(struct users_list *list, const char *name, const char *hash)
{
	struct user_entry *e = users_find(list, name), *p;

	if (e == NULL) {
		if (list->count == list->size) {
			size_t size = list->size == 0 ? 16 : list->size * 2;

			if ((p = reallocarray(list->entries, size, sizeof(*p))) == NULL)
				return -1;
			list->entries = p;
			list->size = size;
		}
		e = &list->entries[list->count++];
		strlcpy(e->name, name, sizeof(e->name));
	}
	strlcpy(e->hash, hash, sizeof(e->hash));
	return 0;
}

int
users_remove(struct users_list *list, const char *name)
{
	struct user_entry *e = users_find(list, name);

	if (e == NULL)
		return -1;
	memmove(e, e + 1, (size_t)(list->entries + list->count - (e + 1)) * sizeof(*e));
	list->count--;
	return 0;
}

void
users_free(struct users_list *list)
{
	if (list->entries != NULL)
		explicit_bzero(list->entries, list->size * sizeof(*list->entries));
	free(list->entries);
	memset(list, 0, sizeof(*list));
}

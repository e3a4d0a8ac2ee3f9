/*
 * users_edit.c -- load, change and rewrite the whole users file (chatctl).
 *
 * Every line is kept as read, through the parser of users.c; an edit
 * changes only the lines of the name it is about, so comments, blank
 * lines and lines nobody can parse survive it byte for byte.  Edits are
 * serialised by an exclusive flock on USERS_FILE.lock, held from the read
 * to the rename: the lock is on a file of its own because the rename
 * replaces the users file's inode.  chatctl edits the tokens file
 * (tokens.h), whose lines have the same form, with these functions too.
 * Kept apart from users.c so that chat-session, which only looks names
 * up, does not link the group database code (getgrnam) it never uses.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "users.h"

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * flock fd, trying every 50 ms: an edit that hangs (a stuck chatctl, a
 * script holding the lock) must not make every later edit hang silently.
 * After a second say what is waited for; after USERS_LOCK_WAIT give up.
 */
static int
lock_wait(int fd, const char *lock)
{
	const struct timespec pause = { 0, 50 * 1000 * 1000 };
	double start = now();
	int said = 0;

	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (!said && now() - start >= 1) {
			log_warnx("%s: waiting for the lock held by another edit",
			    lock);
			said = 1;
		}
		if (now() - start >= USERS_LOCK_WAIT) {
			errno = EWOULDBLOCK;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}

static int
lock_file(const char *path, struct users_list *list, char *err, size_t errlen)
{
	char lock[4096];
	int fd;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >= sizeof(lock)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		return -1;
	}
	if (lock_wait(fd, lock) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "%s: another edit has held the lock "
			    "for %d s; nothing was changed", lock, USERS_LOCK_WAIT);
		else
			snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		close(fd);
		return -1;
	}
	list->lock_fd = fd;
	return 0;
}

/* Room for one more line; NULL when out of memory. */
static struct users_rec *
add_rec(struct users_list *list)
{
	struct users_rec *p;

	if (list->count == list->size) {
		size_t size = list->size == 0 ? 64 : list->size * 2;

		if ((p = reallocarray(list->lines, size, sizeof(*p))) == NULL)
			return NULL;
		list->lines = p;
		list->size = size;
	}
	p = &list->lines[list->count];
	memset(p, 0, sizeof(*p));
	return p;
}

static int
keep_lines(struct users_list *list, const char *buf, size_t len)
{
	struct users_reader r;
	struct users_line l;
	struct users_rec *rec;

	users_reader_init(&r, buf, len);
	while (users_next(&r, &l)) {
		if ((rec = add_rec(list)) == NULL ||
		    (rec->text = malloc(l.len + 1)) == NULL)
			return -1;
		memcpy(rec->text, l.text, l.len);
		rec->text[l.len] = '\0';
		rec->len = l.len;
		rec->newline = l.text + l.len < buf + len;
		rec->kind = l.kind;
		rec->lineno = l.lineno;
		memcpy(rec->name, l.name, sizeof(rec->name));
		list->count++;
	}
	return 0;
}

int
users_load(const char *path, struct users_list *list, int mode, char *err,
    size_t errlen)
{
	char *buf;
	size_t len;
	uint32_t stamp;
	int rc;

	memset(list, 0, sizeof(*list));
	list->lock_fd = -1;
	if (mode == USERS_EDIT && lock_file(path, list, err, errlen) == -1)
		return -1;
	if (users_read(path, &buf, &len, &stamp, err, errlen) == -1) {
		users_free(list);
		return -1;
	}
	if (mode == USERS_EDIT)
		users_check(path, buf, len);
	rc = keep_lines(list, buf, len);
	users_release(buf, len);
	if (rc == -1) {
		snprintf(err, errlen, "out of memory");
		users_free(list);
	}
	return rc;
}

static int
write_lines(FILE *f, const struct users_list *list)
{
	const struct users_rec *r;

	for (size_t i = 0; i < list->count; i++) {
		r = &list->lines[i];
		if (fwrite(r->text, 1, r->len, f) != r->len)
			return -1;
		/*
		 * Each line keeps its own '\n': only a last line read without
		 * one is written without one, and only while it stays last.
		 */
		if ((r->newline || i + 1 < list->count) && putc('\n', f) == EOF)
			return -1;
	}
	return 0;
}

/*
 * Write list into fd (the temporary file), sync it and close it, whatever
 * happens; 0, or -1 with errno from the first failure.
 */
static int
write_file(int fd, const struct users_list *list)
{
	FILE *f;
	int saved;

	if ((f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (write_lines(f, list) == -1 || fflush(f) != 0 || fsync(fd) != 0) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* err saying what failed (errno e) and that path is unchanged; tmp removed. */
static int
save_failed(const char *tmp, const char *what, const char *path, int e, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s %s: %s (%s is unchanged)", what, tmp, strerror(e),
	    path);
	unlink(tmp);
	return -1;
}

int
users_save(const char *path, const struct users_list *list, char *err, size_t errlen)
{
	char tmp[4096];
	struct group *gr;
	int fd, saved;

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
	    (gr != NULL && fchown(fd, (uid_t)-1, gr->gr_gid) == -1)) {
		saved = errno;
		close(fd);
		return save_failed(tmp, "cannot set the mode or group of", path, saved,
		    err, errlen);
	}
	if (write_file(fd, list) == -1)
		return save_failed(tmp, "cannot write", path, errno, err, errlen);
	if (rename(tmp, path) == -1)
		return save_failed(tmp, "cannot rename", path, errno, err, errlen);
	return 0;
}

static int
names_line(const struct users_rec *r, const char *name)
{
	return (r->kind == USERS_ENTRY || r->kind == USERS_LOCKED) &&
	    strcasecmp(r->name, name) == 0;
}

struct users_rec *
users_find(struct users_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (names_line(&list->lines[i], name))
			return &list->lines[i];
	return NULL;
}

static void
drop_rec(struct users_rec *r)
{
	explicit_bzero(r->text, r->len);
	free(r->text);
	r->text = NULL;
}

/* Drop the lines of name from index from on; how many there were. */
static size_t
drop_lines(struct users_list *list, const char *name, size_t from)
{
	size_t kept = from, dropped = 0;

	for (size_t i = from; i < list->count; i++) {
		if (names_line(&list->lines[i], name)) {
			drop_rec(&list->lines[i]);
			dropped++;
		} else
			list->lines[kept++] = list->lines[i];
	}
	list->count = kept;
	return dropped;
}

int
users_set(struct users_list *list, const char *name, const char *hash)
{
	struct users_rec *r = users_find(list, name);
	size_t len;
	char *text;

	if (r != NULL)
		name = r->name;		/* keep the case it has */
	len = strlen(name) + 1 + strlen(hash);
	if ((text = malloc(len + 1)) == NULL)
		return -1;
	snprintf(text, len + 1, "%s:%s", name, hash);
	if (r == NULL) {
		if ((r = add_rec(list)) == NULL) {
			free(text);
			return -1;
		}
		strlcpy(r->name, name, sizeof(r->name));
		list->count++;
	} else {
		drop_rec(r);
		drop_lines(list, r->name, (size_t)(r - list->lines) + 1);
	}
	r->kind = USERS_ENTRY;
	r->lineno = 0;
	r->text = text;
	r->len = len;
	r->newline = 1;
	return 0;
}

int
users_remove(struct users_list *list, const char *name)
{
	return drop_lines(list, name, 0) > 0 ? 0 : -1;
}

void
users_free(struct users_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		drop_rec(&list->lines[i]);
	free(list->lines);
	if (list->lock_fd != -1)
		close(list->lock_fd);
	memset(list, 0, sizeof(*list));
	list->lock_fd = -1;
}

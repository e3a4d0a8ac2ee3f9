/*
 * users.c -- parse and look up the users file; check passwords.
 *
 * The one parser of the file (users_next), used by the sessions' lookups
 * and by chatctl's edits (users_edit.c) alike, so both see the same
 * lines: a line ends at '\n' only, whatever its length.  A line naming a
 * valid name whose rest is unusable locks that name (it never becomes a
 * guest name); so does a name on two lines.  Problems are logged with
 * file:line by users_check, which sessions run once per change of the
 * file (users_report) and chatctl at every edit.  Password hashing is
 * libcrypt's: crypt_gensalt_ra picks a yescrypt salt, crypt_r hashes
 * and verifies.
 */
#include <sys/stat.h>

#include <crypt.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "log.h"
#include "text.h"
#include "users.h"

void
users_reader_init(struct users_reader *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf == NULL ? NULL : buf + len;
	r->lineno = 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Printable ASCII other than blank and ':', as crypt(3) writes. */
static int
hash_chars_ok(const char *h, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (h[i] <= ' ' || h[i] > '~' || h[i] == ':')
			return 0;
	return 1;
}

/* What is wrong with the part after a valid name, or NULL if nothing. */
static const char *
hash_problem(const char *h, size_t len)
{
	if (len == 0)
		return "empty password hash";
	if (len >= USERS_HASH_MAX)
		return "password hash longer than 255 bytes";
	if (!hash_chars_ok(h, len))
		return "the password hash has a blank, a control byte, ':' or a "
		    "byte that is not ASCII";
	return NULL;
}

/* l->name from text[b, e), a valid name. */
static void
set_name(struct users_line *l, const char *text, size_t b, size_t e)
{
	memcpy(l->name, text + b, e - b);
	l->name[e - b] = '\0';
	l->kind = USERS_LOCKED;
}

/*
 * The line text[0, len), whose first skip bytes (a BOM) are not part of
 * it.  A valid name before the first ':' (blanks around it allowed) makes
 * an entry or a locked name.  Failing that, so that a damaged separator
 * ("bob $y$...", "dave=$y$...") never frees a registered name for guests,
 * the leading run of name bytes locks the name it spells, if valid.
 */
static void
parse_line(const char *text, size_t len, size_t skip, struct users_line *l)
{
	const char *colon;
	size_t n = len, b = skip, e;

	l->text = text;
	l->len = len;
	l->name[0] = '\0';
	l->hash = NULL;
	l->hashlen = 0;
	l->why = NULL;
	l->bom = skip != 0;
	if (n > b && text[n - 1] == '\r')	/* written on another system */
		n--;
	while (b < n && is_blank(text[b]))
		b++;
	if (b == n || text[b] == '#') {
		l->kind = USERS_BLANK;
		return;
	}
	colon = memchr(text + b, ':', n - b);
	e = colon != NULL ? (size_t)(colon - text) : n;
	while (e > b && is_blank(text[e - 1]))
		e--;
	if (!name_valid(text + b, e - b)) {
		for (e = b; e < n && name_char(text[e]); e++)
			;
		if (!name_valid(text + b, e - b)) {
			l->kind = USERS_BAD;
			l->why = "not a name:hash line (no valid name at its start)";
			return;
		}
		set_name(l, text, b, e);
		l->why = colon == NULL ? "no ':' after the name" :
		    "unexpected bytes after the name";
		return;
	}
	set_name(l, text, b, e);
	if (colon == NULL)
		l->why = "no ':' after the name";
	else if (b != skip || text + e != colon)
		l->why = "blanks around the name";
	else if ((l->why = hash_problem(colon + 1,
	    n - (size_t)(colon + 1 - text))) == NULL) {
		l->kind = USERS_ENTRY;
		l->hash = colon + 1;
		l->hashlen = n - (size_t)(colon + 1 - text);
	}
}

#define BOM	"\xEF\xBB\xBF"	/* UTF-8 byte order mark, as Windows editors write */

int
users_next(struct users_reader *r, struct users_line *l)
{
	const char *nl;
	size_t len, skip = 0;

	if (r->p == NULL || r->p >= r->end)
		return 0;
	if ((nl = memchr(r->p, '\n', (size_t)(r->end - r->p))) == NULL)
		nl = r->end;
	len = (size_t)(nl - r->p);
	if (r->lineno == 0 && len >= 3 && memcmp(r->p, BOM, 3) == 0)
		skip = 3;
	parse_line(r->p, len, skip, l);
	l->lineno = ++r->lineno;
	r->p = nl < r->end ? nl + 1 : r->end;
	return 1;
}

struct name_line {
	char		name[SHM_NAME_MAX + 1];
	unsigned	lineno;
};

static int
name_line_cmp(const void *a, const void *b)
{
	const struct name_line *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	if (c != 0)
		return c;
	return (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

/* Log one more problem (the first USERS_LOG_MAX of them). */
#define PROBLEM(count, ...) do {					\
	if (++(count) <= USERS_LOG_MAX)					\
		log_warnx(__VA_ARGS__);					\
} while (0)

/* Names on two lines or more, told at each line after the first. */
static unsigned
check_twice(const char *path, struct name_line *names, size_t n, unsigned problems)
{
	size_t first = 0;

	if (n < 2)
		return problems;
	qsort(names, n, sizeof(*names), name_line_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcasecmp(names[i].name, names[first].name) != 0) {
			first = i;
			continue;
		}
		PROBLEM(problems, "%s:%u: %s is also on line %u; %s is locked",
		    path, names[i].lineno, names[i].name, names[first].lineno,
		    names[first].name);
	}
	return problems;
}

unsigned
users_check(const char *path, const char *buf, size_t len)
{
	struct users_reader r;
	struct users_line l;
	struct name_line *names = NULL, *p;
	size_t n = 0, size = 0;
	unsigned problems = 0;
	int counted = 1;

	users_reader_init(&r, buf, len);
	while (users_next(&r, &l)) {
		if (l.bom)
			PROBLEM(problems, "%s:1: a UTF-8 byte order mark starts the "
			    "file; skipped", path);
		if (l.kind == USERS_BAD)
			PROBLEM(problems, "%s:%u: %s; ignored", path, l.lineno, l.why);
		else if (l.kind == USERS_LOCKED)
			PROBLEM(problems, "%s:%u: %s; %s is locked", path, l.lineno,
			    l.why, l.name);
		if (l.kind != USERS_ENTRY && l.kind != USERS_LOCKED)
			continue;
		if (n == size && counted) {
			size = size == 0 ? 64 : size * 2;
			if ((p = reallocarray(names, size, sizeof(*p))) == NULL)
				counted = 0;	/* names on two lines go unsaid */
			else
				names = p;
		}
		if (counted) {
			memcpy(names[n].name, l.name, sizeof(l.name));
			names[n++].lineno = l.lineno;
		}
	}
	if (counted)
		problems = check_twice(path, names, n, problems);
	free(names);
	if (problems > USERS_LOG_MAX)
		log_warnx("%s: %u more problems like these", path,
		    problems - USERS_LOG_MAX);
	return problems;
}

/* The file's identity and version: changes whenever it is rewritten. */
static uint32_t
file_stamp(const struct stat *st)
{
	uint64_t v[5] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino,
	    (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
	    (uint64_t)st->st_size };
	uint32_t h = fnv1a(FNV1A_START, v, sizeof(v));

	return h == 0 ? 1 : h;
}

/*
 * Everything from fd into a malloc'd buffer, sized for size bytes and
 * grown if the file grew meanwhile; NULL with errno set.
 */
static char *
read_all(int fd, size_t size, size_t *len)
{
	char *buf = NULL, *p;
	size_t have = 0;
	ssize_t n;
	int saved;

	size++;			/* room to see EOF at once */
	for (;;) {
		if (buf == NULL || have == size) {
			size = buf == NULL ? size : size * 2;
			if ((p = realloc(buf, size)) == NULL)
				break;
			buf = p;
		}
		if ((n = read(fd, buf + have, size - have)) == 0) {
			*len = have;
			return buf;
		}
		if (n > 0)
			have += (size_t)n;
		else if (errno != EINTR)
			break;
	}
	saved = errno;
	users_release(buf, have);
	errno = saved;
	return NULL;
}

/*
 * The file is read into a buffer, not mapped: a file truncated in place
 * while a session reads it cannot kill the session with SIGBUS, and the
 * buffer can be wiped.  O_NONBLOCK: a FIFO put in its place must not
 * block a login in open(2); anything but a regular file is refused.  A
 * missing or empty file reads as (NULL, 0); *stamp is 0 when missing.
 */
int
users_read(const char *path, char **buf, size_t *len, uint32_t *stamp,
    char *err, size_t errlen)
{
	struct stat st;
	int fd;

	*buf = NULL;
	*len = 0;
	*stamp = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*stamp = file_stamp(&st);
	if ((*buf = read_all(fd, (size_t)st.st_size, len)) == NULL)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (*buf == NULL)
		return -1;
	if (*len == 0) {
		users_release(*buf, 0);
		*buf = NULL;
	}
	return 0;
}

void
users_release(char *buf, size_t len)
{
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

/* Every line of name: the first, the first that locks it, how many. */
struct name_lines {
	unsigned	 count, first, second, locked;
	const char	*locked_why;
};

static void
match_result(const struct name_lines *nl, int *found, struct users_match *m)
{
	if (nl->count == 0) {
		*found = USERS_NONE;
	} else if (nl->locked != 0) {
		*found = USERS_IS_LOCKED;
		m->lineno = nl->locked;
		m->why = nl->locked_why;
		m->other = nl->locked == nl->first ? nl->second : nl->first;
	} else if (nl->count > 1) {
		*found = USERS_IS_LOCKED;
		m->lineno = nl->second;
		m->other = nl->first;
		m->why = "the name is on two lines";
	} else {
		*found = USERS_FOUND;
		m->lineno = nl->first;
	}
}

int
users_lookup_match(const char *path, const char *name, struct users_match *m,
    char *err, size_t errlen)
{
	struct users_reader r;
	struct users_line l;
	struct name_lines nl = { 0, 0, 0, 0, NULL };
	char *buf;
	size_t len;
	int found;

	memset(m, 0, sizeof(*m));
	if (users_read(path, &buf, &len, &m->stamp, err, errlen) == -1)
		return -1;
	users_reader_init(&r, buf, len);
	while (users_next(&r, &l)) {
		if ((l.kind != USERS_ENTRY && l.kind != USERS_LOCKED) ||
		    strcasecmp(l.name, name) != 0)
			continue;
		if (nl.count++ == 0)
			nl.first = l.lineno;
		else if (nl.count == 2)
			nl.second = l.lineno;
		if (l.kind == USERS_LOCKED && nl.locked == 0) {
			nl.locked = l.lineno;
			nl.locked_why = l.why;
		}
		if (l.kind == USERS_ENTRY && nl.count == 1) {
			memcpy(m->hash, l.hash, l.hashlen);	/* < USERS_HASH_MAX */
			m->hash[l.hashlen] = '\0';
		}
	}
	users_release(buf, len);
	match_result(&nl, &found, m);
	if (found != USERS_FOUND)
		explicit_bzero(m->hash, sizeof(m->hash));
	return found;
}

int
users_lookup(const char *path, const char *name, char *hash, size_t hashlen,
    char *err, size_t errlen)
{
	struct users_match m;
	int found = users_lookup_match(path, name, &m, err, errlen);

	if (found == USERS_FOUND)
		strlcpy(hash, m.hash, hashlen);
	explicit_bzero(m.hash, sizeof(m.hash));
	return found;
}

void
users_report(const char *path, uint32_t stamp, _Atomic uint32_t *seen)
{
	char err[512];
	char *buf;
	size_t len;

	if (stamp == 0 || seen == NULL || atomic_load(seen) == stamp ||
	    atomic_exchange(seen, stamp) == stamp)
		return;
	if (users_read(path, &buf, &len, &stamp, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return;
	}
	users_check(path, buf, len);
	users_release(buf, len);
}

int
users_verify(const char *hash, const char *password)
{
	struct crypt_data *data;
	const char *out;
	int ok;

	if ((data = calloc(1, sizeof(*data))) == NULL)
		return 0;
	out = crypt_r(password, hash, data);
	ok = out != NULL && out[0] != '*' && strcmp(out, hash) == 0;
	explicit_bzero(data, sizeof(*data));
	free(data);
	return ok;
}

int
users_hash(const char *password, char *out, size_t outlen)
{
	struct crypt_data *data;
	char *salt;
	const char *h;
	int rc = -1;

	if ((salt = crypt_gensalt_ra("$y$", 0, NULL, 0)) == NULL)
		return -1;
	if ((data = calloc(1, sizeof(*data))) != NULL) {
		h = crypt_r(password, salt, data);
		if (h != NULL && h[0] != '*' && strlen(h) < outlen) {
			strlcpy(out, h, outlen);
			rc = 0;
		}
		explicit_bzero(data, sizeof(*data));
		free(data);
	}
	free(salt);
	return rc;
}

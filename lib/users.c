/*
 * users.c -- read, check and rewrite the users file.
 *
 * Password hashing is libcrypt's: crypt_gensalt_ra picks a yescrypt
 * salt, crypt_r hashes and verifies.  Lines that do not parse are
 * skipped when reading and reported by line number.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <crypt.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "text.h"
#include "users.h"

int
users_parse_entry(char *line, struct user_entry *e)
{
	char *colon;
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if ((colon = strchr(line, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (!name_valid(line, strlen(line)) || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof(e->hash))
		return -1;
	strlcpy(e->name, line, sizeof(e->name));
	strlcpy(e->hash, colon + 1, sizeof(e->hash));
	return 0;
}

/*
 * The file is mapped, not read through stdio: a lookup at each login then
 * costs a session no buffer of its own (file pages are shared).
 */
int
users_lookup(const char *path, const char *name, char *hash, size_t hashlen,
    char *err, size_t errlen)
{
	char line[512];
	const char *p, *end, *nl;
	struct user_entry e;
	struct stat st;
	void *map;
	size_t len;
	int fd, found = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
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
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	end = (const char *)map + st.st_size;
	for (p = map; !found && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len == 0 || len >= sizeof(line) || *p == '#')
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		if (users_parse_entry(line, &e) == 0 && strcasecmp(e.name, name) == 0) {
			strlcpy(hash, e.hash, hashlen);
			found = 1;
		}
	}
	munmap(map, (size_t)st.st_size);
	explicit_bzero(line, sizeof(line));
	return found;
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


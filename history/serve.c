/*
 * serve.c -- chat-historyd's socket (serve.h).
 *
 * The questions are short and local (a session waits for its answer
 * with a timeout), so one is answered at a time: the connection is made
 * blocking with ASKSOCK_TIMEOUT_MS on each read and write, and a client
 * that stalls costs the archive at most that.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asksock.h"
#include "log.h"
#include "serve.h"

int
serve_listen(struct server *sv, const struct chat_conf *conf, char *why,
    size_t whylen)
{
	sv->conf = conf;
	sv->size = HIST_WIRE_MAX(conf->max_line);
	if ((sv->buf = malloc(sv->size + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	sv->fd = asksock_listen(conf->runtime_dir, HIST_SOCKET_NAME, sv->path,
	    sizeof(sv->path), why, whylen);
	return sv->fd == -1 ? -1 : 0;
}

void
serve_close(struct server *sv)
{
	if (sv->fd != -1) {
		close(sv->fd);
		unlink(sv->path);
	}
	sv->fd = -1;
	free(sv->buf);
	sv->buf = NULL;
}

/* An answer being written: whole lines into a buffer, flushed when full. */
struct answer {
	int	 fd;
	int	 failed;
	size_t	 len;
	char	 buf[16384];
};

static void
flush(struct answer *a)
{
	ssize_t n;

	for (size_t off = 0; off < a->len && !a->failed; off += (size_t)n)
		if ((n = write(a->fd, a->buf + off, a->len - off)) <= 0)
			a->failed = 1;
	a->len = 0;
}

static void
put(struct answer *a, const char *s, size_t len)
{
	size_t n;

	while (len > 0 && !a->failed) {
		if (a->len == sizeof(a->buf))
			flush(a);
		n = sizeof(a->buf) - a->len < len ? sizeof(a->buf) - a->len : len;
		memcpy(a->buf + a->len, s, n);
		a->len += n;
		s += n;
		len -= n;
	}
}

static void
puts_answer(struct answer *a, const char *s)
{
	put(a, s, strlen(s));
}

/* "line" TAB id TAB time TAB to-kind TAB from TAB to TAB text, LF-free. */
static int
put_line(void *arg, const struct hist_line *l)
{
	struct answer *a = arg;
	char head[128 + 2 * SHM_NAME_MAX];
	const char *lf;
	size_t len = l->len;

	snprintf(head, sizeof(head), "line\t%" PRIu64 "\t%" PRId64 "\t%" PRIu32
	    "\t%s\t%s\t", l->id, l->time_ms, l->to_kind, l->from, l->to);
	puts_answer(a, head);
	if ((lf = memchr(l->text, '\n', len)) != NULL)
		len = (size_t)(lf - l->text);	/* never stored: the log has none */
	put(a, l->text, len);
	put(a, "\n", 1);
	return a->failed ? -1 : 0;
}

static int
put_group(void *arg, const char *group, int member)
{
	struct answer *a = arg;

	puts_answer(a, member ? "member\t" : "invited\t");
	puts_answer(a, group);
	put(a, "\n", 1);
	return a->failed ? -1 : 0;
}

static void
put_result(struct server *sv, struct answer *a, int rc)
{
	if (rc == 0) {
		puts_answer(a, "end\n");
		return;
	}
	log_warnx("archive: a question failed: %s", query_error(sv->query));
	puts_answer(a, "error\tthe archive failed to answer\n");
}

static int
valid_name(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= SHM_NAME_MAX;
}

static int
history(struct server *sv, struct answer *a, char **f, size_t n)
{
	static const char *const scopes[] = { "room", "group", "user" };
	unsigned long long limit, segment, before;
	char *e1, *e2, *e3;
	int scope = -1;

	if (n != 7)
		return -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(f[1], scopes[i]) == 0)
			scope = i;
	limit = strtoull(f[4], &e1, 10);
	segment = strtoull(f[5], &e2, 16);
	before = strtoull(f[6], &e3, 10);
	if (scope == -1 || *e1 != '\0' || *e2 != '\0' || *e3 != '\0' ||
	    limit > HIST_LIMIT_MAX || (scope != HIST_ROOM && !valid_name(f[2])) ||
	    (scope == HIST_USER && !valid_name(f[3])))
		return -1;
	put_result(sv, a, query_history(sv->query, (enum hist_scope)scope, f[2],
	    f[3], (uint32_t)limit, segment, before, put_line, a));
	return 0;
}

static int
offline_store(struct server *sv, struct answer *a, char **f, size_t n)
{
	int rc;

	if (n != 4 || !valid_name(f[1]) || !valid_name(f[2]) ||
	    strlen(f[3]) > sv->conf->max_line)
		return -1;
	if ((rc = query_offline_store(sv->query, f[1], f[2], f[3],
	    sv->conf->offline_max)) == 1)
		puts_answer(a, "full\n");
	else
		put_result(sv, a, rc);
	return 0;
}

static int
offline_done(struct server *sv, struct answer *a, char **f, size_t n)
{
	unsigned long long id;
	char *end;

	if (n != 3 || !valid_name(f[1]))
		return -1;
	id = strtoull(f[2], &end, 10);
	if (*end != '\0')
		return -1;
	put_result(sv, a, query_offline_done(sv->query, f[1], id));
	return 0;
}

/* One request line: answered, or -1 if it is not one. */
static int
answer(struct server *sv, struct answer *a, char *line)
{
	char *f[7];
	size_t n = asksock_split(line, f, 7);

	if (strcmp(f[0], "history") == 0)
		return history(sv, a, f, n);
	if (strcmp(f[0], "offline-store") == 0)
		return offline_store(sv, a, f, n);
	if (strcmp(f[0], "offline-done") == 0)
		return offline_done(sv, a, f, n);
	if (n != 2 || !valid_name(f[1]))
		return -1;
	if (strcmp(f[0], "offline-take") == 0)
		put_result(sv, a, query_offline_take(sv->query, f[1], put_line, a));
	else if (strcmp(f[0], "groups") == 0)
		put_result(sv, a, query_groups(sv->query, f[1], put_group, a));
	else
		return -1;
	return 0;
}

static void
serve_one(struct server *sv, int fd)
{
	struct answer *a;

	if (asksock_request(fd, sv->buf, sv->size) == -1 ||
	    (a = malloc(sizeof(*a))) == NULL)
		return;
	a->fd = fd;
	a->failed = 0;
	a->len = 0;
	if (sv->query == NULL)
		puts_answer(a, "error\tthe archive is unusable\n");
	else {
		sv->catch_up(sv->arg);
		if (answer(sv, a, sv->buf) == -1) {
			log_warnx("history: a malformed request");
			puts_answer(a, "error\tmalformed request\n");
		}
	}
	flush(a);
	free(a);
}

void
serve_accept(struct server *sv)
{
	int fd;

	while ((fd = asksock_accept(sv->fd)) != -1) {
		serve_one(sv, fd);
		close(fd);
	}
}

/*
 * histclient.c -- asking the archive over its socket (histclient.h).
 *
 * One blocking connection per question (lib/asksock.c), with a timeout
 * on every read and write: a session waits at most ASKSOCK_TIMEOUT_MS
 * for an archive that stalls, then answers its user that history is
 * unavailable.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asksock.h"
#include "histclient.h"
#include "log.h"

static int
parse_line(char **f, size_t n, struct hist_line *l)
{
	char *end;

	if (n != 7)
		return -1;
	l->id = strtoull(f[1], &end, 10);
	if (*end != '\0')
		return -1;
	l->time_ms = strtoll(f[2], &end, 10);
	if (*end != '\0')
		return -1;
	l->to_kind = (uint32_t)strtoul(f[3], &end, 10);
	if (*end != '\0' || strlen(f[4]) > SHM_NAME_MAX || strlen(f[5]) > SHM_NAME_MAX)
		return -1;
	memcpy(l->from, f[4], strlen(f[4]) + 1);
	memcpy(l->to, f[5], strlen(f[5]) + 1);
	l->text = f[6];
	l->len = strlen(f[6]);
	return 0;
}

/* What a question's answer handles besides its last line. */
struct answer {
	hist_line_fn	 line;
	hist_group_fn	 group;
	void		*arg;
	uint64_t	 last_id;
};

/* One answer line: 1 go on, 0 it ended (*status set), -1 bad. */
static int
answer_line(struct answer *a, char *text, enum hist_status *status)
{
	struct hist_line l;
	char *f[7];
	size_t n = asksock_split(text, f, 7);

	if (strcmp(f[0], "end") == 0 || strcmp(f[0], "full") == 0) {
		*status = f[0][0] == 'e' ? HIST_OK : HIST_FULL;
		return 0;
	}
	if (strcmp(f[0], "error") == 0) {
		log_warnx("history: the archive answers: %s", n > 1 ? f[1] : "?");
		*status = HIST_UNAVAILABLE;
		return 0;
	}
	if (strcmp(f[0], "line") == 0 && a->line != NULL && parse_line(f, n, &l) == 0) {
		a->last_id = l.id;
		if (a->line(a->arg, &l) == -1) {
			*status = HIST_STOPPED;
			return 0;
		}
		return 1;
	}
	if ((strcmp(f[0], "member") == 0 || strcmp(f[0], "invited") == 0) &&
	    n == 2 && a->group != NULL && strlen(f[1]) <= SHM_NAME_MAX) {
		a->group(a->arg, f[1], f[0][0] == 'm');
		return 1;
	}
	log_warnx("history: a bad answer line from the archive");
	return -1;
}

/* Ask (fields), hand the answer to a: its status. */
static enum hist_status
ask(const char *runtime_dir, uint32_t max_line, const char *const *fields,
    size_t n, struct answer *a)
{
	enum hist_status status = HIST_UNAVAILABLE;
	struct asksock w;
	char *line;

	if (asksock_open(&w, runtime_dir, HIST_SOCKET_NAME,
	    HIST_WIRE_MAX(max_line)) == -1)
		return HIST_UNAVAILABLE;
	if (asksock_send(&w, fields, n) == 0)
		while (asksock_line(&w, &line) == 0 &&
		    answer_line(a, line, &status) == 1)
			;
	asksock_close(&w);
	return status;
}

enum hist_status
hist_history(const struct hist_query *q, hist_line_fn fn, void *arg)
{
	static const char *const scopes[] = { "room", "group", "user" };
	char limit[16], segment[24], before[24];
	const char *f[] = { "history", scopes[q->scope], q->name, q->viewer,
	    limit, segment, before };
	struct answer a = { .line = fn, .arg = arg };

	snprintf(limit, sizeof(limit), "%" PRIu32, q->limit);
	snprintf(segment, sizeof(segment), "%" PRIx64, q->segment_id);
	snprintf(before, sizeof(before), "%" PRIu64, q->before);
	return ask(q->runtime_dir, q->max_line, f, 7, &a);
}

enum hist_status
hist_offline_store(const char *runtime_dir, uint32_t max_line, const char *from,
    const char *to, const char *text, size_t len)
{
	struct answer a = { 0 };
	const char *f[4] = { "offline-store", from, to, NULL };
	enum hist_status st;
	char *copy;

	if ((copy = strndup(text, len)) == NULL)
		return HIST_UNAVAILABLE;
	f[3] = copy;
	st = ask(runtime_dir, max_line, f, 4, &a);
	free(copy);
	return st;
}

enum hist_status
hist_offline_take(const char *runtime_dir, uint32_t max_line, const char *user,
    hist_line_fn fn, void *arg, uint64_t *last_id)
{
	const char *f[] = { "offline-take", user };
	struct answer a = { .line = fn, .arg = arg };
	enum hist_status st;

	st = ask(runtime_dir, max_line, f, 2, &a);
	*last_id = a.last_id;
	return st;
}

enum hist_status
hist_offline_done(const char *runtime_dir, uint32_t max_line, const char *user,
    uint64_t last_id)
{
	char id[24];
	const char *f[] = { "offline-done", user, id };
	struct answer a = { 0 };

	snprintf(id, sizeof(id), "%" PRIu64, last_id);
	return ask(runtime_dir, max_line, f, 3, &a);
}

enum hist_status
hist_groups(const char *runtime_dir, uint32_t max_line, const char *user,
    hist_group_fn fn, void *arg)
{
	const char *f[] = { "groups", user };
	struct answer a = { .group = fn, .arg = arg };

	return ask(runtime_dir, max_line, f, 2, &a);
}

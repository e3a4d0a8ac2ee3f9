/*
 * log.c -- one-line log records on stderr, filtered by level.
 *
 * Owns the process's log name and level; nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static const char *log_name = "chat";
static enum log_level log_current = LOG_LEVEL_INFO;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void
log_init(const char *progname, enum log_level level)
{
	log_name = progname;
	log_current = level;
}

void
log_set_level(enum log_level level)
{
	log_current = level;
}

int
log_level_parse(const char *name, enum log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * One write(2) per record: records from many processes sharing a journal
 * stream never interleave, and no stdio buffer is set up (a session's
 * memory is counted in pages).  A record longer than the buffer is cut
 * and marked with "...".
 */
static void
log_emit(enum log_level level, const char *errstr, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n, room = sizeof(line) - 1;	/* keep one byte for "\n" */
	int len;

	if (level > log_current)
		return;
	len = snprintf(line, room, "%s[%d]: %s: ", log_name, (int)getpid(),
	    level_names[level]);
	n = len < 0 ? 0 : (size_t)len;
	if (n < room) {
		len = vsnprintf(line + n, room - n, fmt, ap);
		n += len < 0 ? 0 : (size_t)len;
	}
	if (errstr != NULL && n < room) {
		len = snprintf(line + n, room - n, ": %s", errstr);
		n += len < 0 ? 0 : (size_t)len;
	}
	if (n >= room) {
		n = room - 1;
		memcpy(line + n - 3, "...", 3);
	}
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) == -1)
		return;	/* nowhere left to report it */
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *errstr = strerror(errno);

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, errstr, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *errstr = strerror(errno);

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, errstr, fmt, ap);
	va_end(ap);
	exit(EXIT_SYSTEM);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_SYSTEM);
}

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

static void
log_emit(enum log_level level, const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024];

	if (level > log_current)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errstr != NULL)
		fprintf(stderr, "%s[%d]: %s: %s: %s\n", log_name, (int)getpid(),
		    level_names[level], msg, errstr);
	else
		fprintf(stderr, "%s[%d]: %s: %s\n", log_name, (int)getpid(),
		    level_names[level], msg);
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

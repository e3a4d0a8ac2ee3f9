/*
 * log.h -- the one way chat's programs log and die.
 *
 * Everything goes to stderr as one line, "prog[pid]: level: message";
 * under systemd journald collects it.  log_warn appends strerror(errno),
 * log_warnx does not; fatal/fatalx log and exit(EXIT_SYSTEM).
 */
#ifndef CHAT_LOG_H
#define CHAT_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Exit codes shared by every program (s6 style). */
#define EXIT_USAGE	100	/* bad command line or configuration */
#define EXIT_SYSTEM	111	/* a system call or resource failed */

void	log_init(const char *progname, enum log_level level);
void	log_set_level(enum log_level level);
int	log_level_parse(const char *name, enum log_level *level);
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif

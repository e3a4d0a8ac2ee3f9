/*
 * tap.c -- the TAP producer behind t/tap.h.
 *
 * Owns the test counter, the plan and the exit status: at exit it says
 * how the run went and, if any test failed or the plan was not met,
 * makes the program exit nonzero.  It knows nothing about what is tested.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static unsigned long	tap_planned;	/* from plan(); 0 before it */
static unsigned long	tap_run;	/* tests reported so far */
static unsigned long	tap_failed;	/* of those, failures */
static pid_t		tap_pid;	/* process that called plan() */
static int		tap_over;	/* skip_all or bail already exited */

static void
tap_finish(void)
{
	int bad = 0;

	if (tap_over || tap_planned == 0 || getpid() != tap_pid)
		return;
	if (tap_run != tap_planned) {
		diag("Looks like you planned %lu tests but ran %lu",
		    tap_planned, tap_run);
		bad = 1;
	}
	if (tap_failed > 0) {
		diag("Looks like you failed %lu of %lu tests", tap_failed,
		    tap_run);
		bad = 1;
	}
	fflush(stdout);
	fflush(stderr);
	/*
	 * exit() may not be called again from an atexit handler; _exit is
	 * the one way to turn a "return 0" from main into a failure.
	 */
	if (bad)
		_exit(1);
}

void
plan(unsigned long count)
{
	if (tap_planned != 0)
		bail("plan() called twice");
	if (count == 0)
		bail("plan() of no tests; use skip_all()");
	tap_planned = count;
	tap_pid = getpid();
	printf("1..%lu\n", count);
	fflush(stdout);
	if (atexit(tap_finish) != 0)
		bail("cannot register the exit handler");
}

static int
report(int cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	fflush(stderr);
	printf("%sok %lu", cond ? "" : "not ", tap_run);
	if (fmt != NULL && *fmt != '\0') {
		printf(" - ");
		vprintf(fmt, ap);
	}
	printf("\n");
	fflush(stdout);
	return cond ? 1 : 0;
}

int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report(cond, fmt, ap);
	va_end(ap);
	return rc;
}

int
is_int(long long want, long long got, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = report(want == got, fmt, ap);
	va_end(ap);
	if (!rc) {
		diag("  wanted: %lld", want);
		diag("    seen: %lld", got);
	}
	return rc;
}

int
is_string(const char *want, const char *got, const char *fmt, ...)
{
	va_list ap;
	int same, rc;

	if (want == NULL || got == NULL)
		same = want == got;
	else
		same = strcmp(want, got) == 0;
	va_start(ap, fmt);
	rc = report(same, fmt, ap);
	va_end(ap);
	if (!rc) {
		diag("  wanted: %s%s%s", want ? "\"" : "",
		    want ? want : "(null)", want ? "\"" : "");
		diag("    seen: %s%s%s", got ? "\"" : "",
		    got ? got : "(null)", got ? "\"" : "");
	}
	return rc;
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void
skip_all(const char *fmt, ...)
{
	va_list ap;

	tap_over = 1;
	fflush(stderr);
	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(0);
}

void
bail(const char *fmt, ...)
{
	va_list ap;

	tap_over = 1;
	fflush(stderr);
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(255);
}

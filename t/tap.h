/*
 * tap.h -- a small TAP producer for chat's unit tests.
 *
 * In the style of c-tap-harness's basic.h: plan the number of tests, then
 * report each with ok(), is_int() or is_string(); failures print their
 * diagnostics, never a hand-written "not ok".  The program exits nonzero
 * if a test failed or the plan was not met.  It does not run tests or
 * count them across programs: Automake's tap-driver.sh does that.
 */
#ifndef CHAT_TAP_H
#define CHAT_TAP_H

#define TAP_PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* Print the plan, "1..count"; call once, before any test. */
void	plan(unsigned long count);
/* Report one test; returns cond (as 0 or 1) so callers may chain. */
int	ok(int cond, const char *fmt, ...) TAP_PRINTF(2, 3);
/* Pass if want == got; on failure show both. */
int	is_int(long long want, long long got, const char *fmt, ...)
	    TAP_PRINTF(3, 4);
/* Pass if both are NULL or equal strings; on failure show both. */
int	is_string(const char *want, const char *got, const char *fmt, ...)
	    TAP_PRINTF(3, 4);
/* A diagnostic line, "# ...", shown in the test log. */
void	diag(const char *fmt, ...) TAP_PRINTF(1, 2);
/* Skip the whole program ("1..0 # SKIP reason") and exit 0. */
void	skip_all(const char *fmt, ...) TAP_PRINTF(1, 2)
	    __attribute__((noreturn));
/* Abort the run ("Bail out! reason") and exit 255. */
void	bail(const char *fmt, ...) TAP_PRINTF(1, 2)
	    __attribute__((noreturn));

#endif

/*
 * fault.h -- fault-injection points for the crash and recovery tests.
 *
 * Compiled in only with ./configure --enable-fault-injection.  A process
 * reaching fault_point("NAME") while $CHAT_FAULT_DIR/fault-NAME exists
 * removes that file (so exactly one process fires), writes its pid to
 * $CHAT_FAULT_DIR/stopped-NAME and stops itself with SIGSTOP, inside the
 * critical section, for the test to kill it there.  fault_fail("NAME")
 * answers 1 once while $CHAT_FAULT_DIR/fail-NAME exists (removing it):
 * the caller then fails as if its system call had, for a test of what
 * it does after.
 */
#ifndef CHAT_FAULT_H
#define CHAT_FAULT_H

#include "config.h"

#ifdef FAULT_INJECTION
void	fault_point(const char *name);
int	fault_fail(const char *name);
#else
static inline void
fault_point(const char *name)
{
	(void)name;
}

static inline int
fault_fail(const char *name)
{
	(void)name;
	return 0;
}
#endif

#endif

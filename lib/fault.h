/*
 * fault.h -- fault-injection points for the crash tests.
 *
 * Compiled in only with ./configure --enable-fault-injection.  A process
 * reaching fault_point("NAME") while $CHAT_FAULT_DIR/fault-NAME exists
 * removes that file (so exactly one process fires), writes its pid to
 * $CHAT_FAULT_DIR/stopped-NAME and stops itself with SIGSTOP, inside the
 * critical section, for the test to kill it there.
 */
#ifndef CHAT_FAULT_H
#define CHAT_FAULT_H

#include "config.h"

#ifdef FAULT_INJECTION
void	fault_point(const char *name);
#else
static inline void
fault_point(const char *name)
{
	(void)name;
}
#endif

#endif

/*
 * proc.h -- facts about other processes, read from /proc.
 */
#ifndef CHAT_PROC_H
#define CHAT_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Start time of pid in clock ticks since boot; 0 if it does not exist. */
uint64_t proc_start_time(pid_t pid);
/* The hub's command name, as /proc shows it. */
#define HUB_COMM	"chat-hubd"

/*
 * 1 if pid is alive and its command name is comm, else 0.  A zombie
 * (killed or exited, not yet reaped by its parent) is not alive: it keeps
 * its name and pid but holds no file, lock or mapping any more.
 */
int	proc_is(pid_t pid, const char *comm);

#endif

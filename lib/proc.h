/*
 * proc.h -- facts about other processes, read from /proc.
 */
#ifndef CHAT_PROC_H
#define CHAT_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Start time of pid in clock ticks since boot; 0 if it does not exist. */
uint64_t proc_start_time(pid_t pid);
/* 1 if pid is alive and its command name is comm, else 0. */
int	proc_is(pid_t pid, const char *comm);

#endif

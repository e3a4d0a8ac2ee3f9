/*
 * testseg.h -- a private shared-memory segment for a unit test.
 *
 * Named "/chat-unit-WHAT-<pid>", made fresh with the hub's own
 * shm_open_or_create, and removed at exit whatever happened.
 */
#ifndef CHAT_TESTSEG_H
#define CHAT_TESTSEG_H

#include "shm.h"

/* Those capacities, and chat.conf's defaults for the others, in g. */
void	testseg_geometry(struct shm_geometry *g, unsigned sessions,
	    unsigned line, unsigned records);
/*
 * Create the segment with these capacities (the other keys keep their
 * defaults) and attach seg to it; *created as shm_open_or_create sets
 * it.  Skips the whole test when shared memory cannot be made.  Returns
 * the name; a test that removes the segment itself sets its first byte
 * to '\0' so that exit does not remove it again.
 */
char	*testseg_create(struct shm *seg, const char *what, unsigned sessions,
	    unsigned line, unsigned records, int *created);
/* The same with every capacity from geo (testseg_geometry, then changed). */
char	*testseg_create_geometry(struct shm *seg, const char *what,
	    const struct shm_geometry *geo, int *created);

#endif

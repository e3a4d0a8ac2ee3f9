/*
 * testseg.c -- a private shared-memory segment for a unit test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"
#include "testseg.h"

static char name[64];	/* "" once removed */

static void
remove_at_exit(void)
{
	if (name[0] != '\0')
		shm_remove(name);
	name[0] = '\0';
}

void
testseg_geometry(struct shm_geometry *g, unsigned sessions, unsigned line,
    unsigned records)
{
	struct chat_conf conf;

	conf_defaults(&conf);
	conf.max_sessions = sessions;
	conf.max_line = line;
	conf.log_records = records;
	conf_geometry(&conf, g);
}

char *
testseg_create_geometry(struct shm *seg, const char *what,
    const struct shm_geometry *geo, int *created)
{
	char err[512] = "";

	snprintf(name, sizeof(name), "/chat-unit-%s-%ld", what, (long)getpid());
	shm_remove(name);		/* a leftover of a killed run */
	if (shm_open_or_create(seg, name, geo, created, err, sizeof(err)) == -1)
		skip_all("cannot create shared memory: %s", err);
	if (atexit(remove_at_exit) != 0) {
		remove_at_exit();
		bail("atexit failed");
	}
	return name;
}

char *
testseg_create(struct shm *seg, const char *what, unsigned sessions,
    unsigned line, unsigned records, int *created)
{
	struct shm_geometry geo;

	testseg_geometry(&geo, sessions, line, records);
	return testseg_create_geometry(seg, what, &geo, created);
}

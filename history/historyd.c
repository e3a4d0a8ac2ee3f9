/*
 * chat-historyd -- archive every record of chat's log in SQLite.
 *
 * A log follower (lib/follower.c): woken like a session, nudged when it
 * lags, reading every record with a cursor of its own, and storing each
 * in the archive (history/store.c) in batched transactions whose last
 * write is the cursor itself.  At start it goes on from the cursor
 * stored for the segment's run (its segment_id), or, for a run it has
 * not seen, from the oldest record the ring still holds.  Records the
 * ring overwrote before they were read are stored as a gap row and
 * logged and counted (st_archive_gaps): never a silent hole.  On a run
 * it has not seen (the hub made its segment again) it restores the kept
 * groups (history/kept.c).  The front doors' questions come on its
 * socket (history/serve.c) and are answered between drains.
 *
 *	chat-historyd [-c FILE]
 *
 * SIGINT or SIGTERM: commit what was read, free the slot, exit 0.  Exit
 * 100 on bad usage or configuration, 111 when the archive or the
 * segment cannot be used.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "clock.h"
#include "conf.h"
#include "follower.h"
#include "kept.h"
#include "lag.h"
#include "log.h"
#include "retention.h"
#include "serve.h"
#include "store.h"

struct archiver {
	struct follower	 f;
	struct store	*store;
	struct server	 server;
	uint64_t	 segment_id;
	uint64_t	 next;		/* the cursor: the next record to read */
	size_t		 batch;		/* records in the open transaction */
	int		 restore;	/* a new run: restore the kept groups */
	struct lag	 lag;		/* append-to-commit times (lag.c) */
};

static void
die_store(struct archiver *a)
{
	log_warnx("archive: %s", store_error(a->store));
	exit(EXIT_SYSTEM);
}

static void
commit(struct archiver *a)
{
	if (store_commit(a->store, a->segment_id, a->next) == -1)
		die_store(a);
	lag_commit(&a->lag, clock_unix_ms());
	a->batch = 0;
}

/* Store everything there is to read, a transaction per STORE_BATCH. */
static void
drain(struct archiver *a)
{
	struct msglog_entry e;
	struct follower_gap gap;

	if (store_begin(a->store) == -1)
		die_store(a);
	for (;;) {
		switch (follower_next(&a->f, &e, &gap)) {
		case FOLLOW_NONE:
			commit(a);
			return;
		case FOLLOW_GAP:
			log_warnx("gap: records %llu to %llu were overwritten before "
			    "they were archived", (unsigned long long)gap.from,
			    (unsigned long long)gap.to - 1);
			if (store_gap(a->store, a->segment_id, gap.from,
			    gap.to - 1) == -1)
				die_store(a);
			atomic_fetch_add(&a->f.shm.hdr->st_archive_gaps, 1);
			atomic_fetch_add(&a->f.shm.hdr->st_archive_lost,
			    gap.to - gap.from);
			lag_gap(&a->lag);
			a->next = gap.to;
			break;
		case FOLLOW_RECORD:
			if (store_record(a->store, a->segment_id, &e) == -1)
				die_store(a);
			lag_note(&a->lag, &e);
			a->next = e.next;
			break;
		}
		if (++a->batch >= STORE_BATCH) {
			commit(a);
			if (store_begin(a->store) == -1)
				die_store(a);
		}
	}
}

static void
start(struct archiver *a, const struct chat_conf *conf)
{
	char why[512];
	uint64_t next;
	int stored;

	if ((a->store = store_open(conf->history_db, why, sizeof(why))) == NULL)
		fatalx("archive: %s", why);
	if (follower_open(&a->f, conf, "follower:chat-historyd", FOLLOW_OLDEST,
	    why, sizeof(why)) == -1)
		fatalx("%s", why);
	a->segment_id = a->f.shm.hdr->segment_id;
	if ((stored = store_cursor(a->store, a->segment_id, &next)) == -1)
		die_store(a);
	if (stored) {
		follower_seek(&a->f, next);
		log_info("archiving segment %016llx from record %llu",
		    (unsigned long long)a->segment_id, (unsigned long long)next);
	} else
		log_info("archiving segment %016llx from its oldest record",
		    (unsigned long long)a->segment_id);
	a->next = a->f.reader.cursor;
	a->restore = !stored;
}

/* The front doors' questions: drain first, so the answer is whole. */
static void
catch_up(void *arg)
{
	drain(arg);
}

static void
on_socket(void *arg, int fd, uint32_t events)
{
	struct archiver *a = arg;

	(void)fd;
	(void)events;
	serve_accept(&a->server);
}

static void
listen_socket(struct archiver *a, const struct chat_conf *conf)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char why[512];

	if (serve_listen(&a->server, conf, why, sizeof(why)) == -1)
		fatalx("%s", why);
	if ((a->server.query = query_open(store_db(a->store))) == NULL)
		fatalx("archive: %s", sqlite3_errmsg(store_db(a->store)));
	a->server.catch_up = catch_up;
	a->server.arg = a;
	ev.data.fd = a->server.fd;
	if (epoll_ctl(a->f.epfd, EPOLL_CTL_ADD, a->server.fd, &ev) == -1)
		fatal("epoll_ctl");
	a->f.on_event = on_socket;
	a->f.on_event_arg = a;
}

/* A run not seen before: the kept groups are made again in it. */
static void
restore_groups(struct archiver *a)
{
	int made;

	if (!a->restore)
		return;
	if ((made = kept_restore(store_db(a->store), &a->f.shm)) == -1)
		die_store(a);
	if (made > 0)
		log_info("restored %d kept group%s", made, made == 1 ? "" : "s");
	a->restore = 0;
}

int
main(int argc, char *argv[])
{
	const char *conf_path = NULL;
	struct chat_conf conf;
	struct archiver a;
	struct retention *ret;
	char why[512];
	int ch;

	log_init("chat-historyd", LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c') {
			fprintf(stderr, "usage: chat-historyd [-c file]\n");
			return EXIT_USAGE;
		}
		conf_path = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: chat-historyd [-c file]\n");
		return EXIT_USAGE;
	}
	if (conf_load(&conf, conf_path, why, sizeof(why)) == -1) {
		log_warnx("%s", why);
		return EXIT_USAGE;
	}
	log_set_level(conf.log_level);
	if (!conf.history) {
		log_info("history = no in %s: nothing to archive", conf.source);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.server.fd = -1;
	follower_on_signals();
	start(&a, &conf);
	drain(&a);
	restore_groups(&a);
	listen_socket(&a, &conf);
	if ((ret = retention_open(store_db(a.store), &conf, why, sizeof(why))) == NULL)
		fatalx("%s", why);
	printf("ready %llu\n", (unsigned long long)a.next);
	fflush(stdout);
	while (!follower_stopping()) {
		retention_step(ret);
		switch (follower_wait(&a.f, retention_wait_ms(ret), why, sizeof(why))) {
		case -1:
			log_warnx("%s", why);
			serve_close(&a.server);
			retention_close(ret);
			follower_close(&a.f);
			store_close(a.store);
			return EXIT_SYSTEM;
		case 1:
			drain(&a);
			break;
		}
	}
	drain(&a);
	serve_close(&a.server);
	query_close(a.server.query);
	retention_close(ret);
	lag_report(&a.lag);
	follower_close(&a.f);
	store_close(a.store);
	return 0;
}

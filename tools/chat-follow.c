/*
 * chat-follow -- follow chat's message log and print every record.
 *
 * A log follower (lib/follower.c) with nothing else to do: the example
 * for the archiver and the bridge, and the tests' window on the log.
 * Not installed.
 *
 *	chat-follow [-c FILE] [--count] [--oldest]
 *
 * Prints "ready SEQ" once registered with the hub, then one line per
 * record, "SEQ NEXT KIND FROM TO TEXT" (KIND chat, join, leave,
 * group-EVENT, whose TEXT starts with the group and the target, or
 * kind-N; TO all, user:SLOT or group:NAME), or with --count, after
 * each drain that read anything, "count RECORDS GAPS LOST-CELLS".  An
 * overrun prints "gap FROM TO" (the cells lost) and a warning on stderr,
 * and reading goes on.  --oldest starts from the oldest record the ring
 * still holds instead of the next one.  SIGINT or SIGTERM: free the slot
 * and exit 0.  Exit 100 on bad usage, 111 on a system failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "follower.h"
#include "log.h"

static void
usage(void)
{
	fprintf(stderr, "usage: chat-follow [-c file] [--count] [--oldest]\n");
	exit(EXIT_USAGE);
}

static const char *
kind_name(const struct msglog_entry *e, char *buf, size_t len)
{
	static const char *names[] = { "?", "chat", "join", "leave" };

	if (e->kind >= REC_CHAT && e->kind <= REC_LEAVE)
		return names[e->kind];
	if (e->kind == REC_GROUP)
		snprintf(buf, len, "group-%u", e->event);
	else
		snprintf(buf, len, "kind-%u", e->kind);
	return buf;
}

static void
print_record(const struct msglog_entry *e)
{
	char kind[32], to[64];

	switch (e->to.kind) {
	case TO_USER:
		snprintf(to, sizeof(to), "user:%u", e->to.index);
		break;
	case TO_GROUP:
		snprintf(to, sizeof(to), "group:%s", e->to_name);
		break;
	default:
		strlcpy(to, "all", sizeof(to));
		break;
	}
	printf("%llu %llu %s %s %s ", (unsigned long long)e->seq,
	    (unsigned long long)e->next, kind_name(e, kind, sizeof(kind)),
	    e->from_name[0] != '\0' ? e->from_name : "-", to);
	if (e->kind == REC_GROUP)
		printf("%s %s ", e->group_name, e->target_name[0] != '\0' ?
		    e->target_name : "-");
	printf("%.*s\n", (int)e->len, e->text);
}

/* Read everything there is; 1 if anything was read. */
static int
drain(struct follower *f, int count_only)
{
	struct msglog_entry e;
	struct follower_gap gap;
	int any = 0;

	for (;;) {
		switch (follower_next(f, &e, &gap)) {
		case FOLLOW_NONE:
			return any;
		case FOLLOW_GAP:
			log_warnx("gap: cells %llu to %llu were overwritten before "
			    "they were read (%llu cells lost)",
			    (unsigned long long)gap.from, (unsigned long long)gap.to,
			    (unsigned long long)(gap.to - gap.from));
			printf("gap %llu %llu\n", (unsigned long long)gap.from,
			    (unsigned long long)gap.to);
			break;
		case FOLLOW_RECORD:
			if (!count_only)
				print_record(&e);
			break;
		}
		any = 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", no_argument, NULL, 'n' },
		{ "oldest", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	enum follower_start start = FOLLOW_NEW;
	const char *conf_path = NULL;
	struct chat_conf conf;
	struct follower f;
	char why[512];
	int ch, count_only = 0;

	log_init("chat-follow", LOG_LEVEL_INFO);
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'n':
			count_only = 1;
			break;
		case 'o':
			start = FOLLOW_OLDEST;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_load(&conf, conf_path, why, sizeof(why)) == -1)
		fatalx("%s", why);
	log_set_level(conf.log_level);
	follower_on_signals();
	if (follower_open(&f, &conf, "follower:chat-follow", start, why,
	    sizeof(why)) == -1)
		fatalx("%s", why);
	printf("ready %llu\n", (unsigned long long)f.reader.cursor);
	fflush(stdout);
	while (!follower_stopping()) {
		if (drain(&f, count_only) && count_only)
			printf("count %llu %llu %llu\n", (unsigned long long)f.records,
			    (unsigned long long)f.gaps, (unsigned long long)f.lost);
		fflush(stdout);
		/* A second at most: a signal just before the wait is seen. */
		if (follower_wait(&f, 1000, why, sizeof(why)) == -1) {
			follower_close(&f);
			fatalx("%s", why);
		}
	}
	follower_close(&f);
	return 0;
}

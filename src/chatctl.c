/*
 * chatctl.c -- inspect a running chat service.
 *
 * Reads the shared-memory segment through a read-only mapping (it takes
 * no locks and can disturb nobody).  Each verb is one function in the
 * verbs[] table.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "shm.h"

struct verb {
	const char	*name;
	int		(*run)(const struct shm *shm, int argc, char **argv);
	const char	*usage;
	const char	*help;
};

static void
format_duration(char *buf, size_t len, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)secs / 60,
		    (long long)secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)secs / 3600,
		    (long long)secs % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)secs / 86400,
		    (long long)secs % 86400 / 3600);
}

static int
verb_users(const struct shm *shm, int argc, char **argv)
{
	const struct shm_slot *s;
	char since[32], idle[32], name[SHM_NAME_MAX + 1], peer[SHM_PEER_MAX];
	time_t now = time(NULL), connected;
	struct tm tm;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: chatctl users\n");
		return EXIT_USAGE;
	}
	printf("%-32s %-24s %8s %-19s %s\n", "NAME", "PEER", "PID", "CONNECTED", "IDLE");
	for (uint32_t i = 0; i < shm->hdr->max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE)
			continue;
		/* Copy and NUL-end: the segment is untrusted bytes. */
		memcpy(name, s->s_name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		memcpy(peer, s->s_peer, sizeof(peer));
		peer[sizeof(peer) - 1] = '\0';
		connected = (time_t)s->s_connected;
		localtime_r(&connected, &tm);
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
		format_duration(idle, sizeof(idle), now - atomic_load(&s->s_last_active));
		printf("%-32s %-24s %8d %-19s %s\n", name, peer, (int)s->s_pid, since, idle);
	}
	return 0;
}

static const char *const disconnect_names[DISC_REASONS] = {
	[DISC_QUIT] = "quit",
	[DISC_EOF] = "closed during login",
	[DISC_ERROR] = "socket error",
	[DISC_SENDQ] = "sendq exceeded",
	[DISC_LOST] = "session died",
	[DISC_LAGGED] = "fell behind the log",
};

static int
verb_stats(const struct shm *shm, int argc, char **argv)
{
	const struct shm_header *h = shm->hdr;
	uint32_t active = 0, login = 0, state;

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: chatctl stats\n");
		return EXIT_USAGE;
	}
	for (uint32_t i = 0; i < h->max_sessions; i++) {
		state = atomic_load(&shm_slot(shm, i)->s_state);
		active += state == SLOT_ACTIVE;
		login += state == SLOT_LOGIN;
	}
	printf("hub pid:            %d\n", (int)atomic_load(&h->hub_pid));
	printf("hub starts:         %u\n", atomic_load(&h->hub_starts));
	printf("sessions:           %u chatting, %u logging in, %u max\n",
	    active, login, h->max_sessions);
	printf("sessions ever:      %llu\n",
	    (unsigned long long)atomic_load(&h->st_sessions_total));
	printf("logins:             %llu\n", (unsigned long long)atomic_load(&h->st_logins));
	printf("refused (full):     %llu\n",
	    (unsigned long long)atomic_load(&h->st_refused_full));
	printf("messages routed:    %llu\n",
	    (unsigned long long)atomic_load(&h->st_messages));
	printf("lines delivered:    %llu\n",
	    (unsigned long long)atomic_load(&h->st_deliveries));
	printf("wake-ups sent:      %llu\n",
	    (unsigned long long)atomic_load(&h->st_wakeups_sent));
	printf("wake-ups coalesced: %llu\n",
	    (unsigned long long)atomic_load(&h->st_wakeups_coalesced));
	printf("log records:        %llu written, ring of %u\n",
	    (unsigned long long)(atomic_load(&h->log_next) - 1), h->log_records);
	for (int r = 0; r < DISC_REASONS; r++)
		printf("disconnects:        %llu %s\n",
		    (unsigned long long)atomic_load(&h->st_disconnects[r]),
		    disconnect_names[r]);
	return 0;
}

static const struct verb verbs[] = {
	{ "users", verb_users, "users", "list connected users" },
	{ "stats", verb_stats, "stats", "show counters of the running service" },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: chatctl [-c file] verb [args]\nverbs:\n");
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(stderr, "  %-16s %s\n", verbs[i].usage, verbs[i].help);
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct chat_conf conf;
	const char *conf_path = NULL;
	char err[512];
	struct shm shm;
	int ch;

	log_init("chatctl", LOG_LEVEL_WARN);
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(argv[0], verbs[i].name) != 0)
			continue;
		if (conf_load(&conf, conf_path, err, sizeof(err)) == -1) {
			fprintf(stderr, "chatctl: %s\n", err);
			return EXIT_USAGE;
		}
		if (shm_attach(&shm, conf.shm_name, 0, err, sizeof(err)) == -1) {
			fprintf(stderr, "chatctl: %s (is chat-hubd running?)\n", err);
			return EXIT_SYSTEM;
		}
		return verbs[i].run(&shm, argc - 1, argv + 1);
	}
	fprintf(stderr, "chatctl: unknown verb '%s'\n", argv[0]);
	usage();
}

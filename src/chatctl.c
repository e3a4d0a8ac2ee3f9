/*
 * chatctl.c -- inspect and manage a running chat service.
 *
 * Each verb is one function in verbs[].  Verbs that show state read the
 * segment through a read-only mapping (no locks: chatctl can disturb
 * nobody); kick asks the hub over its control socket; the account verbs
 * rewrite the users file, the token verbs the tokens file; history and
 * export read chat-historyd's archive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chatctl.h"
#include "ctl.h"
#include "log.h"

static int verb_kick(struct chatctl *, int, char **);

struct verb {
	const char	*name;
	int		(*run)(struct chatctl *ctl, int argc, char **argv);
	const char	*usage;
	const char	*help;
};

static const struct verb verbs[] = {
	{ "users", verb_users, "users [--json]", "list connected users" },
	{ "groups", verb_groups, "groups [--json]", "list groups with owner and members" },
	{ "stats", verb_stats, "stats [--json]", "show the service's counters" },
	{ "nodes", verb_nodes, "nodes [--json]",
	    "list the other nodes of a cluster, their state and users" },
	{ "kick", verb_kick, "kick USER [REASON]", "close a user's connection" },
	{ "useradd", verb_useradd, "useradd [--stdin] NAME", "register a user" },
	{ "passwd", verb_passwd, "passwd [--stdin] NAME", "change a user's password" },
	{ "userdel", verb_userdel, "userdel NAME", "remove a registered user" },
	{ "import", verb_import, "import FILE",
	    "register users from a plain name:password file" },
	{ "token", verb_token, "token add|list|revoke",
	    "bearer tokens for bots: add NAME, list [--json], revoke NAME" },
	{ "history", verb_history,
	    "history [--group G] [--user U] [--since TIME] [--limit N] [--json]",
	    "show the archive's newest records (100), oldest first" },
	{ "export", verb_export, "export --format jsonl",
	    "every archived record and gap row as JSON lines" },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static int
verb_kick(struct chatctl *ctl, int argc, char **argv)
{
	char buf[CTL_MSG_MAX], err[256];
	struct ctl_kick kick;
	struct ctl_msg msg;
	size_t len;
	ssize_t n;
	int sock, fd;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: chatctl kick USER [REASON]\n");
		return EXIT_USAGE;
	}
	memset(&kick, 0, sizeof(kick));
	strlcpy(kick.name, argv[0], sizeof(kick.name));
	if (argc == 2)
		strlcpy(kick.reason, argv[1], sizeof(kick.reason));
	if ((sock = ctl_connect(ctl->conf.runtime_dir, 0)) == -1) {
		fprintf(stderr, "chatctl: cannot reach the hub in %s: %s\n",
		    ctl->conf.runtime_dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	len = ctl_encode(buf, CTL_KICK, &kick, sizeof(kick));
	if (ctl_send(sock, buf, len, -1) == -1 || (n = ctl_recv(sock, buf, &fd)) <= 0) {
		fprintf(stderr, "chatctl: the hub did not answer\n");
		return EXIT_SYSTEM;
	}
	close(sock);
	if (ctl_decode(buf, (size_t)n, &msg, err, sizeof(err)) == -1) {
		fprintf(stderr, "chatctl: bad answer from the hub: %s\n", err);
		return EXIT_SYSTEM;
	}
	if (msg.type == CTL_REFUSE) {
		fprintf(stderr, "chatctl: %s\n", msg.u.text.text);
		return 1;
	}
	printf("kicked %s\n", kick.name);
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: chatctl [-c file] verb [args]\nverbs:\n");
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(stderr, "  %-24s %s\n", verbs[i].usage, verbs[i].help);
	exit(EXIT_USAGE);
}

/* Take --json and --stdin out of argv wherever they are. */
static int
take_flags(struct chatctl *ctl, int argc, char **argv)
{
	int kept = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			ctl->json = 1;
		else if (strcmp(argv[i], "--stdin") == 0)
			ctl->from_stdin = 1;
		else
			argv[kept++] = argv[i];
	}
	return kept;
}

int
main(int argc, char *argv[])
{
	struct chatctl ctl;
	const char *conf_path = NULL;
	char err[512];
	int ch;

	memset(&ctl, 0, sizeof(ctl));
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
		if (conf_load(&ctl.conf, conf_path, err, sizeof(err)) == -1) {
			fprintf(stderr, "chatctl: %s\n", err);
			return EXIT_USAGE;
		}
		argc = take_flags(&ctl, argc - 1, argv + 1);
		return verbs[i].run(&ctl, argc, argv + 1);
	}
	fprintf(stderr, "chatctl: unknown verb '%s'\n", argv[0]);
	usage();
}

/*
 * main.c -- chat-client's command line: options, environment, and which
 * mode to run.
 *
 * Owns parsing the options and $CHAT_HOST, $CHAT_PORT, $CHAT_PASSWORD,
 * reading --password-file, and choosing the full-screen mode (standard
 * input and output are terminals) or the plain line mode (otherwise, or
 * with --send or --line), and the signals both modes react to.  The
 * exit statuses are listed in client.h and chat-client(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "client.h"

#define DEFAULT_HOST	"127.0.0.1"
#define DEFAULT_PORT	"9999"
#define SEND_MAX	64

static char password[CLIENT_PASSWORD_MAX + 1];

volatile sig_atomic_t client_signal;

static void
on_signal(int sig)
{
	client_signal = sig;
}

void
client_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: chat-client [-h host] [-p port] [--line] [--password-file file]\n"
	    "                   [--send text ...] [name]\n");
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn))
help(void)
{
	printf("usage: chat-client [-h host] [-p port] [--line] "
	    "[--password-file file]\n"
	    "                   [--send text ...] [name]\n"
	    "\n"
	    "  -h, --host HOST         server (default $CHAT_HOST or %s)\n"
	    "  -p, --port PORT         port (default $CHAT_PORT or %s)\n"
	    "  -l, --line              plain line mode even on a terminal\n"
	    "  -P, --password-file F   read the password from the first line of F\n"
	    "                          (else $CHAT_PASSWORD, else ask)\n"
	    "  -s, --send TEXT         send TEXT after login, then quit (repeatable)\n"
	    "      --help              this help\n"
	    "\n"
	    "Exit status: 0 ok, 1 login or --send line refused, 100 usage,\n"
	    "111 connection or system failure.  See chat-client(1).\n",
	    DEFAULT_HOST, DEFAULT_PORT);
	exit(0);
}

static const char *
env(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

static void
read_password_file(const char *path)
{
	FILE *f;
	size_t len;

	if ((f = fopen(path, "r")) == NULL)
		err(EXIT_SYSTEM, "%s", path);
	if (fgets(password, sizeof(password), f) == NULL) {
		if (ferror(f))
			err(EXIT_SYSTEM, "%s", path);
		password[0] = '\0';
	}
	fclose(f);
	len = strcspn(password, "\r\n");
	password[len] = '\0';
	if (len == 0)
		errx(EXIT_USAGE, "%s: no password on its first line", path);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "line", no_argument, NULL, 'l' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "send", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct session_options opt;
	char *send[SEND_MAX], *end;
	const char *pwfile = NULL, *envpw;
	size_t nsend = 0;
	int c, line = 0, code;
	long port;

	memset(&opt, 0, sizeof(opt));
	opt.host = env("CHAT_HOST", DEFAULT_HOST);
	opt.port = env("CHAT_PORT", DEFAULT_PORT);
	while ((c = getopt_long(argc, argv, "h:p:lP:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			opt.host = optarg;
			break;
		case 'p':
			opt.port = optarg;
			break;
		case 'l':
			line = 1;
			break;
		case 'P':
			pwfile = optarg;
			break;
		case 's':
			if (nsend == SEND_MAX)
				errx(EXIT_USAGE, "at most %d --send lines", SEND_MAX);
			send[nsend++] = optarg;
			break;
		case 'H':
			help();
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1) {
		if (argv[0][0] == '\0' || strlen(argv[0]) > CLIENT_NAME_MAX)
			errx(EXIT_USAGE, "a name is 1-%d characters", CLIENT_NAME_MAX);
		opt.name = argv[0];
	}
	errno = 0;
	port = strtol(opt.port, &end, 10);
	if (*opt.port == '\0' || *end != '\0' || port < 1 || port > 65535)
		errx(EXIT_USAGE, "bad port: %s", opt.port);
	if (*opt.host == '\0')
		errx(EXIT_USAGE, "empty host name");
	if (nsend > 0 && opt.name == NULL)
		errx(EXIT_USAGE, "--send needs a name to log in with");
	for (size_t i = 0; i < nsend; i++)
		if (strchr(send[i], '\n') != NULL || send[i][0] == '\0')
			errx(EXIT_USAGE, "a --send line must be one non-empty line");

	if (pwfile != NULL)
		read_password_file(pwfile);
	else if ((envpw = env("CHAT_PASSWORD", NULL)) != NULL)
		strlcpy(password, envpw, sizeof(password));
	if (password[0] != '\0')
		opt.password = password;
	unsetenv("CHAT_PASSWORD");	/* not for anything the client runs */

	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (!line && nsend == 0 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		opt.interactive = 1;
		opt.reconnect = 1;
		opt.learn_names = 1;
		code = tui_run(&opt);
	} else
		code = linemode_run(&opt, send, nsend);
	explicit_bzero(password, sizeof(password));
	return code;
}

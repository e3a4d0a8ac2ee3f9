/*
 * linemode.c -- the plain mode, for pipes and scripts, and --send.
 *
 * Owns the loop of the mode used when standard input or output is not a
 * terminal: every line the server sends is printed on standard output as
 * it came; each line of standard input is sent (through the same client
 * commands as the full-screen mode) once logged in, and the end of input
 * sends /quit.  With --send, the given lines are sent after the login,
 * then /quit; only what the server answers after the login is printed.
 * The client's own remarks go to standard error.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "linebuf.h"
#include "log.h"
#include "client.h"

struct linemode {
	struct session	*s;
	char		**send;		/* --send lines */
	size_t		 nsend;
	int		 sent;		/* they went out */
	int		 refused_line;	/* --send: the server answered "! " */
	struct linebuf	 in;		/* standard input */
	int		 in_eof;
	int		 in_tty;
	int		 exit_code;	/* -1: the session's */
};

static void
line_show(void *ctx, enum show_kind kind, const char *text, const struct line *l)
{
	struct linemode *m = ctx;
	struct notice n;

	if (l == NULL) {
		if (kind != SHOW_OWN)
			fprintf(stderr, "chat-client: %s\n", text);
		return;
	}
	if (m->nsend == 0) {
		printf("%s\n", text);
		return;
	}
	/* --send: the login dialogue is not printed, its errors are. */
	if (session_state(m->s) != CONN_CHAT) {
		if (l->kind == LINE_ERROR)
			fprintf(stderr, "chat-client: %s\n", text);
		return;
	}
	if (l->kind == LINE_NOTICE) {
		proto_notice(l, &n);
		if (n.kind == NOTICE_BYE)
			return;
	}
	if (l->kind == LINE_ERROR && m->sent)
		m->refused_line = 1;
	printf("%s\n", text);
}

static void
line_status(void *ctx)
{
}

static void
line_ask(void *ctx, enum ask what)
{
}

static const struct frontend line_frontend = { line_show, line_status, line_ask };

/* A password typed on a terminal, without echo; -1 if none. */
static int
read_password(int fd, char *buf, size_t size)
{
	struct termios old, quiet;
	size_t n = 0;
	ssize_t r;
	char c;

	if (tcgetattr(fd, &old) == -1)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) == -1)
		return -1;
	fputs("password: ", stderr);
	fflush(stderr);
	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR && !client_signal)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	fputs("\n", stderr);
	return r <= 0 && n == 0 ? -1 : 0;
}

/* May a line of standard input go to the session now? */
static int
input_wanted(const struct linemode *m)
{
	enum conn_state st = session_state(m->s);

	if (session_asking(m->s) != ASK_NONE)
		return 1;
	return m->nsend == 0 && st == CONN_CHAT;
}

/* Hand over the lines of standard input that may go now. */
static void
feed(struct linemode *m)
{
	char *line;
	size_t len;
	enum line_result r;

	while (input_wanted(m) && session_state(m->s) != CONN_DONE) {
		r = linebuf_next(&m->in, &line, &len);
		if (r == LINE_NONE && m->in_eof)
			r = linebuf_finish(&m->in, &line, &len);
		if (r == LINE_NONE)
			break;
		if (r == LINE_TOOLONG) {
			warnx("a line of standard input is too long; not sent");
			continue;
		}
		line[len] = '\0';
		session_input(m->s, line);
		explicit_bzero(line, len);	/* it may have been a password */
	}
	if (!m->in_eof || linebuf_pending(&m->in) > 0 || !input_wanted(m))
		return;
	/* The end of input. */
	if (session_asking(m->s) != ASK_NONE) {
		warnx("end of input while the server asks for a %s",
		    session_asking(m->s) == ASK_PASSWORD ? "password "
		    "(use --password-file or CHAT_PASSWORD)" : "name");
		m->exit_code = EXIT_USAGE;
		session_quit(m->s, NULL);
	} else if (session_state(m->s) == CONN_CHAT)
		session_quit(m->s, NULL);
}

static void
read_input(struct linemode *m)
{
	char *where;
	size_t room = linebuf_room(&m->in, &where);
	ssize_t r;

	if (room == 0)
		return;
	r = read(STDIN_FILENO, where, room);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		m->in_eof = 1;
		return;
	}
	linebuf_commit(&m->in, (size_t)r);
}

/* --send: the lines, then /quit, once logged in. */
static void
send_lines(struct linemode *m)
{
	for (size_t i = 0; i < m->nsend; i++)
		session_input(m->s, m->send[i]);
	m->sent = 1;
	if (session_state(m->s) == CONN_CHAT)
		session_quit(m->s, NULL);
}

/* A password asked on a terminal: read it without echo. */
static void
ask_password(struct linemode *m)
{
	char password[CLIENT_PASSWORD_MAX + 1];

	if (read_password(STDIN_FILENO, password, sizeof(password)) == -1) {
		warnx("no password given");
		m->exit_code = EXIT_USAGE;
		session_quit(m->s, NULL);
		return;
	}
	session_input(m->s, password);
	explicit_bzero(password, sizeof(password));
}

static void
loop(struct linemode *m)
{
	struct pollfd pfd[2];
	int in = -1;
	nfds_t n;

	while (session_state(m->s) != CONN_DONE) {
		if (ferror(stdout))
			break;		/* e.g. the reader of a pipe is gone */
		if (client_signal) {
			if (session_state(m->s) == CONN_CHAT && client_signal == SIGINT) {
				client_signal = 0;
				session_quit(m->s, NULL);
			} else
				break;
		}
		if (m->nsend > 0 && !m->sent && session_state(m->s) == CONN_CHAT) {
			send_lines(m);
			continue;
		}
		if (session_asking(m->s) == ASK_PASSWORD && m->in_tty) {
			ask_password(m);
			continue;
		}
		feed(m);
		if (session_state(m->s) == CONN_DONE)
			break;
		n = (nfds_t)session_pollfd(m->s, &pfd[0]);
		in = -1;
		if (!m->in_eof && input_wanted(m)) {
			in = (int)n++;
			pfd[in].fd = STDIN_FILENO;
			pfd[in].events = POLLIN;
			pfd[in].revents = 0;
		}
		if (poll(pfd, n, session_timeout(m->s)) == -1 && errno != EINTR)
			err(EXIT_SYSTEM, "poll");
		if (n > 0 && in != 0 && pfd[0].revents != 0)
			session_io(m->s, pfd[0].revents);
		if (in >= 0 && pfd[in].revents != 0)
			read_input(m);
		session_timer(m->s);
	}
}

int
linemode_run(const struct session_options *opt, char **send, size_t nsend)
{
	struct linemode m;
	int code;

	memset(&m, 0, sizeof(m));
	m.send = send;
	m.nsend = nsend;
	m.exit_code = -1;
	m.in_tty = isatty(STDIN_FILENO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (linebuf_init(&m.in, CLIENT_LINE_MAX) == -1 ||
	    (m.s = session_new(opt, &line_frontend, &m)) == NULL)
		errx(EXIT_SYSTEM, "out of memory");
	client_catch_signals();

	session_start(m.s);
	loop(&m);
	if (m.exit_code != -1)
		code = m.exit_code;
	else if (session_state(m.s) != CONN_DONE)
		code = EXIT_SYSTEM;		/* a signal, or stdout failed */
	else if ((code = session_exit_code(m.s)) == CLIENT_EXIT_OK &&
	    m.refused_line)
		code = CLIENT_EXIT_REFUSED;
	else if (code == CLIENT_EXIT_OK && nsend > 0 && !m.sent)
		code = EXIT_SYSTEM;
	session_free(m.s);
	linebuf_free(&m.in);
	if (fflush(stdout) == EOF)
		code = EXIT_SYSTEM;
	return code;
}

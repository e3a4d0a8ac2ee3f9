/*
 * tui.c -- the full-screen mode: ncurses screen, keys, and its loop.
 *
 * Owns the layout (message pane, status line, input line), the colours
 * of each kind of line, the keys of chat-client(1), unread counts per
 * conversation, and the event loop that waits on the terminal and the
 * socket.  Incoming lines only touch the pane and the status line; the
 * input line is redrawn last, with the cursor where the user left it, so
 * what is being typed is never overwritten.  The message store is
 * pane.c's, editing lineedit.c's, completion complete.c's.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <err.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "client.h"

#define PANE_LINES	5000	/* lines kept for scrolling back */
#define UNREAD_MAX	64	/* conversations with unread counts */
#define CTRL(c)		((c) & 0x1f)

enum {
	PAIR_OWN = 1,
	PAIR_PRIVATE,
	PAIR_GROUP,
	PAIR_NOTICE,
	PAIR_ERROR,
	PAIR_CLIENT,
};

struct unread {
	char	key[CLIENT_NAME_MAX + 2];	/* "*", "@user" or "#group" */
	int	count;
};

struct tui {
	struct session	*s;
	struct pane	*pane;
	struct lineedit	 edit;
	char		*stash;		/* the line typed before a prompt */
	enum ask	 asked;		/* the prompt the input line answers */
	int		 screen;	/* curses is up */
	WINDOW		*wpane, *wstatus, *winput;
	int		 attrs[SHOW_KINDS];
	int		 dirty;
	struct unread	 unread[UNREAD_MAX];
	size_t		 nunread;
	char		 last_error[1024];	/* for stderr before the screen */
};

/* ------------------------------------------------------------------ */
/* Unread counts */

/* The conversation a line belongs to, as an unread key. */
static int
conversation(const struct line *l, char *key, size_t size)
{
	switch (l->kind) {
	case LINE_CHAT:
		snprintf(key, size, "*");
		return 1;
	case LINE_PRIVATE:
		snprintf(key, size, "@%s", l->from);
		return 1;
	case LINE_GROUP:
		snprintf(key, size, "#%s", l->group);
		return 1;
	default:
		return 0;
	}
}

static void
target_key(struct tui *t, char *key, size_t size)
{
	const char *name;

	switch (session_target(t->s, &name)) {
	case TARGET_ALL:
		snprintf(key, size, "*");
		break;
	case TARGET_USER:
		snprintf(key, size, "@%s", name);
		break;
	case TARGET_GROUP:
		snprintf(key, size, "#%s", name);
		break;
	}
}

static struct unread *
unread_find(struct tui *t, const char *key, int create)
{
	for (size_t i = 0; i < t->nunread; i++)
		if (strcasecmp(t->unread[i].key, key) == 0)
			return &t->unread[i];
	if (!create || t->nunread == UNREAD_MAX)
		return NULL;
	strlcpy(t->unread[t->nunread].key, key, sizeof(t->unread[0].key));
	t->unread[t->nunread].count = 0;
	return &t->unread[t->nunread++];
}

static int
unread_count(struct tui *t, const char *key)
{
	struct unread *u = unread_find(t, key, 0);

	return u == NULL ? 0 : u->count;
}

/* ------------------------------------------------------------------ */
/* The front end's callbacks */

static void
tui_show(void *ctx, enum show_kind kind, const char *text, const struct line *l)
{
	struct tui *t = ctx;
	char key[CLIENT_NAME_MAX + 2], target[CLIENT_NAME_MAX + 2];
	struct unread *u;

	if (l != NULL && l->kind == LINE_PROMPT &&
	    (strcmp(l->text, "name:") == 0 || strcmp(l->text, "password:") == 0))
		return;		/* the input line shows it when it is ours */
	if (l != NULL && conversation(l, key, sizeof(key))) {
		target_key(t, target, sizeof(target));
		if (strcasecmp(key, target) != 0 && (u = unread_find(t, key, 1)))
			u->count++;
	}
	if (kind == SHOW_CLIENT_ERROR && !t->screen)
		strlcpy(t->last_error, text, sizeof(t->last_error));
	pane_add(t->pane, kind, time(NULL), text, t->screen ? COLS : 80);
	t->dirty = 1;
}

static void
tui_status(void *ctx)
{
	struct tui *t = ctx;
	char key[CLIENT_NAME_MAX + 2];
	enum ask asking = session_asking(t->s);
	struct unread *u;
	wchar_t w[CLIENT_INPUT_MAX];
	size_t n;

	if (t->asked != ASK_NONE && asking == ASK_NONE) {
		/* The prompt is over (answered, or the connection dropped):
		 * no half-typed password stays, what was typed before returns. */
		if (t->asked == ASK_PASSWORD)
			lineedit_clear(&t->edit);
		if (t->stash != NULL && t->edit.len == 0) {
			n = utf8_decode(t->stash, strlen(t->stash), w,
			    CLIENT_INPUT_MAX);
			lineedit_insert_str(&t->edit, w, n);
			free(t->stash);
			t->stash = NULL;
		}
	}
	t->asked = asking;
	target_key(t, key, sizeof(key));
	if ((u = unread_find(t, key, 0)) != NULL)
		u->count = 0;
	t->dirty = 1;
}

static void
tui_ask(void *ctx, enum ask what)
{
	struct tui *t = ctx;
	char line[4 * CLIENT_INPUT_MAX + 1];

	/* Keep what was being typed for after the answer. */
	if (t->edit.len > 0 && t->stash == NULL) {
		lineedit_take(&t->edit, line, sizeof(line), 0);
		t->stash = strdup(line);
	}
	t->asked = what;
	t->dirty = 1;
}

static const struct frontend tui_frontend = { tui_show, tui_status, tui_ask };

/* ------------------------------------------------------------------ */
/* Drawing */

static void
setup_colors(struct tui *t)
{
	const char *no_color = getenv("NO_COLOR");
	int colors = has_colors() && (no_color == NULL || *no_color == '\0');

	for (int k = 0; k < SHOW_KINDS; k++)
		t->attrs[k] = A_NORMAL;
	t->attrs[SHOW_PRIVATE] = t->attrs[SHOW_ERROR] = A_BOLD;
	t->attrs[SHOW_CLIENT_ERROR] = A_BOLD;
	if (!colors)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_OWN, COLOR_CYAN, -1);
	init_pair(PAIR_PRIVATE, COLOR_MAGENTA, -1);
	init_pair(PAIR_GROUP, COLOR_GREEN, -1);
	init_pair(PAIR_NOTICE, COLOR_YELLOW, -1);
	init_pair(PAIR_ERROR, COLOR_RED, -1);
	init_pair(PAIR_CLIENT, COLOR_BLUE, -1);
	t->attrs[SHOW_OWN] = COLOR_PAIR(PAIR_OWN);
	t->attrs[SHOW_PRIVATE] = COLOR_PAIR(PAIR_PRIVATE) | A_BOLD;
	t->attrs[SHOW_GROUP] = COLOR_PAIR(PAIR_GROUP);
	t->attrs[SHOW_NOTICE] = COLOR_PAIR(PAIR_NOTICE);
	t->attrs[SHOW_ERROR] = COLOR_PAIR(PAIR_ERROR) | A_BOLD;
	t->attrs[SHOW_CLIENT] = COLOR_PAIR(PAIR_CLIENT) | A_BOLD;
	t->attrs[SHOW_CLIENT_ERROR] = COLOR_PAIR(PAIR_ERROR);
}

static void
layout(struct tui *t)
{
	int height = LINES > 3 ? LINES : 3;

	if (t->wpane != NULL) {
		delwin(t->wpane);
		delwin(t->wstatus);
		delwin(t->winput);
	}
	t->wpane = newwin(height - 2, COLS, 0, 0);
	t->wstatus = newwin(1, COLS, height - 2, 0);
	t->winput = newwin(1, COLS, height - 1, 0);
	if (t->wpane == NULL || t->wstatus == NULL || t->winput == NULL) {
		endwin();
		errx(EXIT_SYSTEM, "cannot make the screen's windows");
	}
	leaveok(t->wpane, TRUE);
	leaveok(t->wstatus, TRUE);
	keypad(t->winput, TRUE);
	nodelay(t->winput, TRUE);
	pane_scroll(t->pane, 0, COLS, height - 2);
	clearok(curscr, TRUE);
	t->dirty = 1;
}

static void
draw_status(struct tui *t)
{
	char buf[2048], others[1024], part[256], key[CLIENT_NAME_MAX + 2];
	const char **groups, *state = "", *target;
	size_t n;
	int count;

	switch (session_state(t->s)) {
	case CONN_CONNECTING:
		state = "connecting";
		break;
	case CONN_LOGIN:
		state = "logging in";
		break;
	case CONN_CHAT:
		state = "online";
		break;
	case CONN_WAITING:
		snprintf(part, sizeof(part), "offline, retrying in %ds",
		    session_retry_in(t->s));
		state = part;
		break;
	case CONN_CLOSED:
		state = "disconnected";
		break;
	case CONN_DONE:
		state = "done";
		break;
	}
	snprintf(buf, sizeof(buf), " %s | %s",
	    session_name(t->s)[0] ? session_name(t->s) : "(no name)", state);
	if (session_warning(t->s)[0] != '\0') {
		snprintf(part, sizeof(part), " | !! %s", session_warning(t->s));
		strlcat(buf, part, sizeof(buf));
	}
	switch (session_target(t->s, &target)) {
	case TARGET_ALL:
		strlcat(buf, " | to everyone", sizeof(buf));
		break;
	case TARGET_USER:
		snprintf(part, sizeof(part), " | to %s", target);
		strlcat(buf, part, sizeof(buf));
		break;
	case TARGET_GROUP:
		snprintf(part, sizeof(part), " | to #%s", target);
		strlcat(buf, part, sizeof(buf));
		break;
	}
	n = session_groups(t->s, &groups);
	if (n > 0)
		strlcat(buf, " | groups:", sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "#%s", groups[i]);
		count = unread_count(t, key);
		snprintf(part, sizeof(part), count ? " %s(%d)" : " %s", key, count);
		strlcat(buf, part, sizeof(buf));
	}
	/* Unread elsewhere: everyone, private conversations, other groups. */
	others[0] = '\0';
	for (size_t i = 0; i < t->nunread; i++) {
		const struct unread *u = &t->unread[i];
		int joined = 0;

		if (u->count == 0)
			continue;
		for (size_t g = 0; g < n && u->key[0] == '#'; g++)
			joined |= strcasecmp(u->key + 1, groups[g]) == 0;
		if (joined)
			continue;
		snprintf(part, sizeof(part), " %s(%d)", u->key[0] == '*' ?
		    "everyone" : u->key[0] == '@' ? u->key + 1 : u->key, u->count);
		strlcat(others, part, sizeof(others));
	}
	if (others[0] != '\0') {
		strlcat(buf, " | unread:", sizeof(buf));
		strlcat(buf, others, sizeof(buf));
	}
	if (pane_scrolled(t->pane) > 0) {
		snprintf(part, sizeof(part), " | scrolled back, %d new below "
		    "(PageDown)", pane_unseen(t->pane));
		strlcat(buf, part, sizeof(buf));
	}
	werase(t->wstatus);
	wbkgdset(t->wstatus, ' ' | A_REVERSE);
	wattrset(t->wstatus, A_REVERSE);
	mvwaddnstr(t->wstatus, 0, 0, buf, COLS);
	wclrtoeol(t->wstatus);
	wattrset(t->wstatus, A_NORMAL);
}

static void
draw_input(struct tui *t)
{
	const struct lineedit *e = &t->edit;
	char prompt[CLIENT_NAME_MAX + 16];
	const char *target;
	size_t start = 0, i;
	int pw, avail, col;

	switch (session_asking(t->s)) {
	case ASK_NAME:
		snprintf(prompt, sizeof(prompt), "name: ");
		break;
	case ASK_PASSWORD:
		snprintf(prompt, sizeof(prompt), "password: ");
		break;
	case ASK_OTHER:
		snprintf(prompt, sizeof(prompt), "answer: ");
		break;
	case ASK_NONE:
		switch (session_target(t->s, &target)) {
		case TARGET_ALL:
			snprintf(prompt, sizeof(prompt), "> ");
			break;
		case TARGET_USER:
			snprintf(prompt, sizeof(prompt), "%s> ", target);
			break;
		case TARGET_GROUP:
			snprintf(prompt, sizeof(prompt), "#%s> ", target);
			break;
		}
		break;
	}
	werase(t->winput);
	mvwaddnstr(t->winput, 0, 0, prompt, COLS - 1);
	pw = (int)strlen(prompt);
	if (pw > COLS / 2)
		pw = COLS / 2;
	if (session_asking(t->s) == ASK_PASSWORD) {
		wmove(t->winput, 0, pw);	/* typed without echo */
		return;
	}
	avail = COLS - pw - 1;
	if (avail < 1)
		avail = 1;
	/* Scroll sideways so that the cursor shows. */
	col = 0;
	for (i = e->cursor; i > 0; i--) {
		col += utf8_width(e->buf[i - 1]);
		if (col > avail)
			break;
	}
	start = i;
	col = 0;
	for (i = start; i < e->len; i++) {
		int w = utf8_width(e->buf[i]);

		if (pw + col + w > COLS - 1)
			break;
		mvwaddnwstr(t->winput, 0, pw + col, &e->buf[i], 1);
		col += w;
	}
	col = 0;
	for (i = start; i < e->cursor; i++)
		col += utf8_width(e->buf[i]);
	wmove(t->winput, 0, pw + col);
}

static void
draw(struct tui *t)
{
	pane_draw(t->pane, t->wpane, t->attrs);
	draw_status(t);
	draw_input(t);
	wnoutrefresh(t->wpane);
	wnoutrefresh(t->wstatus);
	wnoutrefresh(t->winput);
	doupdate();
	t->dirty = 0;
}

/* ------------------------------------------------------------------ */
/* Keys */

static void
submit(struct tui *t)
{
	char line[4 * CLIENT_INPUT_MAX + 1];
	enum ask asking = session_asking(t->s);

	lineedit_take(&t->edit, line, sizeof(line), asking == ASK_NONE);
	if (asking == ASK_NONE)
		pane_bottom(t->pane);
	session_input(t->s, line);	/* tui_status restores a stash */
	explicit_bzero(line, sizeof(line));
	t->dirty = 1;
}

static void
complete(struct tui *t)
{
	char list[4096];

	if (session_asking(t->s) != ASK_NONE)
		return;
	if (complete_line(&t->edit, session_names(t->s), list, sizeof(list)))
		session_note(t->s, SHOW_CLIENT, "%s", list);
}

static void
key(struct tui *t, int type, wint_t c)
{
	struct lineedit *e = &t->edit;
	int page = LINES - 3 > 1 ? LINES - 3 : 1;

	t->dirty = 1;
	if (type == KEY_CODE_YES) {
		switch (c) {
		case KEY_ENTER:
			submit(t);
			break;
		case KEY_LEFT:
			lineedit_left(e);
			break;
		case KEY_RIGHT:
			lineedit_right(e);
			break;
		case KEY_HOME:
			lineedit_home(e);
			break;
		case KEY_END:
			lineedit_end(e);
			break;
		case KEY_BACKSPACE:
			lineedit_backspace(e);
			break;
		case KEY_DC:
			lineedit_delete(e);
			break;
		case KEY_UP:
			if (session_asking(t->s) == ASK_NONE)
				lineedit_history_up(e);
			break;
		case KEY_DOWN:
			if (session_asking(t->s) == ASK_NONE)
				lineedit_history_down(e);
			break;
		case KEY_PPAGE:
			pane_scroll(t->pane, page, COLS, LINES - 2);
			break;
		case KEY_NPAGE:
			pane_scroll(t->pane, -page, COLS, LINES - 2);
			break;
		case KEY_RESIZE:
			layout(t);
			break;
		}
		return;
	}
	switch (c) {
	case '\r':
	case '\n':
		submit(t);
		break;
	case '\t':
		complete(t);
		break;
	case CTRL('a'):
		lineedit_home(e);
		break;
	case CTRL('e'):
		lineedit_end(e);
		break;
	case CTRL('b'):
		lineedit_left(e);
		break;
	case CTRL('f'):
		lineedit_right(e);
		break;
	case CTRL('h'):
	case 0x7f:
		lineedit_backspace(e);
		break;
	case CTRL('d'):
		if (e->len == 0)
			session_quit(t->s, NULL);
		else
			lineedit_delete(e);
		break;
	case CTRL('u'):
		lineedit_kill_start(e);
		break;
	case CTRL('k'):
		lineedit_kill_end(e);
		break;
	case CTRL('w'):
		lineedit_kill_word(e);
		break;
	case CTRL('p'):
		if (session_asking(t->s) == ASK_NONE)
			lineedit_history_up(e);
		break;
	case CTRL('n'):
		if (session_asking(t->s) == ASK_NONE)
			lineedit_history_down(e);
		break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		break;
	default:
		if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))
			lineedit_insert(e, (wchar_t)c);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The loop */

/* Until connected (or failed), before the screen is set up. */
static void
connect_first(struct tui *t)
{
	struct pollfd pfd;

	session_start(t->s);
	while (session_state(t->s) == CONN_CONNECTING && !client_signal) {
		if (!session_pollfd(t->s, &pfd))
			break;
		if (poll(&pfd, 1, session_timeout(t->s)) == -1 && errno != EINTR)
			err(EXIT_SYSTEM, "poll");
		session_io(t->s, pfd.revents);
		session_timer(t->s);
	}
}

static void
start_screen(struct tui *t)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	set_escdelay(25);
	setup_colors(t);
	t->screen = 1;
	layout(t);
}

static void
loop(struct tui *t)
{
	struct pollfd pfd[2];
	int timeout, type;
	wint_t c;
	nfds_t n;

	while (session_state(t->s) != CONN_DONE) {
		if (client_signal) {
			if (client_signal == SIGINT && session_state(t->s) == CONN_CHAT) {
				client_signal = 0;
				session_quit(t->s, NULL);
			} else
				break;
		}
		if (t->dirty || session_state(t->s) == CONN_WAITING)
			draw(t);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1 + (nfds_t)session_pollfd(t->s, &pfd[1]);
		timeout = session_timeout(t->s);
		if (session_state(t->s) == CONN_WAITING &&
		    (timeout == -1 || timeout > 1000))
			timeout = 1000;		/* the countdown */
		if (poll(pfd, n, timeout) == -1 && errno != EINTR) {
			endwin();
			err(EXIT_SYSTEM, "poll");
		}
		if (n > 1 && pfd[1].revents != 0)
			session_io(t->s, pfd[1].revents);
		/* Keys (and KEY_RESIZE after SIGWINCH's EINTR). */
		while ((type = wget_wch(t->winput, &c)) != ERR &&
		    session_state(t->s) != CONN_DONE)
			key(t, type, c);
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;		/* the terminal is gone */
		session_timer(t->s);
	}
}

int
tui_run(const struct session_options *opt)
{
	struct tui t;
	int code;

	memset(&t, 0, sizeof(t));
	setlocale(LC_ALL, "");
	lineedit_init(&t.edit);
	if ((t.pane = pane_new(PANE_LINES)) == NULL ||
	    (t.s = session_new(opt, &tui_frontend, &t)) == NULL)
		errx(EXIT_SYSTEM, "out of memory");
	client_catch_signals();
	connect_first(&t);
	if (session_state(t.s) == CONN_DONE || client_signal) {
		if (t.last_error[0] != '\0')
			warnx("%s", t.last_error);
		code = client_signal ? EXIT_SYSTEM : session_exit_code(t.s);
		session_free(t.s);
		pane_free(t.pane);
		lineedit_free(&t.edit);
		return code;
	}
	start_screen(&t);
	loop(&t);
	endwin();
	code = session_state(t.s) == CONN_DONE ? session_exit_code(t.s) :
	    CLIENT_EXIT_OK;
	session_free(t.s);
	pane_free(t.pane);
	lineedit_free(&t.edit);
	free(t.stash);
	return code;
}

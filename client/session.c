/*
 * session.c -- the client's side of the conversation, for both modes.
 *
 * Owns the connection's life (connect, login, chat, drop, reconnect with
 * backoff, quit), the answers to the login prompts (the name and the
 * password, kept in memory only, to log in again after a drop), the
 * groups this user is in, the current target of plain lines (/query,
 * /switch) and the status line's warning, and the exit status.  It shows
 * nothing itself: every line goes to the front end (struct frontend).
 * Rejoining the groups after a reconnect, and checking that each is still
 * the group the user was in, is rejoin.c's: session.c calls it when the
 * connection drops, after the login, and for each line while logged in.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "client.h"

#define CONNECT_TIMEOUT_MS	10000
#define QUIT_WAIT_MS		3000	/* for the server's "* bye" */
#define RENAME_RETRIES		5	/* "name taken" while reconnecting */

struct session {
	struct session_options	 opt;
	const struct frontend	*fe;
	void			*ctx;
	struct net		 net;
	struct names		*names;
	struct groupinfo	*info;

	enum conn_state		 state;
	enum ask		 asking;
	int			 exit_code;

	char	 name[CLIENT_NAME_MAX + 1];	/* to log in with; "" asks */
	char	 password[CLIENT_PASSWORD_MAX + 1];
	int	 have_password;
	int	 name_typed;		/* the name sent was typed just now */
	int	 password_typed;	/* the password sent was typed just now */

	int	 connected_once;	/* a TCP connection ever succeeded */
	int	 logged_in_once;
	int	 events_asked;	/* /events on sent, its answer not yet seen */
	int	 name_refusals;		/* while reconnecting */
	int	 quitting;		/* /quit sent: a drop is the end */
	int	 refused;		/* the server refused the login */
	int	 final;			/* the server will not take us back */
	char	 drop_why[256];		/* the error line before a close */
	int64_t	 retry_at;		/* CONN_WAITING: ms, monotonic */
	int64_t	 connect_deadline;	/* CONN_CONNECTING */
	int64_t	 quit_deadline;		/* quitting */

	char	 joined[CLIENT_GROUPS_MAX][CLIENT_NAME_MAX + 1];
	size_t	 njoined;
	struct rejoin_state *rejoin;	/* the groups to rejoin and check */
	const char *group_list[CLIENT_GROUPS_MAX];

	enum target_kind target;
	char	 target_name[CLIENT_NAME_MAX + 1];
	int	 hold_plain;	/* the target was reset: hold the next line */
	char	 warning[128];	/* for the status line; "" none */
};

static void	dropped(struct session *, const char *why);
static const char *session_server(const struct session *);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct session *
session_new(const struct session_options *opt, const struct frontend *fe,
    void *ctx)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->opt = *opt;
	s->fe = fe;
	s->ctx = ctx;
	s->state = CONN_CONNECTING;
	s->target = TARGET_ALL;
	if (opt->name != NULL)
		strlcpy(s->name, opt->name, sizeof(s->name));
	if (opt->password != NULL) {
		strlcpy(s->password, opt->password, sizeof(s->password));
		s->have_password = 1;
	}
	s->opt.name = s->opt.password = NULL;	/* only the copies are used */
	if ((s->names = names_new()) == NULL ||
	    (s->info = groupinfo_new()) == NULL ||
	    (s->rejoin = rejoin_new()) == NULL ||
	    net_init(&s->net, opt->host, opt->port) == -1) {
		session_free(s);
		return NULL;
	}
	return s;
}

static void
forget_password(struct session *s)
{
	explicit_bzero(s->password, sizeof(s->password));
	s->have_password = 0;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	forget_password(s);
	net_free(&s->net);
	names_free(s->names);
	groupinfo_free(s->info);
	rejoin_free(s->rejoin);
	free(s);
}

void
session_note(struct session *s, enum show_kind kind, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	s->fe->fe_show(s->ctx, kind, text, NULL);
}

static void
set_state(struct session *s, enum conn_state state)
{
	s->state = state;
	if (state != CONN_LOGIN)
		s->asking = ASK_NONE;
	s->fe->fe_status(s->ctx);
}

static void
finish(struct session *s, int code)
{
	net_close(&s->net);
	s->exit_code = code;
	set_state(s, CONN_DONE);
}

/* ------------------------------------------------------------------ */
/* Groups */

static int
group_index(char list[][CLIENT_NAME_MAX + 1], size_t n, const char *g)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], g) == 0)
			return (int)i;
	return -1;
}

static void
group_add(char list[][CLIENT_NAME_MAX + 1], size_t *n, const char *g)
{
	int i = group_index(list, *n, g);

	if (i >= 0)
		strlcpy(list[i], g, CLIENT_NAME_MAX + 1);	/* server's case */
	else if (*n < CLIENT_GROUPS_MAX)
		strlcpy(list[(*n)++], g, CLIENT_NAME_MAX + 1);
}

static int
group_remove(char list[][CLIENT_NAME_MAX + 1], size_t *n, const char *g)
{
	int i = group_index(list, *n, g);

	if (i < 0)
		return 0;
	memmove(list[i], list[i + 1], (*n - (size_t)i - 1) * sizeof(list[0]));
	(*n)--;
	return 1;
}

void
session_add_group(struct session *s, const char *g)
{
	group_add(s->joined, &s->njoined, g);
	s->fe->fe_status(s->ctx);
}

/* ------------------------------------------------------------------ */
/* Sending */

int
session_send_line(struct session *s, const char *line)
{
	char err[256];

	if (s->net.state != NET_UP)
		return -1;
	if (net_send(&s->net, line) == -1) {
		dropped(s, "out of memory");
		return -1;
	}
	if (net_flush(&s->net, err, sizeof(err)) == -1) {
		dropped(s, err);
		return -1;
	}
	return 0;
}

static int
session_send(struct session *s, const char *line)
{
	if (s->state != CONN_CHAT) {
		session_note(s, SHOW_CLIENT_ERROR, "not logged in: line not sent");
		return -1;
	}
	return session_send_line(s, line);
}

/* ------------------------------------------------------------------ */
/* Connecting and dropping */

static void
connect_failed(struct session *s, const char *err)
{
	int delay;

	net_close(&s->net);
	if (!s->opt.reconnect || !s->connected_once) {
		session_note(s, SHOW_CLIENT_ERROR, "%s", err);
		finish(s, EXIT_SYSTEM);
		return;
	}
	delay = net_backoff(&s->net);
	s->retry_at = now_ms() + delay;
	session_note(s, SHOW_CLIENT_ERROR, "%s; retrying in %.1fs", err,
	    delay / 1000.0);
	set_state(s, CONN_WAITING);
}

static void
start_connect(struct session *s)
{
	char err[512];

	s->refused = s->final = 0;
	s->drop_why[0] = '\0';
	s->asking = ASK_NONE;
	if (net_connect(&s->net, err, sizeof(err)) == -1) {
		connect_failed(s, err);
		return;
	}
	s->connect_deadline = now_ms() + CONNECT_TIMEOUT_MS;
	set_state(s, s->net.state == NET_UP ? CONN_LOGIN : CONN_CONNECTING);
	if (s->state == CONN_LOGIN)
		s->connected_once = 1;
}

void
session_start(struct session *s)
{
	start_connect(s);
}

void
session_reconnect(struct session *s)
{
	if (s->state == CONN_CHAT || s->state == CONN_LOGIN ||
	    s->state == CONN_CONNECTING) {
		session_note(s, SHOW_CLIENT, "already connected to %s",
		    session_server(s));
		return;
	}
	session_note(s, SHOW_CLIENT, "connecting to %s", session_server(s));
	net_backoff_reset(&s->net);
	s->name_refusals = 0;
	start_connect(s);
}

/* The connection ended (end of file, an error, or we closed it). */
static void
dropped(struct session *s, const char *why)
{
	const char *reason = s->drop_why[0] != '\0' ? s->drop_why : why;
	const char **groups;
	size_t n;
	int delay;

	if (s->state == CONN_CHAT) {
		n = session_groups(s, &groups);
		rejoin_remember(s->rejoin, groups, n, s->info, s->name);
	}
	net_close(&s->net);
	s->events_asked = 0;
	if (s->quitting) {
		finish(s, CLIENT_EXIT_OK);
		return;
	}
	if (s->refused && !s->opt.interactive) {
		session_note(s, SHOW_CLIENT_ERROR, "the server refused the login: %s",
		    reason);
		finish(s, CLIENT_EXIT_REFUSED);
		return;
	}
	if (!s->opt.reconnect) {
		session_note(s, SHOW_CLIENT_ERROR, "connection closed: %s", reason);
		finish(s, EXIT_SYSTEM);
		return;
	}
	if (s->final || s->refused) {
		session_note(s, SHOW_CLIENT_ERROR, "disconnected: %s; /reconnect to "
		    "connect again, /quit to leave", reason);
		set_state(s, CONN_CLOSED);
		return;
	}
	delay = net_backoff(&s->net);
	s->retry_at = now_ms() + delay;
	session_note(s, SHOW_CLIENT_ERROR, "connection lost: %s; reconnecting in "
	    "%.1fs", reason, delay / 1000.0);
	set_state(s, CONN_WAITING);
}

/* ------------------------------------------------------------------ */
/* The login dialogue */

static void
answer_prompt(struct session *s, const char *prompt)
{
	if (strcmp(prompt, "name:") == 0) {
		if (s->state != CONN_LOGIN)
			set_state(s, CONN_LOGIN);
		if (s->name[0] != '\0') {
			s->name_typed = 0;
			session_send_line(s, s->name);
			return;
		}
		s->asking = ASK_NAME;
	} else if (strcmp(prompt, "password:") == 0) {
		if (s->have_password) {
			s->password_typed = 0;
			session_send_line(s, s->password);
			return;
		}
		s->asking = ASK_PASSWORD;
	} else
		s->asking = ASK_OTHER;
	s->fe->fe_ask(s->ctx, s->asking);
	s->fe->fe_status(s->ctx);
}

static void
answer_user(struct session *s, const char *line)
{
	enum ask asked = s->asking;

	if (line[0] == '\0')
		return;		/* the server ignores empty lines too */
	s->asking = ASK_NONE;
	switch (asked) {
	case ASK_NAME:
		if (line[0] == '/' && strcmp(line, "/quit") == 0) {
			session_quit(s, NULL);
			return;
		}
		strlcpy(s->name, line, sizeof(s->name));
		s->name_typed = 1;
		break;
	case ASK_PASSWORD:
		strlcpy(s->password, line, sizeof(s->password));
		s->have_password = 1;
		s->password_typed = 1;
		break;
	case ASK_OTHER:
	case ASK_NONE:
		break;
	}
	session_send_line(s, line);
	s->fe->fe_status(s->ctx);
}

static void
logged_in(struct session *s, const char *name)
{
	int again = s->logged_in_once;

	strlcpy(s->name, name, sizeof(s->name));
	s->logged_in_once = 1;
	s->name_refusals = 0;
	net_backoff_reset(&s->net);
	set_state(s, CONN_CHAT);
	/* Group events in their machine form: never a sentence to parse. */
	if (session_send_line(s, "/events on") == 0)
		s->events_asked++;
	if (again) {
		s->njoined = 0;		/* rejoin.c adds each group joined */
		rejoin_start(s->rejoin, s);
		s->fe->fe_status(s->ctx);
	}
	/* For completion, and after a rejoin's /groups the end of its
	 * answer; the groups are known after a reconnect. */
	if (s->opt.learn_names || rejoin_checking(s->rejoin))
		session_send_line(s, "/users");
	if (s->opt.learn_names && !again)
		session_send_line(s, "/groups");
}

/* An error line while logging in. */
static void
login_error(struct session *s, const struct line *l)
{
	const char *c = l->code;
	int name_refused = strcmp(c, "name-invalid") == 0 ||
	    strcmp(c, "name-taken") == 0 || strcmp(c, "guests-disabled") == 0 ||
	    strcmp(c, "already-online") == 0;
	int delay;

	strlcpy(s->drop_why, l->text, sizeof(s->drop_why));
	if (name_refused && !s->name_typed) {
		if (s->logged_in_once && s->name_refusals < RENAME_RETRIES &&
		    (strcmp(c, "name-taken") == 0 || strcmp(c, "already-online") == 0)) {
			/* Our old session may not be gone yet: try again. */
			s->name_refusals++;
			net_close(&s->net);
			delay = net_backoff(&s->net);
			s->retry_at = now_ms() + delay;
			session_note(s, SHOW_CLIENT_ERROR, "%s is still taken; "
			    "retrying in %.1fs", s->name, delay / 1000.0);
			set_state(s, CONN_WAITING);
			return;
		}
		if (!s->opt.interactive) {
			s->refused = 1;
			dropped(s, l->text);
			return;
		}
		session_note(s, SHOW_CLIENT, "type another name");
		s->name[0] = '\0';
		forget_password(s);
	} else if (name_refused) {
		s->name[0] = '\0';
	} else if (strcmp(c, "bad-password") == 0) {
		int typed = s->password_typed;

		forget_password(s);
		if (!typed && !s->opt.interactive) {
			s->refused = 1;
			dropped(s, l->text);
		}
	} else if (strcmp(c, "auth-failed") == 0 || strcmp(c, "server-full") == 0 ||
	    strcmp(c, "too-many-pending") == 0 || strcmp(c, "unavailable") == 0) {
		/* The server closes the connection next. */
		s->refused = 1;
		if (strcmp(c, "auth-failed") != 0 && s->opt.interactive)
			s->refused = 0;		/* worth retrying */
		if (strcmp(c, "auth-failed") == 0)
			forget_password(s);
	} else if (strcmp(c, "login-timeout") == 0 || strcmp(c, "closed") == 0) {
		s->final = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Lines while logged in */

/*
 * Group g may not be the group the user was in (what says why, for the
 * status line; rejoin.c decides).  If plain lines went to it, they go to
 * everyone now, and the next one is held back once: what was meant for
 * the group is not said to everyone (or to whoever made the group again)
 * unawares.
 */
void
session_warn_group(struct session *s, const char *g, const char *what)
{
	int target = s->target == TARGET_GROUP &&
	    strcasecmp(s->target_name, g) == 0;

	snprintf(s->warning, sizeof(s->warning), "#%s: %s", g, what);
	if (!target)
		return;
	s->target = TARGET_ALL;
	s->target_name[0] = '\0';
	s->hold_plain = 1;
	session_note(s, SHOW_CLIENT_ERROR, "plain lines now go to everyone, not "
	    "to #%s; the next one is held back: send it again to say it to "
	    "everyone, or /switch to choose", g);
}

static void
chat_error(struct session *s, const struct line *l)
{
	if (proto_closing_error(l->code)) {
		s->final = 1;
		strlcpy(s->drop_why, l->text, sizeof(s->drop_why));
	}
}

static void
chat_notice(struct session *s, const struct line *l)
{
	struct notice n;

	proto_notice(l, &n);
	switch (n.kind) {
	case NOTICE_YOU_JOINED:
	case NOTICE_CREATED:
		session_add_group(s, n.group);
		break;
	case NOTICE_GROUP_INFO:
		rejoin_owner(s->rejoin, n.group, n.name);
		break;
	case NOTICE_USERS:
		if (rejoin_checking(s->rejoin)) {
			rejoin_check(s->rejoin, s);
			s->fe->fe_status(s->ctx);
		}
		break;
	case NOTICE_YOU_LEFT:
	case NOTICE_KICKED_YOU:
		group_remove(s->joined, &s->njoined, n.group);
		s->fe->fe_status(s->ctx);
		break;
	case NOTICE_BYE:
		s->quitting = 1;
		break;
	default:
		break;
	}
}

static void
server_line(struct session *s, char *raw)
{
	struct line l;
	struct notice n;

	proto_parse(raw, s->state == CONN_CHAT ? s->name : "", &l);
	if (l.kind == LINE_NOTICE && s->events_asked > 0 &&
	    strcmp(l.text, "events on") == 0) {
		s->events_asked--;	/* the answer to our own /events on */
		return;
	}
	names_learn(s->names, &l);
	if (s->state == CONN_CHAT)
		groupinfo_learn(s->info, &l, s->name);
	if (s->state == CONN_CHAT && rejoin_answer(s->rejoin, s, &l) &&
	    l.kind == LINE_ERROR)
		return;		/* the check says what came of it */
	s->fe->fe_show(s->ctx, l.kind == LINE_CHAT ? SHOW_CHAT :
	    l.kind == LINE_PRIVATE ? SHOW_PRIVATE : l.kind == LINE_GROUP ?
	    SHOW_GROUP : l.kind == LINE_ERROR ? SHOW_ERROR : SHOW_NOTICE,
	    l.event ? l.shown : raw, &l);
	switch (l.kind) {
	case LINE_PROMPT:
		answer_prompt(s, l.text);
		break;
	case LINE_ERROR:
		if (s->state == CONN_CHAT)
			chat_error(s, &l);
		else
			login_error(s, &l);
		break;
	case LINE_NOTICE:
		if (s->state == CONN_CHAT) {
			chat_notice(s, &l);
			break;
		}
		proto_notice(&l, &n);
		if (n.kind == NOTICE_WELCOME)
			logged_in(s, n.name);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The event loop's side */

int
session_pollfd(const struct session *s, struct pollfd *pfd)
{
	if (s->net.state == NET_DOWN)
		return 0;
	pfd->fd = s->net.fd;
	pfd->events = net_events(&s->net);
	pfd->revents = 0;
	return 1;
}

int
session_timeout(const struct session *s)
{
	int64_t at, now = now_ms();

	if (s->state == CONN_WAITING)
		at = s->retry_at;
	else if (s->quitting && s->net.out_len > 0)
		return -1;	/* the deadline starts once /quit is written */
	else if (s->quitting)
		at = s->quit_deadline;
	else if (s->state == CONN_CONNECTING)
		at = s->connect_deadline;
	else
		return -1;
	return at <= now ? 0 : (int)(at - now);
}

void
session_timer(struct session *s)
{
	int64_t now = now_ms();

	if (s->state == CONN_WAITING && now >= s->retry_at) {
		session_note(s, SHOW_CLIENT, "connecting to %s", session_server(s));
		start_connect(s);
	} else if (s->state == CONN_CONNECTING && now >= s->connect_deadline) {
		connect_failed(s, "connection timed out");
	} else if (s->quitting && s->net.out_len > 0) {
		s->quit_deadline = now + QUIT_WAIT_MS;
	} else if (s->quitting && now >= s->quit_deadline &&
	    s->state != CONN_DONE) {
		finish(s, CLIENT_EXIT_OK);
	}
}

void
session_io(struct session *s, short revents)
{
	char err[512], *line;
	int r;

	if (s->state == CONN_CONNECTING) {
		if ((revents & (POLLOUT | POLLERR | POLLHUP)) == 0)
			return;
		r = net_connect_done(&s->net, err, sizeof(err));
		if (r == -1)
			connect_failed(s, err);
		else if (r == 1) {
			s->connected_once = 1;
			set_state(s, CONN_LOGIN);
		}
		return;
	}
	if (s->net.state != NET_UP)
		return;
	if (revents & POLLOUT) {
		if (net_flush(&s->net, err, sizeof(err)) == -1) {
			dropped(s, err);
			return;
		}
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0)
		return;
	r = net_read(&s->net, err, sizeof(err));
	while (s->net.state == NET_UP && net_next_line(&s->net, &line))
		server_line(s, line);
	if (s->net.state != NET_UP)
		return;
	if (r == 0)
		dropped(s, "the server closed the connection");
	else if (r == -1)
		dropped(s, err);
}

/* ------------------------------------------------------------------ */
/* What the user types */

/* May a plain line go to the target now?  Not while the target group is
 * being rejoined, nor the first after a rejoin changed the target. */
static int
plain_may_go(struct session *s)
{
	if (s->state == CONN_CHAT && s->target == TARGET_GROUP &&
	    rejoin_pending(s->rejoin, s->target_name)) {
		session_note(s, SHOW_CLIENT_ERROR, "not sent: #%s is being rejoined; "
		    "send it again in a moment", s->target_name);
		return 0;
	}
	if (s->state == CONN_CHAT && s->hold_plain) {
		s->hold_plain = 0;
		session_note(s, SHOW_CLIENT_ERROR, "not sent: plain lines go to "
		    "everyone now (%s); send it again to say it to everyone",
		    s->warning);
		return 0;
	}
	if (s->state == CONN_CHAT && s->warning[0] != '\0') {
		s->warning[0] = '\0';	/* seen and answered */
		s->fe->fe_status(s->ctx);
	}
	return 1;
}

void
session_quit(struct session *s, const char *reason)
{
	char line[512];

	if (s->state != CONN_CHAT) {
		finish(s, CLIENT_EXIT_OK);
		return;
	}
	snprintf(line, sizeof(line), "/quit%s%s", reason ? " " : "",
	    reason ? reason : "");
	s->quitting = 1;
	s->quit_deadline = now_ms() + QUIT_WAIT_MS;
	session_send_line(s, line);
}

/* Show what this user sent, as the others will see it. */
static void
show_own(struct session *s, const char *cmd, const char *args)
{
	char who[CLIENT_NAME_MAX + 1];
	const char *p = args;

	if (strcmp(cmd, "broadcast") == 0) {
		session_note(s, SHOW_OWN, "<%s> %s", s->name, args);
		return;
	}
	if (!proto_take_name(&p, who, sizeof(who)) && !(*p == '#' &&
	    (p++, proto_take_name(&p, who, sizeof(who)))))
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return;
	if (strcmp(cmd, "msg") == 0)
		session_note(s, SHOW_OWN, "-> *%s* %s", who, p);
	else if (strcmp(cmd, "group_msg") == 0)
		session_note(s, SHOW_OWN, "#%s <%s> %s", who, s->name, p);
}

static void
command_line(struct session *s, const char *line)
{
	char buf[4 * CLIENT_INPUT_MAX + 64], *args, *cmd;
	const struct command *c;

	strlcpy(buf, line + 1, sizeof(buf));
	cmd = buf;
	args = buf + strcspn(buf, " \t");
	if (*args != '\0')
		*args++ = '\0';
	while (*args == ' ' || *args == '\t')
		args++;
	c = commands_find(cmd);
	if (c != NULL && c->local != NULL && !c->local(s, args))
		return;
	if (strcmp(cmd, "quit") == 0) {
		session_quit(s, *args != '\0' ? args : NULL);
		return;
	}
	if (session_send(s, line) == 0)
		show_own(s, cmd, args);
}

void
session_input(struct session *s, const char *line)
{
	char out[4 * CLIENT_INPUT_MAX + 64];
	const char *text = line;

	if (s->asking != ASK_NONE) {
		answer_user(s, line);
		return;
	}
	if (line[0] == '\0')
		return;
	if (line[0] == '/' && line[1] != '/') {
		command_line(s, line);
		return;
	}
	if (line[0] == '/')
		text = line + 1;	/* "//x" is the text "/x" */
	if (!plain_may_go(s))
		return;
	switch (s->target) {
	case TARGET_ALL:
		if (session_send(s, line) == 0)
			session_note(s, SHOW_OWN, "<%s> %s", s->name, text);
		break;
	case TARGET_USER:
		snprintf(out, sizeof(out), "/msg %s %s", s->target_name, text);
		if (session_send(s, out) == 0)
			session_note(s, SHOW_OWN, "-> *%s* %s", s->target_name, text);
		break;
	case TARGET_GROUP:
		snprintf(out, sizeof(out), "/group_msg %s %s", s->target_name, text);
		if (session_send(s, out) == 0)
			session_note(s, SHOW_OWN, "#%s <%s> %s", s->target_name,
			    s->name, text);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* What the front ends read */

enum conn_state
session_state(const struct session *s)
{
	return s->state;
}

enum ask
session_asking(const struct session *s)
{
	return s->asking;
}

int
session_exit_code(const struct session *s)
{
	return s->exit_code;
}

const char *
session_name(const struct session *s)
{
	return s->name;
}

static const char *
session_server(const struct session *s)
{
	static char buf[600];

	snprintf(buf, sizeof(buf), "%s port %s", s->net.host, s->net.port);
	return buf;
}

int
session_retry_in(const struct session *s)
{
	int64_t left = s->retry_at - now_ms();

	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

size_t
session_groups(struct session *s, const char ***groups)
{
	for (size_t i = 0; i < s->njoined; i++)
		s->group_list[i] = s->joined[i];
	*groups = s->group_list;
	return s->njoined;
}

enum target_kind
session_target(const struct session *s, const char **name)
{
	*name = s->target_name;
	return s->target;
}

void
session_set_target(struct session *s, enum target_kind kind, const char *name)
{
	s->target = kind;
	strlcpy(s->target_name, kind == TARGET_ALL ? "" : name,
	    sizeof(s->target_name));
	s->hold_plain = 0;		/* the user chose */
	s->warning[0] = '\0';
	s->fe->fe_status(s->ctx);
}

const char *
session_warning(const struct session *s)
{
	return s->warning;
}

struct names *
session_names(struct session *s)
{
	return s->names;
}

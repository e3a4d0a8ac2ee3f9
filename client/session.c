/*
 * session.c -- the client's side of the conversation, for both modes.
 *
 * Owns the connection's life (connect, login, chat, drop, reconnect with
 * backoff, quit), the answers to the login prompts (the name and the
 * password, kept in memory only, to log in again after a drop), the
 * groups this user is in (rejoined after a reconnect, and checked: a
 * group that is gone, was made again or has another owner is not the
 * group the user was talking to), the current target of plain lines
 * (/query, /switch), and the exit status.  It shows nothing itself:
 * every line goes to the front end (struct frontend).
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

#define JOINED_MAX		256	/* groups remembered for rejoining */
#define CONNECT_TIMEOUT_MS	10000
#define QUIT_WAIT_MS		3000	/* for the server's "* bye" */
#define RENAME_RETRIES		5	/* "name taken" while reconnecting */

/* Where the rejoin of one group stands after a reconnect. */
enum rejoin_step {
	REJOIN_SENT,		/* its commands not all answered yet */
	REJOIN_JOINED,		/* joined again; /groups tells its owner */
	REJOIN_CREATED,		/* ours, and gone: made again */
	REJOIN_TAKEN,		/* ours, but it exists under another owner:
				 * joined as one of its members */
	REJOIN_GONE,		/* not ours, and gone: not made again */
	REJOIN_FAILED,		/* the server refused the join (or the
				 * create): why */
};

/* A command the rejoin sent, waiting for its one answer line. */
enum rejoin_cmd {
	RCMD_CREATE,		/* /create_group G */
	RCMD_MODE,		/* /invite_only G on */
	RCMD_JOIN,		/* /join_group G */
};
#define REJOIN_CMDS	3

struct rejoin {
	char	name[CLIENT_NAME_MAX + 1];
	char	owner[CLIENT_NAME_MAX + 1];	/* before the drop; "" unknown */
	char	now_owner[CLIENT_NAME_MAX + 1];	/* from /groups; "" unknown */
	int	invite_only;	/* before the drop; -1 unknown */
	int	owned;		/* this user owned it before the drop */
	int	taken;		/* ours, but the create found it exists */
	enum rejoin_cmd	sent[REJOIN_CMDS];	/* not answered yet, in order */
	size_t	nsent;
	enum rejoin_step step;
	char	why[128];	/* REJOIN_FAILED: the server's error */
};

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
	int	 name_refusals;		/* while reconnecting */
	int	 quitting;		/* /quit sent: a drop is the end */
	int	 refused;		/* the server refused the login */
	int	 final;			/* the server will not take us back */
	char	 drop_why[256];		/* the error line before a close */
	int64_t	 retry_at;		/* CONN_WAITING: ms, monotonic */
	int64_t	 connect_deadline;	/* CONN_CONNECTING */
	int64_t	 quit_deadline;		/* quitting */

	char	 joined[JOINED_MAX][CLIENT_NAME_MAX + 1];
	size_t	 njoined;
	struct rejoin rejoin[JOINED_MAX];	/* after a drop, until checked */
	size_t	 nrejoin;
	int	 checking;	/* the rejoin's /groups is not all in yet */
	const char *group_list[JOINED_MAX];

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
	else if (*n < JOINED_MAX)
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

static struct rejoin *
rejoin_find(struct session *s, const char *g)
{
	for (size_t i = 0; i < s->nrejoin; i++)
		if (strcasecmp(s->rejoin[i].name, g) == 0)
			return &s->rejoin[i];
	return NULL;
}

/*
 * The connection dropped while logged in: remember the groups to rejoin
 * and what each was (its owner, its mode), to tell after the reconnect
 * whether a group of that name is still the one the user was in.  A
 * group still waiting from an earlier reconnect keeps what was known
 * before that one.
 */
static void
rejoin_remember(struct session *s)
{
	const struct group_facts *f;
	struct rejoin *r;

	s->checking = 0;
	for (size_t i = 0; i < s->njoined && s->nrejoin < JOINED_MAX; i++) {
		if (rejoin_find(s, s->joined[i]) != NULL)
			continue;
		r = &s->rejoin[s->nrejoin++];
		memset(r, 0, sizeof(*r));
		strlcpy(r->name, s->joined[i], sizeof(r->name));
		r->invite_only = -1;
		if ((f = groupinfo_find(s->info, r->name)) != NULL) {
			strlcpy(r->owner, f->owner, sizeof(r->owner));
			r->invite_only = f->invite_only;
		}
		r->owned = strcasecmp(r->owner, s->name) == 0;
	}
	for (size_t i = 0; i < s->nrejoin; i++) {
		r = &s->rejoin[i];
		r->step = REJOIN_SENT;
		r->now_owner[0] = r->why[0] = '\0';
		r->taken = 0;
		r->nsent = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Sending */

static int
send_line(struct session *s, const char *line)
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
	return send_line(s, line);
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
	int delay;

	if (s->state == CONN_CHAT)
		rejoin_remember(s);
	net_close(&s->net);
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
			send_line(s, s->name);
			return;
		}
		s->asking = ASK_NAME;
	} else if (strcmp(prompt, "password:") == 0) {
		if (s->have_password) {
			s->password_typed = 0;
			send_line(s, s->password);
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
	send_line(s, line);
	s->fe->fe_status(s->ctx);
}

/* Send command c of rejoin r; r waits for its answer after the others. */
static void
rejoin_send(struct session *s, struct rejoin *r, enum rejoin_cmd c)
{
	char cmd[64];

	switch (c) {
	case RCMD_CREATE:
		snprintf(cmd, sizeof(cmd), "/create_group %s", r->name);
		break;
	case RCMD_MODE:
		snprintf(cmd, sizeof(cmd), "/invite_only %s on", r->name);
		break;
	case RCMD_JOIN:
		snprintf(cmd, sizeof(cmd), "/join_group %s", r->name);
		break;
	}
	if (send_line(s, cmd) == 0 && r->nsent < REJOIN_CMDS)
		r->sent[r->nsent++] = c;
}

/*
 * Logged in again after a drop: rejoin every group, then ask /groups to
 * check their owners (the /users sent next ends its answer).  A group
 * this user owned is made again first: if it is gone, so that it comes
 * back as it was (invite-only included) and owned by the same user.  It
 * is joined too, at once: if someone else has it, that join says
 * whether this user may be one of its members (if it was made again,
 * the join answers already-member).  All this goes out before anything
 * the user types, and the server answers in order, one line for each
 * of these commands: so the first answers after the login are theirs
 * (rejoin_answered), and an error for a command the user typed is the
 * user's.
 */
static void
rejoin_start(struct session *s)
{
	char list[JOINED_MAX * (CLIENT_NAME_MAX + 2) + 1] = "";
	struct rejoin *r;

	s->njoined = 0;
	for (size_t i = 0; i < s->nrejoin; i++) {
		strlcat(list, " #", sizeof(list));
		strlcat(list, s->rejoin[i].name, sizeof(list));
	}
	session_note(s, SHOW_CLIENT, "reconnected as %s%s%s", s->name,
	    s->nrejoin > 0 ? "; rejoining" : "", list);
	for (size_t i = 0; i < s->nrejoin; i++) {
		r = &s->rejoin[i];
		if (r->owned)
			rejoin_send(s, r, RCMD_CREATE);
		/* At once, so that nobody can join in between. */
		if (r->owned && r->invite_only == 1)
			rejoin_send(s, r, RCMD_MODE);
		rejoin_send(s, r, RCMD_JOIN);
	}
	if (s->nrejoin > 0) {
		send_line(s, "/groups");
		s->checking = 1;
	}
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
	if (again)
		rejoin_start(s);
	/* For completion, and after a rejoin's /groups the end of its
	 * answer; the groups are known after a reconnect. */
	if (s->opt.learn_names || s->checking)
		send_line(s, "/users");
	if (s->opt.learn_names && !again)
		send_line(s, "/groups");
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

/* An error after which the server closes the connection: no answer. */
static int
closing_error(const char *code)
{
	return strcmp(code, "closed") == 0 || strcmp(code, "idle-timeout") == 0 ||
	    strcmp(code, "flood") == 0;
}

/*
 * The rejoin whose command l answers, or NULL.  The rejoin's commands
 * went out before any the user typed, group after group, and each has
 * one answer line: an error, or its notice ("created #G", "#G is now
 * invite-only", "joined #G").  So while one waits, an error answers the
 * first command still waiting, whatever group it names (too-many-groups
 * names none); once none waits, errors are the user's.
 */
static struct rejoin *
rejoin_answered(struct session *s, const struct line *l)
{
	struct rejoin *r = NULL;
	struct notice n;

	for (size_t i = 0; i < s->nrejoin && r == NULL; i++)
		if (s->rejoin[i].nsent > 0)
			r = &s->rejoin[i];
	if (r == NULL || (l->kind == LINE_ERROR && closing_error(l->code)))
		return NULL;
	if (l->kind == LINE_ERROR)
		return r;
	if (l->kind != LINE_NOTICE)
		return NULL;
	proto_notice(l->text, &n);
	if (strcasecmp(n.group, r->name) != 0)
		return NULL;
	switch (r->sent[0]) {
	case RCMD_CREATE:
		return n.kind == NOTICE_CREATED ? r : NULL;
	case RCMD_MODE:
		return n.kind == NOTICE_GROUP_MODE ? r : NULL;
	case RCMD_JOIN:
		return n.kind == NOTICE_YOU_JOINED ? r : NULL;
	}
	return NULL;
}

/* What the join of rejoin r answered (l: its notice or its error). */
static void
rejoin_joined(struct session *s, struct rejoin *r, const struct line *l)
{
	const char *c = l->kind == LINE_ERROR ? l->code : "";

	if (l->kind != LINE_ERROR || strcmp(c, "already-member") == 0) {
		r->step = r->taken ? REJOIN_TAKEN : REJOIN_JOINED;
		group_add(s->joined, &s->njoined, r->name);
		s->fe->fe_status(s->ctx);
	} else if (strcmp(c, "no-such-group") == 0 && !r->owned) {
		r->step = REJOIN_GONE;
	} else {
		r->step = REJOIN_FAILED;
		/* Gone, and not made again: the create said why. */
		if (r->why[0] == '\0' || strcmp(c, "no-such-group") != 0)
			strlcpy(r->why, l->text, sizeof(r->why));
	}
}

/* Line l answers the first command rejoin r waits for. */
static void
rejoin_take(struct session *s, struct rejoin *r, const struct line *l)
{
	enum rejoin_cmd c = r->sent[0];

	r->nsent--;
	memmove(r->sent, r->sent + 1, r->nsent * sizeof(r->sent[0]));
	if (c == RCMD_CREATE && l->kind != LINE_ERROR)
		r->step = REJOIN_CREATED;
	else if (c == RCMD_CREATE && strcmp(l->code, "group-exists") == 0)
		r->taken = 1;		/* ours once: the join tells the rest */
	else if (c == RCMD_CREATE)
		strlcpy(r->why, l->text, sizeof(r->why));
	else if (c == RCMD_JOIN && r->step == REJOIN_SENT)
		rejoin_joined(s, r, l);
	/* The mode after a failed create fails too; a join after a
	 * create that worked answers already-member. */
}

/*
 * Group g may not be the group the user was in (what says why, for the
 * status line).  If plain lines went to it, they go to everyone now, and
 * the next one is held back once: what was meant for the group is not
 * said to everyone (or to whoever made the group again) unawares.
 */
static void
rejoin_warn(struct session *s, const char *g, const char *what)
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

/* What became of one group, once /groups has answered. */
static void
rejoin_settle(struct session *s, const struct rejoin *r)
{
	const char *g = r->name, *now = r->now_owner, *was = r->owner;
	char what[64];

	switch (r->step) {
	case REJOIN_JOINED:
		if (was[0] != '\0' && strcasecmp(was, now) == 0) {
			session_note(s, SHOW_CLIENT, "rejoined #%s", g);
			return;
		}
		if (was[0] == '\0')
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but cannot "
			    "tell whether it is the group you were in: its owner "
			    "was not known (now %s)", g, now[0] ? now : "unknown");
		else if (now[0] == '\0')
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but cannot "
			    "check its owner (it was %s)", g, was);
		else
			session_note(s, SHOW_CLIENT_ERROR, "rejoined #%s, but it "
			    "belongs to %s now, not %s: it may not be the group you "
			    "were in", g, now, was);
		snprintf(what, sizeof(what), "owner now %s", now[0] ? now : "unknown");
		break;
	case REJOIN_CREATED:
		session_note(s, SHOW_CLIENT_ERROR, "#%s was gone: made it again%s; "
		    "nobody else is in it now", g, r->invite_only == 1 ?
		    ", invite-only again" : "");
		snprintf(what, sizeof(what), "made again");
		break;
	case REJOIN_TAKEN:
		session_note(s, SHOW_CLIENT_ERROR, "#%s exists again but belongs "
		    "to %s now, not you; joined it as one of its members", g,
		    now[0] ? now : "someone else");
		snprintf(what, sizeof(what), "owner now %s", now[0] ? now : "unknown");
		break;
	case REJOIN_GONE:
		session_note(s, SHOW_CLIENT_ERROR, "#%s is gone and was not yours: "
		    "not made again (it would be open to everyone); /create_group "
		    "%s makes it", g, g);
		snprintf(what, sizeof(what), "gone");
		break;
	case REJOIN_FAILED:
		if (r->taken) {
			session_note(s, SHOW_CLIENT_ERROR, "#%s exists again but "
			    "belongs to %s now, not you, and you may not join it: "
			    "%s", g, now[0] ? now : "someone else", r->why);
			snprintf(what, sizeof(what), "owner now %s, not rejoined",
			    now[0] ? now : "unknown");
			break;
		}
		/* FALLTHROUGH */
	case REJOIN_SENT:
		session_note(s, SHOW_CLIENT_ERROR, "could not rejoin #%s: %s", g,
		    r->why[0] ? r->why : "no answer");
		snprintf(what, sizeof(what), "not rejoined");
		break;
	}
	rejoin_warn(s, g, what);
}

/* The end of the rejoin's /groups answer. */
static void
rejoin_check(struct session *s)
{
	s->checking = 0;
	for (size_t i = 0; i < s->nrejoin; i++)
		rejoin_settle(s, &s->rejoin[i]);
	s->nrejoin = 0;
	s->fe->fe_status(s->ctx);
}

static void
chat_error(struct session *s, const struct line *l)
{
	if (closing_error(l->code)) {
		s->final = 1;
		strlcpy(s->drop_why, l->text, sizeof(s->drop_why));
	}
}

static void
chat_notice(struct session *s, const struct line *l)
{
	struct rejoin *r;
	struct notice n;

	proto_notice(l->text, &n);
	switch (n.kind) {
	case NOTICE_YOU_JOINED:
	case NOTICE_CREATED:
		group_add(s->joined, &s->njoined, n.group);
		s->fe->fe_status(s->ctx);
		break;
	case NOTICE_GROUP_INFO:
		if (s->checking && (r = rejoin_find(s, n.group)) != NULL)
			strlcpy(r->now_owner, n.name, sizeof(r->now_owner));
		break;
	case NOTICE_USERS:
		if (s->checking)
			rejoin_check(s);
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
	struct rejoin *r;
	struct line l;
	struct notice n;

	proto_parse(raw, &l);
	names_learn(s->names, &l);
	if (s->state == CONN_CHAT)
		groupinfo_learn(s->info, &l, s->name);
	if (s->state == CONN_CHAT && (r = rejoin_answered(s, &l)) != NULL) {
		rejoin_take(s, r, &l);
		if (l.kind == LINE_ERROR)
			return;		/* the check says what came of it */
	}
	s->fe->fe_show(s->ctx, l.kind == LINE_CHAT ? SHOW_CHAT :
	    l.kind == LINE_PRIVATE ? SHOW_PRIVATE : l.kind == LINE_GROUP ?
	    SHOW_GROUP : l.kind == LINE_ERROR ? SHOW_ERROR : SHOW_NOTICE,
	    raw, &l);
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
		proto_notice(l.text, &n);
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
	if (s->state == CONN_CHAT && s->target == TARGET_GROUP && s->checking &&
	    rejoin_find(s, s->target_name) != NULL) {
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
	send_line(s, line);
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

/*
 * wschat.c -- a WebSocket user: the login, its JSON commands, its events.
 *
 * Owns the mapping of doc/web.md's client messages to the core's actions
 * (chatcore/core.h) and of their results to {"type":"ok"} or
 * {"type":"error"} with the line protocol's codes; the login dialogue (a
 * guest enters at once, a registered name is asked {"type":"password"});
 * and the drain of the log into message, join, leave and notice events.
 * No chat rule lives here.  JSON is read with jansson.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <string.h>

#include "log.h"
#include "web.h"

#define ID_JSON_MAX	256	/* longest "id" echoed back */
#define GROUPS_ROOM	1024	/* members listed per group */

/* What one command sees. */
struct request {
	struct web	*w;
	json_t		*msg;
	char		 id[ID_JSON_MAX + 1];	/* the "id" as JSON, or "" */
	struct core_user u;
};

static void
send_json(struct web *w, const char *json, size_t len)
{
	if (len == 0)
		log_warnx("%s: an answer did not fit its buffer", w->client.peer);
	else
		ws_send_text(w, json, len);
}

static void
answer(struct request *q, const struct core_result *r)
{
	send_json(q->w, q->w->json, event_result_json(r,
	    q->id[0] ? q->id : NULL, q->w->json, q->w->json_size));
	if (r->lagging)
		wschat_wakeup(q->w);	/* a sender lags behind its own lines */
}

static void
answer_status(struct request *q, enum core_status status, const char *text)
{
	struct core_result r;

	core_result_set(&r, status);
	r.text = text;
	answer(q, &r);
}

/* A string member, or NULL (and a usage error answered) if missing. */
static const char *
field(struct request *q, const char *key, const char *usage)
{
	json_t *v = json_object_get(q->msg, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (usage != NULL)
		answer_status(q, CR_USAGE, usage);
	return NULL;
}

/*
 * The "text" of a chat line, checked by the core, in the connection's
 * text buffer (the core cuts it in place); its length, or -1 answered.
 */
static long
chat_text(struct request *q, const char *usage)
{
	json_t *v = json_object_get(q->msg, "text");
	struct core_result r;
	size_t len;

	if (!json_is_string(v)) {
		answer_status(q, CR_USAGE, usage);
		return -1;
	}
	len = json_string_length(v);
	core_check_text(&q->u, json_string_value(v), len, &r);
	if (r.status != CR_OK) {
		answer(q, &r);
		return -1;
	}
	memcpy(q->w->text, json_string_value(v), len);
	return (long)len;
}

static void
cmd_say(struct request *q)
{
	struct core_result r;
	long len;

	if ((len = chat_text(q, "{\"type\":\"say\",\"text\":TEXT}")) < 0)
		return;
	core_say_all(&q->u, q->w->text, (size_t)len, &r);
	answer(q, &r);
}

static void
cmd_msg(struct request *q)
{
	static const char usage[] = "{\"type\":\"msg\",\"to\":USER,\"text\":TEXT}";
	const char *to = field(q, "to", usage);
	struct core_result r;
	long len;

	if (to == NULL || (len = chat_text(q, usage)) < 0)
		return;
	core_msg(&q->u, to, q->w->text, (size_t)len, &r);
	answer(q, &r);
}

static void
cmd_group_msg(struct request *q)
{
	static const char usage[] =
	    "{\"type\":\"group_msg\",\"group\":GROUP,\"text\":TEXT}";
	const char *group = field(q, "group", usage);
	struct core_result r;
	long len;

	if (group == NULL || (len = chat_text(q, usage)) < 0)
		return;
	core_group_msg(&q->u, group, q->w->text, (size_t)len, &r);
	answer(q, &r);
}

/* create_group, join_group, leave_group: one group named. */
static void
cmd_group(struct request *q, void (*act)(const struct core_user *,
    const char *, struct core_result *), const char *usage)
{
	const char *group = field(q, "group", usage);
	struct core_result r;

	if (group == NULL)
		return;
	act(&q->u, group, &r);
	answer(q, &r);
}

static void
cmd_create_group(struct request *q)
{
	cmd_group(q, core_create_group, "{\"type\":\"create_group\",\"group\":GROUP}");
}

static void
cmd_join_group(struct request *q)
{
	const char *group = field(q, "group", "{\"type\":\"join_group\","
	    "\"group\":GROUP}");
	struct core_result r;

	if (group == NULL)
		return;
	core_join_group(&q->u, group, &r);
	answer(q, &r);
	if (r.status == CR_JOINED)
		history_replay(q->w, &r);
}

/* {"type":"history","target":"#group"|USER,"limit":N}: both optional. */
static void
cmd_history(struct request *q)
{
	json_t *target = json_object_get(q->msg, "target");
	json_t *limit = json_object_get(q->msg, "limit");
	struct core_result r;

	if ((target != NULL && !json_is_string(target) && !json_is_null(target)) ||
	    (limit != NULL && !json_is_integer(limit))) {
		answer_status(q, CR_USAGE, "{\"type\":\"history\",\"target\":"
		    "\"#group\"|USER,\"limit\":N}");
		return;
	}
	wschat_wakeup(q->w);
	history_request(q->w, json_is_string(target) ? json_string_value(target) :
	    "", limit != NULL ? json_integer_value(limit) : 0, q->id, &r);
	if (r.status != CR_OK)
		answer(q, &r);
}

static void
cmd_leave_group(struct request *q)
{
	cmd_group(q, core_leave_group, "{\"type\":\"leave_group\",\"group\":GROUP}");
}

static void
cmd_kick(struct request *q)
{
	static const char usage[] =
	    "{\"type\":\"kick\",\"group\":GROUP,\"user\":USER[,\"reason\":TEXT]}";
	const char *group = field(q, "group", usage), *user, *reason;
	char because[SHM_REASON_MAX + 1] = "";
	struct core_result r;

	if (group == NULL || (user = field(q, "user", usage)) == NULL)
		return;
	if ((reason = field(q, "reason", NULL)) != NULL) {
		core_check_text(&q->u, reason, strlen(reason), &r);
		if (r.status != CR_OK) {
			answer(q, &r);
			return;
		}
		strlcpy(because, reason, sizeof(because));
	}
	core_kick(&q->u, group, user, because, &r);
	answer(q, &r);
}

static void
cmd_invite(struct request *q)
{
	static const char usage[] =
	    "{\"type\":\"invite\",\"group\":GROUP,\"user\":USER}";
	const char *group = field(q, "group", usage), *user;
	struct core_result r;

	if (group == NULL || (user = field(q, "user", usage)) == NULL)
		return;
	core_invite(&q->u, group, user, &r);
	answer(q, &r);
}

static void
cmd_invite_only(struct request *q)
{
	static const char usage[] =
	    "{\"type\":\"invite_only\",\"group\":GROUP,\"on\":true|false}";
	const char *group = field(q, "group", usage);
	json_t *on = json_object_get(q->msg, "on");
	struct core_result r;

	if (group == NULL)
		return;
	if (!json_is_boolean(on)) {
		answer_status(q, CR_USAGE, usage);
		return;
	}
	core_set_invite_only(&q->u, group, json_is_true(on), &r);
	answer(q, &r);
}

/* The listing's JSON, with the id; the buffer grows as it must. */
static void
send_listing(struct request *q, json_t *o)
{
	char *text;

	if (q->id[0] != '\0')
		json_object_set_new(o, "id", json_loads(q->id, JSON_DECODE_ANY, NULL));
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("out of memory");
	ws_send_text(q->w, text, strlen(text));
	free(text);
	json_decref(o);
}

static void
cmd_users(struct request *q)
{
	json_t *list = json_array();
	const char *prefix = field(q, "prefix", NULL);
	struct user_view v;
	uint32_t cursor = 0;

	if (prefix == NULL)
		prefix = "";
	while (core_users_next(&q->u, prefix, &cursor, &v)) {
		json_t *user = json_pack("{s:s, s:s}", "name", v.name,
		    "transport", shm_transport_name(v.transport));

		if (v.node[0] != '\0')
			json_object_set_new(user, "node", json_string(v.node));
		json_array_append_new(list, user);
	}
	send_listing(q, json_pack("{s:s, s:o}", "type", "users", "users", list));
}

static void
cmd_groups(struct request *q)
{
	static char member[GROUPS_ROOM][SHM_NAME_MAX + 1];
	json_t *list = json_array(), *members;
	const char *prefix = field(q, "prefix", NULL);
	struct group_view g = { .room = GROUPS_ROOM, .member = member };
	uint32_t cursor = 0;

	if (prefix == NULL)
		prefix = "";
	while (core_groups_next(&q->u, prefix, &cursor, &g)) {
		members = json_array();
		for (uint32_t i = 0; i < g.copied; i++)
			json_array_append_new(members, json_string(g.member[i]));
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:i, s:o}",
		    "name", g.name, "owner", g.owner, "invite_only", g.invite_only,
		    "count", (int)g.members, "members", members));
	}
	send_listing(q, json_pack("{s:s, s:o}", "type", "groups", "groups", list));
}

static void
cmd_quit(struct request *q)
{
	const char *text = field(q, "text", NULL);
	char copy[SHM_REASON_MAX + 1], reason[SHM_REASON_MAX];

	strlcpy(copy, text != NULL ? text : "", sizeof(copy));
	core_quit_reason(copy, reason, sizeof(reason));
	ws_fail(q->w, 1000, reason, DISC_QUIT);
}

static const struct command {
	const char	*type;
	void		(*run)(struct request *);
} commands[] = {
	{ "say", cmd_say },
	{ "msg", cmd_msg },
	{ "group_msg", cmd_group_msg },
	{ "create_group", cmd_create_group },
	{ "join_group", cmd_join_group },
	{ "leave_group", cmd_leave_group },
	{ "kick", cmd_kick },
	{ "invite", cmd_invite },
	{ "invite_only", cmd_invite_only },
	{ "users", cmd_users },
	{ "groups", cmd_groups },
	{ "history", cmd_history },
	{ "quit", cmd_quit },
};

/* The "id" as compact JSON in q->id; -1 if it is too long. */
static int
keep_id(struct request *q)
{
	json_t *id = json_object_get(q->msg, "id");
	char *text;
	int ok;

	q->id[0] = '\0';
	if (id == NULL)
		return 0;
	if ((text = json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return -1;
	if ((ok = strlen(text) <= ID_JSON_MAX))
		strlcpy(q->id, text, sizeof(q->id));
	free(text);
	return ok ? 0 : -1;
}

static void
enter(struct web *w)
{
	struct core_result r;
	char welcome[256];

	user_enter(w, &r);
	if (r.status == CR_ALREADY_ONLINE || r.status == CR_NAME_TAKEN) {
		ws_fail(w, 1008, "User already connected", DISC_ERROR);
		return;
	}
	if (r.status != CR_OK) {
		send_json(w, w->json, event_result_json(&r, NULL, w->json,
		    w->json_size));
		ws_fail(w, 1008, core_error_info(core_result_error(r.status))->code,
		    DISC_ERROR);
		return;
	}
	w->state = WEB_WS_CHAT;
	client_arm(w->deadline_fd, 0);
	send_json(w, welcome, event_welcome_json(w, welcome, sizeof(welcome)));
	history_welcome_back(w);
	wschat_wakeup(w);
}

static void
ask_password(struct web *w)
{
	static const char ask[] = "{\"type\":\"password\"}";

	w->state = WEB_WS_LOGIN;
	ws_send_text(w, ask, sizeof(ask) - 1);
}

void
wschat_start(struct web *w, const char *name)
{
	struct core_result r;

	core_check_name(name, strlen(name), &r);
	if (r.status == CR_OK) {
		switch (user_account(w, name, &r)) {
		case ACCOUNT_GUEST:
			w->registered = 0;
			enter(w);
			return;
		case ACCOUNT_REGISTERED:
			ask_password(w);
			return;
		case ACCOUNT_REFUSED:
			break;
		}
	}
	send_json(w, w->json, event_result_json(&r, NULL, w->json, w->json_size));
	ws_fail(w, 1008, core_error_info(core_result_error(r.status))->code,
	    DISC_ERROR);
}

static void
password_given(struct request *q)
{
	const char *password = field(q, "password",
	    "{\"type\":\"login\",\"password\":PASSWORD}");
	struct core_user u;
	struct core_result r;

	if (password == NULL)
		return;
	user_core(q->w, &u);
	switch (core_password_attempt(&u, password, &q->w->auth_failures)) {
	case CR_OK:
		q->w->registered = 1;
		enter(q->w);
		return;
	case CR_AUTH_FAILED:
		ws_fail(q->w, 1008, "too many wrong passwords", DISC_AUTH);
		return;
	default:
		core_result_set(&r, CR_BAD_PASSWORD);
		strlcpy(r.user, q->w->name, sizeof(r.user));
		answer(q, &r);
		ask_password(q->w);
	}
}

void
wschat_message(struct web *w, const char *msg, size_t len)
{
	struct request q = { .w = w };
	const char *type;
	json_error_t err;

	if ((q.msg = json_loadb(msg, len, JSON_REJECT_DUPLICATES, &err)) == NULL ||
	    !json_is_object(q.msg) || keep_id(&q) == -1 ||
	    (type = field(&q, "type", NULL)) == NULL) {
		answer_status(&q, CR_USAGE, "one JSON object with a \"type\" "
		    "(and an \"id\" of at most 256 bytes) per message");
		json_decref(q.msg);
		return;
	}
	user_core(w, &q.u);
	if (w->state == WEB_WS_LOGIN) {
		if (strcmp(type, "login") == 0)
			password_given(&q);
		else
			ask_password(w);
		json_decref(q.msg);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].type, type) == 0) {
			commands[i].run(&q);
			json_decref(q.msg);
			return;
		}
	answer_status(&q, CR_UNKNOWN_COMMAND, type);
	json_decref(q.msg);
}

static int
send_event(struct web *w, const char *type, uint64_t seq, const char *json,
    size_t len)
{
	(void)type;
	(void)seq;
	return ws_send_text(w, json, len);
}

void
wschat_wakeup(struct web *w)
{
	char reason[SHM_REASON_MAX];
	int disc;

	if ((disc = events_wakeup(w, send_event, reason, sizeof(reason))) != -1)
		ws_fail(w, 1008, reason, disc);
}

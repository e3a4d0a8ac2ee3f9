/*
 * sse.c -- backends: GET /sse, an event stream, and POST /sse/push.
 *
 * Owns the bearer token's account (Authorization: Bearer, or the
 * access_token parameter an EventSource must use; lib/tokens.c; a token
 * is never logged), the event stream of a bot logged in as that account
 * (its private messages, its groups' messages, every line that
 * @mentions it, joins, leaves and notices; a comment every
 * ws_ping_interval), and a push: a line from the account to a user, a
 * group or everyone, with HTTP answers for the core's results.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jout.h"
#include "log.h"
#include "registry.h"
#include "tokens.h"
#include "web.h"

#define BEARER	"Bearer "

int
sse_token_account(struct web *w, char name[SHM_NAME_MAX + 1])
{
	const struct http_span *a = &w->req.authorization;
	char token[TOKEN_HEX_LEN + 2];
	const char *p = NULL;
	size_t len = 0;
	int n;

	if (a->len > sizeof(BEARER) - 1 &&
	    strncasecmp(a->p, BEARER, sizeof(BEARER) - 1) == 0) {
		p = a->p + sizeof(BEARER) - 1;
		len = a->len - (sizeof(BEARER) - 1);
	} else if ((n = http_query_get(w->req.query.p, w->req.query.len,
	    "access_token", token, sizeof(token))) > 0) {
		p = token;
		len = (size_t)n;
	}
	if (p == NULL)
		return 0;
	switch (tokens_lookup(w->conf.tokens_file, p, len, name)) {
	case 1:
		return 1;
	case -1:
		log_warn("%s: %s", w->client.peer, w->conf.tokens_file);
		return -1;
	}
	log_warnx("%s: a request with a wrong token", w->client.peer);
	return 0;
}

/* The account, or an answer (401, 503) and 0. */
static int
authorized(struct web *w, char name[SHM_NAME_MAX + 1])
{
	switch (sse_token_account(w, name)) {
	case 1:
		return 1;
	case -1:
		web_respond_error(w, 503, "unavailable", "tokens cannot be read");
		return 0;
	}
	web_respond(w, 401, "application/json",
	    "WWW-Authenticate: Bearer realm=\"chat\"\r\n",
	    "{\"error\":\"unauthorized\"}", 24);
	return 0;
}

static int
send_event(struct web *w, const char *type, uint64_t seq, const char *json,
    size_t len)
{
	char head[64], id[32];
	int n = snprintf(head, sizeof(head), "event: %s\ndata: ", type);
	int m = snprintf(id, sizeof(id), "\nid: %llu\n\n", (unsigned long long)seq);

	if (web_write(w, head, (size_t)n) == -1 || web_write(w, json, len) == -1 ||
	    web_write(w, id, (size_t)m) == -1)
		return -1;
	return 0;
}

void
sse_wakeup(struct web *w)
{
	char reason[SHM_REASON_MAX];
	int disc;

	if ((disc = events_wakeup(w, send_event, reason, sizeof(reason))) != -1)
		web_close(w, disc, reason);
}

void
sse_tick(struct web *w)
{
	uint64_t ticks;

	if (read(w->ping_fd, &ticks, sizeof(ticks)) == -1 || w->state != WEB_SSE)
		return;
	client_arm(w->ping_fd, w->conf.ws_ping_interval);
	web_write(w, ": ping\n\n", 8);
}

static void
start_stream(struct web *w)
{
	char head[1024], cors[600], welcome[256];
	int n;

	web_cors_header(w, cors, sizeof(cors));
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/event-stream\r\nCache-Control: no-store\r\n"
	    "X-Accel-Buffering: no\r\n%s\r\n", cors);
	if (web_write(w, head, (size_t)n) == -1)
		return;
	send_event(w, "welcome", 0, welcome,
	    event_welcome_json(w, welcome, sizeof(welcome)));
	client_arm(w->deadline_fd, 0);		/* no keep-alive deadline now */
	client_arm(client_timer(&w->client, &w->ping_fd), w->conf.ws_ping_interval);
}

void
sse_open(struct web *w)
{
	char name[SHM_NAME_MAX + 1], wanted[SHM_NAME_MAX * 3 + 1];
	struct core_result r;
	const char *why;
	int status;

	if (!web_origin_allowed(w)) {
		web_respond_error(w, 403, "forbidden", "origin not allowed");
		return;
	}
	if (!authorized(w, name))
		return;
	if (http_query_get(w->req.query.p, w->req.query.len, "user_id", wanted,
	    sizeof(wanted)) > 0 && strcasecmp(wanted, name) != 0) {
		web_respond_error(w, 403, "forbidden", "the token is not user_id's");
		return;
	}
	if ((status = user_claim(w, &why)) != 0) {
		web_respond_error(w, status, "unavailable", why);
		return;
	}
	strlcpy(w->name, name, sizeof(w->name));
	w->registered = 1;
	w->transport = TRANSPORT_SSE;
	user_enter(w, &r);
	if (r.status != CR_OK) {
		web_respond_error(w, 409, core_error_info(core_result_error(
		    r.status))->code, "User already connected");
		return;
	}
	w->state = WEB_SSE;
	start_stream(w);
	sse_wakeup(w);
}

/* The HTTP status of a push's result. */
static int
push_status(enum core_status status)
{
	switch (status) {
	case CR_OK:
		return 202;
	case CR_USER_OFFLINE:
	case CR_NO_SUCH_USER:
	case CR_NO_SUCH_GROUP:
		return 404;
	case CR_NOT_MEMBER:
		return 403;
	default:
		return 400;
	}
}

static void
push_answer(struct web *w, const struct core_result *r)
{
	const struct core_error_info *err;
	char body[1024], words[512];
	struct jout j;

	jout_start(&j, body, sizeof(body));
	jout_open(&j);
	if ((err = core_error_info(core_result_error(r->status))) == NULL) {
		jout_member_bool(&j, "delivered", 1);
		jout_member_uint(&j, "seq", r->seq);
	} else {
		core_result_text(r, words, sizeof(words));
		jout_member_str(&j, "error", err->code);
		jout_member_str(&j, "message", words);
	}
	jout_close(&j);
	web_respond(w, push_status(r->status), "application/json", NULL, body,
	    jout_finish(&j));
}

/*
 * The sender: the account's own session when it is online (so its
 * groups are its own and it is not sent its own line), else this
 * connection's slot under the account's name.
 */
static void
push_sender(struct web *w, struct core_user *u)
{
	uint32_t slot, generation;

	user_core(w, u);
	if ((slot = registry_lookup(&w->shm, w->name, &generation)) !=
	    SLOT_NONE) {
		u->slot = slot;
		u->generation = generation;
	}
}

static void
push_send(struct web *w, json_t *msg, const char *text, size_t len)
{
	const char *to = json_string_value(json_object_get(msg, "user_id"));
	const char *group = json_string_value(json_object_get(msg, "group"));
	struct core_result r;
	struct core_user u;

	push_sender(w, &u);
	core_check_text(&u, text, len, &r);
	if (r.status == CR_OK) {
		memcpy(w->text, text, len);
		if (to != NULL)
			core_msg(&u, to, w->text, len, &r);
		else if (group != NULL)
			core_group_msg(&u, group, w->text, len, &r);
		else
			core_say_all(&u, w->text, len, &r);
	}
	push_answer(w, &r);
}

void
sse_push(struct web *w, const char *body, size_t len)
{
	json_t *msg, *text;
	const char *why;
	int status;

	if (!authorized(w, w->name))
		return;
	if ((msg = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(msg) ||
	    !json_is_string(text = json_object_get(json_object_get(msg, "data"),
	    "message")) ||
	    (json_object_get(msg, "user_id") != NULL &&
	    !json_is_string(json_object_get(msg, "user_id"))) ||
	    (json_object_get(msg, "group") != NULL &&
	    !json_is_string(json_object_get(msg, "group")))) {
		web_respond_error(w, 400, "usage", "{\"user_id\":USER or "
		    "\"group\":GROUP or neither,\"data\":{\"message\":TEXT}}");
		json_decref(msg);
		return;
	}
	if ((status = user_claim(w, &why)) != 0)
		web_respond_error(w, status, "unavailable", why);
	else {
		w->registered = 1;
		push_send(w, msg, json_string_value(text), json_string_length(text));
	}
	json_decref(msg);
}

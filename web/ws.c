/*
 * ws.c -- the WebSocket (RFC 6455): the upgrade, frames in, pings.
 *
 * Owns the handshake (the request checked, Sec-WebSocket-Accept from
 * libmd's SHA-1), the wslay context over the client's socket (wslay does
 * the framing: masking, fragments, control frames, the close handshake,
 * the size limit with 1009), what this door adds to it (text only: a
 * binary message closes with 1003; every text message is checked as
 * UTF-8, 1007; one message a token of the flood bucket, reading paused
 * while it is empty), and the pings every ws_ping_interval that a client
 * must answer within ws_ping_timeout.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <sha1.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "text.h"
#include "web.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN	24	/* base64 of 16 bytes */
/* Room around a message's text for its JSON: type, names, id. */
#define WS_ENVELOPE	1024

static void
base64(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = digits[v >> 6 & 63];
		out[o++] = digits[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = i + 1 < len ? digits[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static void
accept_key(const struct http_span *key, char out[29])
{
	unsigned char digest[SHA1_DIGEST_LENGTH];
	SHA1_CTX ctx;

	SHA1Init(&ctx);
	SHA1Update(&ctx, (const uint8_t *)key->p, key->len);
	SHA1Update(&ctx, (const uint8_t *)WS_GUID, sizeof(WS_GUID) - 1);
	SHA1Final(digest, &ctx);
	base64(digest, sizeof(digest), out);
}

/* The client's bytes: first those read with the request head. */
static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *data)
{
	struct web *w = data;
	ssize_t n;

	(void)flags;
	if (w->in_len > 0) {
		n = (ssize_t)(len < w->in_len ? len : w->in_len);
		memcpy(buf, w->in, (size_t)n);
		memmove(w->in, w->in + n, w->in_len - (size_t)n);
		w->in_len -= (size_t)n;
		return n;
	}
	if (w->throttled) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if ((n = read(w->client.in_fd, buf, len)) > 0) {
		atomic_store(&shm_slot(&w->shm, w->slot)->s_last_active, time(NULL));
		return n;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (n == 0)
		w->in_eof = 1;
	else
		w->read_error = 1;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
    void *user)
{
	struct web *w = user;

	(void)flags;
	if (web_write(w, (const char *)data, len) == -1) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)len;
}

static void
throttle(struct web *w)
{
	struct itimerspec its;
	long long wait_ns = bucket_wait_ns(&w->bucket);

	w->throttled = 1;
	atomic_fetch_add_explicit(&w->shm.hdr->st_throttled, 1,
	    memory_order_relaxed);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = wait_ns / 1000000000LL;
	its.it_value.tv_nsec = wait_ns % 1000000000LL;
	if (timerfd_settime(client_timer(&w->client, &w->throttle_fd), 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

static void
message_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m,
    void *user)
{
	struct web *w = user;

	(void)ctx;
	switch (m->opcode) {
	case WSLAY_TEXT_FRAME:
		/* wslay checks as frames come; this is the door's own word. */
		if (text_check((const char *)m->msg, m->msg_length) ==
		    TEXT_BAD_UTF8) {
			ws_fail(w, 1007, "text is not valid UTF-8", DISC_ERROR);
			return;
		}
		/* The message is handled; the next waits for a token. */
		if (!bucket_take(&w->bucket))
			throttle(w);
		wschat_message(w, (const char *)m->msg, m->msg_length);
		return;
	case WSLAY_BINARY_FRAME:
		ws_fail(w, 1003, "binary messages are not accepted", DISC_ERROR);
		return;
	case WSLAY_PONG:
		w->ping_unanswered = 0;
		if (w->state == WEB_WS_CHAT)
			client_arm(w->deadline_fd, 0);
		return;
	case WSLAY_CONNECTION_CLOSE:
		if (m->msg_length == 1) {	/* a code is two bytes */
			ws_abort(w, 1002, "close body of one byte");
			return;
		}
		/* wslay answers the close; the user leaves now. */
		web_close(w, DISC_QUIT, m->status_code == 0 ||
		    m->status_code == 1000 || m->status_code == 1001 ?
		    "closed by the client" : "closed by the client with an error");
		return;
	}
}

/* 0, or the HTTP status the upgrade request gets. */
static int
check_upgrade(const struct web *w, const char **why)
{
	const struct http_request *r = &w->req;

	if (r->method != HTTP_GET)
		return *why = "a WebSocket opens with GET", 405;
	if (!web_origin_allowed(w))
		return *why = "origin not allowed", 403;
	if (r->minor_version < 1 || r->host.len == 0 ||
	    !http_span_is(r->upgrade, "websocket") || !r->connection_upgrade)
		return *why = "not a WebSocket upgrade (Upgrade: websocket, "
		    "Connection: Upgrade, HTTP/1.1, Host)", 400;
	if (!http_span_is(r->ws_version, "13"))
		return *why = "Sec-WebSocket-Version must be 13", 426;
	if (r->ws_key.len != WS_KEY_LEN || r->ws_key.p[WS_KEY_LEN - 2] != '=' ||
	    r->ws_key.p[WS_KEY_LEN - 1] != '=')
		return *why = "Sec-WebSocket-Key is not 16 bytes in base64", 400;
	return 0;
}

static void
start_framing(struct web *w)
{
	static const struct wslay_event_callbacks callbacks = {
		.recv_callback = recv_cb,
		.send_callback = send_cb,
		.on_msg_recv_callback = message_cb,
	};

	if (wslay_event_context_server_init(&w->ws, &callbacks, w) != 0)
		fatalx("out of memory");
	wslay_event_config_set_max_recv_msg_length(w->ws,
	    (uint64_t)w->shm.geo.max_line + WS_ENVELOPE);
	bucket_init(&w->bucket, w->conf.rate_msgs, w->conf.rate_burst);
	client_arm(client_timer(&w->client, &w->ping_fd), w->conf.ws_ping_interval);
}

void
ws_open(struct web *w)
{
	static const char version[] = "{\"error\":\"bad-upgrade\","
	    "\"message\":\"Sec-WebSocket-Version must be 13\"}";
	char name[SHM_NAME_MAX * 3 + 1], head[256], key[29];
	const char *why = NULL;
	int status, n;

	if ((status = check_upgrade(w, &why)) == 426) {
		web_respond(w, 426, "application/json",
		    "Sec-WebSocket-Version: 13\r\n", version, sizeof(version) - 1);
		return;
	}
	if (status != 0) {
		web_respond_error(w, status, "bad-upgrade", why);
		return;
	}
	if (http_query_get(w->req.query.p, w->req.query.len, "user_id", name,
	    sizeof(name)) < 1) {
		web_respond_error(w, 400, "usage", "ws?user_id=NAME");
		return;
	}
	if ((status = user_claim(w, &why)) != 0) {
		web_respond_error(w, status, "unavailable", why);
		return;
	}
	accept_key(&w->req.ws_key, key);
	n = snprintf(head, sizeof(head), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", key);
	if (web_write(w, head, (size_t)n) == -1)
		return;
	w->transport = TRANSPORT_WS;
	w->state = WEB_WS_LOGIN;
	client_arm(w->deadline_fd, w->conf.login_timeout);
	start_framing(w);
	wschat_start(w, name);
}

void
ws_read(struct web *w)
{
	int rc;

	if (w->ws == NULL || w->state == WEB_CLOSING)
		return;
	rc = wslay_event_recv(w->ws);
	if (w->state == WEB_CLOSING)
		return;
	if (rc != 0 && w->in_eof)
		web_close(w, DISC_QUIT, "connection closed");
	else if (rc != 0 && w->read_error)
		web_close(w, DISC_ERROR, "read error");
	else if (rc != 0)
		ws_abort(w, 1002, "protocol error");	/* see wsframe.c */
	else if (!wslay_event_want_read(w->ws))
		/* wslay failed the connection with its close code. */
		web_close(w, DISC_ERROR, "WebSocket protocol error");
}

void
ws_ping_tick(struct web *w)
{
	static const struct wslay_event_msg ping = { WSLAY_PING,
	    (const uint8_t *)"chat", 4 };
	uint64_t ticks;

	if (read(w->ping_fd, &ticks, sizeof(ticks)) == -1 || w->ws == NULL ||
	    w->state == WEB_CLOSING)
		return;
	client_arm(w->ping_fd, w->conf.ws_ping_interval);
	if (w->state != WEB_WS_CHAT || w->ping_unanswered)
		return;
	if (wslay_event_queue_msg(w->ws, &ping) == 0) {
		w->ping_unanswered = 1;
		client_arm(w->deadline_fd, w->conf.ws_ping_timeout);
	}
}

void
ws_deadline(struct web *w)
{
	if (w->state == WEB_WS_LOGIN)
		ws_fail(w, 1008, "login timeout", DISC_TIMEOUT);
	else if (w->state == WEB_WS_CHAT && w->ping_unanswered)
		ws_fail(w, 1001, "ping timeout", DISC_TIMEOUT);
}

void
ws_resume(struct web *w)
{
	uint64_t ticks;

	if (read(w->throttle_fd, &ticks, sizeof(ticks)) == -1)
		return;
	w->throttled = 0;
	ws_read(w);
}

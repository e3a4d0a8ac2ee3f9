/*
 * ws.c -- the WebSocket (RFC 6455): the upgrade, frames in, pings.
 *
 * Owns the handshake (the request checked, Sec-WebSocket-Accept from
 * libmd's SHA-1), reading the client's bytes through the frame reader
 * (wsread.c: every protocol rule and its close code), what each frame
 * means here (a text message to wschat.c, one token of the flood bucket
 * each, reading paused while it is empty; a ping answered; a pong
 * awaited; the close answered), and the pings every ws_ping_interval
 * that a client must answer within ws_ping_timeout.
 */

#include <errno.h>
#include <sha1.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "text.h"
#include "web.h"
#include "wsread.h"

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

static void
throttle(struct web *w)
{
	w->throttled = 1;
	atomic_fetch_add_explicit(&w->shm.hdr->st_throttled, 1,
	    memory_order_relaxed);
	client_arm_ns(client_timer(&w->client, &w->throttle_fd),
	    bucket_wait_ns(&w->bucket));
}

/* The client closed: its code echoed (none if it gave none), and gone. */
static void
close_answered(struct web *w, uint16_t code)
{
	char body[2] = { (char)(code >> 8), (char)(code & 0xff) };

	ws_send_frame(w, WS_OP_CLOSE, body, code != 0 ? 2 : 0);
	web_close(w, DISC_QUIT, code == 0 || code == 1000 || code == 1001 ?
	    "closed by the client" : "closed by the client with an error");
}

/* What one thing the reader found means; 0, or -1 to stop reading. */
static int
handle(struct web *w, const struct ws_in *in)
{
	switch (in->kind) {
	case WS_IN_MORE:
		return 0;
	case WS_IN_TEXT:
		/* The message is handled; the next waits for a token. */
		if (!bucket_take(&w->bucket))
			throttle(w);
		wschat_message(w, in->text, in->len);
		return w->throttled ? -1 : 0;
	case WS_IN_PING:
		ws_send_frame(w, WS_OP_PONG, in->text, in->len);
		return 0;
	case WS_IN_PONG:
		w->ping_unanswered = 0;
		if (w->state == WEB_WS_CHAT)
			client_arm(w->deadline_fd, 0);
		return 0;
	case WS_IN_CLOSE:
		close_answered(w, in->code);
		return -1;
	case WS_IN_FAIL:
		ws_fail(w, in->code, in->why, DISC_ERROR);
		return -1;
	}
	return -1;
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
	size_t max = (size_t)w->shm.geo.max_line + WS_ENVELOPE;

	if ((w->ws_msg = malloc(max)) == NULL)
		fatal("message buffer");
	ws_reader_init(&w->reader_ws, w->ws_msg, max);
	w->upgraded = 1;
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

/* Hand the bytes held in w->in to the reader, as far as they go. */
static void
read_held(struct web *w)
{
	struct ws_in in;
	size_t at = 0, used;

	while (at < w->in_len && w->state != WEB_CLOSING && !w->throttled) {
		ws_reader_next(&w->reader_ws, w->in + at, w->in_len - at, &used, &in);
		at += used;
		if (handle(w, &in) == -1)
			break;
	}
	memmove(w->in, w->in + at, w->in_len - at);
	w->in_len -= at;
}

void
ws_read(struct web *w)
{
	ssize_t n;

	read_held(w);
	while (w->state != WEB_CLOSING && !w->throttled && w->in_len == 0) {
		n = read(w->client.in_fd, w->in, w->in_size);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			w->in_eof = n == 0;
			web_close(w, n == 0 ? DISC_QUIT : DISC_ERROR,
			    n == 0 ? "connection closed" : "read error");
			return;
		}
		atomic_store(&shm_slot(&w->shm, w->slot)->s_last_active, time(NULL));
		w->in_len = (size_t)n;
		read_held(w);
	}
}

void
ws_ping_tick(struct web *w)
{
	uint64_t ticks;

	if (read(w->ping_fd, &ticks, sizeof(ticks)) == -1 || !w->upgraded ||
	    w->state == WEB_CLOSING)
		return;
	client_arm(w->ping_fd, w->conf.ws_ping_interval);
	if (w->state != WEB_WS_CHAT || w->ping_unanswered)
		return;
	if (ws_send_frame(w, WS_OP_PING, "chat", 4) == 0) {
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

/*
 * conn.c -- chat-web's connection: the epoll set, its timers, the
 * output queue, closing, and whole HTTP responses.
 *
 * Owns what every other file of chat-web shares below the protocols.
 * It calls nothing above it.
 */
#include <stdatomic.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jout.h"
#include "log.h"
#include "web.h"

void
web_update_events(struct web *w)
{
	client_update_events(&w->client, !w->in_eof && w->state != WEB_CLOSING,
	    outq_pending(&w->out) > 0);
}

int
web_write(struct web *w, const char *data, size_t len)
{
	struct outq_piece piece = { data, len };

	return web_write_pieces(w, &piece, 1);
}

int
web_write_pieces(struct web *w, const struct outq_piece *p, size_t n)
{
	if (w->out_full)
		return -1;
	if (outq_append_pieces(&w->out, p, n) == 0)
		return 0;
	/*
	 * Nothing more: the queue holds whole frames or events (appends are
	 * all or nothing), written out while the connection lingers.
	 */
	w->out_full = 1;
	web_close(w, DISC_SENDQ, "SendQ exceeded");
	return -1;
}

int
web_flush(struct web *w)
{
	switch (outq_flush(&w->out, w->client.out_fd)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		web_close(w, DISC_ERROR, "write error");
		return 0;	/* nothing more can be written */
	}
}

void
web_close(struct web *w, int disc_reason, const char *why)
{
	if (w->state == WEB_CLOSING)
		return;
	if (w->state == WEB_WS_CHAT || w->state == WEB_SSE ||
	    w->state == WEB_WS_LOGIN)
		user_leave(w, why);
	if (w->attached && w->state != WEB_HTTP)
		atomic_fetch_add(&w->shm.hdr->st_disconnects[disc_reason], 1);
	w->state = WEB_CLOSING;
	log_debug("%s: close%s%s: %s", w->client.peer, w->name[0] ? " " : "",
	    w->name, why);
}

int
web_origin_allowed(const struct web *w)
{
	const struct http_request *r = &w->req;
	const char *host;
	size_t skip;

	if (r->origin.len == 0)
		return 1;	/* not a browser's cross-site request */
	if (conf_origin_allowed(&w->conf, r->origin.p, r->origin.len))
		return 1;
	/* The same origin: the page chat-web served, on the host it named. */
	skip = r->origin.len > 7 && strncasecmp(r->origin.p, "http://", 7) == 0 ?
	    7 : r->origin.len > 8 && strncasecmp(r->origin.p, "https://", 8) == 0 ?
	    8 : 0;
	host = r->origin.p + skip;
	return skip > 0 && r->host.len > 0 && r->origin.len - skip == r->host.len &&
	    strncasecmp(host, r->host.p, r->host.len) == 0;
}

void
web_cors_header(const struct web *w, char *buf, size_t size)
{
	buf[0] = '\0';
	if (w->req.origin.len > 0 && w->req.origin.len < 512 &&
	    web_origin_allowed(w))
		snprintf(buf, size, "Access-Control-Allow-Origin: %.*s\r\n"
		    "Vary: Origin\r\n", (int)w->req.origin.len, w->req.origin.p);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

void
web_respond(struct web *w, int status, const char *type, const char *extra,
    const char *body, size_t len)
{
	char head[2048], cors[600];
	/* After these the rest of the bytes cannot be trusted to frame. */
	int keep = w->req.keep_alive && w->state == WEB_HTTP && status != 400 &&
	    status != 411 && status != 413 && status != 431 && status != 505;
	int n;

	web_cors_header(w, cors, sizeof(cors));
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s%s"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Connection: %s\r\n\r\n", status, status_text(status), type, len,
	    cors, extra != NULL ? extra : "", keep ? "keep-alive" : "close");
	if (n < 0 || (size_t)n >= sizeof(head))
		fatalx("response head too long");
	if (web_write(w, head, (size_t)n) == -1)
		return;
	if (w->req.method != HTTP_HEAD && len > 0 && web_write(w, body, len) == -1)
		return;
	if (!keep)
		web_close(w, DISC_QUIT, "response sent");
}

void
web_respond_error(struct web *w, int status, const char *code,
    const char *message)
{
	char body[512];
	struct jout j;
	size_t len;

	jout_start(&j, body, sizeof(body));
	jout_open(&j);
	jout_member_str(&j, "error", code);
	if (message != NULL)
		jout_member_str(&j, "message", message);
	jout_close(&j);
	len = jout_finish(&j);
	web_respond(w, status, "application/json", NULL, body, len);
}

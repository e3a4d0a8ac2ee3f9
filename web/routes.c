/*
 * routes.c -- one HTTP request: its path, its method, CORS, the errors.
 *
 * Owns the table of paths chat-web serves (doc/web.md), with the methods
 * each allows (405 with Allow: otherwise), CORS preflight answers for
 * the origins chat.conf allows, the body of a POST (Content-Length
 * required: 411; at most WEB_BODY_MAX: 413), and the answer to a request
 * head that could not be read (400, 431, 505; the connection then ends).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "web.h"

static const struct web_asset *
find_asset(const struct web *w)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (http_span_is(w->req.path, web_assets[i].path))
			return &web_assets[i];
	return NULL;
}

static int
is_asset(const struct web *w)
{
	return find_asset(w) != NULL;
}

static void
serve_asset(struct web *w)
{
	const struct web_asset *a = find_asset(w);

	if (a != NULL)
		web_respond(w, 200, a->type, NULL, (const char *)a->data, a->len);
	else
		web_respond_error(w, 404, "not-found", "no such path");
}

static void
route_push(struct web *w)
{
	const struct http_request *r = &w->req;

	if (r->has_transfer_encoding || !r->has_content_length) {
		web_respond_error(w, 411, "length-required",
		    "POST needs a Content-Length");
		return;
	}
	if (r->content_length > WEB_BODY_MAX) {
		web_respond_error(w, 413, "too-large", "the body is over 64 KiB");
		return;
	}
	sse_push(w, w->in + r->head_len, (size_t)r->content_length);
}

struct route {
	const char	*path;
	const char	*allow;		/* for 405 and OPTIONS */
	enum http_method method;
	int		 head;		/* HEAD answered as GET, without the body */
	void		(*serve)(struct web *);
};

static const struct route routes[] = {
	{ "/ws", "GET", HTTP_GET, 0, ws_open },
	{ "/sse", "GET", HTTP_GET, 0, sse_open },
	{ "/sse/push", "POST", HTTP_POST, 0, route_push },
	{ "/health", "GET, HEAD", HTTP_GET, 1, metrics_health },
	{ "/metrics", "GET, HEAD", HTTP_GET, 1, metrics_prometheus },
};

static void
preflight(struct web *w, const struct route *rt)
{
	char extra[256];

	if (w->req.origin.len == 0 || !web_origin_allowed(w)) {
		web_respond(w, 204, "text/plain", NULL, "", 0);
		return;
	}
	snprintf(extra, sizeof(extra), "Access-Control-Allow-Methods: %s, OPTIONS\r\n"
	    "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
	    "Access-Control-Max-Age: 600\r\n", rt != NULL ? rt->allow : "GET");
	web_respond(w, 204, "text/plain", extra, "", 0);
}

static int
method_fits(const struct web *w, const struct route *rt)
{
	return w->req.method == rt->method ||
	    (rt->head && w->req.method == HTTP_HEAD);
}

static void
wrong_method(struct web *w, const char *allow)
{
	char extra[128];

	snprintf(extra, sizeof(extra), "Allow: %s, OPTIONS\r\n", allow);
	web_respond(w, 405, "application/json", extra,
	    "{\"error\":\"method-not-allowed\"}", 30);
}

void
routes_request(struct web *w)
{
	const struct route *rt = NULL;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (http_span_is(w->req.path, routes[i].path))
			rt = &routes[i];
	if (w->req.method == HTTP_OPTIONS) {
		preflight(w, rt);
		return;
	}
	if (rt == NULL) {
		if (w->req.method == HTTP_GET || w->req.method == HTTP_HEAD)
			serve_asset(w);
		else if (is_asset(w))
			wrong_method(w, "GET, HEAD");
		else
			web_respond_error(w, 404, "not-found", "no such path");
		return;
	}
	if (!method_fits(w, rt)) {
		wrong_method(w, rt->allow);
		return;
	}
	rt->serve(w);
}

void
routes_bad_head(struct web *w, enum http_parse verdict)
{
	switch (verdict) {
	case HTTP_TOO_LARGE:
		web_respond_error(w, 431, "head-too-large",
		    "the request head is over 8 KiB");
		break;
	case HTTP_BAD_VERSION:
		web_respond_error(w, 505, "bad-version", "HTTP/1.1 or 1.0 only");
		break;
	default:
		web_respond_error(w, 400, "bad-request", "malformed request");
		break;
	}
	web_close(w, DISC_ERROR, "bad request");
}

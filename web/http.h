/*
 * http.h -- reading an HTTP/1.1 request head and a query string.
 *
 * Owns the parse of untrusted request bytes for chat-web: the request
 * line, the header fields chat-web acts on, and the parameters of a
 * query string.  Nothing here allocates, writes or logs; every result
 * points into the caller's buffer or is copied into the caller's
 * bounded space.  Fuzzed by fuzz/fuzz_http.c, tested by t/unit_http.c.
 */
#ifndef CHAT_WEB_HTTP_H
#define CHAT_WEB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX	8192	/* a longer head is answered 431 */
#define HTTP_FIELDS_MAX	100	/* more header fields: 431 */

/* A piece of the caller's buffer; len 0 (and p NULL) when absent. */
struct http_span {
	const char	*p;
	size_t		 len;
};

enum http_method {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OPTIONS,
	HTTP_OTHER,		/* any other token: the route answers 405 */
};

struct http_request {
	enum http_method method;
	struct http_span path;		/* the target up to '?' or its end;
					   starts with '/'; not decoded */
	struct http_span query;		/* after the first '?' (may be empty) */
	int		 minor_version;	/* HTTP/1.0 or HTTP/1.1 */
	size_t		 head_len;	/* bytes of the head, blank line included */

	/* Field values, blanks around them trimmed; the first of each. */
	struct http_span host, origin, upgrade, ws_key, ws_version,
			 authorization, last_event_id, ac_request_method;

	int		 has_content_length;
	uint64_t	 content_length;
	int		 has_transfer_encoding; /* any Transfer-Encoding */
	int		 expect_continue; /* "Expect: 100-continue" */
	int		 keep_alive;	/* 1.1 unless "Connection: close";
					   1.0 only with "keep-alive" */
	int		 connection_upgrade; /* "upgrade" among Connection's tokens */
};

enum http_parse {
	HTTP_INCOMPLETE,	/* no blank line yet, and under HTTP_HEAD_MAX */
	HTTP_DONE,		/* *req filled */
	HTTP_BAD,		/* malformed: answer 400 and close */
	HTTP_TOO_LARGE,		/* head over HTTP_HEAD_MAX or too many fields: 431 */
	HTTP_BAD_VERSION,	/* not HTTP/1.0 or 1.1: 505 */
};

/*
 * Parse the head at the start of buf (len bytes, any bytes, not
 * NUL-ended).  Lines end in CRLF or a bare LF.
 *
 * Empty lines before the request line are skipped and counted in
 * head_len, so a body starts at buf + head_len.  The target is refused
 * unless it is '/' and visible ASCII (no byte >= 0x80: browsers send
 * those percent-encoded).  A field present with an empty value has p
 * set and len 0.  Only lines ending within the first HTTP_HEAD_MAX bytes
 * are judged, so any verdict but HTTP_INCOMPLETE stays the same however
 * many bytes follow.  Unless HTTP_DONE, *req means nothing.  The caller
 * decides about what is well-formed but unwanted: no Host, a repeated
 * Host (the first is kept), a Transfer-Encoding it cannot read.
 */
enum http_parse http_parse_head(const char *buf, size_t len,
	    struct http_request *req);

/*
 * The value of parameter key in query (len bytes, as in
 * http_request.query), percent-decoded with '+' as a blank, into out
 * (size bytes, NUL-ended).  Returns its length; -1 if absent; -2 if
 * malformed (a bad %-escape, a decoded NUL or control byte) or longer
 * than size - 1.  The first of repeated keys counts.  Parameter names
 * are decoded the same way before they are compared with key; one that
 * does not decode matches nothing.
 */
int	http_query_get(const char *query, size_t len, const char *key,
	    char *out, size_t size);

/* 1 if span equals the NUL-ended s, ignoring ASCII case. */
int	http_span_is(struct http_span span, const char *s);

#endif

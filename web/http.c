/*
 * http.c -- read an HTTP/1.x request head and a query string.
 *
 * Owns the byte-level rules for what a client sends before its body:
 * the request line (origin-form only), the field lines, the few fields
 * chat-web acts on, and the parameters of a query string.  It does not
 * read sockets, route, answer, or look at a body; it never allocates,
 * writes outside the caller's buffers or logs.  The input is hostile:
 * every read is bounded by the length given.
 *
 * The head is judged line by line, and only lines that end within the
 * first HTTP_HEAD_MAX bytes are looked at.  So once a verdict other than
 * HTTP_INCOMPLETE is given, more bytes never change it.
 */
#include <limits.h>
#include <string.h>

#include "http.h"

/* What the field lines say, gathered until the blank line. */
struct head {
	struct http_request	*h_req;
	int			 h_request_line;	/* seen it */
	size_t			 h_fields;	/* field lines so far */
	int			 h_close;	/* Connection: close */
	int			 h_keep_alive;	/* Connection: keep-alive */
};

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* RFC 9110's tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Control bytes but HT, and DEL: never in a field value. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static struct http_span
span(const char *p, size_t n)
{
	struct http_span s = { p, n };

	return s;
}

/* The span without blanks at either end. */
static struct http_span
trim(struct http_span s)
{
	while (s.len > 0 && is_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && is_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

int
http_span_is(struct http_span sp, const char *s)
{
	size_t n = strlen(s);

	if (sp.len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)sp.p[i]) != lower((unsigned char)s[i]))
			return 0;
	return 1;
}

static enum http_method
method_of(struct http_span m)
{
	/* Methods are case-sensitive (RFC 9110, 9.1). */
	if (m.len == 3 && memcmp(m.p, "GET", 3) == 0)
		return HTTP_GET;
	if (m.len == 4 && memcmp(m.p, "HEAD", 4) == 0)
		return HTTP_HEAD;
	if (m.len == 4 && memcmp(m.p, "POST", 4) == 0)
		return HTTP_POST;
	if (m.len == 7 && memcmp(m.p, "OPTIONS", 7) == 0)
		return HTTP_OPTIONS;
	return HTTP_OTHER;
}

/*
 * An origin-form target: '/' first, then visible ASCII only (no blank,
 * control byte, DEL or byte >= 0x80: RFC 3986 has none of them).  Split
 * into path and query at the first '?'.
 */
static int
target(struct http_span t, struct http_request *req)
{
	const char *q;

	if (t.len == 0 || t.p[0] != '/')
		return 0;
	for (size_t i = 0; i < t.len; i++)
		if ((unsigned char)t.p[i] <= 0x20 ||
		    (unsigned char)t.p[i] >= 0x7f)
			return 0;
	if ((q = memchr(t.p, '?', t.len)) == NULL) {
		req->path = t;
		return 1;
	}
	req->path = span(t.p, (size_t)(q - t.p));
	req->query = span(q + 1, t.len - req->path.len - 1);
	return 1;
}

/* "HTTP/" DIGIT "." DIGIT: 1 and the major and minor digits, else 0. */
static int
version(struct http_span v, int *major, int *minor)
{
	if (v.len != 8 || memcmp(v.p, "HTTP/", 5) != 0 || v.p[6] != '.')
		return 0;
	if (v.p[5] < '0' || v.p[5] > '9' || v.p[7] < '0' || v.p[7] > '9')
		return 0;
	*major = v.p[5] - '0';
	*minor = v.p[7] - '0';
	return 1;
}

/* METHOD SP origin-form SP HTTP-version, each separator one SP. */
static enum http_parse
request_line(const char *p, size_t n, struct http_request *req)
{
	const char *sp1, *sp2, *end = p + n;
	int major, minor;

	if ((sp1 = memchr(p, ' ', n)) == NULL)
		return HTTP_BAD;
	if ((sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL)
		return HTTP_BAD;
	if (!is_token(p, (size_t)(sp1 - p)))
		return HTTP_BAD;
	if (!target(span(sp1 + 1, (size_t)(sp2 - sp1 - 1)), req))
		return HTTP_BAD;
	if (!version(span(sp2 + 1, (size_t)(end - sp2 - 1)), &major, &minor))
		return HTTP_BAD;
	if (major != 1 || minor > 1)
		return HTTP_BAD_VERSION;
	req->method = method_of(span(p, (size_t)(sp1 - p)));
	req->minor_version = minor;
	return HTTP_INCOMPLETE;
}

/* 1 to 18 digits, nothing else: 1 and the number, else 0. */
static int
content_length(struct http_span v, uint64_t *n)
{
	if (v.len == 0 || v.len > 18)
		return 0;
	*n = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
		*n = *n * 10 + (uint64_t)(v.p[i] - '0');
	}
	return 1;
}

/*
 * A comma list of tokens; empty elements are allowed (RFC 9110, 5.6.1).
 * 0 if an element is no token.
 */
static int
connection(struct http_span v, struct head *h)
{
	struct http_span e;
	const char *comma;

	while (v.len > 0) {
		comma = memchr(v.p, ',', v.len);
		e = span(v.p, comma ? (size_t)(comma - v.p) : v.len);
		v.len -= e.len;
		v.p += e.len;
		if (comma) {
			v.len--;
			v.p++;
		}
		e = trim(e);
		if (e.len == 0)
			continue;
		if (!is_token(e.p, e.len))
			return 0;
		if (http_span_is(e, "close"))
			h->h_close = 1;
		else if (http_span_is(e, "keep-alive"))
			h->h_keep_alive = 1;
		else if (http_span_is(e, "upgrade"))
			h->h_req->connection_upgrade = 1;
	}
	return 1;
}

/* Where a field kept by its first value goes, or NULL. */
static struct http_span *
kept_field(struct http_request *req, struct http_span name)
{
	if (http_span_is(name, "host"))
		return &req->host;
	if (http_span_is(name, "origin"))
		return &req->origin;
	if (http_span_is(name, "upgrade"))
		return &req->upgrade;
	if (http_span_is(name, "sec-websocket-key"))
		return &req->ws_key;
	if (http_span_is(name, "sec-websocket-version"))
		return &req->ws_version;
	if (http_span_is(name, "authorization"))
		return &req->authorization;
	if (http_span_is(name, "last-event-id"))
		return &req->last_event_id;
	if (http_span_is(name, "access-control-request-method"))
		return &req->ac_request_method;
	return NULL;
}

/* What a well-formed field line means for the request. */
static enum http_parse
field_value(struct head *h, struct http_span name, struct http_span value)
{
	struct http_request *req = h->h_req;
	struct http_span *kept;
	uint64_t n;

	if (http_span_is(name, "content-length")) {
		if (!content_length(value, &n))
			return HTTP_BAD;
		if (req->has_content_length && req->content_length != n)
			return HTTP_BAD;
		req->has_content_length = 1;
		req->content_length = n;
	} else if (http_span_is(name, "transfer-encoding"))
		req->has_transfer_encoding = 1;
	else if (http_span_is(name, "host") && req->host.p != NULL)
		return HTTP_BAD;	/* a second Host (RFC 9112, 3.2) */
	else if (http_span_is(name, "expect"))
		req->expect_continue = http_span_is(value, "100-continue");
	else if (http_span_is(name, "connection")) {
		if (!connection(value, h))
			return HTTP_BAD;
	} else if ((kept = kept_field(req, name)) != NULL && kept->p == NULL)
		*kept = value;
	/* Both: a way to smuggle a request past a proxy (RFC 9112, 6.1). */
	if (req->has_content_length && req->has_transfer_encoding)
		return HTTP_BAD;
	return HTTP_INCOMPLETE;
}

/*
 * name ":" OWS value OWS.  No blank before the colon (RFC 9112, 5.1),
 * none at the start of the line (obsolete line folding, 5.2).
 */
static enum http_parse
field_line(struct head *h, const char *p, size_t n)
{
	const char *colon;
	struct http_span name, value;

	if (is_blank(p[0]))
		return HTTP_BAD;
	if ((colon = memchr(p, ':', n)) == NULL)
		return HTTP_BAD;
	name = span(p, (size_t)(colon - p));
	if (!is_token(name.p, name.len))
		return HTTP_BAD;
	value = span(colon + 1, n - name.len - 1);
	for (size_t i = 0; i < value.len; i++)
		if (is_ctl((unsigned char)value.p[i]))
			return HTTP_BAD;
	value = trim(value);
	/* Present but empty stays told apart from absent: p is set. */
	return field_value(h, name, value);
}

/*
 * One line, without its LF or CRLF.  HTTP_INCOMPLETE means go on to the
 * next line; HTTP_DONE, that this was the blank line ending the head.
 */
static enum http_parse
head_line(struct head *h, const char *p, size_t n)
{
	if (!h->h_request_line) {
		if (n == 0)
			return HTTP_INCOMPLETE;	/* RFC 9112, 2.2 */
		h->h_request_line = 1;
		return request_line(p, n, h->h_req);
	}
	if (n == 0)
		return HTTP_DONE;
	if (++h->h_fields > HTTP_FIELDS_MAX)
		return HTTP_TOO_LARGE;
	return field_line(h, p, n);
}

enum http_parse
http_parse_head(const char *buf, size_t len, struct http_request *req)
{
	struct head h = { .h_req = req };
	size_t at = 0, lf, n;
	size_t limit = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	const char *nl;
	enum http_parse r;

	memset(req, 0, sizeof(*req));
	while (at < limit && (nl = memchr(buf + at, '\n', limit - at)) != NULL) {
		lf = (size_t)(nl - buf);
		n = lf - at;
		if (n > 0 && buf[lf - 1] == '\r')
			n--;
		r = head_line(&h, buf + at, n);
		at = lf + 1;
		if (r == HTTP_DONE) {
			req->head_len = at;
			req->keep_alive = !h.h_close &&
			    (req->minor_version == 1 || h.h_keep_alive);
			return HTTP_DONE;
		}
		if (r != HTTP_INCOMPLETE)
			return r;
	}
	/* Whatever ends the head now, it would end past HTTP_HEAD_MAX. */
	return len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_INCOMPLETE;
}

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The byte at *i of p (n bytes) decoded: '+' is a blank, %XY a byte.
 * Moves *i past it.  -1 on a bad escape.
 */
static int
decode_byte(const char *p, size_t n, size_t *i)
{
	int hi, lo;

	if (p[*i] == '+') {
		(*i)++;
		return ' ';
	}
	if (p[*i] != '%')
		return (unsigned char)p[(*i)++];
	if (n - *i < 3 || (hi = hex(p[*i + 1])) < 0 ||
	    (lo = hex(p[*i + 2])) < 0)
		return -1;
	*i += 3;
	return hi * 16 + lo;
}

/* 1 if the name p (n bytes), decoded, is key. */
static int
name_is(const char *p, size_t n, const char *key)
{
	size_t i = 0, k = 0;
	int c;

	while (i < n) {
		if ((c = decode_byte(p, n, &i)) < 0 || key[k] == '\0' ||
		    (unsigned char)key[k] != c)
			return 0;
		k++;
	}
	return key[k] == '\0';
}

/* The value p (n bytes) decoded into out; its length or -2. */
static int
decode_value(const char *p, size_t n, char *out, size_t size)
{
	size_t i = 0, o = 0;
	int c;

	while (i < n) {
		if ((c = decode_byte(p, n, &i)) < 0 || c < 0x20 || c == 0x7f)
			return -2;
		if (o + 1 >= size || o >= INT_MAX)
			return -2;
		out[o++] = (char)c;
	}
	if (size == 0)
		return -2;
	out[o] = '\0';
	return (int)o;
}

int
http_query_get(const char *query, size_t len, const char *key, char *out,
    size_t size)
{
	const char *amp, *eq;
	size_t at = 0, n, name_len;
	int r;

	if (size > 0)
		out[0] = '\0';
	while (at < len) {
		amp = memchr(query + at, '&', len - at);
		n = amp ? (size_t)(amp - query) - at : len - at;
		eq = memchr(query + at, '=', n);
		name_len = eq ? (size_t)(eq - query) - at : n;
		if (n > 0 && name_is(query + at, name_len, key)) {
			r = eq ? decode_value(eq + 1, n - name_len - 1, out,
			    size) : decode_value("", 0, out, size);
			if (r < 0 && size > 0)
				out[0] = '\0';
			return r;
		}
		at += n + 1;
	}
	return -1;
}

/*
 * unit_http.c -- the request-head reader and query strings (web/http.c).
 *
 * Each request of the table is parsed whole and cut at every offset: a
 * cut head must be HTTP_INCOMPLETE or get the whole head's verdict (and
 * head_len), as when a client's bytes come in several reads.  Then the
 * fields of good heads, the 8 KiB and 100-field limits, and the
 * parameters of query strings one rule at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "tap.h"

struct verdict {
	const char	*what;
	const char	*in;
	size_t		 inlen;
	enum http_parse	 want;
};

#define V(what, in, want)	{ what, in, sizeof(in) - 1, want }

static const struct verdict verdicts[] = {
	/* good heads */
	V("a GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_DONE),
	V("a GET without fields", "GET /x HTTP/1.0\r\n\r\n", HTTP_DONE),
	V("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", HTTP_DONE),
	V("CRLF and LF mixed", "GET / HTTP/1.1\nHost: a\r\n\n", HTTP_DONE),
	V("leading empty lines are skipped", "\r\n\n\r\nGET / HTTP/1.1\r\n\r\n",
	    HTTP_DONE),
	V("a lower-case method is another method", "get / HTTP/1.1\r\n\r\n",
	    HTTP_DONE),
	V("an extension method", "M-SEARCH /a HTTP/1.1\r\n\r\n", HTTP_DONE),
	V("a value with HT and UTF-8", "GET / HTTP/1.1\r\nX-A: \tcaf\xc3\xa9 "
	    "\xff\t\r\n\r\n", HTTP_DONE),
	V("an empty value", "GET / HTTP/1.1\r\nOrigin:\r\n\r\n", HTTP_DONE),
	V("a repeated equal Content-Length", "POST / HTTP/1.1\r\n"
	    "Content-Length: 5\r\nContent-Length: 005\r\n\r\n", HTTP_DONE),
	V("Content-Length of 18 digits", "POST / HTTP/1.1\r\n"
	    "Content-Length: 999999999999999999\r\n\r\n", HTTP_DONE),
	V("empty elements in Connection", "GET / HTTP/1.1\r\n"
	    "Connection: , ,close,\r\n\r\n", HTTP_DONE),
	V("tchars in a name", "GET / HTTP/1.1\r\n!#$%&'*+-.^_`|~09az: x\r\n\r\n",
	    HTTP_DONE),
	V("a target with every visible byte", "GET /!\"#$%&'()*+,-./09:;<=>?@"
	    "AZ[\\]^_`az{|}~ HTTP/1.1\r\n\r\n", HTTP_DONE),

	/* incomplete */
	V("nothing", "", HTTP_INCOMPLETE),
	V("empty lines only", "\r\n\r\n\n", HTTP_INCOMPLETE),
	V("a request line only", "GET / HTTP/1.1\r\n", HTTP_INCOMPLETE),
	V("no blank line", "GET / HTTP/1.1\r\nHost: a\r\n", HTTP_INCOMPLETE),
	V("a CR without its LF", "GET / HTTP/1.1\r\nHost: a\r\n\r",
	    HTTP_INCOMPLETE),
	V("a line being sent", "GET / HTTP/1.1\r\nHo", HTTP_INCOMPLETE),
	V("a bad line not ended yet", "GET / HTTP/1.1\r\nHo st", HTTP_INCOMPLETE),

	/* the request line */
	V("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", HTTP_BAD_VERSION),
	V("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n", HTTP_BAD_VERSION),
	V("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", HTTP_BAD_VERSION),
	V("HTTP/9.9", "GET / HTTP/9.9\r\n\r\n", HTTP_BAD_VERSION),
	V("HTTP/2", "GET / HTTP/2\r\n\r\n", HTTP_BAD),
	V("HTTP/1.10", "GET / HTTP/1.10\r\n\r\n", HTTP_BAD),
	V("http/1.1 in lower case", "GET / http/1.1\r\n\r\n", HTTP_BAD),
	V("no version", "GET /\r\n\r\n", HTTP_BAD),
	V("a blank after the version", "GET / HTTP/1.1 \r\n\r\n", HTTP_BAD),
	V("garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n",
	    HTTP_BAD),
	V("absolute-form", "GET http://a/ HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("asterisk-form", "OPTIONS * HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("authority-form", "CONNECT a:443 HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("HTTP/2's preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP_BAD),
	V("two blanks after the method", "GET  / HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("two blanks before the version", "GET /  HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("HT for SP", "GET\t/ HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a blank first", " GET / HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a method that is no token", "G@T / HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("no method", " / HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a control byte in the target", "GET /a\x01 HTTP/1.1\r\n\r\n",
	    HTTP_BAD),
	V("DEL in the target", "GET /a\x7f HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a NUL in the target", "GET /a\0b HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a byte >= 0x80 in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
	    HTTP_BAD),
	V("HT in the target", "GET /a\tb HTTP/1.1\r\n\r\n", HTTP_BAD),
	V("a bare CR ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n",
	    HTTP_BAD),
	V("garbage beats a bad version", "G@T / HTTP/2.0\r\n\r\n",
	    HTTP_BAD),

	/* field lines */
	V("obsolete line folding", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n",
	    HTTP_BAD),
	V("folding with HT", "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", HTTP_BAD),
	V("a blank line-start after the request line",
	    "GET / HTTP/1.1\r\n Host: a\r\n\r\n", HTTP_BAD),
	V("a blank before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	    HTTP_BAD),
	V("HT before the colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", HTTP_BAD),
	V("no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", HTTP_BAD),
	V("no name", "GET / HTTP/1.1\r\n: a\r\n\r\n", HTTP_BAD),
	V("a name that is no token", "GET / HTTP/1.1\r\nX(A): a\r\n\r\n",
	    HTTP_BAD),
	V("a NUL in a value", "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", HTTP_BAD),
	V("a control byte in a value", "GET / HTTP/1.1\r\nX-A: a\x1b[m\r\n\r\n",
	    HTTP_BAD),
	V("DEL in a value", "GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n", HTTP_BAD),
	V("a bare CR in a value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
	    HTTP_BAD),
	V("CR CR LF", "GET / HTTP/1.1\r\nX-A: a\r\r\n\r\n", HTTP_BAD),
	V("a bad line before more lines", "GET / HTTP/1.1\r\nHost a\r\nX-A: b\r\n",
	    HTTP_BAD),

	/* Content-Length, Transfer-Encoding, Connection */
	V("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\n"
	    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_BAD),
	V("Transfer-Encoding and Content-Length", "POST / HTTP/1.1\r\n"
	    "transfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", HTTP_BAD),
	V("CL+TE caught before the blank line", "POST / HTTP/1.1\r\n"
	    "Transfer-Encoding: x\r\nContent-Length: 0\r\n", HTTP_BAD),
	V("Content-Length twice, different", "POST / HTTP/1.1\r\n"
	    "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", HTTP_BAD),
	V("Content-Length as a list", "POST / HTTP/1.1\r\n"
	    "Content-Length: 5, 5\r\n\r\n", HTTP_BAD),
	V("Content-Length with a sign", "POST / HTTP/1.1\r\n"
	    "Content-Length: +5\r\n\r\n", HTTP_BAD),
	V("Content-Length negative", "POST / HTTP/1.1\r\n"
	    "Content-Length: -1\r\n\r\n", HTTP_BAD),
	V("Content-Length in hex", "POST / HTTP/1.1\r\n"
	    "Content-Length: 0x10\r\n\r\n", HTTP_BAD),
	V("Content-Length empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
	    HTTP_BAD),
	V("Content-Length of 19 digits", "POST / HTTP/1.1\r\n"
	    "Content-Length: 1000000000000000000\r\n\r\n", HTTP_BAD),
	V("Content-Length that overflows 64 bits", "POST / HTTP/1.1\r\n"
	    "Content-Length: 18446744073709551617\r\n\r\n", HTTP_BAD),
	V("a blank inside Content-Length", "POST / HTTP/1.1\r\n"
	    "Content-Length: 1 2\r\n\r\n", HTTP_BAD),
	V("a Connection element that is no token", "GET / HTTP/1.1\r\n"
	    "Connection: close, \"x\"\r\n\r\n", HTTP_BAD),
	V("Connection elements split by blanks only", "GET / HTTP/1.1\r\n"
	    "Connection: keep-alive upgrade\r\n\r\n", HTTP_BAD),
};

static const char *
verdict_name(enum http_parse r)
{
	switch (r) {
	case HTTP_INCOMPLETE:
		return "INCOMPLETE";
	case HTTP_DONE:
		return "DONE";
	case HTTP_BAD:
		return "BAD";
	case HTTP_TOO_LARGE:
		return "TOO_LARGE";
	case HTTP_BAD_VERSION:
		return "BAD_VERSION";
	}
	return "?";
}

/* Parse n bytes from a buffer of exactly n, so ASan sees any overrun. */
static enum http_parse
parse(const char *in, size_t n, struct http_request *req)
{
	char *copy = malloc(n ? n : 1);
	enum http_parse r;

	if (copy == NULL)
		bail("out of memory");
	memcpy(copy, in, n);
	r = http_parse_head(copy, n, req);
	/* Spans point into copy: move them to in, which the caller keeps. */
	if (r == HTTP_DONE) {
		struct http_span *s[] = { &req->path, &req->query, &req->host,
		    &req->origin, &req->upgrade, &req->ws_key,
		    &req->ws_version, &req->authorization,
		    &req->last_event_id, &req->ac_request_method };

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			if (s[i]->p != NULL)
				s[i]->p = in + (s[i]->p - copy);
	}
	free(copy);
	return r;
}

/* The whole input, then every cut: INCOMPLETE or the same verdict. */
static void
check_verdict(const char *what, const char *in, size_t n,
    enum http_parse want)
{
	struct http_request req, cut;
	enum http_parse r, rc;
	int bad_cuts = 0;

	r = parse(in, n, &req);
	is_string(verdict_name(want), verdict_name(r), "%s", what);
	for (size_t k = 0; k < n; k++) {
		rc = parse(in, k, &cut);
		if (rc == HTTP_INCOMPLETE)
			continue;
		if (rc != r || (r == HTTP_DONE && cut.head_len != req.head_len)) {
			if (bad_cuts++ == 0)
				diag("cut at %zu: %s", k, verdict_name(rc));
		}
	}
	is_int(0, bad_cuts, "%s: every cut is INCOMPLETE or the same", what);
}

/* The span as a string, "(absent)" if it is. */
static const char *
str(struct http_span s)
{
	static char buf[8][256];
	static int next;
	char *b = buf[next++ % 8];

	if (s.p == NULL)
		return s.len == 0 ? "(absent)" : "(NULL with a length)";
	snprintf(b, sizeof(buf[0]), "%.*s", (int)s.len, s.p);
	return b;
}

static enum http_parse
parse_str(const char *in, struct http_request *req)
{
	return parse(in, strlen(in), req);
}

static void
test_get(void)
{
	struct http_request r;
	const char *in = "GET /events?group=lobby&since=4 HTTP/1.1\r\n"
	    "Host: chat.example:8080\r\n"
	    "User-Agent: test\r\n"
	    "Connection: keep-alive\r\n"
	    "Accept: text/event-stream\r\n"
	    "Last-Event-ID:   42 \t\r\n"
	    "Authorization: Bearer abc\r\n"
	    "\r\n";

	is_int(HTTP_DONE, parse_str(in, &r), "GET with keep-alive: DONE");
	is_int(HTTP_GET, r.method, "... method GET");
	is_string("/events", str(r.path), "... the path, up to '?'");
	is_string("group=lobby&since=4", str(r.query), "... the query");
	is_int(1, r.minor_version, "... HTTP/1.1");
	is_int((long long)strlen(in), (long long)r.head_len,
	    "... head_len is the whole head");
	is_string("chat.example:8080", str(r.host), "... Host");
	is_string("42", str(r.last_event_id), "... Last-Event-ID trimmed");
	is_string("Bearer abc", str(r.authorization), "... Authorization");
	is_int(1, r.keep_alive, "... keep-alive");
	ok(!r.connection_upgrade && !r.has_content_length &&
	    !r.has_transfer_encoding, "... no upgrade, no body");
	is_string("(absent)", str(r.origin), "... no Origin");
	is_string("(absent)", str(r.ws_key), "... no Sec-WebSocket-Key");

	parse_str("GET /a? HTTP/1.1\r\n\r\n", &r);
	ok(r.query.p != NULL && r.query.len == 0, "a '?' alone: an empty query");
	is_string("/a", str(r.path), "... and the path before it");
	parse_str("GET /a HTTP/1.1\r\n\r\n", &r);
	is_string("(absent)", str(r.query), "no '?': no query");
	parse_str("GET /a?b?c HTTP/1.1\r\n\r\n", &r);
	is_string("b?c", str(r.query), "the query is after the first '?'");
	parse_str("GET /%7Euser%2f HTTP/1.1\r\n\r\n", &r);
	is_string("/%7Euser%2f", str(r.path), "the path is not decoded");
}

static void
test_methods(void)
{
	static const struct {
		const char		*line;
		enum http_method	 want;
	} m[] = {
		{ "GET / HTTP/1.1\r\n\r\n", HTTP_GET },
		{ "HEAD / HTTP/1.1\r\n\r\n", HTTP_HEAD },
		{ "POST / HTTP/1.1\r\n\r\n", HTTP_POST },
		{ "OPTIONS / HTTP/1.1\r\n\r\n", HTTP_OPTIONS },
		{ "PUT / HTTP/1.1\r\n\r\n", HTTP_OTHER },
		{ "get / HTTP/1.1\r\n\r\n", HTTP_OTHER },
		{ "GETS / HTTP/1.1\r\n\r\n", HTTP_OTHER },
		{ "GE / HTTP/1.1\r\n\r\n", HTTP_OTHER },
	};
	struct http_request r;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		r.method = (enum http_method)-1;
		parse_str(m[i].line, &r);
		is_int(m[i].want, r.method, "method of %.*s",
		    (int)strcspn(m[i].line, " "), m[i].line);
	}
}

static void
test_keep_alive(void)
{
	static const struct {
		const char	*what, *in;
		int		 keep_alive, upgrade, minor;
	} k[] = {
		{ "1.1 without Connection", "GET / HTTP/1.1\r\n\r\n", 1, 0, 1 },
		{ "1.0 without Connection", "GET / HTTP/1.0\r\n\r\n", 0, 0, 0 },
		{ "1.0 with keep-alive", "GET / HTTP/1.0\r\n"
		    "Connection: Keep-Alive\r\n\r\n", 1, 0, 0 },
		{ "1.1 with close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
		    0, 0, 1 },
		{ "1.1 with CLOSE among others", "GET / HTTP/1.1\r\n"
		    "connection: foo,  CLOSE ,bar\r\n\r\n", 0, 0, 1 },
		{ "1.0 with keep-alive and close", "GET / HTTP/1.0\r\n"
		    "Connection: keep-alive\r\nConnection: close\r\n\r\n", 0, 0, 0 },
		{ "1.1 with keep-alive", "GET / HTTP/1.1\r\n"
		    "Connection: keep-alive\r\n\r\n", 1, 0, 1 },
		{ "keep-alive, Upgrade (Firefox)", "GET / HTTP/1.1\r\n"
		    "Connection: keep-alive, Upgrade\r\n\r\n", 1, 1, 1 },
		{ "upgrade in a second Connection field", "GET / HTTP/1.1\r\n"
		    "Connection: keep-alive\r\nConnection: UPGRADE\r\n\r\n", 1, 1, 1 },
		{ "close, upgrade", "GET / HTTP/1.1\r\n"
		    "Connection: close,upgrade\r\n\r\n", 0, 1, 1 },
		{ "a token that merely contains close", "GET / HTTP/1.1\r\n"
		    "Connection: closed, upgrades\r\n\r\n", 1, 0, 1 },
		{ "close in another field", "GET / HTTP/1.1\r\n"
		    "X-Connection: close\r\n\r\n", 1, 0, 1 },
	};
	struct http_request r;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (!is_int(HTTP_DONE, parse_str(k[i].in, &r), "%s: DONE",
		    k[i].what))
			continue;
		ok(r.keep_alive == k[i].keep_alive &&
		    r.connection_upgrade == k[i].upgrade &&
		    r.minor_version == k[i].minor, "%s: keep_alive %d, "
		    "upgrade %d, HTTP/1.%d", k[i].what, k[i].keep_alive,
		    k[i].upgrade, k[i].minor);
	}
}

static void
test_post(void)
{
	struct http_request r;
	const char *in = "POST /say HTTP/1.1\r\nHost: a\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";

	is_int(HTTP_DONE, parse_str(in, &r), "POST with Content-Length: DONE");
	is_int(HTTP_POST, r.method, "... method POST");
	ok(r.has_content_length && r.content_length == 11,
	    "... Content-Length 11");
	is_int((long long)(strlen(in) - 11), (long long)r.head_len,
	    "... head_len stops before the body");
	ok(!r.has_transfer_encoding, "... no Transfer-Encoding");

	parse_str("POST / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n",
	    &r);
	ok(r.content_length == 999999999999999999ULL,
	    "Content-Length of 18 nines");
	parse_str("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r);
	ok(r.has_content_length && r.content_length == 0, "Content-Length 0");
	parse_str("POST / HTTP/1.1\r\ncontent-length:\t7 \r\n\r\n", &r);
	ok(r.has_content_length && r.content_length == 7,
	    "Content-Length in lower case, with blanks around");
	parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r);
	ok(r.has_transfer_encoding && !r.has_content_length,
	    "Transfer-Encoding alone");
	parse_str("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", &r);
	ok(r.has_transfer_encoding, "an empty Transfer-Encoding counts too");
}

static void
test_fields(void)
{
	struct http_request r;
	const char *ws = "GET /ws HTTP/1.1\r\n"
	    "HOST: a.example\r\n"
	    "upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Origin: https://a.example\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Origin: https://evil.example\r\n"
	    "sec-websocket-key: second\r\n"
	    "\r\n";

	is_int(HTTP_DONE, parse_str(ws, &r), "a WebSocket handshake: DONE");
	is_string("a.example", str(r.host), "... Host, named in capitals");
	is_string("websocket", str(r.upgrade), "... Upgrade in lower case");
	is_string("dGhlIHNhbXBsZSBub25jZQ==", str(r.ws_key),
	    "... the first Sec-WebSocket-Key");
	is_string("13", str(r.ws_version), "... Sec-WebSocket-Version");
	is_string("https://a.example", str(r.origin), "... the first Origin");
	is_int(1, r.connection_upgrade, "... Connection: Upgrade");

	is_int(HTTP_BAD, parse_str("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
	    &r), "a second Host: BAD (RFC 9112, 3.2)");
	parse_str("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "Expect: 100-Continue\r\n\r\n", &r);
	is_int(1, r.expect_continue, "Expect: 100-continue, any case");
	parse_str("POST /p HTTP/1.1\r\nHost: a\r\nExpect: other\r\n\r\n", &r);
	is_int(0, r.expect_continue, "another expectation is not 100-continue");

	parse_str("OPTIONS /say HTTP/1.1\r\nOrigin: https://a\r\n"
	    "Access-Control-Request-Method: POST\r\n\r\n", &r);
	is_string("POST", str(r.ac_request_method),
	    "Access-Control-Request-Method");

	parse_str("GET / HTTP/1.1\r\nOrigin:\r\nHost:   \t \r\n"
	    "Origin: x\r\n\r\n", &r);
	ok(r.origin.p != NULL && r.origin.len == 0,
	    "an empty value: present, length 0 (and it stays the first)");
	ok(r.host.p != NULL && r.host.len == 0, "a value of blanks is empty");

	parse_str("GET / HTTP/1.1\r\nX-A: a \t b \r\nHost:a\r\n\r\n", &r);
	is_string("a", str(r.host), "no blank after the colon");
	parse_str("GET / HTTP/1.1\r\nHost: a b\t c\r\n\r\n", &r);
	is_string("a b\t c", str(r.host), "blanks inside a value stay");
	parse_str("GET / HTTP/1.1\r\nHostile: a\r\nHost-: b\r\n\r\n", &r);
	is_string("(absent)", str(r.host), "names are compared whole");
	parse_str("GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n"
	    "Last-Event-ID: \xe2\x82\xac\r\n\r\n", &r);
	is_string("\xe2\x82\xac", str(r.last_event_id),
	    "bytes >= 0x80 in a value are kept");
}

static void
test_leading_lines(void)
{
	struct http_request r;
	const char *in = "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\nbody";

	is_int(HTTP_DONE, parse_str(in, &r), "empty lines before the request");
	is_int((long long)(strlen(in) - 4), (long long)r.head_len,
	    "... count in head_len");
	is_string("a", str(r.host), "... and the fields are read");
}

/* A head of exactly n bytes: filler field lines, CRLF CRLF at the end. */
static size_t
make_head(char *buf, size_t n)
{
	const char *line = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: ";
	size_t at = strlen(line);

	memcpy(buf, line, at);
	memset(buf + at, 'x', n - at - 4);
	memcpy(buf + n - 4, "\r\n\r\n", 4);
	return n;
}

static void
test_size_limit(void)
{
	static char buf[HTTP_HEAD_MAX + 4096];
	struct http_request r;
	size_t n;

	n = make_head(buf, HTTP_HEAD_MAX);
	is_int(HTTP_DONE, parse(buf, n, &r), "a head of exactly 8192 bytes: DONE");
	is_int(HTTP_HEAD_MAX, (long long)r.head_len, "... head_len 8192");
	memcpy(buf + n, "more", 4);
	is_int(HTTP_DONE, parse(buf, n + 4, &r),
	    "... with more bytes after it: still DONE");

	n = make_head(buf, HTTP_HEAD_MAX + 1);
	is_int(HTTP_TOO_LARGE, parse(buf, n, &r),
	    "a complete head of 8193 bytes: TOO_LARGE");
	is_int(HTTP_TOO_LARGE, parse(buf, HTTP_HEAD_MAX, &r),
	    "... its first 8192 bytes: TOO_LARGE already");
	is_int(HTTP_INCOMPLETE, parse(buf, HTTP_HEAD_MAX - 1, &r),
	    "... its first 8191 bytes: INCOMPLETE");

	n = make_head(buf, HTTP_HEAD_MAX + 2000);
	is_int(HTTP_TOO_LARGE, parse(buf, n, &r),
	    "a complete head of 10192 bytes: TOO_LARGE");

	/* A bad line within the limit is reported, even past the limit. */
	n = make_head(buf, HTTP_HEAD_MAX + 2000);
	memcpy(buf + 16, "Host; a\r\n", 9);
	is_int(HTTP_BAD, parse(buf, n, &r),
	    "a bad line before the limit, head past it: BAD");

	/* Leading empty lines count. */
	memset(buf, '\n', HTTP_HEAD_MAX);
	is_int(HTTP_TOO_LARGE, parse(buf, HTTP_HEAD_MAX, &r),
	    "8192 empty lines: TOO_LARGE");
	is_int(HTTP_INCOMPLETE, parse(buf, HTTP_HEAD_MAX - 1, &r),
	    "8191 empty lines: INCOMPLETE");
	memcpy(buf + HTTP_HEAD_MAX - 18, "GET / HTTP/1.1\n\n", 16);
	is_int(HTTP_DONE, parse(buf, HTTP_HEAD_MAX - 2, &r),
	    "empty lines and a request, 8190 bytes: DONE");
	is_int(HTTP_HEAD_MAX - 2, (long long)r.head_len, "... head_len 8190");
}

/* A head with n field lines. */
static size_t
make_fields(char *buf, size_t size, int n)
{
	size_t at = (size_t)snprintf(buf, size, "GET / HTTP/1.1\r\n");

	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, size - at, "X-F%d: %d\r\n", i, i);
	at += (size_t)snprintf(buf + at, size - at, "\r\n");
	return at;
}

static void
test_field_limit(void)
{
	static char buf[HTTP_HEAD_MAX];
	struct http_request r;
	size_t n;

	n = make_fields(buf, sizeof(buf), HTTP_FIELDS_MAX);
	is_int(HTTP_DONE, parse(buf, n, &r), "100 field lines: DONE");
	n = make_fields(buf, sizeof(buf), HTTP_FIELDS_MAX + 1);
	is_int(HTTP_TOO_LARGE, parse(buf, n, &r), "101 field lines: TOO_LARGE");
	is_int(HTTP_TOO_LARGE, parse(buf, n - 2, &r),
	    "... before the blank line too");
	n = make_fields(buf, sizeof(buf), HTTP_FIELDS_MAX + 1);
	buf[n - 5] = '\0';	/* the 101st line's value: a NUL */
	is_int(HTTP_TOO_LARGE, parse(buf, n, &r),
	    "... however the 101st line reads");
}

static void
test_span_is(void)
{
	struct http_span s = { "WebSocket", 9 }, none = { NULL, 0 };
	struct http_span prefix = { "websockets", 9 };

	ok(http_span_is(s, "websocket"), "http_span_is ignores case");
	ok(http_span_is(s, "WEBSOCKET"), "... either way");
	ok(!http_span_is(s, "websockets"), "... not a longer string");
	ok(!http_span_is(s, "websocke"), "... nor a shorter one");
	ok(http_span_is(prefix, "WEBSOCKET"), "... only len bytes count");
	ok(!http_span_is(none, "x"), "an absent span is no word");
	ok(http_span_is(none, ""), "... but equals \"\"");
	ok(!http_span_is(s, "websocke\xd4"), "... high bytes are not letters");
}

struct query_case {
	const char	*query, *key;
	int		 want;
	const char	*value;		/* when want >= 0 */
};

static const struct query_case queries[] = {
	{ "a=1&b=2", "a", 1, "1" },
	{ "a=1&b=2", "b", 1, "2" },
	{ "a=1&b=2", "c", -1, NULL },
	{ "a=1&b=2", "", -1, NULL },
	{ "", "a", -1, NULL },
	{ "flag&b=2", "flag", 0, "" },
	{ "a=&b=2", "a", 0, "" },
	{ "a=x+y", "a", 3, "x y" },
	{ "a=x%20y%2By", "a", 5, "x y+y" },
	{ "a=%41%4a%4A%7e", "a", 4, "AJJ~" },
	{ "a=caf%C3%A9", "a", 5, "caf\xc3\xa9" },
	{ "a=caf\xc3\xa9", "a", 5, "caf\xc3\xa9" },
	{ "t=ab==&u=1", "t", 4, "ab==" },
	{ "a=1&a=2", "a", 1, "1" },
	{ "a=%zz&a=2", "a", -2, NULL },
	{ "a=%zz&b=2", "b", 1, "2" },
	{ "a=%2", "a", -2, NULL },
	{ "a=%", "a", -2, NULL },
	{ "a=%2&b=1", "a", -2, NULL },
	{ "a=%g0", "a", -2, NULL },
	{ "a=%00", "a", -2, NULL },
	{ "a=%1f", "a", -2, NULL },
	{ "a=%7F", "a", -2, NULL },
	{ "a=x\x01", "a", -2, NULL },
	{ "a=%09", "a", -2, NULL },
	{ "a=%80", "a", 1, "\x80" },
	{ "&&a=1&", "a", 1, "1" },
	{ "ab=1&a=2", "a", 1, "2" },
	{ "a=1&ab=2", "ab", 1, "2" },
	{ "t%6Fken=x", "token", 1, "x" },
	{ "to+en=x", "to en", 1, "x" },
	{ "%zz=1&a=2", "a", 1, "2" },
	{ "a%00=1", "a", -1, NULL },
	{ "A=1", "a", -1, NULL },
	{ "a=b=c", "a", 3, "b=c" },
	{ "=v", "", 1, "v" },
	{ "a=x&", "a", 1, "x" },
	{ "a=%2B%2b+%25", "a", 4, "++ %" },
};

/* s for a test's name: printable ASCII kept, other bytes as \xNN. */
static const char *
escape(const char *s)
{
	static char buf[2][256];
	static int next;
	char *b = buf[next++ % 2];
	size_t o = 0;

	for (; *s != '\0' && o + 5 < sizeof(buf[0]); s++) {
		if (*s >= 0x20 && *s < 0x7f)
			b[o++] = *s;
		else
			o += (size_t)snprintf(b + o, sizeof(buf[0]) - o, "\\x%02x",
			    (unsigned char)*s);
	}
	b[o] = '\0';
	return b;
}

static void
test_query(void)
{
	char out[64], big[16];
	int r;

	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		const struct query_case *q = &queries[i];

		memset(out, 'z', sizeof(out));
		r = http_query_get(q->query, strlen(q->query), q->key, out,
		    sizeof(out));
		if (q->want >= 0)
			ok(r == q->want && strcmp(out, q->value) == 0,
			    "query \"%s\", key \"%s\": %d \"%s\"",
			    escape(q->query), q->key, q->want, escape(q->value));
		else
			ok(r == q->want && out[0] == '\0',
			    "query \"%s\", key \"%s\": %d", escape(q->query),
			    q->key, q->want);
	}

	/* Only len bytes are read. */
	r = http_query_get("a=12&b=3", 3, "a", out, sizeof(out));
	ok(r == 1 && strcmp(out, "1") == 0, "only len bytes of the query");
	r = http_query_get("a=1&b=3", 5, "b", out, sizeof(out));
	ok(r == 0 && strcmp(out, "") == 0, "... a key cut off its value");
	r = http_query_get(NULL, 0, "a", out, sizeof(out));
	is_int(-1, r, "an absent query (NULL, 0)");

	/* The room: size - 1 bytes and the NUL. */
	memset(big, 'z', sizeof(big));
	r = http_query_get("a=0123456789abcd", 16, "a", big, 15);
	ok(r == 14 && strcmp(big, "0123456789abcd") == 0 && big[15] == 'z',
	    "a value of size - 1 bytes fits");
	memset(big, 'z', sizeof(big));
	r = http_query_get("a=0123456789abcde", 17, "a", big, 15);
	ok(r == -2 && big[0] == '\0' && big[15] == 'z',
	    "one byte more: -2, nothing past size");
	memset(big, 'z', sizeof(big));
	r = http_query_get("a=%41%41%41", 11, "a", big, 3);
	ok(r == -2 && big[0] == '\0' && big[3] == 'z',
	    "decoded length counts, not encoded");
	memset(big, 'z', sizeof(big));
	r = http_query_get("a=", 2, "a", big, 1);
	ok(r == 0 && big[0] == '\0' && big[1] == 'z', "an empty value in 1 byte");
	memset(big, 'z', sizeof(big));
	r = http_query_get("a=", 2, "a", big, 0);
	ok(r == -2 && big[0] == 'z', "size 0: -2 and nothing written");
	r = http_query_get("b=", 2, "a", big, 0);
	ok(r == -1 && big[0] == 'z', "size 0, key absent: -1, nothing written");
}

/* A head's query read as chat-web will. */
static void
test_query_from_head(void)
{
	struct http_request r;
	char out[32];

	parse_str("GET /events?group=caf%C3%A9+bar&last=7 HTTP/1.1\r\n\r\n",
	    &r);
	is_int(9, http_query_get(r.query.p, r.query.len, "group", out,
	    sizeof(out)), "a query from a head: length");
	is_string("caf\xc3\xa9 bar", out, "... decoded");
	is_int(1, http_query_get(r.query.p, r.query.len, "last", out,
	    sizeof(out)), "... the last parameter, up to the head's blank");
	is_string("7", out, "... its value");
}

int
main(void)
{
	size_t nv = sizeof(verdicts) / sizeof(verdicts[0]);
	size_t nq = sizeof(queries) / sizeof(queries[0]);

	plan((unsigned long)(nv * 2 + nq + 117));
	for (size_t i = 0; i < nv; i++)
		check_verdict(verdicts[i].what, verdicts[i].in,
		    verdicts[i].inlen, verdicts[i].want);
	test_get();
	test_methods();
	test_keep_alive();
	test_post();
	test_fields();
	test_leading_lines();
	test_size_limit();
	test_field_limit();
	test_span_is();
	test_query();
	test_query_from_head();
	return 0;
}

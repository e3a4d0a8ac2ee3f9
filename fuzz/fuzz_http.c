/*
 * fuzz_http.c -- libFuzzer target: chat-web's request-head reader.
 *
 * Every input is a client's first bytes, given to http_parse_head
 * (web/http.c) from an exactly sized buffer.  The verdict and every field
 * must equal those of a model written apart from the rules in http.h.
 * A head it accepts must lie within the input and HTTP_HEAD_MAX, and so
 * must every span.  A prefix of the input must be HTTP_INCOMPLETE or get
 * the same verdict (the same head).  The same lines ended by LF and by
 * CRLF must get the same verdict and fields.  http_query_get, on the
 * head's query and on the raw input, must equal a model, return the
 * length of what it wrote, and write nothing past its size.  (The raw
 * input is read as a query up to QUERY_RAW_MAX bytes only: each byte
 * costs much under the fuzzer's instrumentation, and length adds no
 * case.)
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http.h"

#define NSPANS	10	/* spans in a struct http_request */
#define QUERY_RAW_MAX	512	/* bytes of raw input read as a query */

/* What the model gathers from the field lines. */
struct model {
	struct http_request	*m_req;
	size_t			 m_fields;
	int			 m_close, m_keep_alive;
};

static int
model_tchar(unsigned char c)
{
	static const char *extra = "!#$%&'*+-.^_`|~";

	if (c >= 0x80)
		return 0;
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return 1;
	if (c >= '0' && c <= '9')
		return 1;
	for (const char *e = extra; *e != '\0'; e++)
		if (c == (unsigned char)*e)
			return 1;
	return 0;
}

static int
model_token(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && model_tchar((unsigned char)p[i]); i++)
		;
	return n > 0 && i == n;
}

static int
model_eq(struct http_span s, const char *word)
{
	return s.len == strlen(word) && strncasecmp(s.p, word, s.len) == 0;
}

static struct http_span
model_trim(const char *p, size_t n)
{
	struct http_span s;
	size_t a = 0, b = n;

	while (a < b && (p[a] == ' ' || p[a] == '\t'))
		a++;
	while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
		b--;
	s.p = p + a;
	s.len = b - a;
	return s;
}

/* The request line: exactly two SP, then each part on its own. */
static enum http_parse
model_request_line(const char *p, size_t n, struct http_request *req)
{
	size_t sp[2], nsp = 0, tlen, vlen, q;
	const char *t, *v;
	static const char *methods[] = { "GET", "HEAD", "POST", "OPTIONS" };

	for (size_t i = 0; i < n; i++) {
		if (p[i] != ' ')
			continue;
		if (nsp < 2)
			sp[nsp] = i;
		nsp++;
	}
	if (nsp != 2 || !model_token(p, sp[0]))
		return HTTP_BAD;
	t = p + sp[0] + 1;
	tlen = sp[1] - sp[0] - 1;
	if (tlen == 0 || t[0] != '/')
		return HTTP_BAD;
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return HTTP_BAD;
	v = p + sp[1] + 1;
	vlen = n - sp[1] - 1;
	if (vlen != 8 || strncmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return HTTP_BAD;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return HTTP_BAD_VERSION;
	req->minor_version = v[7] - '0';
	req->method = HTTP_OTHER;
	for (int i = 0; i < 4; i++)
		if (sp[0] == strlen(methods[i]) &&
		    strncmp(p, methods[i], sp[0]) == 0)
			req->method = (enum http_method)i;
	for (q = 0; q < tlen && t[q] != '?'; q++)
		;
	req->path.p = t;
	req->path.len = q;
	if (q < tlen) {
		req->query.p = t + q + 1;
		req->query.len = tlen - q - 1;
	}
	return HTTP_INCOMPLETE;
}

static int
model_connection(struct model *m, struct http_span v)
{
	size_t i = 0, j;
	struct http_span e;

	while (i <= v.len) {
		for (j = i; j < v.len && v.p[j] != ','; j++)
			;
		e = model_trim(v.p + i, j - i);
		if (e.len > 0 && !model_token(e.p, e.len))
			return 0;
		if (model_eq(e, "close"))
			m->m_close = 1;
		if (model_eq(e, "keep-alive"))
			m->m_keep_alive = 1;
		if (model_eq(e, "upgrade"))
			m->m_req->connection_upgrade = 1;
		i = j + 1;
	}
	return 1;
}

static enum http_parse
model_field(struct model *m, const char *p, size_t n)
{
	struct http_request *req = m->m_req;
	static const char *names[] = { "host", "origin", "upgrade",
	    "sec-websocket-key", "sec-websocket-version", "authorization",
	    "last-event-id", "access-control-request-method" };
	struct http_span *kept[] = { &req->host, &req->origin, &req->upgrade,
	    &req->ws_key, &req->ws_version, &req->authorization,
	    &req->last_event_id, &req->ac_request_method };
	struct http_span name, value;
	size_t c;
	char digits[32];
	uint64_t cl;

	if (p[0] == ' ' || p[0] == '\t')
		return HTTP_BAD;
	for (c = 0; c < n && p[c] != ':'; c++)
		;
	if (c == n || !model_token(p, c))
		return HTTP_BAD;
	for (size_t i = c + 1; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return HTTP_BAD;
	name.p = p;
	name.len = c;
	value = model_trim(p + c + 1, n - c - 1);

	if (model_eq(name, "content-length")) {
		if (value.len < 1 || value.len > 18)
			return HTTP_BAD;
		memcpy(digits, value.p, value.len);
		digits[value.len] = '\0';
		if (strspn(digits, "0123456789") != value.len)
			return HTTP_BAD;
		cl = strtoull(digits, NULL, 10);
		if (req->has_content_length && cl != req->content_length)
			return HTTP_BAD;
		req->has_content_length = 1;
		req->content_length = cl;
	}
	if (model_eq(name, "transfer-encoding"))
		req->has_transfer_encoding = 1;
	if (model_eq(name, "host") && req->host.p != NULL)
		return HTTP_BAD;
	if (model_eq(name, "expect"))
		req->expect_continue = model_eq(value, "100-continue");
	if (model_eq(name, "connection") && !model_connection(m, value))
		return HTTP_BAD;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (model_eq(name, names[i]) && kept[i]->p == NULL)
			*kept[i] = value;
	if (req->has_content_length && req->has_transfer_encoding)
		return HTTP_BAD;
	return HTTP_INCOMPLETE;
}

/* The rules of http.h, written apart from web/http.c. */
static enum http_parse
model_parse(const char *b, size_t len, struct http_request *req)
{
	struct model m = { .m_req = req };
	size_t limit = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	size_t start = 0, n;
	int request_line = 0;
	enum http_parse r;

	memset(req, 0, sizeof(*req));
	for (size_t i = 0; i < limit; i++) {
		if (b[i] != '\n')
			continue;
		n = i - start;
		if (n > 0 && b[i - 1] == '\r')
			n--;
		r = HTTP_INCOMPLETE;
		if (!request_line && n > 0) {
			request_line = 1;
			r = model_request_line(b + start, n, req);
		} else if (request_line && n == 0) {
			req->head_len = i + 1;
			req->keep_alive = !m.m_close &&
			    (req->minor_version == 1 || m.m_keep_alive);
			return HTTP_DONE;
		} else if (request_line) {
			r = ++m.m_fields > HTTP_FIELDS_MAX ? HTTP_TOO_LARGE :
			    model_field(&m, b + start, n);
		}
		if (r != HTTP_INCOMPLETE)
			return r;
		start = i + 1;
	}
	return len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_INCOMPLETE;
}

/* The spans of a request, in a fixed order. */
static void
spans(struct http_request *req, struct http_span **s)
{
	s[0] = &req->path;
	s[1] = &req->query;
	s[2] = &req->host;
	s[3] = &req->origin;
	s[4] = &req->upgrade;
	s[5] = &req->ws_key;
	s[6] = &req->ws_version;
	s[7] = &req->authorization;
	s[8] = &req->last_event_id;
	s[9] = &req->ac_request_method;
}

/* Both requests DONE: the same fields; spans the same bytes if !same_p. */
static void
same_request(struct http_request *a, struct http_request *b, int same_p)
{
	struct http_span *sa[NSPANS], *sb[NSPANS];

	check(a->method == b->method);
	check(a->minor_version == b->minor_version);
	check(a->has_content_length == b->has_content_length);
	check(a->content_length == b->content_length);
	check(a->has_transfer_encoding == b->has_transfer_encoding);
	check(a->expect_continue == b->expect_continue);
	check(a->keep_alive == b->keep_alive);
	check(a->connection_upgrade == b->connection_upgrade);
	spans(a, sa);
	spans(b, sb);
	for (int i = 0; i < NSPANS; i++) {
		check(sa[i]->len == sb[i]->len);
		check((sa[i]->p == NULL) == (sb[i]->p == NULL));
		if (same_p)
			check(sa[i]->p == sb[i]->p);
		else if (sa[i]->len > 0)
			check(memcmp(sa[i]->p, sb[i]->p, sa[i]->len) == 0);
	}
}

/* A head it accepted lies in the buffer; so do its spans. */
static void
accepted(const char *buf, size_t len, struct http_request *req)
{
	struct http_span *s[NSPANS];
	const char *end = buf + req->head_len;

	check(req->head_len > 0 && req->head_len <= len);
	check(req->head_len <= HTTP_HEAD_MAX);
	check(buf[req->head_len - 1] == '\n');
	check(req->minor_version == 0 || req->minor_version == 1);
	check(!req->has_content_length || !req->has_transfer_encoding);
	check(req->content_length <= 999999999999999999ULL);
	spans(req, s);
	for (int i = 0; i < NSPANS; i++) {
		if (s[i]->p == NULL) {
			check(s[i]->len == 0);
			continue;
		}
		check(s[i]->p >= buf && s[i]->p <= end);
		check(s[i]->len <= (size_t)(end - s[i]->p));
		check(memchr(s[i]->p, '\n', s[i]->len) == NULL);
		check(memchr(s[i]->p, '\r', s[i]->len) == NULL);
	}
	check(req->path.len > 0 && req->path.p[0] == '/');
	check(memchr(req->path.p, '?', req->path.len) == NULL);
	if (req->query.p != NULL)
		check(req->query.p == req->path.p + req->path.len + 1);
}

/* Parse len bytes from a copy of exactly len, so ASan sees an overrun. */
static enum http_parse
parse_copy(const char *in, size_t len, struct http_request *req, char **copy)
{
	*copy = malloc(len ? len : 1);
	check(*copy != NULL);
	memcpy(*copy, in, len);
	return http_parse_head(*copy, len, req);
}

/* A prefix is INCOMPLETE or the same head. */
static void
prefix(const char *buf, size_t k, enum http_parse whole,
    struct http_request *req)
{
	struct http_request cut;
	enum http_parse r;

	r = http_parse_head(buf, k, &cut);
	if (r == HTTP_INCOMPLETE)
		return;
	check(r == whole);
	if (r == HTTP_DONE) {
		check(cut.head_len == req->head_len);
		same_request(&cut, req, 1);
	}
}

/*
 * The lines with every CR taken out, ended by LF and then by CRLF: the
 * same lines, so the same verdict, fields and (but for the CRs) head.
 * Only under HTTP_HEAD_MAX, where the CRs cannot change the verdict.
 */
static void
line_ends(const uint8_t *data, size_t size)
{
	char *lf = malloc(size + 1), *crlf = malloc(2 * size + 1);
	size_t nlf = 0, ncrlf = 0, lines = 0;
	struct http_request a, b;
	enum http_parse ra, rb;

	check(lf != NULL && crlf != NULL);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\r')
			continue;
		lf[nlf++] = (char)data[i];
		if (data[i] == '\n')
			crlf[ncrlf++] = '\r';
		crlf[ncrlf++] = (char)data[i];
	}
	if (ncrlf < HTTP_HEAD_MAX) {
		ra = http_parse_head(lf, nlf, &a);
		rb = http_parse_head(crlf, ncrlf, &b);
		check(ra == rb);
		if (ra == HTTP_DONE) {
			for (size_t i = 0; i < a.head_len; i++)
				lines += lf[i] == '\n';
			check(b.head_len == a.head_len + lines);
			same_request(&a, &b, 0);
		}
	}
	free(lf);
	free(crlf);
}

/* Percent-decoding as http.h says; -1 on a bad escape. */
static long
model_decode(const char *p, size_t n, char *out)
{
	size_t o = 0;
	char hex[3] = "";

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%') {
			out[o++] = p[i] == '+' ? ' ' : p[i];
			continue;
		}
		if (n - i < 3 || !isxdigit((unsigned char)p[i + 1]) ||
		    !isxdigit((unsigned char)p[i + 2]))
			return -1;
		hex[0] = p[i + 1];
		hex[1] = p[i + 2];
		out[o++] = (char)strtoul(hex, NULL, 16);
		i += 2;
	}
	return (long)o;
}

static int
model_query_get(const char *q, size_t len, const char *key, char *out,
    size_t size)
{
	size_t i = 0, j, e;
	char *name, *value;
	long nl, vl;
	int r = -1;

	while (i < len && r == -1) {
		for (j = i; j < len && q[j] != '&'; j++)
			;
		for (e = i; e < j && q[e] != '='; e++)
			;
		name = malloc(e - i + 1);
		value = malloc(j - e + 1);
		check(name != NULL && value != NULL);
		nl = model_decode(q + i, e - i, name);
		if (j > i && nl >= 0 && (size_t)nl == strlen(key) &&
		    memcmp(name, key, (size_t)nl) == 0) {
			vl = e < j ? model_decode(q + e + 1, j - e - 1, value) : 0;
			r = vl < 0 || (size_t)vl >= size ? -2 : (int)vl;
			for (long k = 0; k < vl; k++)
				if ((unsigned char)value[k] < 0x20 ||
				    value[k] == 0x7f)
					r = -2;
			if (r >= 0) {
				memcpy(out, value, (size_t)r);
				out[r] = '\0';
			}
		}
		free(name);
		free(value);
		i = j + 1;
	}
	return r;
}

/* One key, one size: the function against the model, and its bounds. */
static void
query_key(const char *q, size_t len, const char *key, size_t size)
{
	char *out = malloc(size + 1), *want = malloc(len + 1);
	int r, mr;

	check(out != NULL && want != NULL);
	memset(out, 'Z', size + 1);
	r = http_query_get(q, len, key, out, size);
	mr = model_query_get(q, len, key, want, size);
	check(out[size] == 'Z');
	check(r == mr);
	if (r >= 0) {
		check((size_t)r < size);
		check(strlen(out) == (size_t)r);
		check(memcmp(out, want, (size_t)r) == 0);
	} else if (size > 0)
		check(out[0] == '\0');
	free(out);
	free(want);
}

/* Keys: a fixed one, and the names of two parameters as they decode. */
static void
query(const char *q, size_t len, uint32_t seed)
{
	size_t sizes[3] = { 0, 1 + seed % 24, len + 1 };
	size_t at[2] = { 0, len ? seed % len : 0 }, i, e;
	char *key = malloc(len + 1);
	long n;

	check(key != NULL);
	for (int s = 0; s < 3; s++)
		query_key(q, len, "a", sizes[s]);
	for (int k = 0; k < 2; k++) {
		/* The parameter that at[k] falls in. */
		for (i = at[k]; i > 0 && q[i - 1] != '&'; i--)
			;
		for (e = i; e < len && q[e] != '=' && q[e] != '&'; e++)
			;
		n = model_decode(q + i, e - i, key);
		if (n < 0)
			continue;
		key[n] = '\0';
		for (int s = 0; s < 3; s++)
			query_key(q, len, key, sizes[s]);
	}
	free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct http_request req, model;
	enum http_parse r, mr;
	uint32_t seed = 2166136261u;
	char *buf;

	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;

	r = parse_copy(in, size, &req, &buf);
	check(r <= HTTP_BAD_VERSION);
	mr = model_parse(buf, size, &model);
	check(r == mr);
	if (r == HTTP_DONE) {
		accepted(buf, size, &req);
		check(req.head_len == model.head_len);
		same_request(&req, &model, 1);
		check(http_parse_head(buf, req.head_len - 1, &model) ==
		    HTTP_INCOMPLETE);
		prefix(buf, req.head_len, r, &req);
		if (req.query.p != NULL)
			query(req.query.p, req.query.len, seed);
	}
	if (r == HTTP_INCOMPLETE)
		check(size < HTTP_HEAD_MAX);
	prefix(buf, size / 2, r, &req);
	prefix(buf, size ? seed % size : 0, r, &req);
	if (size > HTTP_HEAD_MAX)
		prefix(buf, HTTP_HEAD_MAX, r, &req);
	free(buf);

	line_ends(data, size);
	/* Bytes a head never lets through; a cheap piece is enough. */
	query(in, size < QUERY_RAW_MAX ? size : QUERY_RAW_MAX, seed >> 8);
	return 0;
}

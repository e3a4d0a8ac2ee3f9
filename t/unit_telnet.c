/*
 * unit_telnet.c -- telnet commands taken out of client input (lib/telnet.c).
 *
 * Feeds byte sequences through telnet_filter whole, split in two at every
 * offset, and one byte at a time, as reads may cut them (a piece may grow
 * by one byte: an IAC that ended the last one is put back), and checks the
 * text left and the answers given.  Text and answers are compared as
 * escaped strings, so a failure shows the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "telnet.h"

#define IAC	"\xff"
#define DONT	"\xfe"
#define DO	"\xfd"
#define WONT	"\xfc"
#define WILL	"\xfb"
#define SB	"\xfa"
#define SE	"\xf0"
#define TM	"\x06"
#define ECHO	"\x01"

struct fixture {
	const char	*what;
	const char	*in;
	size_t		 inlen;
	const char	*text;		/* escaped, as escape() writes it */
	const char	*replies;	/* escaped */
};

#define F(what, in, text, replies) \
	{ what, in, sizeof(in) - 1, text, replies }

static const struct fixture fixtures[] = {
	F("plain text", "hello\r\n", "hello\\r\\n", ""),
	F("DO TIMING-MARK", IAC DO TM, "", "\\xff\\xfb\\x06"),
	F("IP then DO TIMING-MARK (telnet's Ctrl-C)", IAC "\xf4" IAC DO TM,
	    "", "\\xff\\xfb\\x06"),
	F("WILL ECHO", IAC WILL ECHO, "", "\\xff\\xfe\\x01"),
	F("DO ECHO", IAC DO ECHO, "", "\\xff\\xfc\\x01"),
	F("DONT and WONT are not answered", IAC DONT ECHO IAC WONT ECHO
	    IAC DONT TM IAC WONT TM, "", ""),
	F("WILL TIMING-MARK is refused", IAC WILL TM, "", "\\xff\\xfe\\x06"),
	F("option 255", IAC DO IAC "x", "x", "\\xff\\xfc\\xff"),
	F("NOP inside text", "a" IAC "\xf1" "b\n", "ab\\n", ""),
	F("every simple command", "<" IAC SE IAC "\xf1" IAC "\xf2" IAC "\xf3"
	    IAC "\xf4" IAC "\xf5" IAC "\xf6" IAC "\xf7" IAC "\xf8" IAC "\xf9"
	    ">", "<>", ""),
	F("IAC IAC is a 0xFF byte", "a" IAC IAC "b", "a\\xffb", ""),
	F("IAC before a byte that is no command: both stay", "caf" IAC "e\n"
	    IAC "\n", "caf\\xffe\\n\\xff\\n", ""),
	F("negotiation then text", IAC WILL "\x18" IAC WILL "\x1f" IAC DO ECHO
	    "\r\n", "\\r\\n", "\\xff\\xfe\\x18\\xff\\xfe\\x1f\\xff\\xfc\\x01"),
	F("a subnegotiation", "x" IAC SB "\x18" "\x00" "xterm" IAC SE "y",
	    "xy", ""),
	F("IAC IAC and newlines inside a subnegotiation", IAC SB "\x1f" IAC IAC
	    "\n\r" IAC IAC IAC SE "z", "z", ""),
	F("a subnegotiation cut short by a command", IAC SB "\x18" "ab" IAC DO
	    ECHO "q", "q", "\\xff\\xfc\\x01"),
	F("a subnegotiation cut short by IAC and a non-command", IAC SB "\x18"
	    IAC "q", "\\xffq", ""),
	F("SE outside a subnegotiation", "a" IAC SE "b", "ab", ""),
	F("UTF-8 text is untouched", "caf\xc3\xa9 \xe2\x82\xac\t\x01\x00.",
	    "caf\\xc3\\xa9 \\xe2\\x82\\xac\\t\\x01\\x00.", ""),
};

/* bytes as text: printable ASCII kept, \r \n \t \\, others \xNN */
static void
escape(char *out, size_t outlen, const char *in, size_t n)
{
	size_t o = 0;
	unsigned char c;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 5 < outlen; i++) {
		c = (unsigned char)in[i];
		if (c == '\r' || c == '\n' || c == '\t' || c == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\%c",
			    c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
		else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
			out[o] = '\0';
		}
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
}

struct replies {
	char	buf[4096];
	size_t	len;
	int	calls_not_3;	/* answers that were not one 3-byte sequence */
};

static void
collect(void *arg, const unsigned char *seq, size_t len)
{
	struct replies *r = arg;

	if (len != 3)
		r->calls_not_3++;
	if (r->len + len <= sizeof(r->buf)) {
		memcpy(r->buf + r->len, seq, len);
		r->len += len;
	}
}

/*
 * Run in (n bytes) through a fresh filter in pieces: cut at cut (if not
 * 0), else every step bytes.  Escaped text and answers go to text, rep.
 */
static int
run(const char *in, size_t n, size_t cut, size_t step, char *text,
    size_t textlen, char *rep, size_t replen)
{
	struct telnet t;
	struct replies r = { .len = 0 };
	/* +1: the filter may grow a piece by one byte (a put-back IAC) */
	char *buf = malloc(n + 1), *kept = malloc(n + 1);
	size_t have = 0, at = 0, piece, got;

	if (buf == NULL || kept == NULL)
		bail("out of memory");
	telnet_init(&t);
	while (at < n) {
		piece = cut ? (at < cut ? cut : n - at) : step;
		if (piece > n - at)
			piece = n - at;
		memcpy(buf, in + at, piece);
		got = telnet_filter(&t, buf, piece, collect, &r);
		if (got > piece + 1 || have + got > n)
			bail("telnet_filter kept more than it may");
		memcpy(kept + have, buf, got);
		have += got;
		at += piece;
	}
	escape(text, textlen, kept, have);
	escape(rep, replen, r.buf, r.len);
	free(buf);
	free(kept);
	return r.calls_not_3;
}

/* Whole, split in two at every offset, and byte by byte. */
static void
check(const char *what, const char *in, size_t n, const char *want_text,
    const char *want_rep)
{
	static char text[65536], rep[16384];
	int bad_splits = 0, odd_calls = 0;

	odd_calls += run(in, n, 0, n ? n : 1, text, sizeof(text), rep, sizeof(rep));
	is_string(want_text, text, "%s: the text left", what);
	is_string(want_rep, rep, "%s: the answers", what);
	for (size_t cut = 1; cut <= n; cut++) {
		odd_calls += run(in, n, cut, 0, text, sizeof(text), rep,
		    sizeof(rep));
		if (strcmp(text, want_text) != 0 || strcmp(rep, want_rep) != 0) {
			if (bad_splits++ == 0)
				diag("cut at %zu: text \"%s\", answers \"%s\"", cut,
				    text, rep);
		}
	}
	odd_calls += run(in, n, 0, 1, text, sizeof(text), rep, sizeof(rep));
	if (strcmp(text, want_text) != 0 || strcmp(rep, want_rep) != 0) {
		bad_splits++;
		diag("byte by byte: text \"%s\", answers \"%s\"", text, rep);
	}
	is_int(0, bad_splits, "%s: the same split at every offset and byte by "
	    "byte", what);
	is_int(0, odd_calls, "%s: each answer is one 3-byte sequence", what);
}

/* A subnegotiation that never ends is given up after TELNET_SB_MAX bytes. */
static void
check_long_subneg(void)
{
	size_t body = TELNET_SB_MAX + 200, n = 2 + body + 1;
	char *in = malloc(n), *want = malloc(body + 2);

	if (in == NULL || want == NULL)
		bail("out of memory");
	memcpy(in, IAC SB, 2);
	memset(in + 2, 'a', body);
	in[n - 1] = '\n';
	/* The option byte and the first TELNET_SB_MAX bytes are dropped. */
	memset(want, 'a', body - TELNET_SB_MAX - 1);
	strcpy(want + body - TELNET_SB_MAX - 1, "\\n");
	check("a subnegotiation that never ends", in, n, want, "");
	free(in);
	free(want);
}

/* Every fixture in one stream: state never leaks from one to the next. */
static void
check_all_in_one(void)
{
	static char in[8192], text[8192], rep[8192];
	size_t n = 0;

	text[0] = rep[0] = '\0';
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];

		/* One ending inside a subnegotiation or after IAC would
		   swallow the next; they are all complete. */
		memcpy(in + n, f->in, f->inlen);
		n += f->inlen;
		strcat(text, f->text);
		strcat(rep, f->replies);
	}
	check("every fixture in one stream", in, n, text, rep);
}

int
main(void)
{
	size_t count = sizeof(fixtures) / sizeof(fixtures[0]);

	plan((unsigned long)(count + 2) * 4);
	for (size_t i = 0; i < count; i++)
		check(fixtures[i].what, fixtures[i].in, fixtures[i].inlen,
		    fixtures[i].text, fixtures[i].replies);
	check_long_subneg();
	check_all_in_one();
	return 0;
}

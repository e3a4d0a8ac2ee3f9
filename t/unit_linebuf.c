/*
 * unit_linebuf.c -- line framing of client input (lib/linebuf.c).
 *
 * Feeds byte streams through linebuf_room/commit in chunks of a chosen
 * size, as a session's read loop does, and checks the lines that come
 * out.  What a line may contain is text_check's business, not tested here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "tap.h"

#define MAX_LINE	64
#define WHOLE		((size_t)-1)	/* chunk size: as much as there is room */

/* Append s to out (outlen bytes), truncating. */
static void
append(char *out, size_t outlen, const char *s)
{
	size_t have = strlen(out);

	if (have + 1 < outlen)
		snprintf(out + have, outlen - have, "%s", s);
}

/* Append a line as "[text]", with NUL and CR made visible as \0 and \r. */
static void
append_line(char *out, size_t outlen, const char *line, size_t len)
{
	char c[3] = "";

	append(out, outlen, "[");
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\0')
			append(out, outlen, "\\0");
		else if (line[i] == '\r')
			append(out, outlen, "\\r");
		else {
			c[0] = line[i];
			append(out, outlen, c);
		}
	}
	append(out, outlen, "]");
}

static void
append_result(char *out, size_t outlen, enum line_result r, const char *line,
    size_t len)
{
	switch (r) {
	case LINE_NONE:
		break;
	case LINE_OK:
		append_line(out, outlen, line, len);
		break;
	case LINE_TOOLONG:
		append(out, outlen, "TOOLONG");
		break;
	}
}

/* Take every complete line now available. */
static void
drain(struct linebuf *lb, char *out, size_t outlen)
{
	enum line_result r;
	char *line;
	size_t len;

	while ((r = linebuf_next(lb, &line, &len)) != LINE_NONE)
		append_result(out, outlen, r, line, len);
}

/*
 * Feed in (inlen bytes) in commits of at most chunk bytes, taking lines
 * after each commit; with finish, end the input with linebuf_finish.
 * Lines and results go to out in order.
 */
static void
feed(struct linebuf *lb, const char *in, size_t inlen, size_t chunk,
    int finish, char *out, size_t outlen)
{
	size_t off = 0, room, n;
	enum line_result r;
	char *where, *line;
	size_t len;

	while (off < inlen) {
		room = linebuf_room(lb, &where);
		if (room == 0) {
			append(out, outlen, "NOROOM");
			return;
		}
		n = inlen - off;
		if (n > room)
			n = room;
		if (n > chunk)
			n = chunk;
		memcpy(where, in + off, n);
		linebuf_commit(lb, n);
		off += n;
		drain(lb, out, outlen);
	}
	if (finish) {
		r = linebuf_finish(lb, &line, &len);
		append_result(out, outlen, r, line, len);
	}
}

/* Run in through a fresh buffer of MAX_LINE; return what came out. */
static const char *
frame(const char *in, size_t inlen, size_t chunk, int finish)
{
	static char out[8192];
	struct linebuf lb;

	out[0] = '\0';
	if (linebuf_init(&lb, MAX_LINE) == -1)
		bail("linebuf_init: out of memory");
	feed(&lb, in, inlen, chunk, finish, out, sizeof(out));
	linebuf_free(&lb);
	return out;
}

static const char *
frames(const char *in, size_t chunk, int finish)
{
	return frame(in, strlen(in), chunk, finish);
}

/* n copies of c, NUL-ended, in a static buffer of its own (slot 0-3). */
static const char *
repeat(int slot, char c, size_t n)
{
	static char bufs[4][700];

	if (slot < 0 || slot > 3 || n >= sizeof(bufs[0]))
		bail("repeat: bad arguments");
	memset(bufs[slot], c, n);
	bufs[slot][n] = '\0';
	return bufs[slot];
}

static unsigned
count_toolong(const char *out)
{
	unsigned n = 0;

	for (const char *p = out; (p = strstr(p, "TOOLONG")) != NULL; p++)
		n++;
	return n;
}

static void
test_basic(void)
{
	is_string("[hello]", frames("hello\n", WHOLE, 0), "LF ends a line");
	is_string("[hello]", frames("hello\r\n", WHOLE, 0),
	    "CRLF ends a line; CR is not part of it");
	is_string("[a\\rb]", frames("a\rb\n", WHOLE, 0),
	    "CR inside a line is kept");
	is_string("[]", frames("\n", WHOLE, 0), "an empty line (LF)");
	is_string("[]", frames("\r\n", WHOLE, 0), "an empty line (CRLF)");
	is_string("[one][][three]", frames("one\n\nthree\n", WHOLE, 0),
	    "an empty line between two lines");
	is_string("[one][two][three]", frames("one\ntwo\r\nthree\n", WHOLE, 0),
	    "several lines in one commit, LF and CRLF mixed");
	is_string("", frames("partial", WHOLE, 0),
	    "no line before its newline");
}

static void
test_split(void)
{
	is_string("[hello world]", frames("hello world\r\n", 1, 0),
	    "a CRLF line committed byte by byte");
	is_string("[hello world]", frames("hello world\n", 3, 0),
	    "a line split across several commits");
	is_string("[ab][cd][ef]", frames("ab\r\ncd\nef\r\n", 1, 0),
	    "several lines committed byte by byte");
	is_string("[ab][cd]", frames("ab\r\ncd\r\n", 3, 0),
	    "CR and LF in different commits");
}

static void
test_nul(void)
{
	static const char in[] = "a\0b\n";

	is_string("[a\\0b]", frame(in, sizeof(in) - 1, WHOLE, 0),
	    "a NUL byte inside a line is passed through");
	is_string("[a\\0b]", frame(in, sizeof(in) - 1, 1, 0),
	    "a NUL byte inside a line is passed through (byte by byte)");
}

static void
test_limits(void)
{
	char in[2048], want[2048];
	const char *out;

	snprintf(in, sizeof(in), "%s\n", repeat(0, 'x', MAX_LINE));
	snprintf(want, sizeof(want), "[%s]", repeat(0, 'x', MAX_LINE));
	is_string(want, frames(in, WHOLE, 0), "a line of exactly max_line bytes (LF)");

	snprintf(in, sizeof(in), "%s\r\n", repeat(0, 'x', MAX_LINE));
	is_string(want, frames(in, WHOLE, 0), "a line of exactly max_line bytes (CRLF)");
	is_string(want, frames(in, 1, 0),
	    "a line of exactly max_line bytes, byte by byte");

	snprintf(in, sizeof(in), "%s\nnext\n", repeat(0, 'x', MAX_LINE + 1));
	is_string("TOOLONG[next]", frames(in, WHOLE, 0),
	    "max_line+1 bytes (LF) is too long; the next line is fine");

	snprintf(in, sizeof(in), "%s\r\nnext\r\n", repeat(0, 'x', MAX_LINE + 1));
	is_string("TOOLONG[next]", frames(in, WHOLE, 0),
	    "max_line+1 bytes (CRLF) is too long, once; the next line is fine");
	is_string("TOOLONG[next]", frames(in, 1, 0),
	    "max_line+1 bytes (CRLF) byte by byte: too long, once");

	/* Ten times the buffer, in commits of every size the loop may use. */
	snprintf(in, sizeof(in), "%s\r\nnext\n", repeat(0, 'y', 10 * MAX_LINE));
	is_string("TOOLONG[next]", frames(in, WHOLE, 0),
	    "a line longer than the buffer: reported once, rest skipped");
	is_string("TOOLONG[next]", frames(in, 7, 0),
	    "a line longer than the buffer, in 7-byte commits");
	out = frames(in, 1, 0);
	is_int(1, count_toolong(out),
	    "a line longer than the buffer, byte by byte: LINE_TOOLONG once");
	is_string("TOOLONG[next]", out,
	    "a line longer than the buffer, byte by byte: next line returned");

	snprintf(in, sizeof(in), "before\n%s\nafter\n",
	    repeat(0, 'z', 3 * MAX_LINE + 5));
	is_string("[before]TOOLONG[after]", frames(in, 5, 0),
	    "lines on both sides of an overlong one are intact");
}

/*
 * A client that sends many lines at once fills the whole free space in
 * one read; the last line in it is usually incomplete.
 */
static void
test_pipelined(void)
{
	char in[4096], want[4096], line[32];

	in[0] = want[0] = '\0';
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "line %02d\n", i);
		append(in, sizeof(in), line);
		snprintf(line, sizeof(line), "[line %02d]", i);
		append(want, sizeof(want), line);
	}
	is_string(want, frames(in, 9, 0),
	    "40 short lines in 9-byte commits");
	is_string(want, frames(in, WHOLE, 0),
	    "40 short lines, each read filling all the free space");

	/* One complete line, then an incomplete one that fills the buffer. */
	snprintf(in, sizeof(in), "ab\n%s\n", repeat(0, 'w', MAX_LINE - 1));
	snprintf(want, sizeof(want), "[ab][%s]", repeat(0, 'w', MAX_LINE - 1));
	is_string(want, frames(in, WHOLE, 0),
	    "a short line, then a max_line-1 line arriving in the same read");
}

static void
test_finish(void)
{
	char in[2048], want[2048];
	const char *out;

	is_string("[last]", frames("last", WHOLE, 1),
	    "finish returns an unterminated last line");
	is_string("[one][last]", frames("one\nlast", 2, 1),
	    "finish returns the tail after complete lines");
	is_string("[last]", frames("last\r", WHOLE, 1),
	    "finish strips a trailing CR");
	is_string("[one]", frames("one\n", WHOLE, 1),
	    "finish after a complete line returns nothing");
	is_string("", frames("", WHOLE, 1), "finish on no input returns nothing");

	snprintf(in, sizeof(in), "%s", repeat(0, 'x', MAX_LINE));
	snprintf(want, sizeof(want), "[%s]", repeat(0, 'x', MAX_LINE));
	is_string(want, frames(in, WHOLE, 1),
	    "finish: an unterminated tail of max_line bytes is a line");

	snprintf(in, sizeof(in), "%s", repeat(0, 'x', MAX_LINE + 1));
	is_string("TOOLONG", frames(in, WHOLE, 1),
	    "finish: an unterminated tail of max_line+1 bytes is too long");

	snprintf(in, sizeof(in), "%s", repeat(0, 'x', 5 * MAX_LINE));
	out = frames(in, 4, 1);
	is_int(1, count_toolong(out),
	    "finish: a tail longer than the buffer is reported once");
	is_string("TOOLONG", out,
	    "finish: nothing of a tail longer than the buffer is returned");
}

static void
test_pending(void)
{
	struct linebuf lb;
	char *where, *line;
	size_t len;

	if (linebuf_init(&lb, MAX_LINE) == -1)
		bail("linebuf_init: out of memory");
	is_int(MAX_LINE + 2, (long long)linebuf_room(&lb, &where),
	    "an empty buffer has room for max_line bytes and CRLF");
	memcpy(where, "ab\ncd", 5);
	linebuf_commit(&lb, 5);
	is_int(5, (long long)linebuf_pending(&lb), "pending counts what was committed");
	is_int(LINE_OK, linebuf_next(&lb, &line, &len), "one line is ready");
	is_int(2, (long long)linebuf_pending(&lb), "pending drops by a returned line");
	is_int(LINE_NONE, linebuf_next(&lb, &line, &len), "no second line yet");
	linebuf_free(&lb);
}

/* One byte past the room may be committed (a telnet IAC put back). */
static void
test_overfill(void)
{
	struct linebuf lb;
	char *where, *line;
	size_t len, room;

	if (linebuf_init(&lb, MAX_LINE) == -1)
		bail("linebuf_init: out of memory");
	room = linebuf_room(&lb, &where);
	memset(where, 'x', room + 1);
	linebuf_commit(&lb, room + 1);
	is_int(0, (long long)linebuf_room(&lb, &where),
	    "overfilled by one byte: no room until framed");
	is_int(LINE_TOOLONG, linebuf_next(&lb, &line, &len),
	    "overfilled without a newline: too long");
	room = linebuf_room(&lb, &where);
	is_int(MAX_LINE + 2, (long long)room, "then the room is whole again");
	memset(where, 'y', room);
	where[room] = '\n';
	linebuf_commit(&lb, room + 1);
	is_int(LINE_NONE, linebuf_next(&lb, &line, &len),
	    "overfilled ending in a newline: the overlong line's rest is skipped");
	linebuf_room(&lb, &where);
	memcpy(where, "ok\n", 3);
	linebuf_commit(&lb, 3);
	ok(linebuf_next(&lb, &line, &len) == LINE_OK && len == 2 &&
	    memcmp(line, "ok", 2) == 0, "the next line is whole");
	linebuf_free(&lb);
}

/* Commit text (NUL-free) to lb as one read. */
static void
commit_text(struct linebuf *lb, const char *text)
{
	char *where;
	size_t len = strlen(text);

	if (linebuf_room(lb, &where) < len)
		bail("commit_text: no room for %zu bytes", len);
	memcpy(where, text, len);
	linebuf_commit(lb, len);
}

/* linebuf_drop and linebuf_skip_line: the type-ahead after a wrong password. */
static void
test_drop(void)
{
	struct linebuf lb;
	char *line, *held;
	size_t len;

	if (linebuf_init(&lb, MAX_LINE) == -1)
		bail("linebuf_init: out of memory");
	commit_text(&lb, "pw\nnext\nmore\n");
	linebuf_next(&lb, &line, &len);
	held = lb.buf;
	is_int(0, linebuf_drop(&lb), "drop: held lines ending in a newline end no line");
	is_int(0, (long long)linebuf_pending(&lb), "drop: nothing is pending after it");
	ok(memchr(held, 'n', 15) == NULL && memchr(held, 'm', 15) == NULL,
	    "drop: the bytes held are zeroed");
	is_int(LINE_NONE, linebuf_next(&lb, &line, &len), "drop: no line comes after it");
	commit_text(&lb, "pw\nhalf a li");
	linebuf_next(&lb, &line, &len);
	is_int(1, linebuf_drop(&lb), "drop: a held partial line is reported");
	is_int(0, linebuf_drop(&lb), "drop: an empty buffer at a line's end: not inside");
	linebuf_skip_line(&lb);
	commit_text(&lb, "ne\nok\n");
	ok(linebuf_next(&lb, &line, &len) == LINE_OK && len == 2 &&
	    memcmp(line, "ok", 2) == 0,
	    "skip_line: the rest of the cut line is skipped, the next is returned");
	linebuf_skip_line(&lb);
	is_int(1, linebuf_drop(&lb), "drop while skipping, nothing held: inside a line");
	linebuf_free(&lb);
}

int
main(void)
{
	plan(8 + 4 + 2 + 11 + 3 + 9 + 5 + 5 + 8);
	test_basic();
	test_split();
	test_nul();
	test_limits();
	test_pipelined();
	test_finish();
	test_pending();
	test_overfill();
	test_drop();
	return 0;
}

/*
 * fuzz_linebuf.c -- libFuzzer target: the line framer and the line checks.
 *
 * Feeds a byte stream through lib/linebuf.c in chunks, the way
 * input_read() does, with a small max_line, and compares every line,
 * overlong-line report and end-of-input line with a model built from the
 * documented rule (a line ends at "\n", one "\r" before it is dropped,
 * more than max_line bytes is LINE_TOOLONG once).  Each line then goes
 * through text_check and name_valid, each compared with an independent
 * reference, and a valid one through what chat text may not hide and how
 * client text is cut (text_find_hidden, text_cut_blanks, text_compose,
 * name_skeleton), checked against their promises.  The command parser
 * (src/commands.c) is not covered: it cannot be linked without a session
 * (see fuzz/README.md).
 *
 * Input: byte 0 picks max_line (1..80), byte 1 seeds the chunk sizes,
 * byte 2 caps the lines taken per read (0: all, as a session does), the
 * rest is the stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "fuzz.h"
#include "frame_model.h"
#include "linebuf.h"
#include "text.h"

/* The strict UTF-8 rule of RFC 3629 (Unicode table 3-7), written apart. */
static enum text_fault
ref_text(const uint8_t *s, size_t len)
{
	enum text_fault fault = TEXT_OK;
	size_t i = 0, n;
	uint32_t cp;
	uint8_t lo, hi;

	while (i < len) {
		uint8_t c = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (c < 0x80) {
			n = 1;
			cp = c;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else
			return TEXT_BAD_UTF8;
		if (len - i < n)
			return TEXT_BAD_UTF8;
		for (size_t k = 1; k < n; k++) {
			uint8_t b = s[i + k];

			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
				return TEXT_BAD_UTF8;
			cp = (cp << 6) | (b & 0x3f);
		}
		if (fault == TEXT_OK) {
			if (cp == 0)
				fault = TEXT_NUL;
			else if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f))
				fault = TEXT_CONTROL;
		}
		i += n;
	}
	return fault;
}

/* The user-name rule of text.h, written apart. */
static int
ref_name(const uint8_t *s, size_t len)
{
	if (len < 1 || len > 32)
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];
		int letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';

		if (i == 0 ? !letter : !letter && !(c >= '0' && c <= '9') &&
		    c != '_' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/*
 * The command syntax (lib/cmdline.c) on an accepted line: the name has no
 * blank and the arguments no leading blank, both lie inside the line, and
 * the words counted are the words split off.
 */
static void
parse(char *line, size_t len)
{
	char *name, *args, *word;
	int words, split = 0;

	if (cmdline_parse(line, &name, &args) == CMDLINE_TEXT) {
		check(name == NULL);
		check(args == line || (line[0] == '/' && args == line + 1));
		return;
	}
	check(line[0] == '/' && name == line + 1);
	check(strpbrk(name, " \t") == NULL);
	check(args >= name && args <= line + len);
	check(*args != ' ' && *args != '\t');
	words = cmdline_count_words(args);
	while (*args != '\0') {
		word = cmdline_next_word(&args);
		check(*word != '\0' && strpbrk(word, " \t") == NULL);
		split++;
	}
	check(words == split);
}

/*
 * A valid line (len <= 80): cutting runs of blanks and composing with a
 * cut keep it valid UTF-8, never grow it, keep head and tail whole; a
 * skeleton is never longer than twice the name, and holds no m or w
 * (they are expanded) and nothing that folds.
 */
static void
text_rules(const char *line, size_t len)
{
	char copy[128], buf[128], skeleton[128];
	size_t n, size, max;
	uint32_t cp;

	cp = text_find_hidden(line, len);
	check(cp == 0 || (cp >= 0xad && cp <= 0xe0fff));
	memcpy(copy, line, len);
	n = text_cut_blanks(copy, len);
	check(n <= len && text_check(copy, n) == TEXT_OK);
	check(text_cut_blanks(copy, n) == n);	/* nothing more to cut */
	memcpy(copy, line, len);
	copy[len] = '\0';
	size = 1 + len % 97;
	max = len % 13;
	for (size_t sz = 4; sz <= size; sz += 7) {
		n = text_compose(buf, sz, "(", copy, max + sz % 5, ")");
		check(n < sz && n == strlen(buf) && text_check(buf, n) == TEXT_OK);
		check(buf[0] == '(' && buf[n - 1] == ')');
		check(n - 2 <= max + sz % 5 && memcmp(buf + 1, copy, n - 2) == 0);
	}
	if (name_valid(line, len)) {
		n = name_skeleton(line, len, skeleton);
		check(n <= 2 * len && n == strlen(skeleton));
		check(strpbrk(skeleton, "mwMWIO10") == NULL);	/* expanded, folded */
	}
}

/* One line the framer gave: check it against the model, then its text. */
static void
got(const struct linebuf *lb, enum line_result r, char *line, size_t len,
    const struct event *want)
{
	enum text_fault fault;

	check(r == want->kind);
	if (r != LINE_OK)
		return;
	check(len == want->len);
	check(len <= lb->max_line);
	check(line >= lb->buf && line + len <= lb->buf + lb->cap);
	check(memcmp(line, want->text, len) == 0);
	/* commands_line ends the line in place: the spare byte must exist. */
	line[len] = '\0';

	fault = text_check(line, len);
	check(fault == ref_text((const uint8_t *)line, len));
	check(text_fault_string(fault) != NULL);
	check(name_valid(line, len) == ref_name((const uint8_t *)line, len));
	if (name_valid(line, len))
		check(fault == TEXT_OK);
	if (fault == TEXT_OK && len < 128)
		text_rules(line, len);
	if (fault == TEXT_OK)
		parse(line, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	struct event *ev;
	size_t max_line, per_read, nev, at = 0, pos = 0, room, n, taken, len;
	uint32_t rng;
	enum line_result r;
	char *where, *line;

	if (size < 3)
		return 0;
	max_line = 1 + data[0] % 80;
	rng = 0x9e3779b9u ^ data[1];
	per_read = data[2] % 4;
	data += 3;
	size -= 3;

	/* At most one event per byte, plus one. */
	if ((ev = calloc(size + 1, sizeof(*ev))) == NULL)
		return 0;
	nev = frame_model(data, size, max_line, ev);
	check(linebuf_init(&lb, max_line) == 0);

	while (pos < size) {
		room = linebuf_room(&lb, &where);
		check(room <= lb.cap);
		check(where == lb.buf + lb.len);
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		n = 1 + rng % (2 * lb.cap);
		if (n > room)
			n = room;
		if (n > size - pos)
			n = size - pos;
		memcpy(where, data + pos, n);
		pos += n;
		linebuf_commit(&lb, n);
		check(lb.len <= lb.cap);
		/* Lines may stay held (flood control); never block forever. */
		for (taken = 0; per_read == 0 || taken < per_read || room == 0;
		    taken++) {
			if ((r = linebuf_next(&lb, &line, &len)) == LINE_NONE)
				break;
			check(at < nev);
			got(&lb, r, line, len, &ev[at++]);
			room = 1;
		}
		check(linebuf_pending(&lb) <= lb.cap);
	}
	/* At end of input a session takes every held line, then the rest. */
	while ((r = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
		check(at < nev);
		got(&lb, r, line, len, &ev[at++]);
	}
	if ((r = linebuf_finish(&lb, &line, &len)) != LINE_NONE) {
		check(at < nev);
		got(&lb, r, line, len, &ev[at++]);
	}
	check(at == nev);
	check(linebuf_pending(&lb) == 0);
	check(linebuf_finish(&lb, &line, &len) == LINE_NONE);

	linebuf_free(&lb);
	free(ev);
	return 0;
}

/*
 * text.c -- UTF-8 and control-character checks, the user-name rule.
 *
 * UTF-8 is checked strictly (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.  C0 controls (except tab), DEL and C1 controls
 * are refused so no client can move another's cursor or ring its bell.
 * What chat text may not hide from a reader (reordered or invisible
 * characters, padding to the next terminal row), how client text is cut
 * into a fixed buffer, and which names look alike are here too.
 */
#include <stdint.h>
#include <string.h>

#include "text.h"

/* Length of the sequence starting with b, or 0 if b cannot start one. */
static size_t
utf8_length(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/* Decode one sequence of n bytes at p; -1 if malformed. */
static int32_t
utf8_decode(const unsigned char *p, size_t n)
{
	int32_t cp;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return -1;
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return ((p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	case 3:
		cp = ((p[0] & 0x0f) << 12) | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		return cp;
	default:
		cp = ((p[0] & 0x07) << 18) | ((p[1] & 0x3f) << 12) |
		    ((p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		if (cp < 0x10000 || cp > 0x10ffff)
			return -1;
		return cp;
	}
}

enum text_fault
text_check(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	enum text_fault fault = TEXT_OK;
	size_t i = 0, n;
	int32_t cp;

	while (i < len) {
		n = utf8_length(p[i]);
		if (n == 0 || i + n > len || (cp = utf8_decode(p + i, n)) < 0)
			return TEXT_BAD_UTF8;
		if (cp == 0 && fault == TEXT_OK)
			fault = TEXT_NUL;
		else if (((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f)) &&
		    fault == TEXT_OK)
			fault = TEXT_CONTROL;
		i += n;
	}
	return fault;
}

const char *
text_fault_string(enum text_fault fault)
{
	switch (fault) {
	case TEXT_OK:
		return "ok";
	case TEXT_BAD_UTF8:
		return "line is not valid UTF-8";
	case TEXT_NUL:
		return "line contains a NUL byte";
	case TEXT_CONTROL:
		return "line contains a control character (only tab is allowed)";
	}
	return "bad text";
}

size_t
utf8_prefix(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	if (len <= max)
		return len;
	/* Back off continuation bytes (10xxxxxx) to a character start. */
	while (max > 0 && (p[max] & 0xc0) == 0x80)
		max--;
	return max;
}

size_t
text_compose(char *buf, size_t size, const char *head, const char *client,
    size_t max, const char *tail)
{
	size_t room = size - 1, h = strlen(head), c = strlen(client), t = strlen(tail);

	t = utf8_prefix(tail, t, room);
	h = utf8_prefix(head, h, room - t);
	if (max > room - t - h)
		max = room - t - h;
	c = utf8_prefix(client, c, max);
	memmove(buf, head, h);
	memmove(buf + h, client, c);
	memmove(buf + h + c, tail, t);
	buf[h + c + t] = '\0';
	return h + c + t;
}

/*
 * The character at s[*i] (valid UTF-8 assumed; a bad byte reads as
 * U+FFFD) and *i moved past it.
 */
static uint32_t
next_char(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t n = utf8_length(*p);
	int32_t cp;

	if (n == 0 || *i + n > len || (cp = utf8_decode(p, n)) < 0) {
		*i += 1;
		return 0xfffd;
	}
	*i += n;
	return (uint32_t)cp;
}

static int
is_hidden(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x180e || cp == 0x200b || (cp >= 0x2060 && cp <= 0x2064) ||
	    (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x2028 || cp == 0x2029;
}

uint32_t
text_find_hidden(const char *s, size_t len)
{
	uint32_t prev = 0, cp, next;
	size_t i = 0, j;

	while (i < len) {
		cp = next_char(s, len, &i);
		if (is_hidden(cp))
			return cp;
		if (cp == 0x200c || cp == 0x200d) {
			j = i;
			next = j < len ? next_char(s, len, &j) : 0;
			if (prev < 0x80 || next < 0x80)
				return cp;
		}
		prev = cp;
	}
	return 0;
}

/* Columns a blank character takes (a tab at most 8); 0 if not blank. */
static unsigned
blank_columns(uint32_t cp)
{
	switch (cp) {
	case '\t':
		return 8;
	case 0x3000:		/* ideographic space */
	case 0x3164:		/* hangul filler */
	case 0x115f:		/* hangul choseong filler */
		return 2;
	case ' ':
	case 0xa0:		/* no-break space */
	case 0x1160:		/* hangul jungseong filler */
	case 0x1680:		/* ogham space mark */
	case 0x202f:		/* narrow no-break space */
	case 0x205f:		/* medium mathematical space */
	case 0x2800:		/* braille pattern blank */
	case 0xffa0:		/* halfwidth hangul filler */
		return 1;
	}
	return cp >= 0x2000 && cp <= 0x200a ? 1 : 0;
}

/*
 * Zero-width characters that can sit on a blank and show nothing:
 * combining marks of the common blocks, variation selectors, tags, the
 * soft hyphen, the grapheme joiner, ZWNJ and ZWJ.  They do not end a run
 * of blanks, or "8 spaces, U+0301, 8 spaces, ..." would pad a row.
 */
static int
is_zero_width(uint32_t cp)
{
	return cp == 0xad || cp == 0x34f || cp == 0x200c || cp == 0x200d ||
	    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	    (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
	    (cp >= 0xe0000 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

size_t
text_cut_blanks(char *s, size_t len)
{
	size_t i = 0, start, out = 0;
	unsigned run = 0, w;
	uint32_t cp;

	while (i < len) {
		start = i;
		cp = next_char(s, len, &i);
		w = blank_columns(cp);
		if (w == 0 && run > TEXT_BLANK_COLUMNS && is_zero_width(cp))
			continue;		/* on a blank that was dropped */
		if (w == 0 && !is_zero_width(cp))
			run = 0;
		else if (run + w <= TEXT_BLANK_COLUMNS)
			run += w;
		else {
			run = TEXT_BLANK_COLUMNS + 1;	/* drop the rest of the run */
			continue;
		}
		memmove(s + out, s + start, i - start);
		out += i - start;
	}
	return out;
}

int
text_is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static int
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
name_valid(const char *s, size_t len)
{
	if (len < 1 || len > 32 || !is_letter(s[0]))
		return 0;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!is_letter(c) && !(c >= '0' && c <= '9') &&
		    c != '_' && c != '-' && c != '.')
			return 0;
	}
	return 1;
}

/* Fold one name character: case, and the letters that look alike. */
static char
fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	if (c == 'i' || c == '1')
		return 'l';
	if (c == '0')
		return 'o';
	return c;
}

size_t
name_skeleton(const char *name, size_t len, char *out)
{
	size_t n = 0;
	char c, d;

	for (size_t i = 0; i < len && name[i] != '\0'; i++) {
		c = fold(name[i]);
		d = i + 1 < len && name[i + 1] != '\0' ? fold(name[i + 1]) : '\0';
		if (c == 'r' && d == 'n') {
			c = 'm';
			i++;
		} else if (c == 'v' && d == 'v') {
			c = 'w';
			i++;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

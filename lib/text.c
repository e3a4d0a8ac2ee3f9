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

#include "shm_layout.h"
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

size_t
utf8_char_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (len == 0 || (n = utf8_length(p[0])) == 0 || n > len ||
	    utf8_decode(p, n) < 0)
		return 0;
	return n;
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
text_printed(int n, size_t size)
{
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
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

/* An inclusive range of code points. */
struct range {
	uint32_t	first, last;
};

/*
 * Unicode's Default_Ignorable_Code_Point set, from DerivedCoreProperties.txt
 * (Unicode 15.1; unchanged since 14.0): characters a renderer shows as
 * nothing.  Sorted, for in_ranges.
 */
static const struct range ignorable[] = {
	{ 0x00ad, 0x00ad },	/* soft hyphen */
	{ 0x034f, 0x034f },	/* combining grapheme joiner */
	{ 0x061c, 0x061c },	/* Arabic letter mark */
	{ 0x115f, 0x1160 },	/* Hangul choseong, jungseong fillers */
	{ 0x17b4, 0x17b5 },	/* Khmer inherent vowels */
	{ 0x180b, 0x180f },	/* Mongolian variation selectors, vowel separator */
	{ 0x200b, 0x200f },	/* ZWSP, ZWNJ, ZWJ, LRM, RLM */
	{ 0x202a, 0x202e },	/* bidirectional embeddings, overrides */
	{ 0x2060, 0x206f },	/* word joiner, invisible operators, isolates, ... */
	{ 0x3164, 0x3164 },	/* Hangul filler */
	{ 0xfe00, 0xfe0f },	/* variation selectors 1-16 */
	{ 0xfeff, 0xfeff },	/* zero-width no-break space */
	{ 0xffa0, 0xffa0 },	/* halfwidth Hangul filler */
	{ 0xfff0, 0xfff8 },	/* unassigned */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
	{ 0xe0000, 0xe0fff },	/* tags, variation selectors 17-256, unassigned */
};

/*
 * Combining marks of the common blocks: zero-width, drawn on the
 * character before them.
 */
static const struct range combining[] = {
	{ 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
	{ 0x20d0, 0x20ff }, { 0xfe20, 0xfe2f },
};

/* Is cp in one of the n sorted ranges r?  (Binary search.) */
static int
in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define IN(cp, table)	in_ranges((cp), (table), sizeof(table) / sizeof((table)[0]))

static int
is_ignorable(uint32_t cp)
{
	return IN(cp, ignorable);
}

static int
is_combining(uint32_t cp)
{
	return IN(cp, combining);
}

/* Not ignorable, but refused everywhere too: they break or annotate lines. */
static int
is_layout_control(uint32_t cp)
{
	return cp == 0x2028 || cp == 0x2029 || (cp >= 0xfff9 && cp <= 0xfffb);
}

static int
is_selector(uint32_t cp)
{
	return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

static int
is_ascii_alnum(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= '0' && cp <= '9');
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
 * combining marks and the ignorable characters (variation selectors,
 * tags, the soft hyphen, the grapheme joiner, ZWNJ, ZWJ, ...).
 */
static int
is_zero_width(uint32_t cp)
{
	return is_combining(cp) || is_ignorable(cp);
}

/*
 * Does cp show nothing: a blank or a zero-width character?  Runs of
 * these are cut (text_cut_blanks), a line of only these is blank
 * (text_is_blank).
 */
static int
shows_nothing(uint32_t cp)
{
	return blank_columns(cp) > 0 || is_zero_width(cp);
}

/*
 * What a joiner or variation selector right here would sit on: nothing
 * it may join (start of line, ASCII, a blank, an invisible character, a
 * combining mark on one of those), a visible non-ASCII character (or a
 * combining mark on one), or a variation selector on one.
 */
enum sits_on {
	ON_NOTHING,
	ON_VISIBLE,
	ON_SELECTOR,
};

/* What the next character sits on, once cp (allowed) sat on on. */
static enum sits_on
sits_on_after(uint32_t cp, enum sits_on on)
{
	if (is_selector(cp))
		return on == ON_VISIBLE ? ON_SELECTOR : ON_NOTHING;
	if (is_combining(cp))
		return on;
	if (cp < 0x80 || shows_nothing(cp) || is_layout_control(cp))
		return ON_NOTHING;
	return ON_VISIBLE;
}

/*
 * The neighbour rule: may ignorable character cp stand after prev (which
 * it sits on, see sits_on) and before next (0 at the end)?  Direction
 * marks (U+200E, U+200F, U+061C) may, except between ASCII letters or
 * digits.  ZWNJ and ZWJ only on a visible non-ASCII character (or its
 * variation selector, as in U+1F3F3 U+FE0F U+200D U+1F308) and before
 * a non-ASCII one: emoji ZWJ sequences, Persian and Indic text.  A
 * variation selector only on a visible non-ASCII character, one at
 * most, or as U+FE0F in a keycap ("1" U+FE0F U+20E3).  Nothing else.
 */
static int
ignorable_allowed(uint32_t prev, enum sits_on on, uint32_t cp, uint32_t next)
{
	if (cp == 0x200e || cp == 0x200f || cp == 0x61c)
		return !(is_ascii_alnum(prev) && is_ascii_alnum(next));
	if (cp == 0x200c || cp == 0x200d)
		return on != ON_NOTHING && next >= 0x80;
	if (is_selector(cp))
		return on == ON_VISIBLE || (cp == 0xfe0f && next == 0x20e3 &&
		    ((prev >= '0' && prev <= '9') || prev == '#' || prev == '*'));
	return 0;
}

/*
 * Bytes of the tags of a flag at s[i] (right after U+1F3F4, as in
 * England's flag): 1 to 7 tag digits or small letters, then U+E007F
 * (cancel tag).  0 if there is no such sequence; its tags are then
 * refused like any other, so no tag can carry hidden ASCII text.
 */
static size_t
flag_tags(const char *s, size_t len, size_t i)
{
	size_t start = i, n = 0;
	uint32_t cp;

	while (i < len && n <= 7) {
		cp = next_char(s, len, &i);
		if (cp == 0xe007f)
			return n > 0 ? i - start : 0;
		if (!(cp >= 0xe0030 && cp <= 0xe0039) &&
		    !(cp >= 0xe0061 && cp <= 0xe007a))
			return 0;
		n++;
	}
	return 0;
}

uint32_t
text_find_hidden(const char *s, size_t len)
{
	uint32_t prev = 0, cp, next;
	enum sits_on on = ON_NOTHING;
	size_t i = 0, j;

	while (i < len) {
		cp = next_char(s, len, &i);
		if (is_layout_control(cp))
			return cp;
		if (is_ignorable(cp)) {
			j = i;
			next = i < len ? next_char(s, len, &j) : 0;
			if (!ignorable_allowed(prev, on, cp, next))
				return cp;
		}
		on = sits_on_after(cp, on);
		if (cp == 0x1f3f4)		/* waving black flag */
			i += flag_tags(s, len, i);
		prev = cp;
	}
	return 0;
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
		if (!shows_nothing(cp))
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
	size_t i = 0;

	while (i < len)
		if (!shows_nothing(next_char(s, len, &i)))
			return 0;
	return 1;
}

static int
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
name_char(char c)
{
	return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	    c == '.';
}

int
name_valid(const char *s, size_t len)
{
	if (len < 1 || len > SHM_NAME_MAX || !is_letter(s[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!name_char(s[i]))
			return 0;
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
	char c;

	for (size_t i = 0; i < len && name[i] != '\0'; i++) {
		c = fold(name[i]);
		if (c == 'm' || c == 'w') {	/* expanded, never contracted */
			out[n++] = c == 'm' ? 'r' : 'v';
			c = c == 'm' ? 'n' : 'v';
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

int
name_reserved(const char *name, size_t len)
{
	char skeleton[2 * 3 + 1];

	if (len != 3)
		return 0;
	name_skeleton(name, len, skeleton);
	return strcmp(skeleton, "you") == 0;
}

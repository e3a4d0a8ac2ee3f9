/*
 * unit_text.c -- what a chat line and a user name may hold (lib/text.c).
 *
 * Lines: strict UTF-8 (RFC 3629), no NUL, no control characters but tab.
 * Names: 1-32 ASCII letters, digits, '_', '-', '.', starting with a letter.
 * Cutting client text at a character boundary into a fixed buffer (every
 * multi-byte width at every offset around the cut); what chat text may
 * not hide; runs of blanks; the look-alike skeleton of names.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "text.h"

/* text_check on a byte string given with its length (it may hold NUL). */
#define CHECK(lit)	text_check((lit), sizeof(lit) - 1)
#define NAME(lit)	name_valid((lit), sizeof(lit) - 1)

static void
test_valid(void)
{
	is_int(TEXT_OK, CHECK(""), "an empty line is valid");
	is_int(TEXT_OK, CHECK("Hello, world! ~{}[]"), "printable ASCII");
	is_int(TEXT_OK, CHECK("a\tb\t"), "tab is allowed");
	is_int(TEXT_OK, CHECK("caf\xc3\xa9"), "2-byte UTF-8 (U+00E9 e acute)");
	is_int(TEXT_OK, CHECK("5 \xe2\x82\xac"), "3-byte UTF-8 (U+20AC euro)");
	is_int(TEXT_OK, CHECK("\xf0\x9f\x98\x80!"), "4-byte UTF-8 (U+1F600)");
	is_int(TEXT_OK, CHECK("\xc2\xa0"), "U+00A0, just past the C1 controls");
	is_int(TEXT_OK, CHECK("\xed\x9f\xbf"), "U+D7FF, just below the surrogates");
	is_int(TEXT_OK, CHECK("\xee\x80\x80"), "U+E000, just above the surrogates");
	is_int(TEXT_OK, CHECK("\xf4\x8f\xbf\xbf"), "U+10FFFF, the last code point");
	is_int(TEXT_OK, CHECK("\xe0\xa0\x80"), "U+0800, shortest 3-byte form");
	is_int(TEXT_OK, CHECK("\xf0\x90\x80\x80"), "U+10000, shortest 4-byte form");
}

static void
test_bad_utf8(void)
{
	is_int(TEXT_BAD_UTF8, CHECK("\xc0\x80"), "overlong NUL (C0 80)");
	is_int(TEXT_BAD_UTF8, CHECK("\xc1\xbf"), "overlong 2-byte form (C1 BF)");
	is_int(TEXT_BAD_UTF8, CHECK("\xe0\x80\x80"), "overlong 3-byte NUL (E0 80 80)");
	is_int(TEXT_BAD_UTF8, CHECK("\xe0\x9f\xbf"), "overlong 3-byte U+07FF");
	is_int(TEXT_BAD_UTF8, CHECK("\xf0\x8f\xbf\xbf"), "overlong 4-byte U+FFFF");
	is_int(TEXT_BAD_UTF8, CHECK("\xed\xa0\x80"), "surrogate U+D800 (ED A0 80)");
	is_int(TEXT_BAD_UTF8, CHECK("\xed\xbf\xbf"), "surrogate U+DFFF");
	is_int(TEXT_BAD_UTF8, CHECK("\xf4\x90\x80\x80"), "U+110000 (F4 90 80 80)");
	is_int(TEXT_BAD_UTF8, CHECK("\xf5\x80\x80\x80"), "lead byte F5");
	is_int(TEXT_BAD_UTF8, CHECK("ab\xe2\x82"), "truncated 3-byte sequence at end");
	is_int(TEXT_BAD_UTF8, CHECK("\xe2\x82z"), "3-byte sequence cut by ASCII");
	is_int(TEXT_BAD_UTF8, CHECK("\xf0\x9f\x98"), "truncated 4-byte sequence");
	is_int(TEXT_BAD_UTF8, CHECK("\xc3"), "a lone lead byte");
	is_int(TEXT_BAD_UTF8, CHECK("a\x80" "b"), "a stray continuation byte");
	is_int(TEXT_BAD_UTF8, CHECK("\xc3\xa9\xa9"), "a continuation byte too many");
	is_int(TEXT_BAD_UTF8, CHECK("\xff\xf4"), "0xFF (telnet IAC)");
	is_int(TEXT_BAD_UTF8, CHECK("\xfe"), "0xFE");
	/* The length given is what counts, not a NUL. */
	is_int(TEXT_BAD_UTF8, text_check("\xe2\x82\xac", 2),
	    "a sequence cut by the length given");
}

static void
test_controls(void)
{
	is_int(TEXT_NUL, CHECK("a\0b"), "NUL is TEXT_NUL");
	is_int(TEXT_NUL, CHECK("\0"), "a lone NUL is TEXT_NUL");
	is_int(TEXT_CONTROL, CHECK("\x1b[2J"), "ESC is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("ding\a"), "BEL is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("a\rb"), "CR is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("a\nb"), "LF is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\x01"), "U+0001 is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\x1f"), "U+001F is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\x7f"), "DEL is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\xc2\x80"), "U+0080 (C1) is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("next\xc2\x85line"), "U+0085 NEL (C2 85) is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\xc2\x9b" "2J"), "U+009B CSI is TEXT_CONTROL");
	is_int(TEXT_CONTROL, CHECK("\xc2\x9f"), "U+009F is TEXT_CONTROL");
	is_int(TEXT_BAD_UTF8, CHECK("\x1b\xff"),
	    "bad UTF-8 after a control character is still bad UTF-8");
	ok(strlen(text_fault_string(TEXT_CONTROL)) > 0 &&
	    strcmp(text_fault_string(TEXT_CONTROL), text_fault_string(TEXT_NUL)) != 0,
	    "each fault has its own message");
}

static void
test_names(void)
{
	is_int(1, NAME("a"), "one letter is a name");
	is_int(1, NAME("Alice"), "letters");
	is_int(1, NAME("bob_2-x.y"), "letters, digits, '_', '-', '.'");
	is_int(1, NAME("Z9"), "upper-case letter first, then a digit");
	is_int(1, NAME("abcdefghijklmnopqrstuvwxyz012345"), "32 characters");
	is_int(0, NAME("abcdefghijklmnopqrstuvwxyz0123456"), "33 characters");
	is_int(0, name_valid("", 0), "empty");
	is_int(0, NAME("1abc"), "a digit first");
	is_int(0, NAME("_abc"), "'_' first");
	is_int(0, NAME("-abc"), "'-' first");
	is_int(0, NAME(".abc"), "'.' first");
	is_int(0, NAME("al ice"), "a space inside");
	is_int(0, NAME("alice "), "a trailing space");
	is_int(0, NAME("al@ice"), "'@'");
	is_int(0, NAME("al/ice"), "'/'");
	is_int(0, NAME("al:ice"), "':'");
	is_int(0, NAME("\xc3\xa9mile"), "non-ASCII letter first");
	is_int(0, NAME("ren\xc3\xa9"), "non-ASCII letter inside");
	is_int(0, NAME("al\0ice"), "NUL inside");
	is_int(0, NAME("al\tice"), "tab inside");
	is_int(1, name_valid("alice!!", 5), "only len bytes are looked at");
}

/*
 * For each width of character (2, 3, 4 bytes), each limit and each offset
 * of the character around it: utf8_prefix and text_compose never split
 * it, keep all they can, and text_compose keeps its head and tail.
 */
static void
test_cut(void)
{
	static const char *chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
	char client[64], buf[64], want[64];
	int prefix_ok = 1, compose_ok = 1;
	size_t n, w, keep, limit;

	for (size_t c = 0; c < 3; c++)
		for (limit = 4; limit <= 12; limit++)
			for (size_t off = limit - 4; off <= limit; off++) {
				w = strlen(chars[c]);
				memset(client, 'x', off);
				memcpy(client + off, chars[c], w);
				strcpy(client + off + w, "yz");
				n = strlen(client);
				/* What fits: everything up to the cut, the character
				 * only if all of it does. */
				keep = off + w <= limit ? limit : off;
				if (n <= limit)
					keep = n;
				if (utf8_prefix(client, n, limit) != keep) {
					diag("utf8_prefix: %zu-byte character at %zu, "
					    "limit %zu: %zu, want %zu", w, off, limit,
					    utf8_prefix(client, n, limit), keep);
					prefix_ok = 0;
				}
				snprintf(want, sizeof(want), "(%.*s)", (int)keep, client);
				/* As the limit of the client text... */
				text_compose(buf, sizeof(buf), "(", client, limit, ")");
				/* ...and as the size of the buffer. */
				text_compose(buf + 32, limit + 3, "(", client, SIZE_MAX, ")");
				if (strcmp(buf, want) != 0 || strcmp(buf + 32, want) != 0 ||
				    text_check(buf, strlen(buf)) != TEXT_OK) {
					diag("text_compose: %zu-byte character at %zu, "
					    "limit %zu: '%s' and '%s', want '%s'", w, off,
					    limit, buf, buf + 32, want);
					compose_ok = 0;
				}
			}
	ok(prefix_ok, "utf8_prefix never splits a 2-, 3- or 4-byte character");
	ok(compose_ok, "text_compose never splits one and keeps the tail");
	is_int(8, (long long)text_compose(buf, 10, "quit: ", "\xc3\xa9\xc3\xa9", SIZE_MAX, ""),
	    "text_compose: a 2-byte character that does not fit is left out");
	is_string("quit: \xc3\xa9", buf, "so what is left is valid");
	text_compose(buf, 5, "abc(", "xyz", SIZE_MAX, ")");
	is_string("abc)", buf, "with no room for the client text, head and tail stay");
	text_compose(buf, 3, "\xe2\x82\xac(", "xyz", SIZE_MAX, ")");
	is_string("x)", buf, "a head that does not fit is cut at a character boundary");
	text_compose(buf, 1, "a", "b", SIZE_MAX, "c");
	is_string("", buf, "a buffer of one byte holds the empty string");
}

#define HIDDEN(lit)	text_find_hidden((lit), sizeof(lit) - 1)

static void
test_hidden(void)
{
	is_int(0, HIDDEN("plain text, caf\xc3\xa9, \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"),
	    "ASCII, Latin and Hebrew letters are not hidden");
	is_int(0x202e, HIDDEN("abc\xe2\x80\xae" "cba"), "U+202E right-to-left override");
	is_int(0x202a, HIDDEN("\xe2\x80\xaa"), "U+202A left-to-right embedding");
	is_int(0x2066, HIDDEN("x\xe2\x81\xa6"), "U+2066 left-to-right isolate");
	is_int(0x2069, HIDDEN("\xe2\x81\xa9"), "U+2069 pop directional isolate");
	is_int(0x200b, HIDDEN("ad\xe2\x80\x8bmin"), "U+200B zero-width space");
	is_int(0x2060, HIDDEN("\xe2\x81\xa0"), "U+2060 word joiner");
	is_int(0xfeff, HIDDEN("\xef\xbb\xbfhi"), "U+FEFF zero-width no-break space");
	is_int(0x200d, HIDDEN("a\xe2\x80\x8d" "b"), "U+200D joiner between ASCII letters");
	is_int(0x200c, HIDDEN("\xe2\x80\x8c"), "U+200C non-joiner alone");
	is_int(0x200d, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d"),
	    "U+200D joiner at the end");
	is_int(0, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"),
	    "U+200D between two emoji (a ZWJ sequence) is kept");
	is_int(0, HIDDEN("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88"),
	    "U+200C inside a Persian word is kept");
	is_int(0x2028, HIDDEN("one\xe2\x80\xa8two"), "U+2028 line separator");
	is_int(0, HIDDEN("\xe2\x80\x8e\xe2\x80\x8f"),
	    "U+200E/U+200F (left-to-right, right-to-left marks) are kept");
}

/* Every Default_Ignorable_Code_Point range is refused on its own. */
static void
test_ignorable(void)
{
	is_int(0x34f, HIDDEN("pay\xcd\x8fpal"), "U+034F combining grapheme joiner");
	is_int(0xad, HIDDEN("pay\xc2\xadpal"), "U+00AD soft hyphen");
	is_int(0xad, HIDDEN("\xc3\xa9\xc2\xad\xc3\xa9"), "even between non-ASCII");
	is_int(0x115f, HIDDEN("a\xe1\x85\x9f" "b"), "U+115F Hangul choseong filler");
	is_int(0x1160, HIDDEN("\xe1\x85\xa0"), "U+1160 Hangul jungseong filler");
	is_int(0x3164, HIDDEN("\xe3\x85\xa4"), "U+3164 Hangul filler");
	is_int(0xffa0, HIDDEN("\xef\xbe\xa0"), "U+FFA0 halfwidth Hangul filler");
	is_int(0x17b4, HIDDEN("\xe1\x9e\xb4"), "U+17B4 Khmer inherent vowel");
	is_int(0x180b, HIDDEN("\xe1\xa0\x8b"), "U+180B Mongolian variation selector");
	is_int(0x180f, HIDDEN("\xe1\xa0\x8f"), "U+180F, the last of them");
	is_int(0x2065, HIDDEN("\xe2\x81\xa5"), "U+2065 (reserved, ignorable)");
	is_int(0xfff0, HIDDEN("\xef\xbf\xb0"), "U+FFF0 (reserved, ignorable)");
	is_int(0xfff8, HIDDEN("\xef\xbf\xb8"), "U+FFF8");
	is_int(0x1bca0, HIDDEN("\xf0\x9b\xb2\xa0"), "U+1BCA0 shorthand format");
	is_int(0x1d173, HIDDEN("\xf0\x9d\x85\xb3"), "U+1D173 musical format");
	is_int(0x1d17a, HIDDEN("\xf0\x9d\x85\xba"), "U+1D17A");
	is_int(0xe0000, HIDDEN("\xf3\xa0\x80\x80"), "U+E0000");
	is_int(0xe0001, HIDDEN("\xf3\xa0\x80\x81"), "U+E0001 language tag");
	is_int(0xe0068, HIDDEN("hi\xf3\xa0\x81\xa8\xf3\xa0\x81\xa9"),
	    "tags carrying hidden ASCII (U+E0068 'h')");
	is_int(0xe0fff, HIDDEN("\xf3\xa0\xbf\xbf"), "U+E0FFF, the last one");
	is_int(0, HIDDEN("\xf3\xa1\x80\x80"), "U+E1000 is not ignorable");
	is_int(0, HIDDEN("\xe1\xa0\x8a\xe2\x80\x8a"),
	    "U+180A, U+200A are not");
	is_int(0xfff9, HIDDEN("\xef\xbf\xb9"), "U+FFF9 annotation anchor still refused");
}

/* The neighbour rule of joiners, selectors, tags and direction marks. */
static void
test_neighbours(void)
{
	is_int(0, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
	    "\xf0\x9f\x91\xa7"), "a family emoji (ZWJ sequence) is kept");
	is_int(0, HIDDEN("\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88"),
	    "a rainbow flag (selector, then ZWJ) is kept");
	is_int(0, HIDDEN("\xe2\x9d\xa4\xef\xb8\x8f!"), "a red heart with U+FE0F is kept");
	is_int(0, HIDDEN("1\xef\xb8\x8f\xe2\x83\xa3 #\xef\xb8\x8f\xe2\x83\xa3"),
	    "keycaps 1 and # are kept");
	is_int(0xfe0f, HIDDEN("a\xef\xb8\x8f\xe2\x83\xa3"), "a is no keycap");
	is_int(0xfe0f, HIDDEN("1\xef\xb8\x8f" "2"), "U+FE0F on a digit, no keycap");
	is_int(0xfe0e, HIDDEN("pay\xef\xb8\x8epal"), "a selector on an ASCII letter");
	is_int(0xfe0f, HIDDEN("\xe2\x9d\xa4\xef\xb8\x8f\xef\xb8\x8f"),
	    "two selectors in a row");
	is_int(0xfe0f, HIDDEN("\xef\xb8\x8f"), "a selector at the start");
	is_int(0xe0100, HIDDEN("x\xf3\xa0\x84\x80"), "U+E0100 on an ASCII letter");
	is_int(0, HIDDEN("\xe8\x91\x9b\xf3\xa0\x84\x80"),
	    "U+E0100 on a CJK ideograph (an ideographic variant) is kept");
	is_int(0x200d, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d\xe2\x80\x8d\xf0\x9f\x91\xa9"),
	    "two joiners in a row");
	is_int(0x200d, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d" "a"),
	    "a joiner before an ASCII letter");
	is_int(0xfe0f, HIDDEN("\xf0\x9f\x91\xa8\xe2\x80\x8d\xef\xb8\x8f"),
	    "a selector after a joiner");
	is_int(0x200d, HIDDEN("a\xcc\x81\xe2\x80\x8d\xc3\xa9"),
	    "a joiner after a combining mark on an ASCII letter");
	is_int(0x200c, HIDDEN("\xcc\x81\xe2\x80\x8c\xc3\xa9"),
	    "a non-joiner after a combining mark alone");
	is_int(0, HIDDEN("\xc3\xa9\xcc\x81\xe2\x80\x8d\xc3\xa9"),
	    "a joiner after a combining mark on a non-ASCII letter is kept");
	is_int(0x200d, HIDDEN("\xc2\xa0\xe2\x80\x8d\xc3\xa9"), "a joiner on a blank");
	is_int(0, HIDDEN("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7"),
	    "Devanagari KA, virama, ZWJ, SSA is kept");
	is_int(0, HIDDEN("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2"
	    "\xf3\xa0\x81\xb3\xf3\xa0\x81\xa3\xf3\xa0\x81\xb4\xf3\xa0\x81\xbf"),
	    "the flag of Scotland (U+1F3F4, tags gbsct, cancel tag) is kept");
	is_int(0xe0067, HIDDEN("x\xf3\xa0\x81\xa7\xf3\xa0\x81\xbf"),
	    "tags after anything but U+1F3F4");
	is_int(0xe0067, HIDDEN("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7"),
	    "flag tags without the cancel tag");
	is_int(0xe007f, HIDDEN("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xbf"),
	    "a cancel tag alone");
	is_int(0xe0020, HIDDEN("\xf0\x9f\x8f\xb4\xf3\xa0\x80\xa0\xf3\xa0\x81\xbf"),
	    "a tag space in a flag");
	is_int(0xe0061, HIDDEN("\xf0\x9f\x8f\xb4"
	    "\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1"
	    "\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1\xf3\xa0\x81\xa1"
	    "\xf3\xa0\x81\xbf"), "eight tags in a flag are too many");
	is_int(0x200e, HIDDEN("pay\xe2\x80\x8epal"), "U+200E between ASCII letters");
	is_int(0x200f, HIDDEN("user1\xe2\x80\x8f" "2"), "U+200F between ASCII digits");
	is_int(0x61c, HIDDEN("a\xd8\x9c" "b"), "U+061C between ASCII letters");
	is_int(0, HIDDEN("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d\xe2\x80\x8f 123"),
	    "U+200F after Hebrew, before a space, is kept");
	is_int(0, HIDDEN("abc\xe2\x80\x8e"), "U+200E at the end of a line is kept");
}

/* text_cut_blanks on a copy of lit; the result compared with want. */
static void
cut_is(const char *lit, const char *want, const char *what)
{
	char buf[128];
	size_t n;

	strcpy(buf, lit);
	n = text_cut_blanks(buf, strlen(buf));
	buf[n] = '\0';
	is_string(want, buf, "text_cut_blanks: %s", what);
}

static void
test_blanks(void)
{
	cut_is("a        b", "a        b", "8 spaces are kept");
	cut_is("a         b", "a        b", "9 spaces become 8");
	cut_is("a                                                              <alice> hi",
	    "a        <alice> hi", "a run of 62 spaces becomes 8");
	cut_is("a\tb", "a\tb", "one tab is kept");
	cut_is("a\t\tb", "a\tb", "a second tab is cut (8 columns each)");
	cut_is("a    \tb", "a    b", "a tab that passes 8 columns is cut");
	cut_is("\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0x",
	    "\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0x",
	    "no-break spaces count as blanks");
	cut_is("\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80!",
	    "\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80!",
	    "ideographic spaces count 2 columns");
	cut_is("x    \xe2\x80\x83\xe2\x80\x83\xe2\x80\x83\xe2\x80\x83\xe2\x80\x83y",
	    "x    \xe2\x80\x83\xe2\x80\x83\xe2\x80\x83\xe2\x80\x83y",
	    "a run mixing spaces and em spaces");
	cut_is("a b  c   d", "a b  c   d", "short runs are untouched");
	cut_is("a        \xcc\x81        \xcc\x81        \xef\xb8\x8f        b",
	    "a        \xcc\x81" "b", "combining marks and variation selectors do not "
	    "end a run, and go with the blanks they sat on");
	cut_is("caf\xcc\x81 \xcc\x81" "x", "caf\xcc\x81 \xcc\x81" "x",
	    "a combining mark in a word or on a kept blank stays");
	cut_is("a        \xe2\x80\x8e        b", "a        \xe2\x80\x8e" "b",
	    "a left-to-right mark does not end a run either");
	ok(text_is_blank("  \t ", 4) && text_is_blank("", 0) && !text_is_blank(" x ", 3),
	    "text_is_blank: spaces and tabs");
	ok(text_is_blank("\xc2\xa0", 2), "text_is_blank: U+00A0 no-break space");
	ok(text_is_blank("\xe3\x80\x80\xe3\x80\x80", 6), "text_is_blank: U+3000");
	ok(text_is_blank("\xe2\xa0\x80", 3), "text_is_blank: U+2800 braille blank");
	ok(text_is_blank(" \xe2\x80\x83\xe2\x80\xaf\xe2\x81\x9f\xe1\x9a\x80", 13),
	    "text_is_blank: em space, U+202F, U+205F, U+1680");
	ok(text_is_blank(" \xcc\x81 \xe2\x80\x8e", 7),
	    "text_is_blank: zero-width marks on blanks show nothing either");
	ok(!text_is_blank("\xe3\x80\x80" "x", 4) && !text_is_blank("\xc3\xa9", 2),
	    "text_is_blank: not with a visible character");
}

/* Do a and b look alike? */
static int
alike(const char *a, const char *b)
{
	char sa[64], sb[64];

	name_skeleton(a, strlen(a), sa);
	name_skeleton(b, strlen(b), sb);
	return strcmp(sa, sb) == 0;
}

static void
test_skeleton(void)
{
	ok(alike("alice", "aIice"), "alice and aIice look alike (capital i)");
	ok(alike("alice", "a1ice"), "alice and a1ice (one)");
	ok(alike("alice", "ALICE"), "alice and ALICE (case)");
	ok(alike("alice", "aIIce"), "alice and aIIce (i for l too)");
	ok(alike("bob", "b0b") && alike("bob", "BOB") && alike("b0b", "BO8") == 0,
	    "bob and b0b, BOB; not BO8");
	ok(alike("marn", "mam") && alike("vvill", "will") && alike("Rn", "M"),
	    "rn is m, vv is w");
	ok(alike("vvv", "vw") && alike("vvv", "wv") && alike("vw", "wv"),
	    "vvv, vw and wv look alike");
	ok(alike("rnm", "mrn") && alike("rnm", "mm") && alike("mm", "rnrn"),
	    "rnm, mrn, mm and rnrn look alike");
	ok(alike("wvvw", "vvwvv") && !alike("vw", "vv") && !alike("rnm", "rnr"),
	    "longer runs; vw is not vv, rnm is not rnr");
	char two[16];
	is_int(6, (long long)name_skeleton("mWm", 3, two), "the skeleton may be twice "
	    "as long as the name");
	is_string("rnvvrn", two, "m is rn and w is vv");
	ok(!alike("alice", "alicia") && !alike("al_ice", "al-ice") &&
	    !alike("alice", "alice2"), "different names do not");
	char out[8];
	is_int(3, (long long)name_skeleton("aIiceX", 3, out), "only len bytes are read");
	is_string("all", out, "and the skeleton is NUL-ended");
}

static void
test_reserved(void)
{
	ok(name_reserved("you", 3) && name_reserved("YOU", 3) &&
	    name_reserved("y0u", 3) && name_reserved("yOu", 3),
	    "you, YOU, y0u and yOu are reserved");
	ok(!name_reserved("yous", 4) && !name_reserved("yo", 2) &&
	    !name_reserved("your", 4) && !name_reserved("uoy", 3),
	    "yous, yo, your and uoy are not");
	ok(!name_reserved("youx", 3 + 1) && name_reserved("youx", 3),
	    "only len bytes count");
}

int
main(void)
{
	plan(12 + 18 + 15 + 21 + 7 + 15 + 23 + 30 + 20 + 14 + 3);
	test_valid();
	test_bad_utf8();
	test_controls();
	test_names();
	test_cut();
	test_hidden();
	test_ignorable();
	test_neighbours();
	test_blanks();
	test_skeleton();
	test_reserved();
	return 0;
}

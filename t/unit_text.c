/*
 * unit_text.c -- what a chat line and a user name may hold (lib/text.c).
 *
 * Lines: strict UTF-8 (RFC 3629), no NUL, no control characters but tab.
 * Names: 1-32 ASCII letters, digits, '_', '-', '.', starting with a letter.
 */
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

int
main(void)
{
	plan(12 + 18 + 15 + 21);
	test_valid();
	test_bad_utf8();
	test_controls();
	test_names();
	return 0;
}

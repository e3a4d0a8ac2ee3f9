/*
 * text.c -- UTF-8 and control-character checks, the user-name rule.
 *
 * UTF-8 is checked strictly (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF.  C0 controls (except tab), DEL and C1 controls
 * are refused so no client can move another's cursor or ring its bell.
 */
#include <stdint.h>

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

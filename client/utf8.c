/*
 * utf8.c -- UTF-8 to and from the wide characters the screen works in.
 *
 * Owns the decoding of what the server sends (whatever the locale) and
 * the encoding of what the user types; wchar_t holds a Unicode code
 * point (as it does with glibc).  Screen widths come from wcwidth(3).
 */
#include <wchar.h>

#include "client.h"

#define REPLACEMENT	0xfffd

/* One character from s (len > 0 bytes); *used: bytes taken. */
static wchar_t
decode_one(const unsigned char *s, size_t len, size_t *used)
{
	unsigned int c = s[0], need, min;
	size_t i;

	*used = 1;
	if (c < 0x80)
		return (wchar_t)c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return REPLACEMENT;
	if (len < need + 1)
		return REPLACEMENT;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return REPLACEMENT;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return REPLACEMENT;
	*used = need + 1;
	return (wchar_t)c;
}

size_t
utf8_decode(const char *s, size_t len, wchar_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, used;
	wchar_t c;

	while (len > 0 && n < max) {
		c = decode_one(p, len, &used);
		p += used;
		len -= used;
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			c = REPLACEMENT;
		out[n++] = c;
	}
	return n;
}

int
utf8_encode(const wchar_t *w, size_t n, char *out, size_t size)
{
	size_t o = 0;
	unsigned int c;

	for (size_t i = 0; i < n; i++) {
		c = (unsigned int)w[i];
		if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			c = REPLACEMENT;
		if (o + 5 > size)
			return -1;
		if (c < 0x80)
			out[o++] = (char)c;
		else if (c < 0x800) {
			out[o++] = (char)(0xc0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | (c >> 12));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | (c >> 18));
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	if (o + 1 > size)
		return -1;
	out[o] = '\0';
	return 0;
}

int
utf8_width(wchar_t c)
{
	int w = wcwidth(c);

	return w < 1 ? 1 : w;
}

/*
 * jout.c -- JSON text out (jout.h).
 */
#include <stdio.h>
#include <string.h>

#include "jout.h"
#include "text.h"

void
jout_start(struct jout *j, char *buf, size_t size)
{
	j->buf = buf;
	j->size = size;
	j->len = 0;
	j->overflow = size == 0;
	j->members = 0;
}

void
jout_raw(struct jout *j, const char *s, size_t len)
{
	if (j->overflow || len >= j->size - j->len) {
		j->overflow = 1;
		return;
	}
	memcpy(j->buf + j->len, s, len);
	j->len += len;
}

static void
raw_byte(struct jout *j, char c)
{
	jout_raw(j, &c, 1);
}

static void
escape_byte(struct jout *j, unsigned char c)
{
	char esc[8];

	switch (c) {
	case '"':
		jout_raw(j, "\\\"", 2);
		return;
	case '\\':
		jout_raw(j, "\\\\", 2);
		return;
	case '\n':
		jout_raw(j, "\\n", 2);
		return;
	case '\t':
		jout_raw(j, "\\t", 2);
		return;
	case '\r':
		jout_raw(j, "\\r", 2);
		return;
	}
	snprintf(esc, sizeof(esc), "\\u%04x", c);
	jout_raw(j, esc, 6);
}

void
jout_string(struct jout *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;

	raw_byte(j, '"');
	while (i < len) {
		/* The bytes that need nothing, copied at once. */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		jout_raw(j, s + i, run - i);
		if ((i = run) == len)
			break;
		if (p[i] >= 0x80 && (n = utf8_char_length(s + i, len - i)) > 0) {
			jout_raw(j, s + i, n);
			i += n;
			continue;
		}
		escape_byte(j, p[i++]);
	}
	raw_byte(j, '"');
}

void
jout_open(struct jout *j)
{
	raw_byte(j, '{');
	j->members = 0;
}

void
jout_close(struct jout *j)
{
	raw_byte(j, '}');
	j->members = 1;		/* the object is a member of what holds it */
}

void
jout_key(struct jout *j, const char *key)
{
	if (j->members++ > 0)
		raw_byte(j, ',');
	jout_string(j, key, strlen(key));
	raw_byte(j, ':');
}

void
jout_member_str(struct jout *j, const char *key, const char *s)
{
	jout_member_strn(j, key, s, strlen(s));
}

void
jout_member_strn(struct jout *j, const char *key, const char *s, size_t len)
{
	jout_key(j, key);
	jout_string(j, s, len);
}

/*
 * n in decimal, written from the end of num (24 bytes); its first digit.
 * By hand: every event carries two numbers, and snprintf took a fifth of
 * a delivery's time.
 */
static char *
decimal(char num[24], uint64_t n)
{
	char *p = num + 24;

	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	return p;
}

void
jout_member_int(struct jout *j, const char *key, int64_t n)
{
	char num[24], *p;
	uint64_t magnitude = n < 0 ? -(uint64_t)n : (uint64_t)n;

	jout_key(j, key);
	p = decimal(num, magnitude);
	if (n < 0)
		*--p = '-';
	jout_raw(j, p, (size_t)(num + 24 - p));
}

void
jout_member_uint(struct jout *j, const char *key, uint64_t n)
{
	char num[24], *p = decimal(num, n);

	jout_key(j, key);
	jout_raw(j, p, (size_t)(num + 24 - p));
}

void
jout_member_bool(struct jout *j, const char *key, int b)
{
	jout_key(j, key);
	jout_raw(j, b ? "true" : "false", b ? 4 : 5);
}

size_t
jout_finish(struct jout *j)
{
	if (j->overflow)
		return 0;
	j->buf[j->len] = '\0';
	return j->len;
}

/*
 * lineedit.c -- the line the user is typing, and the lines typed before.
 *
 * Owns the edit buffer (wide characters, a cursor) and its operations
 * (the keys of chat-client(1)), and the history browsed with Up and
 * Down.  Drawing the line is tui.c's; completing words is complete.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "client.h"

#define HISTORY_MAX	500

void
lineedit_init(struct lineedit *e)
{
	memset(e, 0, sizeof(*e));
}

void
lineedit_free(struct lineedit *e)
{
	for (size_t i = 0; i < e->hist_len; i++)
		free(e->history[i]);
	free(e->history);
	free(e->draft);
	lineedit_clear(e);
	e->history = NULL;
	e->draft = NULL;
	e->hist_len = e->hist_cap = 0;
}

void
lineedit_clear(struct lineedit *e)
{
	explicit_bzero(e->buf, sizeof(e->buf));	/* it may be a password */
	e->len = e->cursor = 0;
	e->hist_pos = e->hist_len;
}

void
lineedit_insert_str(struct lineedit *e, const wchar_t *w, size_t n)
{
	if (n > CLIENT_INPUT_MAX - e->len)
		n = CLIENT_INPUT_MAX - e->len;
	wmemmove(e->buf + e->cursor + n, e->buf + e->cursor, e->len - e->cursor);
	wmemcpy(e->buf + e->cursor, w, n);
	e->len += n;
	e->cursor += n;
}

void
lineedit_insert(struct lineedit *e, wchar_t c)
{
	lineedit_insert_str(e, &c, 1);
}

void
lineedit_left(struct lineedit *e)
{
	if (e->cursor > 0)
		e->cursor--;
}

void
lineedit_right(struct lineedit *e)
{
	if (e->cursor < e->len)
		e->cursor++;
}

void
lineedit_home(struct lineedit *e)
{
	e->cursor = 0;
}

void
lineedit_end(struct lineedit *e)
{
	e->cursor = e->len;
}

/* Remove the characters [from, to). */
static void
cut(struct lineedit *e, size_t from, size_t to)
{
	wmemmove(e->buf + from, e->buf + to, e->len - to);
	e->len -= to - from;
	wmemset(e->buf + e->len, 0, to - from);
	e->cursor = from;
}

void
lineedit_backspace(struct lineedit *e)
{
	if (e->cursor > 0)
		cut(e, e->cursor - 1, e->cursor);
}

void
lineedit_delete(struct lineedit *e)
{
	size_t at = e->cursor;

	if (at < e->len) {
		cut(e, at, at + 1);
		e->cursor = at;
	}
}

void
lineedit_kill_start(struct lineedit *e)
{
	cut(e, 0, e->cursor);
}

void
lineedit_kill_end(struct lineedit *e)
{
	size_t at = e->cursor;

	cut(e, at, e->len);
	e->cursor = at;
}

void
lineedit_kill_word(struct lineedit *e)
{
	size_t from = e->cursor;

	while (from > 0 && iswspace((wint_t)e->buf[from - 1]))
		from--;
	while (from > 0 && !iswspace((wint_t)e->buf[from - 1]))
		from--;
	cut(e, from, e->cursor);
}

/* Replace the line with UTF-8 text (from the history). */
static void
load(struct lineedit *e, const char *text)
{
	e->len = utf8_decode(text, strlen(text), e->buf, CLIENT_INPUT_MAX);
	e->cursor = e->len;
}

void
lineedit_history_up(struct lineedit *e)
{
	if (e->hist_pos == 0)
		return;
	if (e->hist_pos == e->hist_len) {
		/* Keep the line being typed, to come back to it. */
		free(e->draft);
		if ((e->draft = malloc((e->len + 1) * sizeof(wchar_t))) == NULL)
			return;
		wmemcpy(e->draft, e->buf, e->len);
		e->draft_len = e->len;
	}
	e->hist_pos--;
	load(e, e->history[e->hist_pos]);
}

void
lineedit_history_down(struct lineedit *e)
{
	if (e->hist_pos >= e->hist_len)
		return;
	e->hist_pos++;
	if (e->hist_pos < e->hist_len) {
		load(e, e->history[e->hist_pos]);
		return;
	}
	e->len = 0;
	if (e->draft != NULL) {
		wmemcpy(e->buf, e->draft, e->draft_len);
		e->len = e->draft_len;
	}
	e->cursor = e->len;
}

static void
remember(struct lineedit *e, const char *line)
{
	char *copy;
	void *p;

	if (line[0] == '\0' || (e->hist_len > 0 &&
	    strcmp(e->history[e->hist_len - 1], line) == 0))
		return;
	if ((copy = strdup(line)) == NULL)
		return;
	if (e->hist_len == HISTORY_MAX) {
		free(e->history[0]);
		memmove(e->history, e->history + 1,
		    (e->hist_len - 1) * sizeof(*e->history));
		e->hist_len--;
	}
	if (e->hist_len == e->hist_cap) {
		size_t cap = e->hist_cap ? e->hist_cap * 2 : 32;

		if ((p = realloc(e->history, cap * sizeof(*e->history))) == NULL) {
			free(copy);
			return;
		}
		e->history = p;
		e->hist_cap = cap;
	}
	e->history[e->hist_len++] = copy;
}

void
lineedit_take(struct lineedit *e, char *out, size_t size, int keep)
{
	if (utf8_encode(e->buf, e->len, out, size) == -1)
		out[0] = '\0';
	if (keep)
		remember(e, out);
	free(e->draft);
	e->draft = NULL;
	e->draft_len = 0;
	lineedit_clear(e);
}

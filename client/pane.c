/*
 * pane.c -- the scrolling message pane of the full-screen mode.
 *
 * Owns the lines shown (a ring of the last max_entries, each with its
 * arrival time and kind), their wrapping to the window's width, the
 * scroll position (rows above the bottom; new lines do not move a
 * scrolled view) and the count of lines that arrived below the view.
 * Colours are the caller's: pane_draw gets one attribute per kind.
 */
#define NCURSES_WIDECHAR 1

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define ENTRY_MAX	8192	/* characters of one line kept */
#define STAMP_LEN	6	/* "HH:MM " */

struct entry {
	enum show_kind	 kind;
	wchar_t		*text;		/* "HH:MM " and the line */
	size_t		 len;
};

struct pane {
	struct entry	*ring;
	size_t		 cap, first, count;
	int		 scroll;	/* rows above the bottom */
	int		 unseen;	/* lines added while scrolled */
	size_t		 starts[ENTRY_MAX + STAMP_LEN + 1];
};

struct pane *
pane_new(size_t max_entries)
{
	struct pane *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->ring = calloc(max_entries, sizeof(*p->ring))) == NULL) {
		free(p);
		return NULL;
	}
	p->cap = max_entries;
	return p;
}

void
pane_free(struct pane *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->ring[i].text);
	free(p->ring);
	free(p);
}

static struct entry *
entry_at(const struct pane *p, size_t i)	/* 0: the oldest */
{
	return &p->ring[(p->first + i) % p->cap];
}

/* Where each row of e starts; returns the number of rows.  Rows break
 * after a space when the row has one, else anywhere. */
static size_t
wrap(const struct entry *e, int width, size_t *starts)
{
	size_t rows = 0, i = 0, start, space;
	int col, indent = width > 3 * STAMP_LEN ? STAMP_LEN : 0, w;

	if (width < 1)
		width = 1;
	while (rows == 0 || i < e->len) {
		if (starts != NULL)
			starts[rows] = i;
		rows++;
		start = i;
		space = 0;
		col = rows > 1 ? indent : 0;
		while (i < e->len) {
			w = utf8_width(e->text[i]);
			if (col + w > width && i > start) {
				if (space > start && e->text[i] != ' ')
					i = space;	/* the word goes down whole */
				break;
			}
			col += w;
			i++;
			if (e->text[i - 1] == ' ' && (rows > 1 || i > STAMP_LEN))
				space = i;
		}
		while (i < e->len && e->text[i] == ' ' && i > start)
			i++;			/* no row starts with spaces */
	}
	return rows;
}

void
pane_add(struct pane *p, enum show_kind kind, time_t when, const char *text,
    int width)
{
	struct entry *e;
	struct tm tm;
	char stamp[16];
	wchar_t *w;
	size_t n;

	if ((w = malloc((ENTRY_MAX + STAMP_LEN) * sizeof(wchar_t))) == NULL)
		return;
	localtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M ", &tm);
	n = utf8_decode(stamp, strlen(stamp), w, STAMP_LEN);
	n += utf8_decode(text, strlen(text), w + n, ENTRY_MAX);
	if (p->count == p->cap) {
		e = entry_at(p, 0);
		free(e->text);
		p->first = (p->first + 1) % p->cap;
		p->count--;
	}
	e = entry_at(p, p->count);
	e->kind = kind;
	e->text = w;
	e->len = n;
	p->count++;
	if (p->scroll > 0) {
		/* Keep the view where it is. */
		p->scroll += (int)wrap(e, width, NULL);
		p->unseen++;
	}
}

void
pane_scroll(struct pane *p, int rows, int width, int height)
{
	long total = 0, top;

	for (size_t i = 0; i < p->count; i++)
		total += (long)wrap(entry_at(p, i), width, NULL);
	top = total - height;
	p->scroll += rows;
	if (p->scroll > top)
		p->scroll = top > 0 ? (int)top : 0;
	if (p->scroll <= 0)
		pane_bottom(p);
}

void
pane_bottom(struct pane *p)
{
	p->scroll = 0;
	p->unseen = 0;
}

int
pane_scrolled(const struct pane *p)
{
	return p->scroll;
}

int
pane_unseen(const struct pane *p)
{
	return p->unseen;
}

void
pane_draw(struct pane *p, void *win_, const int *attrs)
{
	WINDOW *win = win_;
	int height, width, y, skip = p->scroll, indent;
	size_t rows, end;
	struct entry *e;

	getmaxyx(win, height, width);
	indent = width > 3 * STAMP_LEN ? STAMP_LEN : 0;
	werase(win);
	y = height - 1;
	for (size_t i = p->count; i > 0 && y >= 0; i--) {
		e = entry_at(p, i - 1);
		rows = wrap(e, width, p->starts);
		for (size_t r = rows; r > 0 && y >= 0; r--) {
			if (skip > 0) {
				skip--;
				continue;
			}
			end = r < rows ? p->starts[r] : e->len;
			while (end > p->starts[r - 1] + 1 && e->text[end - 1] == ' ')
				end--;	/* spaces where the row breaks */
			wmove(win, y, r > 1 ? indent : 0);
			if (r == 1) {
				size_t stamp = end < STAMP_LEN ? end : STAMP_LEN;

				wattrset(win, A_NORMAL);
				waddnwstr(win, e->text, (int)stamp);
				wattrset(win, attrs[e->kind]);
				waddnwstr(win, e->text + stamp, (int)(end - stamp));
			} else {
				wattrset(win, attrs[e->kind]);
				waddnwstr(win, e->text + p->starts[r - 1],
				    (int)(end - p->starts[r - 1]));
			}
			y--;
		}
	}
	wattrset(win, A_NORMAL);
}

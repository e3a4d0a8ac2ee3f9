/*
 * text.h -- what a client line and a user name may contain.
 *
 * Owns the rules: lines are valid UTF-8 without control characters (tab
 * allowed); names are 1-SHM_NAME_MAX (32, shm_layout.h) of letters,
 * digits, '_', '-', '.', starting with a letter.  Also what chat text may not hide (bidirectional and
 * invisible formatting characters, runs of blanks wider than
 * TEXT_BLANK_COLUMNS), how client text is cut to fit a buffer, and when
 * two names look alike.
 */
#ifndef CHAT_TEXT_H
#define CHAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Widest run of blanks kept in chat text, in terminal columns. */
#define TEXT_BLANK_COLUMNS	8

enum text_fault {
	TEXT_OK = 0,
	TEXT_BAD_UTF8,		/* not valid UTF-8 */
	TEXT_NUL,		/* contains a NUL byte */
	TEXT_CONTROL,		/* contains a control character other than tab */
};

enum text_fault	text_check(const char *s, size_t len);
/* Bytes of the valid UTF-8 character at s (len bytes), 0 if there is none. */
size_t		utf8_char_length(const char *s, size_t len);
const char	*text_fault_string(enum text_fault fault);
/*
 * The longest prefix of valid UTF-8 s (len bytes) that is at most max
 * bytes and does not split a character.
 */
size_t		utf8_prefix(const char *s, size_t len, size_t max);
/*
 * Put head, then client text cut at a character boundary to at most max
 * bytes, then tail into buf (size >= 1 bytes, NUL-ended); the client text
 * is cut further so that head and tail always fit (they are cut, at a
 * character boundary too, only if they alone do not).  Every line that
 * carries client text in a fixed buffer is made here, so it stays valid
 * UTF-8 and keeps its closing ")".  client must not overlap buf (head
 * and tail may not either).  Returns the length written.
 */
size_t		text_compose(char *buf, size_t size, const char *head,
		    const char *client, size_t max, const char *tail);
/*
 * The length of what snprintf, returning n, left in a buffer of size
 * (>= 1) bytes: n, or size - 1 if it was cut, or 0 on an error.
 */
size_t		text_printed(int n, size_t size);
/*
 * The first character of valid UTF-8 s (len bytes) that chat text may
 * not carry, or 0: line and paragraph separators (U+2028, U+2029),
 * interlinear annotation controls (U+FFF9-U+FFFB), and Unicode's
 * Default_Ignorable_Code_Point characters (invisible: U+00AD, U+034F,
 * bidirectional controls, U+200B, Hangul fillers, tags, variation
 * selectors, ...), except where they are needed and show:
 * U+200E, U+200F, U+061C (direction marks) unless between ASCII letters
 * or digits; U+200C/U+200D (ZWNJ, ZWJ) right after a visible non-ASCII
 * character (or its variation selector) and before a non-ASCII one;
 * one variation selector right after a visible non-ASCII character, or
 * U+FE0F in a keycap ([0-9#*] U+FE0F U+20E3); and the tags of a flag
 * (U+1F3F4, 1-7 tag digits or small letters, U+E007F).  A combining
 * mark counts as what it sits on.
 */
uint32_t	text_find_hidden(const char *s, size_t len);
/*
 * Cut every run of blanks (tab, space and the other Unicode spaces and
 * blank fillers) in valid UTF-8 s (len bytes) in place to its first
 * TEXT_BLANK_COLUMNS columns, a tab counting 8 and a wide space 2, so
 * no text can pad a line out to the next terminal row.  Zero-width marks
 * (combining marks, variation selectors, ...) neither end a run nor
 * survive on a blank that was dropped.  Returns the new length (never
 * more than len).
 */
size_t		text_cut_blanks(char *s, size_t len);
/*
 * 1 if valid UTF-8 s (len bytes) shows nothing: it holds only blanks and
 * zero-width characters, the characters text_cut_blanks counts in a run
 * (or nothing at all).
 */
int		text_is_blank(const char *s, size_t len);
/* 1 if s (len bytes) is a valid user name, else 0. */
int		name_valid(const char *s, size_t len);
/* 1 if c may be in a name: a letter, a digit, '_', '-' or '.'. */
int		name_char(char c);
/*
 * Write the look-alike skeleton of name (len bytes) to out (2 * len + 1
 * bytes, NUL-ended); returns its length (at most 2 * len).  Two names
 * look alike when their skeletons are equal: case is folded, I, l and 1
 * are one letter, so are O and 0, and "m" is written "rn", "w" "vv"
 * (expanded, so "vw" and "vvv", "rnm" and "mrn" look alike).
 */
size_t		name_skeleton(const char *name, size_t len, char *out);
/*
 * 1 if name (len bytes) is, or looks like (name_skeleton), a word the
 * server's notices use for their reader: "you" ("* alice kicked you
 * from #g" would then mean two things).
 */
int		name_reserved(const char *name, size_t len);

#endif

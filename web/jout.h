/*
 * jout.h -- JSON text out, into a caller's buffer.
 *
 * Owns writing JSON: strings quoted and escaped (a byte that is not
 * part of valid UTF-8 is written as \u00XX, so the output is always
 * valid UTF-8 and valid JSON), numbers, and the punctuation between
 * members.  Every event a web user is sent passes here, once per
 * delivery, so nothing allocates.  Reading JSON is jansson's.
 */
#ifndef CHAT_WEB_JOUT_H
#define CHAT_WEB_JOUT_H

#include <stddef.h>
#include <stdint.h>

struct jout {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 overflow;	/* something did not fit: the text is unusable */
	int	 members;	/* members written in the innermost object */
};

void	jout_start(struct jout *j, char *buf, size_t size);
/* Text written as it is ("{", "]", a JSON value made elsewhere). */
void	jout_raw(struct jout *j, const char *s, size_t len);
/* A string, quoted and escaped. */
void	jout_string(struct jout *j, const char *s, size_t len);
/* "{", and "}" */
void	jout_open(struct jout *j);
void	jout_close(struct jout *j);
/* A member: a comma if one came before, "key": and the value. */
void	jout_key(struct jout *j, const char *key);
void	jout_member_str(struct jout *j, const char *key, const char *s);
void	jout_member_strn(struct jout *j, const char *key, const char *s,
	    size_t len);
void	jout_member_int(struct jout *j, const char *key, int64_t n);
void	jout_member_uint(struct jout *j, const char *key, uint64_t n);
void	jout_member_bool(struct jout *j, const char *key, int b);
/* The length written, NUL-ended; 0 if it overflowed. */
size_t	jout_finish(struct jout *j);

#endif

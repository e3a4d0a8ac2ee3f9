/*
 * users.h -- the users file: registered names and their password hashes.
 *
 * One "name:hash" line per user; hashes are crypt(3) yescrypt strings,
 * never plain passwords.  Sessions look a name up at each login, so a
 * changed file applies at once.  chatctl rewrites the file atomically
 * (temporary file + rename), mode 0640, group "chat" where it exists,
 * holding an exclusive flock on USERS_FILE.lock from read to rename.
 *
 * One parser (users_next) reads the file for both.  A line is a comment
 * or blank, an entry, a *locked* name (the line starts with a valid name
 * but the rest is unusable, or the name is on two lines: that name cannot
 * log in at all, never as a guest), or a bad line (it does not start with
 * a valid name: ignored).  A UTF-8 byte order mark starting the file is
 * skipped.  Edits keep every line they do not change byte for byte.
 */
#ifndef CHAT_USERS_H
#define CHAT_USERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "shm_layout.h"

#define USERS_HASH_MAX	256	/* longest hash, with its NUL */
#define USERS_LOG_MAX	20	/* problems logged one by one per check */

enum users_kind {
	USERS_BLANK,		/* empty, blanks only, or a '#' comment */
	USERS_ENTRY,		/* name:hash, both usable */
	USERS_LOCKED,		/* starts with a valid name; the rest is unusable */
	USERS_BAD,		/* does not start with a valid name */
};

/* One line as users_next sees it; text points into the caller's buffer. */
struct users_line {
	enum users_kind	 kind;
	unsigned	 lineno;	/* from 1; a line ends at '\n' only */
	const char	*text;		/* the line without its '\n' */
	size_t		 len;
	char		 name[SHM_NAME_MAX + 1]; /* ENTRY and LOCKED */
	const char	*hash;		/* ENTRY: hashlen bytes inside text */
	size_t		 hashlen;
	const char	*why;		/* LOCKED and BAD: what is wrong */
	int		 bom;		/* line 1 starts with a UTF-8 BOM (skipped) */
};

struct users_reader {
	const char	*p, *end;
	unsigned	 lineno;
};

/* What users_lookup found for one name. */
enum users_found {
	USERS_NONE = 0,		/* not registered: a guest name */
	USERS_FOUND = 1,	/* one usable entry: hash */
	USERS_IS_LOCKED = 2,	/* registered but unusable: lineno, why */
};

struct users_match {
	char		 hash[USERS_HASH_MAX];	/* USERS_FOUND */
	unsigned	 lineno;	/* the entry, or the line that locks */
	unsigned	 other;		/* the name's other line, or 0 */
	const char	*why;		/* USERS_IS_LOCKED */
	uint32_t	 stamp;		/* the file's users_stamp, 0 if none */
};

/* --- users.c: the parser, lookups and passwords (every program) --- */

void	users_reader_init(struct users_reader *r, const char *buf, size_t len);
/* The next line into l: 1, or 0 at the end of the buffer. */
int	users_next(struct users_reader *r, struct users_line *l);
/*
 * Log (log_warnx, "PATH:LINE: ...") every bad line, locked name and
 * name on two lines in buf, the first USERS_LOG_MAX one by one; returns
 * how many there are.
 */
unsigned users_check(const char *path, const char *buf, size_t len);
/*
 * Read the whole file into a malloc'd buffer: (NULL, 0) if it is missing
 * or empty; -1 with err (and errno) if it cannot be read or is not a
 * regular file (EINVAL).
 * *stamp changes whenever the file is rewritten (0 if missing).
 */
int	users_read(const char *path, char **buf, size_t *len, uint32_t *stamp,
	    char *err, size_t errlen);
/* Wipe (it holds hashes) and free what users_read gave. */
void	users_release(char *buf, size_t len);
/*
 * Find name (any case) in the file at path: USERS_FOUND with its hash,
 * USERS_IS_LOCKED, or USERS_NONE (a missing file has no users); -1 with
 * err on a read error.  users_lookup is the same without the details.
 */
int	users_lookup_match(const char *path, const char *name, struct users_match *m,
	    char *err, size_t errlen);
int	users_lookup(const char *path, const char *name, char *hash, size_t hashlen,
	    char *err, size_t errlen);
/*
 * Once per change of the file among all the processes sharing *seen (a
 * word of the segment): users_check it.  stamp is users_match.stamp.
 */
void	users_report(const char *path, uint32_t stamp, _Atomic uint32_t *seen);
/* 1 if password matches hash. */
int	users_verify(const char *hash, const char *password);
/* Hash password with a fresh yescrypt salt; 0 or -1. */
int	users_hash(const char *password, char *out, size_t outlen);

/* --- users_edit.c: whole-file edits (chatctl) --- */

/* One line of the file as loaded: the parser's view and its own bytes. */
struct users_rec {
	enum users_kind	 kind;
	unsigned	 lineno;	/* 0 for a line added by this edit */
	char		 name[SHM_NAME_MAX + 1];
	char		*text;		/* malloc'd, without '\n' */
	size_t		 len;
	int		 newline;	/* read with a '\n' after it */
};

struct users_list {
	struct users_rec *lines;
	size_t		 count, size;
	int		 lock_fd;	/* -1, or the flock'd USERS_FILE.lock */
};

/*
 * Read the file at path into list (a missing file is empty).  With
 * USERS_EDIT, first take an exclusive flock on path.lock (made 0600),
 * held until users_free, and log every problem (users_check).  The lock
 * is waited for USERS_LOCK_WAIT seconds at most (saying so on stderr
 * after a second); then the load fails.
 */
#define USERS_LOCK_WAIT	10
#define USERS_READ	0
#define USERS_EDIT	1
int	users_load(const char *path, struct users_list *list, int mode, char *err,
	    size_t errlen);
/* Write list to path atomically: changed lines as name:hash, the rest as read. */
int	users_save(const char *path, const struct users_list *list, char *err,
	    size_t errlen);
/* The name's first line (entry or locked), or NULL. */
struct users_rec *users_find(struct users_list *list, const char *name);
/*
 * Make name's first line "name:hash" (or add one at the end) and drop
 * its other lines; 0, or -1 out of memory.
 */
int	users_set(struct users_list *list, const char *name, const char *hash);
/* Drop every line of name; -1 if there was none. */
int	users_remove(struct users_list *list, const char *name);
/* Free list, wiping the hashes, and release the lock. */
void	users_free(struct users_list *list);

#endif

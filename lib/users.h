/*
 * users.h -- the users file: registered names and their password hashes.
 *
 * One "name:hash" line per user; hashes are crypt(3) yescrypt strings,
 * never plain passwords.  Sessions look a name up at each login, so a
 * changed file applies at once.  chatctl rewrites the file atomically
 * (temporary file + rename), mode 0640, group "chat" where it exists.
 */
#ifndef CHAT_USERS_H
#define CHAT_USERS_H

#include <stddef.h>

#define USERS_HASH_MAX	256

struct user_entry {
	char	name[33];
	char	hash[USERS_HASH_MAX];
};

struct users_list {
	struct user_entry	*entries;
	size_t			 count, size;
};

/*
 * Find name (any case) in the file at path: 1 and its hash if found,
 * 0 if not (a missing file has no users), -1 with err on a read error.
 */
int	users_lookup(const char *path, const char *name, char *hash, size_t hashlen,
	    char *err, size_t errlen);
/* Split a "name:hash" line (modified); 0 if it is a valid entry. */
int	users_parse_entry(char *line, struct user_entry *e);
/* 1 if password matches hash. */
int	users_verify(const char *hash, const char *password);
/* Hash password with a fresh yescrypt salt; 0 or -1. */
int	users_hash(const char *password, char *out, size_t outlen);

/* Whole-file access for chatctl (users_edit.c). */
int	users_load(const char *path, struct users_list *list, char *err, size_t errlen);
int	users_save(const char *path, const struct users_list *list, char *err,
	    size_t errlen);
struct user_entry *users_find(struct users_list *list, const char *name);
int	users_set(struct users_list *list, const char *name, const char *hash);
int	users_remove(struct users_list *list, const char *name);
void	users_free(struct users_list *list);

#endif

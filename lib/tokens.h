/*
 * tokens.h -- bearer tokens: which account a bot's token speaks for.
 *
 * Owns the tokens file (tokens_file in chat.conf, default
 * /etc/chat/tokens, mode 0640): one "NAME:HASH" line per account, HASH
 * the lowercase hex SHA-256 of the token (libmd), so the file never
 * holds a token.  A token is 32 random bytes shown as 64 hex digits;
 * only its hash is ever stored, compared or logged.  chatctl token
 * add/list/revoke edit the file (src/chatctl_tokens.c); chat-web asks
 * tokens_lookup for every request that carries one.
 */
#ifndef CHAT_TOKENS_H
#define CHAT_TOKENS_H

#include <stddef.h>

#include "shm_layout.h"
#include "users.h"

#define TOKEN_HEX_LEN	64	/* a token as given to its owner */

/*
 * The account token (len bytes, untrusted) belongs to: 1 with its name
 * copied into name; 0 if no line matches (a token of the wrong length or
 * with other than lowercase hex digits never does, nor a line that
 * tokens_problem finds fault with); -1 if the file is missing or cannot
 * be read (errno set; the caller logs the path, never the token).  The
 * hash is compared in constant time.
 */
int	tokens_lookup(const char *path, const char *token, size_t len,
	    char name[SHM_NAME_MAX + 1]);
/*
 * Why line l of the tokens file buf (read with users_read, parsed with
 * users_next) can match no token, or NULL if it can: an entry whose hash
 * is 64 lowercase hex digits, with neither its name nor its hash on
 * another line.
 * chatctl token list shows the names of the lines that can.
 */
const char *tokens_problem(const char *buf, size_t len,
	    const struct users_line *l);

#endif

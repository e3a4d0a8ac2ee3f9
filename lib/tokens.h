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

#define TOKEN_HEX_LEN	64	/* a token as given to its owner */

/*
 * The account token (len bytes, untrusted) belongs to: 1 with its name
 * copied into name; 0 if no line matches (a token of the wrong length or
 * with other than hex digits never does); -1 if the file cannot be read
 * (errno set; the caller logs the path, never the token).  The hash is
 * compared in constant time.
 */
int	tokens_lookup(const char *path, const char *token, size_t len,
	    char name[SHM_NAME_MAX + 1]);

#endif

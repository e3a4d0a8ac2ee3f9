/*
 * serve.h -- chat-historyd's socket: the front doors' questions.
 *
 * Owns HIST_SOCKET_NAME in the runtime directory (lib/histclient.h has
 * the protocol): accepting, reading one request line, having it
 * answered (history/query.c) and writing the answer, one connection at
 * a time, each within ASKSOCK_TIMEOUT_MS.  Before it answers, the archive
 * catches up with the log, so a question about "everything before this
 * position" is answered with everything.
 */
#ifndef CHAT_HISTORY_SERVE_H
#define CHAT_HISTORY_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "query.h"

struct server {
	int		 fd;		/* listening, non-blocking */
	char		 path[CONF_PATH_MAX + 32];
	const struct chat_conf *conf;
	struct query	*query;		/* NULL: the archive is unusable */
	char		*buf;		/* a request or answer line */
	size_t		 size;
	void		(*catch_up)(void *arg);	/* store what the log holds */
	void		*arg;
};

/* Listen (replacing a stale socket): 0, or -1 with why filled. */
int	serve_listen(struct server *sv, const struct chat_conf *conf,
	    char *why, size_t whylen);
/* Answer every connection waiting. */
void	serve_accept(struct server *sv);
void	serve_close(struct server *sv);

#endif

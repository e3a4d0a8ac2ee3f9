/*
 * query.h -- the archive's answers to the front doors' questions.
 *
 * Owns the reading SQL of chat-historyd (and the offline messages'
 * writes): a scope's chat lines before a log position, newest N shown
 * oldest first; the private messages kept for a registered user who
 * was offline (stored, taken, marked delivered); a user's kept groups
 * and invitations.  Who may see what is the front door's check (a
 * group's lines only for its members, a conversation only for its two
 * users); this module answers what it is asked.  Statements are
 * prepared once.
 */
#ifndef CHAT_HISTORY_QUERY_H
#define CHAT_HISTORY_QUERY_H

#include <sqlite3.h>
#include <stdint.h>

#include "histclient.h"

struct query;

struct query *query_open(sqlite3 *db);
void	query_close(struct query *q);
/* The database's last error, for the log. */
const char *query_error(struct query *q);

/* Each answer row; -1 stops. */
typedef int	(*query_line_fn)(void *arg, const struct hist_line *line);
typedef int	(*query_group_fn)(void *arg, const char *group, int member);

/* 0, or -1 (sqlite3_errmsg tells). */
int	query_history(struct query *q, enum hist_scope scope, const char *name,
	    const char *viewer, uint32_t limit, uint64_t segment_id,
	    uint64_t before, query_line_fn fn, void *arg);
/* 0 stored, 1 the queue holds max already, -1 error. */
int	query_offline_store(struct query *q, const char *from, const char *to,
	    const char *text, uint32_t max);
int	query_offline_take(struct query *q, const char *user, query_line_fn fn,
	    void *arg);
int	query_offline_done(struct query *q, const char *user, uint64_t last_id);
int	query_groups(struct query *q, const char *user, query_group_fn fn,
	    void *arg);

#endif

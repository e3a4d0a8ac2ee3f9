/*
 * conf.h -- chat.conf: one "key = value" per line, "#" starts a comment.
 *
 * Owns the list of keys, their defaults and their limits.  Every program
 * loads it the same way: -c FILE, else $CHAT_CONF, else the installed
 * default path (which may be absent: every key has a default).
 */
#ifndef CHAT_CONF_H
#define CHAT_CONF_H

#include <stddef.h>

#include "log.h"
#include "shm_layout.h"

#define CONF_PATH_MAX	256	/* paths in chat.conf, NUL included */
#define CONF_SHM_NAME_MAX 64
#define CONF_ORIGINS_MAX 1024	/* cors_origins, NUL included */
#define CONF_PASSWORD_MAX 64	/* irc_password, bytes */

/* What a second login of a registered user does. */
enum dup_login {
	DUP_REFUSE,		/* the newcomer is refused */
	DUP_REPLACE,		/* the old session is closed */
};

struct chat_conf {
	char		shm_name[CONF_SHM_NAME_MAX];	/* POSIX shm name, "/chat" */
	char		runtime_dir[CONF_PATH_MAX];	/* hub control socket lives here */
	unsigned	max_sessions;	/* connected sessions at once */
	unsigned	max_line;	/* bytes in one client line, newline excluded */
	unsigned	max_sendq;	/* bytes of output a session holds for a slow client */
	unsigned	log_records;	/* records in the shared message log ring */
	unsigned	max_groups;	/* groups at once */
	unsigned	max_group_members; /* members of one group */
	unsigned	rate_msgs;	/* lines per second a client may send */
	unsigned	rate_burst;	/* lines it may send at once */
	unsigned	max_recvq;	/* unread input bytes before a flooder is closed */
	unsigned	login_timeout;	/* seconds to give a name (and password) */
	unsigned	idle_timeout;	/* seconds without a line before closing; 0 off */
	/* Per-user and per-address limits; 0: no limit. */
	unsigned	max_groups_per_user; /* groups one session may own */
	unsigned	max_pending_per_address; /* connections not logged in
					   yet from one address (IPv6: /64) */
	char		users_file[CONF_PATH_MAX]; /* name:hash lines */
	int		allow_guests;	/* 1: unregistered names may log in */
	enum dup_login	duplicate_login;

	/* Dead clients (issue 17): TCP keepalive, user timeout, takeover. */
	unsigned	keepalive_idle;	/* seconds of silence before probing; 0 off */
	unsigned	keepalive_interval; /* seconds between probes */
	unsigned	keepalive_count; /* unanswered probes before closing */
	unsigned	tcp_user_timeout; /* seconds sent data may stay unacked; 0
					   the kernel's default */
	unsigned	takeover_after;	/* seconds a registered user's client
					   must be silent before a new login
					   with the password takes over under
					   duplicate_login = refuse; 0 never */
	/* The web front door (chat-web, doc/web.md). */
	char		tokens_file[CONF_PATH_MAX]; /* name:sha256 of bearer tokens */
	char		cors_origins[CONF_ORIGINS_MAX]; /* "scheme://host[:port]"
					   separated by commas; "" none */
	unsigned	ws_ping_interval; /* seconds between pings (and SSE
					   comments) to a quiet client */
	unsigned	ws_ping_timeout; /* seconds a ping may stay unanswered */
	/* The IRC front door (chat-irc, doc/irc.md). */
	char		irc_lobby[SHM_NAME_MAX + 1]; /* the room everyone is in,
					   as a channel: "#" and this name */
	char		irc_password[CONF_PASSWORD_MAX + 1]; /* the server's
					   PASS; "" none (PASS is then the
					   account's) */
	/* The archive (chat-historyd, doc/architecture.md). */
	int		history;	/* 1: archive, /history, offline */
	char		history_db[CONF_PATH_MAX]; /* SQLite file */
	unsigned	history_days;	/* days a record is kept; 0 for ever */
	unsigned	history_max_rows; /* records kept at most; 0 no cap */
	unsigned	history_replay;	/* group lines shown on joining */
	unsigned	offline_max;	/* private messages kept per offline
					   registered user; 0 none */
	/* Many nodes (chat-bridge, doc/cluster.md). */
	char		nats_url[CONF_ORIGINS_MAX]; /* "nats://host:port"
					   separated by commas; "" one node */
	char		node_name[SHM_NAME_MAX + 1]; /* this node, in the cluster */
	unsigned	node_heartbeat;	/* seconds between a node's heartbeats */
	unsigned	node_timeout;	/* seconds unheard: the node is dead */
	unsigned	bus_keep_hours;	/* the stream keeps records this long */
	enum log_level	log_level;
	char		source[CONF_PATH_MAX];	/* file it came from, "" for defaults */
};

struct shm_geometry;

void	conf_defaults(struct chat_conf *conf);
/*
 * The segment capacities conf asks for (max_sessions, max_line,
 * log_records, max_groups, max_group_members) in g (shm.h), the rest of
 * it zero: shm_geometry_compute and shm_open_or_create fill the offsets.
 */
void	conf_geometry(const struct chat_conf *conf, struct shm_geometry *g);
/* Parse a configuration text; name is used in error messages. */
int	conf_parse(struct chat_conf *conf, const char *name, const char *text,
	    char *err, size_t errlen);
/* Read the file at path into conf; 0 on success, -1 with err filled. */
int	conf_load_file(struct chat_conf *conf, const char *path,
	    char *err, size_t errlen);
/*
 * Find and load the configuration: path from -c (may be NULL), then
 * $CHAT_CONF, then the default file if it exists.
 */
int	conf_load(struct chat_conf *conf, const char *path,
	    char *err, size_t errlen);

/*
 * 1 if origin (len bytes, as a browser sends it in Origin:) is one of
 * conf's cors_origins, compared without regard to case.
 */
int	conf_origin_allowed(const struct chat_conf *conf, const char *origin,
	    size_t len);
#endif

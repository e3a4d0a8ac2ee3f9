/*
 * conf.c -- parse chat.conf into a struct chat_conf.
 *
 * Owns key names, defaults and value checks; the upper limits of the
 * segment capacities are what a segment may hold (SHM_MAX_*, shm.h).  It
 * never exits: errors name the file and line and go back to the caller.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "shm.h"
#include "text.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#define CONF_DEFAULT_PATH SYSCONFDIR "/chat/chat.conf"
#define CONF_FILE_MAX (1024 * 1024)

enum conf_type {
	CONF_UINT, CONF_SHM_NAME, CONF_ABS_PATH, CONF_LOG_LEVEL, CONF_BOOL,
	CONF_DUP_LOGIN, CONF_FILE_PATH, CONF_ORIGINS, CONF_NATS_URLS,
	CONF_NODE_NAME, CONF_ROOM_NAME, CONF_PASSWORD
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	long long	 min, max;
};

static void	default_node_name(char *, size_t);
static int	password_valid(const char *);

static const struct conf_key conf_keys[] = {
	{ "shm_name", CONF_SHM_NAME, offsetof(struct chat_conf, shm_name), 0, 0 },
	{ "runtime_dir", CONF_ABS_PATH, offsetof(struct chat_conf, runtime_dir), 0, 0 },
	{ "max_sessions", CONF_UINT, offsetof(struct chat_conf, max_sessions), 1, SHM_MAX_SESSIONS },
	{ "max_line", CONF_UINT, offsetof(struct chat_conf, max_line), 64, SHM_MAX_LINE },
	{ "max_sendq", CONF_UINT, offsetof(struct chat_conf, max_sendq), 4096, 1 << 30 },
	{ "log_records", CONF_UINT, offsetof(struct chat_conf, log_records), 64, SHM_MAX_LOG_RECORDS },
	{ "max_groups", CONF_UINT, offsetof(struct chat_conf, max_groups), 1, SHM_MAX_GROUPS },
	{ "max_group_members", CONF_UINT, offsetof(struct chat_conf, max_group_members), 1, SHM_MAX_GROUP_MEMBERS },
	{ "rate_msgs", CONF_UINT, offsetof(struct chat_conf, rate_msgs), 1, 1000000 },
	{ "rate_burst", CONF_UINT, offsetof(struct chat_conf, rate_burst), 1, 1000000 },
	{ "max_recvq", CONF_UINT, offsetof(struct chat_conf, max_recvq), 1024, 1 << 30 },
	{ "login_timeout", CONF_UINT, offsetof(struct chat_conf, login_timeout), 1, 86400 },
	{ "idle_timeout", CONF_UINT, offsetof(struct chat_conf, idle_timeout), 0, 31 * 86400 },
	/* Per-user and per-address limits. */
	{ "max_groups_per_user", CONF_UINT, offsetof(struct chat_conf, max_groups_per_user), 0, 65536 },
	{ "max_pending_per_address", CONF_UINT, offsetof(struct chat_conf, max_pending_per_address), 0, 65536 },
	{ "users_file", CONF_FILE_PATH, offsetof(struct chat_conf, users_file), 0, 0 },
	{ "allow_guests", CONF_BOOL, offsetof(struct chat_conf, allow_guests), 0, 0 },
	{ "duplicate_login", CONF_DUP_LOGIN, offsetof(struct chat_conf, duplicate_login), 0, 0 },

	/* Dead clients.  The limits are Linux's (MAX_TCP_KEEPIDLE and friends). */
	{ "keepalive_idle", CONF_UINT, offsetof(struct chat_conf, keepalive_idle), 0, 32767 },
	{ "keepalive_interval", CONF_UINT, offsetof(struct chat_conf, keepalive_interval), 1, 32767 },
	{ "keepalive_count", CONF_UINT, offsetof(struct chat_conf, keepalive_count), 1, 127 },
	{ "tcp_user_timeout", CONF_UINT, offsetof(struct chat_conf, tcp_user_timeout), 0, 86400 },
	{ "takeover_after", CONF_UINT, offsetof(struct chat_conf, takeover_after), 0, 31 * 86400 },

	/* The web front door. */
	{ "tokens_file", CONF_FILE_PATH, offsetof(struct chat_conf, tokens_file), 0, 0 },
	{ "cors_origins", CONF_ORIGINS, offsetof(struct chat_conf, cors_origins), 0, 0 },
	{ "ws_ping_interval", CONF_UINT, offsetof(struct chat_conf, ws_ping_interval), 1, 86400 },
	{ "ws_ping_timeout", CONF_UINT, offsetof(struct chat_conf, ws_ping_timeout), 1, 3600 },

	/* The IRC front door. */
	{ "irc_lobby", CONF_ROOM_NAME, offsetof(struct chat_conf, irc_lobby), 0, 0 },
	{ "irc_password", CONF_PASSWORD, offsetof(struct chat_conf, irc_password), 0, 0 },

	/* The archive. */
	{ "history", CONF_BOOL, offsetof(struct chat_conf, history), 0, 0 },
	{ "history_db", CONF_FILE_PATH, offsetof(struct chat_conf, history_db), 0, 0 },
	{ "history_days", CONF_UINT, offsetof(struct chat_conf, history_days), 0, 36500 },
	{ "history_max_rows", CONF_UINT, offsetof(struct chat_conf, history_max_rows), 0, 2000000000 },
	{ "history_replay", CONF_UINT, offsetof(struct chat_conf, history_replay), 0, 500 },
	{ "offline_max", CONF_UINT, offsetof(struct chat_conf, offline_max), 0, 10000 },

	/* Many nodes (chat-bridge, doc/cluster.md). */
	{ "nats_url", CONF_NATS_URLS, offsetof(struct chat_conf, nats_url), 0, 0 },
	{ "node_name", CONF_NODE_NAME, offsetof(struct chat_conf, node_name), 0, 0 },
	{ "node_heartbeat", CONF_UINT, offsetof(struct chat_conf, node_heartbeat), 1, 3600 },
	{ "node_timeout", CONF_UINT, offsetof(struct chat_conf, node_timeout), 2, 86400 },
	{ "bus_keep_hours", CONF_UINT, offsetof(struct chat_conf, bus_keep_hours), 1, 8760 },

	{ "log_level", CONF_LOG_LEVEL, offsetof(struct chat_conf, log_level), 0, 0 },
};

void
conf_geometry(const struct chat_conf *conf, struct shm_geometry *g)
{
	memset(g, 0, sizeof(*g));
	g->max_sessions = conf->max_sessions;
	g->max_line = conf->max_line;
	g->log_records = conf->log_records;
	g->max_groups = conf->max_groups;
	g->max_group_members = conf->max_group_members;
}

void
conf_defaults(struct chat_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strlcpy(conf->shm_name, "/chat", sizeof(conf->shm_name));
	strlcpy(conf->runtime_dir, "/run/chat", sizeof(conf->runtime_dir));
	conf->max_sessions = 1024;
	conf->max_line = 1024;
	conf->max_sendq = 1024 * 1024;
	conf->log_records = 4096;
	conf->max_groups = 256;
	conf->max_group_members = 1024;
	conf->rate_msgs = 5;
	conf->rate_burst = 20;
	conf->max_recvq = 65536;
	conf->login_timeout = 60;
	conf->idle_timeout = 0;
	conf->max_groups_per_user = 8;
	conf->max_pending_per_address = 16;
	strlcpy(conf->users_file, SYSCONFDIR "/chat/users", sizeof(conf->users_file));
	conf->allow_guests = 1;
	conf->duplicate_login = DUP_REFUSE;

	/*
	 * A silent peer is probed after a minute and given up after two:
	 * 60 + 6 * 10 s, the same 120 s tcp_user_timeout allows for data
	 * left unacknowledged.  A dead client's name is free again within
	 * two minutes instead of the kernel's 2 h 11 min; a live one costs
	 * one small packet a minute each way.  Its user may take the name
	 * over sooner: after 90 s of silence (doc/chat.conf.5).
	 */
	conf->keepalive_idle = 60;
	conf->keepalive_interval = 10;
	conf->keepalive_count = 6;
	conf->tcp_user_timeout = 120;
	conf->takeover_after = 90;

	strlcpy(conf->tokens_file, SYSCONFDIR "/chat/tokens", sizeof(conf->tokens_file));
	conf->ws_ping_interval = 30;
	conf->ws_ping_timeout = 10;
	strlcpy(conf->irc_lobby, "lobby", sizeof(conf->irc_lobby));
	conf->history = 1;
	strlcpy(conf->history_db, LOCALSTATEDIR "/lib/chat/history.db",
	    sizeof(conf->history_db));
	conf->history_days = 30;
	conf->history_max_rows = 0;
	conf->history_replay = 20;
	conf->offline_max = 100;

	conf->nats_url[0] = '\0';
	default_node_name(conf->node_name, sizeof(conf->node_name));
	conf->node_heartbeat = 2;
	conf->node_timeout = 10;
	conf->bus_keep_hours = 24;

	conf->log_level = LOG_LEVEL_INFO;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static const char *const origin_schemes[] = { "https://", "http://", NULL };
static const char *const nats_schemes[] = { "nats://", "tls://", NULL };

/*
 * One entry of a list of URLs (cors_origins, nats_url): one of schemes,
 * a host (letters, digits, '.', '-', or an IPv6 address in brackets),
 * an optional ":port" (1-65535), and nothing after it (no path, no
 * trailing '/').
 */
static int
url_valid(const char *o, size_t len, const char *const *schemes)
{
	const char *p = NULL, *end = o + len, *host;
	long port = 0;
	size_t n;

	for (; *schemes != NULL && p == NULL; schemes++)
		if (len > (n = strlen(*schemes)) && strncasecmp(o, *schemes, n) == 0)
			p = o + n;
	if (p == NULL)
		return 0;
	host = p;
	if (*p == '[') {
		while (++p < end && *p != ']')
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
				return 0;
		if (p == end || p - host < 3)
			return 0;
		p++;
	} else {
		while (p < end && (isalnum((unsigned char)*p) || *p == '.' ||
		    *p == '-'))
			p++;
		if (p == host)
			return 0;
	}
	if (p < end && *p == ':') {
		if (++p == end)
			return 0;
		while (p < end && isdigit((unsigned char)*p) && port <= 65535)
			port = port * 10 + (*p++ - '0');
		if (port < 1 || port > 65535)
			return 0;
	}
	return p == end;
}

/* A list of URLs: each comma-separated entry checked, blanks dropped. */
static int
set_urls(char *field, const char *name, const char *value,
    const char *const *schemes, char *why, size_t whylen)
{
	const char *what = schemes == nats_schemes ? "scheme nats or tls" :
	    "scheme http or https, no path";
	char list[CONF_ORIGINS_MAX];
	const char *p = value, *comma, *start, *stop;
	size_t used = 0, len;

	list[0] = '\0';
	for (;;) {
		comma = strchr(p, ',');
		stop = comma != NULL ? comma : p + strlen(p);
		for (start = p; start < stop && (*start == ' ' || *start == '\t');)
			start++;
		while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		len = (size_t)(stop - start);
		if (!url_valid(start, len, schemes)) {
			snprintf(why, whylen, "%s: '%.*s' is not scheme://host[:port] "
			    "(%s)", name, (int)(len < 200 ? len : 200), start, what);
			return -1;
		}
		if (used + len + 2 > sizeof(list)) {
			snprintf(why, whylen, "%s: longer than %d bytes", name,
			    CONF_ORIGINS_MAX - 1);
			return -1;
		}
		if (used > 0)
			list[used++] = ',';
		memcpy(list + used, start, len);
		used += len;
		list[used] = '\0';
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	strlcpy(field, list, CONF_ORIGINS_MAX);
	return 0;
}

/* node_name's default: the host name up to its first '.', if a name. */
static void
default_node_name(char *name, size_t size)
{
	char host[256];
	char *dot;

	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if ((dot = strchr(host, '.')) != NULL)
		*dot = '\0';
	if (name_valid(host, strlen(host)))
		strlcpy(name, host, size);
	else
		strlcpy(name, "node", size);
}

int
conf_origin_allowed(const struct chat_conf *conf, const char *origin, size_t len)
{
	const char *p = conf->cors_origins, *comma;
	size_t n;

	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == len && strncasecmp(p, origin, len) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

static int
set_value(struct chat_conf *conf, const struct conf_key *key, const char *value,
    char *why, size_t whylen)
{
	char *field = (char *)conf + key->offset;
	const char *errstr;
	long long n;

	switch (key->type) {
	case CONF_UINT:
		n = strtonum(value, key->min, key->max, &errstr);
		if (errstr != NULL) {
			snprintf(why, whylen, "%s: '%s' is %s (allowed %lld..%lld)",
			    key->name, value, errstr, key->min, key->max);
			return -1;
		}
		*(unsigned *)(void *)field = (unsigned)n;
		return 0;
	case CONF_SHM_NAME:
		if (value[0] != '/' || strchr(value + 1, '/') != NULL ||
		    value[1] == '\0' || strlen(value) >= CONF_SHM_NAME_MAX) {
			snprintf(why, whylen, "%s: '%s' must be '/' followed by 1-%d "
			    "characters without '/'", key->name, value,
			    CONF_SHM_NAME_MAX - 2);
			return -1;
		}
		strlcpy(field, value, CONF_SHM_NAME_MAX);
		return 0;
	case CONF_ABS_PATH:
		if (value[0] != '/' || strlen(value) >= 100) {
			/* 100: the control socket path must fit sun_path. */
			snprintf(why, whylen, "%s: '%s' must be an absolute path "
			    "shorter than 100 bytes", key->name, value);
			return -1;
		}
		strlcpy(field, value, CONF_PATH_MAX);
		return 0;
	case CONF_FILE_PATH:
		if (value[0] != '/' || strlen(value) >= CONF_PATH_MAX) {
			snprintf(why, whylen, "%s: '%s' must be an absolute path "
			    "shorter than %d bytes", key->name, value, CONF_PATH_MAX);
			return -1;
		}
		strlcpy(field, value, CONF_PATH_MAX);
		return 0;
	case CONF_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
			*(int *)(void *)field = strcmp(value, "yes") == 0;
			return 0;
		}
		snprintf(why, whylen, "%s: '%s' is not yes or no", key->name, value);
		return -1;
	case CONF_DUP_LOGIN:
		if (strcmp(value, "refuse") == 0 || strcmp(value, "replace") == 0) {
			*(enum dup_login *)(void *)field = strcmp(value, "refuse") == 0 ?
			    DUP_REFUSE : DUP_REPLACE;
			return 0;
		}
		snprintf(why, whylen, "%s: '%s' is not refuse or replace",
		    key->name, value);
		return -1;
	case CONF_ORIGINS:
		return set_urls(field, key->name, value, origin_schemes, why, whylen);
	case CONF_NATS_URLS:
		if (*value == '\0') {		/* a single node */
			*field = '\0';
			return 0;
		}
		return set_urls(field, key->name, value, nats_schemes, why, whylen);
	case CONF_NODE_NAME:
	case CONF_ROOM_NAME:
		if (!name_valid(value, strlen(value))) {
			snprintf(why, whylen, "%s: '%s' is not 1-32 letters, digits, "
			    "'_', '-' or '.', starting with a letter", key->name, value);
			return -1;
		}
		strlcpy(field, value, SHM_NAME_MAX + 1);
		return 0;
	case CONF_PASSWORD:
		if (!password_valid(value)) {
			snprintf(why, whylen, "%s: must be 1-%d printable ASCII "
			    "characters without blanks or '#'", key->name,
			    CONF_PASSWORD_MAX);
			return -1;
		}
		strlcpy(field, value, CONF_PASSWORD_MAX + 1);
		return 0;
	case CONF_LOG_LEVEL:
		if (log_level_parse(value, (enum log_level *)(void *)field) == -1) {
			snprintf(why, whylen, "%s: '%s' is not one of error, warn, "
			    "info, debug", key->name, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* irc_password: printable ASCII without blanks ('#' starts a comment). */
static int
password_valid(const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > CONF_PASSWORD_MAX)
		return 0;
	for (; *value != '\0'; value++)
		if (*value <= ' ' || *value >= 0x7f)
			return 0;
	return 1;
}

static int
parse_line(struct chat_conf *conf, char *line, char *why, size_t whylen)
{
	char *eq, *key, *value, *hash;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	line = trim(line);
	if (*line == '\0')
		return 0;
	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(why, whylen, "expected 'key = value'");
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (strcmp(key, conf_keys[i].name) != 0)
			continue;
		if (*value == '\0') {
			snprintf(why, whylen, "%s: missing value", key);
			return -1;
		}
		return set_value(conf, &conf_keys[i], value, why, whylen);
	}
	snprintf(why, whylen, "unknown key '%s'", key);
	return -1;
}

int
conf_parse(struct chat_conf *conf, const char *name, const char *text,
    char *err, size_t errlen)
{
	char line[1024], why[512];
	const char *p = text, *nl;
	unsigned lineno = 0;
	size_t len;

	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line too long", name, lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(conf, line, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			return -1;
		}
		p += len + (nl != NULL);
	}
	return 0;
}

/*
 * Read the whole file into a NUL-ended buffer, *len bytes.  The buffer
 * starts at the file's size (a megabyte buffer cost every session an
 * mmap and a munmap) and grows if the file grew meanwhile; NULL with err
 * set if it cannot be read or passes CONF_FILE_MAX.
 */
static char *
read_whole(int fd, const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t have = 0, room;
	char *text, *bigger;
	ssize_t n = 0;

	room = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < CONF_FILE_MAX ? (size_t)st.st_size + 1 : 4096;
	if ((text = malloc(room + 1)) == NULL)
		goto oom;
	for (;;) {
		if (have == room) {
			if (room >= CONF_FILE_MAX)
				break;
			room = room * 2 < CONF_FILE_MAX ? room * 2 : CONF_FILE_MAX;
			if ((bigger = realloc(text, room + 1)) == NULL)
				goto oom;
			text = bigger;
		}
		if ((n = read(fd, text + have, room - have)) <= 0)
			break;
		have += (size_t)n;
	}
	if (n == -1 || have >= CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path,
		    n == -1 ? strerror(errno) : "file too large");
		free(text);
		return NULL;
	}
	text[have] = '\0';
	*len = have;
	return text;
oom:
	free(text);
	snprintf(err, errlen, "%s: out of memory", path);
	return NULL;
}

int
conf_load_file(struct chat_conf *conf, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t have;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = read_whole(fd, path, &have, err, errlen);
	close(fd);
	if (text == NULL)
		return -1;
	if (memchr(text, '\0', have) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rc = conf_parse(conf, path, text, err, errlen);
	free(text);
	if (rc == 0)
		strlcpy(conf->source, path, sizeof(conf->source));
	return rc;
}

int
conf_load(struct chat_conf *conf, const char *path, char *err, size_t errlen)
{
	conf_defaults(conf);
	if (path == NULL)
		path = getenv("CHAT_CONF");
	if (path != NULL && *path != '\0')
		return conf_load_file(conf, path, err, errlen);
	if (access(CONF_DEFAULT_PATH, F_OK) == 0)
		return conf_load_file(conf, CONF_DEFAULT_PATH, err, errlen);
	return 0;
}

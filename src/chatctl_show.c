/*
 * chatctl_show.c -- chatctl users, groups and stats.
 *
 * Reads the segment through a read-only mapping without locks: what it
 * prints is a snapshot that may be a moment old, never a torn string
 * (every string is copied and NUL-ended before use).  --json output is
 * built with jansson.
 *
 * Before it reads, it checks whose the segment is (shm_check_owner):
 * root's, chatctl's own user's, or the hub's user's, which it takes from
 * the owner of runtime_dir/hub.lock (see hub_user).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chatctl.h"
#include "clock.h"
#include "log.h"
#include "msglog.h"
#include "proc.h"
#include "shm.h"


/*
 * The hub's user, as chatctl can tell it: the owner of
 * runtime_dir/hub.lock, which the hub creates and holds locked (with
 * systemd, RuntimeDirectory= makes the directory the hub user's).  It is
 * believed only when nobody else could have made that file: the
 * directory belongs to root or to the same user and neither its group
 * nor others can write to it.  Otherwise chatctl's own user stands for the hub's, so it then
 * accepts only a segment of root or of its own user.
 */
static uid_t
hub_user(const struct chat_conf *conf)
{
	char path[CONF_PATH_MAX + 16];
	struct stat dir, lock;

	snprintf(path, sizeof(path), "%s/hub.lock", conf->runtime_dir);
	if (stat(conf->runtime_dir, &dir) == -1 || lstat(path, &lock) == -1 ||
	    !S_ISDIR(dir.st_mode) || !S_ISREG(lock.st_mode) ||
	    (dir.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (dir.st_uid != 0 && dir.st_uid != lock.st_uid))
		return geteuid();
	return lock.st_uid;
}

/*
 * What every show verb does first: it takes no arguments, then maps the
 * segment read-only.  0, or the exit status to return.
 */
static int
open_view(const struct chatctl *ctl, const char *verb, int argc, struct shm *shm)
{
	char err[512];

	if (argc != 0) {
		fprintf(stderr, "usage: chatctl %s [--json]\n", verb);
		return EXIT_USAGE;
	}
	if (shm_attach_as(shm, ctl->conf.shm_name, 0, hub_user(&ctl->conf), err,
	    sizeof(err)) == -1) {
		if (errno == EPERM)
			fprintf(stderr, "chatctl: %s; refusing to read it\n", err);
		else
			fprintf(stderr, "chatctl: %s (is chat-hubd running?)\n", err);
		return EXIT_SYSTEM;
	}
	return 0;
}

static void
copy_string(char *dst, const char *src, size_t size)
{
	memcpy(dst, src, size);
	dst[size - 1] = '\0';
}

static void
format_duration(char *buf, size_t len, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)secs / 60,
		    (long long)secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)secs / 3600,
		    (long long)secs % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)secs / 86400,
		    (long long)secs % 86400 / 3600);
}

int
print_json(json_t *value)
{
	char *text = json_dumps(value, JSON_INDENT(2));

	json_decref(value);
	if (text == NULL) {
		fprintf(stderr, "chatctl: out of memory\n");
		return EXIT_SYSTEM;
	}
	puts(text);
	free(text);
	return 0;
}

/* The groups slot is in, comma-separated, into buf; and as a JSON array. */
static void
slot_groups(const struct shm *shm, uint32_t slot, char *buf, size_t len, json_t *array)
{
	char name[SHM_NAME_MAX + 1];
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t g = 0; g < shm->geo.max_groups; g++) {
		if (shm_group(shm, g)->g_state != GROUP_USED ||
		    atomic_load(shm_joined(shm, g, slot)) == 0)
			continue;
		copy_string(name, shm_group(shm, g)->g_name, sizeof(name));
		json_array_append_new(array, json_string(name));
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used > 0 ? "," : "", name);
	}
	if (used == 0)
		strlcpy(buf, "-", len);
}

int
verb_users(struct chatctl *ctl, int argc, char **argv)
{
	char since[32], idle[32], name[SHM_NAME_MAX + 1], peer[SHM_PEER_MAX];
	char groups[4096];
	const struct shm_slot *s;
	int64_t now = clock_unix_seconds();
	time_t connected;
	json_t *list, *user, *gl;
	struct shm shm;
	struct tm tm;
	int rc;

	(void)argv;
	if ((rc = open_view(ctl, "users", argc, &shm)) != 0)
		return rc;
	list = json_array();
	if (!ctl->json)
		printf("%-20s %-10s %-22s %8s %-19s %-7s %s\n", "NAME", "TYPE", "PEER",
		    "PID", "CONNECTED", "IDLE", "GROUPS");
	for (uint32_t i = 0; i < shm.geo.max_sessions; i++) {
		s = shm_slot(&shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE)
			continue;
		copy_string(name, s->s_name, sizeof(name));
		copy_string(peer, s->s_peer, sizeof(peer));
		connected = (time_t)s->s_connected;
		localtime_r(&connected, &tm);
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
		format_duration(idle, sizeof(idle), now - atomic_load(&s->s_last_active));
		gl = json_array();
		slot_groups(&shm, i, groups, sizeof(groups), gl);
		if (!ctl->json) {
			printf("%-20s %-10s %-22s %8d %-19s %-7s %s\n", name,
			    s->s_registered ? "registered" : "guest", peer,
			    (int)s->s_pid, since, idle, groups);
			json_decref(gl);
			continue;
		}
		user = json_pack("{s:s, s:b, s:s, s:i, s:I, s:I, s:o}", "name", name,
		    "registered", s->s_registered != 0, "peer", peer, "pid",
		    (int)s->s_pid, "connected", (json_int_t)s->s_connected,
		    "idle_seconds", (json_int_t)(now - atomic_load(&s->s_last_active)),
		    "groups", gl);
		json_array_append_new(list, user);
	}
	if (ctl->json)
		return print_json(list);
	json_decref(list);
	return 0;
}

static const char *
node_state_name(uint32_t state)
{
	return state == NODE_ALIVE ? "alive" : state == NODE_DEAD ? "dead" : "?";
}

/* The other nodes chat-bridge has heard of (doc/cluster.md). */
int
verb_nodes(struct chatctl *ctl, int argc, char **argv)
{
	const struct shm_node *n;
	char name[SHM_NAME_MAX + 1], ago[32];
	int64_t now = clock_unix_ms(), heard;
	json_t *list;
	struct shm shm;
	uint32_t state;
	int rc;

	(void)argv;
	if ((rc = open_view(ctl, "nodes", argc, &shm)) != 0)
		return rc;
	list = json_array();
	if (!ctl->json)
		printf("%-20s %-6s %6s %s\n", "NODE", "STATE", "USERS", "HEARD");
	for (int i = 0; i < SHM_MAX_NODES; i++) {
		n = &shm.hdr->nodes[i];
		if ((state = atomic_load(&n->n_state)) == NODE_UNKNOWN)
			continue;
		copy_string(name, n->n_name, sizeof(name));
		heard = atomic_load(&n->n_heard_ms);
		if (!ctl->json) {
			format_duration(ago, sizeof(ago), (now - heard) / 1000);
			printf("%-20s %-6s %6u %s ago\n", name, node_state_name(state),
			    atomic_load(&n->n_users), ago);
			continue;
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:I}", "name",
		    name, "state", node_state_name(state), "users",
		    (int)atomic_load(&n->n_users), "heard_ms", (json_int_t)heard));
	}
	if (ctl->json)
		return print_json(list);
	json_decref(list);
	return 0;
}

int
verb_groups(struct chatctl *ctl, int argc, char **argv)
{
	char name[SHM_NAME_MAX + 1], owner[SHM_NAME_MAX + 1], member[SHM_NAME_MAX + 1];
	const struct shm_group *g;
	json_t *list, *members;
	struct shm shm;
	int rc;

	(void)argv;
	if ((rc = open_view(ctl, "groups", argc, &shm)) != 0)
		return rc;
	list = json_array();
	if (!ctl->json)
		printf("%-20s %-20s %-11s %s\n", "GROUP", "OWNER", "INVITE-ONLY", "MEMBERS");
	for (uint32_t i = 0; i < shm.geo.max_groups; i++) {
		g = shm_group(&shm, i);
		if (g->g_state != GROUP_USED || g->g_owner >= shm.geo.max_sessions)
			continue;
		copy_string(name, g->g_name, sizeof(name));
		copy_string(owner, shm_slot(&shm, g->g_owner)->s_name, sizeof(owner));
		members = json_array();
		if (!ctl->json)
			printf("%-20s %-20s %-11s", name, owner, g->g_invite_only ? "yes" : "no");
		for (uint32_t m = 0; m < shm.geo.max_sessions; m++) {
			if (atomic_load(shm_joined(&shm, i, m)) == 0)
				continue;
			copy_string(member, shm_slot(&shm, m)->s_name, sizeof(member));
			json_array_append_new(members, json_string(member));
			if (!ctl->json)
				printf(" %s", member);
		}
		if (!ctl->json) {
			printf("\n");
			json_decref(members);
			continue;
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}", "name", name,
		    "owner", owner, "invite_only", g->g_invite_only != 0,
		    "members", members));
	}
	if (ctl->json)
		return print_json(list);
	json_decref(list);
	return 0;
}

/* The event counters of shm_header, as chatctl stats shows them. */
struct counter {
	const char	*key;		/* --json */
	const char	*label;		/* text, with its colon */
	size_t		 offset;	/* of an _Atomic uint64_t in shm_header */
};

static const struct counter counters[] = {
	{ "sessions_total", "sessions ever:", offsetof(struct shm_header, st_sessions_total) },
	{ "logins", "logins:", offsetof(struct shm_header, st_logins) },
	{ "refused_full", "refused (full):", offsetof(struct shm_header, st_refused_full) },
	{ "auth_failures", "wrong passwords:", offsetof(struct shm_header, st_auth_failures) },
	{ "messages_routed", "messages routed:", offsetof(struct shm_header, st_messages) },
	{ "lines_delivered", "lines delivered:", offsetof(struct shm_header, st_deliveries) },
	{ "wakeups_sent", "wake-ups sent:", offsetof(struct shm_header, st_wakeups_sent) },
	{ "wakeups_coalesced", "wake-ups coalesced:",
	    offsetof(struct shm_header, st_wakeups_coalesced) },
	{ "throttled", "flooders slowed:", offsetof(struct shm_header, st_throttled) },
	{ "wakeups_swept", "wake-ups swept:", offsetof(struct shm_header, st_wakeups_swept) },
	{ "archive_gaps", "archive gaps:", offsetof(struct shm_header, st_archive_gaps) },
	{ "archive_lost", "archive records lost:",
	    offsetof(struct shm_header, st_archive_lost) },
	{ "bridge_out", "records to other nodes:",
	    offsetof(struct shm_header, st_bridge_out) },
	{ "bridge_in", "records from other nodes:",
	    offsetof(struct shm_header, st_bridge_in) },
	{ "nodes_lost", "nodes found dead:", offsetof(struct shm_header, st_nodes_lost) },
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static uint64_t
counter(const struct shm_header *h, const struct counter *c)
{
	return atomic_load((_Atomic uint64_t *)(void *)((char *)(uintptr_t)h + c->offset));
}

/*
 * The pid of the hub serving the segment, or 0 if none does: the pid in
 * the header stays after a hub was killed (only a clean stop clears it),
 * so it counts only while it names a live chat-hubd (not a zombie).
 */
static pid_t
live_hub_pid(const struct shm_header *h)
{
	pid_t pid = atomic_load(&h->hub_pid);

	return pid > 0 && proc_is(pid, HUB_COMM) ? pid : 0;
}

int
verb_stats(struct chatctl *ctl, int argc, char **argv)
{
	const struct shm_header *h;
	uint32_t active = 0, login = 0, followers = 0, groups = 0, state;
	int64_t bridge_lag;
	pid_t hub_pid;
	json_t *stats, *disc;
	struct shm shm;
	int rc;

	(void)argv;
	if ((rc = open_view(ctl, "stats", argc, &shm)) != 0)
		return rc;
	h = shm.hdr;
	hub_pid = live_hub_pid(h);
	bridge_lag = msglog_follower_lag_ms(&shm, BRIDGE_FOLLOWER);
	for (uint32_t i = 0; i < shm.geo.max_sessions; i++) {
		state = atomic_load(&shm_slot(&shm, i)->s_state);
		active += state == SLOT_ACTIVE;
		login += state == SLOT_LOGIN;
		followers += state == SLOT_FOLLOWER;
	}
	for (uint32_t i = 0; i < shm.geo.max_groups; i++)
		groups += shm_group(&shm, i)->g_state == GROUP_USED;
	disc = json_object();
	for (int r = 0; r < DISC_REASONS; r++)
		json_object_set_new(disc, shm_disconnect_name(r),
		    json_integer((json_int_t)atomic_load(&h->st_disconnects[r])));
	stats = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
	    "hub_pid", (int)hub_pid,
	    "hub_starts", (int)atomic_load(&h->hub_starts),
	    "sessions", (int)active, "sessions_logging_in", (int)login,
	    "max_sessions", (int)shm.geo.max_sessions, "groups", (int)groups,
	    "max_groups", (int)shm.geo.max_groups);
	for (size_t c = 0; c < NCOUNTERS; c++)
		json_object_set_new(stats, counters[c].key,
		    json_integer((json_int_t)counter(h, &counters[c])));
	json_object_set_new(stats, "log_followers",
	    json_integer((json_int_t)followers));
	json_object_set_new(stats, "log_records_written",
	    json_integer((json_int_t)atomic_load(&h->st_records)));
	json_object_set_new(stats, "segment_bytes",
	    json_integer((json_int_t)shm.geo.segment_size));
	json_object_set_new(stats, "disconnects", disc);
	if (bridge_lag >= 0)
		json_object_set_new(stats, "bridge_lag_ms",
		    json_integer((json_int_t)bridge_lag));
	if (ctl->json)
		return print_json(stats);
	printf("hub pid:             %d (started %u times on this segment)\n",
	    (int)hub_pid, atomic_load(&h->hub_starts));
	printf("sessions:            %u chatting, %u logging in, %u max\n",
	    active, login, shm.geo.max_sessions);
	printf("log followers:       %u\n", followers);
	printf("groups:              %u, %u max\n", groups, shm.geo.max_groups);
	for (size_t c = 0; c < NCOUNTERS; c++)
		printf("%-20s %llu\n", counters[c].label,
		    (unsigned long long)counter(h, &counters[c]));
	if (bridge_lag >= 0)
		printf("bridge lag:          %.1f s (the oldest record not yet "
		    "published to the other nodes)\n", (double)bridge_lag / 1000);
	printf("log records:         %llu written, ring of %u cells (%u of the longest)\n",
	    (unsigned long long)atomic_load(&h->st_records), shm.geo.log_cells,
	    shm.geo.log_records);
	printf("segment size:        %llu bytes\n", (unsigned long long)shm.geo.segment_size);
	for (int r = 0; r < DISC_REASONS; r++)
		printf("disconnects:         %llu %s\n",
		    (unsigned long long)atomic_load(&h->st_disconnects[r]),
		    shm_disconnect_name(r));
	json_decref(stats);
	return 0;
}

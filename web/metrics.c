/*
 * metrics.c -- GET /health and GET /metrics.
 *
 * Owns what an operator's probe and Prometheus read: whether the chat
 * is up (the segment attached and its hub alive), and the segment's
 * counters in Prometheus' text format 0.0.4.  Both read the segment
 * without a lock, as chatctl stats does.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "jout.h"
#include "log.h"
#include "web.h"

#include "config.h"

static int
hub_alive(const struct web *w)
{
	pid_t pid;

	if (!w->attached)
		return 0;
	pid = atomic_load(&w->shm.hdr->hub_pid);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

void
metrics_health(struct web *w)
{
	char body[512];
	struct jout j;
	int up = hub_alive(w);

	jout_start(&j, body, sizeof(body));
	jout_open(&j);
	jout_member_str(&j, "status", up ? "ok" : "unavailable");
	if (w->attached) {
		jout_member_uint(&j, "sessions",
		    atomic_load(&w->shm.hdr->sessions_active));
		jout_member_uint(&j, "max_sessions", w->shm.geo.max_sessions);
		jout_member_uint(&j, "groups", w->shm.hdr->groups_in_use);
		jout_member_bool(&j, "hub", up);
	} else
		jout_member_str(&j, "reason", w->unavailable);
	jout_member_uint(&j, "layout", SHM_LAYOUT_VERSION);
	jout_close(&j);
	web_respond(w, up ? 200 : 503, "application/json", NULL, body,
	    jout_finish(&j));
}

/* The text being built: a few KiB, grown by outq's rules. */
struct prom {
	struct outq	q;
	int		failed;
};

static void __attribute__((format(printf, 2, 3)))
prom(struct prom *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (outq_vappendf(&p->q, fmt, ap) == -1)
		p->failed = 1;
	va_end(ap);
}

static void
family(struct prom *p, const char *name, const char *type, const char *help)
{
	prom(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The segment's counters, each a Prometheus counter of its own. */
static const struct counter {
	const char	*name;
	const char	*help;
	size_t		 offset;	/* of its _Atomic uint64_t in the header */
} counters[] = {
	{ "chat_records_total", "Records appended to the log.",
	    offsetof(struct shm_header, st_records) },
	{ "chat_deliveries_total", "Lines and events written to clients.",
	    offsetof(struct shm_header, st_deliveries) },
	{ "chat_wakeups_sent_total", "Wake-ups the hub sent.",
	    offsetof(struct shm_header, st_wakeups_sent) },
	{ "chat_wakeups_coalesced_total",
	    "Wake-ups not sent because one was pending.",
	    offsetof(struct shm_header, st_wakeups_coalesced) },
	{ "chat_logins_total", "Logins: sessions that took a name.",
	    offsetof(struct shm_header, st_logins) },
	{ "chat_login_failures_total", "Wrong passwords given.",
	    offsetof(struct shm_header, st_auth_failures) },
	{ "chat_refused_full_total",
	    "Connections refused because every slot was in use.",
	    offsetof(struct shm_header, st_refused_full) },
	{ "chat_throttled_total", "Times a flooding client was slowed.",
	    offsetof(struct shm_header, st_throttled) },
	{ "chat_archive_gaps_total",
	    "Overruns the archive stored as gap rows (records it never saw).",
	    offsetof(struct shm_header, st_archive_gaps) },
	{ "chat_archive_lost_total", "Log records lost in the archive's gaps.",
	    offsetof(struct shm_header, st_archive_lost) },
	{ "chat_bridge_out_total", "Records the stream stored for the other nodes.",
	    offsetof(struct shm_header, st_bridge_out) },
	{ "chat_bridge_in_total", "Other nodes' records appended here.",
	    offsetof(struct shm_header, st_bridge_in) },
	{ "chat_nodes_lost_total", "Nodes found dead (unheard for node_timeout).",
	    offsetof(struct shm_header, st_nodes_lost) },
};

static void
sessions_by_transport(struct prom *p, const struct shm *shm)
{
	uint32_t count[TRANSPORT_COUNT] = { 0 }, t;
	struct shm_slot *s;

	for (uint32_t i = 0; i < shm->geo.max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE)
			continue;
		if ((t = s->s_transport) < TRANSPORT_COUNT)
			count[t]++;
	}
	family(p, "chat_sessions", "gauge", "Users online, by transport.");
	for (t = 0; t < TRANSPORT_COUNT; t++)
		prom(p, "chat_sessions{transport=\"%s\"} %u\n",
		    shm_transport_name(t), count[t]);
}

/* On a node of a cluster: how far its bridge is behind its log. */
static void
bridge_lag(struct prom *p, const struct shm *shm)
{
	int64_t lag = msglog_follower_lag_ms(shm, BRIDGE_FOLLOWER);

	if (lag < 0)
		return;		/* no chat-bridge attached */
	family(p, "chat_bridge_lag_seconds", "gauge",
	    "Age of the oldest record not yet published to the other nodes.");
	prom(p, "chat_bridge_lag_seconds %.3f\n", (double)lag / 1000);
}

static void
segment_metrics(struct prom *p, const struct shm *shm)
{
	static const char *const to_names[TO_KINDS] = {
		[TO_ALL] = "broadcast", [TO_USER] = "private", [TO_GROUP] = "group",
	};
	const struct shm_header *h = shm->hdr;

	sessions_by_transport(p, shm);
	family(p, "chat_messages_total", "counter",
	    "Chat lines appended to the log, by kind.");
	for (uint32_t k = 0; k < TO_KINDS; k++)
		prom(p, "chat_messages_total{kind=\"%s\"} %llu\n", to_names[k],
		    (unsigned long long)atomic_load(&h->st_messages_to[k]));
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		const _Atomic uint64_t *v = (const _Atomic uint64_t *)(const void *)
		    ((const char *)h + counters[i].offset);

		family(p, counters[i].name, "counter", counters[i].help);
		prom(p, "%s %llu\n", counters[i].name,
		    (unsigned long long)atomic_load(v));
	}
	family(p, "chat_disconnects_total", "counter",
	    "Connections ended, by reason.");
	for (uint32_t r = 0; r < DISC_REASONS; r++)
		prom(p, "chat_disconnects_total{reason=\"%s\"} %llu\n",
		    shm_disconnect_name(r),
		    (unsigned long long)atomic_load(&h->st_disconnects[r]));
	family(p, "chat_groups", "gauge", "Groups that exist.");
	prom(p, "chat_groups %u\n", h->groups_in_use);
	bridge_lag(p, shm);
}

void
metrics_prometheus(struct web *w)
{
	struct prom p = { .failed = 0 };
	int up = hub_alive(w);

	outq_init(&p.q, 1 << 20);
	family(&p, "chat_hub_up", "gauge",
	    "1 if the hub is running and its segment attached.");
	prom(&p, "chat_hub_up %d\n", up);
	family(&p, "chat_build_info", "gauge", "The build serving this request.");
	prom(&p, "chat_build_info{version=\"%s\",layout=\"%d\"} 1\n",
	    PACKAGE_VERSION, SHM_LAYOUT_VERSION);
	if (w->attached)
		segment_metrics(&p, &w->shm);
	if (p.failed)
		web_respond_error(w, 500, "internal", "metrics too large");
	else
		web_respond(w, 200, "text/plain; version=0.0.4; charset=utf-8",
		    NULL, p.q.buf + p.q.head, outq_pending(&p.q));
	outq_free(&p.q);
}

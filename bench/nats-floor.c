/*
 * nats-floor.c -- NATS's own publish-to-receive latency, the floor under
 * chat's cross-node fan-out (make bench, BENCH_ONLY=cluster).
 *
 * N peers (default 3, as three chat-bridges), each its own connection,
 * publish at an aggregate offered rate the way chat-bridge publishes a
 * record: to the subject floor.PEER of a JetStream stream (file storage,
 * a one-hour de-duplication window, like the stream CHAT), one message
 * at a time with js_PublishMsg waiting for the stream's answer, with the
 * headers chat-bridge puts on a line (bridge/wire.c) and a payload of
 * -l bytes.  Each peer reads the whole stream with an ordered consumer
 * (js_Subscribe, Ordered, deliver new), as chat-bridge does.  A message
 * is timed from its send time (CLOCK_MONOTONIC ns, in its payload) to
 * the moment the consumer's callback runs in another peer: what NATS
 * adds to a line that crosses nodes, before the bridge appends it.
 * With -m core the same load goes through core NATS (publish, and a
 * plain subscription to floor.>), for comparison.
 *
 * With -m tap it sends nothing: for -d seconds, or until SIGINT or
 * SIGTERM, it listens (core NATS)
 * to the chat-bridges' subject chat.rec.> while chat-load runs, and
 * times each of chat-load's lines ("~b STEP NUM NS ...", NS its send
 * time) from its send to here: the outbound half of a cross-node line
 * (session, log, hub, bridge, stream), one RESULT line per step.
 *
 *	nats-floor -s URL [-m js|core] [-n PEERS] [-r RATE[,RATE...]]
 *	    [-d SECS] [-l BYTES] [-w PID] [-L LABEL]
 *	nats-floor -s URL -m tap -d SECS [-L LABEL]
 *
 * One "RESULT key=value ..." line per rate on stdout: messages sent,
 * deliveries to the other peers expected and received, their latency
 * percentiles, the publish call's (the stream's answer) and the CPU of
 * the server (-w, its PID) and of this program in % of one core.
 * Benchmarks print figures; they never assert.  Not installed.
 */
#include <sys/resource.h>

#include <err.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "hist.h"

#define MAX_PEERS	16
#define MAX_RATES	16
#define NS		1000000000ULL
#define MS		1000000ULL
#define STREAM		"FLOOR"
#define SUBJECTS	"floor.>"

struct peer {
	int		 i;
	natsConnection	*nc;
	jsCtx		*js;
	natsSubscription *sub;
	pthread_t	 thread;
	pthread_mutex_t	 lock;		/* what the callback fills */
	uint64_t	 received, own;
	struct hist	 lat;		/* others' messages, send to callback */
	struct hist	 pub;		/* the publish call (js: to the ack) */
	uint64_t	 sent, failed;
};

static struct {
	const char	*url;
	int		 core;
	int		 tap;
	int		 npeers;
	double		 rates[MAX_RATES];
	int		 nrates;
	double		 secs;
	unsigned	 len;
	pid_t		 watch;
	const char	*label;
} opt = { .npeers = 3, .secs = 4, .len = 48, .label = "" };

static struct peer peers[MAX_PEERS];
static volatile uint32_t step_id;	/* the step being received */
static double step_rate;
static uint64_t step_total, step_t0;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t
parse_u64(const char **pp, const char *end)
{
	const char *p = *pp;
	uint64_t v = 0;

	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p < end && *p == ' ')
		p++;
	*pp = p;
	return v;
}

/* On a cnats thread: a message of the stream (or the subject) arrived. */
static void
on_message(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *arg)
{
	struct peer *p = arg;
	uint64_t now = now_ns(), step, sent;
	const char *subject = natsMsg_GetSubject(m);
	const char *d = natsMsg_GetData(m), *end, *q;
	int from;

	(void)nc;
	(void)sub;
	end = d + natsMsg_GetDataLength(m);
	from = atoi(subject + sizeof("floor.") - 1);
	if (end - d < 4 || memcmp(d, "~f ", 3) != 0) {
		natsMsg_Destroy(m);
		return;
	}
	q = d + 3;
	step = parse_u64(&q, end);
	(void)parse_u64(&q, end);	/* its number */
	sent = parse_u64(&q, end);
	pthread_mutex_lock(&p->lock);
	if (step == step_id) {
		if (from == p->i)
			p->own++;
		else {
			p->received++;
			hist_add(&p->lat, now > sent ? now - sent : 0);
		}
	}
	pthread_mutex_unlock(&p->lock);
	natsMsg_Destroy(m);
}

/* tap: chat-load's steps as they pass on the bus. */
#define TAP_STEPS	32
static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hist tap_lat[TAP_STEPS];

static void
on_tap(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *arg)
{
	uint64_t now = now_ns(), step, sent;
	const char *d = natsMsg_GetData(m), *end, *q;

	(void)nc;
	(void)sub;
	(void)arg;
	end = d + natsMsg_GetDataLength(m);
	if (end - d > 4 && memcmp(d, "~b ", 3) == 0) {
		q = d + 3;
		step = parse_u64(&q, end);
		(void)parse_u64(&q, end);
		sent = parse_u64(&q, end);
		if (step < TAP_STEPS) {
			pthread_mutex_lock(&tap_lock);
			hist_add(&tap_lat[step], now > sent ? now - sent : 0);
			pthread_mutex_unlock(&tap_lock);
		}
	}
	natsMsg_Destroy(m);
}

static void check(natsStatus, const char *);

static void
tap(void)
{
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	struct timespec ts;
	sigset_t stop;

	/* SIGINT or SIGTERM ends the wait early (cnats's threads block them). */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	check(natsConnection_ConnectTo(&nc, opt.url), opt.url);
	check(natsConnection_Subscribe(&sub, nc, "chat.rec.>", on_tap, NULL), "subscribe");
	printf("ready\n");
	fflush(stdout);
	ts.tv_sec = (time_t)opt.secs;
	ts.tv_nsec = (long)((opt.secs - (double)ts.tv_sec) * 1e9);
	(void)sigtimedwait(&stop, NULL, &ts);
	natsSubscription_Unsubscribe(sub);
	pthread_mutex_lock(&tap_lock);
	for (int i = 0; i < TAP_STEPS; i++)
		if (tap_lat[i].count > 0)
			printf("RESULT label=%s mode=tap step=%d lines=%" PRIu64 " p50_ms=%.3f"
			    " p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n", opt.label, i,
			    tap_lat[i].count, hist_ms(&tap_lat[i], 0.5),
			    hist_ms(&tap_lat[i], 0.99), hist_ms(&tap_lat[i], 0.999),
			    (double)tap_lat[i].max / 1e6);
	pthread_mutex_unlock(&tap_lock);
	natsSubscription_Destroy(sub);
	natsConnection_Destroy(nc);
	nats_Close();
}

static void
check(natsStatus s, const char *what)
{
	if (s != NATS_OK)
		errx(111, "%s: %s (%s)", what, natsStatus_GetText(s),
		    nats_GetLastError(NULL));
}

static void
peer_open(struct peer *p)
{
	natsOptions *o = NULL;
	jsSubOptions so;
	jsErrCode e = 0;
	char name[32];

	snprintf(name, sizeof(name), "floor-%d", p->i);
	pthread_mutex_init(&p->lock, NULL);
	check(natsOptions_Create(&o), "options");
	check(natsOptions_SetURL(o, opt.url), "url");
	check(natsOptions_SetName(o, name), "name");
	check(natsConnection_Connect(&p->nc, o), opt.url);
	natsOptions_Destroy(o);
	if (opt.core) {
		check(natsConnection_Subscribe(&p->sub, p->nc, SUBJECTS, on_message, p),
		    "subscribe");
		return;
	}
	check(natsConnection_JetStream(&p->js, p->nc, NULL), "jetstream");
	jsSubOptions_Init(&so);
	so.Stream = STREAM;
	so.Ordered = true;
	so.Config.DeliverPolicy = js_DeliverNew;
	check(js_Subscribe(&p->sub, p->js, SUBJECTS, on_message, p, NULL, &so, &e),
	    "ordered consumer");
}

/* A fresh stream like chat-bridge's CHAT (bridge/bus.c). */
static void
make_stream(jsCtx *js)
{
	const char *subjects[] = { SUBJECTS };
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode e = 0;

	(void)js_DeleteStream(js, STREAM, NULL, &e);
	jsStreamConfig_Init(&sc);
	sc.Name = STREAM;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Duplicates = 3600LL * 1000000000LL;
	check(js_AddStream(&si, js, &sc, NULL, &e), "stream");
	jsStreamInfo_Destroy(si);
}

/* A message as chat-bridge makes a line: the same headers, -l bytes. */
static natsMsg *
message(struct peer *p, uint64_t k, uint64_t t)
{
	char subject[32], text[1100], id[64], v[24];
	natsMsg *m = NULL;
	int n;

	snprintf(subject, sizeof(subject), "floor.%d", p->i);
	n = snprintf(text, sizeof(text), "~f %u %" PRIu64 " %" PRIu64 " ", step_id, k, t);
	while ((unsigned)n < opt.len && n < (int)sizeof(text) - 1)
		text[n++] = 'x';
	check(natsMsg_Create(&m, subject, NULL, text, n), "message");
	snprintf(id, sizeof(id), "floor-%d:%016x:%u:%" PRIu64, p->i, 0x5eed, step_id, k);
	natsMsgHeader_Set(m, "Nats-Msg-Id", id);
	natsMsgHeader_Set(m, "Chat-From", "u123");
	snprintf(v, sizeof(v), "%" PRIu64, k);
	natsMsgHeader_Set(m, "Chat-Kind", "1");
	natsMsgHeader_Set(m, "Chat-To-Kind", "0");
	natsMsgHeader_Set(m, "Chat-Flags", "0");
	natsMsgHeader_Set(m, "Chat-Time", "1764800000123");
	natsMsgHeader_Set(m, "Chat-Segment", "6546351291230912");
	natsMsgHeader_Set(m, "Chat-Seq", v);
	natsMsgHeader_Set(m, "Chat-Next", v);
	return m;
}

/* A peer's share of the step: messages k = i, i + N, ... each when due. */
static void *
publisher(void *arg)
{
	struct peer *p = arg;
	jsPubOptions po;
	jsPubAck *ack;
	jsErrCode e;
	uint64_t k, due, t, done;
	natsStatus s;
	natsMsg *m;

	jsPubOptions_Init(&po);
	po.MaxWait = 5000;
	for (k = (uint64_t)p->i; k < step_total; k += (uint64_t)opt.npeers) {
		due = step_t0 + (uint64_t)((double)k * 1e9 / step_rate);
		while ((t = now_ns()) < due) {
			struct timespec ts = { 0, (long)(due - t) };

			nanosleep(&ts, NULL);
		}
		m = message(p, k, t);
		if (opt.core)
			s = natsConnection_PublishMsg(p->nc, m);
		else {
			ack = NULL;
			e = 0;
			s = js_PublishMsg(&ack, p->js, m, &po, &e);
			jsPubAck_Destroy(ack);
		}
		done = now_ns();
		natsMsg_Destroy(m);
		if (s != NATS_OK) {
			p->failed++;
			continue;
		}
		p->sent++;
		hist_add(&p->pub, done - t);
	}
	return NULL;
}

static uint64_t
cpu_ns_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return 0;
	return (ut + st) * (NS / (uint64_t)sysconf(_SC_CLK_TCK));
}

static uint64_t
self_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS +
	    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* Busy time of the whole machine in ns (all but idle and iowait). */
static uint64_t
machine_busy_ns(void)
{
	unsigned long long v[8] = { 0 };
	uint64_t sum = 0;
	FILE *fp;

	if ((fp = fopen("/proc/stat", "re")) == NULL)
		return 0;
	if (fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
		fclose(fp);
		return 0;
	}
	fclose(fp);
	for (int i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			sum += v[i];
	return sum * (NS / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void
run_step(uint32_t id, double rate)
{
	uint64_t sent = 0, failed = 0, received, expected, t_end, quiet, last = 0, wall;
	uint64_t srv0, self0, mach0, own = 0, srv, self, mach;
	double others;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct hist lat, pub;
	uint64_t t_start;

	for (int i = 0; i < opt.npeers; i++) {
		pthread_mutex_lock(&peers[i].lock);
		peers[i].received = peers[i].own = 0;
		memset(&peers[i].lat, 0, sizeof(peers[i].lat));
		pthread_mutex_unlock(&peers[i].lock);
		memset(&peers[i].pub, 0, sizeof(peers[i].pub));
		peers[i].sent = peers[i].failed = 0;
	}
	step_rate = rate;
	step_total = (uint64_t)(rate * opt.secs + 0.5);
	step_id = id;
	srv0 = opt.watch ? cpu_ns_of(opt.watch) : 0;
	self0 = self_cpu_ns();
	mach0 = machine_busy_ns();
	t_start = now_ns();
	step_t0 = t_start + 20 * MS;
	for (int i = 0; i < opt.npeers; i++)
		if (pthread_create(&peers[i].thread, NULL, publisher, &peers[i]) != 0)
			errx(111, "pthread_create");
	for (int i = 0; i < opt.npeers; i++) {
		pthread_join(peers[i].thread, NULL);
		sent += peers[i].sent;
		failed += peers[i].failed;
	}
	/* Each message goes to the N - 1 other peers. */
	expected = sent * (uint64_t)(opt.npeers - 1);
	quiet = now_ns();
	t_end = quiet + 10 * NS;
	for (;;) {
		received = 0;
		for (int i = 0; i < opt.npeers; i++) {
			pthread_mutex_lock(&peers[i].lock);
			received += peers[i].received;
			pthread_mutex_unlock(&peers[i].lock);
		}
		if (received >= expected || now_ns() > t_end || now_ns() - quiet > 3 * NS)
			break;
		if (received != last) {
			last = received;
			quiet = now_ns();
		}
		usleep(10000);
	}
	wall = now_ns() - t_start;
	srv = opt.watch ? cpu_ns_of(opt.watch) - srv0 : 0;
	self = self_cpu_ns() - self0;
	mach = machine_busy_ns() - mach0;
	/* CPU neither the server nor this program used: others' work. */
	others = (double)mach - (double)srv - (double)self;
	others = others < 0 || ncpu < 1 ? 0 : 100.0 * others / ((double)wall * (double)ncpu);
	step_id = 0;	/* late ones are not counted */
	memset(&lat, 0, sizeof(lat));
	memset(&pub, 0, sizeof(pub));
	for (int i = 0; i < opt.npeers; i++) {
		pthread_mutex_lock(&peers[i].lock);
		hist_merge(&lat, &peers[i].lat);
		own += peers[i].own;
		pthread_mutex_unlock(&peers[i].lock);
		hist_merge(&pub, &peers[i].pub);
	}
	printf("RESULT label=%s mode=floor bus=%s peers=%d rate=%.0f secs=%.1f len=%u "
	    "sent=%" PRIu64 " failed=%" PRIu64 " expected=%" PRIu64 " received=%" PRIu64
	    " own=%" PRIu64 " loss=%" PRIu64 " p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f"
	    " max_ms=%.3f publish_p50_ms=%.3f publish_p99_ms=%.3f"
	    " server_cpu_pct=%.1f self_cpu_pct=%.1f others_cpu_pct=%.0f\n",
	    opt.label, opt.core ? "core" : "js", opt.npeers, rate, opt.secs, opt.len,
	    sent, failed, expected, lat.count, own,
	    expected > lat.count ? expected - lat.count : 0,
	    hist_ms(&lat, 0.5), hist_ms(&lat, 0.99), hist_ms(&lat, 0.999),
	    (double)lat.max / 1e6, hist_ms(&pub, 0.5), hist_ms(&pub, 0.99),
	    100.0 * (double)srv / (double)wall, 100.0 * (double)self / (double)wall,
	    others);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: nats-floor -s URL [-m js|core] [-n peers] "
	    "[-r rate[,rate...]] [-d secs] [-l bytes] [-w pid] [-L label]\n"
	    "       nats-floor -s URL -m tap -d secs [-L label]\n");
	exit(100);
}

int
main(int argc, char *argv[])
{
	char *s, *end;
	int ch;

	while ((ch = getopt(argc, argv, "d:l:L:m:n:r:s:w:")) != -1) {
		switch (ch) {
		case 'd':
			opt.secs = atof(optarg);
			break;
		case 'l':
			opt.len = (unsigned)atoi(optarg);
			break;
		case 'L':
			opt.label = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "core") == 0)
				opt.core = 1;
			else if (strcmp(optarg, "tap") == 0)
				opt.tap = 1;
			else if (strcmp(optarg, "js") != 0)
				usage();
			break;
		case 'n':
			opt.npeers = atoi(optarg);
			break;
		case 'r':
			for (s = optarg; *s != '\0' && opt.nrates < MAX_RATES; s = end) {
				opt.rates[opt.nrates++] = strtod(s, &end);
				if (end == s || opt.rates[opt.nrates - 1] <= 0)
					usage();
				if (*end == ',')
					end++;
			}
			break;
		case 's':
			opt.url = optarg;
			break;
		case 'w':
			opt.watch = (pid_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt.url == NULL || opt.npeers < 2 ||
	    opt.npeers > MAX_PEERS || opt.secs <= 0)
		usage();
	if (opt.tap) {
		tap();
		return 0;
	}
	if (opt.nrates == 0)
		opt.rates[opt.nrates++] = 250;
	for (int i = 0; i < opt.npeers; i++) {
		peers[i].i = i;
		if (!opt.core && i == 0) {
			natsConnection *nc = NULL;
			jsCtx *js = NULL;

			check(natsConnection_ConnectTo(&nc, opt.url), opt.url);
			check(natsConnection_JetStream(&js, nc, NULL), "jetstream");
			make_stream(js);
			jsCtx_Destroy(js);
			natsConnection_Destroy(nc);
		}
		peer_open(&peers[i]);
	}
	usleep(200000);	/* the consumers are in place */
	for (int i = 0; i < opt.nrates; i++) {
		run_step((uint32_t)i + 1, opt.rates[i]);
		usleep(300000);
	}
	for (int i = 0; i < opt.npeers; i++) {
		natsSubscription_Destroy(peers[i].sub);
		if (peers[i].js != NULL)
			jsCtx_Destroy(peers[i].js);
		natsConnection_Close(peers[i].nc);
		natsConnection_Destroy(peers[i].nc);
	}
	nats_Close();
	return 0;
}

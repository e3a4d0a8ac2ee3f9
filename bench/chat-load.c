/*
 * chat-load.c -- load generator for chat, IRC servers and chat-web.
 *
 * One epoll loop drives N client connections speaking chat's line
 * protocol (prompt, name, welcome, plain lines), IRC (NICK/USER, JOIN,
 * PRIVMSG, answering PING) or chat-web's WebSocket (the upgrade of
 * /ws?user_id=NAME, the welcome event, "say" messages as masked text
 * frames, answering pings).  Its modes:
 *
 *   login   connect and log in N clients, C at a time: logins/s and the
 *           CPU the server spent per login (-q: quit each one right after
 *           its welcome, so with -c 1 it times sequential cycles);
 *   idle    log in N clients (checkpoints -n 100,1000,...) and report the
 *           server's memory per session at each checkpoint;
 *   relay   log in N clients, then S senders send at an aggregate offered
 *           rate R for D seconds per rate step: deliveries/s, latency
 *           percentiles, loss, duplicates, reordering (-x: keep raising
 *           the rate until p99 passes 1 s; -B: the burst generator,
 *           below);
 *   serial  log in N clients, then send M messages one at a time, each
 *           from the next client, waiting until all others have it;
 *   query   log in one client, then send a command (-Q, e.g. "/history
 *           50") M times, one at a time: the time from its send to the
 *           answer's last line (-E, a prefix: "* end of history"), and
 *           the "~ " lines each answer held (chat's line protocol only);
 *   death   log in N clients over several nodes (-a A,B,C), then kill -9
 *           the processes of -K and their children (one node's bridge,
 *           hub and activator with its sessions) and time every "left
 *           (node lost)" of that node's users at the other nodes'
 *           clients from the kill.
 *
 * -a takes one address or several (nodes of a cluster): client i
 * connects to the (i % count)-th, senders are spread over them, and the
 * relay mode also reports the latency of deliveries from a sender on
 * another node than the receiver's and from one on the same node.
 *
 * Every message carries the step, its number and its send time
 * (CLOCK_MONOTONIC ns): "~b STEP NUM NS xxxx".  Its arrival time is the
 * kernel's receive time of the bytes (SO_TIMESTAMPING, software), not
 * the time this loop got round to reading them: on one machine the load
 * generator waits for the CPU with the server's processes, and on a
 * network its clients would not.  -R times arrivals at the read instead.
 *
 * -B (relay only) swaps the relay's sending for another generator's, to
 * reproduce its figures (issue 23): every pass of the loop first sends
 * all the messages due since the step began (message k at k / R, from
 * sender k % S), however many that is, then waits for events (at most
 * until the next one is due) and reads every connection that has some.
 * Unloaded, one message leaves at a time; once the reads of a pass take
 * longer than 1/R, the messages due meanwhile leave together when the
 * loop gets back to them, in bursts.  -BB paces each sender on its own
 * from the same start instead (sender s's j-th message, k = j*S + s, is
 * due at j*S / R), so all S fall due at once and leave together even
 * unloaded.  The relay's own pacing sends at most 64 before it reads
 * again and reads at most 512 connections between sends.  With -B every
 * message carries CLOCK_REALTIME ns instead, and a delivery's latency
 * is the chunk's receive stamp (SCM_TIMESTAMPING's ts[0], CLOCK_REALTIME:
 * an upper bound for every line of the chunk) minus that; a step also
 * reports its passes' bursts (messages sent per pass that sent any:
 * mean, p99, max), the latency of each message's last delivery
 * (last_p50_ms, last_p99_ms: how long the last of the members waited)
 * and p50 and p99 by tenth of the receivers in login order
 * (tenths_p50_ms, tenths_p99_ms: clients 0-99, 100-199, ... of 1000).
 * The server processes to account for CPU and memory are named with -w:
 * each PID counts with its live children (chat: the hub, and the
 * activator with its sessions); a relay step reports each one's CPU.
 * Results go to stdout as one "RESULT key=value ..." line per figure;
 * progress and server errors go to stderr.  It measures, never asserts.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"

#define MAX_WATCH	16
#define MAX_ADDRS	8
#define MAX_CHECKPOINTS	8
#define MAX_RATES	16
#define RX_BUF		(256 * 1024)
#define CARRY_MAX	(16 * 1024)
#define MARK		"~b "
#define NS		1000000000ULL
#define MS		1000000ULL
#define LOGIN_TIMEOUT_NS (60 * NS)
#define SAT_P99_NS	NS		/* saturation ends when p99 passes this */
#define SAT_MAX_STEPS	10
#define SAT_FACTOR	1.4
#define KERNEL_STACK_KIB 16		/* THREAD_SIZE on x86-64 */
#define WS_KEY		"dGhlIHNhbXBsZSBub25jZQ=="	/* RFC 6455's sample */
#define WS_FRAME_MAX	(CARRY_MAX - 16)	/* larger frames are dropped */
#define WS_TEXT		0x1
#define WS_CLOSE	0x8
#define WS_PING		0x9
#define WS_PONG		0xa

enum proto { PROTO_CHAT, PROTO_IRC, PROTO_WS };
enum mode { MODE_LOGIN, MODE_IDLE, MODE_RELAY, MODE_SERIAL, MODE_QUERY, MODE_DEATH };

enum cstate {
	CS_NEW,		/* not started */
	CS_CONNECTING,	/* TCP connect in progress */
	CS_PROMPT,	/* chat: waiting for "? name:" */
	CS_UPGRADE,	/* ws: waiting for the 101 and the end of its head */
	CS_NAMING,	/* waiting for the welcome (chat, ws) or 001 (IRC) */
	CS_JOINING,	/* IRC: waiting for the end of NAMES */
	CS_READY,	/* logged in */
	CS_QUITTING,	/* sent a quit, waiting for EOF */
	CS_DONE,	/* closed after quitting */
	CS_FAILED,	/* refused, timed out or dropped */
};

struct client {
	int		 fd;
	uint32_t	 id;
	uint8_t		 state;
	uint8_t		 want_out;	/* EPOLLOUT is on */
	uint8_t		 counted;	/* counted as in flight */
	char		*carry;		/* partial line from the last read */
	uint32_t	 carry_len;
	uint64_t	 skip;		/* ws: bytes of an overlong frame still to drop */
	char		*out;		/* bytes the socket did not take yet */
	uint32_t	 out_len, out_cap;
	uint64_t	 t_start;	/* connect() called */
	uint64_t	 t_prompt;	/* name prompt seen (IRC: connected; ws: 101) */
	uint64_t	 t_login;	/* welcome / end of NAMES seen */
	uint64_t	*seen;		/* bitmap: message numbers received this step */
	uint32_t	*last;		/* per sender: highest number received + 1 */
};

/* One rate step (relay) or one serial run. */
struct step {
	uint32_t	 id;
	double		 rate;		/* offered msgs/s (relay) */
	uint64_t	 total;		/* messages planned */
	uint64_t	 sent;
	uint32_t	 members;	/* ready clients when it started */
	uint64_t	 received, dups, reorders;
	uint64_t	 t_first_send, t_last_send, t_last_recv;
	struct hist	 lat;		/* every delivery */
	/* several nodes (-a A,B,...): deliveries from a sender on another
	 * node than the receiver's, and on the same one */
	struct hist	 lat_remote, lat_local;
	/* serial only */
	uint32_t	*arrivals;	/* receivers that have message k */
	uint64_t	*t_sent;
	uint64_t	*t_all;		/* last arrival of message k */
	/* relay -B only */
	uint64_t	*worst;		/* latency of message k's last delivery */
	struct hist	 bursts;	/* messages sent per pass that sent any */
	struct hist	 by_tenth[10];	/* deliveries by receiver: id * 10 / n */
	uint64_t	 passes;
};

static struct {
	enum proto	 proto;
	enum mode	 mode;
	struct sockaddr_in addrs[MAX_ADDRS];	/* client i connects to i % naddrs */
	uint32_t	 naddrs;
	uint32_t	 checkpoints[MAX_CHECKPOINTS];
	int		 ncheckpoints;
	uint32_t	 n;		/* clients (the last checkpoint) */
	uint32_t	 inflight_max;
	int		 quit_after_login;
	uint32_t	 senders;
	double		 rates[MAX_RATES];
	int		 nrates;
	double		 step_secs;
	int		 saturate;
	uint32_t	 serial_msgs;
	uint32_t	 msg_len;
	pid_t		 watch[MAX_WATCH];
	int		 nwatch;
	double		 connect_secs;	/* deadline for logging everyone in */
	double		 hold_secs;
	const char	*channel;
	const char	*query;		/* -Q: the command query mode sends */
	const char	*query_end;	/* -E: its answer's last line starts so */
	const char	*prefix;
	const char	*label;
	const char	*host;		/* -a as given: the ws Host header */
	int		 read_time;	/* -R: arrivals timed at the read */
	pid_t		 kill[MAX_WATCH];	/* -K: death mode kills these */
	int		 nkill;
	uint32_t	 dead_node;	/* -D: the address index whose node dies */
	double		 jitter_secs;	/* -J: the kill waits a random part of it */
	int		 burst;		/* -B: the in-loop, bursty senders (-BB: in phase) */
} opt = {
	.proto = PROTO_CHAT,
	.mode = MODE_LOGIN,
	.n = 100,
	.inflight_max = 50,
	.senders = 10,
	.step_secs = 5,
	.serial_msgs = 200,
	.msg_len = 48,
	.connect_secs = 300,
	.channel = "#bench",
	.query = "/history 50",
	.query_end = "* end of history",
	.prefix = "u",
	.label = "",
};

static struct client *clients;
static int epfd;
static char *rx;
static uint32_t inflight, started, ready, failed, done, dropped;
static uint64_t server_errors, late_msgs, last_rx_ns, bytes_rx;
static uint64_t rx_real;	/* -B: the read's receive stamp, CLOCK_REALTIME ns */
static uint64_t t_last_login, t_last_done;
static struct hist h_prompt, h_welcome;	/* connect..prompt, prompt..welcome */
static struct step *cur;	/* the step receiving now, or NULL */
static uint32_t *sender_ids;	/* client index of sender s */
static uint32_t nsenders;
static int errors_shown;
static long clk_tck = 100;

/* query mode: the request in flight. */
static struct {
	uint64_t	 t_sent;	/* 0: none */
	uint64_t	 t_done;	/* its last line arrived */
	uint32_t	 lines;		/* "~ " lines in its answer */
	int		 done;		/* 1 answered, -1 refused ("! ...") */
} query;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static const char *
proto_name(void)
{
	switch (opt.proto) {
	case PROTO_IRC:
		return "irc";
	case PROTO_WS:
		return "ws";
	default:
		return "chat";
	}
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: chat-load [-q] [-x] [-B] [-p chat|irc|ws] [-a host:port] [-m mode]\n"
	    "    [-n N[,N...]] [-c inflight] [-s senders] [-r rate[,rate...]]\n"
	    "    [-d secs] [-M msgs] [-l bytes] [-w pid[,pid...]] [-T secs]\n"
	    "    [-H secs] [-g channel] [-N prefix] [-L label] [-R]\n"
	    "    [-Q command] [-E end-prefix] [-K pid[,pid...]] [-D index] [-J secs]\n"
	    "modes: login, idle, relay, serial, query, death\n"
	    "-B: relay with the burst generator (senders in the reading loop,\n"
	    "    CLOCK_REALTIME send stamps against SO_TIMESTAMPING receive stamps);\n"
	    "    -BB: the same with every sender paced on its own from one start\n");
	exit(100);
}

/* ---- /proc: CPU and memory of the watched server processes ---- */

struct procfigs {
	uint64_t	 cpu_ns;	/* CPU time of the watched PIDs and children */
	uint64_t	 pss_kib, rss_kib;
	uint64_t	 kernel_kib;	/* page tables + kernel stacks */
	uint32_t	 children;	/* live children of the watched PIDs */
	uint64_t	 cpu_by[MAX_WATCH];	/* cpu_ns of each watched PID */
};

/* 1 + the index of pid in -w, or 0. */
static int
watched(pid_t pid)
{
	for (int i = 0; i < opt.nwatch; i++)
		if (opt.watch[i] == pid)
			return i + 1;
	return 0;
}

/*
 * The parent and, in ns, the CPU time of one process.  A watched process
 * counts utime+stime+cutime+cstime (children it has reaped included); a
 * child counts its exact run time from /proc/PID/schedstat, since
 * /proc/PID/stat truncates each short-lived session to whole clock ticks.
 */
static int
read_cpu(pid_t pid, pid_t *ppid, uint64_t *ns)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st, run;
	long long cut, cst;
	int fd, ppid_i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
	    &ppid_i, &ut, &st, &cut, &cst) != 5)
		return -1;
	*ppid = ppid_i;
	if (watched(pid) || !watched(ppid_i)) {
		*ns = (ut + st + (uint64_t)cut + (uint64_t)cst) * (NS / (uint64_t)clk_tck);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &run) != 1)
		return -1;
	*ns = run + (uint64_t)(cut + cst) * (NS / (uint64_t)clk_tck);
	return 0;
}

static void
read_rollup(pid_t pid, uint64_t *pss, uint64_t *rss)
{
	char path[64], buf[4096], *p;
	unsigned long long v;
	int fd;
	ssize_t n;

	*pss = *rss = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nRss:")) != NULL && sscanf(p + 5, "%llu", &v) == 1)
		*rss = v;
	if ((p = strstr(buf, "\nPss:")) != NULL && sscanf(p + 5, "%llu", &v) == 1)
		*pss = v;
}

/* What the kernel holds for a process: page tables and thread stacks. */
static uint64_t
read_kernel_kib(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long pte = 0, threads = 1;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nVmPTE:")) != NULL)
		sscanf(p + 7, "%llu", &pte);
	if ((p = strstr(buf, "\nThreads:")) != NULL)
		sscanf(p + 9, "%llu", &threads);
	return pte + threads * KERNEL_STACK_KIB;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sum CPU (and, with memory, PSS/RSS) over the watched PIDs and their
 * live children.  median_child gets the median PSS of one child.
 */
static void
proc_sample(struct procfigs *f, int memory, uint64_t *median_child)
{
	uint64_t ns, pss, rss, *kids = NULL;
	size_t nkids = 0, capkids = 0;
	struct dirent *de;
	pid_t pid, ppid;
	DIR *d;

	memset(f, 0, sizeof(*f));
	if (median_child != NULL)
		*median_child = 0;
	if (opt.nwatch == 0)
		return;
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (read_cpu(pid, &ppid, &ns) == -1)
			continue;
		if (!watched(pid) && !watched(ppid))
			continue;
		f->cpu_ns += ns;
		f->cpu_by[(watched(pid) ? watched(pid) : watched(ppid)) - 1] += ns;
		if (!watched(pid))
			f->children++;
		if (!memory)
			continue;
		read_rollup(pid, &pss, &rss);
		f->pss_kib += pss;
		f->rss_kib += rss;
		f->kernel_kib += read_kernel_kib(pid);
		if (!watched(pid) && median_child != NULL) {
			if (nkids == capkids) {
				capkids = capkids ? capkids * 2 : 1024;
				if ((kids = realloc(kids, capkids * sizeof(*kids))) == NULL)
					err(111, "realloc");
			}
			kids[nkids++] = pss;
		}
	}
	closedir(d);
	if (nkids > 0) {
		qsort(kids, nkids, sizeof(*kids), cmp_u64);
		*median_child = kids[nkids / 2];
	}
	free(kids);
}

/* Busy jiffies of the whole machine (all but idle and iowait). */
static uint64_t
machine_busy_ticks(void)
{
	unsigned long long v[10] = { 0 };
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
	return sum;
}

static uint64_t
meminfo_kib(const char *key)
{
	char line[256];
	unsigned long long v = 0;
	size_t klen = strlen(key);
	FILE *fp;

	if ((fp = fopen("/proc/meminfo", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			sscanf(line + klen + 1, "%llu", &v);
			break;
		}
	fclose(fp);
	return v;
}

static uint64_t
self_rss_kib(void)
{
	char line[256];
	unsigned long long v = 0;
	FILE *fp;

	if ((fp = fopen("/proc/self/status", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			sscanf(line + 6, "%llu", &v);
			break;
		}
	fclose(fp);
	return v;
}

static double
self_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/*
 * CPU that neither the server nor chat-load used, in percent of the
 * machine, between noise_begin and noise_end: other work on a shared
 * machine that the figures beside it had to compete with.
 */
static struct {
	uint64_t	 mach, server_ns, t;
	uint64_t	 by[MAX_WATCH];
	double		 self_ms;
} noise0;

/*
 * What noise_end saw, for report_step: " cpu_ms=PID:MS,..." (each
 * watched PID with its live children), chat-load's own and the wall
 * time, all in ms.
 */
static char cpu_note[64 + MAX_WATCH * 32];

static void
noise_begin(void)
{
	struct procfigs f;

	proc_sample(&f, 0, NULL);
	memcpy(noise0.by, f.cpu_by, sizeof(noise0.by));
	noise0.server_ns = f.cpu_ns;
	noise0.mach = machine_busy_ticks();
	noise0.self_ms = self_cpu_ms();
	noise0.t = now_ns();
}

static double
noise_end(void)
{
	struct procfigs f;
	double mach_ms, wall_ms, other;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	proc_sample(&f, 0, NULL);
	mach_ms = (double)(machine_busy_ticks() - noise0.mach) * 1000.0 / (double)clk_tck;
	wall_ms = (double)(now_ns() - noise0.t) / 1e6;
	{
		size_t at = 0;

		cpu_note[0] = '\0';
		for (int i = 0; i < opt.nwatch && at < sizeof(cpu_note); i++)
			at += (size_t)snprintf(cpu_note + at, sizeof(cpu_note) - at,
			    "%s%d:%.0f", i == 0 ? " cpu_ms=" : ",", (int)opt.watch[i],
			    f.cpu_by[i] >= noise0.by[i] ?
			    (double)(f.cpu_by[i] - noise0.by[i]) / 1e6 : 0.0);
		if (at < sizeof(cpu_note))
			snprintf(cpu_note + at, sizeof(cpu_note) - at,
			    " loadgen_cpu_ms=%.0f wall_ms=%.0f",
			    self_cpu_ms() - noise0.self_ms, wall_ms);
	}
	other = mach_ms - (double)(f.cpu_ns - noise0.server_ns) / 1e6 -
	    (self_cpu_ms() - noise0.self_ms);
	if (wall_ms <= 0 || ncpu <= 0 || opt.nwatch == 0)
		return 0;
	return other < 0 ? 0 : 100.0 * other / (wall_ms * (double)ncpu);
}

/* ---- connections ---- */

static void
set_events(struct client *c, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
	    .data.u32 = c->id };

	if (c->want_out == out)
		return;
	c->want_out = (uint8_t)out;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		err(111, "epoll_ctl mod");
}

static void
flush_out(struct client *c)
{
	ssize_t n;

	while (c->out_len > 0) {
		n = write(c->fd, c->out, c->out_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			return;	/* the read side will see the error */
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (uint32_t)n;
	}
	set_events(c, c->out_len > 0);
}

static void
send_bytes(struct client *c, const char *s, size_t len)
{
	ssize_t n = 0;

	if (c->fd == -1)
		return;
	if (c->out_len == 0) {
		n = write(c->fd, s, len);
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return;
		if (n < 0)
			n = 0;
		if ((size_t)n == len)
			return;
	}
	s += n;
	len -= (size_t)n;
	if (c->out_len + len > c->out_cap) {
		c->out_cap = (uint32_t)(c->out_len + len) * 2;
		if ((c->out = realloc(c->out, c->out_cap)) == NULL)
			err(111, "realloc");
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += (uint32_t)len;
	set_events(c, 1);
}

static void
send_line(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
send_line(struct client *c, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		send_bytes(c, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/*
 * One WebSocket frame from a client: FIN, the opcode, a 7- or 16-bit
 * length with the mask bit, the masking key, the masked payload.  The
 * key changes from frame to frame; the server only unmasks with it.
 */
static void
ws_send(struct client *c, int opcode, const char *payload, size_t len)
{
	static uint32_t key = 0x9e3779b9;
	unsigned char frame[8 + 2048], *mask;
	size_t h = 0;

	if (len > sizeof(frame) - 8)
		return;
	frame[h++] = (unsigned char)(0x80 | opcode);
	if (len < 126)
		frame[h++] = (unsigned char)(0x80 | len);
	else {
		frame[h++] = 0x80 | 126;
		frame[h++] = (unsigned char)(len >> 8);
		frame[h++] = (unsigned char)len;
	}
	key = key * 1664525 + 1013904223;
	mask = frame + h;
	memcpy(mask, &key, 4);
	h += 4;
	for (size_t i = 0; i < len; i++)
		frame[h + i] = (unsigned char)payload[i] ^ mask[i % 4];
	send_bytes(c, (const char *)frame, h + len);
}

/* A text frame (one JSON message for chat-web). */
static void
send_frame(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
send_frame(struct client *c, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		ws_send(c, WS_TEXT, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static void
leave_flight(struct client *c)
{
	if (c->counted) {
		c->counted = 0;
		inflight--;
	}
}

static void
close_client(struct client *c, enum cstate why)
{
	if (c->fd == -1)
		return;
	close(c->fd);	/* also leaves the epoll set */
	c->fd = -1;
	leave_flight(c);
	if (c->state == CS_READY)
		ready--;
	if (why == CS_DONE) {
		done++;
		t_last_done = now_ns();
	} else if (c->state == CS_READY)
		dropped++;
	else if (c->state != CS_QUITTING)
		failed++;
	c->state = (uint8_t)why;
	free(c->carry);
	c->carry = NULL;
	c->carry_len = 0;
}

/* Ask for the kernel's receive time with every read (rx_time). */
static void
want_rx_stamps(int fd)
{
	int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) == -1)
		err(111, "SO_TIMESTAMPING (use -R to time arrivals at the read)");
}

/*
 * When the bytes of a read arrived, on the CLOCK_MONOTONIC scale: the
 * kernel stamps them in CLOCK_REALTIME, so the two clocks' difference is
 * taken now (any slew since the bytes arrived is a few ns).  With TCP it
 * is the time of the newest segment the read took; lines that came
 * earlier in the same read count as late as it.  Without a stamp: now.
 */
static uint64_t
rx_time(const struct msghdr *msg, uint64_t now, uint64_t *real_stamp)
{
	const struct scm_timestamping *tss = NULL;
	struct timespec real;
	struct cmsghdr *cm;
	uint64_t stamp, real_now;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR((struct msghdr *)msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPING &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(*tss)))
			tss = (const struct scm_timestamping *)(void *)CMSG_DATA(cm);
	clock_gettime(CLOCK_REALTIME, &real);
	real_now = (uint64_t)real.tv_sec * NS + (uint64_t)real.tv_nsec;
	*real_stamp = real_now;
	if (tss == NULL || (tss->ts[0].tv_sec == 0 && tss->ts[0].tv_nsec == 0))
		return now;
	stamp = (uint64_t)tss->ts[0].tv_sec * NS + (uint64_t)tss->ts[0].tv_nsec;
	if (stamp < real_now)
		*real_stamp = stamp;
	if (stamp >= real_now)
		return now;
	return real_now - stamp > now ? now : now - (real_now - stamp);
}

static void
start_client(struct client *c)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = c->id };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		err(111, "socket (raise ulimit -n?)");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!opt.read_time)
		want_rx_stamps(fd);
	c->fd = fd;
	c->t_start = now_ns();
	c->state = CS_CONNECTING;
	c->want_out = 1;
	c->counted = 1;
	inflight++;
	started++;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(111, "epoll_ctl add");
	if (connect(fd, (struct sockaddr *)&opt.addrs[c->id % opt.naddrs],
	    sizeof(opt.addrs[0])) == -1 &&
	    errno != EINPROGRESS) {
		warn("connect");
		close_client(c, CS_FAILED);
	}
}

static void
logged_in(struct client *c)
{
	c->state = CS_READY;
	c->t_login = t_last_login = now_ns();
	ready++;
	if (c->t_prompt != 0) {
		hist_add(&h_prompt, c->t_prompt - c->t_start);
		hist_add(&h_welcome, c->t_login - c->t_prompt);
	}
	if (opt.quit_after_login) {
		c->state = CS_QUITTING;
		ready--;
		if (opt.proto == PROTO_CHAT)
			send_line(c, "/quit\n");
		else if (opt.proto == PROTO_WS)
			send_frame(c, "{\"type\":\"quit\"}");
		else
			send_line(c, "QUIT :bench\r\n");
		return;
	}
	leave_flight(c);
}

static void
connected(struct client *c)
{
	int e = 0;
	socklen_t len = sizeof(e);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
	if (e != 0) {
		if (errors_shown++ < 5)
			warnx("client %u: connect: %s", c->id, strerror(e));
		close_client(c, CS_FAILED);
		return;
	}
	if (opt.proto == PROTO_CHAT)
		c->state = CS_PROMPT;
	else if (opt.proto == PROTO_WS) {
		c->state = CS_UPGRADE;
		send_line(c, "GET /ws?user_id=%s%u HTTP/1.1\r\nHost: %s\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Key: " WS_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n",
		    opt.prefix, c->id, opt.host);
	} else {
		c->t_prompt = now_ns();
		c->state = CS_NAMING;
		send_line(c, "NICK %s%u\r\nUSER b%u 0 * :bench\r\n", opt.prefix,
		    c->id, c->id);
	}
	if (c->out_len == 0)
		set_events(c, 0);
}

/* ---- messages ---- */

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

static void
got_message(struct client *c, const char *text, const char *end, uint64_t now)
{
	const char *p = text + sizeof(MARK) - 1;
	uint64_t stepid, k, sent, from, lat;
	struct step *st = cur;

	stepid = parse_u64(&p, end);
	k = parse_u64(&p, end);
	sent = parse_u64(&p, end);
	if (st == NULL || stepid != st->id || k >= st->total) {
		late_msgs++;
		return;
	}
	if (c->seen[k / 64] & (1ULL << (k % 64))) {
		st->dups++;
		return;
	}
	c->seen[k / 64] |= 1ULL << (k % 64);
	st->received++;
	st->t_last_recv = now;
	if (opt.burst)	/* both CLOCK_REALTIME: the send's in the text, the read's */
		lat = rx_real > sent ? rx_real - sent : 0;
	else
		lat = now > sent ? now - sent : 0;
	hist_add(&st->lat, lat);
	if (st->worst != NULL) {
		if (lat > st->worst[k])
			st->worst[k] = lat;
		hist_add(&st->by_tenth[(uint64_t)c->id * 10 / opt.n], lat);
	}
	from = opt.mode == MODE_SERIAL ? 0 : k % nsenders;
	if (opt.naddrs > 1 && opt.mode == MODE_RELAY)
		hist_add(sender_ids[from] % opt.naddrs == c->id % opt.naddrs ?
		    &st->lat_local : &st->lat_remote, lat);
	if (opt.mode != MODE_SERIAL) {
		if (k + 1 < c->last[from])
			st->reorders++;
		else
			c->last[from] = (uint32_t)(k + 1);
	} else {
		st->arrivals[k]++;
		if (now > st->t_all[k])
			st->t_all[k] = now;
	}
}

static void
server_error(struct client *c, const char *line, size_t len)
{
	server_errors++;
	if (errors_shown++ < 5)
		warnx("client %u: server said: %.*s", c->id, (int)(len > 200 ? 200 : len), line);
}

/* A line while a query is in flight: part of its answer, or not. */
static void
query_line(struct client *c, const char *line, size_t len, uint64_t now)
{
	size_t elen = strlen(opt.query_end);

	if (query.t_sent == 0 || query.done != 0)
		return;
	if (len >= 2 && line[0] == '~' && line[1] == ' ')
		query.lines++;
	else if (len >= elen && memcmp(line, opt.query_end, elen) == 0) {
		query.done = 1;
		query.t_done = now;
	} else if (line[0] == '!') {
		server_error(c, line, len);
		query.done = -1;
	}
}

/* death mode: the kill, and each surviving node's first and last notice. */
static struct {
	uint64_t	 t_kill;	/* 0: not yet */
	uint64_t	 other;		/* leaves of the dead node's users, other reasons */
	uint64_t	 first[MAX_ADDRS], last[MAX_ADDRS];
} death;

/*
 * "* NAME left (REASON)" on a surviving node: the leave of a user of the
 * dead node, timed from the kill, once per observer and user.
 */
static void
death_line(struct client *c, const char *line, size_t len, uint64_t now)
{
	static const char left[] = " left (", lost[] = "node lost)";
	const char *p = line + 2, *end = line + len, *q;
	size_t plen = strlen(opt.prefix);
	uint64_t j, t;
	uint32_t node = c->id % opt.naddrs;

	if (cur == NULL || death.t_kill == 0 || (size_t)(end - p) <= plen ||
	    memcmp(p, opt.prefix, plen) != 0)
		return;
	p += plen;
	q = p;
	j = parse_u64(&q, end);
	if (q == p || j >= opt.n || j % opt.naddrs != opt.dead_node)
		return;
	/* parse_u64 took the space after the number */
	if ((size_t)(end - q) < sizeof(left) - 2 || memcmp(q - 1, left, sizeof(left) - 1) != 0)
		return;
	q += sizeof(left) - 2;
	if ((size_t)(end - q) != sizeof(lost) - 1 || memcmp(q, lost, sizeof(lost) - 1) != 0) {
		death.other++;
		return;
	}
	if (c->seen[j / 64] & (1ULL << (j % 64))) {
		cur->dups++;
		return;
	}
	c->seen[j / 64] |= 1ULL << (j % 64);
	t = now > death.t_kill ? now - death.t_kill : 0;
	cur->received++;
	cur->t_last_recv = now;
	hist_add(&cur->lat, t);
	if (death.first[node] == 0 || t < death.first[node])
		death.first[node] = t;
	if (t > death.last[node])
		death.last[node] = t;
}

static void
chat_line(struct client *c, const char *line, size_t len, uint64_t now)
{
	const char *p, *end = line + len;

	switch (c->state) {
	case CS_PROMPT:
		if (len >= 2 && line[0] == '?') {
			c->t_prompt = now;
			send_line(c, "%s%u\n", opt.prefix, c->id);
			c->state = CS_NAMING;
		} else if (len >= 2 && line[0] == '!')
			server_error(c, line, len);
		return;
	case CS_NAMING:
		if (len >= 9 && memcmp(line, "* welcome", 9) == 0)
			logged_in(c);
		else if (len >= 2 && line[0] == '!') {
			server_error(c, line, len);
			close_client(c, CS_FAILED);
		} else if (len >= 2 && line[0] == '?')	/* asked again */
			close_client(c, CS_FAILED);
		return;
	case CS_READY:
		if (opt.mode == MODE_QUERY)
			query_line(c, line, len, now);
		else if (opt.mode == MODE_DEATH && len > 2 && line[0] == '*')
			death_line(c, line, len, now);
		else if (line[0] == '<') {
			if ((p = memchr(line, '>', len)) == NULL || end - p < 2 + 3)
				return;
			p += 2;
			if (memcmp(p, MARK, sizeof(MARK) - 1) == 0)
				got_message(c, p, end, now);
		} else if (line[0] == '!')
			server_error(c, line, len);
		return;
	default:
		return;
	}
}

/* A numeric that refuses something (not 422 "no MOTD" and the like). */
static int
irc_refusal(const char *cmd)
{
	if (cmd[0] != '4' && cmd[0] != '5')
		return 0;
	return memcmp(cmd, "422", 3) != 0;
}

/*
 * "366 NICK CHANNEL :End of /NAMES list" ends the JOIN of -g: the 366 of
 * another channel does not.  A server that has joined its clients to a
 * channel at registration (chat-irc's #lobby) sends that channel's 366
 * right after 001 and takes the JOIN of it as a no-op: with -g #lobby,
 * that 366 ends the login.
 */
static int
names_end_of(const char *cmd, const char *end)
{
	const char *chan, *sp;
	size_t len = strlen(opt.channel);

	if (end - cmd < 5 ||
	    (chan = memchr(cmd + 4, ' ', (size_t)(end - cmd - 4))) == NULL)
		return 0;
	chan++;
	if ((sp = memchr(chan, ' ', (size_t)(end - chan))) == NULL)
		sp = end;
	return (size_t)(sp - chan) == len && strncasecmp(chan, opt.channel, len) == 0;
}

static void
irc_line(struct client *c, const char *line, size_t len, uint64_t now)
{
	const char *p, *end = line + len, *cmd;

	if (len >= 5 && memcmp(line, "PING ", 5) == 0) {
		send_line(c, "PONG %.*s\r\n", (int)(len - 5), line + 5);
		return;
	}
	if (len >= 6 && memcmp(line, "ERROR ", 6) == 0) {
		if (c->state != CS_QUITTING)
			server_error(c, line, len);
		return;
	}
	if (line[0] != ':' || (cmd = memchr(line, ' ', len)) == NULL)
		return;
	cmd++;
	if (c->state == CS_READY) {
		if (end - cmd > 8 && memcmp(cmd, "PRIVMSG ", 8) == 0) {
			if ((p = memmem(cmd + 8, (size_t)(end - cmd - 8), " :", 2)) == NULL)
				return;
			p += 2;
			if (end - p > 3 && memcmp(p, MARK, sizeof(MARK) - 1) == 0)
				got_message(c, p, end, now);
		} else if (end - cmd > 4 && cmd[3] == ' ' && irc_refusal(cmd))
			server_error(c, line, len);
		return;
	}
	if (end - cmd < 4 || cmd[3] != ' ')
		return;
	if (c->state == CS_NAMING && memcmp(cmd, "001", 3) == 0) {
		if (opt.mode == MODE_LOGIN)
			logged_in(c);
		else {
			c->state = CS_JOINING;
			send_line(c, "JOIN %s\r\n", opt.channel);
		}
	} else if (c->state == CS_JOINING && memcmp(cmd, "366", 3) == 0 &&
	    names_end_of(cmd, end))
		logged_in(c);
	else if (irc_refusal(cmd) && c->state != CS_QUITTING) {
		server_error(c, line, len);
		if (c->state == CS_NAMING || c->state == CS_JOINING)
			close_client(c, CS_FAILED);
	}
}

/* Whole lines in p..end (chat, IRC); returns where the partial one starts. */
static char *
lines_input(struct client *c, char *p, char *end, uint64_t now)
{
	char *nl;

	for (; p < end && c->fd != -1; p = nl + 1) {
		size_t len;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (opt.proto == PROTO_CHAT)
			chat_line(c, p, len, now);
		else
			irc_line(c, p, len, now);
	}
	return p;
}

/* ---- WebSocket (chat-web) ---- */

/* The JSON of a text frame has "type":"type". */
static int
ws_is(const char *json, size_t len, const char *type)
{
	char want[64];
	int n = snprintf(want, sizeof(want), "\"type\":\"%s\"", type);

	return memmem(json, len, want, (size_t)n) != NULL;
}

/*
 * One event from the server (a text frame's JSON).  Before the welcome
 * an error or a password request fails the login (the names are guests);
 * then only messages carrying the mark count, found in their "text".
 * Replies ("ok"), joins and leaves are not counted.
 */
static void
ws_event(struct client *c, const char *json, size_t len, uint64_t now)
{
	static const char key[] = "\"text\":\"" MARK;
	const char *p;

	switch (c->state) {
	case CS_NAMING:
		if (ws_is(json, len, "welcome"))
			logged_in(c);
		else if (ws_is(json, len, "error") || ws_is(json, len, "password")) {
			server_error(c, json, len);
			close_client(c, CS_FAILED);
		}
		return;
	case CS_READY:
		if ((p = memmem(json, len, key, sizeof(key) - 1)) != NULL)
			got_message(c, p + sizeof("\"text\":\"") - 1, json + len, now);
		else if (ws_is(json, len, "error"))
			server_error(c, json, len);
		return;
	default:
		return;
	}
}

/* A whole frame's payload, by its opcode. */
static void
ws_frame_in(struct client *c, int opcode, const char *payload, size_t len,
    uint64_t now)
{
	switch (opcode) {
	case 0:		/* a continuation: searched on its own */
	case WS_TEXT:
		ws_event(c, payload, len, now);
		break;
	case WS_PING:
		ws_send(c, WS_PONG, payload, len);
		break;
	case WS_CLOSE:
		/* Not asked for: the status code and reason say why. */
		if (c->state != CS_QUITTING)
			server_error(c, len > 2 ? payload + 2 : "close", len > 2 ? len - 2 : 5);
		ws_send(c, WS_CLOSE, payload, len < 2 ? len : 2);
		break;
	default:	/* binary, pong */
		break;
	}
}

/*
 * One server frame at p, unmasked, with a 7-, 16- or 64-bit length: the
 * bytes it takes once whole (and handled), 0 while more are needed.  A
 * frame too large to carry is dropped as it comes (c->skip); nothing the
 * benchmark counts is near that size.
 */
static size_t
ws_frame(struct client *c, const unsigned char *p, size_t avail, uint64_t now)
{
	size_t h = 2;
	uint64_t len;

	if (avail < 2)
		return 0;
	len = p[1] & 0x7f;
	if (len == 126) {
		if (avail < (h = 4))
			return 0;
		len = (uint64_t)p[2] << 8 | p[3];
	} else if (len == 127) {
		if (avail < (h = 10))
			return 0;
		len = 0;
		for (int i = 2; i < 10; i++)
			len = len << 8 | p[i];
	}
	if (p[1] & 0x80) {
		server_error(c, "a masked frame from the server", 30);
		close_client(c, CS_FAILED);
		return avail;
	}
	if (len > WS_FRAME_MAX) {
		if (avail - h >= len)
			return h + (size_t)len;
		c->skip = len - (avail - h);
		return avail;
	}
	if (avail - h < len)
		return 0;
	ws_frame_in(c, p[0] & 0x0f, (const char *)p + h, (size_t)len, now);
	return h + (size_t)len;
}

/*
 * The answer to the upgrade: a 101 and its head, then frames.  Returns
 * NULL until the head is whole, else where the frames start.
 */
static char *
ws_head(struct client *c, char *p, char *end, uint64_t now)
{
	char *eoh = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
	char *eol;

	if (eoh == NULL)
		return NULL;
	if (eoh - p < 12 || memcmp(p + 8, " 101", 4) != 0) {
		eol = memchr(p, '\r', (size_t)(eoh - p + 1));
		server_error(c, p, (size_t)(eol - p));
		close_client(c, CS_FAILED);
		return end;
	}
	c->t_prompt = now;
	c->state = CS_NAMING;
	return eoh + 4;
}

/* Bytes from chat-web; returns where the partial frame (or head) starts. */
static char *
ws_input(struct client *c, char *p, char *end, uint64_t now)
{
	size_t n;

	if (c->skip > 0) {
		n = c->skip < (uint64_t)(end - p) ? (size_t)c->skip : (size_t)(end - p);
		p += n;
		c->skip -= n;
	}
	if (c->state == CS_UPGRADE) {
		char *frames = ws_head(c, p, end, now);

		if (frames == NULL)
			return p;
		p = frames;
	}
	while (p < end && c->fd != -1 && c->skip == 0 &&
	    (n = ws_frame(c, (const unsigned char *)p, (size_t)(end - p), now)) > 0)
		p += n;
	return p;
}

static void
client_read(struct client *c)
{
	char *buf = rx, *p, *end;
	union {
		char		buf[CMSG_SPACE(sizeof(struct scm_timestamping))];
		struct cmsghdr	align;
	} control;
	struct iovec iov;
	struct msghdr msg;
	uint64_t now;
	size_t have;
	ssize_t n;

	for (;;) {
		have = c->carry_len;
		if (have > 0)
			memcpy(buf, c->carry, have);
		iov.iov_base = buf + have;
		iov.iov_len = RX_BUF - have;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(c->fd, &msg, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_client(c, c->state == CS_QUITTING ? CS_DONE : CS_FAILED);
			return;
		}
		now = last_rx_ns = now_ns();
		if (!opt.read_time)
			now = rx_time(&msg, now, &rx_real);
		else if (opt.burst)
			rx_real = real_ns();
		bytes_rx += (uint64_t)n;
		end = buf + have + n;
		if (opt.proto == PROTO_WS)
			p = ws_input(c, buf, end, now);
		else
			p = lines_input(c, buf, end, now);
		if (c->fd == -1)
			return;
		have = (size_t)(end - p);
		if (have > CARRY_MAX)
			have = 0;	/* an overlong line (or head): drop it */
		if (have > 0 && c->carry == NULL &&
		    (c->carry = malloc(CARRY_MAX)) == NULL)
			err(111, "malloc");
		if (have > 0)
			memmove(c->carry, p, have);
		c->carry_len = (uint32_t)have;
		if ((size_t)n < RX_BUF - c->carry_len - 1)
			return;
	}
}

static void
client_event(struct client *c, uint32_t events)
{
	if (c->fd == -1)
		return;
	if (c->state == CS_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		connected(c);
		if (c->fd == -1)
			return;
	}
	if (events & EPOLLOUT)
		flush_out(c);
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

/* Wait for at most max events for at most timeout_ms and handle them. */
static void
poll_up_to(int timeout_ms, int max)
{
	static struct epoll_event *ev;
	static int room;
	int n;

	if (room < max) {
		if ((ev = reallocarray(ev, (size_t)max, sizeof(*ev))) == NULL)
			err(111, "reallocarray");
		room = max;
	}
	n = epoll_wait(epfd, ev, max, timeout_ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		err(111, "epoll_wait");
	}
	for (int i = 0; i < n; i++)
		client_event(&clients[ev[i].data.u32], ev[i].events);
}

static void
poll_once(int timeout_ms)
{
	poll_up_to(timeout_ms, 512);
}

/*
 * -B: one pass's wait, for at most timeout_ms, then every connection
 * with events is handled (up to all of them) before the loop sends again.
 */
static void
poll_all(int timeout_ms)
{
	poll_up_to(timeout_ms, (int)opt.n + 1);
}

/* Handle events until nothing has arrived for quiet_ms (or max_ms). */
static void
settle(int quiet_ms, int max_ms)
{
	uint64_t start = now_ns();

	last_rx_ns = start;
	while (now_ns() - last_rx_ns < (uint64_t)quiet_ms * MS &&
	    now_ns() - start < (uint64_t)max_ms * MS)
		poll_once(quiet_ms / 4 + 1);
}

/* Expire logins that hang. */
static void
reap_stuck(uint64_t now)
{
	static uint64_t last;

	if (now - last < NS)
		return;
	last = now;
	for (uint32_t i = 0; i < opt.n; i++) {
		struct client *c = &clients[i];

		if (c->fd != -1 && c->state != CS_READY && c->state != CS_NEW &&
		    now - c->t_start > LOGIN_TIMEOUT_NS) {
			if (errors_shown++ < 5)
				warnx("client %u: no login after %llu s", c->id,
				    (unsigned long long)(LOGIN_TIMEOUT_NS / NS));
			close_client(c, CS_FAILED);
		}
	}
}

/*
 * Log clients in up to index `upto`, with at most inflight_max between
 * connect() and welcome (with -q: between connect() and EOF).
 */
static void
connect_until(uint32_t upto, uint64_t deadline)
{
	static uint32_t next;

	while (now_ns() < deadline) {
		while (inflight < opt.inflight_max && next < upto)
			start_client(&clients[next++]);
		if (next >= upto && inflight == 0)
			break;
		poll_once(20);
		reap_stuck(now_ns());
	}
}

/* ---- modes ---- */

static void
mode_login(void)
{
	struct procfigs p0, p1;
	uint64_t t0, mach0, mach1, tend;
	double self0, self1, secs, server_ms, mach_ms, noise;
	long hz = clk_tck;
	uint32_t ok;

	proc_sample(&p0, 0, NULL);
	mach0 = machine_busy_ticks();
	self0 = self_cpu_ms();
	t0 = now_ns();
	noise_begin();
	connect_until(opt.n, t0 + (uint64_t)(opt.connect_secs * 1e9));
	ok = opt.quit_after_login ? done : ready;
	tend = opt.quit_after_login ? t_last_done : t_last_login;
	/* Let the server finish what the logins started (join notices). */
	settle(300, 10000);
	noise = noise_end();
	proc_sample(&p1, 0, NULL);
	mach1 = machine_busy_ticks();
	self1 = self_cpu_ms();
	secs = ok > 0 && tend > t0 ? (double)(tend - t0) / 1e9 : 0;
	server_ms = (double)(p1.cpu_ns - p0.cpu_ns) / 1e6;
	mach_ms = (double)(mach1 - mach0) * 1000.0 / (double)hz - (self1 - self0);
	printf("RESULT label=%s mode=login proto=%s n=%u inflight=%u quit=%d ok=%u failed=%u "
	    "secs=%.3f per_s=%.1f server_cpu_ms_per_login=%.2f machine_cpu_ms_per_login=%.2f "
	    "loadgen_cpu_ms=%.0f server_errors=%" PRIu64 " others_cpu_pct=%.0f "
	    "prompt_p50_ms=%.3f prompt_p99_ms=%.3f welcome_p50_ms=%.3f welcome_p99_ms=%.3f\n",
	    opt.label, proto_name(), opt.n, opt.inflight_max,
	    opt.quit_after_login, ok, failed + dropped, secs, secs > 0 ? ok / secs : 0,
	    ok > 0 && opt.nwatch > 0 ? server_ms / ok : 0, ok > 0 ? mach_ms / ok : 0,
	    self1 - self0, server_errors, noise, hist_ms(&h_prompt, 0.5),
	    hist_ms(&h_prompt, 0.99), hist_ms(&h_welcome, 0.5), hist_ms(&h_welcome, 0.99));
}

/*
 * Wait until MemAvailable holds still: memory a server stopped just before
 * this run gave back can take a minute to show up as free (on a VM with
 * free page reporting, the guest lends free blocks to the host for a
 * while), and that would be counted against this run's sessions.  Still
 * means less than 2 MiB of change over 3 s.  Returns the seconds waited;
 * gives up after max_secs.
 */
static double
wait_memory_steady(int max_secs)
{
	uint64_t start = now_ns(), seen[3], avail;
	unsigned int n = 0;

	while (now_ns() - start < (uint64_t)max_secs * NS) {
		poll_once(1000);
		avail = meminfo_kib("MemAvailable");
		if (n >= 3) {
			uint64_t then = seen[n % 3];

			if ((avail > then ? avail - then : then - avail) < 2048)
				break;
		}
		seen[n++ % 3] = avail;
	}
	return (double)(now_ns() - start) / 1e9;
}

static void
mode_idle(void)
{
	struct procfigs p0, p1;
	uint64_t avail0, avail1, self0, self1, median, t0;
	double mem, steady_secs;

	settle(200, 2000);
	steady_secs = wait_memory_steady(120);
	proc_sample(&p0, 1, NULL);
	avail0 = meminfo_kib("MemAvailable");
	self0 = self_rss_kib();
	t0 = now_ns();
	for (int i = 0; i < opt.ncheckpoints; i++) {
		uint32_t k = opt.checkpoints[i];

		connect_until(k, t0 + (uint64_t)(opt.connect_secs * 1e9));
		settle(1000, 30000);
		proc_sample(&p1, 1, &median);
		avail1 = meminfo_kib("MemAvailable");
		self1 = self_rss_kib();
		mem = (double)avail0 - (double)avail1 - ((double)self1 - (double)self0);
		printf("RESULT label=%s mode=idle proto=%s n=%u ready=%u failed=%u secs=%.1f "
		    "children=%u pss_kib_per_session=%.1f rss_kib_per_session=%.1f "
		    "mem_kib_per_session=%.1f kernel_kib_per_session=%.1f "
		    "child_pss_median_kib=%" PRIu64 " "
		    "server_pss_kib=%" PRIu64 " server_rss_kib=%" PRIu64
		    " steady_wait_secs=%.1f\n",
		    opt.label, proto_name(), k, ready,
		    failed + dropped, (double)(now_ns() - t0) / 1e9, p1.children,
		    ready ? ((double)p1.pss_kib - (double)p0.pss_kib) / ready : 0,
		    ready ? ((double)p1.rss_kib - (double)p0.rss_kib) / ready : 0,
		    ready ? mem / ready : 0,
		    ready ? ((double)p1.kernel_kib - (double)p0.kernel_kib) / ready : 0,
		    median, p1.pss_kib, p1.rss_kib, steady_secs);
		fflush(stdout);
		if (ready < k)
			break;	/* the deadline or the server stopped us */
	}
	if (opt.hold_secs > 0) {
		uint64_t until = now_ns() + (uint64_t)(opt.hold_secs * 1e9);

		while (now_ns() < until)
			poll_once(100);
	}
}

/*
 * The clients that send: spread over the ready ones, and over the nodes
 * (-a A,B,...): sender s is on node s % naddrs.
 */
static void
pick_senders(uint32_t want)
{
	uint32_t *r[MAX_ADDRS], nr[MAX_ADDRS] = { 0 }, ready_all = 0, nodes = opt.naddrs;

	for (uint32_t node = 0; node < nodes; node++) {
		if ((r[node] = malloc((opt.n / nodes + 1) * sizeof(*r[node]))) == NULL)
			err(111, "malloc");
		for (uint32_t i = node; i < opt.n; i += nodes)
			if (clients[i].state == CS_READY)
				r[node][nr[node]++] = i;
		ready_all += nr[node];
	}
	if (want > ready_all)
		want = ready_all;
	free(sender_ids);
	if ((sender_ids = malloc((want ? want : 1) * sizeof(*sender_ids))) == NULL)
		err(111, "malloc");
	nsenders = 0;
	for (uint32_t s = 0; s < want; s++) {
		uint32_t node = s % nodes, share = want / nodes + (node < want % nodes);

		if (nr[node] > 0)
			sender_ids[nsenders++] = r[node][(uint64_t)(s / nodes) * nr[node] / share];
	}
	for (uint32_t node = 0; node < nodes; node++)
		free(r[node]);
}

static void
step_begin(struct step *st, uint32_t id, uint64_t total)
{
	size_t words = (size_t)(total + 63) / 64;

	memset(st, 0, sizeof(*st));
	st->id = id;
	st->total = total;
	for (uint32_t i = 0; i < opt.n; i++) {
		struct client *c = &clients[i];

		if (c->state != CS_READY)
			continue;
		st->members++;
		free(c->seen);
		free(c->last);
		if ((c->seen = calloc(words ? words : 1, 8)) == NULL ||
		    (c->last = calloc(nsenders ? nsenders : 1, sizeof(*c->last))) == NULL)
			err(111, "calloc");
	}
	cur = st;
}

static void
send_message(struct step *st, struct client *c, uint64_t k)
{
	char text[1100];
	uint64_t t = now_ns();
	int n;

	n = snprintf(text, sizeof(text), MARK "%u %" PRIu64 " %" PRIu64 " ", st->id, k,
	    opt.burst ? real_ns() : t);
	while ((uint32_t)n < opt.msg_len && n < (int)sizeof(text) - 1)
		text[n++] = 'x';
	text[n] = '\0';
	if (opt.proto == PROTO_CHAT)
		send_line(c, "%s\n", text);
	else if (opt.proto == PROTO_WS)
		send_frame(c, "{\"type\":\"say\",\"text\":\"%s\"}", text);
	else
		send_line(c, "PRIVMSG %s :%s\r\n", opt.channel, text);
	if (st->sent == 0)
		st->t_first_send = t;
	st->t_last_send = t;
	st->sent++;
}

static int
step_complete(const struct step *st)
{
	return st->received >= st->sent * (uint64_t)(st->members - 1);
}

/*
 * -B: when message k is due: at t0 + k / rate, or with -BB at the due
 * time of its sender's j-th message, t0 + j * S / rate (k = j * S + s).
 */
static uint64_t
burst_due(uint64_t k, double rate, uint64_t t0)
{
	if (opt.burst > 1)	/* each sender on its own, from the same start */
		k -= k % nsenders;
	return t0 + (uint64_t)((double)k * 1e9 / rate);
}

/*
 * -B: the sends of a step as the burst generator makes them.  Each pass
 * sends every message due since t0, then waits for events until the
 * next one is due (rounded up to a ms) and handles all of them.
 */
static void
burst_sends(struct step *st, uint64_t total, double rate, uint64_t t0)
{
	uint64_t now, due, before;

	while (st->sent < total) {
		now = now_ns();
		before = st->sent;
		while (st->sent < total && now >= burst_due(st->sent, rate, t0))
			send_message(st, &clients[sender_ids[st->sent % nsenders]], st->sent);
		if (st->sent > before)
			hist_add(&st->bursts, st->sent - before);
		st->passes++;
		if (st->sent >= total)
			break;
		due = burst_due(st->sent, rate, t0);
		now = now_ns();
		poll_all(due > now ? (int)((due - now + MS - 1) / MS) : 0);
	}
}

/* One relay step at `rate`; fills st. */
static void
relay_step(struct step *st, uint32_t id, double rate)
{
	uint64_t total = (uint64_t)(rate * opt.step_secs + 0.5), t0, due, now, quiet_since;
	uint64_t last_received = 0, hard;

	if (total < 1)
		total = 1;
	step_begin(st, id, total);
	st->rate = rate;
	t0 = now_ns() + 20 * MS;
	if (opt.burst) {
		if ((st->worst = calloc(total, sizeof(*st->worst))) == NULL)
			err(111, "calloc");
		burst_sends(st, total, rate, t0);
	}
	while (st->sent < total) {
		now = now_ns();
		due = t0 + (uint64_t)((double)st->sent * 1e9 / rate);
		if (now >= due) {
			/* Send what is due, but keep reading between bursts. */
			for (int burst = 0; burst < 64 && st->sent < total; burst++) {
				due = t0 + (uint64_t)((double)st->sent * 1e9 / rate);
				if (now < due)
					break;
				send_message(st, &clients[sender_ids[st->sent % nsenders]],
				    st->sent);
			}
			poll_once(0);
			continue;
		}
		poll_once((int)((due - now + MS - 1) / MS));
	}
	/* Drain: until everything arrived, 3 s pass without progress, or
	 * three times the step length plus 10 s. */
	now = now_ns();
	quiet_since = now;
	hard = now + (uint64_t)((opt.step_secs * 3 + 10) * 1e9);
	while (!step_complete(st) && now < hard && now - quiet_since < 3 * NS) {
		if (opt.burst)
			poll_all(50);
		else
			poll_once(50);
		now = now_ns();
		if (st->received != last_received) {
			last_received = st->received;
			quiet_since = now;
		}
	}
	cur = NULL;
}

/*
 * -B: gen=burst, the passes and their bursts, and the latency of each
 * message's last delivery (over the messages anyone received).
 */
static void
report_bursts(const struct step *st)
{
	struct hist last;
	uint64_t msgs = st->bursts.count;

	memset(&last, 0, sizeof(last));
	for (uint64_t k = 0; k < st->sent; k++)
		if (st->worst[k] > 0)
			hist_add(&last, st->worst[k]);
	printf(" gen=burst passes=%" PRIu64 " sending_passes=%" PRIu64
	    " burst_mean=%.2f burst_p99=%.0f burst_max=%" PRIu64
	    " last_p50_ms=%.3f last_p99_ms=%.3f last_max_ms=%.3f",
	    st->passes, msgs, msgs ? (double)st->sent / (double)msgs : 0,
	    hist_ms(&st->bursts, 0.99) * 1e6, st->bursts.max,
	    hist_ms(&last, 0.50), hist_ms(&last, 0.99), (double)last.max / 1e6);
	for (int i = 0; i < 10; i++)
		printf("%s%.1f", i == 0 ? " tenths_p50_ms=" : ",", hist_ms(&st->by_tenth[i], 0.50));
	for (int i = 0; i < 10; i++)
		printf("%s%.1f", i == 0 ? " tenths_p99_ms=" : ",", hist_ms(&st->by_tenth[i], 0.99));
}

static void
report_step(const struct step *st, const char *kind, double noise)
{
	uint64_t expected = st->sent * (uint64_t)(st->members - 1);
	double secs = st->t_last_recv > st->t_first_send ?
	    (double)(st->t_last_recv - st->t_first_send) / 1e9 : 0;
	double send_secs = st->t_last_send > st->t_first_send ?
	    (double)(st->t_last_send - st->t_first_send) / 1e9 : 0;

	printf("RESULT label=%s mode=%s proto=%s members=%u rate=%.0f sent=%" PRIu64
	    " sent_per_s=%.0f expected=%" PRIu64 " received=%" PRIu64
	    " deliveries_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
	    " loss=%" PRIu64 " loss_pct=%.3f dups=%" PRIu64 " reorders=%" PRIu64
	    " dropped=%u server_errors=%" PRIu64 " others_cpu_pct=%.0f",
	    opt.label, kind, proto_name(), st->members,
	    st->rate, st->sent, send_secs > 0 ? (double)(st->sent - 1) / send_secs : 0,
	    expected, st->received, secs > 0 ? (double)st->received / secs : 0,
	    hist_ms(&st->lat, 0.50), hist_ms(&st->lat, 0.99), hist_ms(&st->lat, 0.999),
	    (double)st->lat.max / 1e6,
	    expected > st->received ? expected - st->received : 0,
	    expected ? 100.0 * (double)(expected > st->received ?
	    expected - st->received : 0) / (double)expected : 0,
	    st->dups, st->reorders, dropped, server_errors, noise);
	if (opt.naddrs > 1)
		printf(" nodes=%u senders=%u remote_received=%" PRIu64 " remote_p50_ms=%.3f"
		    " remote_p99_ms=%.3f remote_p999_ms=%.3f remote_max_ms=%.3f"
		    " local_received=%" PRIu64 " local_p50_ms=%.3f local_p99_ms=%.3f",
		    opt.naddrs, nsenders, st->lat_remote.count,
		    hist_ms(&st->lat_remote, 0.50), hist_ms(&st->lat_remote, 0.99),
		    hist_ms(&st->lat_remote, 0.999), (double)st->lat_remote.max / 1e6,
		    st->lat_local.count, hist_ms(&st->lat_local, 0.50),
		    hist_ms(&st->lat_local, 0.99));
	if (opt.burst)
		report_bursts(st);
	printf("%s\n", cpu_note);
	fflush(stdout);
}

static double
step_dps(const struct step *st)
{
	return st->t_last_recv > st->t_first_send ? (double)st->received /
	    ((double)(st->t_last_recv - st->t_first_send) / 1e9) : 0;
}

/* Nothing lost and nobody dropped: a step that counts for the peak. */
static int
step_clean(const struct step *st, uint32_t members0)
{
	return ready >= members0 &&
	    st->received >= st->sent * (uint64_t)(st->members - 1);
}

static void
mode_relay(void)
{
	struct step st;
	double rate = 0, peak = 0, peak_rate = 0;
	uint32_t id = 1, members0;
	const char *why = "max-steps";

	connect_until(opt.n, now_ns() + (uint64_t)(opt.connect_secs * 1e9));
	settle(500, 60000);
	fprintf(stderr, "chat-load: %u of %u logged in\n", ready, opt.n);
	pick_senders(opt.senders);
	members0 = ready;
	if (ready < 2) {
		printf("RESULT label=%s mode=relay proto=%s members=%u error=not-enough-clients\n",
		    opt.label, proto_name(), ready);
		return;
	}
	for (int i = 0; i < opt.nrates; i++) {
		rate = opt.rates[i];
		noise_begin();
		relay_step(&st, id++, rate);
		report_step(&st, "relay", noise_end());
		free(st.worst);
		if (step_clean(&st, members0) && step_dps(&st) > peak) {
			peak = step_dps(&st);
			peak_rate = rate;
		}
		settle(300, 5000);
	}
	if (!opt.saturate)
		return;
	for (int i = 0; i < SAT_MAX_STEPS; i++) {
		double dps, send_rate;

		rate *= SAT_FACTOR;
		noise_begin();
		relay_step(&st, id++, rate);
		report_step(&st, "saturate", noise_end());
		free(st.worst);
		dps = step_dps(&st);
		if (step_clean(&st, members0) && dps > peak) {
			peak = dps;
			peak_rate = rate;
		}
		send_rate = st.t_last_send > st.t_first_send ?
		    (double)(st.sent - 1) / ((double)(st.t_last_send -
		    st.t_first_send) / 1e9) : 0;
		if (hist_ms(&st.lat, 0.99) * 1e6 > (double)SAT_P99_NS) {
			why = "p99>1s";
			break;
		}
		if (ready < members0) {
			why = "dropped";
			break;
		}
		if (st.received < st.sent * (uint64_t)(st.members - 1)) {
			why = "loss";
			break;
		}
		if (send_rate < 0.8 * rate) {
			why = "loadgen";
			break;
		}
		settle(300, 5000);
	}
	printf("RESULT label=%s mode=saturation proto=%s peak_deliveries_per_s=%.0f "
	    "at_rate=%.0f last_rate=%.0f stop=%s\n", opt.label,
	    proto_name(), peak, peak_rate, rate, why);
}

static void
mode_serial(void)
{
	struct step st;
	struct hist all;
	uint64_t deadline, lost = 0;
	uint32_t m = opt.serial_msgs;

	connect_until(opt.n, now_ns() + (uint64_t)(opt.connect_secs * 1e9));
	settle(500, 30000);
	pick_senders(opt.n);
	if (ready < 2) {
		printf("RESULT label=%s mode=serial proto=%s members=%u error=not-enough-clients\n",
		    opt.label, proto_name(), ready);
		return;
	}
	step_begin(&st, 1, m);
	if ((st.arrivals = calloc(m, sizeof(*st.arrivals))) == NULL ||
	    (st.t_sent = calloc(m, sizeof(*st.t_sent))) == NULL ||
	    (st.t_all = calloc(m, sizeof(*st.t_all))) == NULL)
		err(111, "calloc");
	memset(&all, 0, sizeof(all));
	noise_begin();
	for (uint64_t k = 0; k < m; k++) {
		struct client *from = &clients[sender_ids[k % nsenders]];

		if (from->state != CS_READY)
			continue;
		send_message(&st, from, k);
		st.t_sent[k] = st.t_last_send;
		deadline = st.t_sent[k] + 2 * NS;
		while (st.arrivals[k] < st.members - 1 && now_ns() < deadline)
			poll_once(1);
		if (st.arrivals[k] < st.members - 1)
			lost += st.members - 1 - st.arrivals[k];
		else
			hist_add(&all, st.t_all[k] - st.t_sent[k]);
	}
	cur = NULL;
	printf("RESULT label=%s mode=serial proto=%s members=%u msgs=%u "
	    "all_p50_ms=%.3f all_p99_ms=%.3f one_p50_ms=%.3f one_p99_ms=%.3f "
	    "loss=%" PRIu64 " dups=%" PRIu64 " server_errors=%" PRIu64
	    " others_cpu_pct=%.0f\n",
	    opt.label, proto_name(), st.members, m,
	    hist_ms(&all, 0.5), hist_ms(&all, 0.99), hist_ms(&st.lat, 0.5),
	    hist_ms(&st.lat, 0.99), lost, st.dups, server_errors, noise_end());
}

/*
 * One client sends the command M times, the next once the answer's last
 * line is in; an answer refused ("! ...") or not complete within 5 s is
 * counted, not timed.  Three of the latter end the run.
 */
static void
mode_query(void)
{
	struct client *c = NULL;
	struct hist h;
	uint64_t deadline, lines = 0, lines_min = UINT64_MAX, lines_max = 0;
	uint32_t ok = 0, refused = 0, timeouts = 0, m = opt.serial_msgs;

	connect_until(opt.n, now_ns() + (uint64_t)(opt.connect_secs * 1e9));
	settle(300, 10000);
	for (uint32_t i = 0; i < opt.n && c == NULL; i++)
		if (clients[i].state == CS_READY)
			c = &clients[i];
	if (c == NULL) {
		printf("RESULT label=%s mode=query proto=%s error=not-logged-in\n",
		    opt.label, proto_name());
		return;
	}
	memset(&h, 0, sizeof(h));
	noise_begin();
	for (uint32_t k = 0; k < m && timeouts < 3 && c->state == CS_READY; k++) {
		memset(&query, 0, sizeof(query));
		query.t_sent = now_ns();
		send_line(c, "%s\n", opt.query);
		deadline = query.t_sent + 5 * NS;
		while (query.done == 0 && c->state == CS_READY && now_ns() < deadline)
			poll_once(5);
		if (query.done == 1) {
			ok++;
			hist_add(&h, query.t_done > query.t_sent ?
			    query.t_done - query.t_sent : 0);
			lines += query.lines;
			if (query.lines < lines_min)
				lines_min = query.lines;
			if (query.lines > lines_max)
				lines_max = query.lines;
		} else if (query.done == -1)
			refused++;
		else
			timeouts++;
	}
	printf("RESULT label=%s mode=query proto=%s requests=%u ok=%u refused=%u "
	    "timeouts=%u p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
	    "lines_mean=%.1f lines_min=%" PRIu64 " lines_max=%" PRIu64
	    " others_cpu_pct=%.0f\n", opt.label, proto_name(), ok + refused + timeouts,
	    ok, refused, timeouts, hist_ms(&h, 0.5), hist_ms(&h, 0.99),
	    hist_ms(&h, 0.999), (double)h.max / 1e6, ok ? (double)lines / ok : 0,
	    ok ? lines_min : 0, lines_max, noise_end());
}

/*
 * Log in N clients over the nodes (-a), wait a random part of -J
 * seconds, then kill -9 the processes of -K (in that order) and their
 * children (sessions), which are the node of address -D: the time from
 * the kill to each leave notice ("left (node lost)") of its users at
 * each client of the other nodes, until all have come or -H seconds
 * (60) passed.
 */
static void
mode_death(void)
{
	struct step st;
	pid_t kids[4096];
	uint32_t nkids = 0, dead = 0, observers = 0;
	uint64_t expected, deadline, t_killed, delay = 0;
	double wait = opt.hold_secs > 0 ? opt.hold_secs : 60;
	struct dirent *de;
	DIR *d;

	connect_until(opt.n, now_ns() + (uint64_t)(opt.connect_secs * 1e9));
	settle(1000, 60000);
	fprintf(stderr, "chat-load: %u of %u logged in\n", ready, opt.n);
	for (uint32_t i = 0; i < opt.n; i++)
		if (clients[i].state == CS_READY) {
			if (i % opt.naddrs == opt.dead_node)
				dead++;
			else
				observers++;
		}
	if (dead == 0 || observers == 0 || opt.nkill == 0) {
		printf("RESULT label=%s mode=death error=nothing-to-kill members=%u\n",
		    opt.label, ready);
		return;
	}
	/*
	 * A random wait of up to -J seconds (a heartbeat), so that runs
	 * kill at different points between two heartbeats.
	 */
	if (opt.jitter_secs > 0) {
		unsigned seed = (unsigned)(now_ns() ^ (uint64_t)getpid());
		uint64_t until;

		delay = (uint64_t)((double)rand_r(&seed) / ((double)RAND_MAX + 1) *
		    opt.jitter_secs * 1e9);
		until = now_ns() + delay;
		while (now_ns() < until)
			poll_once((int)((until - now_ns()) / MS) + 1);
	}
	/* The children first found, then everything killed at once. */
	if ((d = opendir("/proc")) != NULL) {
		while ((de = readdir(d)) != NULL && nkids < 4096) {
			pid_t pid, ppid;
			uint64_t ns;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			pid = (pid_t)atoi(de->d_name);
			if (read_cpu(pid, &ppid, &ns) == -1)
				continue;
			for (int i = 0; i < opt.nkill; i++)
				if (opt.kill[i] == ppid)
					kids[nkids++] = pid;
		}
		closedir(d);
	}
	step_begin(&st, 1, opt.n);
	expected = (uint64_t)dead * observers;
	memset(&death, 0, sizeof(death));
	death.t_kill = now_ns();
	for (int i = 0; i < opt.nkill; i++)
		kill(opt.kill[i], SIGKILL);
	for (uint32_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	t_killed = now_ns();
	deadline = death.t_kill + (uint64_t)(wait * 1e9);
	while (st.received < expected && now_ns() < deadline)
		poll_once(50);
	cur = NULL;
	printf("RESULT label=%s mode=death proto=%s nodes=%u members=%u dead_users=%u "
	    "observers=%u killed=%u kill_us=%.0f expected=%" PRIu64 " received=%" PRIu64
	    " first_ms=%.1f p50_ms=%.1f p99_ms=%.1f last_ms=%.1f other_leaves=%" PRIu64
	    " dups=%" PRIu64 " dropped=%u delay_ms=%.0f",
	    opt.label, proto_name(), opt.naddrs, st.members, dead, observers,
	    opt.nkill + nkids, (double)(t_killed - death.t_kill) / 1e3, expected,
	    st.received, st.lat.count ? hist_ms(&st.lat, 0) : 0,
	    hist_ms(&st.lat, 0.5), hist_ms(&st.lat, 0.99), (double)st.lat.max / 1e6,
	    death.other, st.dups, dropped, (double)delay / 1e6);
	for (uint32_t node = 0; node < opt.naddrs; node++)
		if (node != opt.dead_node)
			printf(" node%u_first_ms=%.1f node%u_last_ms=%.1f", node,
			    (double)death.first[node] / 1e6, node,
			    (double)death.last[node] / 1e6);
	printf("\n");
}

/* ---- command line ---- */

static int
parse_list(const char *s, double *out, int max)
{
	char *end;
	int n = 0;

	while (*s != '\0' && n < max) {
		out[n++] = strtod(s, &end);
		if (end == s || out[n - 1] <= 0)
			usage();
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			usage();
	}
	return n;
}

/* -a HOST:PORT[,HOST:PORT...]: client i connects to the (i % count)-th. */
static void
parse_addr(const char *s)
{
	static char first[256];
	char host[256], *colon;
	const char *comma;
	size_t len;

	opt.naddrs = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (len >= sizeof(host) || opt.naddrs == MAX_ADDRS)
			usage();
		memcpy(host, s, len);
		host[len] = '\0';
		if (opt.naddrs == 0) {
			strcpy(first, host);
			opt.host = first;	/* the ws Host header */
		}
		if ((colon = strrchr(host, ':')) == NULL)
			usage();
		*colon = '\0';
		memset(&opt.addrs[opt.naddrs], 0, sizeof(opt.addrs[0]));
		opt.addrs[opt.naddrs].sin_family = AF_INET;
		opt.addrs[opt.naddrs].sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &opt.addrs[opt.naddrs].sin_addr) != 1)
			usage();
		opt.naddrs++;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < opt.n + 64)
		warnx("only %llu file descriptors for %u clients (raise ulimit -n)",
		    (unsigned long long)rl.rlim_cur, opt.n);
}

int
main(int argc, char *argv[])
{
	double list[MAX_RATES];
	int ch, n;

	parse_addr("127.0.0.1:9999");
	while ((ch = getopt(argc, argv, "a:Bc:d:D:E:g:H:J:K:l:L:m:M:n:N:p:qQ:Rr:s:T:w:x")) != -1) {
		switch (ch) {
		case 'a':
			parse_addr(optarg);
			break;
		case 'B':
			opt.burst++;
			break;
		case 'c':
			opt.inflight_max = (uint32_t)atoi(optarg);
			break;
		case 'd':
			opt.step_secs = atof(optarg);
			break;
		case 'D':
			opt.dead_node = (uint32_t)atoi(optarg);
			break;
		case 'J':
			opt.jitter_secs = atof(optarg);
			break;
		case 'K':
			n = parse_list(optarg, list, MAX_WATCH);
			opt.nkill = n;
			for (int i = 0; i < n; i++)
				opt.kill[i] = (pid_t)list[i];
			break;
		case 'E':
			opt.query_end = optarg;
			break;
		case 'g':
			opt.channel = optarg;
			break;
		case 'H':
			opt.hold_secs = atof(optarg);
			break;
		case 'l':
			opt.msg_len = (uint32_t)atoi(optarg);
			break;
		case 'L':
			opt.label = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "login") == 0)
				opt.mode = MODE_LOGIN;
			else if (strcmp(optarg, "idle") == 0)
				opt.mode = MODE_IDLE;
			else if (strcmp(optarg, "relay") == 0)
				opt.mode = MODE_RELAY;
			else if (strcmp(optarg, "serial") == 0)
				opt.mode = MODE_SERIAL;
			else if (strcmp(optarg, "query") == 0)
				opt.mode = MODE_QUERY;
			else if (strcmp(optarg, "death") == 0)
				opt.mode = MODE_DEATH;
			else
				usage();
			break;
		case 'M':
			opt.serial_msgs = (uint32_t)atoi(optarg);
			break;
		case 'n':
			n = parse_list(optarg, list, MAX_CHECKPOINTS);
			opt.ncheckpoints = n;
			for (int i = 0; i < n; i++)
				opt.checkpoints[i] = (uint32_t)list[i];
			opt.n = opt.checkpoints[n - 1];
			break;
		case 'N':
			opt.prefix = optarg;
			break;
		case 'p':
			if (strcmp(optarg, "chat") == 0)
				opt.proto = PROTO_CHAT;
			else if (strcmp(optarg, "irc") == 0)
				opt.proto = PROTO_IRC;
			else if (strcmp(optarg, "ws") == 0)
				opt.proto = PROTO_WS;
			else
				usage();
			break;
		case 'q':
			opt.quit_after_login = 1;
			break;
		case 'Q':
			opt.query = optarg;
			break;
		case 'R':
			opt.read_time = 1;
			break;
		case 'r':
			opt.nrates = parse_list(optarg, opt.rates, MAX_RATES);
			break;
		case 's':
			opt.senders = (uint32_t)atoi(optarg);
			break;
		case 'T':
			opt.connect_secs = atof(optarg);
			break;
		case 'w':
			n = parse_list(optarg, list, MAX_WATCH);
			opt.nwatch = n;
			for (int i = 0; i < n; i++)
				opt.watch[i] = (pid_t)list[i];
			break;
		case 'x':
			opt.saturate = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt.n == 0 || opt.inflight_max == 0 || opt.senders == 0)
		usage();
	if (opt.ncheckpoints == 0) {
		opt.ncheckpoints = 1;
		opt.checkpoints[0] = opt.n;
	}
	if ((opt.mode == MODE_QUERY || opt.mode == MODE_DEATH) && opt.proto != PROTO_CHAT)
		usage();
	if (opt.dead_node >= opt.naddrs)
		usage();
	if (opt.burst && opt.mode != MODE_RELAY)
		usage();
	if (opt.mode == MODE_RELAY && opt.nrates == 0) {
		opt.nrates = 1;
		opt.rates[0] = 100;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((clk_tck = sysconf(_SC_CLK_TCK)) <= 0)
		clk_tck = 100;
	raise_nofile();
	if ((clients = calloc(opt.n, sizeof(*clients))) == NULL ||
	    (rx = malloc(RX_BUF)) == NULL)
		err(111, "malloc");
	for (uint32_t i = 0; i < opt.n; i++) {
		clients[i].fd = -1;
		clients[i].id = i;
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(111, "epoll_create1");
	switch (opt.mode) {
	case MODE_LOGIN:
		mode_login();
		break;
	case MODE_IDLE:
		mode_idle();
		break;
	case MODE_RELAY:
		mode_relay();
		break;
	case MODE_SERIAL:
		mode_serial();
		break;
	case MODE_QUERY:
		mode_query();
		break;
	case MODE_DEATH:
		mode_death();
		break;
	}
	fflush(stdout);
	return 0;
}

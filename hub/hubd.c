/*
 * hubd.c -- chat-hubd: start-up, the event loop and signals.
 *
 * The hub owns the shared-memory segment: it creates it (or re-attaches
 * to a valid one after a restart), frees the slots of sessions that died,
 * registers sessions on its control socket and writes their eventfds
 * when asked.  It never reads a client socket or a chat message.
 */
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "ctl.h"
#include "fault.h"
#include "hub.h"
#include "log.h"
#include "proc.h"

static void
usage(void)
{
	fprintf(stderr, "usage: chat-hubd [-c file]\n");
	exit(EXIT_USAGE);
}

/* One hub per runtime directory: hold an exclusive lock for life. */
static void
lock_runtime_dir(const struct hub *hub)
{
	char path[CONF_PATH_MAX + 16];
	int fd;

	if (mkdir(hub->conf.runtime_dir, 0755) == -1 && errno != EEXIST)
		fatal("runtime directory %s", hub->conf.runtime_dir);
	snprintf(path, sizeof(path), "%s/hub.lock", hub->conf.runtime_dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			fatalx("another chat-hubd is running with runtime directory %s",
			    hub->conf.runtime_dir);
		fatal("lock %s", path);
	}
	/* fd stays open, and the lock held, until the hub exits. */
}

/*
 * A segment the hub cannot use is left as it is, for an operator to look
 * at: one made by someone else (errno EPERM, shm_check_owner) may hold
 * the evidence of who planted it, and is not the hub's to remove.
 */
static void __attribute__((noreturn))
refuse_segment(const char *err)
{
	if (errno == EPERM)
		fatalx("%s; refusing to use it (remove it once you know who made "
		    "it, then start the hub again)", err);
	fatalx("%s; refusing to touch it", err);
}

static void
open_segment(struct hub *hub)
{
	struct shm_geometry want;
	char err[512];
	int created;
	pid_t other;

	conf_geometry(&hub->conf, &want);
	if (shm_open_or_create(&hub->shm, hub->conf.shm_name, &want, &created,
	    err, sizeof(err)) == -1)
		refuse_segment(err);
	if (created) {
		log_info("created segment %s (%zu bytes, %u sessions, %u log records)",
		    hub->conf.shm_name, hub->shm.size, hub->conf.max_sessions,
		    hub->conf.log_records);
		return;
	}
	/*
	 * hub.lock guards the runtime directory; this guards the segment
	 * against a hub with another runtime_dir.  A killed hub not yet
	 * reaped is a zombie, which proc_is counts as gone.
	 */
	other = atomic_load(&hub->shm.hdr->hub_pid);
	if (other != 0 && other != getpid() && proc_is(other, HUB_COMM))
		fatalx("another chat-hubd (pid %d) is using segment %s",
		    (int)other, hub->conf.shm_name);
	if (!shm_geometry_equal(&hub->shm.geo, &want)) {
		if (hub->shm.hdr->sessions_in_use != 0) {
			log_warnx("segment %s keeps its geometry (%u sessions, max_line "
			    "%u, %u records) while sessions are connected; "
			    "restart them all to apply chat.conf",
			    hub->conf.shm_name, hub->shm.geo.max_sessions,
			    hub->shm.geo.max_line, hub->shm.geo.log_records);
			return;
		}
		log_info("segment %s has another geometry and no sessions: recreating",
		    hub->conf.shm_name);
		shm_detach(&hub->shm);
		shm_remove(hub->conf.shm_name);
		if (shm_open_or_create(&hub->shm, hub->conf.shm_name, &want,
		    &created, err, sizeof(err)) == -1)
			refuse_segment(err);
		return;
	}
	log_info("re-attached to segment %s (hub start %u)", hub->conf.shm_name,
	    atomic_load(&hub->shm.hdr->hub_starts) + 1);
}

/*
 * The hub holds two descriptors per session (its control connection and
 * its eventfd): raise the soft limit to the hard one, and say so if even
 * that is short of max_sessions.
 */
static void
raise_fd_limit(const struct hub *hub)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)hub->conf.max_sessions * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raise the open-file limit");
	}
	if (rl.rlim_cur < need)
		log_warnx("open-file limit %llu is below the %llu that max_sessions %u "
		    "needs; raise it (LimitNOFILE=, ulimit -n)",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)need,
		    hub->conf.max_sessions);
}

static void
setup_signals(struct hub *hub)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	hub->signal.kind = WATCH_SIGNAL;
	if ((hub->signal.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	hub_watch(hub, &hub->signal, EPOLLIN);
}

static void
start_sweep(struct hub *hub)
{
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };

	hub->sweep.kind = WATCH_SWEEP;
	hub->sweep.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (hub->sweep.fd == -1 || timerfd_settime(hub->sweep.fd, 0, &its, NULL) == -1)
		fatal("sweep timer");
	hub_watch(hub, &hub->sweep, EPOLLIN);
}

static void
reload(struct hub *hub)
{
	struct chat_conf conf;
	char err[512];

	if (conf_load(&conf, hub->conf_path, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the old configuration", err);
		return;
	}
	hub->conf.log_level = conf.log_level;
	log_set_level(conf.log_level);
	log_info("configuration reloaded (log_level; capacities apply at the "
	    "next segment creation)");
}

static void
handle_signal(struct hub *hub)
{
	struct signalfd_siginfo si;

	while (read(hub->signal.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(hub);
		else
			hub->quit = 1;
	}
}

static void
dispatch(struct hub *hub, struct watch *w, uint32_t events)
{
	uint64_t ticks;

	switch (w->kind) {
	case WATCH_LISTEN:
		control_accept(hub);
		break;
	case WATCH_SIGNAL:
		handle_signal(hub);
		break;
	case WATCH_CONN:
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			control_read(hub, (struct hub_conn *)w);
		break;
	case WATCH_PIDFD:
		sessions_pidfd_exited(hub, w->slot);
		break;
	case WATCH_SWEEP:
		if (read(w->fd, &ticks, sizeof(ticks)) == sizeof(ticks)) {
			sessions_sweep(hub);
			control_tick(hub);
		}
		break;
	case WATCH_PRESENCE:
		presence_tick(hub);
		break;
	}
}

static void
run(struct hub *hub)
{
	struct epoll_event events[64];
	int n;

	while (!hub->quit) {
		n = epoll_wait(hub->epfd, events, 64, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (int i = 0; i < n; i++)
			dispatch(hub, events[i].data.ptr, events[i].events);
	}
}

int
main(int argc, char *argv[])
{
	struct hub hub;
	char err[512];
	int ch;

	memset(&hub, 0, sizeof(hub));
	TAILQ_INIT(&hub.conns);
	log_init(HUB_COMM, LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			hub.conf_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_load(&hub.conf, hub.conf_path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		exit(EXIT_USAGE);
	}
	log_set_level(hub.conf.log_level);
	if ((hub.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	setup_signals(&hub);
	raise_fd_limit(&hub);
	lock_runtime_dir(&hub);
	open_segment(&hub);
	atomic_store(&hub.shm.hdr->hub_pid, getpid());
	atomic_fetch_add(&hub.shm.hdr->hub_starts, 1);
	atomic_store(&hub.shm.hdr->hub_started, clock_unix_seconds());
	if (sessions_init(&hub) == -1)
		fatal("hub slot table");
	sessions_adopt_stale(&hub);
	start_sweep(&hub);
	presence_init(&hub);
	if (control_listen(&hub) == -1)
		fatal("control socket in %s", hub.conf.runtime_dir);
	log_info("ready: segment %s, control socket %s/%s", hub.conf.shm_name,
	    hub.conf.runtime_dir, CTL_SOCKET_NAME);
	sd_notify(0, "READY=1\nSTATUS=accepting sessions");
	run(&hub);
	sd_notify(0, "STOPPING=1");
	control_shutdown(&hub);
	sessions_free(&hub);
	atomic_store(&hub.shm.hdr->hub_pid, 0);
	log_info("stopping; sessions keep running and re-register with the next hub");
	return 0;
}

/*
 * control.c -- the hub's control socket.
 *
 * Owns the listening SOCK_SEQPACKET socket in runtime_dir and every peer
 * connection: it decodes their messages (ctl.h) and answers them.  A
 * peer that sends a malformed message is logged and dropped; it cannot
 * disturb anyone else.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "hub.h"
#include "log.h"
#include "registry.h"
#include "text.h"

int
control_listen(struct hub *hub)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    hub->conf.runtime_dir, CTL_SOCKET_NAME) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	unlink(sun.sun_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(sun.sun_path, 0660) == -1 || listen(fd, SOMAXCONN) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	hub->listen.kind = WATCH_LISTEN;
	hub->listen.fd = fd;
	hub_watch(hub, &hub->listen, EPOLLIN);
	/* Given up to refuse peers when out of descriptors (below). */
	hub->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

#define FDS_MESSAGE	"the hub is out of file descriptors (raise LimitNOFILE)"

static void
refuse_fd(int fd, pid_t pid, const char *why)
{
	char buf[CTL_MSG_MAX];
	size_t len;

	len = ctl_encode_text(buf, CTL_REFUSE, why);
	if (ctl_send(fd, buf, len, -1) == -1)
		log_warn("pid %d: send refusal", (int)pid);
}

/* Who is at the other end of a control connection (SO_PEERCRED). */
static int
peer_cred(int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len);
}

/*
 * Close a refused peer's connection after reading what it sent: closing
 * a Unix socket with unread data resets the peer, which would then find
 * an error instead of the refusal.
 */
static void
drain_and_close(int fd)
{
	char buf[CTL_MSG_MAX];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		continue;
	close(fd);
}

/* Once per sweep tick at most: the hub ran out of descriptors. */
static void
warn_out_of_fds(struct hub *hub)
{
	if (hub->fds_warned)
		return;
	hub->fds_warned = 1;
	log_warnx("out of file descriptors: refusing new sessions; each session "
	    "needs two, raise LimitNOFILE (ulimit -n)");
}

/*
 * Out of descriptors, accept fails and the listening socket stays
 * readable: a busy loop, and sessions left waiting for an answer.  The
 * reserve descriptor is given up to accept each waiting peer, tell it
 * why it is refused, and close it.  Without a reserve, the socket is
 * not watched until a connection closes or the next sweep tick.
 */
static void
refuse_waiting_peers(struct hub *hub)
{
	struct ucred cred;
	int fd;

	warn_out_of_fds(hub);
	while (hub->reserve_fd != -1) {
		close(hub->reserve_fd);
		fd = accept4(hub->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			if (peer_cred(fd, &cred) == -1)
				cred.pid = 0;
			refuse_fd(fd, cred.pid, FDS_MESSAGE);
			drain_and_close(fd);
		}
		hub->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			return;		/* nobody else waiting */
	}
	if (!hub->listen_paused) {
		hub_unwatch(hub, &hub->listen);
		hub->listen_paused = 1;
	}
}

/*
 * A descriptor may be free again: take back the reserve, and accept.  If
 * epoll cannot watch the socket again, the next tick tries again.
 */
static void
resume_accepting(struct hub *hub)
{
	if (hub->reserve_fd == -1)
		hub->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!hub->listen_paused)
		return;
	if (hub_try_watch(hub, &hub->listen, EPOLLIN) == -1) {
		log_warn("control socket: epoll_ctl add (trying again in a second)");
		return;
	}
	hub->listen_paused = 0;
}

void
control_tick(struct hub *hub)
{
	hub->fds_warned = 0;
	resume_accepting(hub);
}

/*
 * epoll cannot watch a new peer (ENOMEM; ENOSPC past
 * fs.epoll.max_user_watches): refuse that one, as when out of
 * descriptors, and go on with the others.
 */
static void
refuse_unwatched(int fd, pid_t pid)
{
	log_warn("control peer pid %d refused: epoll_ctl add", (int)pid);
	refuse_fd(fd, pid, "the hub cannot watch another connection now");
	drain_and_close(fd);
}

void
control_accept(struct hub *hub)
{
	struct hub_conn *conn;
	struct ucred cred;
	int fd;

	for (;;) {
		fd = accept4(hub->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				refuse_waiting_peers(hub);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket accept");
			return;
		}
		if (peer_cred(fd, &cred) == -1 ||
		    (conn = calloc(1, sizeof(*conn))) == NULL) {
			log_warn("control peer");
			close(fd);
			continue;
		}
		/* Only the hub's own user (chat) and root may talk to it. */
		if (cred.uid != geteuid() && cred.uid != 0) {
			log_warnx("control peer pid %d uid %u refused: only uid %u "
			    "or root", (int)cred.pid, (unsigned)cred.uid,
			    (unsigned)geteuid());
			free(conn);
			close(fd);
			continue;
		}
		conn->w.kind = WATCH_CONN;
		conn->w.fd = fd;
		conn->pid = cred.pid;
		conn->slot = SLOT_NONE;
		if (hub_try_watch(hub, &conn->w, EPOLLIN) == -1) {
			refuse_unwatched(fd, cred.pid);
			free(conn);
			continue;
		}
		TAILQ_INSERT_TAIL(&hub->conns, conn, entry);
	}
}

void
control_close(struct hub *hub, struct hub_conn *conn)
{
	hub_unwatch(hub, &conn->w);
	close(conn->w.fd);
	TAILQ_REMOVE(&hub->conns, conn, entry);
	if (conn->slot != SLOT_NONE)
		sessions_gone(hub, conn->slot, conn->pid, conn->generation);
	else
		sessions_forget_pid(hub, conn->pid);
	free(conn);
	resume_accepting(hub);	/* a descriptor or two are free again */
}

/*
 * The hub is stopping: the sessions live on and re-register with the
 * next hub, so their slots stay; only the hub's own resources go.
 */
void
control_shutdown(struct hub *hub)
{
	struct hub_conn *conn;

	while ((conn = TAILQ_FIRST(&hub->conns)) != NULL) {
		TAILQ_REMOVE(&hub->conns, conn, entry);
		close(conn->w.fd);
		free(conn);
	}
	close(hub->listen.fd);
	if (hub->reserve_fd != -1)
		close(hub->reserve_fd);
}

static void
refuse(struct hub_conn *conn, const char *why)
{
	refuse_fd(conn->w.fd, conn->pid, why);
}

static void
handle_hello(struct hub *hub, struct hub_conn *conn, const struct ctl_hello *hello)
{
	struct ctl_welcome welcome;
	char buf[CTL_MSG_MAX];
	const char *why = NULL;
	size_t len;
	int efd;

	if (hello->layout_version != SHM_LAYOUT_VERSION) {
		refuse(conn, "shared-memory layout version differs from the hub's");
		return;
	}
	if ((hello->flags & ~(uint32_t)CTL_HELLO_FOLLOWER) != 0) {
		refuse(conn, "unknown registration flags");
		return;
	}
	efd = sessions_register(hub, conn, hello->slot, hello->generation,
	    (hello->flags & CTL_HELLO_FOLLOWER) != 0, &why);
	if (efd == -1) {
		log_warnx("pid %d: registration of slot %u refused: %s",
		    (int)conn->pid, hello->slot, why);
		refuse(conn, why);
		return;
	}
	memset(&welcome, 0, sizeof(welcome));
	welcome.hub_starts = atomic_load(&hub->shm.hdr->hub_starts);
	len = ctl_encode(buf, CTL_WELCOME, &welcome, sizeof(welcome));
	if (ctl_send(conn->w.fd, buf, len, efd) == -1) {
		log_warn("pid %d: send welcome", (int)conn->pid);
		return;
	}
	/*
	 * No sweep of wake-pending flags here: a session drains right after
	 * it registers, senders send the wake-ups they owe after theirs, and
	 * wake-ups a dead session owed are swept when its death is noticed.
	 * (A sweep per registration cost 41 % of the hub in a login storm.)
	 */
	log_debug("slot %u: registered %s %d", hello->slot,
	    hello->flags & CTL_HELLO_FOLLOWER ? "follower" : "session",
	    (int)conn->pid);
}

static void
handle_wake(struct hub *hub, const struct ctl_msg *msg)
{
	uint32_t slot;

	for (uint32_t i = 0; i < msg->wake_count; i++) {
		memcpy(&slot, &msg->wake_slots[i], sizeof(slot));
		if (slot == CTL_WAKE_FOLLOWERS)
			sessions_wake_followers(hub);
		else
			sessions_wake(hub, slot);
	}
}

/* chatctl kick: ask the user's session to close, and wake it. */
static void
handle_kick(struct hub *hub, struct hub_conn *conn, const struct ctl_kick *kick)
{
	char buf[CTL_MSG_MAX], why[CTL_REASON_MAX + 64];
	size_t len;
	uint32_t slot;

	if (text_check(kick->reason, strlen(kick->reason)) != TEXT_OK ||
	    strlen(kick->reason) > CTL_REASON_MAX - 32) {
		refuse(conn, "the reason must be UTF-8 text of at most 96 bytes "
		    "without control characters");
		return;
	}
	slot = sessions_request_close(hub, kick->name, kick->reason[0] != '\0' ?
	    kick->reason : "no reason given");
	if (slot == SLOT_NONE) {
		snprintf(why, sizeof(why), "no user named %s is online", kick->name);
		refuse(conn, why);
		return;
	}
	log_info("kicked %s (slot %u) at the request of pid %d: %s", kick->name,
	    slot, (int)conn->pid, kick->reason);
	len = ctl_encode(buf, CTL_OK, NULL, 0);
	if (ctl_send(conn->w.fd, buf, len, -1) == -1)
		log_warn("pid %d: send kick answer", (int)conn->pid);
}

void
control_read(struct hub *hub, struct hub_conn *conn)
{
	char buf[CTL_MSG_MAX], err[256];
	struct ctl_msg msg;
	ssize_t n;
	int fd;

	for (;;) {
		n = ctl_recv(conn->w.fd, buf, &fd);
		if (fd != -1)
			close(fd);	/* peers never send the hub fds */
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			if (n == -1 && errno != ECONNRESET)
				log_warn("pid %d: control socket", (int)conn->pid);
			control_close(hub, conn);
			return;
		}
		if (ctl_decode(buf, (size_t)n, &msg, err, sizeof(err)) == -1) {
			log_warnx("pid %d: bad control message: %s; dropping peer",
			    (int)conn->pid, err);
			control_close(hub, conn);
			return;
		}
		switch (msg.type) {
		case CTL_HELLO:
			handle_hello(hub, conn, &msg.u.hello);
			break;
		case CTL_WAKE:
			/*
			 * Served from any peer (all are the hub's uid or root),
			 * registered or not: a session that just freed its slot
			 * still wakes the others for its leave record, even when
			 * a newcomer registered that slot a moment before.  A
			 * dropped wake-up would leave flags set and deafen those
			 * sessions for good.
			 */
			handle_wake(hub, &msg);
			break;
		case CTL_PRESENCE:
			/* From any peer, like CTL_WAKE, and for the same reason. */
			presence_request(hub, msg.u.presence.next);
			break;
		case CTL_KICK:
			handle_kick(hub, conn, &msg.u.kick);
			break;
		default:
			log_warnx("pid %d: unexpected message type %d; dropping peer",
			    (int)conn->pid, msg.type);
			control_close(hub, conn);
			return;
		}
	}
}

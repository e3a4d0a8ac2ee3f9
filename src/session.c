/*
 * session.c -- chat-session: serve exactly one client connection.
 *
 * Finds its socket the way it was started (lib/client.c), attaches the
 * segment, claims a slot, registers with the hub and runs
 * one epoll loop over the client, the hub link, the eventfd and a timer.
 * Everything about the client's bytes happens here, not in the hub.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "registry.h"
#include "session.h"

/*
 * Write one result (with its count) straight to the client before the
 * loop runs, then exit.
 */
static void __attribute__((noreturn))
refuse_client(struct session *s, enum core_status status, uint32_t count,
    const char *why)
{
	char line[RESULT_LINE_MAX + 1];
	struct core_result r;
	size_t len;

	core_result_set(&r, status);
	r.count = count;
	len = result_line(&r, line, sizeof(line) - 1);
	line[len++] = '\n';
	if (write(s->client.out_fd, line, len) != (ssize_t)len)
		log_warn("%s: could not tell the client", s->client.peer);
	log_info("%s: refused: %s", s->client.peer, why);
	exit(0);
}

static void
deadline_passed(struct session *s)
{
	uint64_t ticks;

	if (read(s->deadline_fd, &ticks, sizeof(ticks)) == -1)
		return;
	if (s->state == SESSION_LOGIN) {
		reply_status(s, CR_LOGIN_TIMEOUT, s->conf.login_timeout);
		session_close(s, DISC_TIMEOUT, "login timeout");
	} else if (s->state == SESSION_CHAT && s->conf.idle_timeout > 0) {
		reply_status(s, CR_IDLE_TIMEOUT, s->conf.idle_timeout);
		session_close(s, DISC_TIMEOUT, "idle timeout");
	}
}

static void
setup(struct session *s)
{
	char err[512];

	if (conf_load(&s->conf, s->conf_path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		refuse_client(s, CR_MISCONFIGURED, 0, "bad configuration");
	}
	log_set_level(s->conf.log_level);
	if (shm_attach(&s->shm, s->conf.shm_name, 1, err, sizeof(err)) == -1) {
		int planted = errno == EPERM;	/* not the hub's: shm_check_owner */

		log_warnx("%s", err);
		if (planted)
			refuse_client(s, CR_MISCONFIGURED, 0, "segment refused");
		refuse_client(s, CR_NOT_RUNNING, 0, "no segment");
	}
	if ((s->client.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	hublink_init(&s->link, &s->shm, s->conf.runtime_dir, s->client.epfd);
	if (hublink_open(&s->link) == -1)
		refuse_client(s, CR_NOT_RUNNING, 0, "hub not reachable");
}

static void
claim_and_register(struct session *s)
{
	char why[256];
	int rc = HUBLINK_AWAY;

	switch (registry_claim(&s->shm, s->pid, s->client.peer,
	    s->conf.max_pending_per_address, &s->slot)) {
	case CLAIM_OK:
		break;
	case CLAIM_FULL:
		atomic_fetch_add(&s->shm.hdr->st_refused_full, 1);
		refuse_client(s, CR_SERVER_FULL, s->shm.geo.max_sessions,
		    "server full");
	case CLAIM_PENDING:
		refuse_client(s, CR_TOO_MANY_PENDING,
		    s->conf.max_pending_per_address,
		    "too many connections from its address not logged in");
	}
	s->generation = atomic_load(&shm_slot(&s->shm, s->slot)->s_generation);
	/* For close requests; enter_chat sets the cursor at the login. */
	logreader_init(&s->reader, &s->shm, s->slot, s->generation, 0, s->text);
	/*
	 * The prompt goes out while the hub answers the HELLO: the client
	 * reads it and types while the round trip completes.
	 */
	if (hublink_hello(&s->link, s->slot, s->generation, why, sizeof(why)) == 0) {
		login_prompt(s);
		if (outq_flush(&s->out, s->client.out_fd) == -1)
			log_warn("%s: prompt", s->client.peer);
		if ((rc = hublink_welcome(&s->link, why, sizeof(why))) == HUBLINK_OK)
			return;
	}
	log_warnx("%s", why);
	registry_release(&s->shm, s->slot, s->pid, s->generation, "");
	refuse_client(s, rc == HUBLINK_REFUSED ? CR_REFUSED : CR_NOT_RUNNING, 0,
	    "hub registration failed");
}

static void
init_buffers(struct session *s)
{
	uint32_t max_line = s->shm.geo.max_line;

	if (linebuf_init(&s->in, max_line) == -1 ||
	    (s->text = malloc(max_line)) == NULL)
		fatal("session buffers");
	outq_init(&s->out, s->conf.max_sendq);
	telnet_init(&s->tn);
}

static void
free_buffers(struct session *s)
{
	linebuf_free(&s->in);
	outq_free(&s->out);
	free(s->text);
	hublink_free(&s->link);
}

static void
dispatch(void *arg, int fd, uint32_t events)
{
	struct session *s = arg;
	char why[256];

	/* Output is flushed after every batch of events (before_wait). */
	if (fd == s->client.in_fd && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
	    !s->in_eof && !s->throttled)
		input_read(s);
	switch (hublink_handle(&s->link, fd, events, why, sizeof(why))) {
	case HUBLINK_EVENT_WAKE:
		deliver_wakeup(s);
		return;
	case HUBLINK_EVENT_LOST:
		log_warnx("%s", why);
		session_close(s, DISC_LOST, "lost registration with the hub");
		return;
	case HUBLINK_EVENT_DONE:
		return;
	case HUBLINK_EVENT_NONE:
		break;
	}
	if (fd == s->throttle_fd && s->throttle_fd != -1) {
		if (flood_resume(s)) {
			input_lines(s);
			input_finish(s);
		}
	}
	else if (fd == s->deadline_fd)
		deadline_passed(s);
}

/* Write what is queued, then say whether to wait, linger or stop. */
static enum client_next
before_wait(void *arg)
{
	struct session *s = arg;
	int pending;

	if ((pending = outq_flush(&s->out, s->client.out_fd)) == -1) {
		if (s->state != SESSION_CLOSING)
			session_close(s, DISC_ERROR, "write error");
		pending = 0;
	}
	if (s->state == SESSION_CLOSING && (!pending || s->in_eof))
		return CLIENT_DONE;
	session_update_events(s);
	/* Closing: give a slow client a moment for its last lines. */
	return s->state == SESSION_CLOSING ? CLIENT_LINGER : CLIENT_WAIT;
}

int
main(int argc, char *argv[])
{
	struct session s;

	memset(&s, 0, sizeof(s));
	s.throttle_fd = s.deadline_fd = -1;
	s.pid = getpid();
	s.conf_path = client_start(&s.client, "chat-session", argc, argv);
	log_info("%s: open", s.client.peer);
	setup(&s);
	init_buffers(&s);
	claim_and_register(&s);
	client_setup_socket(&s.client, &s.conf);
	client_timer(&s.client, &s.deadline_fd);
	session_arm_deadline(&s);
	flood_init(&s);
	client_run(&s.client, before_wait, dispatch, &s);
	free_buffers(&s);
	return 0;
}

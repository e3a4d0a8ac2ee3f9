/*
 * main.c -- chat-web: serve exactly one HTTP connection.
 *
 * Started like chat-session (lib/client.c: fd 3 from a socket
 * activator, else inetd's 0 and 1).  Attaches the segment if the hub
 * made one (if not, /health says why and the chat answers 503), then
 * runs one epoll loop over the client, the hub link, the eventfd and its
 * timers.  Plain requests are answered in turn on a kept-alive
 * connection until one becomes a WebSocket or an event stream, whose
 * user stays until the connection ends.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "registry.h"
#include "web.h"

#define CONTINUE	"HTTP/1.1 100 Continue\r\n\r\n"
#define KEEPALIVE_IDLE	60	/* seconds a kept-alive connection may idle */

static void
setup(struct web *w)
{
	char err[512];
	uint32_t max_line;

	if (conf_load(&w->conf, w->conf_path, err, sizeof(err)) == -1)
		fatalx("%s", err);	/* the client gets nothing: log and go */
	log_set_level(w->conf.log_level);
	if ((w->client.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	if (shm_attach(&w->shm, w->conf.shm_name, 1, err, sizeof(err)) == 0)
		w->attached = 1;
	else
		strlcpy(w->unavailable, errno == EPERM ? "segment refused" :
		    "the chat is not running", sizeof(w->unavailable));
	hublink_init(&w->link, &w->shm, w->conf.runtime_dir, w->client.epfd);
	/* A head; a POST's body grows it (read_requests). */
	w->in_size = HTTP_HEAD_MAX + 1;
	max_line = w->attached ? w->shm.geo.max_line : w->conf.max_line;
	w->json_size = EVENT_JSON_SIZE(max_line);
	if ((w->in = malloc(w->in_size)) == NULL ||
	    (w->text = malloc(max_line)) == NULL ||
	    (w->json = malloc(w->json_size)) == NULL)
		fatal("buffers");
	outq_init(&w->out, w->conf.max_sendq);
}

/* The head (and a POST's body) is all here: 1 with w->req, else 0. */
static int
request_ready(struct web *w)
{
	enum http_parse verdict;

	verdict = http_parse_head(w->in, w->in_len, &w->req);
	if (verdict == HTTP_INCOMPLETE)
		return 0;
	if (verdict != HTTP_DONE) {
		routes_bad_head(w, verdict);
		return 0;
	}
	if (w->req.method != HTTP_POST || !w->req.has_content_length ||
	    w->req.content_length > WEB_BODY_MAX ||
	    w->in_len >= w->req.head_len + w->req.content_length)
		return 1;
	/* curl asks before a body over 1 KiB, and waits a second if unanswered. */
	if (w->req.expect_continue && !w->continued) {
		web_write(w, CONTINUE, sizeof(CONTINUE) - 1);
		w->continued = 1;
	}
	return 0;
}

/* Answer every whole request read, in order (pipelining). */
static void
serve_requests(struct web *w)
{
	size_t used;

	while (w->state == WEB_HTTP && request_ready(w)) {
		used = w->req.head_len;
		if (w->req.method == HTTP_POST && w->req.has_content_length &&
		    w->req.content_length <= WEB_BODY_MAX)
			used += (size_t)w->req.content_length;
		client_arm(w->deadline_fd, KEEPALIVE_IDLE);
		routes_request(w);
		w->continued = 0;
		/* An upgrade keeps what follows the head for the frames. */
		memmove(w->in, w->in + used, w->in_len - used);
		w->in_len -= used;
	}
	/* Frames sent right behind the upgrade: the kernel will not say. */
	if (w->upgraded && w->in_len > 0)
		ws_read(w);
}

static void
read_requests(struct web *w)
{
	size_t most = HTTP_HEAD_MAX + WEB_BODY_MAX;
	char *bigger;
	ssize_t n;

	/* Full, yet no 431: a whole head whose POST body is coming. */
	if (w->in_len == w->in_size && w->in_size < most) {
		if ((bigger = realloc(w->in, most)) == NULL)
			fatal("request buffer");
		w->in = bigger;
		w->in_size = most;
	}
	n = read(w->client.in_fd, w->in + w->in_len, w->in_size - w->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		w->in_eof = 1;
		web_close(w, DISC_QUIT, n == 0 ? "connection closed" : "read error");
		return;
	}
	w->in_len += (size_t)n;
	serve_requests(w);
}

/* Bytes on an event stream: nothing is expected but its end. */
static void
read_stream(struct web *w)
{
	char buf[512];
	ssize_t n = read(w->client.in_fd, buf, sizeof(buf));

	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		w->in_eof = 1;
		web_close(w, DISC_QUIT, "connection closed");
	}
}

static void
client_readable(struct web *w)
{
	switch (w->state) {
	case WEB_HTTP:
		read_requests(w);
		break;
	case WEB_WS_LOGIN:
	case WEB_WS_CHAT:
		ws_read(w);
		break;
	case WEB_SSE:
		read_stream(w);
		break;
	case WEB_CLOSING:
		break;
	}
}

static void
wakeup(struct web *w)
{
	if (w->state == WEB_SSE)
		sse_wakeup(w);
	else if (w->state == WEB_WS_CHAT || w->state == WEB_WS_LOGIN)
		wschat_wakeup(w);
}

/* The hub refused the slot after a restart: the user cannot stay. */
static void
hub_lost(struct web *w, const char *why)
{
	log_warnx("%s", why);
	if (w->upgraded)
		ws_fail(w, 1011, "lost registration with the hub", DISC_LOST);
	else
		web_close(w, DISC_LOST, "lost registration with the hub");
}

static void
deadline(struct web *w)
{
	uint64_t ticks;

	if (read(w->deadline_fd, &ticks, sizeof(ticks)) == -1)
		return;
	if (w->state == WEB_HTTP)
		web_close(w, DISC_TIMEOUT, "keep-alive idle");
	else
		ws_deadline(w);
}

static void
dispatch(void *arg, int fd, uint32_t events)
{
	struct web *w = arg;
	char why[256];

	if (fd == w->client.in_fd && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_readable(w);
	switch (hublink_handle(&w->link, fd, events, why, sizeof(why))) {
	case HUBLINK_EVENT_WAKE:
		wakeup(w);
		return;
	case HUBLINK_EVENT_LOST:
		hub_lost(w, why);
		return;
	case HUBLINK_EVENT_DONE:
		return;
	case HUBLINK_EVENT_NONE:
		break;
	}
	if (fd == w->ping_fd && w->ping_fd != -1) {
		if (w->state == WEB_SSE)
			sse_tick(w);
		else
			ws_ping_tick(w);
	} else if (fd == w->throttle_fd && w->throttle_fd != -1)
		ws_resume(w);
	else if (fd == w->deadline_fd)
		deadline(w);
}

/* The queue to the socket; then what next. */
static enum client_next
before_wait(void *arg)
{
	struct web *w = arg;
	int pending;

	pending = web_flush(w);
	if (w->state == WEB_CLOSING && (!pending || w->in_eof))
		return CLIENT_DONE;
	web_update_events(w);
	return w->state == WEB_CLOSING ? CLIENT_LINGER : CLIENT_WAIT;
}

static void
finish(struct web *w)
{
	if (w->claimed)		/* a push's slot, never named */
		registry_release(&w->shm, w->slot, w->pid, w->generation, "");
	free(w->ws_msg);
	hublink_free(&w->link);
	outq_free(&w->out);
	free(w->in);
	free(w->text);
	free(w->json);
}

int
main(int argc, char *argv[])
{
	struct web w;

	memset(&w, 0, sizeof(w));
	w.deadline_fd = w.ping_fd = w.throttle_fd = -1;
	w.pid = getpid();
	w.conf_path = client_start(&w.client, "chat-web", argc, argv);
	setup(&w);
	client_setup_socket(&w.client, &w.conf);
	client_arm(client_timer(&w.client, &w.deadline_fd), KEEPALIVE_IDLE);
	client_run(&w.client, before_wait, dispatch, &w);
	finish(&w);
	return 0;
}

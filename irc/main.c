/*
 * main.c -- chat-irc: serve exactly one IRC connection.
 *
 * Started like chat-session (lib/client.c: fd 3 from a socket
 * activator, else inetd's 0 and 1).  Attaches the segment, claims a
 * slot and registers with the hub at once (a full server or a stopped
 * chat is said with ERROR before anything else), then runs one epoll
 * loop over the client, the hub link, the eventfd and its timers until
 * the connection ends.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "registry.h"
#include "irc.h"

/* Say why in one ERROR line, straight to the socket, and exit. */
static void __attribute__((noreturn))
refuse(struct irc *i, const char *why)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "ERROR :Closing link: %s\r\n", why);
	if (n > 0 && write(i->client.out_fd, line, (size_t)n) != n)
		log_warn("%s: could not tell the client", i->client.peer);
	log_info("%s: refused: %s", i->client.peer, why);
	exit(0);
}

static void
setup(struct irc *i)
{
	char err[512];
	size_t max_line;

	if (conf_load(&i->conf, i->conf_path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		refuse(i, "the server is misconfigured");
	}
	log_set_level(i->conf.log_level);
	if (shm_attach(&i->shm, i->conf.shm_name, 1, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		refuse(i, "the chat is not running");
	}
	if ((i->client.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	hublink_init(&i->link, &i->shm, i->conf.runtime_dir, i->client.epfd);
	strlcpy(i->server, i->conf.node_name, sizeof(i->server));
	snprintf(i->lobby, sizeof(i->lobby), "#%s", i->conf.irc_lobby);
	max_line = i->shm.geo.max_line;
	/* A chat line of max_line bytes and its command, target and prefix. */
	i->linelen = max_line + IRC_LINE_BASE;
	if (linebuf_init(&i->in, IRC_TAGS_MAX + i->linelen) == -1 ||
	    (i->msgline = malloc(IRC_TAGS_MAX + i->linelen + 1)) == NULL ||
	    (i->outline = malloc(i->linelen + 1)) == NULL ||
	    (i->text = malloc(max_line)) == NULL ||
	    (i->say = malloc(max_line)) == NULL)
		fatal("buffers");
	outq_init(&i->out, i->conf.max_sendq);
	bucket_init(&i->bucket, i->conf.rate_msgs, i->conf.rate_burst);
}

static void
dispatch(void *arg, int fd, uint32_t events)
{
	struct irc *i = arg;
	char why[256];

	if (fd == i->client.in_fd && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
	    !i->in_eof && !i->throttled)
		input_read(i);
	switch (hublink_handle(&i->link, fd, events, why, sizeof(why))) {
	case HUBLINK_EVENT_WAKE:
		events_wakeup(i);
		return;
	case HUBLINK_EVENT_LOST:
		log_warnx("%s", why);
		irc_close(i, DISC_LOST, "lost registration with the hub");
		return;
	case HUBLINK_EVENT_DONE:
		return;
	case HUBLINK_EVENT_NONE:
		break;
	}
	if (fd == i->throttle_fd && i->throttle_fd != -1)
		input_resume(i);
	else if (fd == i->ping_fd && i->ping_fd != -1)
		input_ping_tick(i);
	else if (fd == i->idle_fd && i->idle_fd != -1)
		input_idle(i);
	else if (fd == i->deadline_fd)
		input_deadline(i);
}

/* Write what is queued, then say whether to wait, linger or stop. */
static enum client_next
before_wait(void *arg)
{
	struct irc *i = arg;
	int pending;

	pending = irc_flush(i);
	if (i->state == IRC_CLOSING && (!pending || i->in_eof))
		return CLIENT_DONE;
	irc_update_events(i);
	return i->state == IRC_CLOSING ? CLIENT_LINGER : CLIENT_WAIT;
}

static void
finish(struct irc *i)
{
	if (i->claimed)
		registry_release(&i->shm, i->slot, i->pid, i->generation, "");
	hublink_free(&i->link);
	linebuf_free(&i->in);
	outq_free(&i->out);
	free(i->msgline);
	free(i->outline);
	free(i->text);
	free(i->say);
}

int
main(int argc, char *argv[])
{
	struct irc i;
	const char *why;

	memset(&i, 0, sizeof(i));
	i.deadline_fd = i.ping_fd = i.idle_fd = i.throttle_fd = -1;
	i.pid = getpid();
	i.conf_path = client_start(&i.client, "chat-irc", argc, argv);
	setup(&i);
	if (user_claim(&i, &why) == -1)
		refuse(&i, why);
	client_setup_socket(&i.client, &i.conf);
	client_arm(client_timer(&i.client, &i.deadline_fd), i.conf.login_timeout);
	client_arm(client_timer(&i.client, &i.ping_fd), i.conf.ws_ping_interval);
	client_run(&i.client, before_wait, dispatch, &i);
	finish(&i);
	return 0;
}

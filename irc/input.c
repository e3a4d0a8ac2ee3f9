/*
 * input.c -- reading the client: lines, flood control, pings, idle.
 *
 * Owns the line framer of the connection (lib/linebuf.c: a line ends in
 * LF or CRLF; one longer than its tags and LINELEN is answered 417 once
 * and skipped), handing each line to commands.c as far as the token
 * bucket allows (rate_msgs, rate_burst, as for a line client: with no
 * token the socket is not read until the next one, and past max_recvq
 * of unread input the client is closed "Excess flood"), the PING sent
 * to a client quiet for ws_ping_interval that must be answered within
 * ws_ping_timeout, the idle timeout (idle_timeout without a command of
 * the user's), and the login timeout.
 */
#include <sys/ioctl.h>

#include <linux/sockios.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "irc.h"

#define READS_PER_WAKE	16	/* then let other events run */

static void
throttle(struct irc *i)
{
	i->throttled = 1;
	atomic_fetch_add_explicit(&i->shm.hdr->st_throttled, 1,
	    memory_order_relaxed);
	client_arm_ns(client_timer(&i->client, &i->throttle_fd),
	    bucket_wait_ns(&i->bucket));
}

static void
one_line(struct irc *i, const char *line, size_t len)
{
	memcpy(i->msgline, line, len);
	i->msgline[len] = '\0';
	i->heard = 1;
	i->ping_unanswered = 0;
	if (commands_line(i, i->msgline, len) && i->state == IRC_CHAT &&
	    i->conf.idle_timeout > 0)
		client_arm(client_timer(&i->client, &i->idle_fd),
		    i->conf.idle_timeout);
}

/* Handle the complete lines held, as far as flood control allows. */
static void
lines(struct irc *i)
{
	enum line_result r;
	char *line;
	size_t len;

	while (i->state != IRC_CLOSING && !i->throttled) {
		if ((r = linebuf_next(&i->in, &line, &len)) == LINE_NONE)
			return;
		if (i->state == IRC_CHAT && !bucket_take(&i->bucket))
			throttle(i);
		if (r == LINE_TOOLONG)
			irc_numeric(i, 417, ":Input line was too long");
		else
			one_line(i, line, len);
	}
}

/* End of input: the unterminated last line, then the user leaves. */
static void
finish(struct irc *i)
{
	char *line;
	size_t len;

	if (!i->in_eof || i->throttled || i->state == IRC_CLOSING)
		return;
	if (linebuf_finish(&i->in, &line, &len) == LINE_OK)
		one_line(i, line, len);
	if (i->state != IRC_CLOSING)
		irc_close(i, i->state == IRC_CHAT ? DISC_QUIT : DISC_EOF,
		    "connection closed");
}

void
input_read(struct irc *i)
{
	char *where;
	size_t room;
	ssize_t n;

	for (int k = 0; k < READS_PER_WAKE && i->state != IRC_CLOSING &&
	    !i->throttled && !i->in_eof; k++) {
		room = linebuf_room(&i->in, &where);
		n = read(i->client.in_fd, where, room);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			irc_close(i, DISC_ERROR, errno == ECONNRESET ?
			    "connection reset by peer" : errno == ETIMEDOUT ?
			    "connection timed out" : "read error");
			return;
		}
		if (n == 0)
			i->in_eof = 1;
		else {
			linebuf_commit(&i->in, (size_t)n);
			if (i->claimed)
				atomic_store_explicit(&shm_slot(&i->shm,
				    i->slot)->s_last_active,
				    clock_unix_seconds(), memory_order_relaxed);
		}
		lines(i);
	}
	finish(i);
}

/* Unread input: the kernel's receive queue plus a partial line. */
static size_t
unread_input(const struct irc *i)
{
	int queued = 0;

	if (ioctl(i->client.in_fd, SIOCINQ, &queued) == -1 || queued < 0)
		queued = 0;
	return (size_t)queued + linebuf_pending(&i->in);
}

void
input_resume(struct irc *i)
{
	uint64_t ticks;

	if (read(i->throttle_fd, &ticks, sizeof(ticks)) == -1 || !i->throttled ||
	    i->state == IRC_CLOSING)
		return;
	if (unread_input(i) > i->conf.max_recvq) {
		irc_close(i, DISC_FLOOD, "Excess flood");
		return;
	}
	i->throttled = 0;
	lines(i);
	if (!i->throttled)
		input_read(i);
}

void
input_ping_tick(struct irc *i)
{
	uint64_t ticks;

	if (read(i->ping_fd, &ticks, sizeof(ticks)) == -1 ||
	    i->state != IRC_CHAT)
		return;
	client_arm(i->ping_fd, i->conf.ws_ping_interval);
	if (i->heard || i->ping_unanswered) {
		i->heard = 0;
		return;
	}
	if (irc_send(i, "PING :%s", i->server) == 0) {
		i->ping_unanswered = 1;
		client_arm(i->deadline_fd, i->conf.ws_ping_timeout);
	}
}

void
input_deadline(struct irc *i)
{
	uint64_t ticks;

	if (read(i->deadline_fd, &ticks, sizeof(ticks)) == -1)
		return;
	if (i->state == IRC_REGISTERING)
		irc_close(i, DISC_TIMEOUT, "login timeout");
	else if (i->state == IRC_CHAT && i->ping_unanswered)
		irc_close(i, DISC_TIMEOUT, "ping timeout");
}

void
input_idle(struct irc *i)
{
	uint64_t ticks;

	if (read(i->idle_fd, &ticks, sizeof(ticks)) == -1)
		return;
	if (i->state == IRC_CHAT && i->conf.idle_timeout > 0)
		irc_close(i, DISC_TIMEOUT, "idle timeout");
}

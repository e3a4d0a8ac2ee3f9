/*
 * conn.c -- chat-irc's connection: the epoll set, lines out, closing.
 *
 * Owns what every other file of chat-irc shares below the protocol:
 * a line queued whole with its CRLF (cut to LINELEN, never split), a
 * numeric with the server's prefix and the client's nick, the output
 * queue bounded by max_sendq ("SendQ exceeded" past it), and the end of
 * the connection with "ERROR".  It calls nothing above it.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "irc.h"

void
irc_update_events(struct irc *i)
{
	client_update_events(&i->client, !i->in_eof && !i->throttled &&
	    i->state != IRC_CLOSING, outq_pending(&i->out) > 0);
}

int
irc_flush(struct irc *i)
{
	switch (outq_flush(&i->out, i->client.out_fd)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		irc_close(i, DISC_ERROR, "write error");
		return 0;	/* nothing more can be written */
	}
}

int
irc_send_pieces(struct irc *i, const struct outq_piece *p, size_t n)
{
	struct outq_piece all[18];
	size_t len = 0, k, t = 0;

	if (i->state == IRC_CLOSING || n + 2 > sizeof(all) / sizeof(all[0]))
		return -1;
	/* Tags (server-time) come before the line and count apart. */
	if (i->tags[0] != '\0')
		all[t++] = (struct outq_piece){ i->tags, strlen(i->tags) };
	/* Cut to LINELEN: the last pieces give way first. */
	for (k = 0; k < n; k++) {
		all[t + k] = p[k];
		if (len + all[t + k].len > i->linelen - 2)
			all[t + k].len = i->linelen - 2 - len;
		len += all[t + k].len;
	}
	all[t + n] = (struct outq_piece){ "\r\n", 2 };
	if (outq_append_pieces(&i->out, all, t + n + 1) == 0)
		return 0;
	irc_close(i, DISC_SENDQ, "SendQ exceeded");
	return -1;
}

static int
vsend(struct irc *i, const char *head, const char *fmt, va_list ap)
{
	struct outq_piece p[2];
	int n;

	n = vsnprintf(i->outline, i->linelen + 1, fmt, ap);
	if (n < 0)
		return -1;
	p[0] = (struct outq_piece){ head, strlen(head) };
	p[1] = (struct outq_piece){ i->outline, strlen(i->outline) };
	return irc_send_pieces(i, p, 2);
}

int
irc_send(struct irc *i, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsend(i, "", fmt, ap);
	va_end(ap);
	return rc;
}

int
irc_numeric(struct irc *i, int numeric, const char *fmt, ...)
{
	char head[2 * SHM_NAME_MAX + 16];
	va_list ap;
	int rc;

	snprintf(head, sizeof(head), ":%s %03d %s ", i->server, numeric,
	    i->nick[0] != '\0' ? i->nick : "*");
	va_start(ap, fmt);
	rc = vsend(i, head, fmt, ap);
	va_end(ap);
	return rc;
}

void
irc_close(struct irc *i, int disc_reason, const char *why)
{
	if (i->state == IRC_CLOSING)
		return;
	if (i->state == IRC_CHAT)
		atomic_fetch_add(&i->shm.hdr->st_disconnects[disc_reason], 1);
	user_leave(i, why);
	i->state = IRC_CLOSING;
	if (disc_reason == DISC_SENDQ)
		outq_drop_unsent(&i->out);
	/* Straight to the queue: nothing above may queue more now. */
	if (outq_appendf(&i->out, "ERROR :Closing link: %s\r\n", why) == -1)
		log_debug("%s: no room for the ERROR line", i->client.peer);
	log_debug("%s: close%s%s: %s", i->client.peer, i->nick[0] ? " " : "",
	    i->nick, why);
}

int
irc_is_lobby(const struct irc *i, const char *channel)
{
	return strcasecmp(channel, i->lobby) == 0;
}

void
irc_mask(const struct irc *i, const char *nick, char *buf, size_t size)
{
	snprintf(buf, size, "%s!%s@%s", nick, nick, i->server);
}

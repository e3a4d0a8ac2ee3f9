/*
 * receive.c -- the client's bytes, before they are lines.
 *
 * Owns reading the socket into the line framer through the telnet
 * filter (lib/telnet.c; its answers join the output queue), stamping
 * s_last_active (the client was heard from: what takeover_after
 * measures), what the kernel still holds, and throwing away what was
 * typed ahead of the answer to a wrong password.
 */
#include <sys/ioctl.h>

#include <linux/sockios.h>
#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>

#include "clock.h"
#include "session.h"

/*
 * A telnet answer.  The output queue holds only whole lines between
 * events, so it goes between two lines, never inside one.
 */
static void
telnet_reply(void *arg, const unsigned char *seq, size_t len)
{
	struct session *s = arg;

	if (s->state != SESSION_CLOSING &&
	    outq_append(&s->out, (const char *)seq, len) == -1)
		session_close(s, DISC_SENDQ, "SendQ exceeded");
}

size_t
receive_pending(const struct session *s)
{
	int queued = 0;

	if (ioctl(s->client.in_fd, SIOCINQ, &queued) == -1 || queued < 0)
		return 0;
	return (size_t)queued;
}

ssize_t
receive_some(struct session *s, size_t max)
{
	char *where;
	size_t room;
	ssize_t n;

	room = linebuf_room(&s->in, &where);
	n = read(s->client.in_fd, where, room < max ? room : max);
	if (n <= 0)
		return n;
	linebuf_commit(&s->in, telnet_filter(&s->tn, where, (size_t)n,
	    telnet_reply, s));
	atomic_store_explicit(&shm_slot(&s->shm, s->slot)->s_last_active,
	    clock_unix_seconds(), memory_order_relaxed);
	return n;
}

void
receive_discard_typed_ahead(struct session *s)
{
	size_t queued = receive_pending(s);
	int inside = linebuf_drop(&s->in);
	ssize_t n;

	/*
	 * Only what the kernel holds now: a FIN behind it is still read as
	 * end of input, and what arrives later answers the next prompt.
	 */
	while (queued > 0 && s->state != SESSION_CLOSING) {
		if ((n = receive_some(s, queued)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		queued -= (size_t)n < queued ? (size_t)n : queued;
		/* Telnet commands alone leave nothing to drop. */
		if (linebuf_pending(&s->in) > 0)
			inside = linebuf_drop(&s->in);
	}
	if (inside)
		linebuf_skip_line(&s->in);
}


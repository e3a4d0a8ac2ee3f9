/*
 * input.c -- reading the client.
 *
 * Owns the line framer of the connection: it reads what the socket has,
 * takes telnet commands out of it (lib/telnet.c; the answers join the
 * output queue), splits it into lines, reports overlong lines once, and
 * hands each line to commands.c.  End of input ends the session after
 * the last (unterminated) line is handled.  Every read stamps
 * s_last_active: the client was heard from (what takeover_after
 * measures).  After a wrong password it throws away what was typed
 * ahead (input_discard_typed_ahead).
 */
#include <sys/ioctl.h>

#include <linux/sockios.h>
#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "session.h"

#define READS_PER_WAKE	16	/* then let other events run */

/* Handle the complete lines held, as far as flood control allows. */
void
input_lines(struct session *s)
{
	char *line;
	size_t len;
	enum line_result r;

	int took;

	while (s->state != SESSION_CLOSING) {
		took = 0;
		if (s->state == SESSION_CHAT && linebuf_pending(&s->in) > 0) {
			if (!flood_take(s))
				return;
			took = 1;
		}
		if ((r = linebuf_next(&s->in, &line, &len)) == LINE_NONE) {
			if (took)
				flood_refund(s);
			return;
		}
		if (r == LINE_TOOLONG)
			reply_status(s, CR_LINE_TOO_LONG, s->shm.geo.max_line);
		else
			commands_line(s, line, len);
	}
}

/*
 * After end of input: once every held line is handled (a throttle may
 * delay that), handle the unterminated last line and close.
 */
void
input_finish(struct session *s)
{
	char *line;
	size_t len;

	if (!s->in_eof || s->throttled || s->state == SESSION_CLOSING)
		return;
	/* An overlong last line needs no reply: nobody reads it. */
	if (linebuf_finish(&s->in, &line, &len) == LINE_OK)
		commands_line(s, line, len);
	if (s->state != SESSION_CLOSING)
		session_close(s, s->state == SESSION_CHAT ? DISC_QUIT : DISC_EOF,
		    "connection closed");
}

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
input_in_kernel(const struct session *s)
{
	int queued = 0;

	if (ioctl(s->in_fd, SIOCINQ, &queued) == -1 || queued < 0)
		return 0;
	return (size_t)queued;
}

/*
 * Read at most max bytes into the framer, through the telnet filter (its
 * answers are queued), and stamp s_last_active.  The bytes read, 0 at end
 * of input, or -1 (errno) on a failed read.
 */
static ssize_t
read_some(struct session *s, size_t max)
{
	char *where;
	size_t room;
	ssize_t n;

	room = linebuf_room(&s->in, &where);
	n = read(s->in_fd, where, room < max ? room : max);
	if (n <= 0)
		return n;
	linebuf_commit(&s->in, telnet_filter(&s->tn, where, (size_t)n,
	    telnet_reply, s));
	atomic_store_explicit(&shm_slot(&s->shm, s->slot)->s_last_active,
	    clock_unix_seconds(), memory_order_relaxed);
	return n;
}

void
input_discard_typed_ahead(struct session *s)
{
	size_t queued = input_in_kernel(s);
	int inside = linebuf_drop(&s->in);
	ssize_t n;

	/*
	 * Only what the kernel holds now: a FIN behind it is still read as
	 * end of input, and what arrives later answers the next prompt.
	 */
	while (queued > 0 && s->state != SESSION_CLOSING) {
		if ((n = read_some(s, queued)) == -1 && errno == EINTR)
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

void
input_read(struct session *s)
{
	ssize_t n;

	for (int i = 0; i < READS_PER_WAKE && s->state != SESSION_CLOSING &&
	    !s->throttled; i++) {
		n = read_some(s, SIZE_MAX);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			session_close(s, DISC_ERROR, errno == ECONNRESET ?
			    "connection reset by peer" : errno == ETIMEDOUT ?
			    "connection timed out" : "read error");
			return;
		}
		if (n == 0) {
			s->in_eof = 1;
			input_lines(s);
			input_finish(s);
			return;
		}
		input_lines(s);
	}
}

/*
 * telnet.c -- take telnet commands out of a client's byte stream.
 *
 * A state machine over the bytes as they are read (see telnet.h for what
 * is answered and what is dropped).  It never buffers: a subnegotiation
 * is skipped byte by byte, so garbage costs no memory.  What it keeps
 * is text for the line framer; what a line may contain is text.c's
 * business.
 */
#include <string.h>

#include "telnet.h"

enum {
	TN_DATA,	/* text */
	TN_IAC,		/* after IAC: a command byte comes */
	TN_OPTION,	/* after IAC DO/DONT/WILL/WONT: the option comes */
	TN_SB,		/* inside IAC SB ... */
	TN_SB_IAC,	/* inside a subnegotiation, after IAC */
};

void
telnet_init(struct telnet *t)
{
	memset(t, 0, sizeof(*t));
}

/* The answer to IAC verb option, if any. */
static void
answer(uint8_t verb, uint8_t option, telnet_reply_fn *reply, void *arg)
{
	unsigned char seq[3] = { TELNET_IAC, 0, option };

	if (verb == TELNET_DO)
		seq[1] = option == TELNET_TM ? TELNET_WILL : TELNET_WONT;
	else if (verb == TELNET_WILL)
		seq[1] = TELNET_DONT;
	else
		return;		/* DONT, WONT: we never enabled anything */
	reply(arg, seq, sizeof(seq));
}

/*
 * The byte after IAC: the state it leads to.  Returns how many bytes it
 * leaves in the text at out: 1 for IAC IAC (an escaped 0xFF), 2 for IAC
 * and a byte that is no telnet command (both stay: 0xFF is never valid
 * UTF-8, so the line is refused), else 0.
 */
static size_t
command(struct telnet *t, uint8_t c, char *out)
{
	t->t_state = TN_DATA;
	if (c == TELNET_IAC) {
		out[0] = (char)TELNET_IAC;
		return 1;
	}
	if (c >= TELNET_WILL) {
		t->t_verb = c;
		t->t_state = TN_OPTION;
	} else if (c == TELNET_SB) {
		t->t_sb_len = 0;
		t->t_state = TN_SB;
	} else if (c < TELNET_SE) {
		out[0] = (char)TELNET_IAC;
		out[1] = (char)c;
		return 2;
	}
	/* SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA: nothing to do. */
	return 0;
}

/* One byte of a subnegotiation; gives up on one that never ends. */
static void
subneg(struct telnet *t, uint8_t c)
{
	if (++t->t_sb_len > TELNET_SB_MAX) {
		t->t_state = TN_DATA;
		return;
	}
	if (t->t_state == TN_SB) {
		if (c == TELNET_IAC)
			t->t_state = TN_SB_IAC;
		return;
	}
	/* After IAC inside: SE ends it, IAC IAC is data, else malformed. */
	if (c == TELNET_SE)
		t->t_state = TN_DATA;
	else if (c == TELNET_IAC)
		t->t_state = TN_SB;
}

size_t
telnet_filter(struct telnet *t, char *buf, size_t n, telnet_reply_fn *reply,
    void *arg)
{
	size_t kept = 0;
	uint8_t c;

	/*
	 * An IAC ended the last call: put it back in front and read it
	 * again, so that IAC and a non-command byte can become two bytes of
	 * text without writing over a byte not read yet.
	 */
	if ((t->t_state == TN_IAC || t->t_state == TN_SB_IAC) && n > 0) {
		memmove(buf + 1, buf, n++);
		buf[0] = (char)TELNET_IAC;
		if (t->t_state == TN_IAC)
			t->t_state = TN_DATA;
		else {
			t->t_state = TN_SB;
			t->t_sb_len--;
		}
	}
	for (size_t i = 0; i < n; i++) {
		c = (uint8_t)buf[i];
		switch (t->t_state) {
		case TN_DATA:
			if (c == TELNET_IAC)
				t->t_state = TN_IAC;
			else
				buf[kept++] = (char)c;
			break;
		case TN_IAC:
			kept += command(t, c, buf + kept);
			break;
		case TN_OPTION:
			t->t_state = TN_DATA;
			answer(t->t_verb, c, reply, arg);
			break;
		case TN_SB_IAC:
			/*
			 * IAC then neither SE nor IAC: the subnegotiation was
			 * cut short; this is a command of its own (RFC 854
			 * leaves it open; telnetd reads it so).
			 */
			if (c != TELNET_SE && c != TELNET_IAC) {
				kept += command(t, c, buf + kept);
				break;
			}
			subneg(t, c);
			break;
		default:
			subneg(t, c);
			break;
		}
	}
	return kept;
}

/*
 * fuzz_telnet.c -- libFuzzer target: telnet commands taken out of client
 * input in place, in front of the line framer, as input_read() does it.
 *
 * The stream is read in chunks into lib/linebuf.c's buffer, filtered
 * there by lib/telnet.c (which may grow a chunk by one byte, into the
 * framer's spare byte) and framed.  The answers, and the lines and
 * overlong reports, are compared with a decoder written apart that reads
 * the whole stream at once, looking ahead instead of keeping state, and
 * with the framing rule applied to its text.  ASan watches the in-place
 * writes and the spare byte.
 *
 * Input: byte 0 picks max_line (1..80), byte 1 seeds the chunk sizes,
 * byte 2 caps the lines taken per read (0: all, as a session does), the
 * rest is the stream.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "frame_model.h"
#include "linebuf.h"
#include "telnet.h"

enum { IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250,
    SE = 240 };

struct out {
	uint8_t	*text, *rep;
	size_t	 tlen, rlen;
};

/*
 * Skip a subnegotiation whose body starts at j.  Returns where text
 * resumes, or, with *cmd set, the index of a command byte that cut it
 * short (IAC, then neither SE nor IAC).
 */
static size_t
ref_subneg(const uint8_t *s, size_t n, size_t j, int *cmd)
{
	size_t count = 0;

	*cmd = 0;
	for (;;) {
		if (j >= n)
			return n;
		if (++count > TELNET_SB_MAX)
			return j + 1;
		if (s[j] != IAC) {
			j++;
			continue;
		}
		if (j + 1 >= n)
			return n;
		if (s[j + 1] != SE && s[j + 1] != IAC) {
			*cmd = 1;
			return j + 1;
		}
		if (++count > TELNET_SB_MAX || s[j + 1] == SE)
			return j + 2;
		j += 2;
	}
}

/* The whole stream at once: text and answers. */
static void
ref_decode(const uint8_t *s, size_t n, struct out *o)
{
	size_t i = 0, k;
	int cmd;
	uint8_t d;

	while (i < n) {
		if (s[i] != IAC) {
			o->text[o->tlen++] = s[i++];
			continue;
		}
		k = i + 1;
again:
		if (k >= n)
			return;
		d = s[k];
		if (d == IAC) {
			o->text[o->tlen++] = IAC;
			i = k + 1;
		} else if (d >= WILL) {
			if (k + 1 >= n)
				return;
			if (d == DO || d == WILL) {
				o->rep[o->rlen++] = IAC;
				o->rep[o->rlen++] = d == WILL ? DONT :
				    s[k + 1] == 6 ? WILL : WONT;
				o->rep[o->rlen++] = s[k + 1];
			}
			i = k + 2;
		} else if (d == SB) {
			i = ref_subneg(s, n, k + 1, &cmd);
			if (cmd) {
				k = i;
				goto again;
			}
		} else if (d >= SE)
			i = k + 1;
		else {
			o->text[o->tlen++] = IAC;
			o->text[o->tlen++] = d;
			i = k + 1;
		}
	}
}

static void
collect(void *arg, const unsigned char *seq, size_t len)
{
	struct out *o = arg;

	check(len == 3);
	memcpy(o->rep + o->rlen, seq, len);
	o->rlen += len;
}

static void
got(const struct linebuf *lb, enum line_result r, char *line, size_t len,
    const struct event *want)
{
	check(r == want->kind);
	if (r != LINE_OK)
		return;
	check(len == want->len && len <= lb->max_line);
	check(line >= lb->buf && line + len <= lb->buf + lb->cap + 1);
	check(memcmp(line, want->text, len) == 0);
	line[len] = '\0';	/* as commands_line does */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	struct telnet t;
	struct out ref, real;
	struct event *ev;
	size_t max_line, per_read, nev, at = 0, pos = 0, room, n, kept, taken,
	    len;
	uint32_t rng;
	enum line_result r;
	char *where, *line;

	if (size < 3)
		return 0;
	max_line = 1 + data[0] % 80;
	rng = 0x9e3779b9u ^ data[1];
	per_read = data[2] % 4;
	data += 3;
	size -= 3;

	/* Answers: 3 bytes for at most every 3 input bytes. */
	ref.text = malloc(size + 1);
	ref.rep = malloc(size + 3);
	real.rep = malloc(size + 3);
	ev = calloc(size + 1, sizeof(*ev));
	check(ref.text && ref.rep && real.rep && ev);
	ref.tlen = ref.rlen = real.rlen = 0;
	ref_decode(data, size, &ref);
	check(ref.tlen <= size);
	nev = frame_model(ref.text, ref.tlen, max_line, ev);

	check(linebuf_init(&lb, max_line) == 0);
	telnet_init(&t);
	while (pos < size) {
		room = linebuf_room(&lb, &where);
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		n = 1 + rng % (2 * lb.cap);
		if (n > room)
			n = room;
		if (n > size - pos)
			n = size - pos;
		memcpy(where, data + pos, n);
		pos += n;
		kept = telnet_filter(&t, where, n, collect, &real);
		check(kept <= n + 1);
		linebuf_commit(&lb, kept);
		check(lb.len <= lb.cap + 1);
		/* Lines may stay held (flood control); never block forever. */
		for (taken = 0; per_read == 0 || taken < per_read ||
		    linebuf_room(&lb, &where) == 0; taken++) {
			if ((r = linebuf_next(&lb, &line, &len)) == LINE_NONE)
				break;
			check(at < nev);
			got(&lb, r, line, len, &ev[at++]);
		}
	}
	while ((r = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
		check(at < nev);
		got(&lb, r, line, len, &ev[at++]);
	}
	if ((r = linebuf_finish(&lb, &line, &len)) != LINE_NONE) {
		check(at < nev);
		got(&lb, r, line, len, &ev[at++]);
	}
	check(at == nev);
	check(real.rlen == ref.rlen && memcmp(real.rep, ref.rep, ref.rlen) == 0);

	linebuf_free(&lb);
	free(ref.text);
	free(ref.rep);
	free(real.rep);
	free(ev);
	return 0;
}

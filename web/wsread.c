/*
 * wsread.c -- reading a client's WebSocket frames (wsread.h).
 */
#include <string.h>

#include "text.h"
#include "wsread.h"

void
ws_reader_init(struct ws_reader *r, char *msg, size_t msg_max)
{
	memset(r, 0, sizeof(*r));
	r->msg = msg;
	r->msg_max = msg_max;
}

static int
fail(struct ws_reader *r, struct ws_in *in, uint16_t code, const char *why)
{
	r->failed = 1;
	in->kind = WS_IN_FAIL;
	in->code = code;
	in->why = why;
	return -1;
}

static int
is_control(uint8_t opcode)
{
	return opcode >= WS_OP_CLOSE;
}

/*
 * The first two bytes: what they alone decide (RFC 6455, 5.2 and 5.5).
 * 0, or -1 with *in the failure.
 */
static int
check_start(struct ws_reader *r, struct ws_in *in)
{
	uint8_t b0 = r->head[0], b1 = r->head[1], len7 = b1 & 0x7f;

	r->fin = b0 >> 7;
	r->opcode = b0 & 0x0f;
	if (b0 & 0x70)
		return fail(r, in, 1002, "reserved bits set");
	switch (r->opcode) {
	case WS_OP_CONTINUATION:
	case WS_OP_TEXT:
	case WS_OP_BINARY:
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		break;
	default:
		return fail(r, in, 1002, "reserved opcode");
	}
	if (!(b1 & 0x80))
		return fail(r, in, 1002, "a client's frame must be masked");
	if (is_control(r->opcode) && !r->fin)
		return fail(r, in, 1002, "a fragmented control frame");
	if (is_control(r->opcode) && len7 > WS_CONTROL_MAX)
		return fail(r, in, 1002, "a control frame over 125 bytes");
	if (r->opcode == WS_OP_CONTINUATION && !r->in_message)
		return fail(r, in, 1002, "a continuation with no message");
	if ((r->opcode == WS_OP_TEXT || r->opcode == WS_OP_BINARY) && r->in_message)
		return fail(r, in, 1002, "a new message inside a fragmented one");
	if (r->opcode == WS_OP_BINARY)
		return fail(r, in, 1003, "binary messages are not accepted");
	return 0;
}

/* Header bytes in all, known once the first two are in. */
static size_t
head_size(const struct ws_reader *r)
{
	uint8_t len7 = r->head[1] & 0x7f;

	if (r->head_len < 2)
		return 2;
	return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
}

/* The whole header: its length, minimal and in range, and the mask. */
static int
check_length(struct ws_reader *r, struct ws_in *in)
{
	uint8_t len7 = r->head[1] & 0x7f;
	uint64_t len = len7;
	size_t at = 2, have;

	if (len7 == 126) {
		len = (uint64_t)r->head[2] << 8 | r->head[3];
		at = 4;
		if (len < 126)
			return fail(r, in, 1002, "a length not in its shortest form");
	} else if (len7 == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | r->head[2 + i];
		at = 10;
		if (len >> 63)
			return fail(r, in, 1002, "a length with its top bit set");
		if (len < 65536)
			return fail(r, in, 1002, "a length not in its shortest form");
	}
	have = r->opcode == WS_OP_TEXT ? 0 : r->msg_len;	/* a new message */
	if (!is_control(r->opcode) && len > r->msg_max - have)
		return fail(r, in, 1009, "the message is too big");
	memcpy(r->mask, r->head + at, 4);
	if (r->opcode == WS_OP_TEXT) {
		r->in_message = 1;
		r->msg_len = 0;
	}
	r->payload_len = len;
	r->payload_got = 0;
	r->in_payload = 1;
	return 0;
}

/* Unmask payload bytes into the message or the control buffer. */
static size_t
take_payload(struct ws_reader *r, const char *buf, size_t len)
{
	uint64_t left = r->payload_len - r->payload_got;
	size_t n = left < len ? (size_t)left : len;
	char *to = is_control(r->opcode) ? r->control + r->payload_got :
	    r->msg + r->msg_len + r->payload_got;

	for (size_t i = 0; i < n; i++)
		to[i] = (char)(buf[i] ^ r->mask[(r->payload_got + i) & 3]);
	r->payload_got += n;
	return n;
}

static int
close_code_valid(uint16_t code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	    (code >= 3000 && code <= 4999);
}

static int
close_frame(struct ws_reader *r, struct ws_in *in)
{
	size_t len = (size_t)r->payload_len;

	if (len == 1)
		return fail(r, in, 1002, "a close code of one byte");
	r->failed = 1;		/* nothing is read after a close */
	in->kind = WS_IN_CLOSE;
	in->code = 0;
	in->text = r->control;
	in->len = 0;
	if (len == 0)
		return 0;
	in->code = (uint16_t)((uint8_t)r->control[0] << 8 | (uint8_t)r->control[1]);
	if (!close_code_valid(in->code))
		return fail(r, in, 1002, "an invalid close code");
	if (text_check(r->control + 2, len - 2) == TEXT_BAD_UTF8)
		return fail(r, in, 1007, "a close reason that is not UTF-8");
	in->text = r->control + 2;
	in->len = len - 2;
	return 0;
}

/* A frame is whole: 1 with *in what it meant, or 0 (a fragment). */
static int
frame_done(struct ws_reader *r, struct ws_in *in)
{
	r->in_payload = 0;
	r->head_len = 0;
	switch (r->opcode) {
	case WS_OP_CLOSE:
		close_frame(r, in);
		return 1;
	case WS_OP_PING:
	case WS_OP_PONG:
		in->kind = r->opcode == WS_OP_PING ? WS_IN_PING : WS_IN_PONG;
		in->text = r->control;
		in->len = (size_t)r->payload_len;
		return 1;
	}
	r->msg_len += (size_t)r->payload_len;
	if (!r->fin)
		return 0;
	r->in_message = 0;
	if (text_check(r->msg, r->msg_len) == TEXT_BAD_UTF8) {
		fail(r, in, 1007, "text that is not UTF-8");
		return 1;
	}
	in->kind = WS_IN_TEXT;
	in->text = r->msg;
	in->len = r->msg_len;
	return 1;
}

void
ws_reader_next(struct ws_reader *r, const char *buf, size_t len, size_t *used,
    struct ws_in *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = WS_IN_MORE;
	*used = 0;
	if (r->failed) {
		*used = len;	/* after a close or a failure: ignored */
		return;
	}
	while (*used < len) {
		if (!r->in_payload) {
			r->head[r->head_len++] = (uint8_t)buf[(*used)++];
			if (r->head_len == 2 && check_start(r, in) == -1)
				return;
			if (r->head_len < head_size(r))
				continue;
			if (check_length(r, in) == -1)
				return;
		} else
			*used += take_payload(r, buf + *used, len - *used);
		if (r->payload_got < r->payload_len)
			continue;
		if (frame_done(r, in))
			return;
	}
}

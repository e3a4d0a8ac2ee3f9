/*
 * fuzz_wsread.c -- libFuzzer target for chat-web's WebSocket frame
 * reader (web/wsread.c): the bytes a client sends after the upgrade.
 *
 * The first input byte chooses the message limit (16 to 4111 bytes) and
 * the chunk size the rest is fed in.  Checked:
 *   - every call uses at most the bytes it is given, and each call either
 *     uses a byte or reports something (no endless loop);
 *   - a text message is at most the limit and valid UTF-8, a ping's,
 *     pong's or close reason's payload at most 125 bytes;
 *   - a failure carries 1002, 1003, 1007 or 1009, a close a valid code;
 *   - after a failure or a close, every byte is ignored;
 *   - feeding the bytes all at once and in chunks gives the same results,
 *     in the same order.
 */
#include <string.h>

#include "fuzz.h"
#include "text.h"
#include "wsread.h"

#define RESULTS_MAX	512

struct result {
	enum ws_in_kind	kind;
	uint16_t	code;
	size_t		len;
	uint32_t	sum;	/* of the text, to compare runs */
};

static uint32_t
sum(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void
check_result(const struct ws_in *in, size_t max)
{
	switch (in->kind) {
	case WS_IN_TEXT:
		check(in->len <= max);
		check(text_check(in->text, in->len) != TEXT_BAD_UTF8);
		break;
	case WS_IN_PING:
	case WS_IN_PONG:
		check(in->len <= WS_CONTROL_MAX);
		break;
	case WS_IN_CLOSE:
		check(in->len <= WS_CONTROL_MAX - 2);
		check(in->code == 0 || (in->code >= 1000 && in->code <= 4999));
		break;
	case WS_IN_FAIL:
		check(in->code == 1002 || in->code == 1003 || in->code == 1007 ||
		    in->code == 1009);
		check(in->why != NULL);
		break;
	case WS_IN_MORE:
		break;
	}
}

/* Feed data in chunks of chunk bytes; the results in out. */
static size_t
run(const char *data, size_t size, size_t chunk, size_t max,
    struct result *out)
{
	static char msg[4200];
	struct ws_reader r;
	struct ws_in in;
	size_t at = 0, n = 0, used, piece;
	int ended = 0;

	ws_reader_init(&r, msg, max);
	while (at < size && n < RESULTS_MAX) {
		piece = size - at < chunk ? size - at : chunk;
		ws_reader_next(&r, data + at, piece, &used, &in);
		check(used <= piece);
		check(used > 0 || in.kind != WS_IN_MORE);
		check(!ended || (used == piece && in.kind == WS_IN_MORE));
		check_result(&in, max);
		at += used;
		if (in.kind == WS_IN_MORE)
			continue;
		ended |= in.kind == WS_IN_FAIL || in.kind == WS_IN_CLOSE;
		out[n].kind = in.kind;
		out[n].code = in.code;
		out[n].len = in.len;
		out[n].sum = sum(in.text != NULL ? in.text : "", in.len);
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct result whole[RESULTS_MAX], chunked[RESULTS_MAX];
	size_t max, chunk, a, b;

	if (size < 1)
		return 0;
	max = 16 + (size_t)(data[0] & 0x0f) * 256 + (data[0] >> 4);
	chunk = 1 + (data[0] >> 4);
	a = run((const char *)data + 1, size - 1, size, max, whole);
	b = run((const char *)data + 1, size - 1, chunk, max, chunked);
	if (a < RESULTS_MAX && b < RESULTS_MAX) {
		check(a == b);
		for (size_t i = 0; i < a; i++) {
			check(whole[i].kind == chunked[i].kind);
			check(whole[i].code == chunked[i].code);
			check(whole[i].len == chunked[i].len);
			check(whole[i].sum == chunked[i].sum);
		}
	}
	return 0;
}

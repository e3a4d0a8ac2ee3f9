/*
 * fuzz_ctl.c -- libFuzzer target: the control-socket message decoder.
 *
 * Every input is one datagram given to ctl_decode (lib/ctl.c), once at
 * the start of an exactly sized buffer and once one byte in (the slots
 * of a wake message may be unaligned).  A message it accepts must be
 * consistent with the bytes it came from: the header's length equals the
 * payload, the type is known, a fixed type has its exact size, a wake's
 * count is 1..CTL_WAKE_MAX and count * 4 fills the rest, strings are
 * NUL-ended, and encoding the decoded message again gives the same bytes.
 * A message it refuses must come with a NUL-ended reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fuzz.h"

/* Room for any message ctl_encode builds, suitably aligned. */
static uint32_t encoded[CTL_MSG_MAX / sizeof(uint32_t) + 1];

static void
accepted(const uint8_t *buf, size_t len, const struct ctl_msg *msg)
{
	struct ctl_header h;
	uint8_t *copy;
	size_t payload, elen;
	uint32_t count, slot;

	check(len >= sizeof(h) && len <= CTL_MSG_MAX);
	memcpy(&h, buf, sizeof(h));
	payload = len - sizeof(h);
	check(h.version == CTL_VERSION);
	check(h.length == payload);
	check(h.type == (uint16_t)msg->type);

	if (msg->type == CTL_WAKE) {
		memcpy(&count, buf + sizeof(h), sizeof(count));
		check(msg->wake_count == count);
		check(count >= 1 && count <= CTL_WAKE_MAX);
		check(payload == sizeof(struct ctl_wake) +
		    (size_t)count * sizeof(uint32_t));
		check((const uint8_t *)msg->wake_slots ==
		    buf + sizeof(h) + sizeof(struct ctl_wake));
		/* Read every slot the way the hub does; ASan sees the end. */
		for (uint32_t i = 0; i < count; i++) {
			memcpy(&slot, (const uint8_t *)msg->wake_slots +
			    i * sizeof(uint32_t), sizeof(slot));
			check(memcmp(&slot, buf + sizeof(h) + sizeof(count) +
			    i * sizeof(uint32_t), sizeof(slot)) == 0);
		}
		elen = ctl_encode_wake(encoded, msg->wake_slots, count);
		check(elen == len && memcmp(encoded, buf, len) == 0);
		return;
	}

	check(msg->wake_slots == NULL && msg->wake_count == 0);
	switch (msg->type) {
	case CTL_HELLO:
		check(payload == sizeof(struct ctl_hello));
		break;
	case CTL_WELCOME:
		check(payload == sizeof(struct ctl_welcome));
		break;
	case CTL_REFUSE:
		check(payload == sizeof(struct ctl_text));
		check(memchr(msg->u.text.text, '\0', CTL_REASON_MAX) != NULL);
		break;
	case CTL_KICK:
		check(payload == sizeof(struct ctl_kick));
		check(memchr(msg->u.kick.name, '\0', CTL_NAME_MAX) != NULL);
		check(memchr(msg->u.kick.reason, '\0', CTL_REASON_MAX) != NULL);
		break;
	case CTL_OK:
		check(payload == 0);
		break;
	case CTL_PRESENCE:
		check(payload == sizeof(struct ctl_presence));
		break;
	default:
		check(!"ctl_decode accepted an unknown type");
	}

	/* Encoded again it is the input, but for the NULs the decoder forces. */
	copy = malloc(len);
	check(copy != NULL);
	memcpy(copy, buf, len);
	if (msg->type == CTL_REFUSE)
		copy[sizeof(h) + CTL_REASON_MAX - 1] = '\0';
	if (msg->type == CTL_KICK) {
		copy[sizeof(h) + CTL_NAME_MAX - 1] = '\0';
		copy[sizeof(h) + CTL_NAME_MAX + CTL_REASON_MAX - 1] = '\0';
	}
	elen = ctl_encode(encoded, msg->type, &msg->u, payload);
	check(elen == len && memcmp(encoded, copy, len) == 0);
	free(copy);
}

static void
decode(const uint8_t *buf, size_t len, size_t errlen)
{
	struct ctl_msg msg;
	char err[256];

	memset(err, 'x', sizeof(err));
	if (ctl_decode(buf, len, &msg, err, errlen) == 0) {
		accepted(buf, len, &msg);
		return;
	}
	if (errlen > 0) {
		check(memchr(err, '\0', errlen) != NULL);
		check(errlen == 1 || err[0] != '\0');
	}
	check(errlen == sizeof(err) || err[errlen] == 'x');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *shifted;

	decode(data, size, 256);

	/* One byte in, and with a short error buffer. */
	if ((shifted = malloc(size + 1)) == NULL)
		return 0;
	memcpy(shifted + 1, data, size);
	decode(shifted + 1, size, size % 17);
	free(shifted);
	return 0;
}

/*
 * unit_ctl.c -- control-socket messages (lib/ctl.c).
 *
 * Encode/decode round trips for every type, the decoder's refusals
 * (version, type, exact lengths, wake counts), and ctl_send/ctl_recv over
 * a real SOCK_SEQPACKET socketpair, passing an eventfd.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "shm_layout.h"
#include "tap.h"

/* Room for any message and then some, suitably aligned. */
static uint32_t msgbuf[(CTL_MSG_MAX + 64) / sizeof(uint32_t)];

/* A message with the header given field by field; returns its length. */
static size_t
raw(void *buf, uint16_t version, uint16_t type, uint32_t length,
    const void *payload, size_t payload_len)
{
	struct ctl_header h = { version, type, length };

	memcpy(buf, &h, sizeof(h));
	if (payload_len > 0)
		memcpy((char *)buf + sizeof(h), payload, payload_len);
	return sizeof(h) + payload_len;
}

/* A wake message whose count field and slot bytes are given apart. */
static size_t
raw_wake(void *buf, uint32_t count, uint32_t nslots)
{
	char *p = buf;
	size_t len;

	len = sizeof(struct ctl_wake) + (size_t)nslots * sizeof(uint32_t);
	raw(p, CTL_VERSION, CTL_WAKE, (uint32_t)len, &count, sizeof(count));
	for (uint32_t i = 0; i < nslots; i++)
		memcpy(p + sizeof(struct ctl_header) + sizeof(count) +
		    i * sizeof(uint32_t), &i, sizeof(i));
	return sizeof(struct ctl_header) + len;
}

/* ctl_decode of len bytes must fail with an error holding needle. */
static void
refused(const void *buf, size_t len, const char *needle, const char *desc)
{
	struct ctl_msg msg;
	char err[256] = "";
	int rc;

	rc = ctl_decode(buf, len, &msg, err, sizeof(err));
	if (!ok(rc == -1 && strstr(err, needle) != NULL, "refused: %s", desc))
		diag("rc %d, error \"%s\", wanted \"%s\" in it", rc, err, needle);
}

static int
decodes(const void *buf, size_t len, struct ctl_msg *msg, const char *what)
{
	char err[256] = "";
	int rc;

	rc = ctl_decode(buf, len, msg, err, sizeof(err));
	if (!is_int(0, rc, "%s decodes", what))
		diag("error: %s", err);
	return rc == 0;
}

static void
test_round_trips(void)
{
	struct ctl_hello hello = { 3, 77, SHM_LAYOUT_VERSION, 0 };
	struct ctl_welcome welcome = { 42, 0 };
	struct ctl_presence presence;
	uint32_t slots[3] = { 0, 5, CTL_WAKE_MAX - 1 }, got[3];
	char longtext[300];
	struct ctl_msg msg;
	size_t len;

	len = ctl_encode(msgbuf, CTL_HELLO, &hello, sizeof(hello));
	is_int(sizeof(struct ctl_header) + sizeof(hello), (long long)len,
	    "HELLO is a header and its payload");
	if (decodes(msgbuf, len, &msg, "HELLO")) {
		is_int(CTL_HELLO, msg.type, "HELLO: type");
		ok(msg.u.hello.slot == 3 && msg.u.hello.generation == 77 &&
		    msg.u.hello.layout_version == SHM_LAYOUT_VERSION,
		    "HELLO: slot, generation and layout version survive");
	} else {
		ok(0, "HELLO: type");
		ok(0, "HELLO: slot, generation and layout version survive");
	}

	len = ctl_encode(msgbuf, CTL_WELCOME, &welcome, sizeof(welcome));
	if (decodes(msgbuf, len, &msg, "WELCOME")) {
		is_int(CTL_WELCOME, msg.type, "WELCOME: type");
		is_int(42, msg.u.welcome.hub_starts, "WELCOME: hub_starts survives");
	} else {
		ok(0, "WELCOME: type");
		ok(0, "WELCOME: hub_starts survives");
	}

	len = ctl_encode_text(msgbuf, CTL_REFUSE, "server full (1024 sessions)");
	if (decodes(msgbuf, len, &msg, "REFUSE")) {
		is_int(CTL_REFUSE, msg.type, "REFUSE: type");
		is_string("server full (1024 sessions)", msg.u.text.text,
		    "REFUSE: the reason survives");
	} else {
		ok(0, "REFUSE: type");
		ok(0, "REFUSE: the reason survives");
	}

	memset(longtext, 'r', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	len = ctl_encode_text(msgbuf, CTL_REFUSE, longtext);
	if (decodes(msgbuf, len, &msg, "REFUSE with a long reason"))
		is_int(CTL_REASON_MAX - 1, (long long)strlen(msg.u.text.text),
		    "a long reason is cut to CTL_REASON_MAX-1 bytes");
	else
		ok(0, "a long reason is cut to CTL_REASON_MAX-1 bytes");

	/* A peer's reason without a NUL still decodes to a C string. */
	memset(longtext, 'x', CTL_REASON_MAX);
	len = raw(msgbuf, CTL_VERSION, CTL_REFUSE, CTL_REASON_MAX, longtext,
	    CTL_REASON_MAX);
	if (decodes(msgbuf, len, &msg, "REFUSE without a NUL"))
		is_int(CTL_REASON_MAX - 1, (long long)strlen(msg.u.text.text),
		    "a reason without a NUL is NUL-ended by the decoder");
	else
		ok(0, "a reason without a NUL is NUL-ended by the decoder");

	len = ctl_encode_wake(msgbuf, slots, 3);
	is_int(sizeof(struct ctl_header) + sizeof(struct ctl_wake) +
	    3 * sizeof(uint32_t), (long long)len, "WAKE of 3 slots: its length");
	if (decodes(msgbuf, len, &msg, "WAKE")) {
		is_int(CTL_WAKE, msg.type, "WAKE: type");
		is_int(3, msg.wake_count, "WAKE: count survives");
		memcpy(got, msg.wake_slots, sizeof(got));
		ok(memcmp(got, slots, sizeof(got)) == 0, "WAKE: slots survive");
	} else {
		ok(0, "WAKE: type");
		ok(0, "WAKE: count survives");
		ok(0, "WAKE: slots survive");
	}

	presence.next = UINT64_C(0x1122334455667788);
	len = ctl_encode(msgbuf, CTL_PRESENCE, &presence, sizeof(presence));
	if (decodes(msgbuf, len, &msg, "PRESENCE")) {
		is_int(CTL_PRESENCE, msg.type, "PRESENCE: type");
		ok(msg.u.presence.next == UINT64_C(0x1122334455667788),
		    "PRESENCE: the log position survives");
	} else {
		ok(0, "PRESENCE: type");
		ok(0, "PRESENCE: the log position survives");
	}
	len = raw(msgbuf, CTL_VERSION, CTL_PRESENCE, 4, &presence, 4);
	refused(msgbuf, len, "expected 8", "a PRESENCE of 4 bytes");

	len = raw_wake(msgbuf, CTL_WAKE_MAX, CTL_WAKE_MAX);
	is_int(CTL_MSG_MAX, (long long)len, "a wake of CTL_WAKE_MAX slots is CTL_MSG_MAX");
	if (decodes(msgbuf, len, &msg, "WAKE of CTL_WAKE_MAX slots"))
		is_int(CTL_WAKE_MAX, msg.wake_count, "WAKE of CTL_WAKE_MAX: count");
	else
		ok(0, "WAKE of CTL_WAKE_MAX: count");
}

static void
test_refusals(void)
{
	struct ctl_hello hello = { 1, 2, SHM_LAYOUT_VERSION, 0 };
	unsigned char payload[sizeof(struct ctl_text) + 8];
	struct ctl_header h;
	size_t len;

	memset(payload, 0, sizeof(payload));
	len = ctl_encode(msgbuf, CTL_HELLO, &hello, sizeof(hello));
	refused(msgbuf, 0, "short", "an empty message");
	refused(msgbuf, sizeof(struct ctl_header) - 1, "short",
	    "a message shorter than the header");

	len = raw(msgbuf, CTL_VERSION + 1, CTL_HELLO, sizeof(hello), &hello,
	    sizeof(hello));
	refused(msgbuf, len, "version", "another protocol version");
	len = raw(msgbuf, 0, CTL_HELLO, sizeof(hello), &hello, sizeof(hello));
	refused(msgbuf, len, "version", "protocol version 0");

	len = raw(msgbuf, CTL_VERSION, 0, 0, NULL, 0);
	refused(msgbuf, len, "unknown", "type 0");
	len = raw(msgbuf, CTL_VERSION, CTL_PRESENCE + 1, 8, payload, 8);
	refused(msgbuf, len, "unknown", "the type after the last one");
	len = raw(msgbuf, CTL_VERSION, 0xffff, 0, NULL, 0);
	refused(msgbuf, len, "unknown", "type 0xffff");

	/* The length field must match the bytes received. */
	len = ctl_encode(msgbuf, CTL_HELLO, &hello, sizeof(hello));
	refused(msgbuf, len - 1, "length", "a HELLO missing its last byte");
	refused(msgbuf, len + 1, "length", "a HELLO with a byte after it");
	memcpy(&h, msgbuf, sizeof(h));
	h.length++;
	memcpy(msgbuf, &h, sizeof(h));
	refused(msgbuf, len, "length", "a length field one more than the bytes");
	h.length -= 2;
	memcpy(msgbuf, &h, sizeof(h));
	refused(msgbuf, len, "length", "a length field one less than the bytes");

	/* Each type has an exact payload size, whatever the header says. */
	len = raw(msgbuf, CTL_VERSION, CTL_HELLO, sizeof(hello) + 1, payload,
	    sizeof(hello) + 1);
	refused(msgbuf, len, "expected", "a HELLO one byte too long");
	len = raw(msgbuf, CTL_VERSION, CTL_HELLO, sizeof(hello) - 1, payload,
	    sizeof(hello) - 1);
	refused(msgbuf, len, "expected", "a HELLO one byte too short");
	len = raw(msgbuf, CTL_VERSION, CTL_HELLO, 0, NULL, 0);
	refused(msgbuf, len, "expected", "a HELLO with no payload");
	len = raw(msgbuf, CTL_VERSION, CTL_WELCOME,
	    sizeof(struct ctl_welcome) + 1, payload, sizeof(struct ctl_welcome) + 1);
	refused(msgbuf, len, "expected", "a WELCOME one byte too long");
	len = raw(msgbuf, CTL_VERSION, CTL_REFUSE,
	    sizeof(struct ctl_text) - 1, payload, sizeof(struct ctl_text) - 1);
	refused(msgbuf, len, "expected", "a REFUSE one byte too short");

	/* Wake counts. */
	len = raw_wake(msgbuf, 0, 0);
	refused(msgbuf, len, "count", "a WAKE of 0 slots");
	len = raw_wake(msgbuf, CTL_WAKE_MAX + 1, CTL_WAKE_MAX + 1);
	refused(msgbuf, len, "count", "a WAKE of CTL_WAKE_MAX+1 slots");
	len = raw_wake(msgbuf, UINT32_MAX, 1);
	refused(msgbuf, len, "count", "a WAKE whose count is UINT32_MAX");
	len = raw_wake(msgbuf, 3, 2);
	refused(msgbuf, len, "count", "a WAKE of count 3 carrying 2 slots");
	len = raw_wake(msgbuf, 1, 2);
	refused(msgbuf, len, "count", "a WAKE of count 1 carrying 2 slots");
	len = raw(msgbuf, CTL_VERSION, CTL_WAKE, 2, payload, 2);
	refused(msgbuf, len, "wake", "a WAKE too short to hold its count");
}

static void
test_socket(void)
{
	struct ctl_hello hello = { 9, 1, SHM_LAYOUT_VERSION, 0 };
	static uint32_t rbuf[CTL_MSG_MAX / sizeof(uint32_t) + 1];
	struct ctl_msg msg;
	char err[256];
	eventfd_t value = 0;
	ssize_t n;
	size_t len;
	int sv[2], efd, got = -1, flags, rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		bail("socketpair: %s", strerror(errno));
	if ((efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		bail("eventfd: %s", strerror(errno));

	len = ctl_encode(msgbuf, CTL_HELLO, &hello, sizeof(hello));
	is_int(0, ctl_send(sv[0], msgbuf, len, efd), "ctl_send with an eventfd");
	n = ctl_recv(sv[1], rbuf, &got);
	is_int((long long)len, (long long)n, "ctl_recv gets the whole message");
	ok(got >= 0 && got != efd, "ctl_recv gets a new descriptor");
	rc = ctl_decode(rbuf, n > 0 ? (size_t)n : 0, &msg, err, sizeof(err));
	ok(rc == 0 && msg.type == CTL_HELLO && msg.u.hello.slot == 9,
	    "the received message decodes to the HELLO sent");
	if (got >= 0) {
		flags = fcntl(got, F_GETFD);
		ok(flags != -1 && (flags & FD_CLOEXEC),
		    "the received descriptor is close-on-exec");
		eventfd_write(efd, 5);
		rc = eventfd_read(got, &value);
		ok(rc == 0 && value == 5,
		    "the received descriptor is the same eventfd");
		close(got);
	} else {
		ok(0, "the received descriptor is close-on-exec");
		ok(0, "the received descriptor is the same eventfd");
	}

	len = ctl_encode_text(msgbuf, CTL_REFUSE, "go away");
	is_int(0, ctl_send(sv[1], msgbuf, len, -1), "ctl_send without a descriptor");
	got = 1234;
	n = ctl_recv(sv[0], rbuf, &got);
	ok(n == (ssize_t)len && got == -1,
	    "ctl_recv of a message without a descriptor sets it to -1");

	len = raw_wake(msgbuf, CTL_WAKE_MAX, CTL_WAKE_MAX);
	is_int(0, ctl_send(sv[0], msgbuf, len, -1), "ctl_send of the largest message");
	n = ctl_recv(sv[1], rbuf, &got);
	is_int((long long)CTL_MSG_MAX, (long long)n,
	    "ctl_recv gets the largest message whole");

	/* One byte more than any message: refused, not cut short. */
	len = CTL_MSG_MAX + 1;
	memset(msgbuf, 0, len);
	is_int(0, ctl_send(sv[0], msgbuf, len, efd), "ctl_send of an oversized message");
	errno = 0;
	n = ctl_recv(sv[1], rbuf, &got);
	ok(n == -1 && errno == EMSGSIZE && got == -1,
	    "ctl_recv refuses an oversized message with EMSGSIZE, no descriptor");

	close(sv[0]);
	n = ctl_recv(sv[1], rbuf, &got);
	is_int(0, (long long)n, "ctl_recv returns 0 when the peer is gone");
	close(sv[1]);
	close(efd);
}

int
main(void)
{
	plan(26 + 22 + 13);
	test_round_trips();
	test_refusals();
	test_socket();
	return 0;
}

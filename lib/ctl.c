/*
 * ctl.c -- encode, decode, send and receive control-socket messages.
 *
 * Decoding never trusts the peer: the header version and type are checked
 * and every type has an exact length before its payload is read.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "fd.h"

static size_t
fixed_length(enum ctl_type type)
{
	switch (type) {
	case CTL_HELLO:
		return sizeof(struct ctl_hello);
	case CTL_WELCOME:
		return sizeof(struct ctl_welcome);
	case CTL_REFUSE:
		return sizeof(struct ctl_text);
	case CTL_KICK:
		return sizeof(struct ctl_kick);
	case CTL_OK:
		return 0;
	case CTL_PRESENCE:
		return sizeof(struct ctl_presence);
	case CTL_WAKE:
		break;
	}
	return SIZE_MAX;
}

int
ctl_decode(const void *buf, size_t len, struct ctl_msg *msg, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	struct ctl_header h;
	struct ctl_wake w;
	size_t want;

	memset(msg, 0, sizeof(*msg));
	if (len < sizeof(h)) {
		snprintf(err, errlen, "short message (%zu bytes)", len);
		return -1;
	}
	memcpy(&h, p, sizeof(h));
	if (h.version != CTL_VERSION) {
		snprintf(err, errlen, "control protocol version %u, expected %u",
		    h.version, CTL_VERSION);
		return -1;
	}
	if (h.length != len - sizeof(h)) {
		snprintf(err, errlen, "length field %u does not match %zu payload bytes",
		    h.length, len - sizeof(h));
		return -1;
	}
	p += sizeof(h);
	msg->type = (enum ctl_type)h.type;
	if (h.type == CTL_WAKE) {
		if (h.length < sizeof(w)) {
			snprintf(err, errlen, "short wake message");
			return -1;
		}
		memcpy(&w, p, sizeof(w));
		if (w.count == 0 || w.count > CTL_WAKE_MAX ||
		    h.length != sizeof(w) + (size_t)w.count * sizeof(uint32_t)) {
			snprintf(err, errlen, "wake message with bad count %u", w.count);
			return -1;
		}
		msg->wake_count = w.count;
		msg->wake_slots = (const uint32_t *)(const void *)(p + sizeof(w));
		return 0;
	}
	want = fixed_length((enum ctl_type)h.type);
	if (want == SIZE_MAX) {
		snprintf(err, errlen, "unknown message type %u", h.type);
		return -1;
	}
	if (h.length != want) {
		snprintf(err, errlen, "message type %u has %u bytes, expected %zu",
		    h.type, h.length, want);
		return -1;
	}
	memcpy(&msg->u, p, want);
	if (msg->type == CTL_REFUSE)
		msg->u.text.text[CTL_REASON_MAX - 1] = '\0';
	if (msg->type == CTL_KICK) {
		msg->u.kick.name[CTL_NAME_MAX - 1] = '\0';
		msg->u.kick.reason[CTL_REASON_MAX - 1] = '\0';
	}
	return 0;
}

size_t
ctl_encode(void *buf, enum ctl_type type, const void *payload, size_t payload_len)
{
	struct ctl_header h = { CTL_VERSION, (uint16_t)type, (uint32_t)payload_len };

	memcpy(buf, &h, sizeof(h));
	if (payload_len > 0)
		memcpy((char *)buf + sizeof(h), payload, payload_len);
	return sizeof(h) + payload_len;
}

size_t
ctl_encode_text(void *buf, enum ctl_type type, const char *text)
{
	struct ctl_text t;

	memset(&t, 0, sizeof(t));
	strlcpy(t.text, text, sizeof(t.text));
	return ctl_encode(buf, type, &t, sizeof(t));
}

size_t
ctl_encode_wake(void *buf, const uint32_t *slots, uint32_t count)
{
	struct ctl_header h;
	struct ctl_wake w = { count };
	char *p = buf;

	h.version = CTL_VERSION;
	h.type = CTL_WAKE;
	h.length = (uint32_t)(sizeof(w) + count * sizeof(uint32_t));
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &w, sizeof(w));
	memcpy(p + sizeof(h) + sizeof(w), slots, count * sizeof(uint32_t));
	return sizeof(h) + h.length;
}

int
ctl_send(int sock, const void *buf, size_t len, int fd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) == -1)
		return -1;
	return 0;
}

ssize_t
ctl_recv(int sock, void *buf, int *fd)
{
	return ctl_recv_into(sock, buf, CTL_MSG_MAX, fd);
}

int
ctl_send_wake(int sock, const uint32_t *slots, uint32_t count)
{
	struct ctl_header h = { CTL_VERSION, CTL_WAKE,
	    (uint32_t)(sizeof(struct ctl_wake) + count * sizeof(uint32_t)) };
	struct ctl_wake w = { count };
	struct iovec iov[3] = {
		{ &h, sizeof(h) },
		{ &w, sizeof(w) },
		{ (void *)(uintptr_t)slots, count * sizeof(uint32_t) },
	};
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 3;
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

ssize_t
ctl_recv_into(int sock, void *buf, size_t size, int *fd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { buf, size };
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n == -1)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

int
ctl_connect(const char *runtime_dir, int nonblock)
{
	struct sockaddr_un sun;
	int sock, type = SOCK_SEQPACKET | SOCK_CLOEXEC;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    runtime_dir, CTL_SOCKET_NAME) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((sock = socket(AF_UNIX, type, 0)) == -1)
		return -1;
	if (connect(sock, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int saved = errno;

		close(sock);
		errno = saved;
		return -1;
	}
	if (nonblock && fd_nonblock(sock) == -1) {
		close(sock);
		return -1;
	}
	return sock;
}

/*
 * ctl.h -- messages on the hub's control socket.
 *
 * The control socket is a SOCK_SEQPACKET Unix socket, "hub.sock" in
 * runtime_dir: one datagram per message, and EOF when a peer dies.  It
 * carries registrations and wake-up requests, never chat text (design
 * invariant 2).  Every message starts with struct ctl_header; a message
 * with another version, an unknown type or a length that does not match
 * its type exactly is refused.
 */
#ifndef CHAT_CTL_H
#define CHAT_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_VERSION	1
#define CTL_SOCKET_NAME	"hub.sock"
#define CTL_WAKE_MAX	4096	/* slots in one wake request */
#define CTL_REASON_MAX	128

enum ctl_type {
	CTL_HELLO = 1,		/* session -> hub: register my slot */
	CTL_WELCOME,		/* hub -> session: registered; eventfd attached */
	CTL_REFUSE,		/* hub -> peer: request refused, with reason */
	CTL_WAKE,		/* session -> hub: write these slots' eventfds */
	CTL_KICK,		/* chatctl -> hub: close a user's session */
	CTL_OK,			/* hub -> chatctl: done */
	CTL_PRESENCE,		/* session -> hub: a join/leave needs reading */
};

struct ctl_header {
	uint16_t	version;	/* CTL_VERSION */
	uint16_t	type;		/* enum ctl_type */
	uint32_t	length;		/* payload bytes after this header */
};

struct ctl_hello {
	uint32_t	slot;		/* slot index the session claimed */
	uint32_t	generation;	/* its s_generation at claim */
	uint32_t	layout_version;	/* SHM_LAYOUT_VERSION of the session */
	uint32_t	flags;		/* CTL_HELLO_*; 0 for a session */
};

/* The slot is a log follower's (SLOT_FOLLOWER), not a session's. */
#define CTL_HELLO_FOLLOWER	0x1

struct ctl_welcome {
	uint32_t	hub_starts;	/* shm_header.hub_starts, for logs */
	uint32_t	pad;
};

struct ctl_text {			/* CTL_REFUSE */
	char		text[CTL_REASON_MAX];	/* NUL-ended */
};

#define CTL_NAME_MAX	64

struct ctl_kick {
	char		name[CTL_NAME_MAX];	/* user name, NUL-ended */
	char		reason[CTL_REASON_MAX];	/* NUL-ended, may be "" */
};

/*
 * CTL_PRESENCE: a record for everyone (a join or a leave) was appended;
 * the hub wakes, batched, every session that has not read up to next
 * (hub/presence.c).
 */
struct ctl_presence {
	uint64_t	next;		/* log_next after the record */
};

struct ctl_wake {
	uint32_t	count;			/* slots that follow */
	uint32_t	slots[];
};
/*
 * In a wake request's slots: wake every registered log follower (the
 * sender flipped shm_header.followers_wake; lib/follower.c).  A hub
 * ignores a slot past max_sessions, so an older hub ignores this.
 */
#define CTL_WAKE_FOLLOWERS	UINT32_MAX

#define CTL_MSG_MAX (sizeof(struct ctl_header) + sizeof(struct ctl_wake) + \
	    CTL_WAKE_MAX * sizeof(uint32_t))

/* A decoded message: header plus a pointer into the received buffer. */
struct ctl_msg {
	enum ctl_type	type;
	union {
		struct ctl_hello	hello;
		struct ctl_welcome	welcome;
		struct ctl_text		text;
		struct ctl_kick		kick;
		struct ctl_presence	presence;
	} u;
	const uint32_t	*wake_slots;	/* CTL_WAKE: count slots (unaligned ok) */
	uint32_t	 wake_count;
};

/*
 * Check and decode len bytes; 0 if it is a well-formed message, else -1
 * with a reason in err.
 */
int	ctl_decode(const void *buf, size_t len, struct ctl_msg *msg,
	    char *err, size_t errlen);
/* Build a message into buf (CTL_MSG_MAX bytes); returns its length. */
size_t	ctl_encode(void *buf, enum ctl_type type, const void *payload,
	    size_t payload_len);
size_t	ctl_encode_text(void *buf, enum ctl_type type, const char *text);
size_t	ctl_encode_wake(void *buf, const uint32_t *slots, uint32_t count);

/* Send a message, with fd attached if fd >= 0.  -1 and errno on error. */
int	ctl_send(int sock, const void *buf, size_t len, int fd);
/*
 * Receive one message into buf (CTL_MSG_MAX bytes); a passed fd goes to
 * *fd (-1 if none).  Returns bytes, 0 at EOF, -1 and errno on error.
 */
ssize_t	ctl_recv(int sock, void *buf, int *fd);
/* The same into a buffer of size bytes (a longer message is EMSGSIZE). */
ssize_t	ctl_recv_into(int sock, void *buf, size_t size, int *fd);
/* Send a wake request for count slots without building it in a buffer. */
int	ctl_send_wake(int sock, const uint32_t *slots, uint32_t count);

/* The longest message the hub sends to a session. */
#define CTL_TO_SESSION_MAX (sizeof(struct ctl_header) + sizeof(struct ctl_text))
/* Connect to runtime_dir/hub.sock; -1 and errno on error. */
int	ctl_connect(const char *runtime_dir, int nonblock);

#endif

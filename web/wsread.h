/*
 * wsread.h -- reading a client's WebSocket frames (RFC 6455, section 5).
 *
 * Owns the parse of the untrusted bytes a WebSocket client sends: frame
 * headers (FIN, reserved bits, opcode, mask, the 7-, 16- and 64-bit
 * lengths), unmasking, messages reassembled from fragments, control
 * frames between them, the close frame's code and reason, and every
 * rule whose breach fails the connection with its close code: 1002 for
 * the protocol, 1003 for a binary message, 1007 for text or a reason
 * that is not UTF-8, 1009 for a message over the limit.  Nothing here
 * reads a socket, writes or logs; the caller feeds bytes as they come.
 * Fuzzed by fuzz/fuzz_wsread.c.
 */
#ifndef CHAT_WEB_WSREAD_H
#define CHAT_WEB_WSREAD_H

#include <stddef.h>
#include <stdint.h>

#define WS_CONTROL_MAX	125	/* payload of a ping, pong or close */

/* Opcodes (RFC 6455, 5.2). */
enum ws_opcode {
	WS_OP_CONTINUATION = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

enum ws_in_kind {
	WS_IN_MORE,		/* every byte given was used: feed more */
	WS_IN_TEXT,		/* a whole text message: text, len */
	WS_IN_PING,		/* answer with a pong of the same payload */
	WS_IN_PONG,
	WS_IN_CLOSE,		/* the client closes: code (0: none), reason */
	WS_IN_FAIL,		/* fail the connection: close with code */
};

struct ws_in {
	enum ws_in_kind	 kind;
	const char	*text;		/* TEXT: the message; PING, PONG: the
					   payload; CLOSE: the reason */
	size_t		 len;
	uint16_t	 code;		/* CLOSE: the client's; FAIL: ours */
	const char	*why;		/* FAIL: for the log and the close */
};

struct ws_reader {
	/* The frame being read. */
	uint8_t		 head[14];	/* its header as it comes */
	size_t		 head_len;
	int		 in_payload;	/* the header is whole */
	uint8_t		 opcode;
	int		 fin;
	uint64_t	 payload_len, payload_got;
	uint8_t		 mask[4];
	/* The message being put together, and a control frame's payload. */
	char		*msg;		/* msg_max bytes, the caller's */
	size_t		 msg_max, msg_len;
	int		 in_message;	/* a text message's first frame came */
	char		 control[WS_CONTROL_MAX];
	int		 failed;	/* nothing more is read */
};

/* A reader whose messages may be msg_max bytes, put together in msg. */
void	ws_reader_init(struct ws_reader *r, char *msg, size_t msg_max);
/*
 * Read from buf (len bytes) up to the next thing that happened; *used
 * says how many bytes were read.  The text of a result points into the
 * reader and stays valid until the next call.  After WS_IN_FAIL or
 * WS_IN_CLOSE the reader reads nothing more.
 */
void	ws_reader_next(struct ws_reader *r, const char *buf, size_t len,
	    size_t *used, struct ws_in *in);

#endif

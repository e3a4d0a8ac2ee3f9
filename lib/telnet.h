/*
 * telnet.h -- take telnet commands out of a client's byte stream.
 *
 * Owns the telnet state of one connection (RFC 854): the bytes of
 * "IAC ..." sequences are removed from the text before lines are framed,
 * and negotiation is answered so that a telnet client never waits on us.
 * Every option is refused (DO x -> WONT x, WILL x -> DONT x), except that
 * DO TIMING-MARK is answered WILL TIMING-MARK (RFC 860): telnet sends it
 * after Ctrl-C and throws away all output until the answer comes.
 * DONT and WONT are never answered (we never enable an option, so there
 * is nothing to confirm, and no negotiation loop, RFC 1143).  IAC IAC is
 * a literal 0xFF byte; IP, AO, AYT, BRK, EC, EL, NOP, DM, GA are dropped;
 * a subnegotiation (IAC SB ... IAC SE) is dropped without being kept,
 * and given up after TELNET_SB_MAX bytes (what follows is text again).
 * IAC and a byte that is no telnet command both stay in the text, so
 * that line still fails the UTF-8 check.
 *
 * 0xFF is never valid UTF-8, so the filter runs on every connection: a
 * line client (nc) can send nothing valid that it changes.  It keeps its
 * state across calls, so a sequence may be split between two reads.
 */
#ifndef CHAT_TELNET_H
#define CHAT_TELNET_H

#include <stddef.h>
#include <stdint.h>

#define TELNET_IAC	255
#define TELNET_DONT	254
#define TELNET_DO	253
#define TELNET_WONT	252
#define TELNET_WILL	251
#define TELNET_SB	250
#define TELNET_SE	240
#define TELNET_TM	6	/* the TIMING-MARK option */

/* Bytes of one subnegotiation skipped before it is given up as garbage. */
#define TELNET_SB_MAX	512

struct telnet {
	uint8_t		t_state;	/* where in a sequence the last byte left us */
	uint8_t		t_verb;		/* DO, DONT, WILL or WONT awaiting its option */
	uint16_t	t_sb_len;	/* bytes of the current subnegotiation */
};

/* Where the answers go: one sequence (3 bytes) per call. */
typedef void telnet_reply_fn(void *arg, const unsigned char *seq, size_t len);

void	telnet_init(struct telnet *t);
/*
 * Filter buf (n bytes, just read) in place: returns how many bytes of
 * text are left at its start, at most n + 1: buf must have room for one
 * byte more than was read (an IAC that ended the last read is put back
 * in front).  Answers are passed to reply(arg, ...) in the order their
 * requests came.
 */
size_t	telnet_filter(struct telnet *t, char *buf, size_t n,
	    telnet_reply_fn *reply, void *arg);

#endif

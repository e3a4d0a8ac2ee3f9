/*
 * web.h -- chat-web's state, shared by its modules.
 *
 * chat-web serves one HTTP connection per process, started like
 * chat-session (lib/client.c).  The connection reads plain requests
 * (keep-alive) until one turns it into a WebSocket or an event stream;
 * a user behind either is a chat user like a line client: a slot in
 * the registry, a name, a cursor in the log.  The rules are the core's
 * (chatcore/core.h); this program maps JSON to its actions and words its
 * results and the log's records as JSON (doc/web.md).
 *
 * The files are layers: each calls only the ones listed before it (and
 * chatcore/, lib/); tools/callgraph checks that none calls back.
 *
 * http.c     the request head and query string (untrusted bytes; fuzzed)
 * jout.c     JSON text out: strings escaped, objects built in a buffer
 * user.c     the chat user behind a connection: slot, hub link, login
 * conn.c     the epoll set, timers, output, closing; HTTP responses
 * events.c   the log's records, and the core's results, as JSON events
 * metrics.c  GET /health and GET /metrics, from the segment's counters
 * assets.c   the browser page (web/static/, built in by tools/embed)
 * wsread.c   reading a client's WebSocket frames (untrusted bytes; fuzzed)
 * wsframe.c  sending on a WebSocket: frames, the close
 * history.c  the archive's lines: history, replay on join, offline
 * wschat.c   a WebSocket user: login, JSON commands to the core, events
 * ws.c       the WebSocket: handshake, frames in, pings, flood
 * sse.c      GET /sse, the event stream, and POST /sse/push
 * routes.c   a request: CORS, its path and method, the errors
 * main.c     start-up and the event loop
 */
#ifndef CHAT_WEB_H
#define CHAT_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bucket.h"
#include "client.h"
#include "conf.h"
#include "core.h"
#include "http.h"
#include "hublink.h"
#include "logreader.h"
#include "outq.h"
#include "shm.h"
#include "wsread.h"

enum web_state {
	WEB_HTTP,		/* reading requests, keep-alive between them */
	WEB_WS_LOGIN,		/* a WebSocket waiting for its password */
	WEB_WS_CHAT,		/* a WebSocket user, named and ACTIVE */
	WEB_SSE,		/* an event stream's user, named and ACTIVE */
	WEB_CLOSING,		/* flushing what is queued, then exit */
};

struct web {
	struct chat_conf conf;
	const char	*conf_path;
	struct client	client;		/* the connection, its peer, epoll set */
	pid_t		pid;
	enum web_state	state;

	/* The segment and the hub: attached at start if they are there. */
	struct shm	shm;
	int		attached;	/* the segment is mapped */
	char		unavailable[256]; /* why not, for /health */
	struct hublink	link;
	int		claimed;	/* slot/generation are ours */
	uint32_t	slot, generation;

	/* The client's bytes: a request head and body, or frames. */
	char		*in;
	size_t		 in_len, in_size;
	int		 in_eof;
	struct http_request req;	/* the request being answered */
	int		 continued;	/* "100 Continue" sent for it */
	struct outq	 out;
	int		 out_full;	/* the queue filled: nothing more is sent */
	int		 deadline_fd;	/* keep-alive idle, login, pong */

	/* The chat user (user.c). */
	char		 name[SHM_NAME_MAX + 1];
	int		 registered;	/* logged in with a password */
	int		 auth_failures;
	uint32_t	 transport;	/* TRANSPORT_WS or TRANSPORT_SSE */
	struct logreader reader;
	char		*text;		/* max_line bytes for a record's text */
	char		*json;		/* an event's JSON: json_size bytes */
	size_t		 json_size;

	/* The WebSocket (ws.c). */
	int		 upgraded;	/* a WebSocket: frames from here on */
	struct ws_reader reader_ws;	/* the client's frames */
	char		*ws_msg;	/* a message put together: max_line +
					   WS_ENVELOPE bytes */
	int		 ping_fd;	/* ws_ping_interval; -1 until upgraded */
	int		 ping_unanswered; /* a ping is out: pong due by deadline */
	int		 throttle_fd;	/* flood control: read again; -1 */
	int		 throttled;	/* not reading until a token */
	struct bucket	 bucket;	/* rate_msgs, rate_burst */

};

/* user.c */
/* Claim a slot and register with the hub; an HTTP status, 0 if done. */
int	user_claim(struct web *w, const char **why);
void	user_core(const struct web *w, struct core_user *u);
/*
 * Log in as name (already checked): the core's account rules.  Returns
 * ACCOUNT_GUEST when it may enter at once, ACCOUNT_REGISTERED when a
 * password is needed, ACCOUNT_REFUSED with *r saying why.
 */
enum core_account user_account(struct web *w, const char *name,
	    struct core_result *r);
/* Take the name: CR_OK and the user is ACTIVE, reading the log; or why not. */
void	user_enter(struct web *w, struct core_result *r);
/* Leave the chat: the slot is released and the others told (why). */
void	user_leave(struct web *w, const char *why);

/* conn.c */
/* Make epoll watch the client for what the connection wants now. */
void	web_update_events(struct web *w);
/* Queue bytes for the client; -1 (and the connection closes) if full. */
int	web_write(struct web *w, const char *data, size_t len);
/* The same for pieces appended as one: all of them, or none. */
int	web_write_pieces(struct web *w, const struct outq_piece *p, size_t n);
/* Write what is queued: 1 while output remains. */
int	web_flush(struct web *w);
/* End the connection after what is queued (and its user, if any). */
void	web_close(struct web *w, int disc_reason, const char *why);
/*
 * A whole response: status line, Content-Type and Content-Length, the
 * CORS header when the origin is allowed, extra header lines (each
 * ending in "\r\n"; NULL for none), the body.  A HEAD request gets no
 * body.  Closes after it unless the request keeps the connection alive.
 */
void	web_respond(struct web *w, int status, const char *type,
	    const char *extra, const char *body, size_t len);
/* A JSON body: {"error":code} (and "message" when given). */
void	web_respond_error(struct web *w, int status, const char *code,
	    const char *message);
/* The Origin of the request allowed: same host, or in cors_origins. */
int	web_origin_allowed(const struct web *w);
/* Access-Control-Allow-Origin (and Vary) lines for it, or "" (size >= 600). */
void	web_cors_header(const struct web *w, char *buf, size_t size);

/* events.c: the JSON of what a user sees */
/* Room for any event: a text escaped (6 bytes a byte at worst), names. */
#define EVENT_JSON_SIZE(max_line)	(6 * (size_t)(max_line) + 4096)
/*
 * A record as the JSON event its reader sees, into buf (size bytes);
 * its length, 0 if the reader is not shown it (an SSE user sees
 * everyone's lines only when they mention it).  *type is the event's
 * "type", for the SSE event: line.
 */
size_t	event_json(const struct web *w, const struct msglog_entry *e,
	    char *buf, size_t size, const char **type);
/* {"type":"welcome","user":NAME,"online":N} for the user just in. */
size_t	event_welcome_json(const struct web *w, char *buf, size_t size);
/* A core result as {"type":"ok"} or {"type":"error",...}, with id. */
size_t	event_result_json(const struct core_result *r, const char *id_json,
	    char *buf, size_t size);
/*
 * Drain the log for the user: each record's JSON to send(w, type, seq,
 * json, len), which returns -1 to stop (the connection closed).
 */
void	events_drain(struct web *w, int (*send)(struct web *, const char *,
	    uint64_t, const char *, size_t));
/*
 * A wake-up: drain, then a close request left for the user (a kick, a
 * newer login): its DISC_* with its reason, or -1.
 */
int	events_wakeup(struct web *w, int (*send)(struct web *, const char *,
	    uint64_t, const char *, size_t), char *reason, size_t size);

/* metrics.c */
void	metrics_health(struct web *w);
void	metrics_prometheus(struct web *w);

/* assets.c (generated) */
struct web_asset {
	const char	*path;		/* "/", "/app.js" */
	const char	*type;		/* Content-Type */
	const unsigned char *data;
	size_t		 len;
};
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* wsframe.c */
/* Queue a text message; -1 if the connection is closing. */
int	ws_send_text(struct web *w, const char *json, size_t len);
/* A frame of opcode (WS_OP_*); -1 if the connection is closing. */
int	ws_send_frame(struct web *w, uint8_t opcode, const char *payload,
	    size_t len);
/* Close with code and reason (cut to 123 bytes); the user leaves. */
void	ws_fail(struct web *w, uint16_t code, const char *reason,
	    int disc_reason);

/* history.c */
void	history_request(struct web *w, const char *target, long long limit,
	    const char *id, struct core_result *r);
/* After a join (CR_JOINED): the group's last lines, if any. */
void	history_replay(struct web *w, const struct core_result *joined);
/* A registered user entered: its kept groups, its offline messages. */
void	history_welcome_back(struct web *w);

/* wschat.c */
/* The WebSocket is open for name: guest in, or ask the password. */
void	wschat_start(struct web *w, const char *name);
/* One text message from the user (valid UTF-8, len bytes). */
void	wschat_message(struct web *w, const char *msg, size_t len);
/* Wake-up: drain the log into frames, act on close requests. */
void	wschat_wakeup(struct web *w);

/* ws.c */
/* GET /ws: check the upgrade, answer 101, start the user's login. */
void	ws_open(struct web *w);
/* The client's bytes, once upgraded. */
void	ws_read(struct web *w);
void	ws_ping_tick(struct web *w);
/* The deadline passed: login timeout or a pong not answered. */
void	ws_deadline(struct web *w);
/* The throttle timer: read again. */
void	ws_resume(struct web *w);

/* sse.c */
void	sse_open(struct web *w);
void	sse_wakeup(struct web *w);
void	sse_tick(struct web *w);
/* POST /sse/push, its body complete in w->in after the head. */
void	sse_push(struct web *w, const char *body, size_t len);
/* The account a Bearer token (header, else access_token) speaks for. */
int	sse_token_account(struct web *w, char name[SHM_NAME_MAX + 1]);

/* routes.c */
#define WEB_BODY_MAX	65536	/* a longer POST body is answered 413 */
/*
 * A whole request is in w->req (and a POST's body, up to WEB_BODY_MAX,
 * after its head in w->in): answer it.
 */
void	routes_request(struct web *w);
/* The head could not be read: 400, 431 or 505, and the connection ends. */
void	routes_bad_head(struct web *w, enum http_parse verdict);

#endif

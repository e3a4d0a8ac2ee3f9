/*
 * events.c -- what a web user sees, as JSON events (doc/web.md).
 *
 * Owns the JSON of each record a user's log reader returns (a message,
 * a join, a leave, a group's notice with its words from the core), of
 * the core's results ({"type":"ok"} or {"type":"error"} with the line
 * protocol's codes), and the drain that turns a wake-up into events.
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "events.h"
#include "jout.h"
#include "log.h"
#include "registry.h"
#include "web.h"

static void
common(struct jout *j, const char *type, const struct msglog_entry *e)
{
	jout_open(j);
	jout_member_str(j, "type", type);
	jout_member_int(j, "ts", e->time);
	jout_member_uint(j, "seq", e->seq);
}

/* "mentions":[...], and "mentioned" when the reader is one of them. */
static void
mentions(const struct web *w, struct jout *j, const struct msglog_entry *e)
{
	char names[CORE_MENTIONS_MAX][SHM_NAME_MAX + 1];
	size_t n = core_mentions(e->text, e->len, names, CORE_MENTIONS_MAX);
	int me = 0;

	if (n == 0)
		return;
	jout_key(j, "mentions");
	jout_raw(j, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			jout_raw(j, ",", 1);
		jout_string(j, names[i], strlen(names[i]));
		me |= strcasecmp(names[i], w->name) == 0;
	}
	jout_raw(j, "]", 1);
	if (me)
		jout_member_bool(j, "mentioned", 1);
}

static size_t
message_json(const struct web *w, const struct msglog_entry *e,
    struct jout *j)
{
	/* A stream's bot sees everyone's lines only where they name it. */
	if (w->transport == TRANSPORT_SSE && e->to.kind == TO_ALL &&
	    !core_mentioned(e->text, e->len, w->name))
		return 0;
	common(j, "message", e);
	jout_member_str(j, "from", e->from_name);
	jout_member_strn(j, "text", e->text, e->len);
	if (e->flags & RECF_ACTION)
		jout_member_bool(j, "action", 1);
	if (e->to.kind == TO_USER)
		jout_member_str(j, "to", e->to_name);
	else if (e->to.kind == TO_GROUP)
		jout_member_str(j, "group", e->to_name);
	mentions(w, j, e);
	jout_close(j);
	return jout_finish(j);
}

static size_t
notice_json(const struct msglog_entry *e, struct jout *j)
{
	char words[1024];
	struct core_event ev;
	const char *name;

	core_event_from_record(e, &ev);
	if ((name = core_event_name(&ev)) == NULL)
		return 0;	/* an event from a newer layout */
	core_event_words(&ev, words, sizeof(words));
	common(j, "notice", e);
	jout_member_str(j, "group", ev.group);
	jout_member_str(j, "event", name);
	jout_member_str(j, "text", words);
	jout_member_str(j, "user", ev.actor);
	if (ev.target[0] != '\0')
		jout_member_str(j, "target", ev.target);
	if (ev.kind == GROUP_MODE)
		jout_member_bool(j, "invite_only", ev.invite_only);
	if (ev.reason[0] != '\0')
		jout_member_str(j, "reason", ev.reason);
	jout_close(j);
	return jout_finish(j);
}

/* Lines lost between nodes: {"type":"lost","node":...,"here":...}. */
static size_t
lost_json(const struct msglog_entry *e, struct jout *j)
{
	int64_t from = 0, to = 0;
	char words[512];

	core_lost_words(e, words, sizeof(words));
	core_lost_span(e, &from, &to);
	common(j, "lost", e);
	jout_member_str(j, "node", e->from_name);
	jout_member_bool(j, "here", e->origin == 0);
	jout_member_uint(j, "from", (uint64_t)from);
	jout_member_uint(j, "to", (uint64_t)to);
	jout_member_str(j, "text", words);
	jout_close(j);
	return jout_finish(j);
}

size_t
event_json(const struct web *w, const struct msglog_entry *e, char *buf,
    size_t size, const char **type)
{
	struct jout j;

	jout_start(&j, buf, size);
	switch (e->kind) {
	case REC_CHAT:
		*type = "message";
		return message_json(w, e, &j);
	case REC_GROUP:
		*type = "notice";
		return notice_json(e, &j);
	case REC_JOIN:
		*type = "join";
		common(&j, "join", e);
		jout_member_str(&j, "user", e->from_name);
		jout_close(&j);
		return jout_finish(&j);
	case REC_LEAVE:
		*type = "leave";
		common(&j, "leave", e);
		jout_member_str(&j, "user", e->from_name);
		jout_member_strn(&j, "reason", e->text, e->len);
		jout_close(&j);
		return jout_finish(&j);
	case REC_LOST:
		*type = "lost";
		return lost_json(e, &j);
	}
	return 0;	/* a kind from a newer layout */
}

size_t
event_welcome_json(const struct web *w, char *buf, size_t size)
{
	struct jout j;

	jout_start(&j, buf, size);
	jout_open(&j);
	jout_member_str(&j, "type", "welcome");
	jout_member_str(&j, "user", w->name);
	jout_member_uint(&j, "online", registry_active_count(&w->shm));
	jout_close(&j);
	return jout_finish(&j);
}

size_t
event_result_json(const struct core_result *r, const char *id_json,
    char *buf, size_t size)
{
	const struct core_error_info *err;
	char words[1024];
	struct jout j;

	jout_start(&j, buf, size);
	jout_open(&j);
	err = core_error_info(core_result_error(r->status));
	jout_member_str(&j, "type", err != NULL ? "error" : "ok");
	if (err != NULL)
		jout_member_str(&j, "code", err->code);
	if (r->status != CR_OK) {
		core_result_text(r, words, sizeof(words));
		jout_member_str(&j, err != NULL ? "message" : "text", words);
	}
	if (r->seq != 0)
		jout_member_uint(&j, "seq", r->seq);
	if (id_json != NULL) {
		jout_key(&j, "id");
		jout_raw(&j, id_json, strlen(id_json));
	}
	jout_close(&j);
	return jout_finish(&j);
}

/* What a drain hands each record to: its JSON, to the door's sender. */
struct drain {
	struct web	*w;
	int		(*send)(struct web *, const char *, uint64_t, const char *,
			    size_t);
};

static int
deliver(void *arg, const struct msglog_entry *e)
{
	struct drain *d = arg;
	const char *type;
	size_t len;

	if (outq_pending(&d->w->out) >= OUTQ_WRITE_BATCH)
		web_flush(d->w);
	if (d->w->state == WEB_CLOSING)
		return -1;
	if ((len = event_json(d->w, e, d->w->json, d->w->json_size, &type)) == 0)
		return 0;
	return d->send(d->w, type, e->seq, d->w->json, len) == -1 ? -1 : 1;
}

void
events_drain(struct web *w, int (*send)(struct web *, const char *, uint64_t,
    const char *, size_t))
{
	struct drain d = { w, send };

	if (w->state != WEB_WS_CHAT && w->state != WEB_SSE)
		return;
	if (logreader_drain(&w->reader, deliver, &d) == LOGREADER_LOST)
		web_close(w, DISC_LAGGED, "fell a whole message log behind");
}

int
events_wakeup(struct web *w, int (*send)(struct web *, const char *, uint64_t,
    const char *, size_t), char *reason, size_t size)
{
	events_drain(w, send);
	if (w->state == WEB_CLOSING || !w->claimed)
		return -1;
	return logreader_close_request(&w->reader, reason, size);
}

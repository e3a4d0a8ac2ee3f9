/*
 * history.c -- the archive's lines for a WebSocket client.
 *
 * Owns {"type":"history"} (the client asks: "target" "#group", a user,
 * or none for the room; "limit" 1 to 500, 50 without), the lines
 * replayed after join_group ("replay":true), and what a registered user
 * is given when it enters: its kept groups back (a notice each) and the
 * private messages that arrived while it was away ("offline":true).
 * Each answer is one message: {"type":"history", ..., "messages":[{"ts",
 * "from", "text", and "to" or "group"}, ...]} oldest first
 * (doc/web.md).  History is rare next to live events: jansson writes it.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "web.h"

static json_t *
message(const struct hist_line *l)
{
	json_t *m = json_pack("{s:I, s:s, s:s}", "ts", (json_int_t)l->time_ms,
	    "from", l->from, "text", l->text);

	if (m == NULL)
		return NULL;	/* not UTF-8: the archive holds only checked text */
	if (l->to_kind == TO_USER)
		json_object_set_new(m, "to", json_string(l->to));
	else if (l->to_kind == TO_GROUP)
		json_object_set_new(m, "group", json_string(l->to));
	return m;
}

/* Send o with the lines in "messages" (o is freed, the lines not). */
static void
send_lines(struct web *w, json_t *o, struct core_lines *l, const char *id)
{
	json_t *list = json_array();
	char *text;

	for (size_t i = 0; i < l->count; i++)
		json_array_append_new(list, message(&l->line[i]));
	json_object_set_new(o, "messages", list);
	if (id != NULL && id[0] != '\0')
		json_object_set_new(o, "id", json_loads(id, JSON_DECODE_ANY, NULL));
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("out of memory");
	ws_send_text(w, text, strlen(text));
	free(text);
	json_decref(o);
}

/*
 * {"type":"history"} (the log drained first: what is read is history,
 * the rest comes live): CR_OK when answered here, else the result to
 * answer (an error) in *r.
 */
void
history_request(struct web *w, const char *target, long long limit,
    const char *id, struct core_result *r)
{
	struct core_lines l;
	struct core_user u;

	if (limit < 0 || limit > HIST_LIMIT_MAX) {
		core_result_set(r, CR_USAGE);
		r->text = "{\"type\":\"history\",\"target\":\"#group\"|USER,"
		    "\"limit\":N}: N is 1 to 500";
		return;
	}
	user_core(w, &u);
	core_history(&u, target, (uint32_t)limit, w->reader.cursor, &l, r);
	if (r->status != CR_HISTORY_START)
		return;
	send_lines(w, json_pack("{s:s, s:s}", "type", "history", "target",
	    target), &l, id);
	core_lines_free(&l);
	core_result_set(r, CR_OK);
}

void
history_replay(struct web *w, const struct core_result *joined)
{
	struct core_result r;
	struct core_lines l;
	struct core_user u;

	user_core(w, &u);
	core_replay(&u, joined->group, joined->seq, &l, &r);
	if (r.status != CR_HISTORY_START || l.count == 0) {
		core_lines_free(&l);
		return;
	}
	send_lines(w, json_pack("{s:s, s:s, s:b}", "type", "history", "group",
	    joined->group, "replay", 1), &l, NULL);
	core_lines_free(&l);
}

static void
rejoined(void *arg, const struct core_result *r)
{
	struct web *w = arg;
	size_t len;

	if ((len = event_result_json(r, NULL, w->json, w->json_size)) > 0)
		ws_send_text(w, w->json, len);
}

void
history_welcome_back(struct web *w)
{
	struct core_lines l;
	struct core_user u;

	if (!w->registered)
		return;
	user_core(w, &u);
	core_rejoin_groups(&u, rejoined, w);
	core_offline_take(&u, &l);
	if (l.count == 0) {
		core_lines_free(&l);
		return;
	}
	send_lines(w, json_pack("{s:s, s:b}", "type", "history", "offline", 1),
	    &l, NULL);
	core_offline_done(&u, &l);
}

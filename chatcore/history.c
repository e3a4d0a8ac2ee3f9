/*
 * history.c -- what the archive gives a user: /history, the lines
 * replayed on joining a group, the private messages kept while it was
 * offline, and its kept groups at login (lib/histclient.c asks
 * chat-historyd).
 *
 * Who may see what is decided here: a group's lines only for a member
 * (now), a private conversation only for its two users.  The lines come
 * back in a struct core_lines the front door words and frees.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "registry.h"
#include "text.h"

void
core_lines_free(struct core_lines *l)
{
	for (size_t i = 0; i < l->count; i++)
		free((char *)l->line[i].text);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

/* Keep a copy of one line of an answer. */
static int
keep_line(void *arg, const struct hist_line *line)
{
	struct core_lines *l = arg;
	struct hist_line *grown;
	char *text;

	if (l->count == l->room) {
		l->room = l->room ? l->room * 2 : 32;
		if ((grown = reallocarray(l->line, l->room, sizeof(*grown))) == NULL)
			return -1;
		l->line = grown;
	}
	if ((text = malloc(line->len + 1)) == NULL)
		return -1;
	memcpy(text, line->text, line->len);
	text[line->len] = '\0';
	l->line[l->count] = *line;
	l->line[l->count++].text = text;
	return 0;
}

static int
history_on(const struct core_user *u, struct core_result *r)
{
	if (u->conf->history)
		return 1;
	core_result_set(r, CR_HISTORY_UNAVAILABLE);
	return 0;
}

/* Ask; on any failure the lines are freed and r says so. */
static void
ask(const struct core_user *u, struct hist_query *q, struct core_lines *l,
    struct core_result *r)
{
	q->runtime_dir = u->conf->runtime_dir;
	q->max_line = u->shm->geo.max_line;
	q->segment_id = u->shm->hdr->segment_id;
	q->viewer = u->name;
	if (hist_history(q, keep_line, l) != HIST_OK) {
		core_lines_free(l);
		core_result_set(r, CR_HISTORY_UNAVAILABLE);
		return;
	}
	r->count = (uint32_t)l->count;
}

/* target: "" the room, "#group", or a user; who it names, in words. */
static int
history_scope(const struct core_user *u, const char *target,
    struct hist_query *q, char *name, struct core_lines *l,
    struct core_result *r)
{
	struct group_actor a;
	enum group_result gr;
	uint32_t index, generation;

	if (*target == '\0') {
		q->scope = HIST_ROOM;
		name[0] = '\0';
		strlcpy(l->label, "the room", sizeof(l->label));
		return 0;
	}
	if (*target == '#') {
		core_actor(u, &a);
		target = core_group_name(target);
		gr = groups_check_member(u->shm, &a, target, &index, &generation,
		    name);
		if (gr != GR_OK) {
			core_group_result(u, gr, target, NULL, r);
			return -1;
		}
		q->scope = HIST_GROUP;
		text_compose(l->label, sizeof(l->label), "#", name, SIZE_MAX, "");
		return 0;
	}
	if (!name_valid(target, strlen(target))) {
		core_result_set(r, CR_NAME_INVALID);
		return -1;
	}
	q->scope = HIST_USER;
	strlcpy(name, target, SHM_NAME_MAX + 1);
	strlcpy(l->label, name, sizeof(l->label));
	return 0;
}

void
core_history(const struct core_user *u, const char *target, uint32_t limit,
    uint64_t before, struct core_lines *l, struct core_result *r)
{
	char name[SHM_NAME_MAX + 1];
	struct hist_query q;

	memset(l, 0, sizeof(*l));
	core_result_set(r, CR_HISTORY_START);
	r->text = l->label;
	if (!history_on(u, r))
		return;
	if (limit == 0)
		limit = CORE_HISTORY_DEFAULT;
	if (limit > HIST_LIMIT_MAX) {
		core_result_set(r, CR_USAGE);
		r->text = "/history [#group|user] [N]: N is 1 to 500";
		return;
	}
	memset(&q, 0, sizeof(q));
	if (history_scope(u, target, &q, name, l, r) == -1)
		return;
	q.name = name;
	q.limit = limit;
	q.before = before;
	ask(u, &q, l, r);
}

void
core_replay(const struct core_user *u, const char *group, uint64_t join_seq,
    struct core_lines *l, struct core_result *r)
{
	struct hist_query q;

	memset(l, 0, sizeof(*l));
	core_result_set(r, CR_HISTORY_START);
	text_compose(l->label, sizeof(l->label), "#", group, SIZE_MAX, "");
	r->text = l->label;
	if (!u->conf->history || u->conf->history_replay == 0) {
		core_result_set(r, CR_OK);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.scope = HIST_GROUP;
	q.name = group;
	q.limit = u->conf->history_replay;
	q.before = join_seq;
	ask(u, &q, l, r);
}

/*
 * A private message to a registered user who is offline (r says so):
 * kept for their next login when the archive takes it.
 */
void
core_keep_offline(const struct core_user *u, const char *to, const char *text,
    size_t len, struct core_result *r)
{
	char name[SHM_NAME_MAX + 1];

	if (!u->conf->history || u->conf->offline_max == 0)
		return;
	strlcpy(name, r->user, sizeof(name));
	switch (hist_offline_store(u->conf->runtime_dir, u->shm->geo.max_line,
	    u->name, to, text, len)) {
	case HIST_OK:
		core_result_set(r, CR_OFFLINE_KEPT);
		break;
	case HIST_FULL:
		core_result_set(r, CR_OFFLINE_FULL);
		r->count = u->conf->offline_max;
		break;
	default:
		return;		/* r stays "user-offline" */
	}
	strlcpy(r->user, name, sizeof(r->user));
}

void
core_offline_take(const struct core_user *u, struct core_lines *l)
{
	memset(l, 0, sizeof(*l));
	if (!u->registered || !u->conf->history || u->conf->offline_max == 0)
		return;
	if (hist_offline_take(u->conf->runtime_dir, u->shm->geo.max_line,
	    u->name, keep_line, l, &l->last_id) != HIST_OK)
		core_lines_free(l);
}

void
core_offline_done(const struct core_user *u, struct core_lines *l)
{
	if (l->count > 0)
		hist_offline_done(u->conf->runtime_dir, u->shm->geo.max_line,
		    u->name, l->last_id);
	core_lines_free(l);
}

/* What hist_groups hands over, for one login. */
struct rejoin {
	const struct core_user	*u;
	core_rejoined_fn	 fn;
	void			*arg;
};

static void
rejoin_group(void *arg, const char *group, int member)
{
	struct rejoin *rj = arg;
	const struct core_user *u = rj->u;
	struct group_actor a;
	struct core_result r;
	uint32_t index;

	if (!member) {
		groups_reinvite(u->shm, group, u->slot, u->generation);
		return;
	}
	core_actor(u, &a);
	if (groups_rejoin(u->shm, &a, group, &index) != GR_OK)
		return;
	core_result_set(&r, CR_REJOINED);
	strlcpy(r.group, shm_group(u->shm, index)->g_name, sizeof(r.group));
	r.count = shm_group(u->shm, index)->g_members;
	r.lagging = hublink_wake(u->link, &(struct msglog_address){ TO_GROUP,
	    index, 0 });
	rj->fn(rj->arg, &r);
}

void
core_rejoin_groups(const struct core_user *u, core_rejoined_fn fn, void *arg)
{
	struct rejoin rj = { u, fn, arg };

	if (u->registered && u->conf->history)
		hist_groups(u->conf->runtime_dir, u->shm->geo.max_line, u->name,
		    rejoin_group, &rj);
}

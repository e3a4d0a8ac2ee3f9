/*
 * roster.c -- every node's users in a key-value bucket (roster.h).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "log.h"
#include "registry.h"
#include "remote.h"
#include "roster.h"
#include "text.h"

kvStore *
roster_open(jsCtx *js, int replicas, char *why, size_t whylen)
{
	kvStore *kv = NULL;
	kvConfig cfg;
	natsStatus s;

	if (js_KeyValue(&kv, js, ROSTER_BUCKET) == NATS_OK)
		return kv;
	kvConfig_Init(&cfg);
	cfg.Bucket = ROSTER_BUCKET;
	cfg.History = 1;
	cfg.Replicas = replicas;
	if ((s = js_CreateKeyValue(&kv, js, &cfg)) != NATS_OK &&
	    (s = js_KeyValue(&kv, js, ROSTER_BUCKET)) != NATS_OK) {
		snprintf(why, whylen, "bucket %s: %s", ROSTER_BUCKET,
		    natsStatus_GetText(s));
		return NULL;
	}
	return kv;
}

/* A growing text: the roster's value. */
struct list {
	char	*text;
	size_t	 len, room;
};

/* Make room for n more bytes. */
static void
list_room(struct list *l, size_t n)
{
	while (l->len + n + 1 > l->room)
		if ((l->text = realloc(l->text, l->room *= 2)) == NULL)
			fatalx("out of memory");
}

static void
list_users(struct follower *f, struct list *l)
{
	char name[SHM_NAME_MAX + 1];
	struct shm_slot *s;

	for (uint32_t i = 0; i < f->shm.geo.max_sessions; i++) {
		s = shm_slot(&f->shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE || s->s_origin != 0)
			continue;
		shm_name_copy(name, s->s_name);
		list_room(l, SHM_NAME_MAX + 8);
		l->len += (size_t)snprintf(l->text + l->len, l->room - l->len,
		    "%s\t%u\n", name, s->s_registered ? RECF_REGISTERED : 0);
	}
}

/* The name is one of this node's own users. */
static int
own_user(struct follower *f, const char *name)
{
	uint32_t slot = registry_find(&f->shm, name);

	return slot != SLOT_NONE && shm_slot(&f->shm, slot)->s_origin == 0;
}

/* "#GROUP TAB OWNER TAB MODE TAB MEMBER..." for this node's members. */
static void
list_groups(struct follower *f, struct list *l)
{
	uint32_t cursor = 0, room = f->shm.geo.max_group_members;
	struct group_view v = { .room = room };
	size_t start;
	int mine;

	if ((v.member = calloc(room, sizeof(*v.member))) == NULL)
		fatalx("out of memory");
	while (groups_snapshot_next(&f->shm, "", &cursor, &v)) {
		list_room(l, 3 * SHM_NAME_MAX + 8);
		start = l->len;
		l->len += (size_t)snprintf(l->text + l->len, l->room - l->len,
		    "#%s\t%s\t%d\t", v.name, v.owner, v.invite_only);
		mine = 0;
		for (uint32_t i = 0; i < v.copied; i++) {
			if (!own_user(f, v.member[i]))
				continue;
			list_room(l, SHM_NAME_MAX + 2);
			l->len += (size_t)snprintf(l->text + l->len, l->room - l->len,
			    "%s%s", mine++ ? " " : "", v.member[i]);
		}
		if (mine == 0)
			l->len = start;	/* none of this node's */
		else
			l->text[l->len++] = '\n';
	}
	free(v.member);
}

int
roster_publish(kvStore *kv, const char *node, struct follower *f)
{
	struct list l = { NULL, 0, 64 * 1024 };
	uint64_t rev;
	natsStatus st;

	if ((l.text = malloc(l.room)) == NULL)
		fatalx("out of memory");
	list_users(f, &l);
	list_groups(f, &l);
	st = kvStore_Put(&rev, kv, node, l.text, (int)l.len);
	free(l.text);
	if (st != NATS_OK) {
		log_warnx("roster: writing %s: %s", node, natsStatus_GetText(st));
		return -1;
	}
	return 0;
}

/* "#GROUP TAB OWNER TAB MODE TAB MEMBERS": node's members of a group. */
static void
load_group(struct follower *f, const char *node, const char *line, size_t len)
{
	char *field[4], *member, *rest;
	struct group_actor a;
	uint32_t index;
	size_t n = 0;

	if (len < 2 || (rest = strndup(line + 1, len - 1)) == NULL)
		return;
	for (char *p = rest; n < 4 && (field[n] = strsep(&p, "\t")) != NULL; n++)
		;
	if (n == 4 && group_name_valid(field[0]) &&
	    (field[1][0] == '\0' || group_name_valid(field[1])) &&
	    (strcmp(field[2], "0") == 0 || strcmp(field[2], "1") == 0)) {
		for (char *p = field[3]; (member = strsep(&p, " ")) != NULL; ) {
			a.name = member;
			if (!name_valid(member, strlen(member)) ||
			    (a.slot = remote_user(f, remote_node_id(node), member,
			    &a.generation)) == SLOT_NONE)
				continue;
			a.registered = shm_slot(&f->shm, a.slot)->s_registered;
			if (groups_mirror(&f->shm, &a, field[0], field[1],
			    field[2][0] == '1', &index) != GR_OK)
				log_warnx("roster: group %s of node %s is not shown "
				    "here: every group entry is in use", field[0], node);
		}
	}
	free(rest);
}

/* One node's list, as joins of its users here, then their groups. */
static void
load_list(struct follower *f, const char *node, const char *list, int len)
{
	struct msglog_entry e;
	const char *p = list, *end = list + len, *lf, *tab;
	size_t n;

	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (*p == '#') {
			load_group(f, node, p, (size_t)(lf - p));
			p = lf + 1;
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.kind = REC_JOIN;
		e.text = "";
		tab = memchr(p, '\t', (size_t)(lf - p));
		n = (size_t)((tab != NULL ? tab : lf) - p);
		if (n > 0 && n <= SHM_NAME_MAX) {
			memcpy(e.from_name, p, n);
			if (name_valid(e.from_name, n)) {
				e.flags = tab != NULL && tab[1] == '1' ? RECF_REGISTERED : 0;
				remote_apply(f, node, 0, &e);
			}
		}
		p = lf + 1;
	}
}

void
roster_load_node(kvStore *kv, const char *node, struct follower *f)
{
	kvEntry *entry;

	if (kvStore_Get(&entry, kv, node) != NATS_OK)
		return;
	load_list(f, node, kvEntry_Value(entry), kvEntry_ValueLen(entry));
	kvEntry_Destroy(entry);
}

void
roster_load(kvStore *kv, const char *node, struct follower *f)
{
	kvKeysList keys = { NULL, 0 };
	kvEntry *entry;

	if (kvStore_Keys(&keys, kv, NULL) != NATS_OK)
		return;		/* an empty bucket has no keys */
	for (int i = 0; i < keys.Count; i++) {
		if (strcmp(keys.Keys[i], node) == 0 ||
		    !name_valid(keys.Keys[i], strlen(keys.Keys[i])) ||
		    kvStore_Get(&entry, kv, keys.Keys[i]) != NATS_OK)
			continue;
		load_list(f, keys.Keys[i], kvEntry_Value(entry),
		    kvEntry_ValueLen(entry));
		kvEntry_Destroy(entry);
	}
	kvKeysList_Destroy(&keys);
}

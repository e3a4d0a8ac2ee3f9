/*
 * roster.c -- every node's users in a key-value bucket (roster.h).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
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

int
roster_publish(kvStore *kv, const char *node, struct follower *f)
{
	size_t room = 64 * 1024, len = 0;
	struct shm_slot *s;
	char *list, name[SHM_NAME_MAX + 1];
	uint64_t rev;
	natsStatus st;
	int n;

	if ((list = malloc(room)) == NULL)
		fatalx("out of memory");
	for (uint32_t i = 0; i < f->shm.geo.max_sessions; i++) {
		s = shm_slot(&f->shm, i);
		if (atomic_load(&s->s_state) != SLOT_ACTIVE || s->s_origin != 0)
			continue;
		shm_name_copy(name, s->s_name);
		if (len + SHM_NAME_MAX + 8 > room &&
		    (list = realloc(list, room *= 2)) == NULL)
			fatalx("out of memory");
		n = snprintf(list + len, room - len, "%s\t%u\n", name,
		    s->s_registered ? RECF_REGISTERED : 0);
		len += (size_t)n;
	}
	st = kvStore_Put(&rev, kv, node, list, (int)len);
	free(list);
	if (st != NATS_OK) {
		log_warnx("roster: writing %s: %s", node, natsStatus_GetText(st));
		return -1;
	}
	return 0;
}

/* One node's list, as joins of its users here. */
static void
load_list(struct follower *f, const char *node, const char *list, int len)
{
	struct msglog_entry e;
	const char *p = list, *end = list + len, *lf, *tab;
	size_t n;

	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
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

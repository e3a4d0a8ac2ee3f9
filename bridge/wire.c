/*
 * wire.c -- records as bus messages (wire.h).
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "wire.h"

int
wire_remote_user(const struct shm *shm, const struct msglog_address *to)
{
	struct shm_slot *s;

	if (to->kind != TO_USER || to->index >= shm->geo.max_sessions)
		return 0;
	s = shm_slot(shm, to->index);
	return s->s_origin != 0 && atomic_load(&s->s_generation) == to->generation;
}

/*
 * The group changes others apply: joins, /leave_group, owners, kicks
 * and modes (each node's group table mirrors the others'), and an
 * invitation of another node's user.  A leave because the user left
 * the chat is not: each node ends its memberships at its REC_LEAVE.
 * Nor is GROUP_CLOSED: each node closes a group when its last member
 * leaves there.
 */
static int
group_carried(const struct shm *shm, const struct msglog_entry *e)
{
	switch (e->event) {
	case GROUP_JOINED:
	case GROUP_OWNER:
	case GROUP_MODE:
		return 1;
	case GROUP_LEFT:	/* leaving the chat: the REC_LEAVE says it */
		return (e->flags & RECF_QUIT) == 0;
	case GROUP_KICKED:
		return e->to.kind == TO_GROUP;
	case GROUP_INVITED:
		return wire_remote_user(shm, &e->to);
	}
	return 0;
}

int
wire_carried(const struct shm *shm, const struct msglog_entry *e)
{
	if (e->origin != 0)
		return 0;	/* another node's: its own bridge sent it */
	switch (e->kind) {
	case REC_CHAT:
		return e->to.kind == TO_ALL || e->to.kind == TO_GROUP ||
		    wire_remote_user(shm, &e->to);
	case REC_JOIN:
	case REC_LEAVE:
	case REC_LOST:
		return 1;
	case REC_GROUP:
		return group_carried(shm, e);
	}
	return 0;
}

void
wire_subject(const char *node, char *subject, size_t size)
{
	snprintf(subject, size, "chat.rec.%s", node);
}

static int
set_u64(natsMsg *m, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return natsMsgHeader_Set(m, key, buf) == NATS_OK ? 0 : -1;
}

/* A group record's event, group, target and mode. */
static int
encode_group(natsMsg *m, const struct msglog_entry *e)
{
	if (natsMsgHeader_Set(m, "Chat-Group", e->group_name) != NATS_OK ||
	    (e->target_name[0] != '\0' &&
	    natsMsgHeader_Set(m, "Chat-Target", e->target_name) != NATS_OK) ||
	    set_u64(m, "Chat-Event", e->event) == -1 ||
	    set_u64(m, "Chat-Mode", e->mode) == -1)
		return -1;
	return 0;
}

natsMsg *
wire_encode(const struct msglog_entry *e, const struct wire_origin *o)
{
	char subject[WIRE_SUBJECT_MAX], id[SHM_NAME_MAX + 48];
	natsMsg *m = NULL;

	wire_subject(o->node, subject, sizeof(subject));
	snprintf(id, sizeof(id), "%s:%016" PRIx64 ":%" PRIu64, o->node,
	    o->segment_id, o->seq);
	if (natsMsg_Create(&m, subject, NULL, e->text, (int)e->len) != NATS_OK)
		return NULL;
	if (natsMsgHeader_Set(m, "Nats-Msg-Id", id) != NATS_OK ||
	    natsMsgHeader_Set(m, "Chat-From", e->from_name) != NATS_OK ||
	    (e->to.kind != TO_ALL &&
	    natsMsgHeader_Set(m, "Chat-To", e->to_name) != NATS_OK) ||
	    (e->kind == REC_GROUP && encode_group(m, e) == -1) ||
	    set_u64(m, "Chat-Kind", e->kind) == -1 ||
	    set_u64(m, "Chat-To-Kind", e->to.kind) == -1 ||
	    set_u64(m, "Chat-Flags", e->flags) == -1 ||
	    set_u64(m, "Chat-Time", (uint64_t)e->time) == -1 ||
	    set_u64(m, "Chat-Segment", o->segment_id) == -1 ||
	    set_u64(m, "Chat-Seq", o->seq) == -1 ||
	    set_u64(m, "Chat-Next", o->next) == -1) {
		natsMsg_Destroy(m);
		return NULL;
	}
	return m;
}

/* A header as a number: 0, or -1 if missing or not one. */
static int
get_u64(natsMsg *m, const char *key, uint64_t *v)
{
	const char *s;
	char *end;

	if (natsMsgHeader_Get(m, key, &s) != NATS_OK || s == NULL || *s == '\0' ||
	    strlen(s) > 20)
		return -1;
	*v = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* The node that sent the message, from its subject. */
static int
subject_node(natsMsg *m, char *node)
{
	const char *subject = natsMsg_GetSubject(m), *p;

	if (subject == NULL || strncmp(subject, "chat.rec.", 9) != 0)
		return -1;
	p = subject + 9;
	if (!name_valid(p, strlen(p)))
		return -1;
	strlcpy(node, p, SHM_NAME_MAX + 1);
	return 0;
}

/* A name header: 0 with it copied into name, or -1 if missing or bad. */
static int
get_name(natsMsg *m, const char *key, char *name)
{
	const char *s;

	if (natsMsgHeader_Get(m, key, &s) != NATS_OK || s == NULL ||
	    !name_valid(s, strlen(s)))
		return -1;
	strlcpy(name, s, SHM_NAME_MAX + 1);
	return 0;
}

/* A group record's headers (encode_group): 0, or -1. */
static int
decode_group(natsMsg *m, struct msglog_entry *e)
{
	uint64_t event, mode;

	if (get_u64(m, "Chat-Event", &event) == -1 ||
	    get_u64(m, "Chat-Mode", &mode) == -1 || mode > 1 ||
	    get_name(m, "Chat-Group", e->group_name) == -1)
		return -1;
	switch (event) {
	case GROUP_JOINED:
	case GROUP_LEFT:
	case GROUP_MODE:
		break;
	case GROUP_OWNER:
	case GROUP_KICKED:
	case GROUP_INVITED:
		if (get_name(m, "Chat-Target", e->target_name) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	e->event = (uint32_t)event;
	e->mode = (uint32_t)mode;
	return 0;
}

/* A REC_LOST record's text: "FROM TO", 1 to 20 digits each. */
static int
lost_span(natsMsg *m)
{
	const char *s = natsMsg_GetData(m);
	int len = natsMsg_GetDataLength(m), digits = 0, spaces = 0;

	if (s == NULL || len < 3 || len > 41)
		return -1;
	for (int i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9' && ++digits <= 20)
			continue;
		if (s[i] != ' ' || digits == 0 || spaces++ > 0)
			return -1;
		digits = 0;
	}
	return spaces == 1 && digits > 0 ? 0 : -1;
}

/* Who a record goes to: a kind its kind may have, and the name. */
static int
decode_to(natsMsg *m, uint64_t kind, uint64_t to_kind, struct msglog_entry *e)
{
	switch (kind) {
	case REC_JOIN:
	case REC_LEAVE:
		e->to.kind = TO_ALL;
		return 0;
	case REC_LOST:
		e->to.kind = TO_ALL;
		return lost_span(m);
	case REC_CHAT:
		if (to_kind == TO_ALL)
			return 0;
		if (to_kind != TO_USER && to_kind != TO_GROUP)
			return -1;
		break;
	case REC_GROUP:
		if (to_kind != TO_USER && to_kind != TO_GROUP)
			return -1;
		if (decode_group(m, e) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	return get_name(m, "Chat-To", e->to_name);
}

int
wire_decode(natsMsg *m, uint32_t max_line, struct msglog_entry *e,
    struct wire_origin *o)
{
	uint64_t kind, to_kind, flags;
	const char *from;
	int len = natsMsg_GetDataLength(m);

	memset(o, 0, sizeof(*o));
	if (subject_node(m, o->node) == -1 ||
	    get_u64(m, "Chat-Kind", &kind) == -1 ||
	    get_u64(m, "Chat-To-Kind", &to_kind) == -1 ||
	    get_u64(m, "Chat-Flags", &flags) == -1 ||
	    get_u64(m, "Chat-Segment", &o->segment_id) == -1 ||
	    get_u64(m, "Chat-Seq", &o->seq) == -1 ||
	    get_u64(m, "Chat-Next", &o->next) == -1 ||
	    natsMsgHeader_Get(m, "Chat-From", &from) != NATS_OK || from == NULL ||
	    !name_valid(from, strlen(from)) || len < 0 || (uint32_t)len > max_line)
		return -1;
	e->to.kind = (uint32_t)to_kind;
	if (decode_to(m, kind, to_kind, e) == -1)
		return -1;
	if (text_check(natsMsg_GetData(m), (size_t)len) != TEXT_OK)
		return -1;
	e->kind = (uint32_t)kind;
	e->flags = (uint32_t)flags & (RECF_REGISTERED | RECF_CREATED |
	    RECF_NOTICE | RECF_ACTION);
	e->from_slot = SLOT_NONE;
	strlcpy(e->from_name, from, sizeof(e->from_name));
	memcpy(e->text, natsMsg_GetData(m), (size_t)len);
	e->len = (uint32_t)len;
	return 0;
}

uint64_t
wire_seq(natsMsg *m)
{
	uint64_t seq;

	return get_u64(m, "Chat-Seq", &seq) == 0 ? seq : 0;
}

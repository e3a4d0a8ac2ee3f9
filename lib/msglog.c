/*
 * msglog.c -- append to and read from the shared message log.
 *
 * A record is published by storing its sequence number last; log_next
 * moves on only after that, so readers never see a half-written record.
 * A reader copies a record and then checks r_seq again (a seqlock): if
 * it changed, a writer lapped the ring and the copy is not trusted.
 */
#include <stdatomic.h>
#include <string.h>

#include "fault.h"
#include "msglog.h"
#include "text.h"

uint64_t
msglog_next(const struct shm *shm)
{
	return atomic_load_explicit(&shm->hdr->log_next, memory_order_acquire);
}

uint64_t
msglog_append(const struct shm *shm, const struct msglog_entry *e)
{
	struct shm_record *r;
	uint64_t seq;
	size_t len = e->len;

	len = utf8_prefix(e->text, len, shm->hdr->max_line);
	shm_lock_log(shm);
	seq = atomic_load_explicit(&shm->hdr->log_next, memory_order_relaxed);
	r = shm_record(shm, seq);
	atomic_store_explicit(&r->r_seq, SEQ_WRITING, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	r->r_kind = e->kind;
	r->r_from_slot = e->from_slot;
	r->r_from_generation = e->from_generation;
	r->r_to_kind = e->to_kind;
	r->r_to = e->to;
	r->r_to_generation = e->to_generation;
	r->r_len = (uint32_t)len;
	strlcpy(r->r_from_name, e->from_name, sizeof(r->r_from_name));
	fault_point("log");	/* a half-written record */
	strlcpy(r->r_to_name, e->to_name, sizeof(r->r_to_name));
	memcpy(r->r_text, e->text, len);
	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
	/* seq_cst: ordered before the wake-pending flags flipped next. */
	atomic_store(&shm->hdr->log_next, seq + 1);
	shm_unlock_log(shm);
	if (e->kind == REC_CHAT)
		atomic_fetch_add(&shm->hdr->st_messages, 1);
	return seq;
}

uint64_t
msglog_append_all(const struct shm *shm, uint32_t kind, uint32_t from_slot,
    uint32_t from_generation, const char *from_name, const char *text, size_t len)
{
	struct msglog_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.from_slot = from_slot;
	e.from_generation = from_generation;
	e.to_kind = TO_ALL;
	strlcpy(e.from_name, from_name, sizeof(e.from_name));
	e.text = (char *)(uintptr_t)text;
	e.len = (uint32_t)len;
	return msglog_append(shm, &e);
}

enum msglog_result
msglog_read(const struct shm *shm, uint64_t seq, struct msglog_entry *entry)
{
	struct shm_record *r = shm_record(shm, seq);
	uint64_t before, after;
	uint32_t len;

	if (seq >= msglog_next(shm))
		return MSGLOG_NONE;
	before = atomic_load_explicit(&r->r_seq, memory_order_acquire);
	if (before != seq)
		return MSGLOG_LOST;
	entry->seq = seq;
	entry->kind = r->r_kind;
	entry->from_slot = r->r_from_slot;
	entry->from_generation = r->r_from_generation;
	entry->to_kind = r->r_to_kind;
	entry->to = r->r_to;
	entry->to_generation = r->r_to_generation;
	len = r->r_len;
	if (len > shm->hdr->max_line)
		len = shm->hdr->max_line;
	entry->len = len;
	memcpy(entry->from_name, r->r_from_name, sizeof(entry->from_name));
	entry->from_name[SHM_NAME_MAX] = '\0';
	memcpy(entry->to_name, r->r_to_name, sizeof(entry->to_name));
	entry->to_name[SHM_NAME_MAX] = '\0';
	memcpy(entry->text, r->r_text, len);
	atomic_thread_fence(memory_order_acquire);
	after = atomic_load_explicit(&r->r_seq, memory_order_relaxed);
	return after == seq ? MSGLOG_OK : MSGLOG_LOST;
}

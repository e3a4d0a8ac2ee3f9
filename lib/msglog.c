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

#include "msglog.h"

uint64_t
msglog_next(const struct shm *shm)
{
	return atomic_load_explicit(&shm->hdr->log_next, memory_order_acquire);
}

uint64_t
msglog_append(const struct shm *shm, uint32_t kind, uint32_t from_slot,
    uint32_t from_generation, const char *from_name, const char *text, size_t len)
{
	struct shm_record *r;
	uint64_t seq;

	if (len > shm->hdr->max_line)
		len = shm->hdr->max_line;
	shm_lock_log(shm);
	seq = atomic_load_explicit(&shm->hdr->log_next, memory_order_relaxed);
	r = shm_record(shm, seq);
	atomic_store_explicit(&r->r_seq, SEQ_WRITING, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	r->r_kind = kind;
	r->r_from_slot = from_slot;
	r->r_from_generation = from_generation;
	r->r_len = (uint32_t)len;
	strlcpy(r->r_from_name, from_name, sizeof(r->r_from_name));
	memcpy(r->r_text, text, len);
	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
	atomic_store_explicit(&shm->hdr->log_next, seq + 1, memory_order_release);
	shm_unlock_log(shm);
	if (kind == REC_CHAT)
		atomic_fetch_add(&shm->hdr->st_messages, 1);
	return seq;
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
	len = r->r_len;
	if (len > shm->hdr->max_line)
		len = shm->hdr->max_line;
	entry->len = len;
	memcpy(entry->from_name, r->r_from_name, sizeof(entry->from_name));
	entry->from_name[SHM_NAME_MAX] = '\0';
	memcpy(entry->text, r->r_text, len);
	atomic_thread_fence(memory_order_acquire);
	after = atomic_load_explicit(&r->r_seq, memory_order_relaxed);
	return after == seq ? MSGLOG_OK : MSGLOG_LOST;
}

/*
 * msglog.c -- append to and read from the shared message log.
 *
 * The log is a ring of 64-byte cells; a record takes as many whole
 * cells as its header, names and text need, and never wraps: when it
 * would not fit before the ring's end, a pad record fills the rest and
 * the record starts at cell 0.  A join takes one cell, a chat line of up
 * to about 100 bytes two, so a reader touches few pages.
 *
 * A record is published by storing its sequence number last; log_next
 * moves on only after that, so readers never see a half-written record.
 * Before writing a byte, the writer raises log_reserved to the record's
 * end.  A reader copies a record and then checks that log_reserved has
 * not come within a ring of it and that r_seq is unchanged (a seqlock):
 * if either fails, a writer lapped the reader and the copy is not
 * trusted.
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

/*
 * Announce that cells up to end are about to be overwritten.  It never
 * goes back, not even after a writer died half-way: the cells it had
 * reserved hold its partial bytes.
 */
static void
reserve(const struct shm *shm, uint64_t end)
{
	if (end > atomic_load_explicit(&shm->hdr->log_reserved, memory_order_relaxed))
		atomic_store_explicit(&shm->hdr->log_reserved, end,
		    memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

/* Start a record at seq: readers that copy it from now on see it change. */
static struct shm_record *
begin_record(const struct shm *shm, uint64_t seq, uint32_t cells, uint32_t kind)
{
	struct shm_record *r = shm_record(shm, seq);

	atomic_store_explicit(&r->r_seq, SEQ_WRITING, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	r->r_cells = cells;
	r->r_kind = kind;
	return r;
}

static void
write_pad(const struct shm *shm, uint64_t seq, uint32_t cells)
{
	struct shm_record *r = begin_record(shm, seq, cells, REC_PAD);

	r->r_from_slot = r->r_from_generation = 0;
	r->r_to_kind = r->r_to = r->r_to_generation = 0;
	r->r_len = 0;
	r->r_from_name_len = r->r_to_name_len = 0;
	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
}

uint64_t
msglog_append(const struct shm *shm, struct msglog_entry *e)
{
	size_t from_len = strnlen(e->from_name, SHM_NAME_MAX);
	size_t to_len = strnlen(e->to_name, SHM_NAME_MAX);
	size_t len = utf8_prefix(e->text, e->len, shm->geo.max_line);
	uint32_t cells = shm_record_cells(from_len + to_len + len);
	uint64_t ring = shm->geo.log_cells, seq, room, pad;
	struct shm_record *r;

	shm_lock_log(shm);
	seq = atomic_load_explicit(&shm->hdr->log_next, memory_order_relaxed);
	room = ring - seq % ring;
	pad = room < cells ? room : 0;
	reserve(shm, seq + pad + cells);
	if (pad > 0) {
		write_pad(shm, seq, (uint32_t)pad);
		seq += pad;
	}
	r = begin_record(shm, seq, cells, e->kind);
	r->r_from_slot = e->from_slot;
	r->r_from_generation = e->from_generation;
	r->r_to_kind = e->to_kind;
	r->r_to = e->to;
	r->r_to_generation = e->to_generation;
	r->r_len = (uint32_t)len;
	r->r_from_name_len = (uint8_t)from_len;
	r->r_to_name_len = (uint8_t)to_len;
	memcpy(r->r_data, e->from_name, from_len);
	fault_point("log");	/* a half-written record */
	memcpy(r->r_data + from_len, e->to_name, to_len);
	memcpy(r->r_data + from_len + to_len, e->text, len);
	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
	/* seq_cst: ordered before the wake-pending flags flipped next. */
	atomic_store(&shm->hdr->log_next, seq + cells);
	shm_unlock_log(shm);
	atomic_fetch_add_explicit(&shm->hdr->st_records, 1, memory_order_relaxed);
	if (e->kind == REC_CHAT)
		atomic_fetch_add(&shm->hdr->st_messages, 1);
	e->seq = seq;
	e->next = seq + cells;
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
	msglog_append(shm, &e);
	return e.next;
}

/* Have no writers touched the cells from seq on since they were written? */
static int
intact(const struct shm *shm, uint64_t seq)
{
	return atomic_load_explicit(&shm->hdr->log_reserved, memory_order_acquire) <=
	    seq + shm->geo.log_cells;
}

/* Does a record header claim only what its cells hold? */
static int
fits(const struct shm *shm, uint64_t seq, uint64_t next, uint32_t cells,
    size_t from_len, size_t to_len, size_t len)
{
	uint64_t ring = shm->geo.log_cells;

	return cells > 0 && cells <= ring - seq % ring && cells <= next - seq &&
	    from_len <= SHM_NAME_MAX && to_len <= SHM_NAME_MAX &&
	    len <= shm->geo.max_line &&
	    shm_record_cells(from_len + to_len + len) <= cells;
}

static enum msglog_result
read_one(const struct shm *shm, uint64_t seq, struct msglog_entry *entry)
{
	struct shm_record *r = shm_record(shm, seq);
	uint64_t next = msglog_next(shm);
	size_t from_len, to_len, len;
	uint32_t cells;

	if (seq >= next)
		return MSGLOG_NONE;
	if (!intact(shm, seq) ||
	    atomic_load_explicit(&r->r_seq, memory_order_acquire) != seq)
		return MSGLOG_LOST;
	cells = r->r_cells;
	from_len = r->r_from_name_len;
	to_len = r->r_to_name_len;
	len = r->r_len;
	if (!fits(shm, seq, next, cells, from_len, to_len, len))
		return MSGLOG_LOST;	/* overwritten under us, or garbage */
	entry->kind = r->r_kind;
	entry->from_slot = r->r_from_slot;
	entry->from_generation = r->r_from_generation;
	entry->to_kind = r->r_to_kind;
	entry->to = r->r_to;
	entry->to_generation = r->r_to_generation;
	entry->len = (uint32_t)len;
	memcpy(entry->from_name, r->r_data, from_len);
	entry->from_name[from_len] = '\0';
	memcpy(entry->to_name, r->r_data + from_len, to_len);
	entry->to_name[to_len] = '\0';
	memcpy(entry->text, r->r_data + from_len + to_len, len);
	atomic_thread_fence(memory_order_acquire);
	if (!intact(shm, seq) ||
	    atomic_load_explicit(&r->r_seq, memory_order_relaxed) != seq)
		return MSGLOG_LOST;
	entry->seq = seq;
	entry->next = seq + cells;
	return MSGLOG_OK;
}

enum msglog_result
msglog_read(const struct shm *shm, uint64_t seq, struct msglog_entry *entry)
{
	enum msglog_result result = read_one(shm, seq, entry);

	if (result != MSGLOG_OK || entry->kind != REC_PAD)
		return result;
	/* A pad runs to the ring's end; a record starts at cell 0. */
	result = read_one(shm, entry->next, entry);
	if (result == MSGLOG_OK && entry->kind == REC_PAD)
		return MSGLOG_LOST;
	return result;
}

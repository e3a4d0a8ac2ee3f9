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
#include <stdlib.h>
#include <string.h>

#include "clock.h"
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
	memset((char *)r + sizeof(r->r_seq), 0, sizeof(*r) - sizeof(r->r_seq));
	r->r_cells = cells;
	r->r_kind = (uint8_t)kind;
	return r;
}

static void
write_pad(const struct shm *shm, uint64_t seq, uint32_t cells)
{
	struct shm_record *r = begin_record(shm, seq, cells, REC_PAD);

	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
}

/* The lengths of a record's names, in the order they are stored. */
struct name_lengths {
	size_t	from, to, group, target;
};

static size_t
names_total(const struct name_lengths *n)
{
	return n->from + n->to + n->group + n->target;
}

static void
entry_name_lengths(const struct msglog_entry *e, struct name_lengths *n)
{
	n->from = strnlen(e->from_name, SHM_NAME_MAX);
	n->to = strnlen(e->to_name, SHM_NAME_MAX);
	n->group = strnlen(e->group_name, SHM_NAME_MAX);
	n->target = strnlen(e->target_name, SHM_NAME_MAX);
}

/* Text bytes kept: max_line, and what the names leave of the data. */
static size_t
text_kept(const struct shm *shm, const struct msglog_entry *e,
    const struct name_lengths *n)
{
	size_t room = SHM_RECORD_DATA_MAX(shm->geo.max_line) - names_total(n);

	if (room > shm->geo.max_line)
		room = shm->geo.max_line;
	return utf8_prefix(e->text, e->len, room);
}

static void
write_fields(struct shm_record *r, const struct msglog_entry *e,
    const struct name_lengths *n, size_t len)
{
	char *p = r->r_data;

	r->r_time = e->time;
	r->r_origin = e->origin;
	r->r_event = (uint8_t)e->event;
	r->r_mode = (uint8_t)e->mode;
	r->r_flags = (uint8_t)e->flags;
	r->r_from_slot = e->from_slot;
	r->r_from_generation = e->from_generation;
	r->r_to_kind = (uint8_t)e->to.kind;
	r->r_to = e->to.index;
	r->r_to_generation = e->to.generation;
	r->r_len = (uint32_t)len;
	r->r_from_name_len = (uint8_t)n->from;
	r->r_to_name_len = (uint8_t)n->to;
	r->r_group_name_len = (uint8_t)n->group;
	r->r_target_name_len = (uint8_t)n->target;
	memcpy(p, e->from_name, n->from);
	fault_point("log");	/* a half-written record */
	memcpy(p += n->from, e->to_name, n->to);
	memcpy(p += n->to, e->group_name, n->group);
	memcpy(p += n->group, e->target_name, n->target);
	if (len > 0)		/* a record without text may have no buffer */
		memcpy(p + n->target, e->text, len);
}

/*
 * An appender publishes log_next only after its record is complete, so a
 * dead appender left at most a half-written record beyond log_next,
 * which no reader looks at and the next appender overwrites.
 */
static void
repair_log(const struct shm *shm)
{
	(void)shm;
}

static void
lock_log(const struct shm *shm)
{
	shm_lock_robust(shm, &shm->hdr->log_lock, "log", repair_log);
}

static uint64_t append(const struct shm *, struct msglog_entry *,
    _Atomic uint64_t *, uint64_t);

uint64_t
msglog_append(const struct shm *shm, struct msglog_entry *e)
{
	return append(shm, e, NULL, 0);
}

uint64_t
msglog_append_marked(const struct shm *shm, struct msglog_entry *e,
    _Atomic uint64_t *mark, uint64_t value)
{
	return append(shm, e, mark, value);
}

/* Append e; with mark, store value in it under the same lock. */
static uint64_t
append(const struct shm *shm, struct msglog_entry *e, _Atomic uint64_t *mark,
    uint64_t value)
{
	struct name_lengths n;
	size_t len;
	uint32_t cells;
	uint64_t ring = shm->geo.log_cells, seq, room, pad;
	struct shm_record *r;

	entry_name_lengths(e, &n);
	len = text_kept(shm, e, &n);
	cells = shm_record_cells(names_total(&n) + len);
	lock_log(shm);
	e->time = clock_unix_ms();	/* under the lock: times never go back */
	seq = atomic_load_explicit(&shm->hdr->log_next, memory_order_relaxed);
	room = ring - seq % ring;
	pad = room < cells ? room : 0;
	reserve(shm, seq + pad + cells);
	if (pad > 0) {
		write_pad(shm, seq, (uint32_t)pad);
		seq += pad;
	}
	r = begin_record(shm, seq, cells, e->kind);
	write_fields(r, e, &n, len);
	atomic_store_explicit(&r->r_seq, seq, memory_order_release);
	/* seq_cst: ordered before the wake-pending flags flipped next. */
	atomic_store(&shm->hdr->log_next, seq + cells);
	if (mark != NULL)
		atomic_store(mark, value);
	pthread_mutex_unlock(&shm->hdr->log_lock);
	atomic_fetch_add_explicit(&shm->hdr->st_records, 1, memory_order_relaxed);
	if (e->kind == REC_CHAT) {
		atomic_fetch_add(&shm->hdr->st_messages, 1);
		if (e->to.kind < TO_KINDS)
			atomic_fetch_add_explicit(&shm->hdr->st_messages_to[e->to.kind],
			    1, memory_order_relaxed);
	}
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
	if (from_slot < shm->geo.max_sessions)	/* a remote user's: its node */
		e.origin = shm_slot(shm, from_slot)->s_origin;
	e.from_slot = from_slot;
	e.from_generation = from_generation;
	e.to.kind = TO_ALL;
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
    const struct name_lengths *n, size_t len)
{
	uint64_t ring = shm->geo.log_cells;
	size_t data = names_total(n) + len;

	return cells > 0 && cells <= ring - seq % ring && cells <= next - seq &&
	    n->from <= SHM_NAME_MAX && n->to <= SHM_NAME_MAX &&
	    n->group <= SHM_NAME_MAX && n->target <= SHM_NAME_MAX &&
	    len <= shm->geo.max_line &&
	    data <= SHM_RECORD_DATA_MAX(shm->geo.max_line) &&
	    shm_record_cells(data) <= cells;
}

/* Copy len bytes at *p into a NUL-ended name and step over them. */
static void
copy_name(char *name, const char **p, size_t len)
{
	memcpy(name, *p, len);
	name[len] = '\0';
	*p += len;
}

static void
read_fields(const struct shm_record *r, struct msglog_entry *entry,
    const struct name_lengths *n, size_t len)
{
	const char *p = r->r_data;

	entry->time = r->r_time;
	entry->origin = r->r_origin;
	entry->kind = r->r_kind;
	entry->event = r->r_event;
	entry->mode = r->r_mode;
	entry->flags = r->r_flags;
	entry->from_slot = r->r_from_slot;
	entry->from_generation = r->r_from_generation;
	entry->to.kind = r->r_to_kind;
	entry->to.index = r->r_to;
	entry->to.generation = r->r_to_generation;
	entry->len = (uint32_t)len;
	copy_name(entry->from_name, &p, n->from);
	copy_name(entry->to_name, &p, n->to);
	copy_name(entry->group_name, &p, n->group);
	copy_name(entry->target_name, &p, n->target);
	memcpy(entry->text, p, len);
}

static enum msglog_result
read_one(const struct shm *shm, uint64_t seq, struct msglog_entry *entry)
{
	struct shm_record *r = shm_record(shm, seq);
	uint64_t next = msglog_next(shm);
	struct name_lengths n;
	uint32_t cells;
	size_t len;

	if (seq >= next)
		return MSGLOG_NONE;
	if (!intact(shm, seq) ||
	    atomic_load_explicit(&r->r_seq, memory_order_acquire) != seq)
		return MSGLOG_LOST;
	cells = r->r_cells;
	n.from = r->r_from_name_len;
	n.to = r->r_to_name_len;
	n.group = r->r_group_name_len;
	n.target = r->r_target_name_len;
	len = r->r_len;
	if (!fits(shm, seq, next, cells, &n, len))
		return MSGLOG_LOST;	/* overwritten under us, or garbage */
	read_fields(r, entry, &n, len);
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

int
msglog_reaches(const struct shm *shm, const struct msglog_address *to,
    uint64_t seq, uint32_t slot, uint32_t generation)
{
	uint64_t joined;

	switch (to->kind) {
	case TO_ALL:
		return 1;
	case TO_USER:
		return to->index == slot && to->generation == generation;
	case TO_GROUP:
		if (to->index >= shm->geo.max_groups)
			return 0;
		joined = atomic_load_explicit(shm_joined(shm, to->index, slot),
		    memory_order_acquire);
		return joined != 0 && joined < seq;
	}
	return 0;
}

/*
 * Do the records from seq on read intact, one after another, up to end?
 * Rules out a cell that only looks like a record's first (a stale header
 * behind a short text): its successor would not be a record.
 */
static int
chains_to(const struct shm *shm, uint64_t seq, uint64_t end,
    struct msglog_entry *e)
{
	while (seq < end) {
		if (msglog_read(shm, seq, e) != MSGLOG_OK)
			return 0;
		seq = e->next;
	}
	return 1;
}

/*
 * A record starts at cell c when the cell's r_seq is c itself: a cell
 * inside a record starts with names or text, which hold no NUL, and a
 * sequence number's top byte is 0.  Cells below log_reserved - log_cells
 * are overwritten already; a candidate is taken only if the records
 * chain from it to log_next.  A writer lapping the scan moves the
 * oldest intact cell on, and the scan with it.
 */
uint64_t
msglog_resync(const struct shm *shm, uint64_t seq, struct msglog_entry *entry)
{
	uint64_t ring = shm->geo.log_cells, end = msglog_next(shm), oldest;
	uint64_t c = seq;

	for (uint64_t tries = 0; c < end && tries < 2 * ring; tries++, c++) {
		oldest = atomic_load_explicit(&shm->hdr->log_reserved,
		    memory_order_acquire);
		oldest = oldest > ring ? oldest - ring : 0;
		if (c < oldest)
			c = oldest;
		if (atomic_load_explicit(&shm_record(shm, c)->r_seq,
		    memory_order_acquire) == c && chains_to(shm, c, end, entry))
			return c;
	}
	return end;
}

/* The slot of the follower labelled label, or SLOT_NONE. */
static uint32_t
follower_slot(const struct shm *shm, const char *label)
{
	struct shm_slot *s;

	for (uint32_t i = 0; i < shm->geo.max_sessions; i++) {
		s = shm_slot(shm, i);
		if (atomic_load(&s->s_state) == SLOT_FOLLOWER &&
		    strncmp(s->s_peer, label, sizeof(s->s_peer)) == 0)
			return i;
	}
	return SLOT_NONE;
}

int64_t
msglog_follower_lag_ms(const struct shm *shm, const char *label)
{
	uint32_t slot = follower_slot(shm, label);
	struct msglog_entry e;
	int64_t lag = 0;
	uint64_t seq;

	if (slot == SLOT_NONE)
		return -1;
	seq = atomic_load(&shm_slot(shm, slot)->s_cursor);
	if (seq >= msglog_next(shm))
		return 0;
	memset(&e, 0, sizeof(e));
	if ((e.text = malloc(shm->geo.max_line + 1)) == NULL)
		return -1;
	if (msglog_read(shm, seq, &e) == MSGLOG_LOST)
		seq = msglog_resync(shm, seq, &e);
	if (seq < msglog_next(shm) && msglog_read(shm, seq, &e) == MSGLOG_OK)
		lag = clock_unix_ms() - e.time;
	free(e.text);
	return lag > 0 ? lag : 0;
}

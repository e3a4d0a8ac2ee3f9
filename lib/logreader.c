/*
 * logreader.c -- a slot's drain of the shared log.
 *
 * The wake-pending flag is cleared before log_next is read (both
 * sequentially consistent): a record appended after that load flips the
 * flag again and wakes the reader again, so none is left unread.
 */
#include <stdatomic.h>
#include <string.h>

#include "logreader.h"

void
logreader_init(struct logreader *r, const struct shm *shm, uint32_t slot,
    uint32_t generation, uint64_t cursor, char *text)
{
	memset(r, 0, sizeof(*r));
	r->shm = shm;
	r->slot = slot;
	r->generation = generation;
	r->cursor = cursor;
	r->text = text;
}

void
logreader_begin(struct logreader *r)
{
	atomic_exchange(&shm_slot(r->shm, r->slot)->s_wake_pending, 0);
	r->end = msglog_next(r->shm);
}

/* The sender never gets its own records back; a follower gets them all. */
static int
for_reader(const struct logreader *r, const struct msglog_entry *e)
{
	if (r->every)
		return 1;
	if (e->from_slot == r->slot && e->from_generation == r->generation)
		return 0;
	return msglog_reaches(r->shm, &e->to, e->seq, r->slot, r->generation);
}

enum logreader_result
logreader_next(struct logreader *r, struct msglog_entry *e)
{
	e->text = r->text;
	while (r->cursor < r->end) {
		switch (msglog_read(r->shm, r->cursor, e)) {
		case MSGLOG_NONE:
			return LOGREADER_END;
		case MSGLOG_LOST:
			return LOGREADER_LOST;
		case MSGLOG_OK:
			break;
		}
		r->cursor = e->next;
		if (for_reader(r, e))
			return LOGREADER_RECORD;
	}
	return LOGREADER_END;
}

void
logreader_publish(const struct logreader *r)
{
	atomic_store_explicit(&shm_slot(r->shm, r->slot)->s_cursor, r->cursor,
	    memory_order_relaxed);
}

enum logreader_result
logreader_drain(struct logreader *r, int (*deliver)(void *,
    const struct msglog_entry *), void *arg)
{
	struct msglog_entry e;
	uint64_t delivered = 0;
	int rc;

	logreader_begin(r);
	for (;;) {
		switch (logreader_next(r, &e)) {
		case LOGREADER_END:
			break;
		case LOGREADER_LOST:
			return LOGREADER_LOST;
		default:
			if ((rc = deliver(arg, &e)) == -1)
				return LOGREADER_STOPPED;
			delivered += (uint64_t)rc;
			continue;
		}
		break;
	}
	logreader_publish(r);
	if (delivered > 0)
		atomic_fetch_add_explicit(&r->shm->hdr->st_deliveries, delivered,
		    memory_order_relaxed);
	return LOGREADER_END;
}

int
logreader_close_request(const struct logreader *r, char *reason, size_t size)
{
	struct shm_slot *slot = shm_slot(r->shm, r->slot);
	uint32_t request = atomic_load(&slot->s_close);
	size_t n = size < sizeof(slot->s_close_reason) ? size :
	    sizeof(slot->s_close_reason);

	if (request == 0 || size == 0)
		return -1;
	memcpy(reason, slot->s_close_reason, n);
	reason[n - 1] = '\0';
	return request - 1 < DISC_REASONS ? (int)request - 1 : DISC_KICKED;
}

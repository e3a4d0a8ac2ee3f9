/*
 * wake.c -- the session's side of its hub link (lib/hublink.c).
 *
 * Owns what the session does after its own wake-ups and answers:
 * draining when its own cursor lags (after its own lines, or an
 * action's answer).  The link's own events are session.c's dispatch,
 * through hublink_handle.
 */
#include <stdatomic.h>

#include "log.h"
#include "session.h"

void
session_wake(struct session *s, uint32_t to_kind, uint32_t to)
{
	struct msglog_address a = { to_kind, to, 0 };

	if (to_kind == TO_USER)
		a.generation = atomic_load(&shm_slot(&s->shm, to)->s_generation);
	if (hublink_wake(&s->link, &a))
		deliver_drain(s);	/* a sender lags behind its own lines */
}

void
session_answer(struct session *s, const struct core_result *r)
{
	reply_result(s, r);
	if (r->lagging && s->state == SESSION_CHAT)
		deliver_drain(s);	/* a sender lags behind its own lines */
}

void
session_presence(struct session *s)
{
	if (hublink_presence(&s->link) && s->state == SESSION_CHAT)
		deliver_drain(s);
}

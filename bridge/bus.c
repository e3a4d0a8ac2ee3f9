/*
 * bus.c -- chat-bridge's side of NATS (bus.h).
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "clock.h"
#include "claims.h"
#include "log.h"
#include "nodes.h"
#include "wire.h"

#define PUBLISH_WAIT_MS		5000
#define STREAM_INFO_WAIT_MS	1000
#define PING_INTERVAL_MS	5000
#define ORDERED_HEARTBEAT_NS	1000000000LL	/* 1 s */
#define REPLAY_MS		10000	/* a new segment reads back this far */
#define STREAM_TRIES		60	/* STREAM_RETRY_MS apart */
#define STREAM_RETRY_MS		250
#define DUPLICATES_WINDOW_NS	(3600LL * 1000000000LL)	/* an hour */

/* On a cnats thread: wake the bridge (the queues are filled). */
static void
wake(struct bus *b)
{
	uint64_t one = 1;

	/* A failed write: the counter is set already, the bridge will look. */
	ssize_t n = write(b->fd, &one, sizeof(one));
	(void)n;
}

/* On a cnats thread: queue the message, wake the bridge. */
static void
on_message(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *arg)
{
	struct bus *b = arg;
	natsMsg **grown;

	(void)nc;
	(void)sub;
	pthread_mutex_lock(&b->lock);
	if (b->queued == b->room) {
		b->room = b->room ? b->room * 2 : 256;
		if ((grown = reallocarray(b->queue, b->room, sizeof(*grown))) == NULL)
			fatalx("out of memory");
		b->queue = grown;
	}
	b->queue[b->queued++] = m;
	pthread_mutex_unlock(&b->lock);
	wake(b);
}

/*
 * On a cnats thread: the stream's answer to a record published, or its
 * failure (cnats's timeout after PUBLISH_WAIT_MS included); queued for
 * the bridge, which alone decides what it means.
 */
static void
on_ack(jsCtx *js, natsMsg *m, jsPubAck *pa, jsPubAckErr *pae, void *arg)
{
	struct bus *b = arg;
	struct bus_ack a, *grown;

	(void)js;
	memset(&a, 0, sizeof(a));
	a.seq = wire_seq(m);
	natsMsg_Destroy(m);	/* ours: cnats hands it back */
	if (pa != NULL) {
		a.stored = 1;
		a.stream_seq = pa->Sequence;
	} else if (pae != NULL) {
		a.status = pae->Err;
		a.err = pae->ErrCode;
	}
	if (atomic_load(&b->closing))
		return;
	pthread_mutex_lock(&b->lock);
	if (b->acked == b->acks_room) {
		b->acks_room = b->acks_room ? b->acks_room * 2 : 64;
		if ((grown = reallocarray(b->acks, b->acks_room,
		    sizeof(*grown))) == NULL)
			fatalx("out of memory");
		b->acks = grown;
	}
	b->acks[b->acked++] = a;
	pthread_mutex_unlock(&b->lock);
	wake(b);
}

static void
on_disconnected(natsConnection *nc, void *arg)
{
	struct bus *b = arg;

	(void)nc;
	atomic_store(&b->connected, 0);
	if (!atomic_load(&b->closing))
		log_warnx("bus: disconnected; reconnecting");
}

static void
on_reconnected(natsConnection *nc, void *arg)
{
	char url[256];

	(void)arg;
	if (natsConnection_GetConnectedUrl(nc, url, sizeof(url)) != NATS_OK)
		strlcpy(url, "?", sizeof(url));
	log_info("bus: reconnected to %s", url);
	atomic_store(&((struct bus *)arg)->connected, 1);
}

/* The comma-separated nats_url as an array (strings in copy). */
static size_t
split_servers(char *copy, const char **servers, size_t max)
{
	size_t n = 0;
	char *p = copy, *comma;

	while (n < max && p != NULL && *p != '\0') {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		servers[n++] = p;
		p = comma;
	}
	return n;
}

static natsStatus
connect_bus(struct bus *b, const struct chat_conf *conf)
{
	const char *servers[32];
	char copy[sizeof(conf->nats_url)];
	natsOptions *o = NULL;
	natsStatus s;
	size_t n;

	strlcpy(copy, conf->nats_url, sizeof(copy));
	n = split_servers(copy, servers, 32);
	b->replicas = n >= 3 ? 3 : 1;
	b->keep_hours = conf->bus_keep_hours;
	if ((s = natsOptions_Create(&o)) == NATS_OK &&
	    (s = natsOptions_SetServers(o, servers, (int)n)) == NATS_OK &&
	    (s = natsOptions_SetName(o, b->node)) == NATS_OK &&
	    (s = natsOptions_SetNoRandomize(o, true)) == NATS_OK &&
	    (s = natsOptions_SetMaxReconnect(o, -1)) == NATS_OK &&
	    (s = natsOptions_SetReconnectWait(o, 250)) == NATS_OK &&
	    (s = natsOptions_SetPingInterval(o, PING_INTERVAL_MS)) == NATS_OK &&
	    (s = natsOptions_SetMaxPingsOut(o, 2)) == NATS_OK &&
	    (s = natsOptions_SetRetryOnFailedConnect(o, true, NULL, NULL)) == NATS_OK &&
	    (s = natsOptions_SetDisconnectedCB(o, on_disconnected, b)) == NATS_OK &&
	    (s = natsOptions_SetReconnectedCB(o, on_reconnected, b)) == NATS_OK)
		s = natsConnection_Connect(&b->nc, o);
	natsOptions_Destroy(o);
	return s;
}

/* The stream made by another bridge keeps records for bus_keep_hours. */
static void
keep_for(struct bus *b, const jsStreamInfo *si, jsStreamConfig *sc)
{
	jsStreamInfo *updated = NULL;
	jsErrCode err = 0;

	sc->Replicas = si->Config->Replicas;
	if (js_UpdateStream(&updated, b->js, sc, NULL, &err) != NATS_OK) {
		log_warnx("bus: stream %s: keeping records %u hours: %s",
		    WIRE_STREAM, b->keep_hours, nats_GetLastError(NULL));
		return;
	}
	log_info("bus: stream %s keeps records %u hours now", WIRE_STREAM,
	    b->keep_hours);
	jsStreamInfo_Destroy(updated);
}

/* The stream of every node's records, made if it is not there. */
static natsStatus
make_stream(struct bus *b)
{
	const char *subjects[] = { WIRE_SUBJECTS };
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsErrCode err = 0;
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = WIRE_STREAM;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Duplicates = DUPLICATES_WINDOW_NS;
	sc.MaxAge = (int64_t)b->keep_hours * 3600 * 1000000000;
	if (js_GetStreamInfo(&si, b->js, WIRE_STREAM, NULL, &err) == NATS_OK) {
		if (si->Config->MaxAge != sc.MaxAge)
			keep_for(b, si, &sc);
		jsStreamInfo_Destroy(si);
		return NATS_OK;
	}
	sc.Replicas = b->replicas;	/* a server of three may die */
	s = js_AddStream(&si, b->js, &sc, NULL, &err);
	if (s == NATS_OK)
		jsStreamInfo_Destroy(si);
	else if (err == JSStreamNameExistErr)
		s = NATS_OK;	/* another node made it meanwhile */
	return s;
}

/*
 * The stream, made if need be; a cluster just started may take a few
 * seconds to elect the leader JetStream needs, so it is tried for a while.
 */
static natsStatus
stream_ready(struct bus *b)
{
	natsStatus s;

	for (int i = 0; i < STREAM_TRIES; i++) {
		if ((s = make_stream(b)) == NATS_OK)
			return s;
		if (i == 0)
			log_info("bus: no JetStream yet (%s); trying again",
			    natsStatus_GetText(s));
		usleep(STREAM_RETRY_MS * 1000);
	}
	return s;
}

/*
 * An ordered consumer of the stream from start (0: what comes from now
 * on): cnats gives every message once, in the stream's order, and makes
 * the consumer again from where it was if it misses one or the server
 * goes away.  Where to start is the segment's bridge_applied, so nothing
 * the server holds for this node depends on a consumer of its own.
 */
static natsStatus
subscribe(struct bus *b, uint64_t start)
{
	jsSubOptions so;
	jsErrCode err = 0;

	jsSubOptions_Init(&so);
	so.Stream = WIRE_STREAM;
	so.Ordered = true;
	/* A consumer on a server that died is noticed within 2 s. */
	so.Config.Heartbeat = ORDERED_HEARTBEAT_NS;
	if (start > 0) {
		so.Config.DeliverPolicy = js_DeliverByStartSequence;
		so.Config.OptStartSeq = start;
	} else {
		/*
		 * A new segment: the last seconds again, so the joins and
		 * leaves that came after the rosters were written correct them.
		 */
		so.Config.DeliverPolicy = js_DeliverByStartTime;
		so.Config.OptStartTime = (clock_unix_ms() - REPLAY_MS) * 1000000;
	}
	return js_Subscribe(&b->sub, b->js, WIRE_SUBJECTS, on_message, b, NULL,
	    &so, &err);
}

/* Requests to close this node's login of a name (claims.c). */
static natsStatus
subscribe_kicks(struct bus *b)
{
	char subject[sizeof(CLAIMS_KICK) + SHM_NAME_MAX];

	snprintf(subject, sizeof(subject), CLAIMS_KICK "%s", b->node);
	return natsConnection_Subscribe(&b->kicks, b->nc, subject, on_message, b);
}

int
bus_open(struct bus *b, const struct chat_conf *conf, uint64_t start, char *why,
    size_t whylen)
{
	jsOptions jo;
	natsStatus s;

	memset(b, 0, sizeof(*b));
	strlcpy(b->node, conf->node_name, sizeof(b->node));
	pthread_mutex_init(&b->lock, NULL);
	if ((b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(why, whylen, "eventfd: %s", strerror(errno));
		return -1;
	}
	log_info("bus: connecting to %s", conf->nats_url);
	atomic_store(&b->connected, 1);
	jsOptions_Init(&jo);
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = b;
	jo.PublishAsync.MaxPending = BUS_PENDING_MAX;
	if ((s = natsStatistics_Create(&b->stats)) != NATS_OK ||
	    (s = connect_bus(b, conf)) != NATS_OK ||
	    (s = natsConnection_JetStream(&b->js, b->nc, &jo)) != NATS_OK ||
	    (s = stream_ready(b)) != NATS_OK || (s = subscribe(b, start)) != NATS_OK ||
	    (s = natsConnection_Subscribe(&b->heartbeats, b->nc, NODES_SUBJECT "*",
	    on_message, b)) != NATS_OK || (s = subscribe_kicks(b)) != NATS_OK) {
		snprintf(why, whylen, "bus %s: %s (%s)", conf->nats_url,
		    natsStatus_GetText(s), nats_GetLastError(NULL));
		bus_close(b);
		return -1;
	}
	return 0;
}

void
bus_close(struct bus *b)
{
	atomic_store(&b->closing, 1);	/* the disconnect that follows is ours */
	/*
	 * The connection first: its reader stops before the subscriptions
	 * it delivers to are freed (destroyed the other way round, a bridge
	 * once hung at SIGTERM on a freed subscription's mutex).
	 */
	if (b->nc != NULL)
		natsConnection_Close(b->nc);
	if (b->kicks != NULL)
		natsSubscription_Destroy(b->kicks);
	if (b->heartbeats != NULL)
		natsSubscription_Destroy(b->heartbeats);
	if (b->sub != NULL)
		natsSubscription_Destroy(b->sub);
	if (b->js != NULL)
		jsCtx_Destroy(b->js);
	if (b->nc != NULL)
		natsConnection_Destroy(b->nc);
	b->kicks = b->heartbeats = b->sub = NULL;
	b->js = NULL;
	b->nc = NULL;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->queued; i++)
		natsMsg_Destroy(b->queue[i]);
	free(b->queue);
	b->queue = NULL;
	b->queued = b->room = 0;
	free(b->acks);
	b->acks = NULL;
	b->acked = b->acks_room = 0;
	pthread_mutex_unlock(&b->lock);
	natsStatistics_Destroy(b->stats);
	b->stats = NULL;
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
}

int
bus_publish_async(struct bus *b, natsMsg **m)
{
	jsPubOptions o;
	natsStatus s;

	jsPubOptions_Init(&o);
	o.MaxWait = PUBLISH_WAIT_MS;	/* then on_ack hears NATS_TIMEOUT */
	if ((s = js_PublishMsgAsync(b->js, m, &o)) != NATS_OK) {
		log_warnx("bus: publishing: %s", natsStatus_GetText(s));
		return -1;
	}
	return 0;
}

size_t
bus_take_acks(struct bus *b, struct bus_ack **acks)
{
	static struct bus_ack *taken;
	static size_t room;
	size_t n;

	pthread_mutex_lock(&b->lock);
	if ((n = b->acked) > room) {
		if ((taken = reallocarray(taken, n, sizeof(*taken))) == NULL)
			fatalx("out of memory");
		room = n;
	}
	if (n > 0)
		memcpy(taken, b->acks, n * sizeof(*taken));
	b->acked = 0;
	pthread_mutex_unlock(&b->lock);
	*acks = taken;
	return n;
}

int64_t
bus_link(struct bus *b)
{
	uint64_t reconnects;

	if (natsConnection_Status(b->nc) != NATS_CONN_STATUS_CONNECTED ||
	    natsConnection_GetStats(b->nc, b->stats) != NATS_OK ||
	    natsStatistics_GetCounts(b->stats, NULL, NULL, NULL, NULL,
	    &reconnects) != NATS_OK)
		return -1;
	return (int64_t)reconnects;
}

int
bus_heartbeat(struct bus *b)
{
	char subject[sizeof(NODES_SUBJECT) + SHM_NAME_MAX];

	snprintf(subject, sizeof(subject), NODES_SUBJECT "%s", b->node);
	return natsConnection_PublishString(b->nc, subject, "alive") == NATS_OK ?
	    0 : -1;
}

natsMsg *
bus_last_published(struct bus *b)
{
	char subject[WIRE_SUBJECT_MAX];
	natsMsg *m = NULL;
	jsErrCode err = 0;

	wire_subject(b->node, subject, sizeof(subject));
	if (js_GetLastMsg(&m, b->js, WIRE_STREAM, subject, NULL, &err) != NATS_OK)
		return NULL;
	return m;
}

int
bus_resubscribe(struct bus *b, uint64_t start)
{
	natsSubscription *old = b->sub;
	natsStatus s;

	b->sub = NULL;
	if (old != NULL) {
		natsSubscription_Unsubscribe(old);
		natsSubscription_Destroy(old);
	}
	if ((s = subscribe(b, start)) != NATS_OK) {
		log_warnx("bus: reading the stream again from %" PRIu64 ": %s",
		    start, natsStatus_GetText(s));
		b->sub = NULL;
		return -1;
	}
	return 0;
}

int
bus_stream_span(struct bus *b, uint64_t *first, uint64_t *last)
{
	jsStreamInfo *si = NULL;
	jsErrCode err = 0;
	jsOptions o;

	*first = *last = 0;
	jsOptions_Init(&o);
	o.Wait = STREAM_INFO_WAIT_MS;	/* the bridge's thread waits */
	if (js_GetStreamInfo(&si, b->js, WIRE_STREAM, &o, &err) != NATS_OK)
		return -1;
	*first = si->State.FirstSeq;
	*last = si->State.LastSeq;
	jsStreamInfo_Destroy(si);
	return 0;
}

size_t
bus_take(struct bus *b, natsMsg ***msgs)
{
	static natsMsg **taken;
	static size_t room;
	uint64_t count;
	size_t n;

	/* Not set: nothing was queued since the last take. */
	ssize_t got = read(b->fd, &count, sizeof(count));

	(void)got;
	pthread_mutex_lock(&b->lock);
	if ((n = b->queued) > room) {
		if ((taken = reallocarray(taken, n, sizeof(*taken))) == NULL)
			fatalx("out of memory");
		room = n;
	}
	if (n > 0)
		memcpy(taken, b->queue, n * sizeof(*taken));
	b->queued = 0;
	pthread_mutex_unlock(&b->lock);
	*msgs = taken;
	return n;
}

uint64_t
bus_stream_seq(natsMsg *m)
{
	jsMsgMetaData *meta = NULL;
	uint64_t seq;

	if (natsMsg_GetMetaData(&meta, m) != NATS_OK)
		return 0;
	seq = meta->Sequence.Stream;
	jsMsgMetaData_Destroy(meta);
	return seq;
}

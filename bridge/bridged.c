/*
 * chat-bridge -- one chat over many nodes, through NATS JetStream.
 *
 * A log follower (lib/follower.c) with a bus (bridge/bus.c).  Outbound,
 * it reads this node's log and publishes every record the other nodes
 * must see (wire_carried), each with the id NODE:SEGMENT:SEQ that the
 * stream de-duplicates on, several in flight at once (bridge/outbound.c
 * keeps them in order and goes back to the first not stored after a
 * failure); a restarted bridge goes on after the last record the stream
 * holds from this node.  Inbound, an ordered
 * consumer gives it every node's records from the first one this
 * segment has not applied (bridge_applied + 1); another node's line is
 * appended to the local log marked with its origin (so it is never
 * published again) together with its stream sequence, under one lock,
 * so a message read again after a crash is not appended twice.
 *
 * It carries lines to everyone and to groups, joins and leaves (the
 * other nodes' users are slots here: bridge/remote.c), private
 * messages, group changes (bridge/remotegroup.c) and lines lost on the
 * way (REC_LOST); doc/cluster.md says what stays per node.
 *
 *	chat-bridge [-c FILE]
 *
 * Without nats_url it exits 0 at once: a single node.  SIGINT or
 * SIGTERM: stop, exit 0.  Exit 100 on bad usage or configuration, 111
 * when the bus or the segment cannot be used.
 */
#include <sys/epoll.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asksock.h"
#include "bus.h"
#include "claims.h"
#include "clock.h"
#include "conf.h"
#include "follower.h"
#include "log.h"
#include "registry.h"
#include "nodes.h"
#include "outbound.h"
#include "remote.h"
#include "roster.h"
#include "text.h"
#include "wire.h"

struct bridge {
	const struct chat_conf *conf;
	struct follower	 f;
	struct bus	 bus;
	struct claims	 claims;
	kvStore		*roster;
	int		 roster_stale;	/* a user of this node came or went */
	int64_t		 next_beat;	/* monotonic ms of the next heartbeat */
	int		 deaf;		/* the bus was away since the last beat */
	uint64_t	 segment_id;
	uint64_t	 groups_from;	/* stream sequence: group records
					   before it are in the rosters */
	struct outbound	 out;		/* records in flight to the stream */
	uint64_t	 booked;	/* records before it were booked */
	int		 blocked;	/* the bus away or failing: retry */
	int		 lost;		/* records were overwritten
					   unpublished, not yet told */
	int64_t		 lost_from;	/* unix ms: the first of them */
	int64_t		 lost_to;	/* unix ms: the last (0: not yet known) */
	int64_t		 read_ms;	/* unix ms of the last record read */
	uint64_t	 watched;	/* bridge_applied at the last beat */
	int		 stalled;	/* beats with the stream ahead of it */
	char		*text;		/* max_line bytes, inbound */
};

/* Where the last run of this node stopped publishing, if in this run. */
static void
resume(struct bridge *br)
{
	natsMsg *m = bus_last_published(&br->bus);
	struct msglog_entry e;
	struct wire_origin o;

	memset(&e, 0, sizeof(e));
	e.text = br->text;
	if (m == NULL) {
		log_info("publishing this node's records from now on");
		return;
	}
	if (wire_decode(m, br->conf->max_line, &e, &o) == 0 &&
	    o.segment_id == br->segment_id) {
		follower_seek(&br->f, o.next);
		log_info("publishing from record %" PRIu64 ", after the last one "
		    "the stream holds", o.next);
	}
	natsMsg_Destroy(m);
}

static void
start(struct bridge *br, const struct chat_conf *conf)
{
	char why[512];
	uint64_t applied, first, last;
	uint32_t adopted;

	br->conf = conf;
	if ((br->text = malloc(conf->max_line + 1)) == NULL)
		fatalx("out of memory");
	if (follower_open(&br->f, conf, BRIDGE_FOLLOWER, FOLLOW_NEW, why,
	    sizeof(why)) == -1)
		fatalx("%s", why);
	applied = atomic_load(&br->f.shm.hdr->bridge_applied);
	if (bus_open(&br->bus, conf, applied > 0 ? applied + 1 : 0, why,
	    sizeof(why)) == -1)
		fatalx("%s", why);
	br->segment_id = br->f.shm.hdr->segment_id;
	if ((br->roster = roster_open(br->bus.js, br->bus.replicas, why,
	    sizeof(why))) == NULL || claims_open(&br->claims, br->bus.nc,
	    br->bus.js, br->bus.replicas, conf, &br->f, why, sizeof(why)) == -1)
		fatalx("%s", why);
	if ((adopted = registry_adopt_remote(&br->f.shm, getpid())) > 0)
		log_info("%u users of other nodes were shown here by the last "
		    "bridge: taken over", adopted);
	br->roster_stale = roster_publish(br->roster, conf->node_name, &br->f) == -1;
	/*
	 * A new segment reads the last seconds of the stream again for the
	 * joins and leaves; the groups the rosters list already have every
	 * change made before they were read, and a change applied twice is
	 * not the same change (a kick by a former owner).
	 */
	bus_stream_span(&br->bus, &first, &last);
	if (applied == 0)
		br->groups_from = last + 1;
	else if (first > applied + 1)
		log_warnx("bus: the stream no longer holds messages %" PRIu64
		    " to %" PRIu64 " (bus_keep_hours): what the other nodes said "
		    "then never reaches this node", applied + 1, first - 1);
	roster_load(br->roster, conf->node_name, &br->f);
	nodes_start(&br->f);
	resume(br);
}

/*
 * Records of this node overwritten before they were published: once the
 * bus is back, its users are told, and so are the other nodes' (the
 * record is carried) -- once, however long the bus was away.
 */
static void
tell_lost(struct bridge *br)
{
	struct msglog_entry e;
	char span[48];

	memset(&e, 0, sizeof(e));
	e.kind = REC_LOST;
	e.to.kind = TO_ALL;
	e.from_slot = SLOT_NONE;
	strlcpy(e.from_name, br->conf->node_name, sizeof(e.from_name));
	snprintf(span, sizeof(span), "%" PRId64 " %" PRId64, br->lost_from,
	    br->lost_to);
	e.text = span;
	e.len = (uint32_t)strlen(span);
	msglog_append(&br->f.shm, &e);
	hublink_wake(&br->f.link, &e.to);
}

/*
 * A record of this node read for the first time: the names it claims or
 * releases, and the roster to write again.  A record read again (after
 * a publish failed) was booked already.
 */
static void
book(struct bridge *br, const struct msglog_entry *e)
{
	if (e->seq < br->booked)
		return;
	br->booked = e->next;
	claims_follow(&br->claims, e);
	if (e->kind == REC_GROUP)
		br->roster_stale = 1;	/* any node's: owners change */
	if ((e->kind == REC_JOIN || e->kind == REC_LEAVE) && e->origin == 0)
		br->roster_stale = 1;
}

/*
 * The stream's answers: records stored in order are counted; after a
 * failure, once all are answered, reading goes back to the first not
 * stored.
 */
static void
settle(struct bridge *br, int64_t now)
{
	struct bus_ack *acks;
	size_t n = bus_take_acks(&br->bus, &acks);
	uint64_t from;

	for (size_t i = 0; i < n; i++)
		outbound_answer(&br->out, &acks[i], now);
	atomic_fetch_add(&br->f.shm.hdr->st_bridge_out,
	    outbound_settle(&br->out));
	if (outbound_resend(&br->out, now, &from)) {
		log_info("publishing again from record %" PRIu64, from);
		follower_seek(&br->f, from);
	}
}

/* The next record to publish: 1, or 0 if none now. */
static int
next_record(struct bridge *br, struct msglog_entry *e)
{
	struct follower_gap gap;

	for (;;) {
		switch (follower_next(&br->f, e, &gap)) {
		case FOLLOW_NONE:
			/* A drain left for room notes the end it began at. */
			if (msglog_next(&br->f.shm) > br->f.reader.cursor)
				continue;
			return 0;
		case FOLLOW_GAP:
			log_warnx("records %" PRIu64 " to %" PRIu64 " were overwritten "
			    "before they were published", gap.from, gap.to - 1);
			if (!br->lost) {
				br->lost = 1;
				br->lost_from = br->read_ms;
				br->lost_to = 0;
			}
			continue;
		case FOLLOW_RECORD:
			break;
		}
		if (br->lost && br->lost_to == 0)
			br->lost_to = e->time;	/* the first after them */
		br->read_ms = e->time;
		book(br, e);
		if (wire_carried(&br->f.shm, e))
			return 1;
	}
}

/*
 * Publish what this node appended, several records in flight
 * (bridge/outbound.c), as long as the window has room.
 */
static void
publish(struct bridge *br)
{
	int64_t now = clock_monotonic_ms(), link;
	struct msglog_entry e;
	struct wire_origin o;
	natsMsg *m;

	settle(br, now);
	strlcpy(o.node, br->conf->node_name, sizeof(o.node));
	o.segment_id = br->segment_id;
	if (br->lost && bus_link(&br->bus) >= 0 && !br->out.failing) {
		if (br->lost_to == 0)
			br->lost_to = clock_unix_ms();
		tell_lost(br);
		br->lost = 0;
	}
	while (outbound_may_send(&br->out, link = bus_link(&br->bus), now) &&
	    next_record(br, &e)) {
		o.seq = e.seq;
		o.next = e.next;
		if ((m = wire_encode(&e, &o)) == NULL)
			fatalx("out of memory");
		if (bus_publish_async(&br->bus, &m) == -1) {
			natsMsg_Destroy(m);
			outbound_refused(&br->out, e.seq, now);
			break;
		}
		outbound_sent(&br->out, e.seq, link, now);
		if (bus_link(&br->bus) != link)
			outbound_fail(&br->out, now);	/* sent down which? */
	}
	/* Away or failing: look again soon (answers wake the loop too). */
	br->blocked = br->out.failing || link < 0;
}

/*
 * The stream holds messages this node has not applied, and none came
 * for two beats: the ordered consumer stopped (cnats did not make it
 * again after a server came back, seen with a single server), so it is
 * made again from the first message not applied.
 */
static void
watch_consumer(struct bridge *br)
{
	uint64_t applied = atomic_load(&br->f.shm.hdr->bridge_applied);
	uint64_t first, last;

	bus_stream_span(&br->bus, &first, &last);
	/* A new segment read from a moment, not a message: from there. */
	if (applied == 0 && br->groups_from > 0)
		applied = br->groups_from - 1;

	if (last <= applied || applied != br->watched) {
		br->watched = applied;
		br->stalled = 0;
		return;
	}
	if (++br->stalled < 2)
		return;
	log_warnx("bus: the stream has messages up to %" PRIu64 " and none "
	    "came after %" PRIu64 " for a while: reading it again from there",
	    last, applied);
	if (bus_resubscribe(&br->bus, applied + 1) == 0)
		br->stalled = 0;
}

/* Every node_heartbeat: ours out; the others' silence checked. */
static void
beat(struct bridge *br)
{
	int64_t now = clock_monotonic_ms();

	if (now < br->next_beat)
		return;
	br->next_beat = now + (int64_t)br->conf->node_heartbeat * 1000;
	if (!atomic_load(&br->bus.connected)) {
		br->deaf = 1;	/* nobody can be heard: nobody is dead */
		return;
	}
	if (bus_heartbeat(&br->bus) == -1)
		log_warnx("bus: the heartbeat was not sent");
	claims_expire(&br->claims);
	/*
	 * Nor while the stream refuses this node's records: the bus is not
	 * whole yet (a cluster starting again, a leader being elected, and
	 * the others' heartbeats may not reach this server yet).
	 */
	if (br->out.failing) {
		br->deaf = 1;
		return;
	}
	if (br->deaf) {
		nodes_start(&br->f);	/* heard from now on */
		br->deaf = 0;
	}
	nodes_check(&br->f, br->conf->node_timeout, br->claims.kv);
	watch_consumer(br);
}

/* A heartbeat: its node is alive. */
static void
heard(struct bridge *br, natsMsg *m)
{
	const char *node = natsMsg_GetSubject(m) + sizeof(NODES_SUBJECT) - 1;

	if (name_valid(node, strlen(node)) &&
	    strcmp(node, br->conf->node_name) != 0)
		nodes_heard(&br->f, br->roster, node);
	natsMsg_Destroy(m);
}

/* Another node's login of a name takes it over: ours is closed. */
static void
kicked(struct bridge *br, natsMsg *m)
{
	char payload[512], *f[2];
	int len = natsMsg_GetDataLength(m);

	if (len > 0 && (size_t)len < sizeof(payload)) {
		memcpy(payload, natsMsg_GetData(m), (size_t)len);
		payload[len] = '\0';
		if (asksock_split(payload, f, 2) == 2 &&
		    name_valid(f[0], strlen(f[0])) && text_check(f[1],
		    strlen(f[1])) == TEXT_OK)
			remote_kick(&br->f, f[0], f[1]);
	}
	natsMsg_Destroy(m);
}

/* Apply another node's record here; the message is then applied. */
static void
apply(struct bridge *br, natsMsg *m)
{
	uint64_t stream_seq;
	struct msglog_entry e;
	struct wire_origin o;

	if (strncmp(natsMsg_GetSubject(m), NODES_SUBJECT,
	    sizeof(NODES_SUBJECT) - 1) == 0) {
		heard(br, m);
		return;
	}
	if (strncmp(natsMsg_GetSubject(m), CLAIMS_KICK,
	    sizeof(CLAIMS_KICK) - 1) == 0) {
		kicked(br, m);
		return;
	}
	stream_seq = bus_stream_seq(m);
	if (stream_seq > 0 &&
	    stream_seq <= atomic_load(&br->f.shm.hdr->bridge_applied)) {
		natsMsg_Destroy(m);	/* given again: a consumer made again */
		return;
	}
	memset(&e, 0, sizeof(e));
	e.text = br->text;
	if (wire_decode(m, br->conf->max_line, &e, &o) == -1)
		log_warnx("bus: a message that is no record (stream %" PRIu64 ")",
		    stream_seq);
	else if (e.kind == REC_GROUP && stream_seq < br->groups_from)
		;	/* in the rosters read at the start */
	else if (strcmp(o.node, br->conf->node_name) != 0) {
		remote_apply(&br->f, o.node, stream_seq, &e);
		atomic_fetch_add(&br->f.shm.hdr->st_bridge_in, 1);
	}
	/* A line stored it with its append; the rest are idempotent. */
	if (stream_seq > atomic_load(&br->f.shm.hdr->bridge_applied))
		atomic_store(&br->f.shm.hdr->bridge_applied, stream_seq);
	natsMsg_Destroy(m);
}

static void
receive(struct bridge *br)
{
	natsMsg **msgs;
	size_t n = bus_take(&br->bus, &msgs);

	for (size_t i = 0; i < n; i++)
		apply(br, msgs[i]);
}

/* The bus's messages, or the front doors asking for names. */
static void
on_event(void *arg, int fd, uint32_t events)
{
	struct bridge *br = arg;

	(void)events;
	if (fd == br->claims.fd)
		claims_accept(&br->claims);
	else
		receive(br);
}

static void
watch(struct bridge *br, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = fd;
	if (epoll_ctl(br->f.epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll_ctl");
	br->f.on_event = on_event;
	br->f.on_event_arg = br;
}

static void
usage(void)
{
	fprintf(stderr, "usage: chat-bridge [-c file]\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	const char *conf_path = NULL;
	struct chat_conf conf;
	struct bridge br;
	char why[512];
	int ch;

	log_init("chat-bridge", LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			usage();
		conf_path = optarg;
	}
	if (optind != argc)
		usage();
	if (conf_load(&conf, conf_path, why, sizeof(why)) == -1) {
		log_warnx("%s", why);
		return EXIT_USAGE;
	}
	log_set_level(conf.log_level);
	if (conf.nats_url[0] == '\0') {
		log_info("no nats_url in %s: a single node, nothing to bridge",
		    conf.source[0] ? conf.source : "the defaults");
		return 0;
	}
	memset(&br, 0, sizeof(br));
	follower_on_signals();
	start(&br, &conf);
	watch(&br, br.bus.fd);
	watch(&br, br.claims.fd);
	printf("ready %s\n", conf.node_name);
	fflush(stdout);
	publish(&br);
	while (!follower_stopping()) {
		beat(&br);
		if (follower_wait(&br.f, br.blocked ? OUTBOUND_RETRY_MS : 500, why,
		    sizeof(why)) == -1) {
			log_warnx("%s", why);
			break;
		}
		receive(&br);
		publish(&br);
		if (br.roster_stale)
			br.roster_stale = roster_publish(br.roster, conf.node_name,
			    &br.f) == -1;
	}
	follower_close(&br.f);
	claims_close(&br.claims);
	kvStore_Destroy(br.roster);
	bus_close(&br.bus);
	nats_Close();
	return follower_stopping() ? 0 : EXIT_SYSTEM;
}

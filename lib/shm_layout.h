/*
 * shm_layout.h -- the layout of chat's shared-memory segment.
 *
 * This header is the one definition of every byte the hub, the sessions
 * and chatctl share.  Change anything here and bump SHM_LAYOUT_VERSION:
 * a process built against another version refuses to attach.
 *
 * The segment is seven parts, each at an offset stored in the header:
 *
 *   struct shm_header                    fixed size, at offset 0
 *   struct shm_slot[max_sessions]        one per connected session
 *   uint32_t names[name_buckets]         the name index: 0 empty, else 1 +
 *                                        the slot of an ACTIVE session,
 *                                        found by the hash of its name's
 *                                        look-alike skeleton (open
 *                                        addressing, linear probing;
 *                                        lib/names.c; version 9)
 *   struct shm_group[max_groups]         one per group
 *   log: log_cells cells of SHM_CELL bytes, a ring of variable-length
 *        records (struct shm_record), each one or more whole cells
 *   _Atomic uint64_t joined[max_groups][max_sessions]
 *                                        0: slot is not a member of the
 *                                        group; else the log sequence
 *                                        number of its join record
 *   uint32_t invited[max_groups][max_sessions]
 *                                        0: not invited; else the invited
 *                                        slot's s_generation
 *
 * (In that order: what every session reads comes first and together,
 * since each 2 MiB of the segment a session touches costs it a page of
 * page table.)
 *
 * Locks.  Three process-shared robust mutexes live in the header:
 *   registry_lock  guards slot claim/release, names, the name index,
 *                  sessions_in_use, sessions_active, followers and
 *                  slot_hint;
 *   groups_lock    guards shm_group, joined[] and invited[];
 *   log_lock       guards appending to the log (log_next, log_reserved
 *                  and the record being written).
 * When more than one is held they are taken in that order: registry,
 * groups, log.  Fields marked "atomic" are read without a lock.
 */
#ifndef CHAT_SHM_LAYOUT_H
#define CHAT_SHM_LAYOUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_MAGIC		UINT64_C(0x3130534d54414843)	/* "CHATMS01" in memory (little-endian) */
#define SHM_LAYOUT_VERSION	14

#define SHM_NAME_MAX	32	/* longest user name, bytes */
#define SHM_MAX_NODES	32	/* nodes of a cluster chat-bridge tracks */
#define SHM_PEER_MAX	64	/* "[v6addr]:port" as text */
#define SHM_REASON_MAX	128	/* longest quit/leave reason kept */
#define SHM_IDENT_MAX	16	/* longest IRC user name kept (USERLEN) */
#define SHM_REALNAME_MAX 64	/* longest IRC real name kept, bytes */
#define SHM_AWAY_MAX	128	/* longest away message kept (AWAYLEN) */
/* No slot: what a slot lookup (registry_find, names_find) answers for none. */
#define SLOT_NONE	UINT32_MAX

/* Slot states (shm_slot.s_state). */
enum slot_state {
	SLOT_FREE = 0,		/* unused; may be claimed */
	SLOT_LOGIN,		/* claimed by a session that has no name yet */
	SLOT_ACTIVE,		/* named and chatting; receives messages */
	/*
	 * Claimed by a log follower (lib/follower.c: the archiver, the
	 * bridge, tools/chat-follow): a process without a client that reads
	 * every record with its own cursor.  It has no name and is never a
	 * user (not in /users, chatctl users, sessions_active); it registers
	 * with the hub like a session (HELLO with CTL_HELLO_FOLLOWER), gets
	 * an eventfd, publishes s_cursor, and is woken for every record
	 * (followers_wake below) and nudged when it lags.  The hub frees its
	 * slot when it dies, as for a session.
	 */
	SLOT_FOLLOWER,
};

/*
 * How a user is connected (shm_slot.s_transport; version 11): the
 * front door that claimed the slot writes it before the name, and
 * /users, the web door's users list and chatctl users show it.
 */
enum slot_transport {
	TRANSPORT_LINE = 0,	/* chat-session: nc, telnet, chat-client ("tcp") */
	TRANSPORT_WS,		/* chat-web, a WebSocket ("ws") */
	TRANSPORT_SSE,		/* chat-web, an event stream ("sse") */
	TRANSPORT_REMOTE,	/* a user of another node, through chat-bridge
				   ("remote"; version 13) */
	TRANSPORT_IRC,		/* chat-irc, an IRC client ("irc") */
	TRANSPORT_COUNT
};

/* Node states (shm_node.n_state). */
enum node_state {
	NODE_UNKNOWN = 0,	/* a free entry */
	NODE_ALIVE,		/* heard within node_timeout */
	NODE_DEAD,		/* unheard for node_timeout: its users left */
};

/* Group states (shm_group.g_state). */
enum group_state {
	GROUP_FREE = 0,		/* unused */
	GROUP_USED,		/* exists: has a member online, or is kept */
};

/* Disconnect reasons counted in shm_header.st_disconnects[]. */
enum disconnect_reason {
	DISC_QUIT = 0,		/* client sent /quit or closed cleanly */
	DISC_EOF,		/* client closed during login */
	DISC_ERROR,		/* socket error */
	DISC_SENDQ,		/* client did not read its output in time */
	DISC_LOST,		/* session process died; noticed by the hub */
	DISC_LAGGED,		/* session fell a whole log ring behind */
	DISC_KICKED,		/* closed by an operator or a newer login */
	DISC_FLOOD,		/* unread input passed max_recvq */
	DISC_AUTH,		/* too many wrong passwords */
	DISC_TIMEOUT,		/* login_timeout or idle_timeout passed */
	DISC_REASONS
};

/*
 * Record kinds (shm_record.r_kind) and who receives them (r_to_kind):
 *   REC_CHAT         r_from said r_text to r_to (everyone, a user, a group)
 *   REC_JOIN         r_from joined the chat (everyone)
 *   REC_LEAVE        r_from left the chat; r_text is the reason (everyone)
 *   REC_GROUP        a change to a group, r_event says which (enum
 *                    group_event): data, not a sentence; each front door
 *                    words it (version 10; REC_NOTICE's sentences before)
 *   REC_PAD          no one: fills the cells up to the ring's end when the
 *                    next record would not fit before it (records never
 *                    wrap), so readers step over it
 *   REC_LOST         lines were lost between the nodes of a cluster: r_from
 *                    is the node that said them (r_origin 0: this one, its
 *                    bridge could not publish them before the ring turned
 *                    over), r_text "FROM TO": the unix ms of the first
 *                    and last of the records lost, in decimal (everyone;
 *                    version 13, which readers of older builds skip as a
 *                    kind they do not know)
 */
enum record_kind {
	REC_CHAT = 1,
	REC_JOIN,
	REC_LEAVE,
	REC_GROUP,
	REC_PAD,
	REC_LOST,
};

/*
 * Group events (shm_record.r_event of a REC_GROUP record).  The group's
 * name is in the record's group name, the actor is its sender (r_from);
 * "target" is the record's target name.  Sent to the group's members
 * (TO_GROUP) unless said otherwise.
 *   GROUP_JOINED     the actor joined (or created) the group
 *   GROUP_LEFT       the actor left; r_text is the reason if it left the
 *                    chat (empty after /leave_group)
 *   GROUP_OWNER      target now owns the group (its owner r_from left)
 *   GROUP_KICKED     the actor kicked target; r_text is the reason.  One
 *                    record to the members, one to target alone (TO_USER)
 *   GROUP_INVITED    the actor invited target (TO_USER: target alone)
 *   GROUP_MODE       the actor set the mode: r_mode 1 invite-only, 0 open
 *   GROUP_CLOSED     the group was deleted (its last member left, or its
 *                    owner left with no one online to take it over);
 *                    read by the archive only (version 12)
 */
enum group_event {
	GROUP_JOINED = 1,
	GROUP_LEFT,
	GROUP_OWNER,
	GROUP_KICKED,
	GROUP_INVITED,
	GROUP_MODE,
	GROUP_CLOSED,
};

/*
 * Record flags (shm_record.r_flags; version 12).
 *   RECF_REGISTERED  the sender logged in with a password
 *   RECF_CREATED     GROUP_JOINED: the sender created the group
 *   RECF_NOTICE      REC_CHAT: said as an IRC NOTICE (version 14); IRC
 *                    readers see a NOTICE, the others a line like any
 *   RECF_QUIT        GROUP_LEFT: the user left the chat, and the group
 *                    with it (groups_leave_all; version 14); its reason
 *                    is the quit's, and a REC_LEAVE follows.  Without
 *                    it the user left the group alone, with its reason
 *                    (IRC's PART message) or none
 *   RECF_ACTION      REC_CHAT: an action (IRC's CTCP ACTION, "/me"; version
 *                    14): the text says what the sender does; line
 *                    readers see "* alice waves", IRC readers an ACTION
 */
enum record_flag {
	RECF_REGISTERED = 1,
	RECF_CREATED = 2,
	RECF_NOTICE = 4,
	RECF_QUIT = 8,
	RECF_ACTION = 16,
};

/* Addressees (shm_record.r_to_kind). */
enum record_to {
	TO_ALL = 0,		/* every ACTIVE session */
	TO_USER,		/* slot r_to of generation r_to_generation */
	TO_GROUP,		/* members of group r_to (generation r_to_generation)
				   who joined before the record */
	TO_KINDS
};

struct shm_header {
	uint64_t	magic;		/* SHM_MAGIC; written last at creation */
	uint32_t	layout_version;	/* SHM_LAYOUT_VERSION */
	uint32_t	header_size;	/* sizeof(struct shm_header) */
	uint64_t	segment_size;	/* bytes in the whole segment */

	/* Geometry: written by the hub at creation, constant afterwards. */
	uint32_t	max_sessions;	/* slots in the slot table */
	uint32_t	max_line;	/* longest text a record carries, bytes */
	uint32_t	log_records;	/* longest records the log ring holds */
	uint32_t	log_cells;	/* cells in the log ring: log_records
					   times the cells of the longest record */
	uint32_t	slot_size;	/* sizeof(struct shm_slot) */
	uint32_t	max_groups;	/* groups in the group table */
	uint32_t	max_group_members; /* members one group may have */
	uint32_t	group_size;	/* sizeof(struct shm_group) */
	uint32_t	name_buckets;	/* entries in the name index: the least
					   power of two >= 2 * max_sessions */
	/*
	 * Not geometry: a stamp of the users file whose problems a session
	 * logged last (users_report), so they are logged once per change of
	 * the file, not at every login; 0 at creation.  Any session swaps it
	 * (atomic).  It was padding before, so programs of this layout
	 * version that ignore it still agree on every other field.
	 */
	_Atomic uint32_t users_stamp;
	uint64_t	slots_offset;	/* from segment start to slot 0 */
	uint64_t	names_offset;	/* to names[0] */
	uint64_t	groups_offset;	/* from segment start to group 0 */
	uint64_t	joined_offset;	/* to joined[0][0] */
	uint64_t	invited_offset;	/* to invited[0][0] */
	uint64_t	log_offset;	/* from segment start to cell 0 */
	int64_t		created;	/* unix time the segment was made */
	/*
	 * Random and never 0, drawn when the segment is created: a reader
	 * that keeps a cursor across restarts (an archiver) tells the runs
	 * of the log apart by it, since sequence numbers start over.
	 */
	uint64_t	segment_id;

	/* Hub state: written by the hub. */
	_Atomic int32_t	hub_pid;	/* pid of the running hub, 0 if none */
	_Atomic uint32_t hub_starts;	/* hubs started on this segment */
	_Atomic int64_t	hub_started;	/* unix time the current hub started */

	pthread_mutex_t	registry_lock;	/* robust, process-shared */
	pthread_mutex_t	groups_lock;	/* robust, process-shared */
	pthread_mutex_t	log_lock;	/* robust, process-shared */

	uint32_t	sessions_in_use; /* slots not FREE; registry_lock; derived */
	uint32_t	groups_in_use;	/* groups not FREE; groups_lock; derived */
	/* ACTIVE slots; written under registry_lock, read anywhere; derived. */
	_Atomic uint32_t sessions_active;
	/*
	 * No slot below it is FREE, so a claim looks from here instead of
	 * reading (and mapping) the whole table; registry_lock; derived.
	 */
	uint32_t	slot_hint;
	/* FOLLOWER slots; written under registry_lock, read anywhere; derived. */
	_Atomic uint32_t followers;
	/*
	 * The followers' shared wake request: a sender that appended a
	 * record flips it 0 -> 1 (when followers is not 0) and only then
	 * asks the hub (CTL_WAKE_FOLLOWERS in its wake request); the hub
	 * clears it before it flags and wakes every registered follower, and
	 * at its sweep once a second (a sender died before its request).
	 */
	_Atomic uint32_t followers_wake;

	/*
	 * The log counts in cells: a record's sequence number is the number
	 * of its first cell, which is cell seq % log_cells of the ring.
	 * log_next: the sequence number of the next record to append.
	 * Written by whoever holds log_lock, only after the record is
	 * complete; readers load it (atomic, acquire) to know what they may
	 * read.  log_reserved: where the record being written ends, stored
	 * before a byte of it is written, so log_reserved - log_cells is the
	 * oldest cell still intact.  A reader checks it before and after
	 * copying a record (a seqlock over the whole ring).
	 */
	_Atomic uint64_t log_next;
	_Atomic uint64_t log_reserved;
	/* log_next when sessions were last nudged (see shm_slot.s_cursor). */
	_Atomic uint64_t log_nudged;

	/* Statistics: atomic counters, bumped by whoever does the thing. */
	_Atomic uint64_t st_sessions_total;	/* slots ever claimed */
	_Atomic uint64_t st_logins;		/* sessions that took a name */
	_Atomic uint64_t st_messages;		/* REC_CHAT records appended */
	_Atomic uint64_t st_records;		/* records appended (not pads) */
	_Atomic uint64_t st_deliveries;		/* lines written to clients */
	_Atomic uint64_t st_wakeups_sent;	/* eventfd writes by the hub */
	_Atomic uint64_t st_wakeups_coalesced;	/* wakes skipped: one pending */
	_Atomic uint64_t st_refused_full;	/* connections refused: full */
	_Atomic uint64_t st_auth_failures;	/* wrong passwords */
	_Atomic uint64_t st_throttled;		/* times a flooder was slowed */
	_Atomic uint64_t st_wakeups_swept;	/* flags found set two sweeps running */
	_Atomic uint64_t st_disconnects[DISC_REASONS]; /* by reason */
	/* REC_CHAT records by addressee kind (TO_*; version 11). */
	_Atomic uint64_t st_messages_to[TO_KINDS];
	/*
	 * The archive (chat-historyd; version 12): overruns it stored as gap
	 * rows, and the records lost in them.
	 */
	_Atomic uint64_t st_archive_gaps;
	_Atomic uint64_t st_archive_lost;
	/*
	 * chat-bridge (version 13): the bus's stream sequence of the last
	 * record it appended from another node, stored under log_lock with
	 * that record (msglog_append_marked), so a message the bus gives
	 * again after a crash is known as appended.  0: none yet.
	 */
	_Atomic uint64_t bridge_applied;
	/* chat-bridge's counters (version 13). */
	_Atomic uint64_t st_bridge_out;		/* records the stream stored */
	_Atomic uint64_t st_bridge_in;		/* other nodes' records appended */
	_Atomic uint64_t st_nodes_lost;		/* nodes found dead */
	/*
	 * The other nodes chat-bridge has heard of (version 13): written by
	 * the bridge alone, read by chatctl nodes and /metrics.
	 */
	struct shm_node {
		char		n_name[SHM_NAME_MAX + 1]; /* NUL-ended; "" free */
		char		n_pad[3];
		_Atomic uint32_t n_state;	/* NODE_* */
		_Atomic uint32_t n_users;	/* its users shown here */
		_Atomic int64_t	n_heard_ms;	/* unix ms of its last heartbeat */
	} nodes[SHM_MAX_NODES];
};

struct shm_slot {
	/*
	 * SLOT_*: the commit point of every change to the slot.  Written
	 * under registry_lock (release); read anywhere (acquire).
	 */
	_Atomic uint32_t s_state;
	/* Bumped at every claim, so a stale reference is detected. */
	_Atomic uint32_t s_generation;
	int32_t		s_pid;		/* session process; claimer writes */
	uint32_t	s_transport;	/* TRANSPORT_*; claimer writes before
					   the slot turns ACTIVE */
	uint64_t	s_pid_start;	/* /proc start time of s_pid; hub writes */
	int64_t		s_connected;	/* unix time of claim */
	/*
	 * Unix time the client was last heard from: the last read that
	 * returned bytes (any input, even an empty or refused line).  The
	 * session writes it; chatctl shows it (IDLE) and a newer login
	 * under takeover_after measures silence by it.
	 */
	_Atomic int64_t	s_last_active;
	/* 1 while a wake-up is owed or in flight; the session clears it. */
	_Atomic uint32_t s_wake_pending;
	/*
	 * 0: a user of this node.  Else a user of another node, whose slot
	 * chat-bridge holds (s_transport TRANSPORT_REMOTE, s_peer the node's
	 * name): the node's number, which every record appended for this
	 * slot carries as its r_origin (version 13).
	 */
	uint32_t	s_origin;
	/*
	 * The session's (or follower's) read cursor (next record it reads),
	 * published after each drain.  A session is woken only for records
	 * addressed to it, so one that nobody writes to would fall a ring
	 * behind; senders "nudge" (wake) readers whose cursor lags half a
	 * ring (hublink.c).
	 */
	_Atomic uint64_t s_cursor;
	/*
	 * A request that the session close: 0 none, else a DISC_* + 1.
	 * Written (after s_close_reason) by the hub (chatctl kick) or by a
	 * newer login of the same user; the session acts on its next wake.
	 */
	_Atomic uint32_t s_close;
	uint32_t	s_registered;	/* 1: logged in with a password */
	char		s_close_reason[SHM_REASON_MAX]; /* NUL-ended */
	char		s_name[SHM_NAME_MAX + 1]; /* NUL-ended; set entering ACTIVE */
	char		s_peer[SHM_PEER_MAX];	/* client address; set at claim */
	/*
	 * How the user describes itself (version 14): an IRC client's USER
	 * name and real name (valid UTF-8, cut at a character), written by
	 * chat-irc before the slot turns ACTIVE; "" for other front doors,
	 * cleared at claim.  Shown by IRC's WHO and WHOIS.
	 */
	char		s_ident[SHM_IDENT_MAX + 1];
	char		s_realname[SHM_REALNAME_MAX + 1];
	/*
	 * Why the user is away (version 14; IRC's AWAY): "" while here.
	 * The user's own front door writes it and others copy it, both
	 * under registry_lock (registry_set_away, registry_away).
	 */
	char		s_away[SHM_AWAY_MAX + 1];
	char		s_pad[5];
};

/*
 * A group.  Its owner is a member while online (g_owner its slot); a
 * kept group's owner may be away (g_owner SLOT_NONE, version 12).  A
 * group is kept while its owner is a registered user: it stays while
 * no member is online, and the archive restores it when the segment is
 * made again (doc/architecture.md, section 21).
 */
struct shm_group {
	uint32_t	g_state;	/* GROUP_*; the commit point; groups_lock */
	uint32_t	g_generation;	/* bumped at every creation */
	uint32_t	g_owner;	/* owner's slot, or SLOT_NONE while away */
	uint32_t	g_members;	/* members online now; derived, repaired */
	uint32_t	g_invite_only;	/* 1: only invited users may join */
	uint32_t	g_kept;		/* 1: the owner is registered */
	int64_t		g_created;	/* unix time */
	char		g_name[SHM_NAME_MAX + 1]; /* NUL-ended */
	char		g_owner_name[SHM_NAME_MAX + 1]; /* NUL-ended */
	char		pad1[6];
};

/*
 * A log record: this header, then r_from_name_len bytes of the sender's
 * name, r_to_name_len bytes of the addressee's name (a user's for
 * TO_USER, a group's for TO_GROUP, none for TO_ALL), r_group_name_len
 * bytes of the group a REC_GROUP record is about, r_target_name_len bytes
 * of the user it acts on, and r_len bytes of text (no NULs), in r_cells
 * whole cells.  The names and text together are at most max_line + 2 *
 * SHM_NAME_MAX bytes.  r_seq is the record's sequence number, stored last
 * (release) once the rest is written, and set to SEQ_WRITING first.
 * Readers trust nothing here: every length is checked against the cells
 * the record claims, and a record that does not add up reads as
 * overwritten.
 */
#define SHM_CELL	64		/* bytes per log cell */
#define SEQ_WRITING	UINT64_MAX
#define SHM_RECORD_DATA_MAX(max_line) ((size_t)(max_line) + 2 * SHM_NAME_MAX)

struct shm_record {
	_Atomic uint64_t r_seq;		/* sequence number, written last */
	int64_t		r_time;		/* CLOCK_REALTIME of the append, ms */
	uint32_t	r_cells;	/* cells this record takes, >= 1 */
	uint32_t	r_len;		/* bytes of text, <= max_line */
	uint32_t	r_from_slot;	/* sender's slot index */
	uint32_t	r_from_generation; /* sender's s_generation */
	uint32_t	r_to;		/* slot or group index (TO_USER, TO_GROUP) */
	uint32_t	r_to_generation; /* its s_generation or g_generation */
	uint32_t	r_origin;	/* node the record comes from; 0: this one */
	uint8_t		r_kind;		/* REC_* */
	uint8_t		r_to_kind;	/* TO_* */
	uint8_t		r_event;	/* REC_GROUP: GROUP_*; else 0 */
	uint8_t		r_mode;		/* GROUP_MODE: 1 invite-only, 0 open */
	uint8_t		r_from_name_len; /* <= SHM_NAME_MAX */
	uint8_t		r_to_name_len;	/* <= SHM_NAME_MAX */
	uint8_t		r_group_name_len; /* <= SHM_NAME_MAX; REC_GROUP only */
	uint8_t		r_target_name_len; /* <= SHM_NAME_MAX; REC_GROUP only */
	uint8_t		r_flags;	/* RECF_* (version 12) */
	uint8_t		r_pad[3];
	char		r_data[];	/* the names, then the text */
};

_Static_assert(sizeof(struct shm_record) == 56, "record header size");
_Static_assert(offsetof(struct shm_record, r_data) == 56, "record data offset");
_Static_assert(sizeof(struct shm_record) <= SHM_CELL, "a header fits a cell");
_Static_assert(sizeof(struct shm_group) == 104, "group size");
_Static_assert(sizeof(struct shm_slot) == 512, "slot size");

#endif

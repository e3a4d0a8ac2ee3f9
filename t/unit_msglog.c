/*
 * unit_msglog.c -- the message log (lib/msglog.c) on a real segment.
 *
 * Creates a small segment under a private name ("/chat-unit-log-<pid>", t/testseg.c):
 * 16 of the longest records with max_line 64, so a ring of 64 cells.
 * Appends records of several sizes, reads them back, wraps the ring
 * (a pad before a record that would not fit), and checks that a reader
 * who was lapped, or whose record is being overwritten, or whose record
 * header does not add up, gets MSGLOG_LOST rather than bytes it should
 * not trust, and where such a reader goes on (msglog_resync).  The segment is removed at exit whatever happened.
 */
#include <stdatomic.h>
#include <string.h>

#include "clock.h"
#include "msglog.h"
#include "shm.h"
#include "tap.h"
#include "testseg.h"

#define LINE		64
#define RECORDS		16	/* longest record: 56 + 32 + 32 + 64 = 3 cells */

static char text_buf[LINE];

#define NAME32	"abcdefghijklmnopqrstuvwxyz012345"	/* SHM_NAME_MAX bytes */

static uint64_t
append(const struct shm *seg, uint32_t kind, const char *from, const char *group,
    const char *text)
{
	struct msglog_entry e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.from_slot = 2;
	e.from_generation = 7;
	e.to.kind = group[0] != '\0' ? TO_GROUP : TO_ALL;
	e.to.index = 5;
	e.to.generation = 9;
	strlcpy(e.from_name, from, sizeof(e.from_name));
	strlcpy(e.to_name, group, sizeof(e.to_name));
	e.text = (char *)(uintptr_t)text;
	e.len = (uint32_t)strlen(text);
	return msglog_append(seg, &e);
}

static enum msglog_result
read_at(const struct shm *seg, uint64_t seq, struct msglog_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->text = text_buf;
	return msglog_read(seg, seq, e);
}

/* The text of a read entry as a string. */
static const char *
text_of(const struct msglog_entry *e)
{
	static char s[LINE + 1];

	memcpy(s, e->text, e->len);
	s[e->len] = '\0';
	return s;
}

static void
test_sizes(const struct shm *seg)
{
	char line[LINE + 1];
	struct msglog_entry e;
	uint64_t join, chat, longest;

	memset(line, 'x', LINE);
	line[LINE] = '\0';
	join = append(seg, REC_JOIN, "alice", "", "");
	chat = append(seg, REC_CHAT, "bob", "room", "hi, room");
	longest = append(seg, REC_CHAT, NAME32, NAME32, line);
	is_int(1, (long long)join, "the first record is sequence number 1");
	is_int(join + 1, (long long)chat, "a join takes one cell");
	is_int(chat + 2, (long long)longest,
	    "a short line to a group takes two cells (56 + 3 + 4 + 8 bytes)");
	is_int(longest + 3, (long long)msglog_next(seg),
	    "the longest record takes three cells (56 + 32 + 32 + 64)");

	ok(read_at(seg, join, &e) == MSGLOG_OK && e.kind == REC_JOIN &&
	    strcmp(e.from_name, "alice") == 0 && e.to.kind == TO_ALL &&
	    e.len == 0 && e.seq == join && e.next == chat,
	    "the join reads back, with where the next record starts");
	ok(read_at(seg, chat, &e) == MSGLOG_OK && e.kind == REC_CHAT &&
	    strcmp(e.from_name, "bob") == 0 && strcmp(e.to_name, "room") == 0 &&
	    e.to.kind == TO_GROUP && e.to.index == 5 && e.to.generation == 9 &&
	    e.from_slot == 2 && e.from_generation == 7 && e.next == longest,
	    "a line to a group reads back with every field");
	is_string("hi, room", text_of(&e), "its text reads back");
	ok(read_at(seg, longest, &e) == MSGLOG_OK && e.len == LINE &&
	    memcmp(e.text, line, LINE) == 0 && strcmp(e.from_name, NAME32) == 0 &&
	    strcmp(e.to_name, NAME32) == 0,
	    "the longest record reads back whole");
	is_int(MSGLOG_NONE, read_at(seg, msglog_next(seg), &e),
	    "the next sequence number is not written yet");
	is_int(3, (long long)atomic_load(&seg->hdr->st_records),
	    "st_records counts the records");
}

/* Fill the ring with joins until a longest record cannot fit before its end. */
static void
test_wrap(const struct shm *seg)
{
	char line[LINE + 1];
	struct msglog_entry e;
	uint64_t ring = seg->geo.log_cells, before, seq, cursor;
	uint64_t records;
	int lost = 0, read = 0;

	memset(line, 'y', LINE);
	line[LINE] = '\0';
	while (ring - msglog_next(seg) % ring != 2)
		append(seg, REC_JOIN, "carol", "", "");
	before = msglog_next(seg);
	records = atomic_load(&seg->hdr->st_records);
	seq = append(seg, REC_CHAT, NAME32, NAME32, line);
	is_int(0, (long long)(seq % ring),
	    "a record that would not fit before the ring's end starts at cell 0");
	is_int(before + 2, (long long)seq, "after a pad of the 2 cells left");
	is_int(records + 1, (long long)atomic_load(&seg->hdr->st_records),
	    "the pad is not counted as a record");
	ok(read_at(seg, before, &e) == MSGLOG_OK && e.seq == seq &&
	    e.kind == REC_CHAT && e.next == seq + 3,
	    "reading at the pad gives the record after it");

	/* The first records are now overwritten: their reader was lapped. */
	is_int(MSGLOG_LOST, read_at(seg, 1, &e),
	    "a reader a whole ring behind finds its record lost");
	/* A reader a little less than a ring behind reads on to the end. */
	cursor = msglog_next(seg) - ring + 3;
	while (read_at(seg, cursor, &e) == MSGLOG_LOST && cursor < msglog_next(seg))
		cursor++;
	while (cursor < msglog_next(seg)) {
		if (read_at(seg, cursor, &e) != MSGLOG_OK) {
			lost++;
			break;
		}
		read++;
		cursor = e.next;
	}
	ok(lost == 0 && read > 10 && cursor == msglog_next(seg),
	    "a reader within the ring reads every record to the end (%d)", read);
}

/* A lapped reader goes on at the first intact record (msglog_resync). */
static void
test_resync(const struct shm *seg)
{
	uint64_t oldest, at, seq, next = msglog_next(seg);
	struct msglog_entry e;
	int chained = 1;

	oldest = atomic_load(&seg->hdr->log_reserved) - seg->geo.log_cells;
	e.text = text_buf;
	at = msglog_resync(seg, 1, &e);
	ok(at >= oldest && at - oldest < 3, "a reader lapped at 1 goes on at the "
	    "first record in the intact cells (%llu; oldest intact cell %llu)",
	    (unsigned long long)at, (unsigned long long)oldest);
	for (seq = at; seq < next; seq = e.next)
		if (read_at(seg, seq, &e) != MSGLOG_OK) {
			chained = 0;
			break;
		}
	ok(chained, "from there every record reads to the end");
	is_int(next, msglog_resync(seg, next, &e), "at the end it stays there");
}

/* A writer busy with the next ring's cells: the old copy is not trusted. */
static void
test_overwrite(const struct shm *seg)
{
	struct msglog_entry e;
	uint64_t seq = append(seg, REC_CHAT, "dave", "", "soon gone");
	uint64_t reserved = atomic_load(&seg->hdr->log_reserved);

	ok(read_at(seg, seq, &e) == MSGLOG_OK, "a fresh record reads");
	atomic_store(&seg->hdr->log_reserved, seq + seg->geo.log_cells + 1);
	is_int(MSGLOG_LOST, read_at(seg, seq, &e),
	    "a record whose cells a writer has reserved reads as lost, "
	    "though its header is intact");
	atomic_store(&seg->hdr->log_reserved, reserved);
}

/* Headers are untrusted: lengths beyond the record's cells are refused. */
static void
test_garbage(const struct shm *seg)
{
	struct msglog_entry e;
	uint64_t seq = append(seg, REC_CHAT, "erin", "", "two cells: 56 + 4 + 22");
	struct shm_record *r = shm_record(seg, seq);
	uint32_t len = r->r_len, cells = r->r_cells;

	r->r_len = 200;
	is_int(MSGLOG_LOST, read_at(seg, seq, &e), "r_len past its cells: refused");
	r->r_len = len;
	r->r_from_name_len = 200;
	is_int(MSGLOG_LOST, read_at(seg, seq, &e), "a name longer than a name: refused");
	r->r_from_name_len = 4;
	r->r_cells = 0;
	is_int(MSGLOG_LOST, read_at(seg, seq, &e), "zero cells: refused");
	r->r_cells = 1000;
	is_int(MSGLOG_LOST, read_at(seg, seq, &e), "more cells than written: refused");
	r->r_cells = cells;
	ok(read_at(seg, seq, &e) == MSGLOG_OK && strcmp(e.from_name, "erin") == 0,
	    "repaired, it reads again");
	is_int(MSGLOG_LOST, read_at(seg, seq + 1, &e),
	    "a cursor inside no record: refused");
}

static void
test_cut(const struct shm *seg)
{
	char long_line[LINE + 10];
	struct msglog_entry e;
	uint64_t seq;

	memset(long_line, 'z', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	seq = append(seg, REC_CHAT, "frank", "", long_line);
	ok(read_at(seg, seq, &e) == MSGLOG_OK && e.len == LINE,
	    "a text longer than max_line is cut to max_line");
}

/* A group record carries its event as data, and every record a time. */
static void
test_group_record(const struct shm *seg)
{
	char long_reason[LINE + 1];
	struct msglog_entry w, e;
	int64_t before = clock_unix_ms();

	memset(&w, 0, sizeof(w));
	w.kind = REC_GROUP;
	w.event = GROUP_KICKED;
	w.origin = 3;
	w.to.kind = TO_USER;
	w.to.index = 1;
	strlcpy(w.from_name, "gina", sizeof(w.from_name));
	strlcpy(w.to_name, "hal", sizeof(w.to_name));
	strlcpy(w.group_name, "room", sizeof(w.group_name));
	strlcpy(w.target_name, "hal", sizeof(w.target_name));
	w.text = "spam";
	w.len = 4;
	msglog_append(seg, &w);
	ok(read_at(seg, w.seq, &e) == MSGLOG_OK && e.kind == REC_GROUP &&
	    e.event == GROUP_KICKED && e.origin == 3 && e.to.kind == TO_USER &&
	    strcmp(e.from_name, "gina") == 0 && strcmp(e.to_name, "hal") == 0 &&
	    strcmp(e.group_name, "room") == 0 &&
	    strcmp(e.target_name, "hal") == 0 && strcmp(text_of(&e), "spam") == 0,
	    "a group record reads back: event, origin, four names, reason");
	ok(e.time >= before && e.time <= clock_unix_ms() && e.time == w.time,
	    "it carries the time it was appended (ms)");

	memset(long_reason, 'r', LINE);
	long_reason[LINE] = '\0';
	strlcpy(w.from_name, NAME32, sizeof(w.from_name));
	strlcpy(w.to_name, NAME32, sizeof(w.to_name));
	strlcpy(w.group_name, NAME32, sizeof(w.group_name));
	strlcpy(w.target_name, NAME32, sizeof(w.target_name));
	w.text = long_reason;
	w.len = LINE;
	msglog_append(seg, &w);
	ok(read_at(seg, w.seq, &e) == MSGLOG_OK && e.len == 0 &&
	    strcmp(e.target_name, NAME32) == 0 && e.next - e.seq == 3,
	    "four whole names leave no room for text (max_line + 2 names)");
}

int
main(void)
{
	struct shm seg;
	int created = 0;

	testseg_create(&seg, "log", 4, LINE, RECORDS, &created);
	plan(1 + 10 + 6 + 3 + 2 + 6 + 1 + 3);
	is_int(RECORDS * 3, seg.geo.log_cells, "a ring of 16 x 3 cells");
	test_sizes(&seg);
	test_wrap(&seg);
	test_resync(&seg);
	test_overwrite(&seg);
	test_garbage(&seg);
	test_cut(&seg);
	test_group_record(&seg);
	shm_detach(&seg);
	return 0;
}

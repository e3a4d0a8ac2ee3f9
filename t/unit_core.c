/*
 * unit_core.c -- the chat core (chatcore/) on a private segment, with no
 * hub and no socket: its actions' results and records, its words, and
 * its table of error codes against doc/protocol.md.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "core.h"
#include "events.h"
#include "hublink.h"
#include "msglog.h"
#include "registry.h"
#include "tap.h"
#include "testseg.h"

static struct shm seg;
static struct chat_conf conf;
static struct hublink hub_link;
static char text_buf[128];

/* A user logged in through the core, or bail. */
static void
login(struct core_user *u, const char *name)
{
	struct core_result r;
	uint64_t after;

	memset(u, 0, sizeof(*u));
	u->shm = &seg;
	u->conf = &conf;
	u->link = &hub_link;
	u->name = name;
	u->peer = "test";
	if (registry_claim(&seg, getpid(), "test", 0, &u->slot) != CLAIM_OK)
		bail("cannot claim a slot");
	u->generation = atomic_load(&shm_slot(&seg, u->slot)->s_generation);
	core_take_name(u, &after, &r);
	if (r.status != CR_OK)
		bail("%s cannot log in", name);
}

/* The result's words. */
static const char *
words(const struct core_result *r)
{
	static char buf[512];

	core_result_text(r, buf, sizeof(buf));
	return buf;
}

/* The last record in the log (before next). */
static int
last_record(uint64_t from, struct msglog_entry *e)
{
	uint64_t seq = from;
	int found = 0;

	e->text = text_buf;
	while (seq < msglog_next(&seg) && msglog_read(&seg, seq, e) == MSGLOG_OK) {
		seq = e->next;
		found = 1;
	}
	return found;
}

static void
test_login(void)
{
	struct core_result r;
	struct core_user dup;
	uint64_t after;

	core_check_name("1abc", 4, &r);
	is_int(CR_NAME_INVALID, r.status, "a name starting with a digit is invalid");
	core_check_name("yOu", 3, &r);
	ok(r.status == CR_NAME_RESERVED &&
	    strcmp(words(&r), "yOu is reserved (notices say \"you\" to their "
	    "reader); choose another") == 0, "'you' is reserved, in any case");
	core_check_name("dora", 4, &r);
	is_int(CR_OK, r.status, "a valid name passes");

	memset(&dup, 0, sizeof(dup));
	dup.shm = &seg;
	dup.conf = &conf;
	dup.link = &hub_link;
	dup.name = "ANN";
	dup.peer = "test";
	registry_claim(&seg, getpid(), "test", 0, &dup.slot);
	dup.generation = atomic_load(&shm_slot(&seg, dup.slot)->s_generation);
	core_take_name(&dup, &after, &r);
	ok(r.status == CR_NAME_TAKEN &&
	    strcmp(words(&r), "ANN is already in use; choose another") == 0,
	    "a guest cannot take a name online in another case");
	dup.name = "AnN";
	core_account(&dup, &r);
	is_int(CR_OK, r.status, "with no users file every name is a guest's");
	registry_release(&seg, dup.slot, getpid(), dup.generation, "test");
}

static void
test_msg(const struct core_user *ann, const struct core_user *bob)
{
	char text[64];
	struct core_result r;
	struct msglog_entry e;
	uint64_t before;

	strcpy(text, "hi");
	core_msg(ann, "nobody", text, strlen(text), &r);
	ok(r.status == CR_NO_SUCH_USER &&
	    strcmp(words(&r), "there is no user named nobody") == 0 &&
	    core_result_error(r.status) == ERR_NO_SUCH_USER,
	    "/msg to nobody: no-such-user, naming them");
	core_msg(ann, "ANN", text, strlen(text), &r);
	is_int(CR_MSG_SELF, r.status, "/msg to oneself (any case): refused");
	strcpy(text, "  \t ");
	core_msg(ann, "bob", text, strlen(text), &r);
	is_int(CR_NOTHING_TO_SEND, r.status, "blank text: nothing to send");
	before = msglog_next(&seg);
	strcpy(text, "psst");
	core_msg(ann, "BOB", text, strlen(text), &r);
	is_int(CR_OK, r.status, "/msg to bob: done, nothing to say");
	ok(last_record(before, &e) && e.kind == REC_CHAT &&
	    e.to.kind == TO_USER && e.to.index == bob->slot &&
	    strcmp(e.to_name, "bob") == 0 && strcmp(e.from_name, "ann") == 0 &&
	    e.len == 4 && memcmp(e.text, "psst", 4) == 0,
	    "the record names its addressee as stored (bob), and its sender");
	ok(msglog_reaches(&seg, &e.to, e.seq, bob->slot, bob->generation) &&
	    !msglog_reaches(&seg, &e.to, e.seq, ann->slot, ann->generation),
	    "it reaches bob, not ann");
}

static void
test_groups(const struct core_user *ann, const struct core_user *bob)
{
	char reason[32], member[4][SHM_NAME_MAX + 1];
	struct group_view g = { .room = 4, .member = member };
	struct core_result r;
	struct msglog_entry e;
	uint32_t cursor = 0;
	uint64_t before;

	core_create_group(ann, "#dev", &r);
	ok(r.status == CR_CREATED &&
	    strcmp(words(&r), "created #dev; you own it") == 0,
	    "create #dev: created, in words");
	core_create_group(bob, "DEV", &r);
	ok(r.status == CR_GROUP_EXISTS &&
	    strcmp(words(&r), "#DEV already exists; /join_group DEV") == 0,
	    "create DEV again: group-exists, as typed");
	core_create_group(bob, "9x", &r);
	is_int(CR_BAD_GROUP_NAME, r.status, "a bad group name");
	core_join_group(bob, "dev", &r);
	ok(r.status == CR_JOINED && r.count == 2 &&
	    strcmp(words(&r), "joined #dev (2 members)") == 0,
	    "bob joins: joined, with the count");
	core_join_group(bob, "dev", &r);
	is_int(CR_ALREADY_MEMBER, r.status, "bob joins again: already-member");
	strcpy(reason, "");
	core_kick(bob, "dev", "ann", reason, &r);
	is_int(CR_NOT_OWNER, r.status, "bob kicks: not-owner");
	core_kick(ann, "dev", "ann", reason, &r);
	is_int(CR_KICK_SELF, r.status, "ann kicks herself: bad-target");
	ok(core_groups_next(ann, "#D", &cursor, &g) && strcmp(g.name, "dev") == 0 &&
	    strcmp(g.owner, "ann") == 0 && g.members == 2 && g.copied == 2 &&
	    !core_groups_next(ann, "#D", &cursor, &g),
	    "the groups snapshot: #dev, owned by ann, 2 members, and no more");
	before = msglog_next(&seg);
	strcpy(reason, "spam");
	core_kick(ann, "dev", "bob", reason, &r);
	ok(r.status == CR_KICKED && strcmp(words(&r), "kicked bob from #dev") == 0,
	    "ann kicks bob: kicked, in words");
	ok(last_record(before, &e) && e.kind == REC_GROUP &&
	    e.event == GROUP_KICKED && e.to.kind == TO_GROUP &&
	    strcmp(e.group_name, "dev") == 0 && strcmp(e.target_name, "bob") == 0 &&
	    e.len == 4, "the kick is a record of data: event, group, target, reason");
	core_leave_group(bob, "dev", &r);
	is_int(CR_NOT_MEMBER, r.status, "bob, kicked, is not a member");
}

static void
test_words(void)
{
	struct core_event ev;
	char buf[256];
	int unknown = 0;
	struct core_result r;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GROUP_KICKED;
	strcpy(ev.group, "dev");
	strcpy(ev.actor, "ann");
	strcpy(ev.target, "bob");
	strcpy(ev.reason, "a very long reason indeed");
	core_event_words(&ev, buf, 30);
	is_string("ann kicked bob from #dev (a )", buf,
	    "an event's words keep their ')' when cut");
	ev.to_you = 1;
	core_event_words(&ev, buf, sizeof(buf));
	is_string("ann kicked you from #dev (a very long reason indeed)", buf,
	    "... and say 'you' to the kicked user");
	ok(core_event_by_name("mode", &ev) && ev.kind == GROUP_MODE &&
	    !core_event_by_name("renamed", &ev), "events are found by name");
	for (int s = CR_OK + 1; s < CR_STATUS_COUNT; s++) {
		core_result_set(&r, (enum core_status)s);
		r.text = "why";
		unknown += core_result_text(&r, buf, sizeof(buf)) == 0 ||
		    strchr(buf, '{') != NULL;
	}
	is_int(0, unknown, "every result has words, and every {parameter} is known");
	core_result_set(&r, CR_JOINED);
	r.count = 1;
	strcpy(r.group, "x");
	is_string("joined #x (1 member)", words(&r), "{s} is the plural of count");
}

/* The codes in doc/protocol.md's section VI, checked against the table. */
static void
test_error_table(void)
{
	const char *srcdir = getenv("CHAT_SRCDIR");
	char path[4096], line[4096], code[64];
	int in_errors = 0, listed = 0, wrong = 0, seen[ERR_COUNT] = { 0 };
	const struct core_error_info *info;
	enum core_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/doc/protocol.md", srcdir ? srcdir : ".");
	if ((f = fopen(path, "r")) == NULL)
		bail("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "## ", 3) == 0)
			in_errors = strncmp(line, "## VI. Errors", 13) == 0;
		if (!in_errors || sscanf(line, "| `%63[a-z0-9-]` |", code) != 1)
			continue;
		listed++;
		err = core_error_by_code(code);
		info = core_error_info(err);
		if (info == NULL || seen[err]++ ||
		    info->closes != (strstr(line, "| closed") != NULL)) {
			diag("doc/protocol.md: %s: not the table's (or closes wrong)", code);
			wrong++;
		}
	}
	fclose(f);
	is_int(ERR_COUNT - 1, listed, "doc/protocol.md lists every error code once");
	is_int(0, wrong, "... each known, and 'closed' exactly where the table says");
}

int
main(void)
{
	struct core_user ann, bob;
	int created;

	plan(5 + 6 + 11 + 5 + 2);
	testseg_create(&seg, "core", 8, 128, 64, &created);
	conf_defaults(&conf);
	strcpy(conf.users_file, "/nonexistent/chat-unit-core-users");
	hublink_init(&hub_link, &seg, "/nonexistent", -1);
	login(&ann, "ann");
	login(&bob, "bob");
	test_login();
	test_msg(&ann, &bob);
	test_groups(&ann, &bob);
	test_words();
	test_error_table();
	hublink_free(&hub_link);
	shm_detach(&seg);
	return 0;
}

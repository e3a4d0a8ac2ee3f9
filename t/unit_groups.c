/*
 * unit_groups.c -- groups (lib/groups.c) on a real segment.
 *
 * Creates a small segment under a private name ("/chat-unit-grp-<pid>",
 * t/testseg.c) with 8 slots and 3 groups of at most 3 members, and
 * logs users in with lib/registry.c.  Checks every group operation's
 * result (enum group_result) and the membership and ownership it
 * leaves: create, join, leave, kick, invite, invite-only, the owner
 * handed on when the owner leaves, the group deleted when its last
 * member leaves, the three limits, which group records reach a member
 * (msglog_reaches, TO_GROUP) before and after a join, and
 * groups_leave_all, and kept groups (a registered owner away, a member
 * returning, a group restored from the archive).  Of the group records a change appends it checks
 * only that the log grew, not what they hold.  The segment is removed at
 * exit whatever happened.
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "groups.h"
#include "msglog.h"
#include "registry.h"
#include "shm.h"
#include "tap.h"
#include "testseg.h"

#define SESSIONS	8
#define MAX_GROUPS	3
#define MAX_MEMBERS	3

static struct shm seg;
static struct group_actor users[SESSIONS];	/* by slot */
static char names[SESSIONS][SHM_NAME_MAX + 1];

/* Log name in (registered, so no look-alike rule); its actor. */
static const struct group_actor *
login(const char *name)
{
	uint64_t after;
	uint32_t slot;

	if (registry_claim(&seg, getpid(), "test", 0, &slot) != CLAIM_OK ||
	    registry_take_name(&seg, slot, name, 1, &after) != NAME_OK)
		bail("cannot log %s in", name);
	strlcpy(names[slot], name, sizeof(names[slot]));
	users[slot].slot = slot;
	users[slot].generation = atomic_load(&shm_slot(&seg, slot)->s_generation);
	users[slot].name = names[slot];
	return &users[slot];
}

/* Log name in as a registered user (s_registered, as the doors set it). */
static const struct group_actor *
login_registered(const char *name)
{
	const struct group_actor *a = login(name);

	shm_slot(&seg, a->slot)->s_registered = 1;
	users[a->slot].registered = 1;
	return a;
}

/* Log out: registry_release leaves every group (groups_leave_all). */
static void
logout(const struct group_actor *a)
{
	registry_release(&seg, a->slot, getpid(), a->generation, "bye");
}

static void
logout_all(void)
{
	for (uint32_t i = 0; i < SESSIONS; i++)
		if (atomic_load(&shm_slot(&seg, i)->s_state) != SLOT_FREE)
			logout(&users[i]);
}

static struct group_target
target(const struct group_actor *a)
{
	struct group_target t = { a->slot, a->generation, "" };

	strlcpy(t.name, a->name, sizeof(t.name));
	return t;
}

/* The index of the group named group (any case), or GROUP_NONE. */
static uint32_t
find(const char *group)
{
	struct shm_group *g;

	for (uint32_t i = 0; i < seg.geo.max_groups; i++) {
		g = shm_group(&seg, i);
		if (g->g_state == GROUP_USED && strcasecmp(g->g_name, group) == 0)
			return i;
	}
	return GROUP_NONE;
}

static int
member(const struct group_actor *a, const char *group)
{
	char canonical[SHM_NAME_MAX + 1];
	uint32_t index, generation;

	return groups_check_member(&seg, a, group, &index, &generation,
	    canonical) == GR_OK;
}

static uint32_t
owner(const char *group)
{
	uint32_t i = find(group);

	return i == GROUP_NONE ? SLOT_NONE : shm_group(&seg, i)->g_owner;
}

static uint32_t
members(const char *group)
{
	uint32_t i = find(group);

	return i == GROUP_NONE ? 0 : shm_group(&seg, i)->g_members;
}

static enum group_result
create(const struct group_actor *a, const char *group, uint32_t max_owned)
{
	uint32_t index;

	return groups_create(&seg, a, group, max_owned, &index);
}

static enum group_result
join(const struct group_actor *a, const char *group)
{
	uint32_t index, n;

	return groups_join(&seg, a, group, &index, &n);
}

static enum group_result
leave(const struct group_actor *a, const char *group)
{
	uint32_t index;

	return groups_leave(&seg, a, group, "", &index);
}

static enum group_result
kick(const struct group_actor *a, const char *group, const struct group_actor *who)
{
	struct group_target t = target(who);
	uint32_t index;

	return groups_kick(&seg, a, group, &t, "testing", &index);
}

static enum group_result
invite(const struct group_actor *a, const char *group, const struct group_actor *who)
{
	struct group_target t = target(who);
	uint32_t index;

	return groups_invite(&seg, a, group, &t, &index);
}

static enum group_result
invite_only(const struct group_actor *a, const char *group, int on)
{
	uint32_t index;

	return groups_set_invite_only(&seg, a, group, on, &index);
}

static void
test_create(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	uint64_t before = msglog_next(&seg);
	char canonical[SHM_NAME_MAX + 1];
	uint32_t index, generation;

	is_int(GR_OK, create(ann, "Tea", 0), "ann creates #Tea");
	ok(member(ann, "tea") && owner("tea") == ann->slot && members("tea") == 1,
	    "she is its one member and its owner");
	ok(msglog_next(&seg) > before, "a record is appended");
	is_int(1, seg.hdr->groups_in_use, "one group is in use");
	is_int(GR_EXISTS, create(bob, "TEA", 0), "#TEA is taken, in any case");
	ok(groups_check_member(&seg, ann, "tEa", &index, &generation,
	    canonical) == GR_OK && index == find("tea") &&
	    generation == shm_group(&seg, index)->g_generation &&
	    strcmp(canonical, "Tea") == 0,
	    "check_member gives the index, the generation and the name as made");
	is_int(GR_NOT_MEMBER, groups_check_member(&seg, bob, "tea", &index,
	    &generation, canonical), "bob is no member");
	is_int(GR_NO_GROUP, groups_check_member(&seg, ann, "cake", &index,
	    &generation, canonical), "there is no #cake");
	ok(group_name_valid("tea_2") && !group_name_valid("two words") &&
	    !group_name_valid(""), "the name rule is the users' rule");
	logout_all();
}

static void
test_join_leave(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	const struct group_actor *cy = login("cy");
	uint64_t before;
	uint32_t index, n = 0;

	create(ann, "tea", 0);
	is_int(GR_OK, groups_join(&seg, bob, "TEA", &index, &n), "bob joins #tea");
	ok(member(bob, "tea") && n == 2 && index == find("tea"),
	    "he is a member, the second (%u)", n);
	is_int(GR_ALREADY_MEMBER, join(bob, "tea"), "he cannot join twice");
	is_int(GR_NO_GROUP, join(bob, "cake"), "nor join a group that is not there");
	is_int(GR_NOT_MEMBER, leave(cy, "tea"), "cy cannot leave what he is not in");
	is_int(GR_NO_GROUP, leave(cy, "cake"), "nor a group that is not there");
	before = msglog_next(&seg);
	is_int(GR_OK, leave(bob, "tea"), "bob leaves #tea");
	ok(!member(bob, "tea") && members("tea") == 1 && owner("tea") == ann->slot,
	    "he is no member; ann still owns it, alone");
	ok(msglog_next(&seg) > before, "a record is appended");
	logout_all();
}

/* The owner leaves: the longest member owns it; the last one deletes it. */
static void
test_owner(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	const struct group_actor *cy = login("cy");
	uint32_t index, generation;

	create(ann, "tea", 0);
	join(cy, "tea");
	join(bob, "tea");
	index = find("tea");
	generation = shm_group(&seg, index)->g_generation;
	is_int(GR_OK, leave(ann, "tea"), "the owner, ann, leaves #tea");
	is_int(cy->slot, owner("tea"), "cy, who joined before bob, owns it now");
	is_int(GR_OK, leave(cy, "tea"), "cy leaves too");
	is_int(bob->slot, owner("tea"), "bob owns it");
	is_int(GR_OK, leave(bob, "tea"), "the last member leaves");
	ok(find("tea") == GROUP_NONE && shm_group(&seg, index)->g_state == GROUP_FREE,
	    "the group is deleted");
	is_int(0, seg.hdr->groups_in_use, "no group is in use");
	is_int(GR_NO_GROUP, join(ann, "tea"), "nobody can join it");
	ok(create(ann, "tea", 0) == GR_OK &&
	    shm_group(&seg, find("tea"))->g_generation != generation &&
	    members("tea") == 1, "made again, it is a new group of one");
	logout_all();
}

static void
test_kick(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	const struct group_actor *cy = login("cy");
	struct group_actor stale = *bob;
	uint64_t before;

	create(ann, "tea", 0);
	join(bob, "tea");
	stale.generation++;
	is_int(GR_NOT_OWNER, kick(bob, "tea", ann), "bob may not kick: not the owner");
	is_int(GR_NOT_MEMBER, kick(cy, "tea", bob), "nor cy: not a member");
	is_int(GR_NO_GROUP, kick(ann, "cake", bob), "nobody kicks in #cake");
	is_int(GR_SELF, kick(ann, "tea", ann), "the owner cannot kick herself");
	is_int(GR_TARGET_NOT_MEMBER, kick(ann, "tea", cy), "nor cy, not a member");
	is_int(GR_TARGET_NOT_MEMBER, kick(ann, "tea", &stale),
	    "nor bob's slot under another login (generation)");
	before = msglog_next(&seg);
	is_int(GR_OK, kick(ann, "tea", bob), "ann kicks bob");
	ok(!member(bob, "tea") && members("tea") == 1 && owner("tea") == ann->slot,
	    "he is no member; ann owns it, alone");
	ok(msglog_next(&seg) > before, "a record is appended");
	is_int(GR_TARGET_NOT_MEMBER, kick(ann, "tea", bob), "kicked once is enough");
	logout_all();
}

static void
test_invite(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	const struct group_actor *cy = login("cy"), *dee = login("dee");
	uint32_t index, dee_slot = dee->slot;
	struct group_actor stale;
	uint64_t before;

	create(ann, "tea", 0);
	join(bob, "tea");
	index = find("tea");
	is_int(GR_NOT_OWNER, invite_only(bob, "tea", 1), "bob may not make #tea "
	    "invite-only");
	is_int(GR_NOT_MEMBER, invite_only(cy, "tea", 1), "nor cy");
	is_int(GR_OK, invite_only(ann, "tea", 1), "ann makes it invite-only");
	is_int(1, shm_group(&seg, index)->g_invite_only, "it is");
	is_int(GR_INVITE_ONLY, join(cy, "tea"), "cy cannot join uninvited");
	is_int(GR_NOT_OWNER, invite(bob, "tea", cy), "only the owner invites");
	is_int(GR_TARGET_MEMBER, invite(ann, "tea", bob), "a member is not invited");
	before = msglog_next(&seg);
	is_int(GR_OK, invite(ann, "tea", cy), "ann invites cy");
	ok(msglog_next(&seg) > before, "a record is appended");
	ok(join(cy, "tea") == GR_OK && member(cy, "tea"), "cy joins");
	is_int(0, *shm_invited(&seg, index, cy->slot), "his invitation is used up");
	stale = *dee;
	stale.generation++;
	ok(invite(ann, "tea", &stale) == GR_OK && join(dee, "tea") == GR_INVITE_ONLY,
	    "an invitation for another login of dee's slot does not let dee in");
	is_int(GR_OK, invite(ann, "tea", dee), "ann invites dee");
	logout(dee);
	dee = login("dee");
	ok(dee->slot == dee_slot && join(dee, "tea") == GR_INVITE_ONLY,
	    "dee, logged in again in the same slot, is invited no more");
	leave(cy, "tea");
	is_int(GR_OK, invite_only(ann, "tea", 0), "ann opens #tea");
	is_int(GR_OK, join(cy, "tea"), "cy joins without an invitation");
	logout_all();
}

static void
test_limits(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	const struct group_actor *cy = login("cy"), *dee = login("dee");

	create(ann, "g1", 0);
	join(bob, "g1");
	join(cy, "g1");
	is_int(GR_FULL, join(dee, "g1"), "a 4th member is refused (max_group_members 3)");
	is_int(GR_OWNED_TOO_MANY, create(ann, "g2", 1), "ann owns 1 of 1: refused");
	is_int(GR_OK, create(ann, "g2", 2), "ann owns 1 of 2: created");
	is_int(GR_OWNED_TOO_MANY, create(ann, "g3", 2), "2 of 2: refused");
	is_int(GR_OK, create(bob, "g3", 2), "bob creates #g3");
	is_int(GR_TOO_MANY, create(bob, "g4", 0), "a 4th group is refused (max_groups 3)");
	is_int(GR_EXISTS, create(bob, "g3", 2), "a taken name is told before a limit");
	leave(ann, "g1");
	is_int(bob->slot, owner("g1"), "ann left #g1: bob owns it");
	leave(ann, "g2");
	is_int(GR_OWNED_TOO_MANY, create(bob, "g2", 2), "bob owns #g1 and #g3: 2 "
	    "of 2, the group handed to him counts");
	is_int(GR_OK, create(bob, "g2", 0), "max_owned 0: no limit");
	logout_all();
	is_int(0, seg.hdr->groups_in_use, "everyone left: no group is in use");
}

/* Does a record to group index, appended as seq, reach a? */
static int
reaches(uint32_t index, const struct group_actor *a, uint64_t seq)
{
	struct msglog_address to = { TO_GROUP, index, 0 };

	if (index < seg.geo.max_groups)
		to.generation = shm_group(&seg, index)->g_generation;
	return msglog_reaches(&seg, &to, seq, a->slot, a->generation);
}

/*
 * Where the log ends is where a record appended then goes (or after: a
 * pad may come first), so it stands for a record written at that time.
 */
static void
test_received(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	uint64_t early, late, away;
	uint32_t index;

	create(ann, "tea", 0);
	index = find("tea");
	early = msglog_next(&seg);
	join(bob, "tea");
	late = msglog_next(&seg);
	ok(!reaches(index, bob, early),
	    "bob does not receive a record written before he joined");
	ok(reaches(index, bob, late),
	    "he receives one written after");
	ok(reaches(index, ann, early), "ann receives both");
	leave(bob, "tea");
	ok(!reaches(index, bob, late),
	    "once he left, not even the later one");
	ok(!reaches(MAX_GROUPS, ann, late),
	    "a group index out of range receives nothing");
	away = msglog_next(&seg);
	join(bob, "tea");
	ok(!reaches(index, bob, away),
	    "joined again, not what was written while he was away");
	logout_all();
}

static void
test_leave_all(void)
{
	const struct group_actor *ann = login("ann"), *bob = login("bob");
	uint32_t tea, cake;
	uint64_t before;

	create(ann, "tea", 0);
	join(bob, "tea");
	create(ann, "solo", 0);
	create(bob, "cake", 0);
	invite_only(bob, "cake", 1);
	invite(bob, "cake", ann);
	tea = find("tea");
	cake = find("cake");
	before = msglog_next(&seg);
	groups_leave_all(&seg, ann->slot, ann->generation, ann->name, "gone");
	ok(!member(ann, "tea") && !member(ann, "solo"), "leave_all: ann is in no group");
	ok(find("tea") == tea && owner("tea") == bob->slot && members("tea") == 1,
	    "#tea lives on, bob owns it");
	is_int(GROUP_NONE, find("solo"), "#solo, hers alone, is deleted");
	is_int(0, *shm_invited(&seg, cake, ann->slot), "her invitation to #cake is gone");
	ok(msglog_next(&seg) > before, "records are appended");
	ok(member(bob, "tea") && member(bob, "cake"), "bob is in his groups still");
	logout_all();
	is_int(0, seg.hdr->groups_in_use, "everyone left: no group is in use");
}

static void
test_kept(void)
{
	const struct group_actor *ann = login_registered("ann");
	const struct group_actor *bob = login("bob"), *gus;
	uint32_t index, count, club;

	create(ann, "club", 0);
	join(bob, "club");
	club = find("club");
	logout(ann);
	ok(find("club") == club && owner("club") == SLOT_NONE,
	    "kept: a registered owner who leaves the chat keeps the group, away");
	is_string("ann", shm_group(&seg, club)->g_owner_name, "... by name");
	ok(member(bob, "club") && members("club") == 1, "... bob is still in it");
	logout(bob);
	ok(find("club") == club && members("club") == 0,
	    "... and it stays with no member online");
	ann = login_registered("ann");
	is_int(GR_OK, groups_rejoin(&seg, ann, "club", &index, &count),
	    "rejoin: ann comes back into it");
	ok(owner("club") == ann->slot && count == 1, "... and owns it again");
	invite_only(ann, "club", 1);
	{
		const struct group_actor *cy = login_registered("cy");

		is_int(GR_INVITE_ONLY, groups_join(&seg, cy, "club", &index,
		    &count), "an invite-only kept group refuses a newcomer");
		is_int(GR_OK, groups_rejoin(&seg, cy, "club", &index, &count),
		    "... not a member coming back");
		is_int(GR_OK, groups_rejoin(&seg, cy, "club", &index, &count),
		    "... twice is no error");
		leave(ann, "club");
		ok(owner("club") == cy->slot && shm_group(&seg, club)->g_kept,
		    "the owner leaving the group passes it on; registered: kept");
		leave(cy, "club");
		is_int(GROUP_NONE, find("club"),
		    "the owner leaving with no one online deletes it");
	}
	is_int(GR_OK, groups_restore(&seg, "old", "dan", 1, 1000),
	    "restore: a kept group is made again");
	ok(owner("old") == SLOT_NONE && shm_group(&seg, find("old"))->g_kept &&
	    shm_group(&seg, find("old"))->g_invite_only,
	    "... its owner away, its mode kept");
	is_int(GR_EXISTS, groups_restore(&seg, "OLD", "dan", 0, 1000),
	    "... not over a group of the same name");
	gus = login("gus");
	create(gus, "brief", 0);
	logout(gus);
	is_int(GROUP_NONE, find("brief"), "a guest's group goes when it is empty");
	logout_all();
}

int
main(void)
{
	struct shm_geometry geo;
	int created = 0;

	testseg_geometry(&geo, SESSIONS, 256, 64);
	geo.max_groups = MAX_GROUPS;
	geo.max_group_members = MAX_MEMBERS;
	testseg_create_geometry(&seg, "grp", &geo, &created);
	plan(1 + 9 + 9 + 9 + 10 + 16 + 11 + 6 + 7 + 15);
	ok(seg.hdr->max_groups == MAX_GROUPS &&
	    seg.hdr->max_group_members == MAX_MEMBERS,
	    "the segment has 3 groups of at most 3 members");
	test_create();
	test_join_leave();
	test_owner();
	test_kick();
	test_invite();
	test_limits();
	test_received();
	test_leave_all();
	test_kept();
	shm_detach(&seg);
	return 0;
}

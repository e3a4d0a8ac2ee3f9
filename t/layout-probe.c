/*
 * layout-probe.c -- lib/shm_layout.h as numbers, for the Python tests.
 *
 * Built against the layout header the programs are built from, it prints
 * the constants, struct sizes and field offsets a test needs to read or
 * write the segment by hand (t/safety-net.t, t/version.t), so no test
 * hard-codes an offset: a layout change that moves fields needs no edit
 * of the tests.  A test that needs another field adds it to the list.
 * One line each (chattest_faults.layout() reads them):
 *
 *   const NAME VALUE			a #define or enum value, decimal
 *   size STRUCT BYTES			sizeof(struct STRUCT)
 *   field STRUCT.FIELD OFFSET BYTES CODE	CODE: the field's Python struct
 *					code (B, i, I, q, Q), or s for
 *					BYTES of anything else (arrays,
 *					mutexes)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shm_layout.h"

/* The Python struct code of a scalar of x's type (atomics included). */
#define CODE(x) _Generic((x), uint8_t: "B", int32_t: "i", uint32_t: "I", \
	int64_t: "q", uint64_t: "Q", default: "s")

#define CONST(name)	printf("const %s %llu\n", #name, \
	(unsigned long long)(name))
#define SIZE(type)	printf("size %s %zu\n", #type, sizeof(struct type))
#define FIELD(type, f)	printf("field %s.%s %zu %zu %s\n", #type, #f, \
	offsetof(struct type, f), sizeof(((struct type *)0)->f), \
	CODE(((struct type *)0)->f))

static void
constants(void)
{
	CONST(SHM_MAGIC);
	CONST(SHM_LAYOUT_VERSION);
	CONST(SHM_NAME_MAX);
	CONST(SHM_PEER_MAX);
	CONST(SHM_REASON_MAX);
	CONST(SHM_CELL);
	CONST(SEQ_WRITING);
	CONST(SLOT_NONE);
	CONST(SLOT_FREE);
	CONST(SLOT_LOGIN);
	CONST(SLOT_ACTIVE);
	CONST(GROUP_FREE);
	CONST(GROUP_USED);
	CONST(REC_CHAT);
	CONST(REC_JOIN);
	CONST(REC_LEAVE);
	CONST(REC_GROUP);
	CONST(REC_PAD);
	CONST(GROUP_JOINED);
	CONST(GROUP_LEFT);
	CONST(GROUP_OWNER);
	CONST(GROUP_KICKED);
	CONST(GROUP_INVITED);
	CONST(GROUP_MODE);
	CONST(TO_ALL);
	CONST(TO_USER);
	CONST(TO_GROUP);
	CONST(DISC_REASONS);
}

static void
header(void)
{
	SIZE(shm_header);
	FIELD(shm_header, magic);
	FIELD(shm_header, layout_version);
	FIELD(shm_header, header_size);
	FIELD(shm_header, segment_size);
	FIELD(shm_header, max_sessions);
	FIELD(shm_header, max_line);
	FIELD(shm_header, log_records);
	FIELD(shm_header, log_cells);
	FIELD(shm_header, slot_size);
	FIELD(shm_header, max_groups);
	FIELD(shm_header, max_group_members);
	FIELD(shm_header, group_size);
	FIELD(shm_header, name_buckets);
	FIELD(shm_header, slots_offset);
	FIELD(shm_header, names_offset);
	FIELD(shm_header, groups_offset);
	FIELD(shm_header, joined_offset);
	FIELD(shm_header, invited_offset);
	FIELD(shm_header, log_offset);
	FIELD(shm_header, created);
	FIELD(shm_header, segment_id);
	FIELD(shm_header, hub_pid);
	FIELD(shm_header, hub_starts);
	FIELD(shm_header, sessions_in_use);
	FIELD(shm_header, groups_in_use);
	FIELD(shm_header, sessions_active);
	FIELD(shm_header, log_next);
	FIELD(shm_header, log_reserved);
	FIELD(shm_header, st_wakeups_swept);
}

static void
slot(void)
{
	SIZE(shm_slot);
	FIELD(shm_slot, s_state);
	FIELD(shm_slot, s_generation);
	FIELD(shm_slot, s_pid);
	FIELD(shm_slot, s_wake_pending);
	FIELD(shm_slot, s_cursor);
	FIELD(shm_slot, s_close);
	FIELD(shm_slot, s_name);
}

static void
group_and_record(void)
{
	SIZE(shm_group);
	FIELD(shm_group, g_state);
	FIELD(shm_group, g_generation);
	FIELD(shm_group, g_owner);
	FIELD(shm_group, g_members);
	FIELD(shm_group, g_name);
	SIZE(shm_record);
	FIELD(shm_record, r_seq);
	FIELD(shm_record, r_time);
	FIELD(shm_record, r_cells);
	FIELD(shm_record, r_len);
	FIELD(shm_record, r_to);
	FIELD(shm_record, r_origin);
	FIELD(shm_record, r_kind);
	FIELD(shm_record, r_to_kind);
	FIELD(shm_record, r_event);
	FIELD(shm_record, r_mode);
}

int
main(void)
{
	constants();
	header();
	slot();
	group_and_record();
	return ferror(stdout) || fflush(stdout) != 0;
}

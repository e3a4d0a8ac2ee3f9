/*
 * unit_shm.c -- the shared-memory segment's attach-time checks (lib/shm.c).
 *
 * Creates a small real segment under a private name (t/testseg.c),
 * checks shm_check on copies of it with one field broken at a time, then
 * breaks the real segment and checks that shm_attach and the hub's
 * shm_open_or_create refuse it without touching a byte; the same for a
 * segment others may open and for a name planted by someone else
 * (shm_check_owner).  The segments are removed at exit whatever happened.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "shm.h"
#include "tap.h"
#include "testseg.h"

#define SESSIONS	4
#define LINE		64
#define RECORDS		64

static char *seg_name;		/* testseg_create's; "" once removed */

/* A copy of the segment's bytes, read without any check; *size set. */
static unsigned char *
snapshot(size_t *size)
{
	struct stat st;
	unsigned char *copy;
	void *p;
	int fd;

	if ((fd = shm_open(seg_name, O_RDONLY, 0)) == -1)
		bail("shm_open %s: %s", seg_name, strerror(errno));
	if (fstat(fd, &st) == -1)
		bail("fstat %s: %s", seg_name, strerror(errno));
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		bail("mmap %s: %s", seg_name, strerror(errno));
	if ((copy = malloc(*size)) == NULL)
		bail("out of memory");
	memcpy(copy, p, *size);
	munmap(p, *size);
	return copy;
}

/* 1 if err holds needle; else 0, with err shown as a diagnostic. */
static int
has(const char *err, const char *needle)
{
	if (strstr(err, needle) != NULL)
		return 1;
	diag("error \"%s\" lacks \"%s\"", err, needle);
	return 0;
}

/*
 * shm_check on a copy of good (size bytes) with one change made by
 * break_it; it must fail with an error holding needle.
 */
static void
check_refuses(const unsigned char *good, size_t size,
    void (*break_it)(struct shm_header *), size_t check_size,
    const char *needle, const char *desc)
{
	unsigned char *copy;
	char err[512] = "";
	int rc;

	if ((copy = malloc(size)) == NULL)
		bail("out of memory");
	memcpy(copy, good, size);
	if (break_it != NULL)
		break_it((struct shm_header *)(void *)copy);
	rc = shm_check(copy, check_size, NULL, err, sizeof(err));
	if (!ok(rc == -1 && has(err, needle), "shm_check refuses %s", desc))
		diag("shm_check returned %d", rc);
	free(copy);
}

static void break_magic(struct shm_header *h) { h->magic ^= 1; }
static void break_version(struct shm_header *h) { h->layout_version = SHM_LAYOUT_VERSION + 1; }
static void break_header_size(struct shm_header *h) { h->header_size += 8; }
static void break_slot_size(struct shm_header *h) { h->slot_size -= 8; }
static void break_sessions(struct shm_header *h) { h->max_sessions++; }
static void break_sessions_zero(struct shm_header *h) { h->max_sessions = 0; }
static void break_records(struct shm_header *h) { h->log_records++; }
static void break_records_zero(struct shm_header *h) { h->log_records = 0; }
static void break_line(struct shm_header *h) { h->max_line += 64; }
static void break_log_cells(struct shm_header *h) { h->log_cells += 1; }
static void break_slots_offset(struct shm_header *h) { h->slots_offset += 64; }
static void break_log_offset(struct shm_header *h) { h->log_offset -= 64; }
static void break_segment_size(struct shm_header *h) { h->segment_size -= 64; }

static void
test_check(const struct shm *seg)
{
	unsigned char *good;
	size_t size = seg->geo.segment_size;
	char err[512] = "", want[64];
	struct shm_geometry geo;
	int rc;

	if ((good = malloc(size)) == NULL)
		bail("out of memory");
	memcpy(good, seg->hdr, size);
	memset(&geo, 0, sizeof(geo));
	rc = shm_check(good, size, &geo, err, sizeof(err));
	if (!is_int(0, rc, "shm_check accepts a header as the hub builds it"))
		diag("error: %s", err);
	ok(geo.max_sessions == SESSIONS && geo.log_cells == seg->geo.log_cells &&
	    geo.slots_offset == seg->geo.slots_offset &&
	    geo.log_offset == seg->geo.log_offset &&
	    geo.invited_offset == seg->geo.invited_offset &&
	    geo.segment_size == size, "shm_check hands back the geometry it checked");

	check_refuses(good, size, break_magic, size, "magic", "a wrong magic number");
	check_refuses(good, size, break_version, size, "layout version",
	    "another layout version");
	snprintf(want, sizeof(want), "version %u", SHM_LAYOUT_VERSION + 1);
	check_refuses(good, size, break_version, size, want,
	    "another layout version, naming the segment's version");
	snprintf(want, sizeof(want), "version %u", SHM_LAYOUT_VERSION);
	check_refuses(good, size, break_version, size, want,
	    "another layout version, naming this build's version");
	check_refuses(good, size, NULL, size - 1, "", "a segment one byte short");
	check_refuses(good, size, NULL, sizeof(struct shm_header) - 1, "small",
	    "a segment too small for its header");
	check_refuses(good, size, NULL, 0, "small", "an empty segment");
	check_refuses(good, size, break_header_size, size, "size",
	    "another header size");
	check_refuses(good, size, break_slot_size, size, "size",
	    "another slot size");
	check_refuses(good, size, break_sessions, size, "geometry",
	    "max_sessions not matching the offsets");
	check_refuses(good, size, break_sessions_zero, size, "geometry",
	    "max_sessions 0");
	check_refuses(good, size, break_records, size, "geometry",
	    "log_records not matching the size");
	check_refuses(good, size, break_records_zero, size, "geometry",
	    "log_records 0");
	check_refuses(good, size, break_line, size, "geometry",
	    "max_line not matching log_cells");
	check_refuses(good, size, break_log_cells, size, "geometry",
	    "a wrong log_cells");
	check_refuses(good, size, break_slots_offset, size, "geometry",
	    "a wrong slots_offset");
	check_refuses(good, size, break_log_offset, size, "geometry",
	    "a wrong log_offset");
	check_refuses(good, size, break_segment_size, size, "geometry",
	    "a wrong segment_size");
	free(good);
}

static void
test_created(const struct shm *seg)
{
	const struct shm_header *h = seg->hdr;
	uint32_t r0 = 0;

	is_int((long long)seg->size, (long long)h->segment_size,
	    "the header's segment_size is the size mapped");
	ok(h->max_sessions == SESSIONS && h->max_line == LINE &&
	    h->log_records == RECORDS, "the segment has the geometry of the conf");
	is_int(1, (long long)h->log_next, "a new log starts at sequence 1");
	/* Longest record: 48-byte header, two 32-byte names, 64 of text: 3 cells. */
	is_int(RECORDS * 3, h->log_cells,
	    "the ring has room for log_records of the longest records");
	ok(shm_record(seg, 3) == shm_record(seg, 3 + h->log_cells) &&
	    (char *)shm_record(seg, 4) - (char *)shm_record(seg, 3) == SHM_CELL,
	    "the log is a ring of log_cells cells of SHM_CELL bytes");
	for (uint32_t i = 0; i < h->log_cells; i++)
		r0 |= (uint32_t)atomic_load(&shm_record(seg, i)->r_seq);
	is_int(0, r0, "every cell of a new log is empty (r_seq 0)");
	ok((char *)shm_slot(seg, SESSIONS - 1) + sizeof(struct shm_slot) <=
	    (char *)shm_record(seg, 0),
	    "the slot table ends before the log starts");
}

/*
 * A holder of the registry lock dies; the next locker repairs the count
 * of slots in use from the slots themselves.
 */
static void
test_repair(const struct shm *seg)
{
	int status;
	pid_t pid;

	atomic_store(&shm_slot(seg, 1)->s_state, SLOT_ACTIVE);
	atomic_store(&shm_slot(seg, 2)->s_state, SLOT_LOGIN);
	seg->hdr->sessions_in_use = 99;
	fflush(NULL);
	if ((pid = fork()) == -1)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		registry_lock(seg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		bail("waitpid: %s", strerror(errno));
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a child took the registry lock and died holding it");
	diag("a warning about a repaired registry lock is expected:");
	registry_lock(seg);
	is_int(2, seg->hdr->sessions_in_use,
	    "the next locker recounts sessions_in_use from the slots");
	registry_unlock(seg);
	registry_lock(seg);
	ok(1, "the repaired lock can be taken again");
	registry_unlock(seg);
	atomic_store(&shm_slot(seg, 1)->s_state, SLOT_FREE);
	atomic_store(&shm_slot(seg, 2)->s_state, SLOT_FREE);
	seg->hdr->sessions_in_use = 0;
}

/*
 * Break the real segment's header through a writable mapping, then try
 * every way in: each must fail with the message and leave the bytes alone.
 */
static void
test_attach_refused(const char *what, const char *needle,
    const char *needle2)
{
	struct shm other;
	struct shm_geometry geo;
	unsigned char *before, *after;
	size_t before_size, after_size;
	char err[512] = "";
	int rc, created = -1, saved;

	before = snapshot(&before_size);

	rc = shm_attach(&other, seg_name, 1, err, sizeof(err));
	saved = errno;
	ok(rc == -1 && has(err, needle) && has(err, needle2),
	    "%s: shm_attach (writable) refuses it, saying why", what);
	is_int(EPROTO, saved, "%s: shm_attach sets errno EPROTO", what);
	ok(other.hdr == NULL, "%s: a refused attach leaves nothing mapped", what);

	err[0] = '\0';
	rc = shm_attach(&other, seg_name, 0, err, sizeof(err));
	ok(rc == -1 && has(err, needle), "%s: shm_attach (read-only) refuses it",
	    what);

	/* The hub must refuse it too, not create a fresh one over it. */
	testseg_geometry(&geo, SESSIONS, LINE, RECORDS);
	err[0] = '\0';
	rc = shm_open_or_create(&other, seg_name, &geo, &created, err, sizeof(err));
	ok(rc == -1 && created == 0 && has(err, needle),
	    "%s: shm_open_or_create refuses it and creates nothing", what);
	if (rc == 0)
		shm_detach(&other);

	after = snapshot(&after_size);
	ok(before_size == after_size &&
	    memcmp(before, after, before_size) == 0,
	    "%s: the segment is unchanged, byte for byte", what);
	free(before);
	free(after);
}

static void
test_attach(struct shm *seg)
{
	struct shm other;
	char err[512] = "", want[64], want2[64];
	int rc, saved;

	rc = shm_attach(&other, seg_name, 0, err, sizeof(err));
	if (!is_int(0, rc, "shm_attach (read-only) accepts the hub's segment"))
		diag("error: %s", err);
	if (rc == 0) {
		ok(other.geo.max_sessions == SESSIONS && other.writable == 0,
		    "the attached segment is the one created");
		/* Scribbled on after the check, the header moves nothing. */
		seg->hdr->max_sessions = 1u << 30;
		seg->hdr->slots_offset = 1u << 30;
		ok(other.geo.max_sessions == SESSIONS &&
		    (size_t)((char *)shm_slot(&other, 1) - (char *)other.hdr) ==
		    seg->geo.slots_offset + sizeof(struct shm_slot) &&
		    (char *)shm_slot(&other, SESSIONS - 1) + sizeof(struct shm_slot) <=
		    (char *)other.hdr + other.size,
		    "a header changed after attach moves no index: the geometry "
		    "is the attach-time copy");
		seg->hdr->max_sessions = SESSIONS;
		seg->hdr->slots_offset = seg->geo.slots_offset;
		shm_detach(&other);
	} else {
		ok(0, "the attached segment is the one created");
		ok(0, "a header changed after attach moves no index");
	}

	seg->hdr->layout_version = SHM_LAYOUT_VERSION + 1;
	snprintf(want, sizeof(want), "version %u", SHM_LAYOUT_VERSION + 1);
	snprintf(want2, sizeof(want2), "version %u", SHM_LAYOUT_VERSION);
	test_attach_refused("layout version changed", want, want2);
	seg->hdr->layout_version = SHM_LAYOUT_VERSION;

	seg->hdr->magic = 0;
	test_attach_refused("magic cleared", "magic", "magic");
	seg->hdr->magic = SHM_MAGIC;

	rc = shm_attach(&other, seg_name, 1, err, sizeof(err));
	if (!is_int(0, rc, "repaired again, the segment is accepted"))
		diag("error: %s", err);
	if (rc == 0)
		shm_detach(&other);

	shm_detach(seg);
	is_int(0, shm_remove(seg_name), "shm_remove removes the segment");
	snprintf(want, sizeof(want), "%s", seg_name);
	seg_name[0] = '\0';
	err[0] = '\0';
	rc = shm_attach(&other, want, 0, err, sizeof(err));
	saved = errno;
	ok(rc == -1 && saved == ENOENT && has(err, want),
	    "shm_attach of a missing segment fails with ENOENT, naming it");
}

/* shm_check_owner on a made-up stat of mode (with its file type) and uid. */
static int
owner_check(mode_t mode, uid_t uid, uid_t hub_uid, char *err, size_t errlen)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	err[0] = '\0';
	return shm_check_owner(&st, "/chat-x", hub_uid, err, errlen);
}

static void
test_check_owner(void)
{
	char err[512];
	int rc;

	is_int(0, owner_check(S_IFREG | 0660, 1000, 1000, err, sizeof(err)),
	    "shm_check_owner accepts the hub user's segment, mode 0660");
	is_int(0, owner_check(S_IFREG | 0600, 0, 1000, err, sizeof(err)),
	    "shm_check_owner accepts root's segment, mode 0600");
	rc = owner_check(S_IFREG | 0600, 12345, 1000, err, sizeof(err));
	ok(rc == -1 && has(err, "segment /dev/shm/chat-x is owned by uid 12345 (") &&
	    has(err, "with mode 0600") && has(err, " or root and not be accessible "
	    "to others"), "shm_check_owner refuses another user's segment, "
	    "naming the object, its owner and mode");
	rc = owner_check(S_IFREG | 0666, 1000, 1000, err, sizeof(err));
	ok(rc == -1 && has(err, "owned by uid 1000") && has(err, "mode 0666"),
	    "shm_check_owner refuses the hub user's segment with mode 0666");
	ok(owner_check(S_IFREG | 0604, 1000, 1000, err, sizeof(err)) == -1 &&
	    has(err, "mode 0604"), "... and with mode 0604 (others may read)");
	ok(owner_check(S_IFREG | 0661, 0, 1000, err, sizeof(err)) == -1 &&
	    has(err, "mode 0661"), "... and root's with mode 0661");
	rc = owner_check(S_IFREG | 0666, 0, 0, err, sizeof(err));
	ok(rc == -1 && has(err, "must be owned by root and"),
	    "for a hub running as root: \"must be owned by root\"");
	ok(owner_check(S_IFIFO | 0600, 1000, 1000, err, sizeof(err)) == -1 &&
	    has(err, "not a regular file"), "shm_check_owner refuses a FIFO");
}

/* The real segment opened to others: every way in refuses it. */
static void
test_attach_mode(void)
{
	struct shm other;
	struct shm_geometry geo;
	struct stat st;
	char err[512] = "";
	int fd, rc, created = -1, saved;

	if ((fd = shm_open(seg_name, O_RDWR, 0)) == -1 || fstat(fd, &st) == -1)
		bail("shm_open %s: %s", seg_name, strerror(errno));
	is_int(0660, st.st_mode & 0777, "the hub creates its segment with mode 0660, "
	    "even under umask 0");
	if (fchmod(fd, 0666) == -1)
		bail("fchmod: %s", strerror(errno));
	rc = shm_attach(&other, seg_name, 1, err, sizeof(err));
	saved = errno;
	ok(rc == -1 && saved == EPERM && has(err, "mode 0666"),
	    "shm_attach refuses the segment at mode 0666, with EPERM");
	rc = shm_attach(&other, seg_name, 0, err, sizeof(err));
	ok(rc == -1 && has(err, "mode 0666"), "... read-only too");
	testseg_geometry(&geo, SESSIONS, LINE, RECORDS);
	rc = shm_open_or_create(&other, seg_name, &geo, &created, err, sizeof(err));
	saved = errno;
	ok(rc == -1 && created == 0 && saved == EPERM && has(err, "mode 0666"),
	    "... and so does shm_open_or_create, creating nothing");
	if (fchmod(fd, 0660) == -1)
		bail("fchmod: %s", strerror(errno));
	close(fd);
	rc = shm_attach(&other, seg_name, 1, err, sizeof(err));
	if (!is_int(0, rc, "at mode 0660 again the segment is accepted"))
		diag("error: %s", err);
	if (rc == 0)
		shm_detach(&other);
}

/*
 * A name made by someone else before the hub (mode 0666, zeros): the hub
 * neither uses it nor creates over it, and leaves it there.
 */
static void
test_planted(void)
{
	struct shm other;
	struct shm_geometry geo;
	char name[64], err[512] = "";
	int fd, rc, created = -1, saved;

	snprintf(name, sizeof(name), "/chat-unit-planted-%ld", (long)getpid());
	shm_unlink(name);
	if ((fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0666)) == -1 ||
	    fchmod(fd, 0666) == -1 || ftruncate(fd, 65536) == -1)
		bail("plant %s: %s", name, strerror(errno));
	close(fd);
	testseg_geometry(&geo, SESSIONS, LINE, RECORDS);
	rc = shm_open_or_create(&other, name, &geo, &created, err, sizeof(err));
	saved = errno;
	ok(rc == -1 && created == 0 && saved == EPERM && has(err, "mode 0666"),
	    "shm_open_or_create refuses a planted name (mode 0666), saying why");
	if (rc == 0)
		shm_detach(&other);
	fd = shm_open(name, O_RDONLY, 0);
	ok(fd != -1, "... and leaves it where it was");
	if (fd != -1)
		close(fd);
	shm_unlink(name);
}

int
main(void)
{
	struct shm seg;
	int created = 0;

	umask(0);	/* the segment's mode must not depend on the umask */
	seg_name = testseg_create(&seg, "shm", SESSIONS, LINE, RECORDS, &created);

	plan(1 + 7 + 20 + 3 + 8 + 5 + 2 + 2 + 2 * 6 + 4);
	ok(created == 1, "shm_open_or_create made a new segment");
	test_created(&seg);
	test_check(&seg);
	test_repair(&seg);
	test_check_owner();
	test_attach_mode();
	test_planted();
	test_attach(&seg);
	return 0;
}

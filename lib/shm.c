/*
 * shm.c -- map, validate and lock chat's shared-memory segment.
 *
 * Owns: creation with the capacities it is given, the attach-time checks
 * (owner and mode, magic, layout version, sizes, offsets), and the
 * robust-mutex protocol: every lock handles EOWNERDEAD by calling its
 * owner's repair and pthread_mutex_consistent.  Which lock guards what,
 * and its repair, belong to its owner (registry.c, groups.c, msglog.c).
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "shm.h"

#define ALIGN64(n)	(((n) + 63) & ~(size_t)63)

uint32_t
shm_record_cells(size_t data)
{
	return (uint32_t)((sizeof(struct shm_record) + data + SHM_CELL - 1) /
	    SHM_CELL);
}

void
shm_geometry_compute(struct shm_geometry *g)
{
	size_t cells = (size_t)g->max_groups * g->max_sessions;

	/* Room for log_records of the longest: both names, max_line of text. */
	g->log_cells = g->log_records *
	    shm_record_cells(SHM_RECORD_DATA_MAX(g->max_line));
	/* Capped, so that a corrupt max_sessions cannot loop (shm_check). */
	for (g->name_buckets = 1; g->name_buckets < 2 * (uint64_t)g->max_sessions &&
	    g->name_buckets < (UINT32_C(1) << 31);)
		g->name_buckets *= 2;
	g->slots_offset = ALIGN64(sizeof(struct shm_header));
	g->names_offset = ALIGN64(g->slots_offset +
	    (size_t)g->max_sessions * sizeof(struct shm_slot));
	g->groups_offset = ALIGN64(g->names_offset +
	    (size_t)g->name_buckets * sizeof(uint32_t));
	/*
	 * The log comes right after the tables every session reads, and the
	 * two matrices, which a session touches only for its own groups,
	 * last: each 2 MiB a process touches costs it a page-table page.
	 */
	g->log_offset = ALIGN64(g->groups_offset +
	    (size_t)g->max_groups * sizeof(struct shm_group));
	g->joined_offset = ALIGN64(g->log_offset +
	    (size_t)g->log_cells * SHM_CELL);
	g->invited_offset = ALIGN64(g->joined_offset + cells * sizeof(_Atomic uint64_t));
	g->segment_size = g->invited_offset + cells * sizeof(uint32_t);
}

int
shm_geometry_equal(const struct shm_geometry *a, const struct shm_geometry *b)
{
	return a->max_sessions == b->max_sessions && a->max_line == b->max_line &&
	    a->log_records == b->log_records && a->max_groups == b->max_groups &&
	    a->max_group_members == b->max_group_members;
}

int
shm_check(const void *base, size_t size, struct shm_geometry *geo,
    char *err, size_t errlen)
{
	const struct shm_header *h = base;
	struct shm_geometry g;

	if (size < sizeof(*h)) {
		snprintf(err, errlen, "segment too small (%zu bytes) to hold a header", size);
		return -1;
	}
	if (h->magic != SHM_MAGIC) {
		snprintf(err, errlen, "not a chat segment (bad magic number)");
		return -1;
	}
	if (h->layout_version != SHM_LAYOUT_VERSION) {
		snprintf(err, errlen, "segment has layout version %u, this program "
		    "was built for version %u; stop every chat process and "
		    "restart the hub with matching programs",
		    h->layout_version, SHM_LAYOUT_VERSION);
		return -1;
	}
	if (h->header_size != sizeof(*h) || h->slot_size != sizeof(struct shm_slot)) {
		snprintf(err, errlen, "segment header or slot size differs from this build");
		return -1;
	}
	if (h->group_size != sizeof(struct shm_group)) {
		snprintf(err, errlen, "segment group size differs from this build");
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.max_sessions = h->max_sessions;
	g.max_line = h->max_line;
	g.log_records = h->log_records;
	g.max_groups = h->max_groups;
	g.max_group_members = h->max_group_members;
	shm_geometry_compute(&g);
	if (h->max_sessions == 0 || h->log_records == 0 || h->max_line == 0 ||
	    h->max_groups == 0 || h->max_group_members == 0 ||
	    h->max_sessions > SHM_MAX_SESSIONS ||
	    h->log_records > SHM_MAX_LOG_RECORDS || h->max_line > SHM_MAX_LINE ||
	    h->max_groups > SHM_MAX_GROUPS ||
	    h->max_group_members > SHM_MAX_GROUP_MEMBERS ||
	    h->log_cells != g.log_cells || h->slots_offset != g.slots_offset ||
	    h->name_buckets != g.name_buckets ||
	    h->names_offset != g.names_offset ||
	    h->groups_offset != g.groups_offset ||
	    h->joined_offset != g.joined_offset ||
	    h->invited_offset != g.invited_offset ||
	    h->log_offset != g.log_offset ||
	    h->segment_size != g.segment_size || h->segment_size > size) {
		snprintf(err, errlen, "segment geometry is inconsistent");
		return -1;
	}
	if (geo != NULL)
		*geo = g;
	return 0;
}

static int
map_fd(struct shm *shm, int fd, size_t size, int writable)
{
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	void *p;

	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	shm->hdr = p;
	shm->size = size;
	shm->writable = writable;
	return 0;
}

/*
 * The name of uid from /etc/passwd into buf: 1, or 0 if it has no line
 * there.  Read by hand, not with getpwuid: chat-session is linked
 * statically and would drag in the NSS modules for an error message.
 */
static int
user_name(uid_t uid, char *buf, size_t len)
{
	char line[512], *colon;
	int found = 0, whole = 1;
	FILE *f;

	if ((f = fopen("/etc/passwd", "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		/* Only a line read from its start: name:password:uid:... */
		int start = whole;

		whole = strchr(line, '\n') != NULL;
		if (!start || (colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		if ((colon = strchr(colon + 1, ':')) == NULL || line[0] == '\0')
			continue;
		if (strtoul(colon + 1, NULL, 10) == (unsigned long)uid) {
			strlcpy(buf, line, len);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int
shm_check_owner(const struct stat *st, const char *name, uid_t hub_uid,
    char *err, size_t errlen)
{
	char owner[64], hub[64];
	const char *base = name + (name[0] == '/');

	if (S_ISREG(st->st_mode) && (st->st_uid == 0 || st->st_uid == hub_uid) &&
	    (st->st_mode & 007) == 0)
		return 0;
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "segment /dev/shm/%s is not a regular file "
		    "(mode %06o, owned by uid %u)", base, (unsigned)st->st_mode,
		    (unsigned)st->st_uid);
		return -1;
	}
	if (!user_name(st->st_uid, owner, sizeof(owner)))
		strlcpy(owner, "no name", sizeof(owner));
	if (!user_name(hub_uid, hub, sizeof(hub)))
		snprintf(hub, sizeof(hub), "uid %u", (unsigned)hub_uid);
	snprintf(err, errlen, "segment /dev/shm/%s is owned by uid %u (%s) with "
	    "mode %04o; it must be owned by %s%s and not be accessible to "
	    "others", base, (unsigned)st->st_uid, owner,
	    (unsigned)(st->st_mode & 07777), hub, hub_uid == 0 ? "" : " or root");
	return -1;
}

/*
 * An object under name that we may not open (EACCES): if it is someone
 * else's (a planted 0644 or 0600 one), say whose, as for one we could
 * open.  1 if err now says so, else 0.  O_PATH opens without reading.
 */
static int
planted_unreadable(const char *name, uid_t hub_uid, char *err, size_t errlen)
{
	char path[sizeof("/dev/shm/") + NAME_MAX];
	struct stat st;
	int fd, planted;

	snprintf(path, sizeof(path), "/dev/shm/%s", name + (name[0] == '/'));
	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	planted = fstat(fd, &st) == 0 &&
	    shm_check_owner(&st, name, hub_uid, err, errlen) == -1;
	close(fd);
	return planted;
}

int
shm_attach_as(struct shm *shm, const char *name, int writable, uid_t hub_uid,
    char *err, size_t errlen)
{
	struct stat st;
	int fd, saved;

	memset(shm, 0, sizeof(*shm));
	/* O_NONBLOCK: a FIFO planted under the name must not hang a reader. */
	fd = shm_open(name, (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd == -1) {
		saved = errno;
		snprintf(err, errlen, "shared memory %s: %s", name, strerror(errno));
		if (saved == EACCES && planted_unreadable(name, hub_uid, err, errlen))
			saved = EPERM;
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		snprintf(err, errlen, "shared memory %s: %s", name, strerror(errno));
		close(fd);
		errno = saved;
		return -1;
	}
	/* Checked on the descriptor that is mapped: nothing can swap it. */
	if (shm_check_owner(&st, name, hub_uid, err, errlen) == -1) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if (map_fd(shm, fd, (size_t)st.st_size, writable) == -1) {
		saved = errno;
		snprintf(err, errlen, "shared memory %s: %s", name, strerror(errno));
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	if (shm_check(shm->hdr, shm->size, &shm->geo, err, errlen) == -1) {
		shm_detach(shm);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
shm_attach(struct shm *shm, const char *name, int writable, char *err, size_t errlen)
{
	return shm_attach_as(shm, name, writable, geteuid(), err, errlen);
}

static int
init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	int rc;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc;
}

/* A random id, never 0; if the kernel has no randomness, time and pid. */
static uint64_t
new_segment_id(void)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint64_t)clock_unix_ms() << 20 ^ (uint64_t)getpid();
	return id != 0 ? id : 1;
}

static int
create_segment(struct shm *shm, const char *name, const struct shm_geometry *want,
    char *err, size_t errlen)
{
	struct shm_geometry g = *want;
	struct shm_header *h;
	size_t size;
	int fd;

	shm_geometry_compute(&g);
	size = g.segment_size;
	/*
	 * O_EXCL: a name that exists was not made here, whatever it holds.
	 * Mode 0660 (less the umask): the hub's user and group, never others.
	 */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd == -1) {
		int saved = errno;

		snprintf(err, errlen, "create shared memory %s: %s", name,
		    strerror(errno));
		errno = saved;
		return -1;
	}
	if (ftruncate(fd, (off_t)size) == -1 || map_fd(shm, fd, size, 1) == -1) {
		snprintf(err, errlen, "size shared memory %s to %zu bytes: %s",
		    name, size, strerror(errno));
		close(fd);
		shm_unlink(name);
		errno = ENOSPC;		/* not EEXIST: nothing to retry */
		return -1;
	}
	close(fd);
	shm->geo = g;
	h = shm->hdr;
	h->layout_version = SHM_LAYOUT_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = size;
	h->max_sessions = g.max_sessions;
	h->max_line = g.max_line;
	h->log_records = g.log_records;
	h->max_groups = g.max_groups;
	h->max_group_members = g.max_group_members;
	h->log_cells = g.log_cells;
	h->slot_size = sizeof(struct shm_slot);
	h->group_size = sizeof(struct shm_group);
	h->name_buckets = g.name_buckets;
	h->slots_offset = g.slots_offset;
	h->names_offset = g.names_offset;
	h->groups_offset = g.groups_offset;
	h->joined_offset = g.joined_offset;
	h->invited_offset = g.invited_offset;
	h->log_offset = g.log_offset;
	h->created = clock_unix_seconds();
	h->segment_id = new_segment_id();
	h->log_next = 1;	/* 0 means "no record" to readers */
	h->log_reserved = 1;
	if (init_mutex(&h->registry_lock) != 0 || init_mutex(&h->groups_lock) != 0 ||
	    init_mutex(&h->log_lock) != 0) {
		snprintf(err, errlen, "cannot initialise robust mutexes");
		shm_detach(shm);
		shm_unlink(name);
		errno = EINVAL;
		return -1;
	}
	for (uint64_t i = 0; i < g.log_cells; i++)
		atomic_store(&shm_record(shm, i)->r_seq, 0);
	atomic_thread_fence(memory_order_release);
	h->magic = SHM_MAGIC;
	return 0;
}

int
shm_open_or_create(struct shm *shm, const char *name,
    const struct shm_geometry *want, int *created, char *err, size_t errlen)
{
	/*
	 * Attach, else create; if the name appeared between the two (someone
	 * else made it), attach again, which checks whose it is.
	 */
	for (int tries = 0; tries < 3; tries++) {
		memset(shm, 0, sizeof(*shm));
		*created = 0;
		if (shm_attach(shm, name, 1, err, errlen) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
		if (create_segment(shm, name, want, err, errlen) == 0) {
			*created = 1;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
shm_remove(const char *name)
{
	return shm_unlink(name);
}

void
shm_detach(struct shm *shm)
{
	if (shm->hdr != NULL)
		munmap(shm->hdr, shm->size);
	memset(shm, 0, sizeof(*shm));
}

int
shm_slot_flag_wake(struct shm_slot *s)
{
	/*
	 * Load before exchanging: a flag already set is left alone, so a
	 * fan-out does not take every busy recipient's cache line away from
	 * it.  (A set flag means a drain that clears it and then reads
	 * log_next is still to come; both loads are sequentially consistent,
	 * so that drain sees whatever the caller appended before.)
	 */
	return atomic_load(&s->s_wake_pending) == 0 &&
	    atomic_exchange(&s->s_wake_pending, 1) == 0;
}

void
shm_name_copy(char name[SHM_NAME_MAX + 1], const char *field)
{
	memcpy(name, field, SHM_NAME_MAX);
	name[SHM_NAME_MAX] = '\0';
}

const char *
shm_disconnect_name(uint32_t reason)
{
	static const char *const names[DISC_REASONS] = {
		[DISC_QUIT] = "quit",
		[DISC_EOF] = "closed_during_login",
		[DISC_ERROR] = "socket_error",
		[DISC_SENDQ] = "sendq_exceeded",
		[DISC_LOST] = "session_died",
		[DISC_LAGGED] = "fell_behind_log",
		[DISC_KICKED] = "kicked",
		[DISC_FLOOD] = "flood",
		[DISC_AUTH] = "auth_failed",
		[DISC_TIMEOUT] = "timeout",
	};

	return reason < DISC_REASONS ? names[reason] : "?";
}

const char *
shm_transport_name(uint32_t transport)
{
	static const char *const names[TRANSPORT_COUNT] = {
		[TRANSPORT_LINE] = "tcp",
		[TRANSPORT_WS] = "ws",
		[TRANSPORT_SSE] = "sse",
		[TRANSPORT_REMOTE] = "remote",
		[TRANSPORT_IRC] = "irc",
	};

	return transport < TRANSPORT_COUNT ? names[transport] : "?";
}

int
shm_slot_behind(struct shm_slot *s, uint64_t target)
{
	/* Another node's user reads nothing here: chat-bridge reads for it. */
	return shm_state_reads_log(atomic_load(&s->s_state)) &&
	    s->s_origin == 0 && atomic_load(&s->s_cursor) < target;
}

void
shm_lock_robust(const struct shm *shm, pthread_mutex_t *m, const char *what,
    void (*repair)(const struct shm *))
{
	int rc;

	rc = pthread_mutex_lock(m);
	if (rc == 0)
		return;
	if (rc == EOWNERDEAD) {
		log_warnx("%s lock: previous holder died; repairing", what);
		repair(shm);
		if (pthread_mutex_consistent(m) != 0)
			fatalx("%s lock: cannot make consistent", what);
		return;
	}
	errno = rc;
	fatal("%s lock", what);
}

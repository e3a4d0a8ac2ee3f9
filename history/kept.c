/*
 * kept.c -- the archive's copy of the groups (kept.h).
 *
 * Group records are rare next to chat lines, so each statement is
 * prepared when it runs.
 */
#include <string.h>

#include "groups.h"
#include "kept.h"
#include "log.h"

/* Run sql with ?1 = a, ?2 = b (NULL: unbound), ?3 = n: 0, or -1. */
static int
run(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
forget_group(sqlite3 *db, const char *group)
{
	return run(db, "DELETE FROM groups WHERE name = ?1", group, NULL, 0) |
	    run(db, "DELETE FROM members WHERE group_name = ?1", group, NULL, 0) |
	    run(db, "DELETE FROM invitations WHERE group_name = ?1", group, NULL, 0);
}

static int
add_member(sqlite3 *db, const char *group, const char *user)
{
	return run(db, "INSERT OR IGNORE INTO members VALUES (?1, ?2)", group,
	    user, 0) |
	    run(db, "DELETE FROM invitations WHERE group_name = ?1 AND user = ?2",
	    group, user, 0);
}

static int
remove_member(sqlite3 *db, const char *group, const char *user)
{
	return run(db, "DELETE FROM members WHERE group_name = ?1 AND user = ?2",
	    group, user, 0);
}

/* A join; one that created the group starts its rows afresh. */
static int
joined(sqlite3 *db, const struct msglog_entry *e)
{
	const char *g = e->group_name;
	int rc = 0;

	if (e->flags & RECF_CREATED)
		rc = forget_group(db, g) |
		    run(db, "INSERT INTO groups VALUES (?1, ?2, ?3, 0, 0)", g,
		    e->from_name, (e->flags & RECF_REGISTERED) != 0) |
		    run(db, "UPDATE groups SET created_ms = ?3 WHERE name = ?1", g,
		    NULL, e->time);
	if (e->flags & RECF_REGISTERED)
		rc |= add_member(db, g, e->from_name);
	return rc;
}

int
kept_apply(sqlite3 *db, const struct msglog_entry *e)
{
	const char *g = e->group_name, *t = e->target_name;

	switch (e->event) {
	case GROUP_JOINED:
		return joined(db, e);
	case GROUP_LEFT:	/* RECF_QUIT: it left the chat, and stays */
		return (e->flags & RECF_QUIT) ? 0 : remove_member(db, g, e->from_name);
	case GROUP_OWNER:
		return run(db, "UPDATE groups SET owner = ?2, owner_registered = "
		    "EXISTS (SELECT 1 FROM members WHERE group_name = ?1 AND "
		    "user = ?2) WHERE name = ?1", g, t, 0);
	case GROUP_KICKED:
		return remove_member(db, g, t);
	case GROUP_INVITED:
		return run(db, "INSERT OR IGNORE INTO invitations VALUES (?1, ?2)",
		    g, t, 0);
	case GROUP_MODE:
		return run(db, "UPDATE groups SET invite_only = ?3 WHERE name = ?1",
		    g, NULL, e->mode != 0);
	case GROUP_CLOSED:
		return forget_group(db, g);
	}
	return 0;
}

int
kept_restore(sqlite3 *db, const struct shm *shm)
{
	const char *name, *owner;
	sqlite3_stmt *st;
	int made = 0, rc;

	if (sqlite3_exec(db, "DELETE FROM members WHERE group_name IN (SELECT "
	    "name FROM groups WHERE owner_registered = 0);"
	    "DELETE FROM invitations WHERE group_name IN (SELECT name FROM "
	    "groups WHERE owner_registered = 0);"
	    "DELETE FROM groups WHERE owner_registered = 0;", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name, owner, invite_only, created_ms "
	    "FROM groups ORDER BY created_ms", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		owner = (const char *)sqlite3_column_text(st, 1);
		if (name == NULL || owner == NULL || !group_name_valid(name) ||
		    strlen(owner) > SHM_NAME_MAX)
			continue;
		switch (groups_restore(shm, name, owner, sqlite3_column_int(st, 2),
		    sqlite3_column_int64(st, 3) / 1000)) {
		case GR_OK:
			made++;
			break;
		case GR_EXISTS:
			log_warnx("group #%s: not restored, the name is taken "
			    "again", name);
			break;
		default:
			log_warnx("group #%s: not restored, the group table is "
			    "full (max_groups)", name);
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? made : -1;
}

/*
 * unit_users.c -- the users file's one parser and its edits (lib/users.c,
 * lib/users_edit.c).
 *
 * What each kind of line is, line numbers after long lines, lookups of
 * locked names, problems logged once per change (users_report), and
 * edits that keep every line they do not change byte for byte.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "testfile.h"
#include "users.h"

#define HASH	"$y$j9T$abcdefghijklmnop$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc"
#define BOM	"\xEF\xBB\xBF"
#define NO_NAME	"not a name:hash line (no valid name at its start)"
#define KINDS	28	/* cases in test_kinds's table */

static char dir[] = "/tmp/unit_users.XXXXXX";
static char path[256];

static struct users_line
parse(const char *text)
{
	struct users_reader r;
	struct users_line l;

	users_reader_init(&r, text, strlen(text));
	if (!users_next(&r, &l))
		bail("no line in \"%s\"", text);
	return l;
}

static void
test_kinds(void)
{
	static const struct {
		const char	*line;
		enum users_kind	 kind;
		const char	*name, *why;
	} cases[] = {
		{ "# a comment", USERS_BLANK, "", NULL },
		{ "   ", USERS_BLANK, "", NULL },
		{ "\r", USERS_BLANK, "", NULL },
		{ "  # indented comment", USERS_BLANK, "", NULL },
		{ "alice:" HASH, USERS_ENTRY, "alice", NULL },
		{ "alice:" HASH "\r", USERS_ENTRY, "alice", NULL },
		{ "alice:", USERS_LOCKED, "alice", "empty password hash" },
		{ "alice", USERS_LOCKED, "alice", "no ':' after the name" },
		{ " alice:" HASH, USERS_LOCKED, "alice", "blanks around the name" },
		{ "alice :" HASH, USERS_LOCKED, "alice", "blanks around the name" },
		{ "alice:$y$a b", USERS_LOCKED, "alice", "the password hash has a blank, "
		    "a control byte, ':' or a byte that is not ASCII" },
		{ "alice:$y$a:b", USERS_LOCKED, "alice", "the password hash has a blank, "
		    "a control byte, ':' or a byte that is not ASCII" },
		{ "alice:$y$\xc3\xa9", USERS_LOCKED, "alice", "the password hash has a "
		    "blank, a control byte, ':' or a byte that is not ASCII" },
		/* A damaged separator still locks the name it starts with. */
		{ "bob " HASH, USERS_LOCKED, "bob", "no ':' after the name" },
		{ "carol\t" HASH, USERS_LOCKED, "carol", "no ':' after the name" },
		{ "dave=" HASH, USERS_LOCKED, "dave", "no ':' after the name" },
		{ "erin x:" HASH, USERS_LOCKED, "erin", "unexpected bytes after the "
		    "name" },
		{ "frank\xc3\xa9:" HASH, USERS_LOCKED, "frank", "unexpected bytes "
		    "after the name" },
		{ "not a valid line", USERS_LOCKED, "not", "no ':' after the name" },
		{ BOM "alice:" HASH, USERS_ENTRY, "alice", NULL },
		{ BOM "  alice:" HASH, USERS_LOCKED, "alice", "blanks around the name" },
		{ BOM "# a comment", USERS_BLANK, "", NULL },
		/* No valid name at the start: ignored. */
		{ "9lives:" HASH, USERS_BAD, "", NO_NAME },
		{ "-x y", USERS_BAD, "", NO_NAME },
		{ ":" HASH, USERS_BAD, "", NO_NAME },
		{ "\xc3\xa9lise:" HASH, USERS_BAD, "", NO_NAME },
		{ "abcdefghijklmnopqrstuvwxyz0123456:" HASH, USERS_BAD, "", NO_NAME },
		{ "abcdefghijklmnopqrstuvwxyz0123456 x", USERS_BAD, "", NO_NAME },
	};

	_Static_assert(sizeof(cases) / sizeof(cases[0]) == KINDS, "KINDS");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct users_line l = parse(cases[i].line);

		is_int(cases[i].kind, l.kind, "kind of line %zu (%s)", i,
		    cases[i].why ? cases[i].why : "no problem");
		is_string(cases[i].name, l.name, "... its name");
		is_string(cases[i].why ? cases[i].why : "(none)",
		    l.why ? l.why : "(none)", "... what is wrong");
	}
	{
		struct users_line l = parse(BOM "alice:" HASH);

		ok(l.bom && l.text[0] == BOM[0] && l.len == 3 + 6 + strlen(HASH) &&
		    l.hashlen == strlen(HASH), "a BOM starting the file is skipped, "
		    "said (bom), and kept in the line's text");
		ok(!parse("alice:" HASH).bom, "... bom is 0 without one");
	}
	{
		const char *text = "a:h\n" BOM "bob:" HASH "\n";
		struct users_reader r;
		struct users_line l;

		users_reader_init(&r, text, strlen(text));
		users_next(&r, &l);
		users_next(&r, &l);
		ok(l.kind == USERS_BAD && !l.bom, "a BOM is skipped at the start of "
		    "the file only");
	}
	{
		struct users_line l = parse("bob:" HASH "\r");

		ok(l.hashlen == strlen(HASH) && memcmp(l.hash, HASH, l.hashlen) == 0,
		    "the hash of an entry, without the '\\r' of a CRLF file");
	}
	{
		char line[300] = "carol:$y$";

		memset(line + 9, 'x', 6 + 255 - 9);
		line[6 + 255] = '\0';		/* a hash of 255 bytes: fine */
		is_int(USERS_ENTRY, parse(line).kind, "a hash of 255 bytes is usable");
		line[6 + 255] = 'x';
		line[6 + 256] = '\0';
		is_string("password hash longer than 255 bytes", parse(line).why,
		    "a hash of 256 bytes locks the name");
	}
}

static void
test_line_numbers(void)
{
	size_t big = 100000, len;
	char *buf = malloc(big + 64);
	struct users_reader r;
	struct users_line l;
	unsigned n = 0, last = 0;

	if (buf == NULL)
		bail("out of memory");
	strcpy(buf, "a:h\n");
	memset(buf + 4, 'x', big);
	strcpy(buf + 4 + big, "\n#c\n\nb:h2");
	len = strlen(buf);
	users_reader_init(&r, buf, len);
	while (users_next(&r, &l)) {
		n++;
		last = l.lineno;
		if (l.lineno == 2)
			is_int((long long)big, (long long)l.len,
			    "a 100000-byte line is one line");
	}
	is_int(5, n, "5 lines, however long one is");
	is_int(5, last, "the last is line 5");
	is_string("b", l.name, "... and is read without a final newline");
	users_reader_init(&r, NULL, 0);
	is_int(0, users_next(&r, &l), "an empty (unmapped) file has no lines");
	free(buf);
}

static char *
read_file(void)
{
	static char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1 ||
	    (n = read(fd, buf, sizeof(buf) - 1)) == -1)
		bail("cannot read %s", path);
	close(fd);
	buf[n] = '\0';
	return buf;
}

static void
test_lookup(void)
{
	struct users_match m;
	char err[256];

	testfile_write(path, "# users\nalice:" HASH "\nbob:\ncarol:" HASH "\nCarol:" HASH
	    "\n=zed x\ndave " HASH "\n");
	is_int(USERS_FOUND, users_lookup_match(path, "ALICE", &m, err, sizeof(err)),
	    "a good line: found, in any case");
	is_string(HASH, m.hash, "... with its hash");
	is_int(2, m.lineno, "... on line 2");
	is_int(USERS_IS_LOCKED, users_lookup_match(path, "bob", &m, err, sizeof(err)),
	    "bob: (empty hash): locked, not a guest");
	ok(m.lineno == 3 && strcmp(m.why, "empty password hash") == 0 &&
	    m.hash[0] == '\0', "... by line 3, saying why, with no hash");
	is_int(USERS_IS_LOCKED, users_lookup_match(path, "carol", &m, err, sizeof(err)),
	    "carol on two lines: locked");
	ok(m.lineno == 5 && m.other == 4, "... by line 5, the other being line 4");
	is_int(USERS_NONE, users_lookup_match(path, "zed", &m, err, sizeof(err)),
	    "a line with no valid name at its start registers nobody");
	is_int(USERS_IS_LOCKED, users_lookup_match(path, "Dave", &m, err, sizeof(err)),
	    "dave with a blank for ':' is locked, not a guest name");
	ok(m.lineno == 7 && strcmp(m.why, "no ':' after the name") == 0,
	    "... by line 7, saying why");
	ok(m.stamp != 0, "... and the file has a stamp");
	unlink(path);
	is_int(USERS_NONE, users_lookup_match(path, "alice", &m, err, sizeof(err)),
	    "a missing file: nobody is registered");
	is_int(0, m.stamp, "... and its stamp is 0");
}

/* Lines logged (on stderr) by f(). */
static int
logged_lines(void (*f)(void))
{
	char tmp[300], buf[8192];
	int fd, saved, lines = 0;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s/log", dir);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (saved = dup(2)) == -1 || dup2(fd, 2) == -1)
		bail("cannot redirect stderr");
	f();
	dup2(saved, 2);
	close(saved);
	if ((n = pread(fd, buf, sizeof(buf), 0)) < 0)
		bail("cannot read the log");
	for (ssize_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	close(fd);
	unlink(tmp);
	return lines;
}

static _Atomic uint32_t seen;

static void
report(void)
{
	struct users_match m;
	char err[256];

	users_lookup_match(path, "alice", &m, err, sizeof(err));
	users_report(path, m.stamp, &seen);
}

static void
test_report(void)
{
	struct stat st;

	testfile_write(path, "alice:\nbad line\nbob:" HASH "\nbob:" HASH "\n");
	is_int(3, logged_lines(report), "the first look at a changed file logs its "
	    "3 problems");
	is_int(0, logged_lines(report), "the second logs nothing");
	is_int(0, logged_lines(report), "nor the third");
	testfile_write(path, "alice:\nbad line\nbob:" HASH "\nbob:" HASH "\n");
	/* The same bytes: a new inode, so a change. */
	is_int(3, logged_lines(report), "the same bytes written again: logged again");
	testfile_write(path, "alice:" HASH "\n");
	is_int(0, logged_lines(report), "a file without problems logs nothing");
	if (stat(path, &st) == 0)
		ok(seen != 0, "... and the stamp is kept");
	testfile_write(path, BOM "alice:" HASH "\n");
	is_int(1, logged_lines(report), "a BOM starting the file is told once");
}

/*
 * Each line keeps its own newline: removing the last line, or replacing
 * it, changes no other line.
 */
static void
test_edit_newlines(void)
{
	static const struct {
		const char	*before, *name, *after, *what;
	} cases[] = {
		{ "alice:a\nbob:b\n", "bob", "alice:a\n",
		    "userdel of the last line of a file ending in a newline" },
		{ "alice:a\nbob:b", "bob", "alice:a\n",
		    "userdel of an unterminated last line: the line before keeps "
		    "its newline" },
		{ "alice:a\r\nbob:b\r\n", "bob", "alice:a\r\n",
		    "userdel of the last line of a CRLF file" },
		{ "alice:a\nbob:b\n\n", "bob", "alice:a\n\n",
		    "userdel of the line before a final blank line" },
		{ "alice:a", "alice", "", "userdel of the only line" },
	};
	struct users_list list;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		testfile_write(path, cases[i].before);
		if (users_load(path, &list, USERS_READ, err, sizeof(err)) == -1)
			bail("users_load: %s", err);
		users_remove(&list, cases[i].name);
		if (users_save(path, &list, err, sizeof(err)) == -1)
			bail("users_save: %s", err);
		users_free(&list);
		is_string(cases[i].after, read_file(), "%s", cases[i].what);
	}
	testfile_write(path, "alice:a\nbob:b");
	if (users_load(path, &list, USERS_READ, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	users_set(&list, "bob", "$y$new");
	users_set(&list, "carol", "$y$c");
	if (users_save(path, &list, err, sizeof(err)) == -1)
		bail("users_save: %s", err);
	users_free(&list);
	is_string("alice:a\nbob:$y$new\ncarol:$y$c\n", read_file(),
	    "an unterminated last line replaced, a line added: both end in newlines");
	/* A BOM and damaged lines survive an edit of another name. */
	testfile_write(path, BOM "alice:" HASH "\nbob " HASH "\ncarol\t" HASH
	    "\ndave=x\n");
	if (users_load(path, &list, USERS_READ, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	ok(users_find(&list, "bob") != NULL && users_find(&list, "dave") != NULL,
	    "the damaged lines are found as bob's and dave's");
	users_set(&list, "erin", "$y$e");
	if (users_save(path, &list, err, sizeof(err)) == -1)
		bail("users_save: %s", err);
	users_free(&list);
	is_string(BOM "alice:" HASH "\nbob " HASH "\ncarol\t" HASH "\ndave=x\n"
	    "erin:$y$e\n", read_file(), "useradd keeps the BOM and the damaged lines "
	    "byte for byte");
	if (users_load(path, &list, USERS_READ, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	users_set(&list, "bob", "$y$b");
	if (users_save(path, &list, err, sizeof(err)) == -1)
		bail("users_save: %s", err);
	users_free(&list);
	is_string(BOM "alice:" HASH "\nbob:$y$b\ncarol\t" HASH "\ndave=x\n"
	    "erin:$y$e\n", read_file(), "passwd bob repairs his line in place");
}

static int
open_fds(void)
{
	char p[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

/* Files in dir other than the users file and its lock. */
static int
stray_files(void)
{
	char cmd[400], line[300];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A %s", dir);
	if ((p = popen(cmd, "r")) == NULL)
		bail("popen");
	while (fgets(line, sizeof(line), p) != NULL)
		n += strcmp(line, "users\n") != 0 && strcmp(line, "users.lock\n") != 0;
	pclose(p);
	return n;
}

/* A write that fails (a full disk; here a file size limit) changes nothing. */
static void
test_save_fails(void)
{
	struct users_list list;
	struct rlimit old, small;
	char err[256], big[8192], *before;
	int fds;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	testfile_write(path, "alice:" HASH "\n");
	before = strdup(read_file());
	if (before == NULL || users_load(path, &list, USERS_EDIT, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	users_set(&list, "bob", big);
	fds = open_fds();
	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &old) == -1)
		bail("getrlimit");
	small = old;
	small.rlim_cur = 100;
	if (setrlimit(RLIMIT_FSIZE, &small) == -1)
		bail("setrlimit");
	is_int(-1, users_save(path, &list, err, sizeof(err)), "users_save fails when "
	    "the temporary file cannot be written");
	setrlimit(RLIMIT_FSIZE, &old);
	ok(strstr(err, strerror(EFBIG)) != NULL && strstr(err, "is unchanged") != NULL,
	    "... saying why (the write's errno) and that the file is unchanged: %s",
	    err);
	is_int(fds, open_fds(), "... leaking no file descriptor");
	is_int(0, stray_files(), "... removing the temporary file");
	is_string(before, read_file(), "... leaving the users file as it was");
	users_free(&list);
	free(before);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A FIFO or a directory named as the users file: an error, at once. */
static void
test_not_regular(void)
{
	struct sigaction sa;
	struct users_match m;
	struct users_list list;
	char err[256], want[300];

	/* An open(2) that blocks (as it did) is interrupted, not waited for. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	unlink(path);
	if (mkfifo(path, 0600) == -1)
		bail("mkfifo");
	alarm(5);
	is_int(-1, users_lookup_match(path, "alice", &m, err, sizeof(err)),
	    "a FIFO as the users file: the lookup fails");
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	is_string(want, err, "... at once, saying it is not a regular file");
	alarm(5);
	is_int(-1, users_load(path, &list, USERS_EDIT, err, sizeof(err)),
	    "... and so does an edit");
	is_string(want, err, "... at once, saying so");
	alarm(0);
	unlink(path);
	if (mkdir(path, 0700) == -1)
		bail("mkdir");
	is_int(-1, users_lookup_match(path, "alice", &m, err, sizeof(err)),
	    "a directory as the users file: the lookup fails");
	is_string(want, err, "... saying it is not a regular file");
	rmdir(path);
	is_int(-1, users_lookup_match("/dev/null", "alice", &m, err, sizeof(err)),
	    "/dev/null as the users file: refused, not read as empty");
	snprintf(want, sizeof(want), "%s.lock", path);
	unlink(want);
}

static void
test_edit(void)
{
	struct users_list list;
	char err[256], want[1024];

	/* No final newline, a CRLF line, comments and a bad line. */
	testfile_write(path, "#c\r\nalice:" HASH "\n  \nno good\nbob:" HASH "\nbob:x y");
	if (users_load(path, &list, USERS_EDIT, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	ok(list.lock_fd != -1, "USERS_EDIT holds the lock file");
	is_int(0, users_remove(&list, "alice"), "userdel alice");
	is_int(-1, users_remove(&list, "nobody"), "userdel of nobody: -1");
	if (users_save(path, &list, err, sizeof(err)) == -1)
		bail("users_save: %s", err);
	users_free(&list);
	is_string("#c\r\n  \nno good\nbob:" HASH "\nbob:x y", read_file(),
	    "every other line is kept byte for byte, the last without a newline");

	if (users_load(path, &list, USERS_READ, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	ok(list.lock_fd == -1, "USERS_READ takes no lock");
	is_int(0, users_set(&list, "BOB", "$y$new"), "passwd of bob, on two lines");
	is_int(0, users_set(&list, "carol", "$y$c"), "useradd carol");
	if (users_save(path, &list, err, sizeof(err)) == -1)
		bail("users_save: %s", err);
	users_free(&list);
	snprintf(want, sizeof(want), "#c\r\n  \nno good\nbob:$y$new\ncarol:$y$c\n");
	is_string(want, read_file(), "bob's first line is replaced (keeping its case), "
	    "his second dropped, carol added at the end");
	unlink(path);
	if (users_load(path, &list, USERS_EDIT, err, sizeof(err)) == -1)
		bail("users_load: %s", err);
	is_int(0, (long long)list.count, "a missing file loads as empty");
	users_free(&list);
	{
		char lock[300];
		struct stat st;

		snprintf(lock, sizeof(lock), "%s.lock", path);
		ok(stat(lock, &st) == 0 && (st.st_mode & 0777) == 0600,
		    "the lock file is beside the users file, mode 0600");
		unlink(lock);
	}
}

int
main(void)
{
	plan(KINDS * 3 + 3 + 3 + 5 + 13 + 7 + 10 + 9 + 5 + 7);
	log_init("unit_users", LOG_LEVEL_INFO);
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(path, sizeof(path), "%s/users", dir);
	test_kinds();
	test_line_numbers();
	test_lookup();
	test_report();
	test_edit();
	test_edit_newlines();
	test_save_fails();
	test_not_regular();
	rmdir(dir);
	return 0;
}

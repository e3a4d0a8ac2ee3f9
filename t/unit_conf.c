/*
 * unit_conf.c -- reading chat.conf (lib/conf.c).
 *
 * Defaults, the "key = value" syntax, the value checks, and that every
 * error names the file and line; conf_load's search through -c and
 * $CHAT_CONF.  Temporary files go in $TMPDIR (or /tmp) and are removed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static char tmp_path[4096];	/* the temporary file, "" if none */

static void
remove_tmp(void)
{
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
	tmp_path[0] = '\0';
}

/* Write text to a fresh temporary file; its path is tmp_path. */
static void
write_tmp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	size_t len = strlen(text);
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(tmp_path, sizeof(tmp_path), "%s/chat-unit-conf.XXXXXX", dir);
	if ((fd = mkstemp(tmp_path)) == -1) {
		tmp_path[0] = '\0';
		bail("mkstemp in %s: %s", dir, strerror(errno));
	}
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		bail("write %s: %s", tmp_path, strerror(errno));
	}
	close(fd);
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

static void
test_defaults(void)
{
	struct chat_conf c;

	memset(&c, 0xa5, sizeof(c));
	conf_defaults(&c);
	is_string("/chat", c.shm_name, "default shm_name");
	is_string("/run/chat", c.runtime_dir, "default runtime_dir");
	is_int(1024, c.max_sessions, "default max_sessions");
	is_int(1024, c.max_line, "default max_line");
	is_int(LOG_LEVEL_INFO, c.log_level, "default log_level is info");
	is_string("", c.source, "defaults come from no file");
}

static void
test_valid(void)
{
	static const char text[] =
	    "# chat.conf for the unit test\n"
	    "\n"
	    "shm_name=/chat-test\n"
	    "   runtime_dir   =   /run/chat-test   \n"
	    "\tmax_sessions\t=\t200\t# trailing comment\n"
	    "max_line = 2048\r\n"
	    "   # an indented comment\n"
	    "max_sendq = 65536\n"
	    "log_records = 128\n"
	    "log_level = debug\n"
	    "\n"
	    "max_line = 512";		/* no final newline; last one wins */
	struct chat_conf c;
	char err[512] = "";
	int rc;

	conf_defaults(&c);
	rc = conf_parse(&c, "test.conf", text, err, sizeof(err));
	if (!is_int(0, rc, "a valid text with comments and blank lines parses"))
		diag("error: %s", err);
	is_string("/chat-test", c.shm_name, "shm_name without spaces around '='");
	is_string("/run/chat-test", c.runtime_dir, "runtime_dir with spaces trimmed");
	is_int(200, c.max_sessions, "max_sessions with tabs and a trailing comment");
	is_int(512, c.max_line, "a key given twice: the last value wins");
	is_int(65536, c.max_sendq, "max_sendq");
	is_int(128, c.log_records, "log_records");
	is_int(LOG_LEVEL_DEBUG, c.log_level, "log_level");

	conf_defaults(&c);
	is_int(0, conf_parse(&c, "empty.conf", "", err, sizeof(err)),
	    "an empty text parses");
	is_int(1024, c.max_line, "an empty text leaves the defaults");
	is_int(0, conf_parse(&c, "lim.conf",
	    "max_sessions = 1\nmax_sessions = 65536\nmax_line = 64\n",
	    err, sizeof(err)), "values at the edges of their ranges");
	is_int(65536, c.max_sessions, "max_sessions 65536 is kept");
}

/* conf_parse of text must fail naming where ("bad.conf:<line>:") and what. */
static void
parse_fails(const char *text, const char *where, const char *what,
    const char *desc)
{
	struct chat_conf c;
	char err[512] = "";
	int rc;

	conf_defaults(&c);
	rc = conf_parse(&c, "bad.conf", text, err, sizeof(err));
	ok(rc == -1 && has(err, where) && has(err, what), "refused: %s", desc);
}

static void
test_errors(void)
{
	parse_fails("# c\n\nfrobnicate = 1\n", "bad.conf:3:", "frobnicate",
	    "an unknown key, with file:line and the key");
	parse_fails("max_line = 2048\nmax_lines = 2048\n", "bad.conf:2:",
	    "max_lines", "a misspelt key");
	parse_fails("max_line = abc\n", "bad.conf:1:", "max_line", "a non-number");
	parse_fails("max_line = 12x\n", "bad.conf:1:", "12x", "a number with junk");
	parse_fails("max_line = -5\n", "bad.conf:1:", "max_line", "a negative number");
	parse_fails("max_line = 63\n", "bad.conf:1:", "max_line",
	    "max_line below its minimum");
	parse_fails("\nmax_sessions = 65537\n", "bad.conf:2:", "max_sessions",
	    "max_sessions above its maximum");
	parse_fails("max_sessions = 0\n", "bad.conf:1:", "max_sessions",
	    "max_sessions 0");
	parse_fails("max_sessions = 99999999999999999999\n", "bad.conf:1:",
	    "max_sessions", "a number that overflows");
	parse_fails("shm_name = chat\n", "bad.conf:1:", "shm_name",
	    "shm_name without a leading '/'");
	parse_fails("shm_name = /\n", "bad.conf:1:", "shm_name", "shm_name of '/' alone");
	parse_fails("shm_name = /a/b\n", "bad.conf:1:", "shm_name",
	    "shm_name with a second '/'");
	parse_fails("runtime_dir = run/chat\n", "bad.conf:1:", "runtime_dir",
	    "a relative runtime_dir");
	parse_fails("log_level = loud\n", "bad.conf:1:", "log_level",
	    "an unknown log_level");
	parse_fails("a = 1\n\n\n\nmax_line =\n", "bad.conf:1:", "unknown",
	    "the first bad line is the one reported");
	parse_fails("log_level = info\n\n\n\nmax_line =\n", "bad.conf:5:",
	    "max_line", "a key with no value");
	parse_fails("max_line = # comment only\n", "bad.conf:1:", "max_line",
	    "a value that is only a comment");
	parse_fails("\nmax_line 2048\n", "bad.conf:2:", "=", "a line without '='");
	parse_fails("= 5\n", "bad.conf:1:", "''", "an empty key");
}

/* The dead-client keys: defaults, values, 0 to turn off, limits. */
static void
test_dead_clients(void)
{
	struct chat_conf c;
	char err[512] = "";
	int rc;

	conf_defaults(&c);
	ok(c.keepalive_idle == 60 && c.keepalive_interval == 10 &&
	    c.keepalive_count == 6, "default keepalive: 60 s idle, 10 s apart, 6 probes");
	is_int(120, c.tcp_user_timeout, "default tcp_user_timeout is 120 s");
	is_int(90, c.takeover_after, "default takeover_after is 90 s");
	rc = conf_parse(&c, "dead.conf", "keepalive_idle = 30\n"
	    "keepalive_interval = 5\nkeepalive_count = 127\n"
	    "tcp_user_timeout = 45\ntakeover_after = 1\n", err, sizeof(err));
	if (!is_int(0, rc, "the dead-client keys parse"))
		diag("error: %s", err);
	ok(c.keepalive_idle == 30 && c.keepalive_interval == 5 &&
	    c.keepalive_count == 127 && c.tcp_user_timeout == 45 &&
	    c.takeover_after == 1, "... with their values");
	rc = conf_parse(&c, "off.conf", "keepalive_idle = 0\n"
	    "tcp_user_timeout = 0\ntakeover_after = 0\n", err, sizeof(err));
	ok(rc == 0 && c.keepalive_idle == 0 && c.tcp_user_timeout == 0 &&
	    c.takeover_after == 0, "keepalive_idle, tcp_user_timeout and "
	    "takeover_after take 0 (off)");
	parse_fails("keepalive_idle = 32768\n", "bad.conf:1:", "keepalive_idle",
	    "keepalive_idle above Linux's 32767");
	parse_fails("keepalive_interval = 0\n", "bad.conf:1:", "keepalive_interval",
	    "keepalive_interval 0");
	parse_fails("keepalive_count = 128\n", "bad.conf:1:", "keepalive_count",
	    "keepalive_count above Linux's 127");
	parse_fails("keepalive_count = 0\n", "bad.conf:1:", "keepalive_count",
	    "keepalive_count 0");
	parse_fails("tcp_user_timeout = 86401\n", "bad.conf:1:", "tcp_user_timeout",
	    "tcp_user_timeout above a day");
	parse_fails("takeover_after = -1\n", "bad.conf:1:", "takeover_after",
	    "a negative takeover_after");
}

static void
test_files(void)
{
	struct chat_conf c;
	char err[8192] = "", missing[4200];
	int rc;

	write_tmp("max_sessions = 7\nlog_level = warn\n");
	conf_defaults(&c);
	rc = conf_load_file(&c, tmp_path, err, sizeof(err));
	if (!is_int(0, rc, "conf_load_file reads a file"))
		diag("error: %s", err);
	is_int(7, c.max_sessions, "conf_load_file: value from the file");
	is_string(tmp_path, c.source, "conf_load_file records the file it read");
	remove_tmp();

	write_tmp("max_sessions = 7\nbogus = 1\n");
	conf_defaults(&c);
	rc = conf_load_file(&c, tmp_path, err, sizeof(err));
	snprintf(missing, sizeof(missing), "%s:2:", tmp_path);
	ok(rc == -1 && has(err, missing) && has(err, "bogus"),
	    "conf_load_file: an error names the file's path and line");
	remove_tmp();

	snprintf(missing, sizeof(missing), "%s/chat-unit-no-such-%ld.conf",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ?
	    getenv("TMPDIR") : "/tmp", (long)getpid());
	conf_defaults(&c);
	rc = conf_load_file(&c, missing, err, sizeof(err));
	ok(rc == -1 && has(err, missing), "conf_load_file: a missing file is named");

	/* conf_load: $CHAT_CONF when no -c path is given. */
	write_tmp("max_line = 300\n");
	if (setenv("CHAT_CONF", tmp_path, 1) == -1)
		bail("setenv: %s", strerror(errno));
	memset(&c, 0, sizeof(c));
	rc = conf_load(&c, NULL, err, sizeof(err));
	if (!is_int(0, rc, "conf_load(NULL) reads $CHAT_CONF"))
		diag("error: %s", err);
	is_int(300, c.max_line, "conf_load(NULL): value from $CHAT_CONF");
	is_string("/chat", c.shm_name, "conf_load: keys not in the file keep defaults");
	is_string(tmp_path, c.source, "conf_load(NULL): source is $CHAT_CONF");
	remove_tmp();

	/* -c wins over $CHAT_CONF, which now names a missing file. */
	write_tmp("max_line = 400\n");
	if (setenv("CHAT_CONF", missing, 1) == -1)
		bail("setenv: %s", strerror(errno));
	rc = conf_load(&c, tmp_path, err, sizeof(err));
	ok(rc == 0 && c.max_line == 400, "conf_load: a given path wins over $CHAT_CONF");
	remove_tmp();

	rc = conf_load(&c, NULL, err, sizeof(err));
	ok(rc == -1 && has(err, missing),
	    "conf_load: $CHAT_CONF naming a missing file is an error naming it");
	unsetenv("CHAT_CONF");
}

/* Text of exactly len bytes: comment lines, then "max_sessions = 9\n". */
static char *
sized_text(size_t len)
{
	const char *tail = "max_sessions = 9\n";
	char *text;
	size_t i;

	if ((text = malloc(len + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i + strlen(tail) < len; i++)
		text[i] = i % 64 == 0 ? '#' : i % 64 == 63 ? '\n' : 'x';
	if (i > 0)
		text[i - 1] = '\n';
	memcpy(text + i, tail, len - i);
	text[len] = '\0';
	return text;
}

/* The whole file is read, however it compares with a first guess. */
static void
test_sizes(void)
{
	const size_t max = 1024 * 1024;
	struct chat_conf c;
	char err[8192] = "", fifo[4200];
	char *text;
	pid_t pid;
	int rc, status;

	text = sized_text(max - 1);
	write_tmp(text);
	conf_defaults(&c);
	rc = conf_load_file(&c, tmp_path, err, sizeof(err));
	ok(rc == 0 && c.max_sessions == 9,
	    "a file one byte under 1 MiB is read to its last line");
	remove_tmp();
	free(text);

	text = sized_text(max);
	write_tmp(text);
	rc = conf_load_file(&c, tmp_path, err, sizeof(err));
	ok(rc == -1 && has(err, tmp_path) && has(err, "too large"),
	    "a file of 1 MiB is refused as too large, naming it");
	remove_tmp();
	free(text);

	/* A FIFO has no size to start from: the buffer grows as it reads. */
	text = sized_text(100000);
	snprintf(fifo, sizeof(fifo), "%s/chat-unit-fifo-%ld",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ?
	    getenv("TMPDIR") : "/tmp", (long)getpid());
	if (mkfifo(fifo, 0600) == -1)
		bail("mkfifo %s: %s", fifo, strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(fifo, O_WRONLY);

		_exit(fd != -1 && write(fd, text, strlen(text)) ==
		    (ssize_t)strlen(text) ? 0 : 1);
	}
	conf_defaults(&c);
	rc = conf_load_file(&c, fifo, err, sizeof(err));
	waitpid(pid, &status, 0);
	unlink(fifo);
	ok(rc == 0 && c.max_sessions == 9,
	    "a 100000-byte FIFO is read whole (the buffer grows)");
	free(text);
}

/* The per-user and per-address limits: defaults, 0 (off), range. */
static void
test_limits(void)
{
	struct chat_conf c;
	char err[512] = "";

	conf_defaults(&c);
	is_int(8, c.max_groups_per_user, "default max_groups_per_user");
	is_int(16, c.max_pending_per_address, "default max_pending_per_address");
	ok(conf_parse(&c, "lim.conf", "max_groups_per_user = 0\n"
	    "max_pending_per_address = 0\n", err, sizeof(err)) == 0 &&
	    c.max_groups_per_user == 0 && c.max_pending_per_address == 0,
	    "max_groups_per_user and max_pending_per_address may be 0 (no limit)");
	ok(conf_parse(&c, "lim.conf", "max_groups_per_user = 65536\n"
	    "max_pending_per_address = 65536\n", err, sizeof(err)) == 0 &&
	    c.max_groups_per_user == 65536 && c.max_pending_per_address == 65536,
	    "... and 65536");
	parse_fails("max_groups_per_user = 65537\n", "bad.conf:1:",
	    "max_groups_per_user", "max_groups_per_user above its maximum");
	parse_fails("max_pending_per_address = -1\n", "bad.conf:1:",
	    "max_pending_per_address", "a negative max_pending_per_address");
}

/*
 * irc_lobby: the room's channel name for chat-irc, a name without '#';
 * irc_password: the server's password, printable ASCII without blanks.
 */
static void
test_irc(void)
{
	struct chat_conf c;
	char err[512] = "";

	conf_defaults(&c);
	is_string("lobby", c.irc_lobby, "default irc_lobby");
	ok(conf_parse(&c, "irc.conf", "irc_lobby = everyone\n", err,
	    sizeof(err)) == 0 && strcmp(c.irc_lobby, "everyone") == 0,
	    "irc_lobby = everyone");
	parse_fails("irc_lobby = #lobby\n", "bad.conf:1:", "irc_lobby",
	    "irc_lobby with its '#' (a comment: no value)");
	parse_fails("irc_lobby = a b\n", "bad.conf:1:", "irc_lobby",
	    "irc_lobby that is not a name");
	is_string("", c.irc_password, "no irc_password by default");
	ok(conf_parse(&c, "irc.conf", "irc_password = Gate-42!\n", err,
	    sizeof(err)) == 0 && strcmp(c.irc_password, "Gate-42!") == 0,
	    "irc_password = Gate-42!");
	parse_fails("irc_password = two words\n", "bad.conf:1:", "irc_password",
	    "irc_password with a blank");
	parse_fails("irc_password = "
	    "12345678901234567890123456789012345678901234567890123456789012345\n",
	    "bad.conf:1:", "irc_password", "irc_password past 64 bytes");
}

int
main(void)
{
	plan(6 + 12 + 19 + 12 + 11 + 3 + 6 + 8);
	if (atexit(remove_tmp) != 0)
		bail("atexit failed");
	test_defaults();
	test_valid();
	test_errors();
	test_dead_clients();
	test_files();
	test_sizes();
	test_limits();
	test_irc();
	return 0;
}

/*
 * commands.c -- what a client's lines mean.
 *
 * Owns the login dialogue (name prompt, checks, welcome), plain chat
 * lines, and the /command table from which /help is generated.  Every
 * line the server sends starts with a prefix that tells its kind (see
 * doc/protocol.md): "? " prompt, "* " notice, "! " error, "<name> " chat.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "msglog.h"
#include "registry.h"
#include "session.h"
#include "text.h"

void
reply(struct session *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (outq_append(&s->out, line, (size_t)n) == -1)
		session_close(s, DISC_SENDQ, "SendQ exceeded");
}

void
commands_prompt(struct session *s)
{
	reply(s, "? name:");
}

static void
cmd_quit(struct session *s, const char *args)
{
	char reason[SHM_REASON_MAX];

	if (*args != '\0')
		snprintf(reason, sizeof(reason), "quit: %s", args);
	else
		strlcpy(reason, "quit", sizeof(reason));
	reply(s, "* bye");
	session_close(s, DISC_QUIT, reason);
}

static void
cmd_users(struct session *s, const char *args)
{
	char list[4096];
	size_t used = 0;
	uint32_t count = 0;
	struct shm_slot *slot;

	(void)args;
	list[0] = '\0';
	for (uint32_t i = 0; i < s->shm.hdr->max_sessions; i++) {
		slot = shm_slot(&s->shm, i);
		if (atomic_load(&slot->s_state) != SLOT_ACTIVE)
			continue;
		count++;
		if (used + SHM_NAME_MAX + 2 >= sizeof(list)) {
			if (used + 4 < sizeof(list))
				used += (size_t)snprintf(list + used, sizeof(list) - used, " ...");
			continue;
		}
		used += (size_t)snprintf(list + used, sizeof(list) - used, " %.*s",
		    SHM_NAME_MAX, slot->s_name);
	}
	reply(s, "* users (%u):%s", count, list);
}

static void cmd_help(struct session *, const char *);

struct command {
	const char	*name;
	void		(*handler)(struct session *, const char *args);
	const char	*usage;
	const char	*help;
};

static const struct command commands[] = {
	{ "help", cmd_help, "/help", "list the commands" },
	{ "users", cmd_users, "/users", "list the users online" },
	{ "quit", cmd_quit, "/quit [reason]", "leave the chat" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
cmd_help(struct session *s, const char *args)
{
	(void)args;
	reply(s, "* commands (a line not starting with / goes to everyone; "
	    "start it with // to send a leading /):");
	for (size_t i = 0; i < NCOMMANDS; i++)
		reply(s, "* %-16s %s", commands[i].usage, commands[i].help);
}

static void
run_command(struct session *s, char *line)
{
	char *name = line + 1, *args;
	size_t namelen;

	namelen = strcspn(name, " \t");
	args = name + namelen;
	while (*args == ' ' || *args == '\t')
		args++;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strlen(commands[i].name) == namelen &&
		    strncmp(commands[i].name, name, namelen) == 0) {
			name[namelen] = '\0';
			commands[i].handler(s, args);
			return;
		}
	}
	reply(s, "! unknown-command: /%.*s is not a command; /help lists them",
	    (int)(namelen > 64 ? 64 : namelen), name);
}

static void
say(struct session *s, const char *text, size_t len)
{
	msglog_append(&s->shm, REC_CHAT, s->slot, s->generation, s->name, text, len);
	hublink_wake_others(s);
}

static void
welcome(struct session *s)
{
	uint32_t others = registry_active_count(&s->shm) - 1;

	reply(s, "* welcome, %s (%u other%s online; /help for commands)", s->name,
	    others, others == 1 ? "" : "s");
}

static void
login_line(struct session *s, const char *line, size_t len)
{
	uint64_t join_seq;

	if (!name_valid(line, len)) {
		reply(s, "! name-invalid: a name is 1-32 letters, digits, '_', '-' "
		    "or '.', starting with a letter");
		commands_prompt(s);
		return;
	}
	memcpy(s->name, line, len);
	s->name[len] = '\0';
	if (registry_take_name(&s->shm, s->slot, s->name, &join_seq) != NAME_OK) {
		reply(s, "! name-taken: %s is already in use; choose another", s->name);
		s->name[0] = '\0';
		commands_prompt(s);
		return;
	}
	s->state = SESSION_CHAT;
	s->cursor = join_seq + 1;
	log_info("%s: logged in as %s", s->peer, s->name);
	welcome(s);
	hublink_wake_others(s);
	deliver_drain(s);
}

void
commands_line(struct session *s, char *line, size_t len)
{
	enum text_fault fault;

	if (len == 0)
		return;
	if ((fault = text_check(line, len)) != TEXT_OK) {
		reply(s, "! %s: %s; not sent", fault == TEXT_BAD_UTF8 ? "bad-utf8" :
		    fault == TEXT_NUL ? "nul-byte" : "control-char",
		    text_fault_string(fault));
		if (s->state == SESSION_LOGIN)
			commands_prompt(s);
		return;
	}
	line[len] = '\0';	/* room: the framer's buffer holds max_line + 2 */
	atomic_store_explicit(&shm_slot(&s->shm, s->slot)->s_last_active,
	    (int64_t)time(NULL), memory_order_relaxed);
	if (s->state == SESSION_LOGIN) {
		login_line(s, line, len);
		return;
	}
	if (line[0] == '/' && line[1] != '/') {
		run_command(s, line);
		return;
	}
	if (line[0] == '/') {
		line++;
		len--;
	}
	say(s, line, len);
}

/*
 * chatctl.h -- chatctl's verbs, one function each.
 *
 * chatctl.c           option parsing, the verb table, kick
 * chatctl_show.c      users, groups, stats (text or --json)
 * chatctl_accounts.c  useradd, passwd, userdel, import
 * chatctl_edit.c      loading and saving the users and tokens files
 * chatctl_tokens.c    token add, list, revoke (bearer tokens)
 * chatctl_history.c   history, export (the archive, read-only)
 */
#ifndef CHAT_CHATCTL_H
#define CHAT_CHATCTL_H

#include <jansson.h>

#include "conf.h"
#include "users.h"

struct chatctl {
	struct chat_conf conf;
	int		json;		/* --json given */
	int		from_stdin;	/* --stdin given (passwords) */
};

/* chatctl_show.c */
int	verb_users(struct chatctl *ctl, int argc, char **argv);
int	verb_groups(struct chatctl *ctl, int argc, char **argv);
int	verb_stats(struct chatctl *ctl, int argc, char **argv);
int	verb_nodes(struct chatctl *ctl, int argc, char **argv);
/* Print value as indented JSON and drop it; 0, or EXIT_SYSTEM. */
int	print_json(json_t *value);

/* chatctl_accounts.c */
int	verb_useradd(struct chatctl *ctl, int argc, char **argv);
int	verb_passwd(struct chatctl *ctl, int argc, char **argv);
int	verb_userdel(struct chatctl *ctl, int argc, char **argv);
int	verb_import(struct chatctl *ctl, int argc, char **argv);

/*
 * chatctl_edit.c: users_load and users_save of the file at path (the
 * users file, the tokens file), telling their errors on stderr: 0, or
 * -1 (load) or EXIT_SYSTEM (save); chatctl_save also frees list and so
 * releases its lock.
 */
int	chatctl_load(const char *path, struct users_list *list, int mode);
int	chatctl_save(const char *path, struct users_list *list);

/* chatctl_tokens.c */
int	verb_token(struct chatctl *ctl, int argc, char **argv);
/* Revoke name's token if it has one (userdel): 0, or an exit status. */
int	token_forget(struct chatctl *ctl, const char *name);

/* chatctl_history.c */
int	verb_history(struct chatctl *ctl, int argc, char **argv);
int	verb_export(struct chatctl *ctl, int argc, char **argv);

#endif

/*
 * chatctl.h -- chatctl's verbs, one function each.
 *
 * chatctl.c           option parsing, the verb table, kick
 * chatctl_show.c      users, groups, stats (text or --json)
 * chatctl_accounts.c  useradd, passwd, userdel, import
 */
#ifndef CHAT_CHATCTL_H
#define CHAT_CHATCTL_H

#include "conf.h"

struct chatctl {
	struct chat_conf conf;
	int		json;		/* --json given */
	int		from_stdin;	/* --stdin given (passwords) */
};

/* chatctl_show.c */
int	verb_users(struct chatctl *ctl, int argc, char **argv);
int	verb_groups(struct chatctl *ctl, int argc, char **argv);
int	verb_stats(struct chatctl *ctl, int argc, char **argv);

/* chatctl_accounts.c */
int	verb_useradd(struct chatctl *ctl, int argc, char **argv);
int	verb_passwd(struct chatctl *ctl, int argc, char **argv);
int	verb_userdel(struct chatctl *ctl, int argc, char **argv);
int	verb_import(struct chatctl *ctl, int argc, char **argv);

#endif

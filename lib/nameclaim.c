/*
 * nameclaim.c -- asking chat-bridge for a name (nameclaim.h).
 */
#include <string.h>

#include "asksock.h"
#include "log.h"
#include "nameclaim.h"
#include "shm_layout.h"

#define CLAIM_LINE_MAX	256

/* Ask for a claim of name, a user's ("claim") or a group's ("group"). */
static enum name_claim
ask(const char *runtime_dir, const char *verb, const char *name, char *node,
    size_t nodelen)
{
	const char *request[] = { verb, name };
	enum name_claim result = NAME_CLAIM_UNAVAILABLE;
	struct asksock a;
	char *line, *f[2];

	node[0] = '\0';
	if (asksock_open(&a, runtime_dir, BRIDGE_SOCKET_NAME, CLAIM_LINE_MAX) == -1)
		return NAME_CLAIM_UNAVAILABLE;
	if (asksock_send(&a, request, 2) == 0 && asksock_line(&a, &line) == 0) {
		if (strcmp(line, "end") == 0)
			result = NAME_CLAIMED;
		else if (asksock_split(line, f, 2) == 2 && strcmp(f[0], "taken") == 0 &&
		    strlen(f[1]) <= SHM_NAME_MAX) {
			strlcpy(node, f[1], nodelen);
			result = NAME_CLAIM_TAKEN;
		} else
			log_warnx("claiming %s: the bridge answers: %s", name, line);
	}
	asksock_close(&a);
	return result;
}

enum name_claim
nameclaim(const char *runtime_dir, const char *name, char *node, size_t nodelen)
{
	return ask(runtime_dir, "claim", name, node, nodelen);
}

enum name_claim
nameclaim_group(const char *runtime_dir, const char *group, char *node,
    size_t nodelen)
{
	return ask(runtime_dir, "group", group, node, nodelen);
}

int
nameclaim_replace(const char *runtime_dir, const char *name, const char *node,
    const char *why)
{
	const char *request[] = { "replace", name, node, why };
	struct asksock a;
	char *line;
	int rc = -1;

	if (asksock_open(&a, runtime_dir, BRIDGE_SOCKET_NAME, CLAIM_LINE_MAX) == -1)
		return -1;
	if (asksock_send(&a, request, 4) == 0 && asksock_line(&a, &line) == 0)
		rc = strcmp(line, "end") == 0 ? 0 : -1;
	asksock_close(&a);
	return rc;
}

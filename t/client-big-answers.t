#!/usr/bin/env python3
# client-big-answers.t -- chat-client's full-screen mode asks /users and
# /groups at every login (for completion).  With more groups than
# max_sendq holds (issue 17, finding 9) the client must stay connected:
# it shows the server's "more groups not shown" notice and chats on.
# Driven under a private tmux server; skipped where tmux is missing.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_client as C  # noqa: E402

CREATORS = 6
PER_CREATOR = 8


def pad(prefix, ch):
    return prefix + ch * (32 - len(prefix))


def main():
    C.full_screen(run, max_sendq=4096, max_groups=64)


def run(svc, tm, tdir):
    creators = []
    for k in range(CREATORS):
        c = svc.client("c%d" % k)
        A.login(c, pad("c%d" % k, "x"))
        for j in range(PER_CREATOR):
            name = pad("g%dn%d" % (k, j), "z")
            c.send("/create_group " + name)
            c.expect("* created #%s; you own it" % name, skip=True)
        creators.append(c)
    T.ok(True, "%d groups with 32-byte names: /groups is over max_sendq (4096)"
         % (CREATORS * PER_CREATOR))

    tm.start([C.CLIENT, "tina"], C.client_env(svc, {"TERM": "screen"}))
    c0 = creators[0]
    c0.expect("* tina joined", "chat-client logs in as a guest", skip=True)
    T.ok(tm.wait_screen(r"\* \d+ more groups not shown; /groups PREFIX"),
         "the /groups it asks at login ends with the 'more groups not shown' notice")
    T.ok(tm.wait_screen(r"^ tina \| online", where=tm.status_row),
         "the status line says online")
    T.ok("SendQ exceeded" not in tm.screen() and "reconnect" not in tm.screen(),
         "the client was not disconnected")
    tm.type("hello from the client")
    tm.keys("Enter")
    c0.expect("<tina> hello from the client", "a line typed afterwards reaches the others")
    c0.send("hello tina")
    T.ok(tm.wait_screen(r"<%s> hello tina" % c0.name), "... and lines from the others show")
    c0.expect_nothing("tina did not leave and come back")


T.main(main)

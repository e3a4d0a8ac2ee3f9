#!/usr/bin/env python3
# full.t -- max_sessions: a connection past the limit is refused with one
# line; nobody else notices; a freed slot is usable at once.
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

FULL = T.rx(r"^! server-full: ")


def sessions_logging_in(svc):
    """The number of sessions at the name prompt, from chatctl stats
    ("sessions: N chatting, M logging in, ...")."""
    m = re.search(r"(\d+) logging in", svc.chatctl("stats").stdout)
    return int(m.group(1)) if m else None


def main():
    with T.Service(max_sessions=3) as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        b = svc.client("b")
        b.login("bob", others=1)
        a.expect("* bob joined")
        c = svc.client("c")     # at the prompt: it holds a slot too

        d = svc.client("d", prompt=False)
        d.expect(FULL, "a 4th connection with max_sessions = 3 gets server-full")
        d.expect_eof("... and is closed")
        e = svc.client("e", prompt=False)
        e.expect("! server-full: the server is full (3 connections); try again later",
                 "server-full says the limit")
        e.expect_eof()

        # The others are untouched.
        c.login("cat", others=2, desc="the client at the prompt still logs in")
        a.expect("* cat joined")
        b.expect("* cat joined")
        a.send("still here")
        b.expect("<amy> still here", "the others still chat")
        c.expect("<amy> still here")
        for x in (a, b, c):
            x.expect_nothing("%s saw nothing of the refused connections" % x.label)
        T.is_(svc.user_names(), ["amy", "bob", "cat"], "chatctl users: the three users")

        # One leaves: a new connection is accepted at once.
        b.send("/quit")
        b.expect("* bye")
        b.expect_eof()
        a.expect("* bob left (quit)")
        c.expect("* bob left (quit)")
        f = svc.client("f", prompt=False)
        f.expect("? name:", "after a quit a new connection gets the prompt at once")
        f.login("fay", others=2)
        a.expect("* fay joined")
        c.expect("* fay joined")

        g = svc.client("g", prompt=False)
        g.expect(FULL, "full again: server-full")
        g.expect_eof()

        # A user's session killed: the hub frees its slot.
        os.kill(svc.session_pid(f), signal.SIGKILL)
        a.expect("* fay left (connection lost)")
        c.expect("* fay left (connection lost)")
        h = svc.client("h", prompt=False)
        h.expect("? name:", "after a killed session's leave notice its slot is free")

        # A session killed at the prompt: its slot comes back too.
        os.kill(svc.session_pid(h), signal.SIGKILL)
        h.expect_eof("the killed session's client is disconnected")
        T.is_(T.wait_for(lambda: sessions_logging_in(svc) == 0), True,
              "the hub frees the slot of a session killed at the prompt")
        i = svc.client("i", prompt=False)
        i.expect("? name:", "... and a new connection gets the prompt")
        i.login("ivy", others=2)
        a.expect("* ivy joined")
        c.expect("* ivy joined")
        for x in (a, c, i):
            x.expect_nothing()


T.main(main)

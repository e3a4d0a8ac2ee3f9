#!/usr/bin/env python3
# full-house.t -- max_sessions (design invariant 9).  With every slot taken
# (by chatting users and by a client still at the name prompt), the next
# connection gets one "! server-full: ..." line and is closed; those
# already in notice nothing and go on; a slot freed (quit, kill -9, close
# at the prompt) is usable by the next connection at once.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

N = 3
FULL = "! server-full: the server is full (%d connections); try again later" % N


def refused(svc, label, what):
    """A connection now is refused with FULL, then EOF."""
    x = svc.client(label, prompt=False)
    x.expect(FULL, "%s: the next connection gets '%s'" % (what, FULL))
    x.expect_eof("%s: ... and is closed" % what)
    x.close()


def main():
    with T.Service(max_sessions=N) as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        b = svc.client("b")
        b.login("bob", others=1)
        a.expect("* bob joined")
        c = svc.client("c")             # at the prompt: it holds a slot too
        T.is_(F.slots_in_use(svc), (2, 1), "3 slots in use: 2 chatting, 1 at the prompt")
        # The prompt goes out before the hub has answered c's registration:
        # count the hub's fds once c holds the eventfd that answer carries.
        T.ok(T.wait_for(lambda: F.holds_eventfd(svc.session_pid(c))),
             "the session at the prompt is registered with the hub")
        hub_fds = F.fd_count(svc.hub.pid)

        refused(svc, "d", "full house")
        for i in range(20):
            x = svc.client("x%d" % i, prompt=False)
            line = x.read_line()
            end = x.read_line()
            x.close()
            if line != FULL or end is not T.EOF:
                T.diag("refusal %d: %r then %r" % (i, line, end))
                break
        else:
            i = 20
        T.is_(i, 20, "20 more connections in a row are each refused with one line "
              "and closed")
        st = F.stats(svc) or {}
        T.is_(st.get("refused_full"), 21, "chatctl stats counts 21 refused connections")
        T.is_(F.slots_in_use(svc), (2, 1), "the refusals took no slot")
        T.ok(T.wait_for(lambda: len(F.session_processes(svc)) == N),
             "no refused session is left running")
        T.wait_for(lambda: F.fd_count(svc.hub.pid) == hub_fds)
        T.is_(F.fd_count(svc.hub.pid), hub_fds,
              "the hub holds as many fds as before the refusals (%s)" % hub_fds)

        # Those in are untouched.
        for x in (a, b):
            x.expect_nothing("%s noticed nothing of the refusals" % x.label)
        c.login("cat", others=2, desc="the client waiting at the prompt logs in")
        for x in (a, b):
            x.expect("* cat joined")
        a.send("still fine")
        b.expect("<amy> still fine", "amy's lines reach bob")
        c.expect("<amy> still fine", "... and cat")

        # A slot freed by /quit is usable at once.
        b.send("/quit")
        b.expect("* bye")
        e = svc.client("e", prompt=False)
        T.is_(e.read_line(), "? name:",
              "after bob's '* bye', the next connection gets the name prompt")
        e.login("eve", others=2)
        b.expect_eof()
        for x in (a, c):
            x.expect_lines(["* bob left (quit)", "* eve joined"])
        refused(svc, "f", "full again")

        # A slot freed by kill -9 is usable as soon as the others are told.
        pid = svc.session_pid(c)
        F.kill(pid)
        for x in (a, e):
            x.expect("* cat left (connection lost)",
                     "%s sees cat's session die" % x.label)
        g = svc.client("g", prompt=False)
        T.is_(g.read_line(), "? name:",
              "the dead session's slot is taken by the next connection")
        g.login("cat", others=2, desc="... which may take the dead user's name")
        for x in (a, e):
            x.expect("* cat joined")
        refused(svc, "h", "full again")

        # A slot held at the prompt is freed when that client leaves.
        g.send("/quit")
        g.expect("* bye")
        g.expect_eof()
        for x in (a, e):
            x.expect("* cat left (quit)")
        p = svc.client("p")
        T.is_(F.slots_in_use(svc), (2, 1), "a client at the prompt holds the third slot")
        refused(svc, "q", "full with one at the prompt")
        p.close()
        got, took = F.wait_value(lambda: F.slots_in_use(svc), (2, 0))
        T.is_(got, (2, 0), "closing at the prompt frees the slot")
        r = svc.client("r", prompt=False)
        T.is_(r.read_line(), "? name:", "the next connection gets the name prompt")
        r.login("rex", others=2)
        for x in (a, e):
            x.expect("* rex joined")

        T.ok(svc.hub.poll() is None, "the hub is up")
        T.is_(F.user_names(svc), ["amy", "eve", "rex"], "chatctl users: amy, eve, rex")
        for x in (a, e, r):
            x.expect_nothing()


T.main(main)

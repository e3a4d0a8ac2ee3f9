#!/usr/bin/env python3
# hub-limits.t -- the hub out of file descriptors (each session costs it
# two: its control connection and its eventfd).  A session it cannot take
# is refused at once with a clear line, the hub neither spins nor stops,
# the users already in chat on, and a freed descriptor is used again.
# Run at two limits, so that both ways to run out are met: accept()
# failing (the hub gives up a reserve descriptor to refuse the peer) and
# the eventfd failing after the accept.  Then epoll refusing to watch a
# new peer (ENOMEM, or ENOSPC past fs.epoll.max_user_watches), made by
# the fault point hub-watch (--enable-fault-injection builds; skipped in
# others): the same, and the hub logs why.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

REFUSED = "! unavailable: the chat service refused this connection; try again later"


def answer(c):
    """The first line after the name prompt, which a session sends while
    the hub answers its registration (so a refused one may send it too)."""
    line = c.read_line()
    return c.read_line() if line == "? name:" else line


def fill(svc, limit):
    """Log in users until one is refused: (logged-in clients, refused client,
    the refused one's line)."""
    users = []
    for i in range(limit):
        c = svc.client("u%d" % i, prompt=False)
        c.send("user%d" % i)
        line = answer(c)
        if line is not None and line is not T.EOF and line.startswith("* welcome, "):
            users.append(c)
            for u in users[:-1]:
                u.expect("* user%d joined" % i)
            continue
        return users, c, line
    return users, None, None


def one_limit(limit):
    with T.Service(max_sessions=64, hub_nofile=limit) as svc:
        users, refused, line = fill(svc, limit)
        T.ok(len(users) >= 3, "limit %d: users log in up to the hub's limit (%d did)"
             % (limit, len(users)))
        T.is_(line, REFUSED, "limit %d: the next connection is refused with one line" % limit)
        if refused is not None:
            refused.expect_eof("limit %d: ... and closed" % limit)

        # Several at once while full: each refused at once, none left
        # hanging.  (The words may differ: a peer whose HELLO raced the
        # hub's close of its connection finds it reset, as if the hub
        # were away.)
        burst = [svc.client("b%d" % i, prompt=False) for i in range(4)]
        got = [answer(b) for b in burst]
        T.ok(all(isinstance(x, str) and x.startswith("! unavailable: ") for x in got),
             "limit %d: four connecting at once each get an unavailable line: %r"
             % (limit, got))

        users[0].send("still here")
        for u in users[1:]:
            u.expect("<user0> still here",
                     "limit %d: the users in chat go on talking" % limit)

        # A user leaves: its two descriptors serve the next login.  The
        # hub closes them when the session's process has ended, which
        # comes after its leave is seen (an ASan build checks for leaks
        # at exit first).
        leaving = svc.session_pid(users[-1])
        users[-1].send("/quit")
        users[-1].expect("* bye")
        for u in users[:-1]:
            u.expect("* user%d left (quit)" % (len(users) - 1))
        T.ok(F.wait_gone(leaving),
             "limit %d: the session that left has ended" % limit)
        late = svc.client("late")
        late.send("latecomer")
        T.like(late.read_line(), r"^\* welcome, latecomer ",
               "limit %d: after a user left, a new one logs in" % limit)

        T.ok(svc.hub.poll() is None, "limit %d: the hub is still running" % limit)
        with open(svc.hub_log, encoding="utf-8", errors="replace") as f:
            said = [x for x in f if "out of file descriptors" in x]
        T.ok(0 < len(said) <= 12,
             "limit %d: the hub says it is out of file descriptors, without "
             "flooding its log (%d lines)" % (limit, len(said)))


def unwatched_peer():
    """epoll_ctl fails for one new peer: it is refused, nobody else is
    touched, and the next one is taken."""
    if not F.fault_injection_built():
        T.skip("epoll failing for a new peer: built without "
               "--enable-fault-injection")
        return
    with T.Service(max_sessions=8, hub=False) as svc:
        faults = os.path.join(svc.dir, "hub-faults")
        os.mkdir(faults)
        svc.start_hub(env={"CHAT_FAULT_DIR": faults})
        a = svc.client("a")
        a.login("ann")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        open(os.path.join(faults, "fail-hub-watch"), "w").close()
        c = svc.client("c", prompt=False)
        c.send("cy")
        # The words depend on whether the session's HELLO was sent before
        # the hub closed the connection (see the burst above).
        line = answer(c)
        T.like(line, r"^! unavailable: ", "epoll cannot watch a new peer: its "
               "session is refused with one line: %r" % (line,))
        c.expect_eof("... and closed")
        T.ok(T.wait_for(lambda: re.search(r"chat-hubd\[\d+\]: .*control peer pid "
                                          r"\d+ refused: epoll_ctl add: ",
                                          F.log_text(svc))),
             "the hub logs why it refused the peer")
        T.ok(svc.hub.poll() is None, "the hub is still running")
        a.send("still here")
        b.expect("<ann> still here", "the users in chat go on talking")
        d = svc.client("d")
        d.login("dee", others=2, desc="the next session is taken")


def main():
    for limit in (30, 31):
        one_limit(limit)
    unwatched_peer()


T.main(main)

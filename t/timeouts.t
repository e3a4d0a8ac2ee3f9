#!/usr/bin/env python3
# timeouts.t -- login_timeout closes a connection that does not log in
# (at the name or the password prompt); idle_timeout closes a logged-in
# client that sends nothing, is reset by what it sends, and is off by
# default.  No timing is asserted: only what each client sees, in order.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

LONG = 20       # deadline for a timeout of 1-2 s to fire, on a busy machine


def login_timeouts():
    with A.Service(users={"alice": "password123"}, login_timeout=1) as svc:
        w = svc.client("w")
        A.login(w, "wes", others=0)
        s = svc.client("s")     # says nothing
        s.expect("! login-timeout: no login within 1 seconds; closing",
                 "login_timeout = 1: a silent client gets login-timeout", timeout=LONG)
        s.expect_eof("... and is disconnected")
        p = svc.client("p")     # gives a name, never the password
        p.send("alice")
        p.expect(A.PASSWORD)
        p.expect("! login-timeout: no login within 1 seconds; closing",
                 "a client at the password prompt gets login-timeout too", timeout=LONG)
        p.expect_eof()
        n = svc.client("n")     # sends invalid names: still not logged in
        n.send("1bad")
        n.expect(T.rx(r"^! name-invalid: "))
        n.expect(A.PROMPT)
        n.expect("! login-timeout: no login within 1 seconds; closing",
                 "refused names do not extend the login deadline forever", timeout=LONG)
        n.expect_eof()
        # The logged-in user was idle through all of it: idle_timeout is
        # off by default, and none of the login timeouts was announced.
        w.expect_nothing("the logged-in user saw nothing of the login timeouts "
                         "and was not closed (idle_timeout is off by default)")
        T.ok(w.is_open(), "the idle logged-in user is still connected")
        q = svc.client("q")
        A.login(q, "quinn", others=1)
        w.expect("* quinn joined", "... and still gets lines")
        q.send("hi wes")
        w.expect("<quinn> hi wes")
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("timeout"), 3, "chatctl stats: 3 timeouts")
        T.is_(st.get("disconnects", {}).get("closed_during_login"), 0,
              "... not counted as closed during login")


def idle_timeouts():
    with A.Service(idle_timeout=2, login_timeout=1) as svc:
        i = svc.client("i")
        A.login(i, "idler", others=0)
        k = svc.client("k")
        A.login(k, "keeper", others=1)
        i.expect("* keeper joined")
        # keeper keeps talking (commands count too) until idler is closed.
        lines = []
        deadline = time.monotonic() + LONG
        n = 0
        while time.monotonic() < deadline:
            k.send("/users" if n % 2 else "still here %d" % n)
            n += 1
            line = i.read_line(0.2)
            if line is None:
                continue
            lines.append(line)
            if line is T.EOF or line.startswith("! "):
                break
        T.ok(lines and lines[-1] == "! idle-timeout: nothing sent for 2 seconds; closing",
             "idle_timeout = 2: the idle user gets idle-timeout")
        T.ok(all(l is T.EOF or l.startswith("<keeper> still here") or l.startswith("! ")
                 for l in lines), "... after only keeper's lines")
        i.expect_eof("... and is disconnected")
        k.expect_lines([T.rx(r"^\* idler left \(idle timeout\)$")],
                       "the others see 'idler left (idle timeout)'", skip=True, timeout=LONG)
        T.ok(k.is_open(), "the user who kept sending is still connected")
        k.send("/users")
        k.expect_lines([T.rx(r"^\* users \(1\): keeper$")],
                       "keeper's connection still works", skip=True)
        # Now keeper goes quiet: it is closed too.
        k.expect("! idle-timeout: nothing sent for 2 seconds; closing",
                 "once keeper stops sending, it gets idle-timeout", timeout=LONG, skip=True)
        k.expect_eof()
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("timeout"), 2, "chatctl stats: 2 timeouts")
        T.is_(st.get("sessions"), 0, "nobody is left")


def main():
    login_timeouts()
    idle_timeouts()


T.main(main)

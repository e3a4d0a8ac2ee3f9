#!/usr/bin/env python3
# dead-clients.t -- a client that vanishes without a FIN must not keep a
# registered name for hours.  The session sets TCP keepalive and
# TCP_USER_TIMEOUT from chat.conf (read back from the session's own
# socket, and seen in ss's timer column); a client vanished without FIN
# or RST is noticed by keepalive; a non-TCP client fd (inetd over a UNIX
# socket) is fine; and under duplicate_login = refuse a registered user
# who gives the password takes over a session silent for more than
# takeover_after seconds (not sooner, and not with a wrong password).
import ctypes
import errno
import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

PROMPT, PASSWORD = A.PROMPT, A.PASSWORD
USERS = {"alice": "password123", "bob": "qwerty456"}
GRACE = 3       # takeover_after in the takeover test, seconds
LONG = 20       # deadline for what takes a few seconds on a busy machine
ALREADY = "! already-online: alice is already logged in elsewhere"
TCP_REPAIR = 19                 # linux/tcp.h
SYS_PIDFD_GETFD = 438           # the same number on every Linux architecture


def session_socket(svc, client):
    """A duplicate of the session's end of client's connection (fd 3 of
    the session), by pidfd_getfd(2); None if this system does not allow
    it."""
    pid = svc.session_pid(client)
    if pid is None or not hasattr(os, "pidfd_open"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, 3, 0)
    finally:
        os.close(pidfd)
    if fd < 0:
        T.diag("pidfd_getfd: %s" % os.strerror(ctypes.get_errno()))
        return None
    return socket.socket(fileno=fd)


def tcp_options(svc, client):
    """[SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
    TCP_USER_TIMEOUT (ms)] of the session's socket, or None."""
    sock = session_socket(svc, client)
    if sock is None:
        return None
    try:
        return [sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
                sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT)]
    finally:
        sock.close()


def check_options(svc, client, want, desc):
    got = tcp_options(svc, client)
    if got is None:
        T.skip("pidfd_getfd(2) not allowed here: %s" % desc)
    else:
        T.is_(got, want, desc)


def keepalive_timer(svc, client):
    """The server side's timer column in ss -tnoi, e.g. 'keepalive,39sec,0'."""
    r = subprocess.run(["ss", "-tnoH", "state", "established",
                        "( sport = :%d and dport = :%d )" % (svc.port, client.local_port)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=10)
    m = re.search(r"timer:\(([^)]*)\)", r.stdout)
    return m.group(1) if m else r.stdout.strip()


def options():
    """The configured values, the defaults, and 0 to turn them off."""
    with A.Service(keepalive_idle=40, keepalive_interval=7, keepalive_count=3,
                   tcp_user_timeout=50) as svc:
        c = svc.client("c")
        A.login(c, "cat", others=0)
        check_options(svc, c, [1, 40, 7, 3, 50000],
                      "the session's socket has SO_KEEPALIVE, keepalive 40/7/3 and "
                      "TCP_USER_TIMEOUT 50 s, as configured")
        if shutil.which("ss") is None:
            T.skip("no ss here")
        else:
            # Right after output the retransmission timer shows ("on"):
            # the keepalive timer follows once the data is acknowledged.
            T.wait_for(lambda: keepalive_timer(svc, c).startswith("keepalive"))
            timer = keepalive_timer(svc, c)
            m = re.match(r"^keepalive,(\d+)sec,0$", timer)
            T.ok(m and 0 < int(m.group(1)) <= 40,
                 "ss shows the server side's keepalive timer at 40 s or less (%s), "
                 "not the kernel's 2 hours" % timer)
    with A.Service() as svc:
        d = svc.client("d")
        A.login(d, "dora", others=0)
        check_options(svc, d, [1, 60, 10, 6, 120000],
                      "by default: keepalive after 60 s, every 10 s, 6 probes; "
                      "TCP_USER_TIMEOUT 120 s")
    with A.Service(keepalive_idle=0, tcp_user_timeout=0) as svc:
        e = svc.client("e")
        A.login(e, "eve", others=0)
        got = tcp_options(svc, e)
        if got is None:
            T.skip("pidfd_getfd(2) not allowed here")
        else:
            T.is_([got[0], got[4]], [0, 0],
                  "keepalive_idle = 0 and tcp_user_timeout = 0: no keepalive, no user timeout")
        log = svc.activator_log()
        T.ok("setsockopt" not in log, "no setsockopt warning is logged")


def vanish():
    """A client gone without a FIN or RST is noticed by keepalive."""
    with A.Service(users=USERS, keepalive_idle=1, keepalive_interval=1,
                   keepalive_count=2) as svc:
        o = svc.client("o")
        A.login(o, "obs", others=0)
        v = svc.client("v")
        A.login(v, "alice", "password123", others=1)
        o.expect("* alice joined")
        try:
            # In repair mode close() sends nothing: the connection just
            # vanishes, as after a suspend.  The session's first probe
            # then meets a port with no socket.
            v.sock.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOPROTOOPT, errno.EINVAL):
                raise
            T.skip("TCP_REPAIR needs CAP_NET_ADMIN", 3)
            return
        v.sock.close()
        v.closed = True
        o.expect(T.rx(r"^\* alice left \((connection reset by peer|connection timed out)\)$"),
                 "keepalive_idle = 1: the vanished client's session ends within seconds",
                 timeout=LONG)
        a = svc.client("a")
        A.login(a, "alice", "password123", others=1,
                desc="alice logs in again: the name is free")
        o.expect("* alice joined")


def idle(svc, name):
    """Seconds since chatctl users last heard from name's client, or None."""
    users = svc.json("users") or []
    for u in users:
        if u.get("name") == name:
            return u.get("idle_seconds")
    return None


def wait_silent(svc, name, seconds):
    """Until name's client has been silent for more than seconds."""
    return T.wait_for(lambda: (idle(svc, name) or 0) > seconds, timeout=seconds + LONG,
                      step=0.2)


def try_login(c, password):
    c.send("alice")
    c.expect(PASSWORD)
    c.send(password)


def takeover():
    with A.Service(users=USERS, takeover_after=GRACE) as svc:
        o = svc.client("o")
        A.login(o, "obs", others=0)
        b = svc.client("b")
        A.login(b, "bob", "qwerty456", others=1)
        o.expect("* bob joined")
        a1 = svc.client("a1")
        A.login(a1, "alice", "password123", others=2)
        for x in (o, b):
            x.expect("* alice joined")
        a1.send("/create_group club")
        a1.expect("* created #club; you own it")
        b.send("/join_group club")
        b.expect("* joined #club (2 members)")
        a1.expect("* bob joined #club")

        # Within the grace: refused, as refuse always did.
        a2 = svc.client("a2")
        try_login(a2, "password123")
        a2.expect_lines([ALREADY, PROMPT],
                        "takeover_after = %d: a login within the grace gets already-online"
                        % GRACE)
        # Silent past the grace, then an empty line: heard from.
        T.ok(wait_silent(svc, "alice", GRACE), "alice's client is silent past the grace")
        a1.send("")
        T.ok(T.wait_for(lambda: (idle(svc, "alice") or 99) <= 1),
             "an empty line counts as hearing from the client (chatctl users: idle)")
        try_login(a2, "password123")
        a2.expect_lines([ALREADY, PROMPT],
                        "a client heard from within the grace is not taken over")
        a1.expect_nothing("the session online is not disturbed")

        # Silent past the grace: a wrong password takes nothing over.
        T.ok(wait_silent(svc, "alice", GRACE), "alice's client is silent past the grace again")
        try_login(a2, "wrong")
        a2.expect_lines(["! bad-password: wrong password for alice", PASSWORD],
                        "a wrong password after the grace: bad-password", timeout=LONG)
        a1.expect_nothing("a wrong password takes nothing over")
        _, rows = svc.users_table()
        T.is_(rows.get("alice", {}).get("peer"), a1.peer, "... alice is still the old connection")

        # The right one does.
        a2.send("password123")
        a2.expect(A.welcome("alice", 2),
                  "after the grace the right password takes over under refuse")
        a2.name = "alice"
        why = r"replaced by a new login from %s after \d+ s of silence" % re.escape(a2.peer)
        line = a1.expect(T.rx(r"^! closed: %s$" % why),
                         "the old connection gets a closing line saying why")
        a1.expect_eof("... and is closed")
        if line is not None:
            T.ok(int(re.search(r"after (\d+) s", line).group(1)) > GRACE,
                 "... naming a silence longer than the grace (%s)" % line)
        # alice is registered: she keeps #club while away (a kept group).
        b.expect_lines([T.rx(r"^\* alice left #club \(%s\)$" % why),
                        T.rx(r"^\* alice left \(%s\)$" % why), "* alice joined"],
                       "bob sees the old session leave (group, then all) and the new one "
                       "join, as for replace")
        o.expect_lines([T.rx(r"^\* alice left \(%s\)$" % why), "* alice joined"],
                       "obs sees the old session leave and the new one join")
        _, rows = svc.users_table()
        T.is_(sorted(rows), ["alice", "bob", "obs"], "chatctl users: one alice")
        T.is_(rows.get("alice", {}).get("peer"), a2.peer, "... the new connection")
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("kicked"), 1,
              "chatctl stats counts the old session as kicked")
        a2.send("hello again")
        o.expect("<alice> hello again", "the new session chats")
        log = svc.activator_log()
        T.like(log, r"%s: alice took over a login silent for \d+ s" % re.escape(a2.peer),
               "the takeover is logged")

        # takeover_after applies to registered users only: guests get name-taken.
        g = svc.client("g")
        g.send("obs")
        g.expect_lines(["! name-taken: obs is already in use; choose another", PROMPT],
                       "a guest's name is never taken over")


def unix_socket():
    """chat-session on a UNIX socket (inetd-style, fd 0 and 1): the TCP
    options do not apply and are not an error."""
    with A.Service() as svc:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, CHAT_CONF=svc.conf_path)
        errpath = os.path.join(svc.dir, "unix-session.log")
        with open(errpath, "wb") as err:
            p = subprocess.Popen([T.SESSION], stdin=theirs, stdout=theirs, stderr=err,
                                 env=env, start_new_session=True)
        theirs.close()
        try:
            ours.settimeout(T.TIMEOUT)
            f = ours.makefile("rwb", buffering=0)
            T.is_(f.readline(), b"? name:\n", "on a UNIX socket the session gives the prompt")
            f.write(b"unixy\n")
            T.like(f.readline().decode(), r"^\* welcome, unixy ",
                   "... and logs in")
            ours.shutdown(socket.SHUT_WR)
            p.wait(timeout=LONG)
        finally:
            ours.close()
            if p.poll() is None:
                p.kill()
                p.wait()
        with open(errpath, errors="replace") as f:
            log = f.read()
        T.ok("setsockopt" not in log and "warn" not in log,
             "nothing is logged about socket options (%r)" % log[-300:])


def main():
    options()
    unix_socket()
    vanish()
    takeover()


T.main(main)

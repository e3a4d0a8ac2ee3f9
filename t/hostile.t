#!/usr/bin/env python3
# hostile.t -- hostile and broken input, and the connections that carry it.
#
# A 1 MiB line with no newline; an unterminated last line then EOF (full
# close and half-close); NUL bytes; invalid UTF-8; telnet IAC sequences
# (in chat and at the name prompt); binary garbage; a client that says
# nothing (login_timeout); an idle client (idle_timeout) and TCP
# keepalive; 2,000 connect/disconnect cycles in a row.  (Telnet commands
# are taken out of the text; the answers to negotiation are t/telnet.t's.)  Through all of it
# the hub stays up and nobody else is disturbed, and afterwards there are
# no leaked slots, hub fds, session processes or shared-memory growth.
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

CYCLES = int(os.environ.get("CHAT_TEST_CYCLES", "2000"))
MIB = 1024 * 1024
TOO_LONG = "! line-too-long: lines are limited to 1024 bytes; the rest of that " \
    "line was discarded"
BAD_UTF8 = "! bad-utf8: line is not valid UTF-8; not sent"
NUL = "! nul-byte: line contains a NUL byte; not sent"
CONTROL = "! control-char: line contains a control character (only tab is " \
    "allowed); not sent"
USERS = T.rx(r"^\* users \(\d+\): ")


def sync(a, b, n, what, reply=None, relayed=None):
    """a sends "mark N" and /users; a must get [reply] then the /users
    answer, b must get [relayed] then "<amy> mark N": nothing else."""
    a.send("mark %d" % n)
    a.send("/users")
    a.expect_lines(([reply] if reply else []) + [USERS],
                   "%s: amy gets %s" % (what, "'%s'" % reply.split(":")[0]
                                         if reply else "no error"))
    b.expect_lines(([relayed] if relayed else []) + ["<amy> mark %d" % n],
                   "%s: bob gets %s" % (what, "'%s'" % relayed if relayed
                                         else "nothing of it"))


def bad_lines(svc, a, b):
    n = 0
    # 1 MiB without a newline, then a normal line.
    a.send_raw(b"x" * MIB)
    a.send_raw(b"\n")
    a.send("normal after 1 MiB")
    n += 1
    sync(a, b, n, "1 MiB with no newline in it, then a normal line", reply=TOO_LONG,
         relayed="<amy> normal after 1 MiB")
    # Twice that, split in odd pieces, no newline until the end.
    for i in range(7):
        a.send_raw(b"y" * (MIB // 3 - i))
    a.send_raw(b"\r\n")
    n += 1
    sync(a, b, n, "2.3 MiB in 7 pieces, then CRLF", reply=TOO_LONG)

    cases = [
        (b"nul\x00in the middle", NUL, "a NUL byte"),
        (b"\x00", NUL, "a line that is one NUL byte"),
        (b"\x00" * 1000, NUL, "a line of 1000 NUL bytes"),
        (b"caf\xe9 (latin-1)", BAD_UTF8, "latin-1 bytes (invalid UTF-8)"),
        (b"\xc0\xaf overlong", BAD_UTF8, "an overlong UTF-8 form"),
        (b"\xed\xa0\x80 surrogate", BAD_UTF8, "a UTF-16 surrogate in UTF-8"),
        (b"\xf4\x90\x80\x80 too big", BAD_UTF8, "a code point above U+10FFFF"),
        (b"cut at the end \xe2\x82", BAD_UTF8, "a sequence cut at the end of the line"),
        (b"\x80\x80\x80", BAD_UTF8, "lone continuation bytes"),
        (b"\xff\xff", BAD_UTF8, "telnet IAC IAC (a 0xff byte)"),
        (b"\xff\xf4\xff\xf1", None, "telnet IAC IP and IAC NOP: taken out, an empty line"),
        (b"\xff\xfa\x18\x00xterm\xff\xf0", None, "a telnet subnegotiation: taken out"),
        (b"\x1b[2J\x1b[H clear screen", CONTROL, "ANSI escapes"),
        (b"bell\x07", CONTROL, "a bell"),
    ]
    for data, error, what in cases:
        a.send(data)
        n += 1
        sync(a, b, n, what, reply=error)
    # Empty lines, lone CRs: ignored, no answer.
    a.send_raw(b"\n\r\n\n")
    n += 1
    sync(a, b, n, "empty lines and a lone CR LF")


def telnet_login(svc, a, b):
    t = svc.client("t")
    # Telnet commands at the prompt are taken out (t/telnet.t: the answers
    # to negotiation); a 0xff byte in a name is bad UTF-8.
    t.send_raw(b"\xff\xfft\r\n")
    t.expect_lines([BAD_UTF8, "? name:"], "IAC IAC (a 0xff byte) in the name: "
                   "bad-utf8, then the prompt again")
    t.send(b"t\x00l")
    t.expect_lines([NUL, "? name:"], "a NUL in the name: nul-byte, then the prompt")
    t.send_raw(b"\xff\xf1\xff\xfa\x18\x00xterm\xff\xf0")
    t.login("tel", others=2, desc="telnet NOP and a subnegotiation before the name "
            "are taken out; the telnet client then logs in")
    for x in (a, b):
        x.expect("* tel joined")
    t.send("/quit")
    t.expect("* bye")
    t.expect_eof()
    for x in (a, b):
        x.expect("* tel left (quit)")


def endings(svc, a, b):
    # An unterminated last line, then a full close.
    g = svc.client("g")
    g.login("gus", others=2)
    for x in (a, b):
        x.expect("* gus joined")
    g.send_raw(b"last words, no newline")
    g.close()
    for x in (a, b):
        x.expect_lines(["<gus> last words, no newline", "* gus left (connection closed)"],
                       "%s gets gus's unterminated last line, then the leave "
                       "(close)" % x.label)
    # A line, then a half-close: the line is delivered, the session leaves,
    # the client sees EOF.
    h = svc.client("h")
    h.login("hal", others=2)
    for x in (a, b):
        x.expect("* hal joined")
    h.send("said before the half-close")
    h.shutdown_write()
    for x in (a, b):
        x.expect_lines(["<hal> said before the half-close",
                        "* hal left (connection closed)"],
                       "%s gets hal's line, then the leave (half-close)" % x.label)
    h.expect_eof("hal's half-closed connection is closed by the server")
    # An unterminated name at the prompt, then a half-close: it is a
    # name like any other (the login happens), then the session ends.
    k = svc.client("k")
    k.send_raw(b"kim")
    k.shutdown_write()
    k.expect(T.rx(r"^\* welcome, kim "), "a name without newline then a half-close: "
             "the name is used")
    k.expect_eof("... and the session ends")
    for x in (a, b):
        x.expect_lines(["* kim joined", "* kim left (connection closed)"])
    # 1 MiB with no newline, then EOF: nothing is relayed.
    m = svc.client("m")
    m.login("mal", others=2)
    for x in (a, b):
        x.expect("* mal joined")
    m.send_raw(b"z" * MIB)
    m.shutdown_write()
    for x in (a, b):
        x.expect("* mal left (connection closed)",
                 "%s: 1 MiB without newline then EOF: only the leave" % x.label)
    m.expect(TOO_LONG, "mal is told its line was too long")
    m.expect_eof()
    # Binary garbage at the prompt, then a close: control and high bytes
    # with newlines, so no line can be a name.
    rnd = random.Random(5)
    alphabet = bytes(range(0, 10)) + bytes(range(11, 32)) + bytes(range(128, 256)) + \
        b"\n" * 4
    junk = bytes(rnd.choice(alphabet) for _ in range(256 * 1024))
    j = svc.client("j")
    try:
        j.send_raw(junk)
        j.shutdown_write()
    except OSError:
        pass
    deadline = time.monotonic() + T.TIMEOUT
    while not j.eof and j._fill(deadline):
        pass
    # The garbage holds telnet negotiation: its answers (IAC DONT/WONT/WILL
    # and an option byte) come between the lines.
    raw = re.sub(rb"\xff[\xfb-\xfe].", b"", j.buf, flags=re.S)
    replies = raw.decode("utf-8", "surrogateescape").split("\n")
    T.ok(j.eof and replies[-1] == "", "256 KiB of binary garbage at the prompt: the "
         "session answers (%d lines) and ends at EOF" % (len(replies) - 1))
    replies = replies[:-1]
    odd = [l for l in replies if not re.match(r"^(\? name:|! [a-z0-9-]+: )", l)]
    T.is_(odd[:3], [], "every answer to the garbage is a prompt or an error line")
    for x in (a, b):
        x.expect_nothing("%s saw nothing of the garbage" % x.label)


def cycles(svc, a, b):
    start = time.monotonic()
    names = []
    bad = []
    for i in range(CYCLES):
        c = T.Client(svc.port, label="cycle")
        try:
            if i % 10 == 0:         # log in, then close
                name = "cyc%d" % i
                if c.read_line() != "? name:":
                    bad.append((i, "no prompt"))
                c.send(name)
                line = c.read_line()
                if line is None or line is T.EOF or \
                        not line.startswith("* welcome, %s " % name):
                    bad.append((i, line))
                else:
                    names.append(name)
            elif i % 2 == 0:        # read the prompt, then close
                if c.read_line() != "? name:":
                    bad.append((i, "no prompt"))
            # else: close at once, before the prompt is read
        finally:
            c.close()
    took = time.monotonic() - start
    T.diag("%d connect/disconnect cycles in %.1fs (%.0f/s), %d with a login" % (
        CYCLES, took, CYCLES / took, len(names)))
    T.is_(bad, [], "%d connect/disconnect cycles in a row: every one got its prompt "
          "(and its welcome, 1 in 10)" % CYCLES)
    for x in (a, b):
        got = []
        while True:
            line = x.read_line(T.QUIET if got else T.TIMEOUT)
            if line is None or line is T.EOF:
                break
            got.append(line)
        want = set()
        for name in names:
            want |= {"* %s joined" % name, "* %s left (connection closed)" % name}
        order = all(got.index("* %s joined" % n) < got.index("* %s left (connection "
                                                            "closed)" % n)
                    for n in names if "* %s joined" % n in got and
                    "* %s left (connection closed)" % n in got)
        T.ok(len(got) == len(want) and set(got) == want and order,
             "%s saw each of the %d logins join, then leave, and nothing else" % (
                 x.label, len(names)))
        if not (len(got) == len(want) and set(got) == want):
            T.diag("%s: %d lines; missing %s; extra %s" % (
                x.label, len(got), sorted(want - set(got))[:5],
                [l for l in got if l not in want][:5]))


def no_leaks(svc, before, a, b, what):
    want = dict(before)
    got = {}

    def settled():
        got.clear()
        got.update(F.resources(svc))
        return got == want
    T.wait_for(settled, 10, 0.1)
    for key in sorted(want):
        T.is_(got.get(key), want[key], "%s: %s as before (%s)" % (what, key, want[key]))
    T.is_(sorted(svc.session_pids()), sorted([svc.session_pid(a), svc.session_pid(b)]),
          "%s: the only sessions left are amy's and bob's" % what)
    a.send("still chatting")
    b.expect("<amy> still chatting", "%s: amy and bob still chat" % what)


def timeouts():
    with T.Service(login_timeout=1) as svc:
        o = svc.client("o")
        o.login("obs", others=0)
        # Says nothing at all.
        s = svc.client("s")
        t0 = time.monotonic()
        s.expect("! login-timeout: no login within 1 seconds; closing",
                 "a client that says nothing gets '! login-timeout' ...", timeout=5)
        s.expect_eof("... and is closed")
        T.diag("login timeout after %.2fs" % (time.monotonic() - t0))
        # Sends half a name and stalls (slowloris).
        p = svc.client("p")
        p.send_raw(b"slowlor")
        p.expect(T.rx(r"^! login-timeout: "), "half a name, then nothing: login-timeout",
                 timeout=5)
        p.expect_eof()
        o.expect_nothing("a logged-in user saw nothing of it and is not timed out")
        T.ok(o.is_open(), "... and is still connected")
        st = F.stats(svc) or {}
        T.is_(st.get("disconnects", {}).get("timeout"), 2,
              "chatctl stats counts 2 timeout disconnects")
        T.is_(F.slots_in_use(svc), (1, 0), "their slots are free")

    with T.Service(idle_timeout=2) as svc:
        o = svc.client("o")
        o.login("obs", others=0)
        i = svc.client("i")
        i.login("idl", others=1)
        o.expect("* idl joined")
        # obs keeps talking; idl says nothing.
        t0 = time.monotonic()
        left = None
        while time.monotonic() - t0 < 6 and left is None:
            o.send("/users")
            line = o.read_line(0.5)
            while line is not None and line is not T.EOF:
                if line.startswith("* idl left"):
                    left = line
                line = o.read_line(0.05)
            time.sleep(0.2)
        T.is_(left, "* idl left (idle timeout)", "an idle user is dropped; the others "
              "see '* idl left (idle timeout)'")
        i.expect("! idle-timeout: nothing sent for 2 seconds; closing",
                 "the idle user is told '! idle-timeout'")
        i.expect_eof()
        T.ok(o.is_open() and time.monotonic() - t0 > 2,
             "a user who keeps sending stays connected past idle_timeout")
        st = F.stats(svc) or {}
        T.is_(st.get("disconnects", {}).get("timeout"), 1,
              "chatctl stats counts 1 timeout disconnect")
        # TCP keepalive on the session's socket: /proc/net/tcp shows the
        # keepalive timer (tr 2) on the server end of obs's connection.
        timer = T.wait_for(lambda: tcp_timer(svc.port, o.local_port) == "02", 2)
        T.ok(timer, "the session's socket has TCP keepalive on (keepalive timer "
             "running)")
        T.is_(tcp_timer(o.local_port, svc.port), "00",
              "(the test client's end has no timer: the check tells them apart)")


def tcp_timer(local_port, remote_port):
    """The timer kind (tr) of 127.0.0.1:local -> 127.0.0.1:remote."""
    local = "0100007F:%04X" % local_port
    remote = "0100007F:%04X" % remote_port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1] == local and fields[2] == remote and fields[3] == "01":
                return fields[5].split(":")[0]
    return None


def main():
    with T.Service(rate_msgs=1000, rate_burst=1000) as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        b = svc.client("b")
        b.login("bob", others=1)
        a.expect("* bob joined")
        before = F.resources(svc)
        T.diag("before: %s" % before)
        hub_pid = svc.hub.pid

        bad_lines(svc, a, b)
        telnet_login(svc, a, b)
        endings(svc, a, b)
        no_leaks(svc, before, a, b, "after the hostile input")
        cycles(svc, a, b)
        no_leaks(svc, before, a, b, "after %d cycles" % CYCLES)
        T.ok(svc.hub.pid == hub_pid and svc.hub.poll() is None,
             "the same hub ran throughout")
    timeouts()


T.main(main)

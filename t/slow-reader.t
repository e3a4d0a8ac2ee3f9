#!/usr/bin/env python3
# slow-reader.t -- a client that stops reading (design invariant 8).
#
# With max_sendq = 65536, a client that logs in and then never reads is
# disconnected once its backlog passes the bound; the others see it leave
# with "SendQ exceeded", the reason is logged, and while it stalls the
# other clients receive every line, in order.  Two neighbours of that
# rule: a client that reads promptly is not dropped for a burst bigger
# than max_sendq, and a client that is merely quiet (nothing addressed to
# it while the log ring turns over) is not treated as slow.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

SENDQ = 65536
PAD = "x" * 900
LINE_BYTES = len("<sender> n 00000 ") + len(PAD) + 1
BATCH = 20                  # 18 KB a batch: well under SENDQ
MAX_LINES = 20000           # 18 MB: far past any kernel buffer plus SENDQ
GONE = "* slow left (SendQ exceeded)"


def kernel_send_max():
    """The most a TCP send buffer grows to here (tcp_wmem max)."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            return int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        return 4 * 1024 * 1024


def login(conn, name):
    if conn.wait_line(r"^\? name:$") is None:
        raise T.HarnessError("%s: no prompt" % conn.label)
    conn.send(name)
    if conn.wait_line(r"^\* welcome, %s " % name) is None:
        raise T.HarnessError("%s: no welcome: %r" % (conn.label, conn.lines[-3:]))


def chat_numbers(conn):
    return [int(l.split()[2]) for l in conn.lines if l.startswith("<sender> n ")]


def intact(conn, first, last):
    """conn's sender lines are exactly first..last, each intact."""
    got = [l for l in conn.lines if l.startswith("<sender> n ")]
    nums = [int(l.split()[2]) for l in got]
    return nums == list(range(first, last + 1)) and \
        all(l == "<sender> n %05d %s" % (n, PAD) for n, l in zip(nums, got))


def stalled_reader():
    with T.Service(max_sendq=SENDQ, rate_msgs=1000000, rate_burst=1000000) as svc:
        r1 = F.Conn(svc.port, "r1")
        login(r1, "reader")
        r2 = F.Conn(svc.port, "r2")
        login(r2, "other")
        # The stalled client: a small receive buffer, and it never reads
        # after its welcome.
        x = F.Conn(svc.port, "slow", rcvbuf=4096)
        x.peer_port = svc.port
        login(x, "slow")
        xpid = svc.session_pid(x)
        s = F.Conn(svc.port, "sender")
        login(s, "sender")
        readers = [r1, r2]
        F.pump_all(readers + [x], lambda: all(
            "* sender joined" in c.lines for c in readers + [x]), T.TIMEOUT)
        for c in readers + [s]:
            c.lines = []
        x_bytes_at_login = x.bytes

        # The sender sends in batches; after each, r1 and r2 must have
        # every line so far before the next batch goes out.
        sent = 0
        behind = None
        dropped_at = None
        start = time.monotonic()
        while sent < MAX_LINES:
            for _ in range(BATCH):
                sent += 1
                s.send("n %05d %s" % (sent, PAD))
            if not F.pump_all(readers, lambda: all(
                    len(chat_numbers(c)) >= sent for c in readers), T.TIMEOUT):
                behind = sent
                break
            if dropped_at is None and GONE in r1.lines:
                dropped_at = sent
            if dropped_at is not None and sent >= dropped_at + 200:
                break
        elapsed = time.monotonic() - start
        T.diag("sent %d lines (%d KiB) in %.2fs; slow dropped after %s lines" % (
            sent, sent * LINE_BYTES // 1024, elapsed, dropped_at))

        T.ok(behind is None, "while slow stalled, r1 and r2 got every batch before "
             "the next was sent")
        if behind is not None:
            T.diag("stuck at line %d: r1 has %d, r2 has %d; eof %s %s" % (
                behind, len(chat_numbers(r1)), len(chat_numbers(r2)), r1.eof, r2.eof))
        T.ok(dropped_at is not None, "the stalled client is disconnected; the others "
             "see '%s'" % GONE)
        for c in readers:
            T.ok(intact(c, 1, sent), "%s got all %d lines, intact and in order, "
                 "while slow stalled and after" % (c.label, sent))
            other = [l for l in c.lines if not l.startswith("<sender> ")]
            T.is_(other, [GONE], "%s: the only other line is the leave" % c.label)
        s.pump()
        T.is_(s.lines, [GONE], "the sender sees the leave too, and nothing else")
        T.ok(F.wait_gone(xpid) if xpid else False, "the stalled client's session exited")
        T.is_(F.user_names(svc), ["other", "reader", "sender"],
              "chatctl users no longer lists slow")
        st = F.stats(svc) or {}
        T.is_(st.get("disconnects", {}).get("sendq_exceeded"), 1,
              "chatctl stats counts one sendq_exceeded disconnect")
        T.ok(re.search(r"close slow: SendQ exceeded", F.log_text(svc)),
             "the session logged 'close slow: SendQ exceeded'")

        # What the stalled client finally gets when it reads: a bounded
        # amount (its kernel buffers plus at most max_sendq), then EOF.
        F.pump_all([x], lambda: x.eof, 10)
        T.ok(x.eof, "the stalled client's connection is closed (EOF once it reads)")
        got = x.bytes - x_bytes_at_login
        T.diag("the stalled client had %d bytes waiting (%d were sent)" % (
            got, sent * LINE_BYTES))
        bound = kernel_send_max() + SENDQ + 2 * 65536
        T.ok(got <= bound, "it was sent at most max_sendq plus the kernel's socket "
             "buffers (%d <= %d bytes)" % (got, bound))
        xn = chat_numbers(x)
        T.ok(xn == list(range(1, len(xn) + 1)),
             "what it got is the start of the stream, in order, without gaps "
             "(%d lines)" % len(xn))
        if x.buf:
            T.diag("it ends with a cut line of %d bytes (the kernel took part "
                   "of a write)" % len(x.buf))

        # And the service goes on.
        s.send("still here")
        F.pump_all(readers, lambda: all(c.lines[-1:] == ["<sender> still here"]
                                        for c in readers), T.TIMEOUT)
        T.ok(all(c.lines[-1:] == ["<sender> still here"] for c in readers),
             "the others chat on")

        # A burst bigger than max_sendq, to clients that read all along:
        # they are not slow, so they must not be dropped.
        burst = 4 * SENDQ // LINE_BYTES
        for c in readers:
            c.lines = []
        s.sock.sendall(b"".join(("n %05d %s\n" % (n, PAD)).encode()
                                for n in range(1, burst + 1)))
        F.pump_all(readers, lambda: all(len(chat_numbers(c)) >= burst or c.eof
                                        for c in readers), 10)
        for c in readers:
            T.ok(intact(c, 1, burst) and not c.eof and
                 not any("left" in l for l in c.lines),
                 "%s, reading all along, gets a burst of %d lines (%d KiB, 4 x "
                 "max_sendq) and stays connected" % (c.label, burst,
                                                     burst * LINE_BYTES // 1024))
            if c.eof or not intact(c, 1, burst):
                T.diag("%s: %d lines, eof %s, last %r" % (
                    c.label, len(chat_numbers(c)), c.eof,
                    [l[:40] for l in c.lines[-2:]]))
        T.diag(*[l for l in F.log_text(svc).splitlines() if ": close " in l])
        for c in readers + [s, x]:
            c.close()


def quiet_reader():
    """Nothing is addressed to cat, and amy only sends, while more than
    log_records records are written: neither is slow."""
    with T.Service(log_records=64, rate_msgs=1000, rate_burst=1000) as svc:
        a = svc.client("a")
        a.login("amy")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        c = svc.client("c")
        c.login("cat")
        a.expect("* cat joined")
        b.expect("* cat joined")
        n = 100
        for i in range(n):
            a.send("/msg bob p%d" % i)
            line = b.read_line()
            if line != "*amy* p%d" % i:
                T.diag("bob got %r for private message %d" % (line, i))
                break
        b.send("hello all")
        a.expect("<bob> hello all", "amy, who sent %d private messages (more than "
                 "log_records = 64) and received nothing, gets the next line" % n)
        c.expect("<bob> hello all", "cat, to whom nothing was addressed meanwhile, "
                 "gets the next line")
        T.is_(F.user_names(svc), ["amy", "bob", "cat"], "nobody was dropped")
        st = F.stats(svc) or {}
        T.is_(st.get("disconnects", {}).get("fell_behind_log"), 0,
              "no fell_behind_log disconnect is counted")
        T.diag(*[l for l in F.log_text(svc).splitlines() if ": close " in l])


def main():
    stalled_reader()
    quiet_reader()


T.main(main)

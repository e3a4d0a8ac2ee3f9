#!/usr/bin/env python3
# flood.t -- flood control.  With rate_msgs = 5 and rate_burst = 5 a
# flooder that sends 200 lines at once is slowed: its lines reach the
# others in order, a burst first and then more, never all at once, while
# another user's lines overtake its backlog.  With a small max_recvq a
# flooder that writes a lot without reading is disconnected with
# "! flood: ..." and the others see it leave.  Only counts and order are
# asserted, never timings.
import errno
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

BURST = 5
RATE = 5
LINES = 200
FLOOD = re.compile(r"^<flo> flood (\d+)$")


def slowed():
    with A.Service(rate_msgs=RATE, rate_burst=BURST) as svc:
        o = svc.client("o")
        A.login(o, "obs", others=0)
        s = svc.client("s")
        A.login(s, "sam", others=1)
        o.expect("* sam joined")
        f = svc.client("f")
        A.login(f, "flo", others=2)
        o.expect("* flo joined")
        s.expect("* flo joined")

        f.send_raw("".join("flood %d\n" % i for i in range(LINES)).encode())
        # The burst arrives.
        got, ok = A.collect_until(o, "<flo> flood %d" % (BURST - 1), timeout=10)
        T.ok(ok, "the observer gets the flooder's first %d lines (the burst)" % BURST)
        T.is_(got, ["<flo> flood %d" % i for i in range(BURST)],
              "... in order, nothing else between")
        # sam talks now: his lines overtake the flooder's backlog.
        for i in range(3):
            s.send("sam says %d" % i)
        flood_before = []
        sam = []
        deadline = time.monotonic() + 10
        while len(sam) < 3 and time.monotonic() < deadline:
            line = o.read_line(max(0.0, deadline - time.monotonic()))
            if line is None or line is T.EOF:
                break
            m = FLOOD.match(line)
            if m:
                flood_before.append(int(m.group(1)))
            elif line.startswith("<sam> "):
                sam.append(line)
            else:
                T.diag("observer got an unexpected line %r" % line)
        T.is_(sam, ["<sam> sam says %d" % i for i in range(3)],
              "sam's three lines reach the observer while the flooder is slowed")
        T.ok(len(flood_before) < LINES - BURST,
             "sam's lines arrive before the flooder's backlog (%d of its %d lines "
             "had come)" % (BURST + len(flood_before), LINES))
        T.ok(BURST + len(flood_before) <= BURST + 10,
             "right after the burst the observer has at most burst + a few of the "
             "flooder's lines (%d)" % (BURST + len(flood_before)))
        T.is_(flood_before, list(range(BURST, BURST + len(flood_before))),
              "the flooder's lines that came meanwhile are the next ones, in order")
        # More of the flooder's lines keep coming, in order.
        nxt = BURST + len(flood_before)
        want = ["<flo> flood %d" % i for i in range(nxt, nxt + 5)]
        o.expect_lines(want, "more of the flooder's lines arrive later, in order (%d-%d)"
                       % (nxt, nxt + 4), timeout=20)
        s.expect_lines(["<flo> flood %d" % i for i in range(nxt + 5)],
                       "sam gets the same lines of the flooder, in order", timeout=20)
        # Not all of it yet: the flooder is being slowed.
        st = svc.json("stats") or {}
        T.ok(st.get("throttled", 0) >= 1, "chatctl stats counts the flooder as slowed")
        T.ok(st.get("messages_routed", LINES) < LINES,
             "the service has not yet routed all %d lines (%s)" % (LINES, st.get("messages_routed")))
        # The flooder was slowed, not disconnected, and told nothing.
        seen = A.read_all(f, 0.2)
        T.is_(seen, ["<sam> sam says %d" % i for i in range(3)],
              "the flooder gets no error, only sam's lines")
        T.ok(f.is_open(), "the flooder is still connected")
        o.send("/users")
        o.expect(T.rx(r"^\* users \(3\): "),
                 "the observer's own commands are answered at once", skip=True)
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("flood"), 0, "no flood disconnect")


def disconnected():
    with A.Service(rate_msgs=RATE, rate_burst=BURST, max_recvq=4096) as svc:
        o = svc.client("o")
        A.login(o, "obs", others=0)
        s = svc.client("s")
        A.login(s, "sam", others=1)
        o.expect("* sam joined")
        f = svc.client("f")
        A.login(f, "flo", others=2)
        o.expect("* flo joined")
        s.expect("* flo joined")
        s.send("/create_group den")
        s.expect("* created #den; you own it")
        f.send("/join_group den")
        f.expect("* joined #den (2 members)")
        s.expect("* flo joined #den")

        # Write a lot without reading: far more than max_recvq.
        data = b"".join(b"flood %06d %s\n" % (i, b"x" * 80) for i in range(4000))
        f.sock.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 10
        while sent < len(data) and time.monotonic() < deadline:
            try:
                sent += f.sock.send(data[sent:sent + 65536])
            except BlockingIOError:
                time.sleep(0.01)
            except OSError as e:
                if e.errno in (errno.ECONNRESET, errno.EPIPE):
                    break
                raise
        f.sock.setblocking(True)
        T.ok(sent > 4096 * 4, "the flooder wrote %d bytes without reading" % sent)

        lines, ok = A.collect_until(o, T.rx(r"^\* flo left "), timeout=20)
        T.ok(ok, "the observer sees the flooder leave")
        T.is_(lines[-1] if lines else None, "* flo left (Excess flood)",
              "... with the reason 'Excess flood'")
        floods = [l for l in lines[:-1]]
        T.ok(all(re.match(r"^<flo> flood \d{6} x+$", l) for l in floods),
             "before that the observer got only the flooder's lines")
        T.ok(len(floods) <= BURST + 10,
             "... and only a few of them (%d): the rest was never read" % len(floods))
        s.expect_lines(floods + ["* flo left #den (Excess flood)", "* flo left (Excess flood)"],
                       "the group member sees the same lines, the group leave, then the "
                       "global leave", timeout=20)
        # The flooder: "! flood: ..." then EOF (or, as the server closed
        # with input unread, the connection reset).
        rest = []
        while True:
            line = f.read_line(20)
            if line is None or line is T.EOF:
                break
            rest.append(line)
        T.ok(line is T.EOF, "the flooder is disconnected")
        errors = [l for l in rest if l.startswith("! ")]
        if errors:
            T.is_(errors, ["! flood: too much unread input (more than 4096 bytes); closing"],
                  "the flooder is told why: one flood error")
            T.is_(rest[-1], errors[0], "... as its last line")
        else:
            T.ok(True, "the flooder's connection was reset before it read the flood "
                 "error (allowed)")
            T.skip("no flood error line to check")
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("flood"), 1, "chatctl stats: 1 flood disconnect")
        T.is_(svc.group_members(), {"den": ["sam"]}, "the flooder left its group")
        s.send("after the flood")
        o.expect("<sam> after the flood", "the others chat on")
        o.expect_nothing()


def main():
    slowed()
    disconnected()


T.main(main)

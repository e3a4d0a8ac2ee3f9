#!/usr/bin/env python3
# cluster-lost.t -- what could not cross is said plainly: the bus (one
# nats-server) is down while alpha, whose log ring holds 64 records,
# goes on chatting past it; when the bus is back, alpha's users are told
# how many lines never reached the other nodes, beta's users are told
# how many of alpha's never reached them, and the lines still in the
# ring arrive once and in order.
import os
import re
import time
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_cluster import Nats, NATS, node  # noqa: E402

LINES = 300
PAD = "x" * 900     # long lines: the ring holds 64 of the longest
TIME = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"
HERE = re.compile(r"^\* lines said here from %s to %s never reached the other nodes "
                  r"\(the bus was away for too long\)$" % (TIME, TIME))
THERE = re.compile(r"^\* lines said on node alpha from %s to %s never reached this "
                   r"node \(alpha was cut off from the bus for too long\)$" % (TIME, TIME))


def compress(numbers):
    """[0, 5, 6, 7] as "0, 5-7"."""
    runs = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in runs)


def main():
    if NATS is None:
        T.skip_all("nats-server is not installed")
    with T.Service(hub=False, accept=False) as base:
        nats = Nats(base, n=1)
        T.ok(nats.start(0), "a nats-server with JetStream starts")
        a, ba = node("alpha", nats.url(0), log_records=64, bus_keep_hours=2)
        b, bb = node("beta", nats.url(0))
        with a, b:
            T.ok(ba.start() and bb.start(), "alpha's and beta's bridges are ready")
            log = open(os.path.join(b.dir, "bridge.log")).read()
            T.like(log, r"bus: stream CHAT keeps records 24 hours now",
                   "alpha made the stream keep records 2 hours (bus_keep_hours); "
                   "beta, started next with the default, set it to 24")
            ann = a.client("ann")
            ann.login("ann")
            amy = a.client("amy")
            amy.login("amy")
            ann.expect("* amy joined", skip=True)
            bob = b.client("bob")
            bob.login("bob")
            ann.expect("* bob joined", skip=True)
            amy.expect("* bob joined", skip=True)
            ann.send("before")
            bob.expect("<ann> before", "a line crosses while the bus is up", skip=True)

            nats.stop(0)
            heard, other = [], []

            def amy_reads(timeout):
                line = amy.read_line(timeout=timeout)
                if line is not None and line is not T.EOF:
                    (heard if line.startswith("<ann> line") else other).append(line)
                    return True
                return False
            for i in range(LINES):      # as fast as amy reads: the ring
                ann.send("line %d %s" % (i, PAD))       # turns over
                if i % 20 == 19:        # for the bridge alone
                    amy_reads(T.TIMEOUT)
                    while amy_reads(0.01):
                        pass
            while len(heard) < LINES and amy_reads(2):
                pass
            T.is_(len(heard), LINES, "the bus down: alpha's users go on chatting "
                  "(amy got all %d lines)" % LINES)
            T.diag("amy also got: %r" % other)
            time.sleep(10)
            T.ok(nats.start(0), "the bus is back after 10 s")

            # beta: the lines still in alpha's ring, once and in order,
            # then the notice.
            got, notice = [], None
            while notice is None:
                line = bob.read_line(timeout=30)
                if line is None or line is T.EOF:
                    break
                if THERE.match(line):
                    notice = line
                elif line.startswith("<ann> line "):
                    got.append(int(line.split()[2]))
            T.ok(notice is not None, "bob, on beta, is told plainly that alpha's "
                 "lines were lost: %r" % notice)
            T.ok(got == sorted(set(got)) and got[-1:] == [LINES - 1] and len(got) < LINES,
                 "the lines still in alpha's ring cross once and in order; %d of %d "
                 "did not (%s)" % (LINES - len(got), LINES, compress(got)))
            span = THERE.match(notice).groups() if notice else ("", "")
            T.ok(span[0] != "" and span[0] <= span[1] <= time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "it says from when to when (%s to %s)" % span)
            bob.expect_nothing("nothing twice, nothing more")

            ann.expect(HERE, "ann, on alpha, is told when lines said there never "
                       "reached the other nodes", skip=True, timeout=30)
            amy.expect(HERE, "and so is amy", skip=True)

            # Chat goes on across the nodes.
            ann.send("after")
            bob.expect("<ann> after", "lines cross again afterwards")
            bob.send("hi ann")
            ann.expect("<bob> hi ann", "both ways")


T.main(main)

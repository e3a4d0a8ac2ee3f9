#!/usr/bin/env python3
# presence.t -- joins and leaves in a login storm: the hub batches their
# wake-ups (hub/presence.c), and nothing may be lost, doubled or reordered.
#   - a burst of logins at once: every user already online sees every
#     later join exactly once, all of them in the same (log) order;
#   - a line sent right after a login arrives after that user's join;
#   - the burst leaving at once: every leave seen exactly once.
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

BURST = 40


def read_until(client, last, limit=500):
    """Lines up to and including the one equal to last (None if missing)."""
    lines = []
    while len(lines) < limit:
        line = client.read_line()
        if line is None or line is T.EOF:
            return lines, False
        lines.append(line)
        if line == last:
            return lines, True
    return lines, False


def main():
    # The burst waits at the prompt from one address, past the default
    # max_pending_per_address.
    with T.Service(max_sessions=128, max_pending_per_address=BURST) as svc:
        watchers = []
        for i in range(3):
            w = svc.client("w%d" % i)
            w.login("watch%d" % i)
            watchers.append(w)
        for i, w in enumerate(watchers):
            for later in watchers[i + 1:]:
                w.expect("* %s joined" % later.name)

        # The burst: BURST clients log in from threads at once.
        burst = [svc.client("b%02d" % i) for i in range(BURST)]
        names = ["burst%02d" % i for i in range(BURST)]

        def log_in(c, name):
            c.send(name)

        threads = [threading.Thread(target=log_in, args=(c, n))
                   for c, n in zip(burst, names)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        welcomed = 0
        for c, n in zip(burst, names):
            line = c.read_line()
            if line is not None and line is not T.EOF and \
                    line.startswith("* welcome, %s " % n):
                welcomed += 1
        T.is_(welcomed, BURST, "all %d clients of the burst are welcomed" % BURST)

        # A marker after the burst: the others read up to it; its sender,
        # who gets no echo, reads until it has BURST joins.
        watchers[0].send("after the burst")
        orders = []
        for w in watchers:
            if w is watchers[0]:
                lines = []
                while sum(x.endswith(" joined") for x in lines) < BURST:
                    line = w.read_line()
                    if line is None or line is T.EOF:
                        break
                    lines.append(line)
            else:
                lines, found = read_until(w, "<watch0> after the burst")
                T.ok(found, "%s: the marker arrives after the burst" % w.label)
            joins = [x[2:-len(" joined")] for x in lines
                     if x.startswith("* ") and x.endswith(" joined")]
            T.is_(sorted(joins), sorted(names),
                  "%s sees every join of the burst exactly once" % w.label)
            orders.append(joins)
        T.ok(all(o == orders[0] for o in orders),
             "every watcher sees the burst's joins in the same order")

        # A line right after a login comes after the join, for everyone.
        late = svc.client("late")
        late.send("latecomer")
        late.read_line()
        late.send("first words")
        for w in watchers:
            w.expect_lines(["* latecomer joined", "<latecomer> first words"],
                           "%s: latecomer's join, then its first line" % w.label)

        # The burst leaves at once.
        for c in burst:
            c.close()
        for w in watchers:
            lefts = []
            while len(lefts) < BURST:
                line = w.read_line()
                if line is None or line is T.EOF:
                    break
                if line.startswith("* ") and " left " in line:
                    lefts.append(line[2:].split(" left ")[0])
            T.is_(sorted(lefts), sorted(names),
                  "%s sees every leave of the burst exactly once" % w.label)
            w.expect_nothing("%s: nothing more" % w.label)


T.main(main)

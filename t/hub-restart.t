#!/usr/bin/env python3
# hub-restart.t -- the hub dies under traffic (design invariant 7).
#
# 20 clients send numbered lines; the hub is killed with SIGKILL in the
# middle of a round and started again some rounds later.  No connection
# drops, and every recipient gets every line of every other sender exactly
# once, in order per sender.  Then: a session that re-registers with the
# new hub, one adopted by pidfd (stopped while the hub was away) and
# killed, and a hub started after every session died, which frees the
# stale slots it finds.
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

CLIENTS = 20
ROUNDS = 90
# (round, after which client's line): kill -9 the hub, or start it.  The
# first outage lasts 20 rounds, the second none at all.
KILLS = {(20, 7), (70, 3)}
STARTS = {(40, 13), (70, 4)}
LINE = re.compile(r"^<(u\d\d)> (u\d\d) (\d+)$")


def connect_all(svc, names):
    conns = []
    for name in names:
        c = F.Conn(svc.port, name)
        c.peer_port = svc.port          # for svc.session_pid()
        conns.append(c)
    for c in conns:
        if c.wait_line(r"^\? name:$") is None:
            raise T.HarnessError("%s: no name prompt" % c.label)
        c.send(c.label)
        if c.wait_line(r"^\* welcome, %s " % c.label) is None:
            raise T.HarnessError("%s: no welcome: %r" % (c.label, c.lines[-3:]))
    # Everyone has seen the last join: from here on only chat lines come.
    last = names[-1]
    for c in conns[:-1]:
        if c.wait_line(r"^\* %s joined$" % last) is None:
            raise T.HarnessError("%s: did not see %s join" % (c.label, last))
    for c in conns:
        c.lines = []
    return conns


def check_streams(conns, rounds, what):
    """Every conn got exactly rounds lines of every other, in order."""
    names = [c.label for c in conns]
    for c in conns:
        per = {n: [] for n in names if n != c.label}
        other = []
        for line in c.lines:
            m = LINE.match(line)
            if m and m.group(1) == m.group(2) and m.group(1) in per:
                per[m.group(1)].append(int(m.group(3)))
            else:
                other.append(line)
        want = list(range(1, rounds + 1))
        bad = {n: got for n, got in per.items() if got != want}
        if T.ok(not bad and not other,
                "%s: %s got each of the %d others' %d lines exactly once, in "
                "order" % (what, c.label, len(per), rounds)):
            continue
        for n, got in sorted(bad.items())[:3]:
            missing = sorted(set(want) - set(got))
            dups = sorted({x for x in got if got.count(x) > 1})
            T.diag("  from %s: %d lines; missing %s; duplicated %s; in order: %s" % (
                n, len(got), missing[:10], dups[:10], got == sorted(got)))
        if other:
            T.diag("  other lines: %r" % other[:5])


def traffic(svc, conns):
    total = len(conns) - 1
    hub_pids = [svc.hub.pid]
    for r in range(1, ROUNDS + 1):
        for i, c in enumerate(conns):
            c.send("%s %d" % (c.label, r))
            if (r, i) in KILLS:
                svc.kill_hub()
            elif (r, i) in STARTS:
                hub_pids.append(svc.start_hub())
        for c in conns:
            c.pump()
    want = total * ROUNDS
    done = F.pump_all(conns, lambda: all(len(c.lines) >= want for c in conns), 30)
    # A moment for duplicates to show.
    F.pump_all(conns, lambda: False, T.QUIET)
    T.ok(done, "every client got %d lines (%d from each of %d others)" % (
        want, ROUNDS, total))
    if not done:
        T.diag("lines received: %s" % [len(c.lines) for c in conns])
    T.ok(not any(c.eof for c in conns), "no client connection dropped")
    check_streams(conns, ROUNDS, "hub killed twice under traffic")
    return hub_pids


def users_right(svc, conns, what):
    want = sorted(c.label for c in conns)
    names, took = F.wait_value(lambda: F.user_names(svc), want)
    T.is_(names, want, "%s: chatctl users lists the %d users" % (what, len(want)))
    u = F.users(svc) or {}
    pids = {c.label: svc.session_pid(c) for c in conns}
    wrong = [n for n in want if u.get(n, {}).get("pid") != pids[n]]
    T.is_(wrong, [], "%s: chatctl users shows each user's session pid" % what)


def main():
    # All CLIENTS connect from one address before any logs in: past the
    # default max_pending_per_address.
    conf = dict(rate_msgs=1000000, rate_burst=1000000, max_sessions=64,
                max_pending_per_address=CLIENTS)
    names = ["u%02d" % i for i in range(CLIENTS)]
    with T.Service(**conf) as svc:
        conns = connect_all(svc, names)
        hub_pids = traffic(svc, conns)
        s = F.stats(svc) or {}
        T.is_((s.get("hub_pid"), s.get("hub_starts")), (hub_pids[-1], len(hub_pids)),
              "chatctl stats: the new hub's pid, %d hub starts on this segment"
              % len(hub_pids))
        users_right(svc, conns, "after the restart")
        T.ok(T.wait_for(lambda: "re-attached to segment" in F.log_text(svc)),
             "the new hub re-attached to the existing segment")

        # The new hub has every session registered: a kill -9 is noticed.
        victim = conns[5]
        pid = svc.session_pid(victim)
        F.kill(pid)
        others = [c for c in conns if c is not victim]
        gone = "* %s left (connection lost)" % victim.label
        F.pump_all(others, lambda: all(gone in c.lines for c in others), T.TIMEOUT)
        T.ok(all(c.lines[-1:] == [gone] for c in others),
             "a session killed after the restart: the %d others see '%s'" % (
                 len(others), gone))
        for c in others:
            c.lines = []
        conns = others

        # A session that cannot re-register (stopped while the hub is
        # away) is adopted by pidfd; when it dies, the hub notices.
        victim = conns[0]
        pid = svc.session_pid(victim)
        svc.kill_hub()
        os.kill(pid, signal.SIGSTOP)
        T.ok(T.wait_for(lambda: F.proc_state(pid) == "T"), "u00's session is stopped")
        svc.start_hub()
        n = len(conns)
        adopted = re.search(r"segment had %d sessions: %d alive, 0 stale" % (n, n),
                            F.log_text(svc))
        T.ok(adopted, "the new hub adopts the %d live sessions it finds "
             "(the stopped one too)" % n)
        F.kill(pid)
        others = conns[1:]
        gone = "* %s left (connection lost)" % victim.label
        F.pump_all(others, lambda: all(gone in c.lines for c in others), T.TIMEOUT)
        T.ok(all(c.lines[-1:] == [gone] for c in others),
             "a session adopted by pidfd dies: the %d others see '%s'" % (
                 len(others), gone))
        conns = others
        for c in conns:
            c.lines = []
        # Chat still flows after two restarts.
        conns[0].send("%s %d" % (conns[0].label, 1))
        F.pump_all(conns[1:], lambda: all(len(c.lines) >= 1 for c in conns[1:]),
                   T.TIMEOUT)
        T.ok(all(c.lines == ["<%s> %s 1" % (conns[0].label, conns[0].label)]
                 for c in conns[1:]),
             "after two hub restarts a line reaches the %d others" % (len(conns) - 1))
        users_right(svc, conns, "after the pidfd case")

        # Every session gone while the hub is down: the next hub frees
        # their slots and groups.
        conns[0].send("/create_group stale")
        created = conns[0].wait_line(r"^\* created #stale")
        conns[1].send("/join_group stale")
        T.ok(created and conns[1].wait_line(r"^\* joined #stale ") is not None,
             "two users are in group #stale")
        waiting = F.Conn(svc.port, "waiting")      # holds a slot at the prompt
        T.ok(waiting.wait_line(r"^\? name:$") is not None, "a client waits at the prompt")
        pids = svc.session_pids()
        T.is_(len(pids), len(conns) + 1, "%d sessions run" % (len(conns) + 1))
        svc.kill_hub()
        for p in pids:
            F.kill(p)
        T.ok(all(F.wait_gone(p) for p in pids), "all sessions are killed while the "
             "hub is down")
        s = F.stats(svc) or {}
        T.is_((s.get("sessions"), s.get("sessions_logging_in")), (len(conns), 1),
              "before the hub is back, the segment still holds their slots")
        svc.start_hub()
        T.is_(F.user_names(svc), [], "the restarted hub freed the stale slots: "
              "chatctl users is empty")
        s = F.stats(svc) or {}
        T.is_((s.get("sessions"), s.get("sessions_logging_in"), s.get("groups")),
              (0, 0, 0), "chatctl stats: 0 sessions, 0 logging in, 0 groups")
        T.ok(re.search(r"segment had %d sessions: 0 alive, %d stale slots freed" % (
            len(conns) + 1, len(conns) + 1), F.log_text(svc)),
            "the hub logged the stale slots it freed")
        T.ok(all(c.wait_line(r"^$", timeout=2) is None and c.eof for c in conns),
             "the dead sessions' clients are disconnected")
        c = svc.client("new")
        c.login("u00", others=0, desc="a new login after the cleanup sees 0 others "
                "and may take a dead user's name")
        c.send("/groups")
        c.expect(T.rx(r"^\* no groups"), "no group survived its members")
        for x in conns + [waiting]:
            x.close()


T.main(main)

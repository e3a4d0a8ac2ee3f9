#!/usr/bin/env python3
# faults.t -- a session dies holding each lock of the segment (design
# invariants 3 and 6).  With --enable-fault-injection, a session reaching
# fault_point("registry"|"groups"|"log") while $CHAT_FAULT_DIR/fault-NAME
# exists stops itself inside the critical section; the test SIGKILLs it
# there.  The next locker gets EOWNERDEAD and repairs; everybody else
# carries on; the dead user's slot and memberships are freed and the
# others are told it left.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

FREED = 3.0     # deadline for the hub to free a dead session's slot (seconds)


def freed(svc, what, want_names, want_slots):
    """Poll chatctl until users and slots are as wanted."""
    names, took = F.wait_value(lambda: F.user_names(svc), want_names, FREED)
    T.is_(names, want_names, "%s: chatctl users no longer lists the dead user" % what)
    slots, took2 = F.wait_value(lambda: F.slots_in_use(svc), want_slots, FREED)
    T.is_(slots, want_slots, "%s: its slot is freed (chatctl stats: chatting, "
          "logging in)" % what)
    T.diag("%s: slot freed %.3fs after the kill" % (what, max(took, took2)))


def stop_and_kill(svc, name, client, trigger, what):
    """Arm fault point name, send trigger from client, check that client's
    session stopped there; returns its pid (or None)."""
    pid = svc.session_pid(client)
    svc.arm(name)
    client.send(trigger)
    stopped = svc.stopped_pid(name)
    T.ok(stopped is not None and stopped == pid,
         "%s: %s's session stopped inside the critical section (pid %s)" % (
             what, client.label, stopped))
    return stopped


def repaired(svc, lock, times):
    """The log says "LOCK lock: previous holder died; repairing" times
    times in all (once per holder killed)."""
    msg = "%s lock: previous holder died; repairing" % lock
    count, _ = F.wait_value(lambda: F.log_text(svc).count(msg), times, 2)
    T.is_(count, times, "the next locker logged '%s' (%d in all)" % (msg, times))


def registry_lock(svc, a, b):
    what = "registry lock"
    v = svc.client("v")
    pid = stop_and_kill(svc, "registry", v, "vic", what)
    if pid is None:
        svc.disarm("registry")
        return
    # The message path takes no registry lock: chat goes on.
    a.send("during the registry stop")
    b.expect("<amy> during the registry stop",
             "%s: held by a stopped session, chat still flows" % what)
    # A new connection claims a slot under the registry lock: it waits.
    w = svc.client("w", prompt=False)
    T.is_(w.read_line(0.3), None, "%s: a new connection waits for the lock "
          "(no prompt yet)" % what)
    F.kill(pid)
    T.ok(F.wait_gone(pid), "%s: the stopped session is killed" % what)
    T.is_(w.read_line(), "? name:",
          "%s: after the kill the waiting connection gets its prompt" % what)
    freed(svc, what, ["amy", "bob"], (2, 1))
    v.expect_eof("%s: the dead session's client is disconnected" % what)
    for x in (a, b):
        x.expect_nothing("%s: %s sees no join or leave (vic never got its name)"
                         % (what, x.label))
    repaired(svc, "registry", 1)
    # Logins, group joins and messages all work, and the name is free.
    w.login("vic", others=2, desc="%s: a login takes the dead session's name" % what)
    for x in (a, b):
        x.expect("* vic joined", "%s: %s sees the new login" % (what, x.label))
    w.send("/create_group reg")
    w.expect("* created #reg; you own it", "%s: a group is created afterwards" % what)
    a.send("/join_group reg")
    a.expect("* joined #reg (2 members)", "%s: a group is joined afterwards" % what)
    w.expect("* amy joined #reg")
    w.send("after the registry kill")
    for x in (a, b):
        x.expect("<vic> after the registry kill",
                 "%s: %s gets a line sent afterwards" % (what, x.label))
    w.send("/quit")
    w.expect("* bye")
    w.expect_eof()
    a.expect_lines(["* vic left #reg (quit)", "* amy now owns #reg", "* vic left (quit)"],
                   "%s: the owner's quit passes #reg to amy" % what)
    b.expect("* vic left (quit)")
    a.send("/leave_group reg")
    a.expect("* left #reg")


def groups_lock_join(svc, a, b):
    what = "groups lock (join)"
    v = svc.client("v2")
    v.login("vic", others=2)
    for x in (a, b):
        x.expect("* vic joined")
    a.send("/create_group g")
    a.expect("* created #g; you own it")
    b.send("/join_group g")
    b.expect("* joined #g (2 members)")
    a.expect("* bob joined #g")
    pid = stop_and_kill(svc, "groups", v, "/join_group g", what)
    if pid is None:
        svc.disarm("groups")
        return
    a.send("during the groups stop")
    b.expect_lines(["* vic joined #g", "<amy> during the groups stop"],
                   "%s: held by a stopped session, chat still flows" % what)
    F.kill(pid)
    T.ok(F.wait_gone(pid), "%s: the stopped session is killed" % what)
    a.expect_lines(["* vic joined #g", "* vic left #g (connection lost)",
                    "* vic left (connection lost)"],
                   "%s: a (owner of #g) sees vic join #g, leave #g, then leave" % what)
    b.expect_lines(["* vic left #g (connection lost)", "* vic left (connection lost)"],
                   "%s: b (member of #g) sees vic leave #g, then leave" % what)
    freed(svc, what, ["amy", "bob"], (2, 0))
    v.expect_eof("%s: the dead session's client is disconnected" % what)
    repaired(svc, "groups", 1)
    g = F.groups(svc) or {}
    T.is_(sorted(g.get("g", {}).get("members", [])), ["amy", "bob"],
          "%s: chatctl groups: #g has amy and bob, not vic" % what)
    T.is_(g.get("g", {}).get("owner"), "amy", "%s: amy still owns #g" % what)
    a.send("/groups")
    a.expect("* #g (owner amy, 2 members): amy bob",
             "%s: the member count of #g is 2 (repaired: the dead join was "
             "counted, then removed)" % what)
    c = svc.client("c")
    c.login("cat", others=2)
    for x in (a, b):
        x.expect("* cat joined")
    c.send("/join_group g")
    c.expect("* joined #g (3 members)", "%s: the next join counts 3 members" % what)
    for x in (a, b):
        x.expect("* cat joined #g", "%s: %s sees cat join #g" % (what, x.label))
    c.send("/group_msg g after the groups kill")
    for x in (a, b):
        x.expect("#g <cat> after the groups kill",
                 "%s: %s gets a group line sent afterwards" % (what, x.label))
    c.send("/quit")
    c.expect("* bye")
    c.expect_eof()
    for x in (a, b):
        x.expect_lines(["* cat left #g (quit)", "* cat left (quit)"])


def groups_lock_create(svc, a, b):
    what = "groups lock (create)"
    v = svc.client("v3")
    v.login("val", others=2)
    for x in (a, b):
        x.expect("* val joined")
    pid = stop_and_kill(svc, "groups", v, "/create_group h", what)
    if pid is None:
        svc.disarm("groups")
        return
    F.kill(pid)
    T.ok(F.wait_gone(pid), "%s: the stopped session is killed" % what)
    for x in (a, b):
        x.expect("* val left (connection lost)",
                 "%s: %s sees val leave, nothing about #h" % (what, x.label))
    freed(svc, what, ["amy", "bob"], (2, 0))
    g = F.groups(svc)
    T.is_(sorted(g) if g is not None else None, ["g"],
          "%s: the half-created #h is gone (chatctl groups)" % what)
    s = F.stats(svc) or {}
    T.is_(s.get("groups"), 1, "%s: chatctl stats counts 1 group" % what)
    repaired(svc, "groups", 2)
    b.send("/create_group h")
    b.expect("* created #h; you own it", "%s: the name #h can be created again" % what)
    b.send("/groups")
    b.expect_lines(["* #g (owner amy, 2 members): amy bob",
                    "* #h (owner bob, 1 member): bob"],
                   "%s: /groups shows the right owners and counts" % what)
    b.send("/leave_group h")
    b.expect("* left #h")


def log_lock(svc, a, b):
    what = "log lock"
    v = svc.client("v4")
    v.login("vin", others=2)
    for x in (a, b):
        x.expect("* vin joined")
    v.send("/join_group g")
    v.expect("* joined #g (3 members)")
    for x in (a, b):
        x.expect("* vin joined #g")
    pid = stop_and_kill(svc, "log", v, "half a record", what)
    if pid is None:
        svc.disarm("log")
        return
    # a's line needs the log lock: a's session waits for it (only a's).
    a.send("during the log stop")
    T.is_(b.read_line(0.3), None, "%s: held by a stopped session, the next "
          "appender waits" % what)
    F.kill(pid)
    T.ok(F.wait_gone(pid), "%s: the stopped session is killed" % what)
    want = ["* vin left #g (connection lost)", "* vin left (connection lost)"]
    got = []
    for _ in range(3):
        line = b.read_line()
        if line is None or line is T.EOF:
            break
        got.append(line)
    T.is_(sorted(got), sorted(want + ["<amy> during the log stop"]),
          "%s: b gets amy's waiting line and vin's leaves; never vin's "
          "half-written line" % what)
    T.ok(got.index(want[0]) < got.index(want[1]) if set(want) <= set(got) else False,
         "%s: vin leaves #g before leaving the chat" % what)
    a.expect_lines(want, "%s: a sees vin leave #g, then leave" % what)
    for x in (a, b):
        x.expect_nothing("%s: %s gets nothing of the half-written record" % (what, x.label))
    freed(svc, what, ["amy", "bob"], (2, 0))
    v.expect_eof("%s: the dead session's client is disconnected" % what)
    repaired(svc, "log", 1)
    g = F.groups(svc) or {}
    T.is_(sorted(g.get("g", {}).get("members", [])), ["amy", "bob"],
          "%s: vin's membership of #g is freed" % what)
    c = svc.client("c2")
    c.login("vin", others=2, desc="%s: the dead user's name is free again" % what)
    for x in (a, b):
        x.expect("* vin joined")
    c.send("/join_group g")
    c.expect("* joined #g (3 members)", "%s: a group join works afterwards" % what)
    for x in (a, b):
        x.expect("* vin joined #g")
    for n in range(3):
        c.send("after the log kill %d" % n)
    for x in (a, b):
        x.expect_lines(["<vin> after the log kill %d" % n for n in range(3)],
                       "%s: %s gets lines sent afterwards, in order" % (what, x.label))
    c.send("/quit")
    c.expect("* bye")
    c.expect_eof()
    for x in (a, b):
        x.expect_lines(["* vin left #g (quit)", "* vin left (quit)"])


def main():
    if not F.fault_injection_built():
        T.skip_all("chat was built without --enable-fault-injection "
                   "(no FAULT_INJECTION in %s/config.h)" % T._builddir())
    with F.FaultService(faults=True, rate_msgs=1000, rate_burst=1000) as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        b = svc.client("b")
        b.login("bob", others=1)
        a.expect("* bob joined")
        hub_pid = svc.hub.pid

        registry_lock(svc, a, b)
        groups_lock_join(svc, a, b)
        groups_lock_create(svc, a, b)
        log_lock(svc, a, b)

        # Nobody else was disturbed: the first two still chat, the hub
        # never restarted, no session is left over.
        a.send("the end")
        b.expect("<amy> the end", "after all three locks, amy's lines still reach bob")
        b.send("indeed")
        a.expect("<bob> indeed", "... and bob's reach amy")
        T.ok(svc.hub.poll() is None and svc.hub.pid == hub_pid,
             "the hub survived every lock holder's death")
        T.is_(len(F.session_processes(svc)), 2,
              "only amy's and bob's sessions are left")
        for name in ("registry", "groups", "log"):
            T.ok(not svc.armed(name), "fault point %s fired exactly once" % name)


T.main(main)

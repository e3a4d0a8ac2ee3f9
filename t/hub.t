#!/usr/bin/env python3
# hub.t -- one hub per segment and runtime directory; no hub, no service;
# the hub killed and restarted under connected clients.
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

UNAVAILABLE = T.rx(r"^! unavailable: ")


def second_hubs(svc, a, b):
    """Another chat-hubd on the same segment or runtime directory refuses."""
    cases = (
        ("the same config", svc.conf_path),
        ("the same shm_name, another runtime_dir",
         dict(svc.conf, runtime_dir=os.path.join(svc.dir, "run2"))),
        ("the same runtime_dir, another shm_name",
         dict(svc.conf, shm_name=svc.shm_name + "-2")),
    )
    for n, (what, conf) in enumerate(cases):
        if isinstance(conf, dict):
            path = os.path.join(svc.dir, "other-%d.conf" % n)
            T.Service.write_conf(path, conf)
        else:
            path = conf
        rc, err = svc.run_hub(path)
        T.ok(rc is not None and rc != 0,
             "a second chat-hubd with %s exits with an error (%s)" % (
                 what, "still running" if rc is None else "status %d" % rc))
        T.like(err, r"another chat-hubd", "... saying another chat-hubd is running")
        T.ok(svc.hub.poll() is None, "... and the first hub keeps running")
    try:
        os.unlink("/dev/shm/" + svc.shm_name.lstrip("/") + "-2")
    except OSError:
        pass
    a.send("after the second hubs")
    b.expect("<amy> after the second hubs", "the service still relays")
    c = svc.client("c")
    c.login("cat", others=2, desc="the service still accepts a login")
    a.expect("* cat joined")
    b.expect("* cat joined")
    return c


def collect(client, count):
    """The next count lines (fewer if they do not come)."""
    got = []
    for _ in range(count):
        line = client.read_line()
        if line is None or line is T.EOF:
            break
        got.append(line)
    return got


def restart(svc, a, b, c):
    """SIGKILL the hub under three clients, chat meanwhile, restart it."""
    pids = {x.name: svc.session_pid(x) for x in (a, b, c)}
    old_hub = svc.hub.pid
    svc.kill_hub(signal.SIGKILL)
    T.ok(svc.hub.poll() is not None, "the hub is killed with SIGKILL")

    # While the hub is away: connected clients chat on...
    a.send("down 1")
    a.send("down 2")
    b.send("down from bob")
    # ... chatctl still reads the segment ...
    T.is_(svc.user_names(), ["amy", "bob", "cat"],
          "chatctl users still lists everyone while the hub is down")
    # ... and a new connection is told the service is unavailable.
    n = svc.client("n", prompt=False)
    n.expect(UNAVAILABLE, "a new connection while the hub is down gets unavailable")
    n.expect_eof("... and is closed")

    svc.start_hub()
    T.ok(svc.hub.pid != old_hub, "a new hub started on the old segment")

    # Every line sent while the hub was down arrives once, in order.
    want_a = ["<amy> down 1", "<amy> down 2"]
    want_b = ["<bob> down from bob"]
    for x, wants in ((a, [want_b]), (b, [want_a]), (c, [want_a, want_b])):
        count = sum(len(w) for w in wants)
        got = collect(x, count)
        ok = len(got) == count
        for w in wants:
            prefix = w[0].split(" ", 1)[0] + " "
            ok = ok and [g for g in got if g.startswith(prefix)] == w
        if not T.ok(ok, "%s gets the lines sent while the hub was down, once, "
                        "in each sender's order" % x.name):
            T.diag("got: %r" % (got,), "expected: %r" % (wants,))
    for x in (a, b, c):
        T.ok(x.is_open(), "%s's connection survived the hub restart" % x.name)

    # After the restart: lines flow both ways, exactly once.
    a.send("up 1")
    b.expect("<amy> up 1", "after the restart a line reaches bob")
    c.expect("<amy> up 1", "after the restart a line reaches cat")
    c.send("up 2")
    a.expect("<cat> up 2", "after the restart cat's line reaches amy")
    b.expect("<cat> up 2")
    for x in (a, b, c):
        x.expect_nothing("%s gets no duplicate after the restart" % x.name)

    u = svc.users()
    rows = {r.get("name"): r.get("pid") for r in u[1]} if u else {}
    T.is_(rows, {k: str(v) for k, v in pids.items()},
          "chatctl users after the restart: the same users and session pids")

    # The new hub watches the old sessions and new ones.
    d = svc.client("d")
    d.login("dot", others=3, desc="a login after the restart")
    for x in (a, b, c):
        x.expect("* dot joined")
    os.kill(svc.session_pid(d), signal.SIGKILL)
    for x in (a, b, c):
        x.expect("* dot left (connection lost)",
                 "%s: a session started after the restart dies; the hub tells" % x.name)
    os.kill(pids["cat"], signal.SIGKILL)
    for x in (a, b):
        x.expect("* cat left (connection lost)",
                 "%s: a session from before the restart dies; the new hub tells" % x.name)
    T.is_(svc.user_names(), ["amy", "bob"], "chatctl users lists amy and bob only")


def death_while_down(svc, a, b):
    """A session killed while no hub runs is cleaned up by the next hub."""
    e = svc.client("e")
    e.login("eve", others=2)
    a.expect("* eve joined")
    b.expect("* eve joined")
    pid = svc.session_pid(e)
    svc.kill_hub(signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)
    e.expect_eof("eve's client is disconnected when its session is killed")
    svc.start_hub()
    a.expect("* eve left (connection lost)",
             "a session killed while the hub was down: the next hub tells amy")
    b.expect("* eve left (connection lost)", "... and bob")
    T.is_(svc.user_names(), ["amy", "bob"], "... and frees its slot")

    # A clean stop (SIGTERM) and start: the same story.
    rc = svc.kill_hub(signal.SIGTERM)
    T.is_(rc, 0, "the hub exits 0 on SIGTERM")
    a.send("while stopped")
    svc.start_hub()
    b.expect("<amy> while stopped", "a line sent while the hub was stopped arrives")
    b.send("and back")
    a.expect("<bob> and back", "... and the answer too")
    a.expect_nothing()
    b.expect_nothing()


def main():
    with T.Service() as svc:
        a = svc.client("a")
        a.login("amy")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        c = second_hubs(svc, a, b)
        restart(svc, a, b, c)
        death_while_down(svc, a, b)

    # No hub at all: one line, then the connection closes.
    with T.Service(hub=False) as svc:
        x = svc.client("x", prompt=False)
        x.expect(UNAVAILABLE, "without a hub a connection gets one unavailable line")
        x.expect_eof("... and then EOF")
        T.ok(not os.path.exists("/dev/shm/" + svc.shm_name.lstrip("/")),
             "a session does not create the segment")


T.main(main)

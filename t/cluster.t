#!/usr/bin/env python3
# cluster.t -- two chat nodes over a real nats-server with JetStream:
# broadcast lines, joins and leaves cross from each node to the other
# exactly once and never come back; a chat-bridge killed with -9 while
# its node keeps talking, then restarted, delivers every line exactly
# once and in order; lines sent while the bus is down arrive when it is
# back.
import glob
import os
import threading
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
from chattest_cluster import (Nats, NATS, TIMEOUT, RITA, at_once,  # noqa: E402
                             users, node, nodes, kill_node)


def race(a, b, tries):
    """tries times, "zed" logs in on both nodes at once: exactly one wins."""
    wins = {"alpha": 0, "beta": 0}
    bad = []
    for i in range(tries):
        ca, cb = a.client("za%d" % i), b.client("zb%d" % i)
        got = at_once({"alpha": (ca, "zed"), "beta": (cb, "zed")})
        won = [k for k, line in got.items() if line and line.startswith("* welcome, zed")]
        lost = [k for k, line in got.items() if line and line.startswith("! name-taken")]
        if len(won) != 1 or len(lost) != 1:
            bad.append((i, got))
        for k in won:
            wins[k] += 1
        for c, k in ((ca, "alpha"), (cb, "beta")):
            if k in won:
                c.send("/quit")
                c.expect("* bye", skip=True)
            c.close()
        T.wait_for(lambda: "zed" not in (a.user_names() or ["zed"]) and
                   "zed" not in (b.user_names() or ["zed"]))
    if bad:     # what the sessions and bridges said of their claims
        for d in (a.dir, b.dir):
            for f in glob.glob(os.path.join(d, "*.log")):
                for line in open(f, errors="replace"):
                    if "claim" in line or "admitted" in line:
                        T.diag(line.rstrip())
        T.diag(repr(bad[:3]))
    both = [b_ for b_ in bad if len([1 for line in b_[1].values()
                                     if line and line.startswith("* welcome")]) > 1]
    T.is_(both, [], "the same name on two nodes at once, %d times: never both "
          "(alpha won %d, beta %d)" % (tries, wins["alpha"], wins["beta"]))
    T.ok(len(bad) <= tries // 20, "and one of them wins in %d of %d tries (%s)"
         % (tries - len(bad), tries, bad[:2]))


def lag_s(text):
    """The seconds of chatctl stats' "bridge lag: 1.5 s (...)", or -1."""
    try:
        return float(text.split()[0])
    except (IndexError, ValueError):
        return -1


def under_senders(a, ba, bb, ann, bob, senders=20, lines=100):
    """kill -9 alpha's bridge, then beta's, while 20 users of alpha talk:
    bob, on beta, gets every line once, in order per sender."""
    clients = []
    for k in range(senders):
        c = a.client("s%d" % k)
        c.login("s%d" % k)
        clients.append(c)
    start = threading.Barrier(senders + 1)

    def talk(c, k):
        start.wait()
        for i in range(lines):
            c.send("s%d %d" % (k, i))
            time.sleep(0.01)
    ts = [threading.Thread(target=talk, args=(c, k)) for k, c in enumerate(clients)]
    for t in ts:
        t.start()
    start.wait()
    time.sleep(0.3)
    ba.kill()
    restarted = ba.start()
    time.sleep(0.3)
    bb.kill()
    restarted = bb.start() and restarted
    for t in ts:
        t.join()
    T.ok(restarted, "alpha's bridge, then beta's, killed with -9 while %d users "
         "of alpha talk, and restarted" % senders)
    got = {k: [] for k in range(senders)}
    deadline = time.monotonic() + 30
    while sum(map(len, got.values())) < senders * lines and time.monotonic() < deadline:
        line = bob.read_line(timeout=10)
        if line is None or line is T.EOF:
            break
        words = line.split()
        if len(words) == 3 and words[0] == "<s%s>" % words[1][1:]:
            got[int(words[1][1:])].append(int(words[2]))
    bad = {k: v for k, v in got.items() if v != list(range(lines))}
    T.is_(bad, {}, "bob, on beta, gets all %d lines, each once and in order per sender"
          % (senders * lines))
    stray = [line for line in iter(lambda: bob.read_line(timeout=T.QUIET), None)
             if line.startswith("<s")]
    T.is_(stray, [], "and none twice")
    for c in clients:
        c.send("/quit")
        c.close()
    T.ok(T.wait_for(lambda: users(bob) == ["ann@alpha", "bob"]),
         "the senders' leaves cross")
    while ann.read_line(timeout=T.QUIET) is not None:
        pass        # what ann was sent meanwhile
    while bob.read_line(timeout=T.QUIET) is not None:
        pass


def main():
    if NATS is None:
        T.skip_all("nats-server is not installed")
    with T.Service(hub=False, accept=False) as base:
        nats = Nats(base)
        T.ok(nats.start_all(), "three nats-servers with JetStream, clustered, start")
        a, ba = node("alpha", nats.url(0))
        b, bb = node("beta", nats.url(1), duplicate_login="replace")
        with a, b:
            T.ok(ba.start(), "alpha's bridge is ready")
            T.ok(bb.start(), "beta's bridge is ready")
            ann = a.client("ann")
            ann.login("ann", others=0)
            T.ok(T.wait_for(lambda: "ann" in (b.user_names() or [])),
                 "beta knows ann of alpha")
            bob = b.client("bob")
            bob.login("bob", others=1)    # ann, on alpha
            ann.expect("* bob joined", "a join on beta is announced on alpha")
            ann.send("hello from alpha")
            bob.expect("<ann> hello from alpha", "a broadcast crosses alpha -> beta")
            bob.send("hello from beta")
            ann.expect("<bob> hello from beta", "and beta -> alpha")
            ann.expect_nothing("nothing comes back to its sender (no loop)")
            bob.expect_nothing("... on either side")

            # The other node's users are listed, with their node, and
            # reached by /msg.
            T.is_(users(ann), ["ann", "bob@beta"], "/users on alpha lists bob of beta")
            T.is_(users(bob), ["ann@alpha", "bob"], "/users on beta lists ann of alpha")
            ann.send("/msg bob psst")
            bob.expect("*ann* psst", "a private message crosses to the user's node")
            bob.send("/msg ann psst back")
            ann.expect("*bob* psst back", "and back")
            cy = b.client("cy")
            cy.login("cy", others=2)
            bob.expect("* cy joined", skip=True)
            ann.expect("* cy joined", "a third user's join is announced")
            cy.expect_nothing("cy is not sent ann and bob's private messages")
            cy.send("/quit")
            bob.expect("* cy left (quit)", skip=True)
            ann.expect("* cy left (quit)", "a leave crosses with its reason")
            T.is_(users(ann), ["ann", "bob@beta"], "... and cy is no longer listed")

            # The same name on two nodes at the same moment: one wins.
            race(a, b, 100)

            # A registered user online on alpha: beta (duplicate_login =
            # replace) moves the login there; alpha (refuse) refuses it.
            r1 = a.client("rita1")
            A.login(r1, "rita", RITA)
            T.ok(T.wait_for(lambda: "rita" in (b.user_names() or [])),
                 "beta knows rita of alpha")
            r2 = b.client("rita2")
            A.login(r2, "rita", RITA, desc="rita logs in on beta under replace")
            r1.expect(T.rx(r"^! closed: replaced by a new login from .* on node beta$"),
                      "the login on alpha is closed, saying by whom and where",
                      skip=True)
            r1.expect_eof("... and ends")
            T.ok(T.wait_for(lambda: users(ann) == ["ann", "bob@beta", "rita@beta"]),
                 "alpha now lists rita of beta")
            r3 = a.client("rita3")
            r3.send("rita")
            r3.expect(A.PASSWORD)
            r3.send(RITA)
            r3.expect("! already-online: rita is already logged in elsewhere",
                      "alpha (refuse) refuses rita, online on beta")
            r2.send("/quit")
            r2.expect("* bye", skip=True)
            T.ok(T.wait_for(lambda: "rita" not in (a.user_names() or ["rita"])),
                 "rita's leave reaches alpha")

            # A third node that starts later is shown who is online
            # (the roster), and its users reach the others.
            g, bg = node("gamma", nats.url(2))
            with g:
                T.ok(bg.start(), "gamma's bridge is ready")
                gus = g.client("gus")
                gus.login("gus", others=2)
                T.is_(users(gus), ["ann@alpha", "bob@beta", "gus"],
                      "a node that starts later lists the users already online")
                ann.expect("* gus joined", "and its users' joins reach the others",
                           skip=True)
                gus.send("hi all")
                ann.expect("<gus> hi all")
                bob.expect("* gus joined", skip=True)
                bob.expect("<gus> hi all", "a line from the third node reaches both")
                T.ok(T.wait_for(lambda: nodes(a) == {"beta": ("alive", 1),
                                                     "gamma": ("alive", 1)}),
                     "chatctl nodes on alpha: beta and gamma alive, a user each (%s)"
                     % nodes(a))

                # gamma dies: within node_timeout + 2 s its users leave.
                kill_node(g, bg)
                start = time.monotonic()
                ann.expect("* gus left (node lost)", timeout=TIMEOUT + 3,
                           desc="gamma killed: alpha shows its user leaving (node lost)")
                bob.expect("* gus left (node lost)", timeout=TIMEOUT + 3, skip=True,
                           desc="... and so does beta")
                T.ok(time.monotonic() - start <= TIMEOUT + 10,
                     "after %.1f s (the issue's aim: node_timeout %d s + 2 s)"
                     % (time.monotonic() - start, TIMEOUT))
                T.is_(nodes(a).get("gamma"), ("dead", 0), "chatctl nodes: gamma dead")
                T.like(a.stats().get("nodes found dead", ""), r"^[1-9]",
                       "chatctl stats counts it")
                T.is_(users(ann), ["ann", "bob@beta"], "gus is no longer listed")

                # gamma comes back: its users return when they log in.
                g.start_hub()
                g.port = g.start_activator()
                T.ok(bg.start(), "gamma's bridge starts again")
                T.ok(T.wait_for(lambda: (nodes(a) or {}).get("gamma", ("",))[0] ==
                                "alive"), "chatctl nodes: gamma alive again")
                gus = g.client("gus")
                gus.login("gus")
                ann.expect("* gus joined", "gus, back on gamma, is seen on alpha",
                           skip=True)
                T.is_(users(gus), ["ann@alpha", "bob@beta", "gus"],
                      "and gamma shows the others again, once")
                gus.send("/quit")
                ann.expect("* gus left (quit)", skip=True)
                bob.expect("* gus left (quit)", skip=True)

            # kill -9 alpha's bridge while ann talks; restart: every line
            # once, in order.
            ba.kill()
            T.is_(users(ann), ["ann", "bob@beta"],
                  "alpha's bridge dies: beta's users stay listed on alpha")
            for i in range(200):
                ann.send("while down %d" % i)
            T.ok(ba.start(), "alpha's bridge restarts after kill -9")
            T.is_(users(ann), ["ann", "bob@beta"],
                  "the new bridge takes them over: bob of beta is listed once")
            got = []
            deadline = time.monotonic() + 20
            while len(got) < 200 and time.monotonic() < deadline:
                line = bob.read_line(timeout=5)
                if line is None:
                    break
                got.append(line)
            T.is_(got, ["<ann> while down %d" % i for i in range(200)],
                  "every line sent while the bridge was down arrives once, in order")
            bob.expect_nothing("and nothing twice")

            # kill -9 beta's bridge with messages waiting for it.
            bb.kill()
            for i in range(50):
                ann.send("to a dead bridge %d" % i)
            time.sleep(0.5)
            T.ok(bb.start(), "beta's bridge restarts")
            got = [bob.read_line(timeout=10) for _ in range(50)]
            T.is_(got, ["<ann> to a dead bridge %d" % i for i in range(50)],
                  "its consumer gives it what it missed, once, in order")
            bob.expect_nothing("and nothing twice")

            under_senders(a, ba, bb, ann, bob)

            # The server alpha's bridge is connected to dies: it fails over
            # to another of the cluster, nothing lost.
            T.ok(nats.clients(0) > 0, "alpha's bridge is connected to server 0")
            nats.stop(0)
            start = time.monotonic()
            for i in range(100):
                ann.send("failover %d" % i)
            got = [bob.read_line(timeout=10) for _ in range(100)]
            T.is_(got, ["<ann> failover %d" % i for i in range(100)],
                  "server 0 killed: every line crosses, once, in order")
            # Tests assert no timings: a generous bound, the figure shown.
            T.ok(time.monotonic() - start < 20,
                 "they crossed %.1f s after the failover (the issue's aim: 5 s)"
                 % (time.monotonic() - start))
            bob.expect_nothing("and nothing twice")
            T.ok(nats.start(0), "server 0 starts again")

            # Every server down for 10 s: each node chats on its own, then
            # what was said crosses when the cluster is back.
            ann2 = a.client("ann2")
            ann2.login("ann2")
            ann.expect("* ann2 joined", skip=True)
            bob.expect("* ann2 joined", skip=True)
            nats.stop_all()
            for i in range(20):
                ann.send("while the bus is down %d" % i)
            ann2.expect("<ann> while the bus is down 19",
                        "the bus down: alpha's users go on chatting", skip=True)
            time.sleep(10)
            lag = a.stats().get("bridge lag", "")
            T.ok(lag_s(lag) >= 5, "chatctl stats shows the bridge's lag growing "
                 "while the bus is down (%s)" % lag)
            T.ok(nats.start_all(), "the cluster starts again after 10 s")
            got = []
            while len(got) < 20:
                line = bob.read_line(timeout=30)
                if line is None:
                    break
                if line.startswith("<ann>"):     # not joins: alpha may
                    got.append(line)            # have seemed dead a while
            T.is_(got, ["<ann> while the bus is down %d" % i for i in range(20)],
                  "then beta gets every line said meanwhile, once, in order")
            again = []
            while True:
                line = bob.read_line(timeout=T.QUIET)
                if line is None:
                    break
                if line.startswith("<ann>"):
                    again.append(line)
            T.is_(again, [], "and nothing twice")
            T.ok(T.wait_for(lambda: lag_s(a.stats().get("bridge lag", "")) == 0),
                 "and the bridge's lag is back to 0 (%s)" % a.stats().get("bridge lag"))
            bob.send("/quit")
            ann.expect("* bob left (quit)", "a leave on beta is announced on alpha",
                       skip=True)


T.main(main)

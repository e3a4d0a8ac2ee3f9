#!/usr/bin/env python3
# cluster-groups.t -- groups are one across the nodes of a cluster (three
# clustered nats-servers, two nodes, a third that starts later): a group
# made on one node is joined from another, its lines reach its members
# on every node exactly once and nobody else, a name is made on one node
# only (also when two nodes try at the same moment), one owner's kick,
# invitation and invite-only are enforced wherever the member is, the
# owner passes on when it leaves, a node that starts later knows the
# groups, and a dead node's members leave them.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_cluster import Nats, NATS, TIMEOUT, at_once, node, kill_node  # noqa: E402


def groups(client):
    """/groups as the list of its lines, each group's members sorted (a
    node lists them in the order of its slots)."""
    client.send("/groups")
    lines = [client.read_line(timeout=T.TIMEOUT)]
    while True:
        line = client.read_line(timeout=0.3)
        if line is None or line is T.EOF:
            break
        lines.append(line)
    return [sort_members(line) for line in lines if line and
            (line.startswith("* #") or line.startswith("* no groups"))]


def sort_members(line):
    head, sep, members = line.partition("): ")
    return head + sep + " ".join(sorted(members.split())) if sep else line


def create_race(a, b, tries):
    """tries times, a user on each node makes the same group at once."""
    bad = []
    for i in range(tries):
        name = "race%d" % i
        got = at_once({"a": (a, "/create_group " + name),
                       "b": (b, "/create_group " + name)})
        made = [k for k, line in got.items() if line and line.startswith("* created #")]
        refused = [k for k, line in got.items() if line and line.startswith("! group-exists")]
        if len(made) != 1 or len(refused) != 1:
            bad.append((i, got))
        for c, k in ((a, "a"), (b, "b")):
            if k in made:
                c.send("/leave_group " + name)
                c.expect("* left #" + name, skip=True)
    T.is_(bad, [], "a group made on both nodes at the same moment, %d times: "
          "exactly one is made each time" % tries)


def main():
    if NATS is None:
        T.skip_all("nats-server is not installed")
    with T.Service(hub=False, accept=False) as base:
        nats = Nats(base)
        T.ok(nats.start_all(), "three nats-servers with JetStream, clustered, start")
        a, ba = node("alpha", nats.url(0))
        b, bb = node("beta", nats.url(1))
        with a, b:
            T.ok(ba.start() and bb.start(), "alpha's and beta's bridges are ready")
            ann = a.client("ann")
            ann.login("ann")
            bob = b.client("bob")
            bob.login("bob")
            ann.expect("* bob joined", skip=True)
            cy = b.client("cy")
            cy.login("cy")
            ann.expect("* cy joined", skip=True)
            bob.expect("* cy joined", skip=True)

            # Made on alpha, joined from beta; lines reach members only.
            ann.send("/create_group dev")
            ann.expect("* created #dev; you own it", "ann makes #dev on alpha")
            T.ok(T.wait_for(lambda: any("#dev" in line for line in groups(bob))),
                 "beta knows #dev")
            bob.send("/join_group dev")
            bob.expect("* joined #dev (2 members)", "bob joins #dev from beta")
            ann.expect("* bob joined #dev", "ann, on alpha, is told")
            ann.send("/group_msg dev hello dev")
            bob.expect("#dev <ann> hello dev", "ann's group line reaches bob on beta")
            bob.send("/group_msg dev hi ann")
            ann.expect("#dev <bob> hi ann", "bob's reaches ann on alpha")
            cy.expect_nothing("cy, on beta but not a member, gets none of it")
            ann.expect_nothing("ann gets nothing twice")
            bob.expect_nothing("... nor does bob")
            T.is_(groups(cy), ["* #dev (owner ann, 2 members): ann bob"],
                  "/groups on beta: #dev, owned by ann of alpha, with both members")

            # A name is made once across the cluster.
            cy.send("/create_group dev")
            cy.expect(T.rx(r"^! group-exists: #dev already exists"),
                      "cy cannot make #dev on beta: it exists (made on alpha)")
            create_race(ann, cy, 20)

            # The owner's invite-only, invitation and kick hold on beta.
            ann.send("/invite_only dev on")
            ann.expect("* #dev is now invite-only")
            bob.expect("* ann made #dev invite-only", "bob is told on beta")
            cy.send("/join_group dev")
            cy.expect(T.rx(r"^! invite-only: #dev is invite-only"),
                      "beta refuses cy: #dev is invite-only (set on alpha)")
            bob.send("/invite dev cy")
            bob.expect("! not-owner: only the owner of #dev can do that",
                       "bob, not the owner, cannot invite on beta")
            ann.send("/invite dev cy")
            ann.expect("* invited cy to #dev")
            cy.expect("* ann invited you to #dev; /join_group dev to join",
                      "ann's invitation reaches cy on beta")
            cy.send("/join_group dev")
            cy.expect("* joined #dev (3 members)", "and lets cy join there")
            ann.expect("* cy joined #dev", skip=True)
            bob.expect("* cy joined #dev", skip=True)
            ann.send("/kick dev bob talking too much")
            ann.expect("* kicked bob from #dev")
            bob.expect("* ann kicked you from #dev (talking too much)",
                       "ann's kick reaches bob on beta")
            cy.expect("* ann kicked bob from #dev (talking too much)",
                      "and the members there")
            bob.send("/group_msg dev still here?")
            bob.expect("! not-member: you are not in #dev",
                       "bob, kicked on alpha, cannot send to #dev on beta")
            ann.expect_nothing("and nothing of his reaches alpha")

            # The owner leaves: the same new owner everywhere.
            ann.send("/leave_group dev")
            ann.expect("* left #dev")
            cy.expect_lines(["* ann left #dev", "* cy now owns #dev"],
                            "ann leaves #dev: cy, on beta, is told it owns it, once")
            cy.expect_nothing("nothing more")
            T.is_(groups(ann), ["* #dev (owner cy, invite-only, 1 member): cy"],
                  "alpha agrees: cy owns #dev")
            cy.send("/invite_only dev off")
            cy.expect("* #dev is now open to everyone", "cy, the owner now, opens it")
            T.ok(T.wait_for(lambda: groups(ann) == ["* #dev (owner cy, 1 member): cy"]),
                 "alpha has it open (the change crossed)")
            ann.send("/join_group dev")
            ann.expect("* joined #dev (2 members)", "ann joins again from alpha")
            cy.expect("* ann joined #dev", skip=True)

            # A node that starts later knows the groups and their members.
            g, bg = node("gamma", nats.url(2))
            with g:
                T.ok(bg.start(), "gamma's bridge is ready")
                gus = g.client("gus")
                gus.login("gus")
                T.is_(groups(gus), ["* #dev (owner cy, 2 members): ann cy"],
                      "gamma, started later, lists #dev with its owner and members")
                gus.send("/join_group dev")
                gus.expect("* joined #dev (3 members)", "gus joins #dev on gamma")
                ann.expect("* gus joined #dev", "ann is told on alpha", skip=True)
                cy.expect("* gus joined #dev", "cy is told on beta", skip=True)
                cy.send("/group_msg dev three nodes")
                gus.expect("#dev <cy> three nodes", "a line from beta reaches gamma")
                ann.expect("#dev <cy> three nodes", "and alpha", skip=True)

                # gamma dies: gus leaves #dev everywhere.
                kill_node(g, bg)
                ann.expect("* gus left #dev (node lost)", timeout=TIMEOUT + 10,
                           skip=True, desc="gamma dies: gus leaves #dev on alpha")
                cy.expect("* gus left #dev (node lost)", timeout=TIMEOUT + 10,
                          skip=True, desc="and on beta")
                ann.expect("* gus left (node lost)", skip=True)
                cy.expect("* gus left (node lost)", skip=True)
            T.is_(groups(bob), ["* #dev (owner cy, 2 members): ann cy"],
                  "#dev goes on with the members of the live nodes")

            # The last members leave: the name is free again everywhere.
            ann.send("/leave_group dev")
            ann.expect("* left #dev")
            cy.send("/leave_group dev")
            cy.expect("* left #dev", skip=True)
            deadline = time.monotonic() + 10
            made = None
            while time.monotonic() < deadline:
                bob.send("/create_group dev")
                made = bob.read_line(timeout=T.TIMEOUT)
                if made and made.startswith("* created"):
                    break
                time.sleep(0.2)
            T.is_(made, "* created #dev; you own it",
                  "once #dev has no member left, bob can make it again on beta")


T.main(main)

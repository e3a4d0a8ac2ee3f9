#!/usr/bin/env python3
# limits.t -- limits per user and per address (issue 17, finding 10).
# A user may own max_groups_per_user groups (default 8): the next
# /create_group gets "! too-many-owned", and the user chats on.  An
# address may hold max_pending_per_address connections (default 16) that
# have not logged in yet: the next one gets "! too-many-pending" and is
# closed, users already in notice nothing, and once one of them logs in
# or leaves a new connection is served again.  0 turns either limit off.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_faults as F  # noqa: E402

OWNED = 8
PENDING = 16
TOO_MANY_OWNED = ("! too-many-owned: a user may own at most %d groups; "
                  "/leave_group one of yours first")
TOO_MANY_PENDING = ("! too-many-pending: %d connections from your address have not "
                    "logged in yet, the most allowed; log in on one or close one, "
                    "then try again")


def owned(svc):
    gus = svc.client("gus")
    A.login(gus, "gus", others=0)
    ann = svc.client("ann")
    A.login(ann, "ann", others=1)
    gus.expect("* ann joined")
    for i in range(1, OWNED + 1):
        gus.send("/create_group g%d" % i)
        gus.expect("* created #g%d; you own it" % i)
    gus.send("/create_group g9")
    gus.expect(TOO_MANY_OWNED % OWNED,
               "a guest creating a group past max_groups_per_user (default %d) "
               "gets too-many-owned" % OWNED)
    T.is_(sorted(svc.group_members()), ["g%d" % i for i in range(1, OWNED + 1)],
          "chatctl groups: #g9 was not made")
    gus.send("still chatting")
    ann.expect("<gus> still chatting", "the guest still chats")
    ann.send("/create_group a1")
    ann.expect("* created #a1; you own it", "another user still creates groups")

    # Owning fewer makes room again: leaving passes the group on, or ends it.
    ann.send("/join_group g1")
    ann.expect("* joined #g1 (2 members)")
    gus.expect("* ann joined #g1")
    gus.send("/leave_group g1")
    gus.expect("* left #g1")
    ann.expect_lines(["* gus left #g1", "* ann now owns #g1"])
    gus.send("/create_group g9")
    gus.expect("* created #g9; you own it",
               "after passing one group on, the guest creates another")
    gus.send("/create_group g10")
    gus.expect(TOO_MANY_OWNED % OWNED, "... and no more")
    gus.send("/leave_group g2")
    gus.expect("* left #g2")
    gus.send("/create_group g10")
    gus.expect("* created #g10; you own it",
               "after its last member left a group, another can be made")
    # Ownership that comes by inheritance counts too.
    ann.send("/create_group a2")
    ann.expect("* created #a2; you own it")
    gus.send("/join_group a2")
    gus.expect("* joined #a2 (2 members)")
    ann.expect("* gus joined #a2")
    ann.send("/leave_group a2")
    ann.expect("* left #a2")
    gus.expect_lines(["* ann left #a2", "* gus now owns #a2"])
    gus.send("/create_group g11")
    gus.expect(TOO_MANY_OWNED % OWNED, "groups passed on to a user count as owned")
    for x in (gus, ann):
        x.close()
    T.ok(svc.wait_online([]), "everybody has left")


def logging_in(svc):
    s = F.slots_in_use(svc)
    return None if s is None else s[1]


def refused(svc, label, n, what):
    x = svc.client(label, prompt=False)
    x.expect(TOO_MANY_PENDING % n, what)
    x.expect_eof("... and is closed")
    x.close()


def pending(svc):
    amy = svc.client("amy")
    A.login(amy, "amy", others=0)
    bob = svc.client("bob")
    A.login(bob, "bob", others=1)
    amy.expect("* bob joined")
    waiting = [svc.client("p%d" % i) for i in range(PENDING)]
    T.is_(logging_in(svc), PENDING, "%d connections from 127.0.0.1 wait at the prompt"
          % PENDING)
    refused(svc, "x1", PENDING,
            "the next connection from 127.0.0.1 gets too-many-pending "
            "(max_pending_per_address, default %d)" % PENDING)
    refused(svc, "x2", PENDING, "and so does the one after")
    T.is_(logging_in(svc), PENDING, "the refused connections took no slot")
    amy.send("we are fine")
    bob.expect("<amy> we are fine", "the users already in chat on")
    amy.expect_nothing("amy noticed nothing of the refusals")

    # One logs in: its address may open another.
    A.login(waiting[0], "pat", others=2)
    for x in (amy, bob):
        x.expect("* pat joined")
    y = svc.client("y", prompt=False)
    T.is_(y.read_line(), "? name:",
          "once one of them logs in, a new connection gets the prompt")
    waiting.append(y)
    refused(svc, "x3", PENDING, "... and the next is refused again")

    # One leaves at the prompt: another is served once its slot is free.
    waiting[1].close()
    got, took = F.wait_value(lambda: logging_in(svc), PENDING - 1)
    T.is_(got, PENDING - 1, "a connection closed at the prompt frees its place")
    z = svc.client("z", prompt=False)
    T.is_(z.read_line(), "? name:", "... and a new connection gets the prompt")
    A.login(z, "zed", others=3)
    for x in (amy, bob, waiting[0]):
        x.expect("* zed joined")
    for x in (amy, bob):
        x.expect_nothing()


def settings():
    with A.Service(max_groups_per_user=2, max_pending_per_address=0) as svc:
        a = svc.client("a")
        A.login(a, "abe", others=0)
        a.send("/create_group one")
        a.expect("* created #one; you own it")
        a.send("/create_group two")
        a.expect("* created #two; you own it")
        a.send("/create_group three")
        a.expect(TOO_MANY_OWNED % 2, "max_groups_per_user = 2: the third is refused")
        waiting = [svc.client("p%d" % i) for i in range(PENDING + 4)]
        T.is_(logging_in(svc), PENDING + 4, "max_pending_per_address = 0: %d "
              "connections from one address wait at the prompt" % (PENDING + 4))
        for x in waiting:
            x.close()
    with A.Service(max_pending_per_address=1, max_groups_per_user=0) as svc:
        p = svc.client("p")
        refused(svc, "q", 1, "max_pending_per_address = 1: a second connection is refused")
        A.login(p, "pam", others=0)
        for i in range(12):
            p.send("/create_group c%d" % i)
            p.expect("* created #c%d; you own it" % i)
        T.ok(True, "max_groups_per_user = 0: no limit (12 groups)")


def main():
    with A.Service() as svc:
        owned(svc)
        pending(svc)
    settings()


T.main(main)

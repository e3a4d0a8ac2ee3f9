#!/usr/bin/env python3
# groups.t -- the seed scenario end to end (alice and bob imported from a
# plain file, testgroup created, joined, used, left, gone), then every
# group command and error: kick, invite-only and invite, ownership passing
# to the longest member, notices to members only, max_groups and
# max_group_members.
import os
import re
import stat
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

# What a user outside every group may see: joins and leaves of users.
GLOBAL = T.rx(r"^\* [A-Za-z][A-Za-z0-9_.-]* (joined|left \(.*\))$")


def seed(svc):
    """The seed's scenario over sockets, with the accounts imported from
    the plain name:password file it used."""
    plain = svc.write_plain("alice:password123\nbob:qwerty456\n")
    r = svc.chatctl("import", plain, timeout=60)
    T.is_(r.returncode, 0, "chatctl import of the plain seed file exits 0")
    T.like(r.stdout, r"^imported 2 users into " + re.escape(svc.users_file),
           "... and says it imported 2 users into the users file")
    text = svc.users_file_text()
    T.ok("password123" not in text and "qwerty456" not in text,
         "the users file holds no plain password")
    T.is_(sorted(l.split(":", 1)[0] for l in text.splitlines()), ["alice", "bob"],
          "the users file has one line per imported user")
    T.ok(all(re.match(r"^[a-z]+:\$y\$\S+$", l) for l in text.splitlines()),
         "every line is name:yescrypt-hash")
    T.is_(oct(stat.S_IMODE(os.stat(svc.users_file).st_mode)), oct(0o640),
          "the users file has mode 0640")

    a = svc.client("alice")
    A.login(a, "alice", "password123", others=0)
    a.send("/create_group testgroup")
    a.expect("* created #testgroup; you own it", "alice creates testgroup and owns it")
    b = svc.client("bob")
    A.login(b, "bob", "qwerty456", others=1)
    a.expect("* bob joined")
    b.send("/join_group testgroup")
    b.expect("* joined #testgroup (2 members)", "bob joins testgroup (2 members)")
    a.expect("* bob joined #testgroup", "alice is told bob joined testgroup")
    a.send("/group_msg testgroup Hello group")
    b.expect("#testgroup <alice> Hello group", "bob gets alice's 'Hello group'")
    b.send("/group_msg testgroup Hello from Bob")
    a.expect("#testgroup <bob> Hello from Bob",
             "alice's next line is bob's 'Hello from Bob' (not her own line)")
    a.send("/leave_group testgroup")
    a.expect("* left #testgroup", "alice leaves testgroup")
    b.expect_lines(["* alice left #testgroup", "* bob now owns #testgroup"],
                   "bob sees alice leave and becomes the owner")
    b.send("/group_msg testgroup anyone here?")
    b.send("/groups")
    b.expect("* #testgroup (owner bob, 1 member): bob",
             "bob's next line is /groups (not his own group line): bob owns, alone")
    a.expect_nothing("alice gets nothing of testgroup after she left")
    b.send("/leave_group testgroup")
    b.expect("* left #testgroup", "bob leaves testgroup")
    a.send("/groups")
    a.expect(A.NO_GROUPS, "/groups: testgroup is gone once empty")
    r = svc.chatctl("groups")
    T.is_(r.stdout.splitlines()[1:], [], "chatctl groups lists no group")
    T.is_(svc.json("groups"), [], "chatctl groups --json is []")
    b.send("/join_group testgroup")
    b.expect("! no-such-group: there is no group #testgroup",
             "joining the deleted group: no-such-group")
    a.expect_nothing("alice saw nothing else")
    b.expect_nothing("bob saw nothing else")
    a.send("/quit")
    a.expect("* bye")
    b.expect("* alice left (quit)")
    b.send("/quit")
    b.expect("* bye")


def errors(svc):
    """Every group error, one line each, the connection usable after."""
    a = svc.client("a")
    A.login(a, "amy")
    b = svc.client("b")
    A.login(b, "ben")
    c = svc.client("c")
    A.login(c, "cat")
    a.expect_lines(["* ben joined", "* cat joined"])
    b.expect("* cat joined")
    for cmd, usage in (("/create_group", "/create_group <group>"),
                       ("/join_group", "/join_group <group>"),
                       ("/leave_group", "/leave_group <group>"),
                       ("/group_msg", "/group_msg <group> <text>"),
                       ("/group_msg g1", "/group_msg <group> <text>"),
                       ("/kick", "/kick <group> <user> [reason]"),
                       ("/kick g1", "/kick <group> <user> [reason]"),
                       ("/invite g1", "/invite <group> <user>"),
                       ("/invite_only g1", "/invite_only <group> on|off"),
                       ("/invite_only g1 maybe", "/invite_only <group> on|off")):
        a.send(cmd)
        a.expect("! missing-argument: usage: " + usage, "%r: missing-argument" % cmd)
    for bad in ("1abc", "a/b", "x" * 33, "-dash", "#", "caf\u00e9"):
        a.send("/create_group " + bad)
        a.expect("! bad-group-name: a group name is 1-32 letters, digits, '_', '-' "
                 "or '.', starting with a letter", "/create_group %r: bad-group-name" % bad)
        a.send("/join_group " + bad)
        a.expect(T.rx(r"^! bad-group-name: "), "/join_group %r: bad-group-name" % bad)
    a.send("/create_group #g1")
    a.expect("* created #g1; you own it", "'#g1' names the group g1")
    for name in ("g1", "#g1", "G1"):
        a.send("/create_group " + name)
        a.expect(T.rx(r"^! group-exists: #%s already exists; /join_group %s$" % (
            re.escape(name.lstrip("#")), re.escape(name.lstrip("#")))),
            "/create_group %s again: group-exists" % name)
    a.send("/join_group g1")
    a.expect("! already-member: you are already in #g1", "joining one's own group: already-member")
    for cmd in ("/join_group nosuch", "/leave_group nosuch", "/group_msg nosuch hi",
                "/kick nosuch ben", "/invite nosuch ben", "/invite_only nosuch on"):
        a.send(cmd)
        a.expect("! no-such-group: there is no group #nosuch", "%r: no-such-group" % cmd)
    b.send("/leave_group g1")
    b.expect("! not-member: you are not in #g1", "leaving a group one is not in: not-member")
    b.send("/group_msg g1 let me in")
    b.expect("! not-member: you are not in #g1", "sending to a group one is not in: not-member")
    b.send("/kick g1 amy")
    b.expect("! not-member: you are not in #g1", "a non-member cannot kick: not-member")
    b.send("/join_group G1")
    b.expect("* joined #g1 (2 members)", "group names are matched without regard to case")
    a.expect("* ben joined #g1")
    for cmd in ("/kick g1 amy", "/invite g1 cat", "/invite_only g1 on"):
        b.send(cmd)
        b.expect("! not-owner: only the owner of #g1 can do that",
                 "a member who is not the owner: %r gets not-owner" % cmd)
    a.send("/kick g1 nobody")
    a.expect("! no-such-user: there is no user named nobody", "kicking an unknown user: no-such-user")
    a.send("/invite g1 nobody")
    a.expect("! no-such-user: there is no user named nobody", "inviting an unknown user: no-such-user")
    a.send("/kick g1 amy")
    a.expect("! bad-target: you cannot kick yourself; /leave_group g1",
             "the owner kicking itself: bad-target")
    a.send("/kick g1 cat")
    a.expect("! not-member: cat is not in #g1", "kicking a non-member: not-member")
    a.send("/invite g1 ben")
    a.expect("! already-member: ben is already in #g1", "inviting a member: already-member")
    a.send("/nosuch_group_cmd g1")
    a.expect(T.rx(r"^! unknown-command: /nosuch_group_cmd "), "unknown-command")
    # Still usable after all of that.
    a.send("/group_msg g1 still works")
    b.expect("#g1 <amy> still works", "after the errors the group still works")
    for x in (a, b):
        x.expect_nothing("%s got one line per error, nothing more" % x.label)
    c.expect_nothing("cat (in no group) saw nothing of any of it")
    a.send("/quit")
    a.expect("* bye")
    a.expect_eof()
    b.expect_lines(["* amy left #g1 (quit)", "* ben now owns #g1", "* amy left (quit)"],
                   "the owner quits: the member sees the group leave with the reason, "
                   "the new owner, then the global leave")
    c.expect("* amy left (quit)", "the non-member sees only the global leave")
    b.close()
    c.expect("* ben left (connection closed)")
    c.close()


def kick_invite_owner(svc):
    """Kick with a reason, invite-only and invite, ownership passing."""
    a = svc.client("a")
    A.login(a, "alice", "password123")
    b = svc.client("b")
    A.login(b, "bob", "qwerty456")
    c = svc.client("c")
    A.login(c, "carol")
    d = svc.client("d")
    A.login(d, "dave")
    e = svc.client("e")
    A.login(e, "eve")       # never in a group: sees none of it
    a.expect_lines(["* bob joined", "* carol joined", "* dave joined", "* eve joined"])
    b.expect_lines(["* carol joined", "* dave joined", "* eve joined"])
    c.expect_lines(["* dave joined", "* eve joined"])
    d.expect("* eve joined")

    a.send("/create_group team")
    a.expect("* created #team; you own it")
    b.send("/join_group team")
    b.expect("* joined #team (2 members)")
    a.expect("* bob joined #team")
    c.send("/join_group team")
    c.expect("* joined #team (3 members)")
    a.expect("* carol joined #team")
    b.expect("* carol joined #team")

    # Kick with a reason; and without.
    a.send("/kick team carol spamming the group")
    a.expect("* kicked carol from #team", "the owner is told the kick happened")
    c.expect("* alice kicked you from #team (spamming the group)",
             "the kicked user is told by whom, from where and why")
    b.expect("* alice kicked carol from #team (spamming the group)",
             "the other member sees the kick with its reason")
    c.send("/group_msg team am I still here")
    c.expect("! not-member: you are not in #team", "the kicked user is no longer a member")
    a.send("/group_msg team after the kick")
    b.expect("#team <alice> after the kick")
    c.expect_nothing("the kicked user gets no more of the group")
    c.send("/join_group team")
    c.expect("* joined #team (3 members)", "a kicked user may join again (the group is open)")
    a.expect("* carol joined #team")
    b.expect("* carol joined #team")
    a.send("/kick #team carol")
    a.expect("* kicked carol from #team")
    c.expect("* alice kicked you from #team (no reason given)", "a kick without a reason says so")
    b.expect("* alice kicked carol from #team (no reason given)")

    # Invite-only.
    a.send("/invite_only team on")
    a.expect("* #team is now invite-only", "the owner makes the group invite-only")
    b.expect("* alice made #team invite-only", "the member is told")
    c.send("/join_group team")
    c.expect("! invite-only: #team is invite-only; ask its owner for an invite",
             "joining an invite-only group uninvited: invite-only")
    b.send("/groups")
    b.expect("* #team (owner alice, invite-only, 2 members): alice bob",
             "/groups shows the group as invite-only")
    r = svc.json("groups")
    T.is_(r, [{"name": "team", "owner": "alice", "invite_only": True,
               "members": ["alice", "bob"]}], "chatctl groups --json: invite_only true")
    a.send("/invite team carol")
    a.expect("* invited carol to #team", "the owner invites carol")
    c.expect("* alice invited you to #team; /join_group team to join",
             "carol is told of the invitation")
    b.expect_nothing("an invitation is not announced to the members")
    c.send("/join_group team")
    c.expect("* joined #team (3 members)", "the invited user can join")
    a.expect("* carol joined #team")
    b.expect("* carol joined #team")
    c.send("/leave_group team")
    c.expect("* left #team")
    a.expect("* carol left #team")
    b.expect("* carol left #team")
    c.send("/join_group team")
    c.expect(T.rx(r"^! invite-only: "), "an invitation is used up by the join")
    a.send("/invite_only team off")
    a.expect("* #team is now open to everyone")
    b.expect("* alice made #team open to everyone")
    c.send("/join_group team")
    c.expect("* joined #team (3 members)", "an open group can be joined again")
    a.expect("* carol joined #team")
    b.expect("* carol joined #team")
    d.send("/join_group team")
    d.expect("* joined #team (4 members)")
    for x in (a, b, c):
        x.expect("* dave joined #team")

    # Ownership: the owner leaves, the longest member (bob) owns.
    a.send("/leave_group team")
    a.expect("* left #team")
    for x in (b, c, d):
        x.expect_lines(["* alice left #team", "* bob now owns #team"],
                       "%s: alice leaves, bob (the longest member) now owns" % x.label)
    c.send("/kick team dave")
    c.expect("! not-owner: only the owner of #team can do that", "carol is not the owner")
    b.send("/invite_only team on")
    b.expect("* #team is now invite-only", "the new owner has the owner's rights")
    c.expect("* bob made #team invite-only")
    d.expect("* bob made #team invite-only")
    a.send("/join_group team")
    a.expect(T.rx(r"^! invite-only: "), "the former owner is not invited back")
    # bob leaves: carol (joined before dave) owns.
    b.send("/leave_group team")
    b.expect("* left #team")
    for x in (c, d):
        x.expect_lines(["* bob left #team", "* carol now owns #team"],
                       "%s: bob leaves, carol (joined before dave) now owns" % x.label)
    # The owner disconnects: dave owns; the group notice comes before the
    # global leave.
    c.close()
    d.expect_lines(["* carol left #team (connection closed)", "* dave now owns #team",
                    "* carol left (connection closed)"],
                   "the owner's connection closes: dave is told in the group, then globally")
    for x in (a, b):
        x.expect("* carol left (connection closed)",
                 "%s (not a member) sees only the global leave" % x.label)
    d.send("/groups")
    d.expect("* #team (owner dave, invite-only, 1 member): dave")
    d.send("/leave_group team")
    d.expect("* left #team")
    d.send("/groups")
    d.expect(A.NO_GROUPS, "the last member left: the group is gone")

    # Members only: eve, in no group, saw only joins and leaves of users.
    seen = A.read_all(e)
    T.ok(seen and all(GLOBAL.search(l) for l in seen),
         "eve (in no group) saw no group message and no group notice")
    T.diag(*["eve saw: %r" % l for l in seen if not GLOBAL.search(l)])
    for x in (a, b, d):
        x.expect_nothing()
    for x in (a, b, d, e):
        x.close()
    T.ok(svc.wait_online([]), "everybody has left")


def announcements(svc):
    """Two groups side by side: each group's messages and notices reach
    its members and nobody else (every client's whole stream is checked:
    each expect is of the next line)."""
    names = ["ann", "bea", "cid", "dot", "out"]
    cl = {}
    for i, n in enumerate(names):
        cl[n] = svc.client(n)
        A.login(cl[n], n, others=i)
        for m in names[:i]:
            cl[m].expect("* %s joined" % n)
    ann, bea, cid, dot, out = (cl[n] for n in names)
    ann.send("/create_group red")
    ann.expect("* created #red; you own it")
    cid.send("/create_group blue")
    cid.expect("* created #blue; you own it")
    bea.send("/join_group red")
    bea.expect("* joined #red (2 members)")
    ann.expect("* bea joined #red", "red's owner sees bea join red")
    dot.send("/join_group blue")
    dot.expect("* joined #blue (2 members)")
    cid.expect("* dot joined #blue", "blue's owner sees dot join blue")
    bea.send("/join_group blue")
    bea.expect("* joined #blue (3 members)")
    cid.expect("* bea joined #blue")
    dot.expect("* bea joined #blue")
    ann.send("/group_msg red to red")
    bea.expect("#red <ann> to red", "red's message reaches red's other member")
    dot.send("/group_msg blue to blue")
    cid.expect("#blue <dot> to blue", "blue's message reaches blue's members (cid)")
    bea.expect("#blue <dot> to blue", "blue's message reaches blue's members (bea)")
    bea.send("/group_msg red bea to red")
    ann.expect("#red <bea> bea to red")
    bea.send("/group_msg #blue bea to blue")
    cid.expect("#blue <bea> bea to blue")
    dot.expect("#blue <bea> bea to blue")
    cid.send("/leave_group blue")
    cid.expect("* left #blue")
    for x in (dot, bea):
        x.expect_lines(["* cid left #blue", "* dot now owns #blue"],
                       "%s: cid left blue, dot owns it" % x.label)
    bea.send("/leave_group red")
    bea.expect("* left #red")
    ann.expect("* bea left #red")
    ann.send("/quit")
    ann.expect("* bye")
    for x in (bea, cid, dot, out):
        x.expect("* ann left (quit)",
                 "%s: the next line is ann's global leave (nothing of red's deletion)" % x.label)
    for x in (bea, cid, dot, out):
        x.expect_nothing("%s got nothing more" % x.label)
    T.ok(True, "the outsider (in no group) got none of red's or blue's lines: "
         "its only lines were joins and ann's leave")
    for x in (bea, cid, dot, out):
        x.close()


def invite_ends(svc):
    """An invitation is for that login: it ends when the user disconnects.
    Group names keep the case they were created with."""
    a = svc.client("a")
    A.login(a, "alice", "password123", others=0)
    b = svc.client("b")
    A.login(b, "bob", "qwerty456", others=1)
    a.expect("* bob joined")
    a.send("/create_group VIP")
    a.expect("* created #VIP; you own it")
    a.send("/invite_only vip ON")
    a.expect("* #VIP is now invite-only", "on/off are case-insensitive; answers name the group as created")
    a.send("/invite vip bob")
    a.expect("* invited bob to #VIP")
    b.expect("* alice invited you to #VIP; /join_group VIP to join",
             "the invitation names the group as it was created")
    b.close()
    a.expect("* bob left (connection closed)")
    b = svc.client("b2")
    A.login(b, "bob", "qwerty456", others=1)
    a.expect("* bob joined")
    b.send("/join_group vip")
    b.expect("! invite-only: #vip is invite-only; ask its owner for an invite",
             "an invitation ends when the invited user disconnects")
    a.send("/invite vip bob")
    a.expect("* invited bob to #VIP")
    b.expect("* alice invited you to #VIP; /join_group VIP to join")
    b.send("/join_group vip")
    b.expect("* joined #VIP (2 members)", "the join answer names the group as created")
    a.expect("* bob joined #VIP")
    b.send("/group_msg vip hi")
    a.expect("#VIP <bob> hi", "group lines carry the group's name as created")
    for x in (a, b):
        x.close()
    T.ok(svc.wait_online([]), "everybody has left")


def limits():
    with A.Service(max_groups=2, max_group_members=2) as svc:
        a = svc.client("a")
        A.login(a, "amy")
        b = svc.client("b")
        A.login(b, "ben")
        c = svc.client("c")
        A.login(c, "cy")
        a.expect_lines(["* ben joined", "* cy joined"])
        b.expect("* cy joined")
        a.send("/create_group one")
        a.expect("* created #one; you own it")
        b.send("/create_group two")
        b.expect("* created #two; you own it")
        c.send("/create_group three")
        c.expect("! too-many-groups: the server has 2 groups, the most allowed",
                 "max_groups = 2: a third group gets too-many-groups")
        b.send("/join_group one")
        b.expect("* joined #one (2 members)")
        a.expect("* ben joined #one")
        c.send("/join_group one")
        c.expect("! group-full: #one has 2 members, the most allowed",
                 "max_group_members = 2: a third member gets group-full")
        a.send("/invite_only one on")
        a.expect("* #one is now invite-only")
        b.expect("* amy made #one invite-only")
        a.send("/invite one cy")
        a.expect("* invited cy to #one", "a full group can still invite")
        c.expect("* amy invited you to #one; /join_group one to join")
        c.send("/join_group one")
        c.expect(T.rx(r"^! group-full: "), "... but the invited user still finds it full")
        b.send("/leave_group two")
        b.expect("* left #two")
        c.send("/create_group three")
        c.expect("* created #three; you own it",
                 "after a group is deleted (its last member left) a new one can be made")
        b.send("/leave_group one")
        b.expect("* left #one")
        a.expect("* ben left #one")
        c.send("/join_group one")
        c.expect("* joined #one (2 members)", "after a member left, the invited user can join")
        r = svc.json("stats")
        T.ok(r is not None and r.get("groups") == 2 and r.get("max_groups") == 2,
             "chatctl stats --json: 2 groups, max_groups 2")
        T.is_(svc.group_members(), {"one": ["amy", "cy"], "three": ["cy"]},
              "chatctl groups --json: the membership that the commands made")
        a.expect("* cy joined #one")
        for x in (a, b, c):
            x.expect_nothing()


def main():
    with A.Service() as svc:
        seed(svc)
        errors(svc)
        kick_invite_owner(svc)
        announcements(svc)
        T.ok(svc.wait_online([]), "everybody has left")
        invite_ends(svc)
    limits()


T.main(main)

#!/usr/bin/env python3
# big-answers.t -- /groups and /users never cost the asker its connection
# (issue 17, finding 9).  With max_sendq at its minimum (4096 bytes) and
# more groups, users and members than that holds, each answer is cut to
# fit, ends with a notice counting what was left out, and the asker goes
# on chatting; a PREFIX argument lists the rest.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

SENDQ = 4096
CREATORS = 6            # each owns 8 groups (the default max_groups_per_user)
PER_CREATOR = 8
FILLERS = 120           # 32-byte names: /users is then over 4096 bytes

GROUP_LINE = re.compile(r"^\* #(\S+) \(owner (\S+)(, invite-only)?, (\d+) members?\):((?: \S+)*)$")
MORE_GROUPS = re.compile(r"^\* (\d+) more groups? not shown; /groups PREFIX lists only "
                         r"the groups whose names start with PREFIX$")
MORE_USERS = re.compile(r"^\* (\d+) more users? not shown; /users PREFIX lists only "
                        r"the users whose names start with PREFIX$")
MORE_MEMBERS = re.compile(r"^\* (\d+) more members? of #(\S+) not shown$")
CLOSED = re.compile(r"^! closed: ")


def pad(prefix, ch):
    """A 32-byte name starting with prefix."""
    return prefix + ch * (32 - len(prefix))


def creator_name(k):
    return pad("c%d" % k, "x")


def group_name(k, j):
    return pad("g%dn%d" % (k, j), "z")


def filler_name(i):
    return pad("f%03d" % i, "y")


def answer(client, last, what):
    """The lines of an answer up to the one matching last (or a closing
    error, or nothing more); (lines, matched)."""
    lines = []
    while True:
        line = client.read_line()
        if line is None or line is T.EOF:
            T.diag("%s: after %d lines: %r" % (what, len(lines), line))
            return lines, False
        lines.append(line)
        if CLOSED.search(line):
            T.diag("%s: %s" % (what, line))
            return lines, False
        if last.search(line):
            return lines, True


def still_chats(asker, other, what):
    asker.send("still here after " + what)
    other.expect("<asker> still here after " + what,
                 "after %s the asker still chats" % what, skip=True)
    other.send("hello asker after " + what)
    asker.expect("<%s> hello asker after %s" % (other.name, what),
                 "... and still receives")


def groups(svc, asker, creators):
    asker.send("/groups")
    lines, matched = answer(asker, MORE_GROUPS, "/groups")
    T.ok(matched, "/groups of %d groups with max_sendq %d: the asker gets a "
         "'more groups not shown' notice, not SendQ exceeded"
         % (CREATORS * PER_CREATOR, SENDQ))
    if not matched:
        return
    shown = [GROUP_LINE.match(x) for x in lines[:-1]]
    T.ok(all(shown) and len(shown) > 0,
         "the %d lines before it are whole group lines in the usual form" % len(shown))
    more = int(MORE_GROUPS.match(lines[-1]).group(1))
    T.is_(len(shown) + more, CREATORS * PER_CREATOR,
          "the lines shown and the groups counted add up to every group")
    size = sum(len(x) + 1 for x in lines)
    T.ok(size <= SENDQ, "the whole answer (%d bytes) fits in max_sendq" % size)
    asker.expect_nothing("nothing follows the notice")
    still_chats(asker, creators[0], "/groups")

    # A prefix lists the rest.
    asker.send("/groups g5n")
    want = sorted(group_name(5, j) for j in range(PER_CREATOR))
    got = []
    for _ in range(PER_CREATOR):
        m = GROUP_LINE.match(asker.read_line() or "")
        got.append(m.group(1) if m else None)
    T.is_(sorted(got, key=str), want, "/groups g5n: the 8 groups whose names start with g5n")
    asker.expect_nothing("... with no notice: they all fitted")
    asker.send("/groups #G5N7")
    asker.expect("* #%s (owner %s, 1 member): %s" % (group_name(5, 7), creator_name(5),
                                                        creator_name(5)),
                 "/groups #G5N7: any case, '#' allowed, one group")
    asker.send("/groups nosuch")
    asker.expect("* no groups start with that; /groups lists them all",
                 "/groups with a prefix nothing starts with")


def users(svc, asker, others, total):
    asker.send("/users")
    lines, matched = answer(asker, MORE_USERS, "/users")
    T.ok(matched, "/users of %d users with 32-byte names: a 'more users not shown' "
         "notice, not SendQ exceeded" % total)
    if not matched:
        return
    m = re.match(r"^\* users \((\d+)\):((?: \S+)*)$", lines[0])
    T.ok(m is not None and len(lines) == 2, "one users line, then the notice")
    if m is None:
        return
    T.is_(int(m.group(1)), total, "the users line still counts every user")
    listed = m.group(2).split()
    more = int(MORE_USERS.match(lines[-1]).group(1))
    T.is_(len(listed) + more, total, "names listed and users counted add up")
    T.ok(sum(len(x) + 1 for x in lines) <= SENDQ, "the answer fits in max_sendq")
    still_chats(asker, others[0], "/users")
    asker.send("/users F01")
    T.is_(asker.read_line(),
          "* users (10): " + " ".join(filler_name(i) for i in range(10, 20)),
          "/users F01: the 10 users whose names start with f01 (any case)")
    asker.expect_nothing("... with no notice")


def members(svc, asker, others):
    asker.send("/groups big")
    lines, matched = answer(asker, MORE_MEMBERS, "/groups big")
    T.ok(matched, "/groups of one group with %d members: a 'more members of #big "
         "not shown' notice" % (FILLERS + 1))
    if not matched:
        return
    m = GROUP_LINE.match(lines[0])
    T.ok(m is not None and len(lines) == 2 and m.group(4) == str(FILLERS + 1),
         "one group line with its full member count, then the notice")
    if m is None:
        return
    listed = m.group(5).split()
    mm = MORE_MEMBERS.match(lines[-1])
    T.is_((int(mm.group(1)) + len(listed), mm.group(2)), (FILLERS + 1, "big"),
          "members listed and members counted add up")
    asker.expect_nothing("and no 'more groups' notice: the group itself was listed")
    still_chats(asker, others[0], "/groups big")


def main():
    with A.Service(max_sendq=SENDQ, max_groups=64) as svc:
        creators = []
        for k in range(CREATORS):
            c = svc.client("c%d" % k)
            A.login(c, creator_name(k))
            for j in range(PER_CREATOR):
                c.send("/create_group " + group_name(k, j))
                c.expect("* created #%s; you own it" % group_name(k, j), skip=True)
            creators.append(c)
        asker = svc.client("asker")
        A.login(asker, "asker")
        T.ok(True, "%d groups made by %d users" % (CREATORS * PER_CREATOR, CREATORS))
        groups(svc, asker, creators)

        fillers = []
        for i in range(FILLERS):
            f = svc.client("f%d" % i)
            A.login(f, filler_name(i))
            fillers.append(f)
        asker.expect("* %s joined" % filler_name(FILLERS - 1), skip=True)
        users(svc, asker, creators, CREATORS + 1 + FILLERS)

        asker.send("/create_group big")
        asker.expect("* created #big; you own it")
        for f in fillers:
            f.send("/join_group big")
            f.expect(T.rx(r"^\* joined #big \("), skip=True)
        asker.expect("* %s joined #big" % filler_name(FILLERS - 1), skip=True)
        members(svc, asker, creators)

        T.ok(svc.hub.poll() is None and len(svc.user_names()) == CREATORS + 1 + FILLERS,
             "the hub is up and nobody was disconnected")


T.main(main)

#!/usr/bin/env python3
# utf8-limits.t -- client text cut to a limit stays valid UTF-8.
#
# Every place the server cuts text a client chose to a fixed length: a
# /kick reason (120 bytes, and less when the notice would pass max_line),
# a /quit reason ("quit: REASON" in 127 bytes) in the group leave notice,
# and the command name an unknown-command error echoes (64 bytes).  For
# each limit a 2-, 3- and 4-byte character is put at every offset around
# it (and around the fixed buffers the server used to cut in), and every
# line every member receives must be valid UTF-8 (decoded strictly), end
# with the closing ")", and carry a prefix of what was sent, no longer
# than the documented limit.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

CHARS = {2: "\u00e9", 3: "\u20ac", 4: "\U0001F600"}
KICK_MAX = 120          # doc/protocol.md, /kick
QUIT_MAX = 127          # "quit: REASON" fits in 127 bytes
UNKNOWN_MAX = 64        # the name an unknown-command error shows


def valid(line):
    """Is line (read with surrogate escapes) valid UTF-8?"""
    try:
        line.encode("utf-8", "surrogateescape").decode("utf-8", "strict")
        return True
    except UnicodeError:
        return False


def raw(s):
    return s.encode("utf-8", "surrogateescape")


def offsets(limit, width):
    """Where to put a width-byte character so it ends just before, on,
    across and just after limit."""
    return range(max(0, limit - width - 2), limit + 2)


class Report:
    """Failures of one sweep, reported as one test with the first few."""

    def __init__(self, what):
        self.what, self.bad = what, []

    def check(self, cond, why):
        if not cond:
            self.bad.append(why)
        return cond

    def done(self):
        T.ok(not self.bad, self.what)
        T.diag(*self.bad[:6])
        if len(self.bad) > 6:
            T.diag("... %d more" % (len(self.bad) - 6))


def check_reason(rep, where, line, head, sent, limit):
    """line must be head + a prefix of sent (at most limit bytes) + ")"."""
    if line is None:
        rep.check(False, "%s: no line" % where)
        return
    if not rep.check(valid(line), "%s: not valid UTF-8: %r" % (where, line)):
        return
    if not rep.check(line.startswith(head) and line.endswith(")"),
                     "%s: not '%s...)': %r" % (where, head, line)):
        return
    got = raw(line[len(head):-1])
    rep.check(raw(sent).startswith(got) and len(got) <= limit,
              "%s: reason of %d bytes, not a prefix of the %d sent of at most %d"
              % (where, len(got), len(raw(sent)), limit))


def kicks(svc, a, b, c, limits, reason_max, what):
    """alice kicks bob from #dev with reasons sweeping each limit; bob,
    carl and alice check every line; bob joins again."""
    for width, ch in sorted(CHARS.items()):
        rep = Report("%s: /kick reasons with a %d-byte character around %s: every "
                     "line valid UTF-8, ending with ')', at most %d bytes of reason"
                     % (what, width, "/".join(map(str, limits)), reason_max))
        for limit in limits:
            for k in offsets(limit, width):
                reason = "x" * k + ch + "yz"
                a.send("/kick dev bob " + reason)
                where = "%d-byte character at %d" % (width, k)
                got = a.expect_lines(["* kicked bob from #dev"], "kick answer")
                if got:
                    rep.check(valid(got[0]), "%s: alice's answer" % where)
                check_reason(rep, where + " (bob)", b.read_line(),
                             "* alice kicked you from #dev (", reason, reason_max)
                check_reason(rep, where + " (carl)", c.read_line(),
                             "* alice kicked bob from #dev (", reason, reason_max)
                b.send("/join_group dev")
                b.expect("* joined #dev (3 members)", "bob joins again")
                a.expect("* bob joined #dev", "alice sees bob join again")
                c.expect("* bob joined #dev", "carl sees bob join again")
        rep.done()


def quits(svc, a, c, what, limit, group_max, global_max):
    """bob logs in, joins #dev and quits with reasons sweeping limit;
    alice and carl, members of #dev, check the group and the global
    leave (reasons of at most group_max and global_max bytes)."""
    for width, ch in sorted(CHARS.items()):
        rep = Report("%s: /quit reasons with a %d-byte character around %d: the "
                     "group and the global leave are valid UTF-8 and end with ')'"
                     % (what, width, limit))
        for k in offsets(limit, width):
            reason = "x" * k + ch + "yz"
            b = svc.client("b")
            b.login("bob")
            b.send("/join_group dev")
            b.expect(T.rx(r"^\* joined #dev "), "bob joins #dev")
            for x in (a, c):
                x.expect_lines(["* bob joined", "* bob joined #dev"],
                               "%s sees bob come and join #dev" % x.name)
            b.send("/quit " + reason)
            b.expect("* bye", "bob: bye")
            b.close()
            where = "%d-byte character at %d" % (width, k)
            for x in (a, c):
                check_reason(rep, "%s (%s, group)" % (where, x.name), x.read_line(),
                             "* bob left #dev (quit: ", reason, group_max)
                check_reason(rep, "%s (%s, global)" % (where, x.name), x.read_line(),
                             "* bob left (quit: ", reason, global_max)
        rep.done()


def unknown(a, what):
    for width, ch in sorted(CHARS.items()):
        rep = Report("%s: an unknown command of %d-byte characters around %d "
                     "bytes is echoed as valid UTF-8, cut to at most %d bytes"
                     % (what, width, UNKNOWN_MAX, UNKNOWN_MAX))
        for k in offsets(UNKNOWN_MAX, width):
            name = "x" * k + ch + "yz"
            a.send("/" + name + " args")
            line = a.read_line()
            where = "%d-byte character at %d" % (width, k)
            m = re.match(r"^! unknown-command: /(.*) is not a command; /help lists them$",
                         line or "")
            if not rep.check(m is not None, "%s: %r" % (where, line)):
                continue
            rep.check(valid(line), "%s: not valid UTF-8: %r" % (where, line))
            got = raw(m.group(1))
            rep.check(raw(name).startswith(got) and len(got) <= UNKNOWN_MAX,
                      "%s: %d bytes shown" % (where, len(got)))
        rep.done()


def group_of_three(svc):
    a = svc.client("a")
    a.login("alice")
    c = svc.client("c")
    c.login("carl")
    a.expect("* carl joined")
    b = svc.client("b")
    b.login("bob")
    a.expect("* bob joined")
    c.expect("* bob joined")
    a.send("/create_group dev")
    a.expect("* created #dev; you own it")
    for x, n in ((c, 2), (b, 3)):
        x.send("/join_group dev")
        x.expect("* joined #dev (%d members)" % n)
    a.expect_lines(["* carl joined #dev", "* bob joined #dev"])
    c.expect("* bob joined #dev")
    return a, b, c


def main():
    rate = dict(rate_msgs=100000, rate_burst=100000)
    with T.Service(**rate) as svc:
        a, b, c = group_of_three(svc)
        # 120: the limit; 227 and 483: where the old 256- and 512-byte
        # buffers cut these notices.
        kicks(svc, a, b, c, (KICK_MAX, 255 - 28, 511 - 28), KICK_MAX, "max_line 1024")
        unknown(a, "max_line 1024")
        b.close()
        for x in (a, c):
            x.expect_lines(["* bob left #dev (connection closed)",
                            "* bob left (connection closed)"])
        most = QUIT_MAX - len("quit: ")
        quits(svc, a, c, "max_line 1024", most, most, most)
        for x in (a, c):
            x.expect_nothing()

    # The smallest max_line: a notice with a reason must still fit in one
    # record, its reason cut so the ")" stays.
    with T.Service(max_line=64, **rate) as svc:
        a, b, c = group_of_three(svc)
        room = 64 - len("alice kicked bob from #dev (") - 1
        kicks(svc, a, b, c, (room,), room, "max_line 64")
        b.close()
        for x in (a, c):
            x.expect_lines(["* bob left #dev (connection closed)",
                            "* bob left (connection closed)"])
        # The group notice cuts the reason to fit; the global leave's
        # reason is cut to max_line.
        room = 64 - len("bob left #dev (quit: ") - 1
        quits(svc, a, c, "max_line 64", room, room, 64 - len("quit: "))
        for x in (a, c):
            x.expect_nothing()


T.main(main)

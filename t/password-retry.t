#!/usr/bin/env python3
# password-retry.t -- after a wrong password the server asks for the
# password again, and whatever the client sent before that answer is
# thrown away: a corrected password typed during the delay never becomes
# a (public) guest name.  The typed-ahead line is tried framed in the
# server's line buffer (sent with the wrong password), waiting in the
# kernel's buffer (sent during the delay), and cut in the middle.  Telnet
# commands among the thrown-away bytes are still answered (Ctrl-C), and a
# telnet command split there still joins its second half.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

PROMPT, PASSWORD = A.PROMPT, A.PASSWORD
SLOW = 15       # deadline for answers that come after the brute-force delay
USERS = {"alice": "password123", "bob": "qwerty456", "carol": "c4rol-pw",
         "dave": "dave-pw"}
IAC, DO, WILL, IP, NOP, TM = b"\xff", b"\xfd", b"\xfb", b"\xf4", b"\xf1", b"\x06"


def bad_password(name):
    return "! bad-password: wrong password for %s" % name


def nobody_named(svc, o, desc):
    """Only o's user and the registered users are online: no password
    became a name."""
    _, rows = svc.users_table()
    T.ok(not [n for n in rows if n not in USERS and n != o.name],
         "%s (chatctl users: %s)" % (desc, sorted(rows)))


def framed(svc, o):
    """The corrected password comes in the same segment as the wrong one."""
    c = svc.client("c")
    c.send("alice")
    c.expect(PASSWORD)
    c.send_raw(b"wrong\npassword123\n")
    c.expect_lines([bad_password("alice"), PASSWORD],
                   "a wrong password with the right one typed ahead: bad-password, "
                   "then the password prompt (not the name prompt)", timeout=SLOW)
    c.expect_nothing("... and nothing else: the typed-ahead line was thrown away")
    o.expect_nothing("the others see no 'password123 joined'")
    nobody_named(svc, o, "the typed-ahead password is not a user online")
    o.send("/users")
    o.expect(T.rx(r"^\* users \(1\): obs$"), "/users lists only the observer")
    c.send("password123")
    c.expect(A.welcome("alice", 1), "the right password at the new prompt logs alice in")
    c.name = "alice"
    o.expect("* alice joined", "the others see alice join")
    return c


def into_second_delay(svc, label, name):
    """A client that gave name a wrong password twice and is now in the
    delay after the second failure (2 s): what it sends next arrives
    during that delay, however busy the machine, since the failure is
    logged before the delay starts."""
    c = svc.client(label)
    c.send(name)
    c.expect(PASSWORD)
    c.send("wrong")
    c.expect_lines([bad_password(name), PASSWORD], timeout=SLOW)
    c.send("wrong again")
    T.ok(T.wait_for(lambda: re.search(r":%d: wrong password for %s \(failure 2 of 3\)"
                                      % (c.local_port, name), svc.activator_log())),
         "the server logs %s's second failure (its delay has begun)" % name)
    return c


def in_kernel(svc, o):
    """The corrected password arrives during the delay, before the answer:
    it is still in the kernel's buffer when the answer is queued."""
    d = into_second_delay(svc, "d", "bob")
    d.send("qwerty456")
    d.expect_lines([bad_password("bob"), PASSWORD],
                   "the right password sent during the delay: bad-password, then the "
                   "password prompt", timeout=SLOW)
    d.expect_nothing("... and nothing else")
    o.expect_nothing("the others see no 'qwerty456 joined'")
    nobody_named(svc, o, "the password sent during the delay is not a user online")
    d.send("qwerty456")
    d.expect(A.welcome("bob", 2), "the right password at the new prompt logs bob in")
    d.name = "bob"
    o.expect("* bob joined")
    return d


def cut(svc, o):
    """A line begun before the answer is thrown away to its end."""
    e = svc.client("e")
    e.send("carol")
    e.expect(PASSWORD)
    e.send_raw(b"wrong\nc4rol")
    e.expect_lines([bad_password("carol"), PASSWORD], timeout=SLOW)
    e.send_raw(b"-pw\n")
    e.expect_nothing("the rest of a line begun before the answer is not an answer")
    e.send("c4rol-pw")
    e.expect(A.welcome("carol", 3), "the next whole line is: carol logs in")
    o.expect("* carol joined")
    st = svc.json("stats") or {}
    T.is_(st.get("auth_failures"), 4, "chatctl stats: 4 wrong passwords, no more")
    o.expect_nothing("nobody else joined")
    nobody_named(svc, o, "no password is a user online")


def telnet_during_delay(svc, o):
    """A telnet user presses Ctrl-C during the delay (IAC IP IAC DO
    TIMING-MARK: telnet shows nothing until it is answered) after a line
    typed ahead, and the last byte queued is the first of a telnet command."""
    f = into_second_delay(svc, "f", "dave")
    f.send_raw(IAC + IP + IAC + DO + TM + b"dave-pw\r\n" + IAC)
    f.expect_bytes(IAC + WILL + TM, "Ctrl-C among the thrown-away bytes is still "
                 "answered IAC WILL TIMING-MARK", SLOW)
    f.expect_lines([bad_password("dave"), PASSWORD],
                   "... then bad-password and the password prompt", timeout=SLOW)
    f.expect_nothing("the typed-ahead line is not taken as a password")
    f.send_raw(NOP + b"dave-pw\r\n")
    f.expect(A.welcome("dave", 4), "an IAC thrown away with the rest ends as IAC NOP: "
             "the right password after it logs dave in")
    o.expect("* dave joined")


def main():
    with A.Service(users=USERS) as svc:
        o = svc.client("o")
        A.login(o, "obs", others=0)
        framed(svc, o)
        in_kernel(svc, o)
        cut(svc, o)
        telnet_during_delay(svc, o)


T.main(main)

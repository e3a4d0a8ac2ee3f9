#!/usr/bin/env python3
# accounts.t -- registered users and guests: chatctl import, useradd,
# passwd and userdel (--stdin), the password prompt, wrong passwords and
# the 3-failure close, guests that cannot take a registered name,
# allow_guests = no, and duplicate_login refuse and replace.
import os
import re
import stat
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

PROMPT, PASSWORD = A.PROMPT, A.PASSWORD
SLOW = 15       # deadline for answers that come after the brute-force delay


def bad_password(name):
    return "! bad-password: wrong password for %s" % name


def import_file(svc):
    """chatctl import: plain name:password lines become hashes."""
    plain = svc.write_plain("# seed users\n"
                            "alice:password123\n"
                            "\n"
                            "bob:qwerty456\n"
                            "carol:pass:with:colons\n"
                            "not a valid line\n"
                            "9bad:name\n"
                            "nopassword:\n")
    r = svc.chatctl("import", plain, timeout=60)
    T.is_(r.returncode, 1, "chatctl import with malformed lines exits 1")
    T.like(r.stdout, r"^imported 3 users into %s \(3 lines skipped\)$" % re.escape(svc.users_file),
           "... after importing the 3 good lines, saying 3 were skipped")
    for lineno in (6, 7, 8):
        T.like(r.stderr, r"%s:%d: not a name:password line; skipped" % (re.escape(plain), lineno),
               "... and naming line %d" % lineno)
    T.ok(":1:" not in r.stderr and ":3:" not in r.stderr,
         "comments and blank lines are skipped silently")
    text = svc.users_file_text()
    lines = text.splitlines()
    T.is_([l.split(":", 1)[0] for l in lines], ["alice", "bob", "carol"],
          "the users file has alice, bob and carol")
    T.ok(all(re.match(r"^[a-z]+:\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+$", l)
             for l in lines), "each line is name:$y$... (yescrypt)")
    for pw in ("password123", "qwerty456", "pass:with:colons"):
        T.ok(pw not in text, "the plain password %r is not in the users file" % pw)
    T.is_(oct(stat.S_IMODE(os.stat(svc.users_file).st_mode)), oct(0o640),
          "the users file has mode 0640")
    T.ok(not [f for f in os.listdir(svc.users_dir) if ".tmp" in f],
         "no temporary file is left next to it")
    hashes = [l.split(":", 1)[1] for l in lines]
    T.is_(len(set(hashes)), 3, "every hash is different (salted)")
    # Importing again replaces the passwords (one salt per run).
    r = svc.import_users({"bob": "qwerty456"})
    T.is_(r.returncode, 0, "importing an existing user again exits 0")
    lines2 = svc.users_file_text().splitlines()
    T.is_([l.split(":", 1)[0] for l in lines2], ["alice", "bob", "carol"],
          "... and does not add a second line for it")
    T.ok(lines2[1] != lines[1] and lines2[0] == lines[0],
         "... only its hash changes (a new salt)")
    r = svc.chatctl("import", os.path.join(svc.users_dir, "no-such-file"))
    T.ok(r.returncode != 0, "importing a missing file fails")
    T.like(r.stderr, r"no-such-file", "... naming the file")


def logins(svc):
    """Registered users and guests; wrong passwords."""
    a = svc.client("a")
    A.login(a, "alice", "password123", others=0,
            desc="alice gives her name, is asked for the password, and gets in")
    c = svc.client("c")
    A.login(c, "carol", "pass:with:colons", others=1,
            desc="a password with colons, as imported, works")
    a.expect("* carol joined")
    g = svc.client("g")
    A.login(g, "gus", others=2, desc="an unregistered name is a guest: no password asked")
    for x in (a, c):
        x.expect("* gus joined")
    _, rows = svc.users_table()
    T.is_({n: r.get("type") for n, r in rows.items()},
          {"alice": "registered", "carol": "registered", "gus": "guest"},
          "chatctl users: TYPE registered for alice and carol, guest for gus")

    # A guest cannot take a registered name, in any case: it is asked for
    # the password.
    b0 = svc.client("b0")
    b0.send("BOB")
    b0.expect(PASSWORD, "the registered name in another case (BOB): the password prompt")
    b0.close()
    b = svc.client("b")
    b.send("bob")
    b.expect(PASSWORD, "a guest asking for the registered name bob gets the password prompt")
    b.send("guess")
    b.expect_lines([bad_password("bob"), PASSWORD],
                   "a wrong password: bad-password, then the password prompt again",
                   timeout=SLOW)
    b.send("guess again")
    b.expect_lines([bad_password("bob"), PASSWORD],
                   "a second wrong password: bad-password, the password prompt again",
                   timeout=SLOW)
    # An empty line at the password prompt is ignored.
    b.send("")
    b.expect_nothing("an empty line at the password prompt gets no answer")
    b.send("qwerty456")
    b.expect(A.welcome("bob", 3), "after two failures the right password still works")
    b.name = "bob"
    for x in (a, c, g):
        x.expect("* bob joined", "%s sees bob join once, nothing of the failures" % x.label)
    log = svc.activator_log()
    T.like(log, r"127\.0\.0\.1:%d: wrong password for bob \(failure 1 of 3\)" % b.local_port,
           "the failure is logged with the peer address")
    st = svc.json("stats")
    T.is_(st and st.get("auth_failures"), 2, "chatctl stats counts 2 wrong passwords")

    # The 3-failure close.
    x = svc.client("x")
    x.send("alice")
    x.expect(PASSWORD)
    for i in (1, 2):
        x.send("wrong%d" % i)
        x.expect_lines([bad_password("alice"), PASSWORD],
                       "wrong password %d of 3: bad-password, the password prompt again" % i,
                       timeout=SLOW)
    x.send("wrong3")
    x.expect("! auth-failed: too many wrong passwords; closing",
             "the 3rd wrong password: auth-failed", timeout=SLOW)
    x.expect_eof("... and the connection is closed")
    st = svc.json("stats")
    T.is_(st and st.get("disconnects", {}).get("auth_failed"), 1,
          "chatctl stats: one disconnect for auth_failed")
    # Failures of mixed names in one connection count together (after a
    # wrong password only the password is asked again: the name changes
    # after already-online).
    y = svc.client("y")
    y.send("alice")
    y.expect(PASSWORD)
    y.send("nope")
    y.expect_lines([bad_password("alice"), PASSWORD], timeout=SLOW)
    y.send("password123")
    y.expect("! already-online: alice is already logged in elsewhere",
             "the right password for a user online (refuse): already-online")
    y.expect(PROMPT, "... then the name prompt")
    y.send("carol")
    y.expect(PASSWORD)
    y.send("x")
    y.expect_lines([bad_password("carol"), PASSWORD], timeout=SLOW)
    y.send("y")
    y.expect_lines(["! auth-failed: too many wrong passwords; closing"],
                   "failures for different names add up to the 3-failure close",
                   timeout=SLOW)
    y.expect_eof()
    for z in (a, b, c, g):
        z.expect_nothing("%s saw nothing of the failed logins" % z.label)

    # Guest names in use: name-taken, as before.
    g2 = svc.client("g2")
    g2.send("GUS")
    g2.expect_lines(["! name-taken: GUS is already in use; choose another", PROMPT],
                    "a guest name in use: name-taken")
    g2.send("/quit")
    g2.expect_lines(["! name-invalid: a name is 1-32 letters, digits, '_', '-' or '.', "
                     "starting with a letter", PROMPT])
    g2.close()
    return a, b, c, g


def account_verbs(svc, a, b, c, g):
    """useradd, passwd and userdel while the service runs."""
    # dave is a guest name: logged in as a guest first.
    d = svc.client("d")
    A.login(d, "dave", others=4)
    for x in (a, b, c, g):
        x.expect("* dave joined")
    a.send("/msg dave hi guest")
    d.expect("*alice* hi guest")
    d.send("/quit")
    d.expect("* bye")
    for x in (a, b, c, g):
        x.expect("* dave left (quit)")
    a.send("/msg dave are you there")
    a.expect("! no-such-user: there is no user named dave",
             "an unregistered name offline: no-such-user")

    r = svc.useradd("dave", "s3cret dave")
    T.is_((r.returncode, r.stderr), (0, ""), "chatctl useradd --stdin dave exits 0")
    T.ok("s3cret" not in svc.users_file_text(), "the new password is stored hashed")
    T.is_(oct(stat.S_IMODE(os.stat(svc.users_file).st_mode)), oct(0o640),
          "the rewritten users file keeps mode 0640")
    a.send("/msg dave are you there")
    a.expect("! user-offline: dave is not online",
             "a registered user offline: user-offline (the new account is seen at once)")
    d = svc.client("d2")
    d.send("dave")
    d.expect(PASSWORD, "after useradd, dave's name asks for a password (no restart)")
    d.send("s3cret dave")
    d.expect(A.welcome("dave", 4), "the password given on stdin (with a space) works")
    for x in (a, b, c, g):
        x.expect("* dave joined")
    _, rows = svc.users_table()
    T.is_(rows.get("dave", {}).get("type"), "registered", "chatctl users: dave is registered")

    # passwd: the next login needs the new password; the session online
    # is not disturbed.
    r = svc.passwd("alice", "n3w-password")
    T.is_((r.returncode, r.stderr), (0, ""), "chatctl passwd --stdin alice exits 0")
    a.send("/users")
    a.expect(T.rx(r"^\* users \(5\): "), "alice's session goes on after her password changed")
    a.send("/quit")
    a.expect("* bye")
    for x in (b, c, g, d):
        x.expect("* alice left (quit)")
    a = svc.client("a2")
    a.send("alice")
    a.expect(PASSWORD)
    a.send("password123")
    a.expect_lines([bad_password("alice"), PASSWORD], "the old password no longer works",
                   timeout=SLOW)
    a.send("n3w-password")
    a.expect(A.welcome("alice", 4), "the new password works, without a restart")
    for x in (b, c, g, d):
        x.expect("* alice joined")

    # userdel: the name is a guest name again.
    r = svc.userdel("carol")
    T.is_((r.returncode, r.stderr), (0, ""), "chatctl userdel carol exits 0")
    T.is_([l.split(":", 1)[0] for l in svc.users_file_text().splitlines()],
          ["alice", "bob", "dave"], "carol's line is gone from the users file")
    c.send("/quit")
    c.expect("* bye")
    for x in (a, b, g, d):
        x.expect("* carol left (quit)")
    a.send("/msg carol hi")
    a.expect("! no-such-user: there is no user named carol",
             "a deleted user offline: no-such-user, not user-offline")
    c = svc.client("c2")
    A.login(c, "carol", others=4, desc="after userdel, carol is a guest name: no password asked")
    for x in (a, b, g, d):
        x.expect("* carol joined")
    _, rows = svc.users_table()
    T.is_(rows.get("carol", {}).get("type"), "guest", "chatctl users: carol is now a guest")

    # Refusals.
    r = svc.useradd("bob", "x")
    T.is_(r.returncode, 1, "useradd of a registered name exits 1")
    T.like(r.stderr, r"bob is already registered", "... saying so")
    r = svc.passwd("nobody", "x")
    T.is_(r.returncode, 1, "passwd of an unknown name exits 1")
    T.like(r.stderr, r"nobody is not a registered user", "... saying so")
    r = svc.userdel("nobody")
    T.is_(r.returncode, 1, "userdel of an unknown name exits 1")
    T.like(r.stderr, r"nobody is not a registered user", "... saying so")
    r = svc.useradd("9lives", "x")
    T.is_(r.returncode, 100, "useradd of an invalid name exits 100 (usage)")
    T.like(r.stderr, r"'9lives' is not a valid name", "... naming it")
    r = svc.chatctl_in("useradd", "--stdin", "erin", input="")
    T.is_(r.returncode, 1, "useradd --stdin with nothing on stdin exits 1")
    T.like(r.stderr, r"no password on stdin", "... saying so")
    r = svc.chatctl_in("useradd", "--stdin", "erin", input="\n")
    T.is_(r.returncode, 1, "an empty password is refused")
    r = svc.chatctl_in("useradd", "--stdin", "erin", input="bell\x07\n")
    T.is_(r.returncode, 1, "a password with a control character is refused")
    r = svc.useradd("BOB", "x")
    T.is_(r.returncode, 1, "useradd of a registered name in another case exits 1")
    r = svc.chatctl_in("useradd", "--stdin", "erin", input="p" * 256 + "\n")
    T.is_(r.returncode, 1, "a password of 256 bytes on stdin is refused")
    r = svc.chatctl_in("useradd", "--stdin", input="x\n")
    T.is_(r.returncode, 100, "useradd without a name exits 100")
    T.like(r.stderr, r"usage: chatctl useradd", "... with its usage")
    T.is_([l.split(":", 1)[0] for l in svc.users_file_text().splitlines()],
          ["alice", "bob", "dave"], "the refused commands changed nothing")
    # --stdin may stand after the name.
    r = svc.chatctl_in("useradd", "erin", "--stdin", input="erin-pw\n")
    T.is_((r.returncode, r.stderr), (0, ""), "useradd NAME --stdin (the flag after the name)")
    e = svc.client("e")
    A.login(e, "erin", "erin-pw", others=5)
    for x in (a, b, c, d, g):
        x.expect("* erin joined")
    e.close()
    for x in (a, b, c, d, g):
        x.expect("* erin left (connection closed)")
    r = svc.userdel("ERIN")
    T.is_((r.returncode, r.stderr), (0, ""), "userdel takes the name in any case")
    T.is_([l.split(":", 1)[0] for l in svc.users_file_text().splitlines()],
          ["alice", "bob", "dave"], "erin is gone from the users file")
    # The longest password read with --stdin is 255 bytes (chatctl(8)).
    long_pw = "\u00e9" * 127 + "p"
    T.is_(len(long_pw.encode()), 255, "(a password of 255 bytes)")
    r = svc.chatctl_in("useradd", "--stdin", "fred", input=long_pw + "\n")
    T.is_((r.returncode, r.stderr), (0, ""), "useradd --stdin takes a 255-byte password")
    if r.returncode == 0:
        f = svc.client("f")
        A.login(f, "fred", long_pw, others=5, desc="fred logs in with the 255-byte password")
        for x in (a, b, c, d, g):
            x.expect("* fred joined")
        f.close()
        for x in (a, b, c, d, g):
            x.expect("* fred left (connection closed)")
        svc.userdel("fred")
    for x in (a, b, c, d, g):
        x.close()
    T.ok(svc.wait_online([]), "everybody has left")


def no_guests():
    with A.Service(users={"alice": "password123"}, allow_guests="no") as svc:
        z = svc.client("z")
        z.send("zed")
        z.expect_lines(["! guests-disabled: zed is not a registered user and this server "
                        "does not allow guests", PROMPT],
                       "allow_guests = no: an unregistered name gets guests-disabled, "
                       "then the prompt")
        z.send("alice")
        z.expect(PASSWORD, "... a registered name still gets the password prompt")
        z.send("password123")
        z.expect(A.welcome("alice", 0), "... and logs in")
        _, rows = svc.users_table()
        T.is_(list(rows), ["alice"], "only alice is online")


def replace():
    with A.Service(users={"alice": "password123", "bob": "qwerty456"},
                   duplicate_login="replace") as svc:
        a1 = svc.client("a1")
        A.login(a1, "alice", "password123", others=0)
        b = svc.client("b")
        A.login(b, "bob", "qwerty456", others=1)
        a1.expect("* bob joined")
        g = svc.client("g")
        A.login(g, "gil", others=2)
        a1.expect("* gil joined")
        b.expect("* gil joined")
        a1.send("/create_group club")
        a1.expect("* created #club; you own it")
        b.send("/join_group club")
        b.expect("* joined #club (2 members)")
        a1.expect("* bob joined #club")

        # A wrong password does not replace anyone.
        a2 = svc.client("a2")
        a2.send("Alice")
        a2.expect(PASSWORD)
        a2.send("wrong")
        a2.expect_lines([bad_password("Alice"), PASSWORD], timeout=SLOW)
        a1.expect_nothing("a wrong password does not disturb the session online")
        # The right one does.
        a2.send("password123")
        a2.expect(A.welcome("Alice", 2),
                  "duplicate_login = replace: the new login gets in (2 others)")
        why = "replaced by a new login from %s" % a2.peer
        a1.expect("! closed: " + why, "the old session is told why it is closed")
        a1.expect_eof("... and closed")
        b.expect_lines(["* alice left #club (%s)" % why, "* bob now owns #club",
                        "* alice left (%s)" % why, "* Alice joined"],
                       "bob sees the old session leave (group, then all) and the new one join")
        g.expect_lines(["* alice left (%s)" % why, "* Alice joined"],
                       "gil sees the old session leave and the new one join")
        b.send("/groups")
        b.expect("* #club (owner bob, 1 member): bob",
                 "the old session's group membership went with it")
        a2.send("hello again")
        b.expect("<Alice> hello again", "the new session chats")
        g.expect("<Alice> hello again")
        _, rows = svc.users_table()
        T.is_(sorted(rows), ["Alice", "bob", "gil"], "chatctl users: one alice, the new one")
        T.is_(rows.get("Alice", {}).get("peer"), a2.peer, "... with the new connection's peer")
        st = svc.json("stats")
        T.is_(st and st.get("disconnects", {}).get("kicked"), 1,
              "chatctl stats counts the replaced session as kicked")

        # Guests are never replaced: name-taken.
        g2 = svc.client("g2")
        g2.send("gil")
        g2.expect_lines(["! name-taken: gil is already in use; choose another", PROMPT],
                        "duplicate_login = replace does not apply to guests: name-taken")
        g.expect_nothing("the guest online is not disturbed")
        for x in (a2, b, g, g2):
            x.close()


def refuse():
    """duplicate_login = refuse is the default."""
    with A.Service(users={"alice": "password123"}) as svc:
        a1 = svc.client("a1")
        A.login(a1, "alice", "password123", others=0)
        a2 = svc.client("a2")
        a2.send("alice")
        a2.expect(PASSWORD)
        a2.send("password123")
        a2.expect_lines(["! already-online: alice is already logged in elsewhere", PROMPT],
                        "default (refuse): a second login gets already-online, then the prompt")
        a2.send("ALICE")
        a2.expect(PASSWORD)
        a2.send("password123")
        a2.expect(T.rx(r"^! already-online: "), "... in any case of the name")
        a2.expect(PROMPT)
        a1.expect_nothing("the session online is not disturbed")
        a2.send("other")
        a2.expect(A.welcome("other", 1), "the refused connection can log in as someone else")
        a1.expect("* other joined")
        a1.send("still here")
        a2.expect("<alice> still here", "the first alice still chats")


def unreadable():
    """A users file that cannot be read: logins are refused, not let in
    as guests."""
    with A.Service(users_file="/dev/null/users") as svc:
        u = svc.client("u")
        u.send("alice")
        u.expect("! unavailable: cannot check accounts now; try again later",
                 "users_file cannot be read: unavailable at the name")
        u.expect_eof("... and the connection is closed")
        r = svc.useradd("alice", "pw")
        T.is_(r.returncode, 111, "chatctl useradd with an unusable users_file exits 111")
        T.like(r.stderr, r"/dev/null/users", "... naming the file")


def main():
    with A.Service() as svc:
        import_file(svc)
        clients = logins(svc)
        account_verbs(svc, *clients)
    refuse()
    replace()
    no_guests()
    unreadable()


T.main(main)

#!/usr/bin/env python3
# accounts.t -- registered users and guests: chatctl import, useradd,
# passwd and userdel (--stdin), the password prompt, wrong passwords and
# the 3-failure close, guests that cannot take a registered name,
# allow_guests = no, duplicate_login refuse and replace; the users file:
# unreadable or not a regular file (a FIFO), corrupted lines (a damaged
# ':', a BOM) lock their name, edits keep every other line, concurrent
# chatctl edits lose nothing, and an edit waits 10 s at most for the lock.
import fcntl
import os
import re
import select
import stat
import subprocess
import sys
import time

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
    r = svc.useradd("Y0u", "x")
    T.is_(r.returncode, 100, "useradd of a reserved name (Y0u, looks like 'you') exits 100")
    T.like(r.stderr, r"'Y0u' is reserved", "... saying so")
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
        # alice is registered: she keeps #club while away (a kept group).
        b.expect_lines(["* alice left #club (%s)" % why,
                        "* alice left (%s)" % why, "* Alice joined"],
                       "bob sees the old session leave (group, then all) and the new one join")
        g.expect_lines(["* alice left (%s)" % why, "* Alice joined"],
                       "gil sees the old session leave and the new one join")
        b.send("/groups")
        b.expect("* #club (owner alice, 1 member): bob",
                 "the old session's group membership went with it; alice "
                 "owns the group while away")
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


def useradd_within(svc, name, timeout):
    """chatctl useradd, or None (with a diagnostic) if it still runs after
    timeout seconds (the old code blocked for good)."""
    try:
        return svc.chatctl_in("useradd", "--stdin", name, input="pw\n", timeout=timeout)
    except subprocess.TimeoutExpired:
        T.diag("chatctl useradd %s still running after %d s" % (name, timeout))
        return None


def unreadable():
    """A users file that cannot be read, or is not a regular file (a FIFO
    would block every login in open(2)): logins are refused, not let in
    as guests, and chatctl fails at once."""
    with A.Service(users_file="/dev/null/users") as svc:
        u = svc.client("u")
        u.send("alice")
        u.expect("! unavailable: cannot check accounts now; try again later",
                 "users_file cannot be read: unavailable at the name")
        u.expect_eof("... and the connection is closed")
        r = svc.useradd("alice", "pw")
        T.is_(r.returncode, 111, "chatctl useradd with an unusable users_file exits 111")
        T.like(r.stderr, r"/dev/null/users", "... naming the file")
    with A.Service() as svc:
        os.mkfifo(svc.users_file, 0o640)
        u = svc.client("u")
        u.send("alice")
        u.expect("! unavailable: cannot check accounts now; try again later",
                 "users_file is a FIFO: unavailable at the name, not a hang")
        u.expect_eof("... and the connection is closed")
        T.like(svc.activator_log(), r"%s: not a regular file" % re.escape(svc.users_file),
               "... and the session logs that it is not a regular file")
        r = useradd_within(svc, "alice", 15)
        T.is_(r.returncode if r else None, 111,
              "chatctl useradd with a FIFO as users_file exits 111")
        T.like(r.stderr if r else "", r"%s: not a regular file" % re.escape(svc.users_file),
               "... saying it is not a regular file")


def unavailable(name):
    return "! unavailable: the account %s cannot be used now; ask the operator" % name


HASH = r"\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+"


def corrupt_file_text(hashes):
    """A users file with every kind of line; (text, {line number: name or
    None}) where each line is numbered as a person counts them."""
    lines = [
        "# accounts of the test",                       # 1 comment
        "alice:",                                       # 2 empty hash: locked
        "bob:$y$" + "x" * 600,                          # 3 > 512 bytes: locked
        "",                                             # 4 blank
        "#" + "c" * 700,                                # 5 a long comment
        "carol:" + hashes["carol"],                     # 6 good
        "y" * 600 + ":zzz",                             # 7 no valid name: ignored
        "dave",                                         # 8 no ':': locked
        " erin:" + hashes["carol"],                     # 9 blank before the name: locked
        "frank:" + hashes["frank"],                     # 10 good, but see 12
        "not a valid line",                             # 11 starts with a name: locks "not"
        "FRANK:" + hashes["carol"],                     # 12 frank twice: locked
        "gus:$y$a b",                                   # 13 a blank in the hash: locked
    ]
    return "\n".join(lines) + "\n"


# The problems of corrupt_file_text, as logged (with the file's path).
PROBLEMS = [
    (2, "empty password hash; alice is locked"),
    (3, "password hash longer than 255 bytes; bob is locked"),
    (7, "not a name:hash line (no valid name at its start); ignored"),
    (8, "no ':' after the name; dave is locked"),
    (9, "blanks around the name; erin is locked"),
    (11, "no ':' after the name; not is locked"),
    (13, "the password hash has a blank, a control byte, ':' or a byte that is "
         "not ASCII; gus is locked"),
    (12, "FRANK is also on line 10; frank is locked"),
]


def problem_count(svc, lineno, text):
    return svc.activator_log().count("%s:%d: %s" % (svc.users_file, lineno, text))


def locked_names():
    """A corrupted line locks its name: unavailable, logged with file:line,
    never a guest name; every problem is logged once per change of the
    file, not at every login."""
    with A.Service(users={"carol": "pass-carol", "frank": "pass-frank"}) as svc:
        hashes = dict(l.split(":", 1) for l in svc.users_file_text().splitlines())
        svc.write_users_file(corrupt_file_text(hashes))
        path = re.escape(svc.users_file)
        for name, lineno, why in (("alice", 2, "empty password hash"),
                                  ("bob", 3, "password hash longer than 255 bytes"),
                                  ("dave", 8, "no ':' after the name"),
                                  ("Erin", 9, "blanks around the name"),
                                  ("frank", 12, "the name is on two lines")):
            c = svc.client(name)
            c.send(name)
            c.expect(unavailable(name), "%s (line %d: %s) is locked: unavailable, "
                     "not a guest" % (name, lineno, why))
            c.expect_eof("... and the connection is closed")
            T.like(svc.activator_log(),
                   r"127\.0\.0\.1:%d: %s cannot log in: %s:%d: %s" % (
                       c.local_port, name, path, lineno, re.escape(why)),
                   "... logged with the peer, the name and %s:%d" % (svc.users_file, lineno))
        c = svc.client("carol")
        A.login(c, "carol", "pass-carol", others=0,
                desc="a good line among bad ones still works (carol)")
        g = svc.client("zed")
        A.login(g, "zed", others=1, desc="a name on no line is still a guest")
        c.expect("* zed joined")
        T.is_(svc.online(), ["carol", "zed"], "nobody got in under a locked name")
        c.send("/msg alice are you there?")
        c.expect("! user-offline: alice is not online",
                 "/msg to a locked name: user-offline (registered), not no-such-user")
        for lineno, text in PROBLEMS:
            T.is_(problem_count(svc, lineno, text), 1,
                  "line %d logged once after 7 logins: %s" % (lineno, text))
        T.ok(not re.search(r"%s:(1|4|5|6|10):" % path, svc.activator_log()),
             "no problem is told of the comments, the blank line or good lines")
        # The same bytes written again are a change: logged once more.
        svc.write_users_file(corrupt_file_text(hashes))
        for i in range(3):
            x = svc.client("x%d" % i)
            x.send("alice")
            x.expect(unavailable("alice"))
            x.expect_eof()
        T.is_([problem_count(svc, n, t) for n, t in PROBLEMS], [2] * len(PROBLEMS),
              "after the file changed, every problem is logged once more (3 logins)")
        for x in (c, g):
            x.close()
    damaged_separators()


BOM = b"\xef\xbb\xbf"


def damaged_separators():
    """A BOM starting the file is skipped; a line whose ':' is damaged
    (a blank, a tab, '=') still locks the name it starts with, so no guest
    takes it; chatctl keeps those lines byte for byte, passwd repairs one,
    and userdel of the last line changes no other line."""
    with A.Service(users={n: "pass-" + n for n in ("alice", "bob", "carol", "dave")}) as svc:
        h = dict(l.split(b":", 1) for l in svc.users_file_bytes().splitlines())
        data = svc.write_users_file(BOM + b"alice:" + h[b"alice"] + b"\n" +
                                    b"bob " + h[b"bob"] + b"\n" +
                                    b"carol\t" + h[b"carol"] + b"\n" +
                                    b"dave=" + h[b"dave"] + b"\n" +
                                    b"# end\n" +
                                    b"-x no name here\n")
        a = svc.client("alice")
        A.login(a, "alice", "pass-alice", others=0,
                desc="alice, on line 1 after a BOM, logs in with her password")
        for name, sep in (("bob", "a blank"), ("carol", "a tab"), ("dave", "'='")):
            c = svc.client(name)
            c.send(name)
            c.expect(unavailable(name), "%s (%s for ':') is locked: unavailable, "
                     "not a guest" % (name, sep))
            c.expect_eof("... and the connection is closed")
        T.is_(svc.online(), ["alice"], "nobody got in as bob, carol or dave")
        path = re.escape(svc.users_file)
        for lineno, text in ((1, "a UTF-8 byte order mark starts the file; skipped"),
                             (2, "no ':' after the name; bob is locked"),
                             (3, "no ':' after the name; carol is locked"),
                             (4, "no ':' after the name; dave is locked"),
                             (6, "not a name:hash line (no valid name at its start); "
                                 "ignored")):
            T.like(svc.activator_log(), r"%s:%d: %s" % (path, lineno, re.escape(text)),
                   "line %d is logged: %s" % (lineno, text))
        a.close()

        r = svc.useradd("zoe", "pass-zoe")
        T.is_(r.returncode, 0, "chatctl useradd zoe exits 0")
        after = svc.users_file_bytes()
        T.ok(after.startswith(data), "... keeping the BOM and the damaged lines "
             "byte for byte")
        r = svc.useradd("bob", "x")
        T.is_(r.returncode, 1, "useradd bob (locked by 'bob $y$...') exits 1: registered")
        r = svc.passwd("bob", "new-bob")
        T.is_(r.returncode, 0, "chatctl passwd bob exits 0")
        lines, old = svc.users_file_bytes().split(b"\n"), after.split(b"\n")
        T.like(lines[1].decode(), r"^bob:%s$" % HASH, "... and repairs his line, line 2")
        T.is_(lines[:1] + lines[2:], old[:1] + old[2:], "... keeping every other line")
        b = svc.client("bob")
        A.login(b, "bob", "new-bob", desc="bob logs in with his new password")
        b.close()

        before = svc.users_file_bytes()
        svc.write_users_file(before + b"erin:" + h[b"alice"])    # no final newline
        r = svc.userdel("erin")
        T.is_(r.returncode, 0, "userdel of an unterminated last line exits 0")
        T.is_(svc.users_file_bytes(), before, "... and the line before keeps its "
              "newline: the file is byte for byte as before erin's line")
        r = svc.userdel("zoe")
        T.is_((r.returncode, svc.users_file_bytes()),
              (0, before[:before.rindex(b"zoe:")]),
              "userdel of the last line keeps the others byte for byte")


def edits_keep_lines():
    """chatctl reads the file with the sessions' parser: warnings name the
    right lines, and an edit keeps every line it does not change."""
    with A.Service(users={"carol": "pass-carol", "frank": "pass-frank"}) as svc:
        hashes = dict(l.split(":", 1) for l in svc.users_file_text().splitlines())
        before = svc.write_users_file(corrupt_file_text(hashes))
        r = svc.useradd("zoe", "pass-zoe")
        T.is_(r.returncode, 0, "chatctl useradd on a file with bad lines exits 0")
        path = re.escape(svc.users_file)
        for lineno, text in PROBLEMS:
            T.like(r.stderr, r"%s:%d: %s" % (path, lineno, re.escape(text)),
                   "... and warns of line %d: %s" % (lineno, text))
        T.ok(not re.search(r"%s:(1|4|5|6|10|14|15|16):" % path, r.stderr),
             "... and of no other line (long lines count once)")
        after = svc.users_file_bytes()
        T.ok(after.startswith(before), "the edit kept every line byte for byte: "
             "comments, the blank line, bad and locked lines")
        T.like(after[len(before):].decode(), r"^zoe:%s\n$" % HASH,
               "... and added zoe's line at the end")
        lock = svc.users_file + ".lock"
        T.is_(os.path.exists(lock) and oct(stat.S_IMODE(os.stat(lock).st_mode)), oct(0o600),
              "the lock file beside the users file has mode 0600")

        r = svc.useradd("ALICE", "x")
        T.is_(r.returncode, 1, "useradd of a locked name exits 1")
        T.like(r.stderr, r"ALICE is already registered, on a line that cannot be used "
               r"\(%s:2\); chatctl passwd ALICE replaces it" % path, "... saying why")
        r = svc.passwd("alice", "new-alice")
        T.is_(r.returncode, 0, "passwd of a locked name (alice:) exits 0")
        lines, old = svc.users_file_bytes().split(b"\n"), before.split(b"\n")
        T.like(lines[1].decode(), r"^alice:%s$" % HASH, "... and replaces its line, line 2")
        n = len(old) - 1        # the original's lines (old ends with b"")
        T.is_(lines[:1] + lines[2:n], old[:1] + old[2:n], "... keeping every other line")
        r = svc.passwd("frank", "new-frank")
        T.is_(r.returncode, 0, "passwd of a name on two lines exits 0")
        text = svc.users_file_text()
        T.is_(len(re.findall(r"(?im)^frank:", text)), 1, "... and leaves one line for it")
        T.like((text.splitlines() + [""] * 10)[9], r"^frank:%s$" % HASH, "... where the first was (line 10)")
        r = svc.userdel("dave")
        T.is_((r.returncode, "dave" in svc.users_file_text().split("\n")), (0, False),
              "userdel of a locked name removes its line")
        for name, pw in (("alice", "new-alice"), ("frank", "new-frank"), ("zoe", "pass-zoe")):
            c = svc.client(name)
            A.login(c, name, pw, desc="%s logs in after the edit" % name)
            c.close()
        c = svc.client("dave")
        A.login(c, "dave", desc="dave, deleted, is a guest name again")
        c.close()
        final = svc.users_file_bytes().split(b"\n") + [b""] * 13
        # Lines 8 (dave) and 12 (FRANK) are gone; the others move up.
        for i, j in ((0, 0), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (8, 7), (10, 9),
                     (12, 10)):
            T.is_(final[j], old[i],
                  "line %d of the original survives four edits byte for byte" % (i + 1))


def concurrent_edits():
    """Parallel chatctl edits lose nothing: they take turns on
    USERS_FILE.lock from the read to the rename."""
    with A.Service(users={"alice": "password123", "bob": "qwerty456"}) as svc:
        svc.write_users_file("# kept\n" + svc.users_file_text())
        names = ["u%d" % i for i in range(1, 6)]
        procs = [svc.chatctl_start("useradd", "--stdin", n, input="pw-%s\n" % n)
                 for n in names]
        results = [svc.chatctl_finish(p) for p in procs]
        T.is_([r[0] for r in results], [0] * 5, "5 parallel chatctl useradd all exit 0")
        got = [l.split(":", 1)[0] for l in svc.users_file_text().splitlines()]
        T.is_(sorted(got), sorted(["# kept", "alice", "bob"] + names),
              "... and all 5 accounts are in the users file")
        alice = [l for l in svc.users_file_text().splitlines() if l.startswith("alice:")]
        plain = svc.write_plain("w1:pw-w1\nw2:pw-w2\n", name="more-users")
        procs = [svc.chatctl_start("useradd", "--stdin", "v1", input="pw-v1\n"),
                 svc.chatctl_start("passwd", "--stdin", "alice", input="new-alice\n"),
                 svc.chatctl_start("userdel", "u1"),
                 svc.chatctl_start("import", plain),
                 svc.chatctl_start("useradd", "--stdin", "v2", input="pw-v2\n"),
                 svc.chatctl_start("userdel", "bob")]
        results = [svc.chatctl_finish(p) for p in procs]
        T.is_([r[0] for r in results], [0] * 6,
              "useradd, passwd, userdel and import in parallel all exit 0")
        lines = svc.users_file_text().splitlines()
        T.is_(sorted(l.split(":", 1)[0] for l in lines),
              sorted(["# kept", "alice", "u2", "u3", "u4", "u5", "v1", "v2", "w1", "w2"]),
              "... and every change is in the users file")
        T.ok(lines[0] == "# kept", "... below the comment, kept at the top")
        T.ok(alice and alice[0] not in lines, "... alice's password changed")
        T.ok(not [f for f in os.listdir(svc.users_dir) if ".tmp" in f],
             "no temporary file is left")
        procs = [svc.chatctl_start("useradd", "--stdin", "same", input="pw-same-%d\n" % i)
                 for i in range(3)]
        results = [svc.chatctl_finish(p) for p in procs]
        T.is_(sorted(r[0] for r in results), [0, 1, 1],
              "3 parallel useradds of one name: one exits 0, the others 1")
        T.ok(all("same is already registered" in r[2] for r in results if r[0] == 1),
             "... saying it is already registered")
        T.is_(len(re.findall(r"(?m)^same:", svc.users_file_text())), 1,
              "... and the name has one line")
        for name, pw in (("alice", "new-alice"), ("w2", "pw-w2"), ("v1", "pw-v1")):
            c = svc.client(name)
            A.login(c, name, pw, desc="%s logs in with the password set in parallel" % name)
            c.close()


WAITING = "waiting for the lock held by another edit"


def stderr_line(p, timeout):
    """The first line p writes on stderr within timeout seconds, or None."""
    ready, _, _ = select.select([p.stderr], [], [], timeout)
    return p.stderr.readline() if ready else None


def lock_wait():
    """An edit holding USERS_FILE.lock (a stuck chatctl, a script) makes
    the next one wait 10 s at most, saying so after a second, then fail
    with exit 111, changing nothing; released in time, it goes on."""
    with A.Service(users={"alice": "password123"}) as svc:
        before = svc.users_file_bytes()
        fd = os.open(svc.users_file + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        start = time.monotonic()
        p = svc.chatctl_start("useradd", "--stdin", "bob", input="pw-bob\n")
        try:
            rc, _, err = svc.chatctl_finish(p, timeout=30)
        except subprocess.TimeoutExpired:
            T._killpg(p)
            rc, err = None, "(still waiting after 30 s)"
        elapsed = time.monotonic() - start
        T.is_(rc, 111, "chatctl useradd while another edit holds the lock exits 111")
        T.ok(9 <= elapsed < 20, "... after about 10 s (%.1f s)" % elapsed)
        T.is_(err.count(WAITING), 1, "... having said once that it waits for the lock")
        T.like(err, r"users\.lock: another edit has held the lock for 10 s; nothing "
               r"was changed", "... then that it gave up, changing nothing")
        T.is_(svc.users_file_bytes(), before, "... and the users file is unchanged")
        p = svc.chatctl_start("useradd", "--stdin", "carol", input="pw-carol\n")
        line = stderr_line(p, 5)
        T.like(line, re.escape(WAITING), "another useradd says it waits for the lock")
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        try:
            rc, _, err = svc.chatctl_finish(p, timeout=30)
        except subprocess.TimeoutExpired:
            T._killpg(p)
            rc = None
        T.is_(rc, 0, "... and, the lock released, goes on and exits 0")
        T.ok(b"\ncarol:" in svc.users_file_bytes(), "... having added carol")


def main():
    with A.Service() as svc:
        import_file(svc)
        clients = logins(svc)
        account_verbs(svc, *clients)
    refuse()
    replace()
    no_guests()
    unreadable()
    locked_names()
    edits_keep_lines()
    concurrent_edits()
    lock_wait()


T.main(main)

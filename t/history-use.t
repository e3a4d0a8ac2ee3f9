#!/usr/bin/env python3
# history-use.t -- what users get from the archive: /history with its
# visibility rules, replay on joining a group without duplicates, private
# messages kept for a registered user who was offline (across a logout
# and across a hub restart), kept groups restored after the segment is
# made again, the gap counter, and chat going on without history when
# the archive cannot be used.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_web as W  # noqa: E402
from chattest_history import Archiver, archive_of  # noqa: E402

USERS = {"ann": "password-ann", "bob": "password-bob", "cy": "password-cy"}
HIST = re.compile(r"^~ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")


def history(client, command, end_timeout=T.TIMEOUT):
    """Send a /history command; the framed lines (header excluded)."""
    client.send(command)
    head = client.expect(re.compile(r"^\* history of .* \(\d+ lines?\):$|^! "),
                         "%s: %s is answered" % (client.label, command))
    if head is None or head.startswith("!"):
        return head
    lines = []
    while True:
        line = client.read_line(timeout=end_timeout)
        if line is None or line == "* end of history":
            return lines
        lines.append(HIST.sub("", line))


def user(svc, name, others=None):
    c = svc.client(name)
    A.login(c, name, USERS[name], others=others)
    return c


def visibility_and_replay(svc, arch):
    ann = user(svc, "ann", 0)
    bob = user(svc, "bob", 1)
    ann.expect("* bob joined")
    ann.send("hello room")
    bob.expect("<ann> hello room")
    ann.send("/msg bob between us")
    bob.expect("*ann* between us")
    bob.send("/msg ann back to you")
    ann.expect("*bob* back to you")
    ann.send("/create_group dev")
    ann.expect("* created #dev; you own it")
    for i in range(3):
        ann.send("/group_msg dev dev line %d" % i)

    T.is_(history(bob, "/history"), ["<ann> hello room"],
          "/history shows the room's lines with their time, marked '~'")
    T.is_(history(ann, "/history bob"),
          ["-> *bob* between us", "*bob* back to you"],
          "/history USER shows the conversation both ways")
    T.is_(history(ann, "/history #dev 2"),
          ["#dev <ann> dev line 1", "#dev <ann> dev line 2"],
          "/history #group N shows the last N lines of a group")
    bob.send("/history #dev")
    bob.expect("! not-member: you are not in #dev",
               "a non-member does not see a group's history")
    cy = user(svc, "cy", 2)
    # Whether cy's login reaches bob before or after the join below
    # depends on the hub's batching of logins (up to 300 ms): read it here.
    bob.expect("* cy joined", "bob sees cy log in")
    T.is_(history(cy, "/history ann"), [],
          "a third party sees nothing of ann and bob's private messages")
    T.is_(history(cy, "/history bob"), [], "... from either side")
    cy.send("/history 501")
    cy.expect("! missing-argument: usage: /history [#group|user] [N]: N is 1 to 500",
              "N over 500 is refused with its usage")

    # Replay on join: the group's lines before the join, then live ones,
    # none of them twice.
    bob.send("/join_group dev")
    bob.expect("* joined #dev (2 members)")
    bob.expect("* history of #dev (3 lines):", "joining replays the group's lines")
    got = [HIST.sub("", bob.read_line()) for _ in range(3)]
    T.is_(got, ["#dev <ann> dev line %d" % i for i in range(3)],
          "... the last lines, oldest first")
    bob.expect("* end of history")
    ann.send("/group_msg dev after the join")
    bob.expect("#dev <ann> after the join", "a line after the join arrives live",
               skip=True)
    bob.expect_nothing("... once: no line is both replayed and live")
    return ann, bob, cy


def web(svc):
    """The web front door: {"type":"history"} and replay on join."""
    port = svc.start_web()
    g = W.WS(port, "webby")
    g.recv_until(lambda m: m.get("type") == "welcome")
    g.send({"type": "history", "id": 7})
    m, _ = g.recv_until(lambda m: m.get("type") in ("history", "error"))
    T.is_(m and [(x["from"], x["text"]) for x in m["messages"]],
          [("ann", "hello room")], "web: history of the room")
    T.is_(m and m.get("id"), 7, "web: the request's id is echoed")
    T.ok(m and isinstance(m["messages"][0].get("ts"), int),
         "web: each line has its original time (ts, ms)")
    g.send({"type": "history", "target": "#dev"})
    m, _ = g.recv_until(lambda m: m.get("type") in ("history", "error"))
    T.is_(m and m.get("code"), "not-member", "web: a group's history is for members")
    g.send({"type": "join_group", "group": "dev"})
    m, _ = g.recv_until(lambda m: m.get("type") == "history")
    T.is_(m and (m.get("replay"), m.get("group"), [x["text"] for x in m["messages"]]),
          (True, "dev", ["dev line %d" % i for i in range(3)] + ["after the join"]),
          "web: joining replays the group's lines")
    g.send({"type": "history", "limit": 501})
    m, _ = g.recv_until(lambda m: m.get("type") in ("history", "error"))
    T.is_(m and m.get("code"), "missing-argument", "web: a limit over 500 is refused")
    g.close()


def offline(svc, ann, bob):
    bob.send("/quit")
    bob.expect("* bye", skip=True)
    ann.expect("* bob left (quit)", skip=True)
    ann.send("/msg bob while you were out")
    ann.expect("* bob is offline; the message will be delivered when they log in",
               "a message to an offline registered user is kept")
    ann.send("/msg bob and another")
    ann.expect("* bob is offline; the message will be delivered when they log in")
    ann.send("/msg nobody-at-all hi")
    ann.expect("! no-such-user: there is no user named nobody-at-all",
               "an unknown user still is no-such-user")
    bob = svc.client("bob")
    bob.send("bob")
    bob.expect(A.PASSWORD)
    bob.send(USERS["bob"])
    bob.expect(A.welcome("bob"))
    bob.expect("* you are in #dev again (2 members online)",
               "a registered member is back in its group at login")
    bob.expect("* 2 messages arrived while you were away",
               "at login, bob is told how many messages arrived")
    got = [HIST.sub("", bob.read_line()) for _ in range(2)]
    T.is_(got, ["*ann* while you were out", "*ann* and another"],
          "... then each, with its sender and original time")
    ann.expect("* bob joined #dev", "ann sees bob come back into #dev", skip=True)
    ann.expect_nothing("the sender is not told again")
    bob.send("/quit")
    bob.expect("* bye")
    bob = svc.client("bob")
    A.login(bob, "bob", USERS["bob"])
    bob.expect("* you are in #dev again (2 members online)")
    bob.expect_nothing("delivered messages are not given twice")
    return bob


def guest_offline(svc):
    g = svc.client("gus")
    g.login("gus")
    g.send("/msg ghost hi")
    g.expect(re.compile(r"^! no-such-user: "), "a guest's name is never kept for")


def restart_with_new_segment(svc, arch, clients):
    """Everything stops, the segment is removed: a new run."""
    for c in clients:
        c.close()
    arch.stop()
    svc.kill_hub()
    for p, _port, _log in svc.activators:
        T._killpg(p)
    svc.activators.clear()
    try:
        os.unlink("/dev/shm/" + svc.shm_name.lstrip("/"))
    except FileNotFoundError:
        pass
    svc.start_hub()
    svc.port = svc.start_activator()


def restore(svc, arch, ann, bob, cy):
    ann.send("/invite_only dev on")
    ann.expect("* #dev is now invite-only", skip=True)
    ann.send("/invite dev cy")
    ann.expect("* invited cy to #dev")
    cy.expect(re.compile(r"invited you to #dev"), skip=True)
    bob.send("/quit")       # bob's turn to be away: a message waits
    bob.expect("* bye", skip=True)
    ann.send("/msg bob across the restart")
    ann.expect("* bob is offline; the message will be delivered when they log in")
    restart_with_new_segment(svc, arch, [ann, cy])
    T.ok(arch.start(), "chat-historyd starts on the new segment")
    T.like(arch.logged(), r"restored 1 kept group", "it says it restored the group")
    g = svc.client("gus")
    g.login("gus", others=0)
    g.send("/groups")
    g.expect("* #dev (owner ann, invite-only, 0 members):",
             "the group exists again, with its owner and mode, before anyone is back")
    g.send("/join_group dev")
    g.expect(re.compile(r"^! invite-only: "), "its invite-only mode holds")
    g.send("/create_group dev")
    g.expect(re.compile(r"^! group-exists: "), "its name stays taken")
    bob = svc.client("bob")
    A.login(bob, "bob", USERS["bob"])
    bob.expect("* you are in #dev again (1 member online)",
               "a registered member is back in it at login")
    bob.expect("* 1 message arrived while you were away",
               "an offline message survives the restart")
    T.is_(HIST.sub("", bob.read_line()), "*ann* across the restart", "... with its words")
    cy = svc.client("cy")
    A.login(cy, "cy", USERS["cy"])
    cy.send("/join_group dev")
    cy.expect("* joined #dev (2 members)", "an invitation survives the restart")
    ann = svc.client("ann")
    A.login(ann, "ann", USERS["ann"])
    ann.expect("* you are in #dev again (3 members online)")
    ann.send("/kick dev cy")
    ann.expect("* kicked cy from #dev", "the owner owns it again")
    T.is_(history(ann, "/history #dev 1"), ["#dev <ann> after the join"],
          "the group's history is there after the restart")


def gap_counter(svc, arch):
    arch.stop()
    a = svc.client("flood")
    a.login("flood")
    for i in range(1500):
        a.send("x" * 40 + " %d" % i)
    a.send("/users flood")
    a.expect("* users (1): flood", "1500 lines are sent: the ring turns over",
             skip=True)
    T.ok(arch.start(), "the archiver restarts after the ring turned over")
    stats = {}
    T.ok(T.wait_for(lambda: stats.update(svc.stats()) or
                    int(stats.get("archive gaps", 0)) >= 1),
         "chatctl stats counts the gap (%s)" % stats.get("archive gaps"))
    T.ok(int(stats.get("archive records lost", 0)) > 0, "and the records lost in it")


def unusable(svc):
    """An archive that is not a database: a clear error, chat goes on."""
    bad = os.path.join(svc.dir, "broken.db")
    with open(bad, "wb") as f:
        f.write(b"this is not an SQLite database" * 100)
    with open(svc.conf_path, "a") as f:
        f.write("history_db = %s\n" % bad)
    arch = Archiver(svc)
    T.ok(not arch.start(), "chat-historyd refuses an archive that is not one")
    arch.p.wait(timeout=10)
    T.is_(arch.p.returncode, 111, "and exits 111")
    T.like(arch.logged(), r"archive: .*broken\.db: (file is not a database|"
           r"file is encrypted or is not a database)",
           "with a clear error naming the file")
    a = svc.client("ann")
    A.login(a, "ann", USERS["ann"])
    a.send("/history")
    a.expect("! history-unavailable: history is not available now; try again later",
             "/history answers history-unavailable")
    a.send("/msg bob hi")
    a.expect("! user-offline: bob is not online",
             "a message to an offline user is refused as before")
    a.send("still chatting")
    b = svc.client("gus")
    b.login("gus")
    a.send("still here")
    b.expect("<ann> still here", "chat goes on without history")


def main():
    with A.Service(users=USERS, rate_msgs=100000, rate_burst=100000,
                   max_line=128, log_records=256) as svc:
        archive_of(svc)
        arch = Archiver(svc)
        T.ok(arch.start(), "chat-historyd starts")
        ann, bob, cy = visibility_and_replay(svc, arch)
        web(svc)
        bob = offline(svc, ann, bob)
        guest_offline(svc)
        restore(svc, arch, ann, bob, cy)
        gap_counter(svc, arch)
        arch.stop()
    with A.Service(users=USERS) as svc:
        unusable(svc)


T.main(main)

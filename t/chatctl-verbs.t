#!/usr/bin/env python3
# chatctl-verbs.t -- chatctl users (TYPE, GROUPS), groups, stats, kick,
# and --json of each, against what the clients did.
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

STATS_KEYS = ["hub_pid", "hub_starts", "sessions", "sessions_logging_in", "max_sessions",
              "groups", "max_groups", "sessions_total", "logins", "refused_full",
              "auth_failures", "messages_routed", "lines_delivered", "wakeups_sent",
              "wakeups_coalesced", "throttled", "wakeups_swept", "archive_gaps",
              "archive_lost", "bridge_out", "bridge_in", "nodes_lost",
              "log_followers",
              "log_records_written",
              "segment_bytes",
              "disconnects"]
DISCONNECTS = ["quit", "closed_during_login", "socket_error", "sendq_exceeded",
               "session_died", "fell_behind_log", "kicked", "flood", "auth_failed", "timeout"]


def stats_text(svc):
    """chatctl stats as {label: value text}; disconnect lines as
    {"disconnects REASON": count}."""
    r = svc.chatctl("stats")
    out = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "disconnects":
            n, _, reason = value.partition(" ")
            out["disconnects " + reason] = n
        else:
            out[key.strip()] = value
    return r.returncode, out


def main():
    with A.Service(users={"alice": "password123", "bob": "qwerty456"}, max_groups=8) as svc:
        # Nothing yet.
        header, rows = svc.users_table()
        T.is_(header, A.USERS_HEADER, "chatctl users: the header has TYPE and GROUPS")
        T.is_(rows, {}, "... and no rows with nobody online")
        header, rows = svc.groups_table()
        T.is_(header, A.GROUPS_HEADER, "chatctl groups: GROUP OWNER INVITE-ONLY MEMBERS")
        T.is_(rows, {}, "... and no rows without groups")
        T.is_(svc.json("users"), [], "chatctl users --json: []")
        T.is_(svc.json("groups"), [], "chatctl groups --json: []")
        st0 = svc.json("stats")
        T.ok(isinstance(st0, dict) and sorted(st0) == sorted(STATS_KEYS),
             "chatctl stats --json: an object with every counter")
        T.ok(isinstance(st0, dict) and sorted(st0.get("disconnects", {})) == sorted(DISCONNECTS),
             "... and disconnects by reason")
        T.ok(isinstance(st0, dict) and st0.get("hub_pid") == svc.hub.pid,
             "... hub_pid is the hub's pid")
        T.ok(isinstance(st0, dict) and st0.get("sessions") == 0 and st0.get("groups") == 0,
             "... 0 sessions, 0 groups")

        since = time.time()
        a = svc.client("a")
        A.login(a, "alice", "password123", others=0)
        b = svc.client("b")
        A.login(b, "bob", "qwerty456", others=1)
        g = svc.client("g")
        A.login(g, "gia", others=2)
        h = svc.client("h")
        A.login(h, "hal", others=3)
        p = svc.client("p")      # stays at the name prompt
        a.expect_lines(["* bob joined", "* gia joined", "* hal joined"])
        b.expect_lines(["* gia joined", "* hal joined"])
        g.expect("* hal joined")
        a.send("/create_group red")
        a.expect("* created #red; you own it")
        a.send("/create_group blue")
        a.expect("* created #blue; you own it")
        g.send("/join_group red")
        g.expect("* joined #red (2 members)")
        a.expect("* gia joined #red")
        b.send("/create_group green")
        b.expect("* created #green; you own it")
        b.send("/invite_only green on")
        b.expect("* #green is now invite-only")
        b.send("/join_group blue")
        b.expect("* joined #blue (2 members)")
        a.expect("* bob joined #blue")

        # users
        header, rows = svc.users_table()
        T.is_(sorted(rows), ["alice", "bob", "gia", "hal"],
              "chatctl users: a row per logged-in user, none for the client at the prompt")
        T.is_({n: r.get("type") for n, r in rows.items()},
              {"alice": "registered", "bob": "registered", "gia": "guest", "hal": "guest"},
              "TYPE: registered for password logins, guest for the others")
        T.is_({n: r.get("groups") for n, r in rows.items()},
              {"alice": "red,blue", "bob": "blue,green", "gia": "red", "hal": "-"},
              "GROUPS: comma-separated, '-' for none")
        T.is_(rows.get("alice", {}).get("peer"), a.peer, "PEER is the client's address")
        T.is_(rows.get("gia", {}).get("pid"), str(svc.session_pid(g)),
              "PID is the session process")
        T.like(rows.get("hal", {}).get("connected"), r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$",
               "CONNECTED is a local date and time")
        T.like(rows.get("hal", {}).get("idle"), r"^\d+[smhd](\d\d[smh])?$", "IDLE is a duration")
        j = svc.json("users")
        T.ok(isinstance(j, list) and all(sorted(u) == ["connected", "groups", "idle_seconds",
                                                       "name", "peer", "pid", "registered"]
                                         for u in j),
             "chatctl users --json: a list of objects with name, registered, peer, pid, "
             "connected, idle_seconds, groups")
        ju = {u["name"]: u for u in j} if isinstance(j, list) else {}
        T.is_({n: u["registered"] for n, u in ju.items()},
              {"alice": True, "bob": True, "gia": False, "hal": False},
              "--json registered: true/false")
        T.is_({n: u["groups"] for n, u in ju.items()},
              {"alice": ["red", "blue"], "bob": ["blue", "green"], "gia": ["red"], "hal": []},
              "--json groups: arrays")
        T.is_(ju.get("bob", {}).get("peer"), b.peer, "--json peer")
        T.is_(ju.get("bob", {}).get("pid"), svc.session_pid(b), "--json pid is a number")
        T.ok(all(math.floor(since) <= u["connected"] <= time.time() for u in ju.values()),
             "--json connected: Unix times between the start and now")
        T.ok(all(isinstance(u["idle_seconds"], int) and u["idle_seconds"] >= 0
                 for u in ju.values()), "--json idle_seconds: numbers")

        # groups
        header, rows = svc.groups_table()
        T.is_(sorted(rows), ["blue", "green", "red"], "chatctl groups: one row per group")
        T.is_({n: (r.get("owner"), r.get("invite_only"), r.get("members"))
               for n, r in rows.items()},
              {"red": ("alice", "no", ["alice", "gia"]),
               "blue": ("alice", "no", ["alice", "bob"]),
               "green": ("bob", "yes", ["bob"])},
              "chatctl groups: owner, invite-only yes/no, members")
        T.is_(sorted(svc.json("groups") or [], key=lambda x: x["name"]),
              [{"name": "blue", "owner": "alice", "invite_only": False,
                "members": ["alice", "bob"]},
               {"name": "green", "owner": "bob", "invite_only": True, "members": ["bob"]},
               {"name": "red", "owner": "alice", "invite_only": False,
                "members": ["alice", "gia"]}],
              "chatctl groups --json: name, owner, invite_only, members")

        # stats: messages routed counts chat records (to all, private, group).
        before = svc.json("stats") or {}
        a.send("to everyone")
        a.send("/msg bob private")
        a.send("/group_msg red to red")
        a.send("/group_msg blue to blue")
        a.send("/group_msg green not a member")
        a.expect("! not-member: you are not in #green")
        b.expect_lines(["<alice> to everyone", "*alice* private", "#blue <alice> to blue"])
        g.expect_lines(["<alice> to everyone", "#red <alice> to red"])
        h.expect("<alice> to everyone")
        after = svc.json("stats") or {}
        T.is_(after.get("messages_routed", 0) - before.get("messages_routed", 0), 4,
              "stats: 4 more messages routed (the refused one is not counted)")
        T.ok(after.get("lines_delivered", 0) - before.get("lines_delivered", 0) >= 6,
             "stats: at least 6 more lines delivered")
        T.ok(after.get("wakeups_sent", 0) > before.get("wakeups_sent", 0),
             "stats: wake-ups were sent")
        T.is_((after.get("sessions"), after.get("sessions_logging_in"), after.get("groups")),
              (4, 1, 3), "stats: 4 sessions chatting, 1 logging in, 3 groups")
        rc, text = stats_text(svc)
        T.is_(rc, 0, "chatctl stats exits 0")
        T.is_(text.get("sessions"), "4 chatting, 1 logging in, 1024 max",
              "chatctl stats: sessions line")
        T.is_(text.get("groups"), "3, 8 max", "chatctl stats: groups line (max_groups = 8)")
        T.ok(text.get("messages routed", "").isdigit() and
             int(text["messages routed"]) >= after.get("messages_routed", 0),
             "chatctl stats: messages routed")
        for key in ("wake-ups sent", "wake-ups coalesced", "lines delivered", "logins",
                    "flooders slowed", "wrong passwords"):
            T.ok(text.get(key, "x").isdigit(), "chatctl stats prints %r" % key)
        T.ok(all(text.get("disconnects " + r, "x").isdigit() for r in DISCONNECTS),
             "chatctl stats: a disconnects line for every reason")

        # kick
        r = svc.chatctl("kick", "gia", "spamming the channel")
        T.is_((r.returncode, r.stdout, r.stderr), (0, "kicked gia\n", ""),
              "chatctl kick gia REASON: exits 0, says 'kicked gia'")
        g.expect("! closed: kicked by an operator: spamming the channel",
                 "the kicked user is told why")
        g.expect_eof("... and disconnected")
        a.expect_lines(["* gia left #red (kicked by an operator: spamming the channel)",
                        "* gia left (kicked by an operator: spamming the channel)"],
                       "the group member sees the leave in the group, then globally")
        for x in (b, h):
            x.expect("* gia left (kicked by an operator: spamming the channel)",
                     "%s sees the kicked user leave with the reason" % x.label)
        r = svc.chatctl("kick", "HAL")
        T.is_(r.returncode, 0, "chatctl kick without a reason (name in another case) exits 0")
        h.expect("! closed: kicked by an operator: no reason given")
        h.expect_eof()
        for x in (a, b):
            x.expect("* hal left (kicked by an operator: no reason given)")
        r = svc.chatctl("kick", "nobody", "why")
        T.is_(r.returncode, 1, "chatctl kick of an unknown user exits 1")
        T.is_(r.stderr, "chatctl: no user named nobody is online\n", "... saying so")
        T.is_(r.stdout, "", "... and prints nothing on stdout")
        r = svc.chatctl("kick", "alice", "x" * 97)
        T.is_(r.returncode, 1, "a kick reason of 97 bytes is refused (exit 1)")
        T.like(r.stderr, r"^chatctl: the reason must be UTF-8 text of at most 96 bytes",
               "... saying what a reason may be")
        r = svc.chatctl("kick", "alice", "clear\x1b[2Jscreen")
        T.is_(r.returncode, 1, "a kick reason with a control character is refused")
        r = svc.chatctl("kick")
        T.is_(r.returncode, 100, "chatctl kick without a user: usage, exit 100")
        T.like(r.stderr, r"usage: chatctl kick USER \[REASON\]", "... with the usage")
        r = svc.chatctl("kick", "alice", "one", "two")
        T.is_(r.returncode, 100, "chatctl kick with two reasons: usage")
        for x in (a, b):
            x.expect_nothing("%s is not affected by the refused kicks" % x.label)
        st = svc.json("stats") or {}
        T.is_(st.get("disconnects", {}).get("kicked"), 2, "stats: 2 disconnects for kicked")
        T.is_(st.get("sessions"), 2, "stats: 2 sessions left")
        T.is_({n: r.get("groups") for n, r in svc.users_table()[1].items()},
              {"alice": "red,blue", "bob": "blue,green"},
              "chatctl users after the kicks")
        T.is_(svc.group_members(), {"red": ["alice"], "blue": ["alice", "bob"],
                                    "green": ["bob"]},
              "chatctl groups after the kicks: gia is out of red")
        # A kicked registered user may log in again.  A UTF-8 reason of
        # exactly 96 bytes goes through whole.
        why = "\u00e9t\u00e9 " * 16
        T.is_(len(why.encode()), 96, "(a reason of 96 bytes in 2-byte characters)")
        r = svc.chatctl("kick", "bob", why)
        T.is_(r.returncode, 0, "chatctl kick with a 96-byte UTF-8 reason exits 0")
        b.expect("! closed: kicked by an operator: " + why,
                 "the kicked user gets the UTF-8 reason whole")
        b.expect_eof()
        a.expect_lines(["* bob left #blue (kicked by an operator: %s)" % why,
                        "* bob left (kicked by an operator: %s)" % why],
                       "the others get the UTF-8 reason whole")
        T.is_(svc.group_members(), {"red": ["alice"], "blue": ["alice"]},
              "bob's own group is deleted when the kick empties it")
        b = svc.client("b2")
        A.login(b, "bob", "qwerty456", others=1, desc="a kicked user can log in again")
        a.expect("* bob joined")

        # Argument errors.
        for verb in ("users", "groups", "stats"):
            r = svc.chatctl(verb, "extra")
            T.is_(r.returncode, 100, "chatctl %s with an argument exits 100" % verb)
            T.like(r.stderr, r"usage: chatctl %s \[--json\]" % verb, "... with its usage")
        r = svc.chatctl("--json")
        T.ok(r.returncode != 0, "chatctl --json without a verb fails")
        p.close()

    # No hub: kick cannot reach it; the show verbs find no segment.
    with A.Service(hub=False, accept=False) as svc:
        r = svc.chatctl("kick", "alice")
        T.is_(r.returncode, 111, "chatctl kick without a hub exits 111")
        T.like(r.stderr, r"cannot reach the hub in " + re.escape(svc.runtime_dir),
               "... naming the runtime directory")
        for verb in ("groups", "stats"):
            r = svc.chatctl(verb, "--json")
            T.is_((r.returncode, r.stdout), (111, ""),
                  "chatctl %s --json without a service: exit 111, no output" % verb)


T.main(main)

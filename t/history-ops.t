#!/usr/bin/env python3
# history-ops.t -- the archive's operations: retention (history_days
# deletes older records and gap rows, history_max_rows the oldest beyond
# the cap, in batches, while archiving goes on), chatctl history and its
# filters (text and --json), and chatctl export --format jsonl.
import json
import re
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_history import HISTORYD, Archiver, rows  # noqa: E402

DAY_MS = 24 * 3600 * 1000


def count(db, where="1"):
    return rows(db, "SELECT COUNT(*) FROM records WHERE " + where)[0][0]


def configure(svc, **keys):
    """Set chat.conf keys (read by the next start of chat-historyd)."""
    svc.conf.update(keys)
    svc.write_conf(svc.conf_path, svc.conf)


def insert_chat(db, segment_id, first, n, time_ms, step_ms=0, text="old %d"):
    """n chat lines to everyone from 'old', seq first..first+n-1 (columns
    added to the schema since get 0 or '')."""
    con = sqlite3.connect(db, timeout=10)
    row = {"origin": 0, "kind": 1, "event": 0, "mode": 0, "to_kind": 0,
           "from_name": "old", "to_name": "", "group_name": "", "target_name": ""}
    for _, name, typ, notnull, default, _ in con.execute("PRAGMA table_info(records)"):
        if name not in row and name not in ("segment_id", "seq", "time_ms", "text") \
                and notnull and default is None:
            row[name] = "" if typ.upper() == "TEXT" else 0
    cols = ["segment_id", "seq", "time_ms", "text"] + list(row)
    with con:
        con.executemany(
            "INSERT INTO records (%s) VALUES (%s)" % (", ".join(cols),
                                                    ", ".join("?" * len(cols))),
            [(segment_id, first + i, time_ms + i * step_ms, text % i) + tuple(row.values())
             for i in range(n)])
    con.close()


def retention():
    with T.Service(rate_msgs=100000, rate_burst=100000) as svc:
        db = os.path.join(svc.dir, "history.db")
        configure(svc, history_db=db, history_days=1)
        arch = Archiver(svc)
        T.ok(arch.start(), "chat-historyd starts with history_days = 1")
        a = svc.client("ann")
        a.login("ann", others=0)
        a.send("kept line")
        T.ok(T.wait_for(lambda: count(db, "text = 'kept line'") == 1),
             "a line is archived")
        T.is_(arch.stop(), 0, "chat-historyd stops on SIGTERM")

        now = int(time.time() * 1000)
        insert_chat(db, 7, 1, 1234, now - 3 * DAY_MS)
        insert_chat(db, 7, 2000, 10, now - DAY_MS // 2, text="recent %d")
        con = sqlite3.connect(db)
        with con:
            con.execute("INSERT INTO gaps VALUES (7, 1500, 1599, ?)", (now - 2 * DAY_MS,))
            con.execute("INSERT INTO gaps VALUES (7, 1900, 1909, ?)", (now,))
        con.close()
        T.ok(arch.start(), "restarted over 1234 records 3 days old, 10 half a day old")
        a.send("while deleting")
        T.ok(T.wait_for(lambda: count(db, "from_name = 'old'") == 10, timeout=20),
             "the records older than history_days are deleted (%d old left)"
             % count(db, "text LIKE 'old %'"))
        T.is_(count(db, "text LIKE 'recent %'"), 10, "the younger ones are kept")
        T.ok(T.wait_for(lambda: count(db, "text IN ('kept line', 'while deleting')") == 2),
             "the live lines are kept, and archiving went on meanwhile")
        T.is_(rows(db, "SELECT first_seq FROM gaps"), [(1900,)],
              "the gap row noticed 2 days ago is deleted, today's kept")
        T.ok(T.wait_for(lambda: "retention: deleted 1234 records and 1 gap rows"
                        in arch.logged()),
             "the pass is logged at info with what it deleted")
        T.is_(arch.stop(), 0, "and it stops cleanly")

        # history_max_rows: the oldest beyond the cap go, by time.
        configure(svc, history_days=0, history_max_rows=100)
        insert_chat(db, 8, 1, 1500, now - 10 * DAY_MS, step_ms=1000, text="capped %d")
        total = count(db)
        T.ok(arch.start(), "restarted with history_days = 0, history_max_rows = 100, "
             "%d records" % total)
        T.ok(T.wait_for(lambda: count(db) <= 100, timeout=20),
             "the archive is cut to 100 records (%d)" % count(db))
        others = total - 1500      # all younger than the capped ones
        kept = rows(db, "SELECT COUNT(*), MIN(seq) FROM records WHERE segment_id = 8")[0]
        T.is_(kept, (100 - others, 1500 - (100 - others) + 1),
              "the oldest records went first: the newest %d of 1500 are left"
              % (100 - others))
        T.is_(count(db, "segment_id != 8"), others, "and every younger one stayed")
        before = count(db)
        a.send("past the cap")
        T.ok(T.wait_for(lambda: count(db, "text = 'past the cap'") == 1),
             "a new line is archived past the cap")
        T.ok(count(db) == before + 1, "and stays until the next pass (%d rows)" % count(db))
        T.is_(arch.stop(), 0, "chat-historyd stops cleanly")


STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def history(svc, *args):
    """chatctl history ARGS: (exit status, [lines without the stamp], stderr)."""
    r = svc.chatctl("history", *args)
    lines = r.stdout.splitlines()
    stamped = all(re.match("^" + STAMP + " ", line) for line in lines)
    return r.returncode, [line.split(" ", 1)[1] for line in lines] if stamped else lines, \
        r.stderr


def chatctl_history():
    with T.Service(rate_msgs=100000, rate_burst=100000) as svc:
        db = os.path.join(svc.dir, "history.db")
        configure(svc, history_db=db)
        r = svc.chatctl("history")
        T.is_((r.returncode, r.stderr.strip()), (111, "chatctl: history: no archive at %s "
              "(is chat-historyd running?)" % db), "no archive yet: a clear error, exit 111")
        r = svc.chatctl("export", "--format", "jsonl")
        T.ok(r.returncode != 0 and "no archive at" in r.stderr, "export says the same")

        arch = Archiver(svc)
        T.ok(arch.start(), "chat-historyd starts")
        a = svc.client("ann")
        a.login("ann", others=0)
        b = svc.client("bob")
        b.login("bob", others=1)
        a.expect("* bob joined")
        a.send("hello all")
        b.expect("<ann> hello all")
        a.send("/msg bob psst")
        b.expect("*ann* psst")
        a.send("/create_group dev")
        a.expect("* created #dev; you own it")
        b.send("/join_group dev")
        b.expect("* joined #dev (2 members)")
        a.expect("* bob joined #dev")
        b.send("/group_msg #dev build is green")
        a.expect("#dev <bob> build is green")
        a.send("/group_msg dev thanks")
        b.expect("#dev <ann> thanks")
        b.send("/msg ann \u00e9t\u00e9 \"quoted\" \\ back")
        a.expect("*bob* \u00e9t\u00e9 \"quoted\" \\ back")
        T.ok(T.wait_for(lambda: count(db, "text LIKE '%quoted%'") == 1),
             "the lines reach the archive")

        rc, lines, err = history(svc)
        T.is_(rc, 0, "chatctl history exits 0")
        T.is_(lines, ["* ann joined", "* bob joined", "<ann> hello all", "*ann->bob* psst",
                      "* ann joined #dev", "* bob joined #dev", "#dev <bob> build is green",
                      "#dev <ann> thanks", "*bob->ann* \u00e9t\u00e9 \"quoted\" \\ back"],
              "every record, oldest first, each stamped like 2026-12-03T17:20:01.123Z "
              "and worded as a client reads it")
        T.is_(history(svc, "--group", "dev")[1], ["#dev <bob> build is green", "#dev <ann> thanks"],
              "--group dev: the chat lines to #dev")
        T.is_(history(svc, "--group", "#DEV")[1], ["#dev <bob> build is green", "#dev <ann> thanks"],
              "--group #DEV: the same (any case, # allowed)")
        T.is_(history(svc, "--user", "Bob")[1],
              ["*ann->bob* psst", "#dev <bob> build is green",
               "*bob->ann* \u00e9t\u00e9 \"quoted\" \\ back"],
              "--user Bob: the chat lines from or to bob")
        T.is_(history(svc, "--user", "bob", "--group", "dev")[1], ["#dev <bob> build is green"],
              "--user and --group together: both hold")
        T.is_(history(svc, "--limit", "2")[1],
              ["#dev <ann> thanks", "*bob->ann* \u00e9t\u00e9 \"quoted\" \\ back"],
              "--limit 2: the newest two, oldest first")

        # A line from two days ago, for --since.
        now = int(time.time() * 1000)
        insert_chat(db, 99, 1, 1, now - 2 * DAY_MS, text="two days ago %d")
        T.is_(history(svc, "--limit", "1000")[1][0], "<old> two days ago 0",
              "an older record is listed first")
        for since in ("1h", "90m", "1d", str(now // 1000 - 3600),
                      time.strftime("%Y-%m-%d %H:%M", time.gmtime(now / 1000 - 86400))):
            got = history(svc, "--since", since)[1]
            T.ok(len(got) == 9 and "two days ago" not in got[0],
                 "--since %s leaves it out (%d lines)" % (since, len(got)))
        for since in ("3d", "1w", str(now // 1000 - 3 * 86400),
                      time.strftime("%Y-%m-%d", time.gmtime(now / 1000 - 3 * 86400)),
                      time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now / 1000 - 3 * 86400))):
            got = history(svc, "--since", since)[1]
            T.is_(len(got), 10, "--since %s takes it in" % since)
        for bad in (["--since", "yesterday"], ["--since", "2h30"], ["--limit", "0"],
                    ["--limit", "x"], ["--frobnicate"], ["--group"]):
            rc, lines, err = history(svc, *bad)
            T.ok(rc == 100 and lines == [] and err.startswith(("chatctl: history: bad",
                                                              "usage: chatctl history")),
                 "%s: a usage error, exit 100 (%s)" % (" ".join(bad), err.strip()))

        r = svc.chatctl("history", "--json", "--user", "ann")
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        T.is_(len(objs), 4, "--json: one object a line (4 for --user ann)")
        pm = objs[1]
        T.is_({k: pm[k] for k in ("type", "kind", "to_kind", "from", "to", "text", "origin")},
              {"type": "record", "kind": "chat", "to_kind": "user", "from": "ann", "to": "bob",
               "text": "psst", "origin": 0},
              "a private message's object: kind, addressee, sender, text")
        T.ok(re.match("^" + STAMP + "$", pm["time"]) and isinstance(pm["time_ms"], int) and
             isinstance(pm["seq"], int) and len(pm["segment"]) == 16,
             "its time (%s, and in ms), sequence and segment" % pm["time"])
        T.is_(objs[-1]["text"], "\u00e9t\u00e9 \"quoted\" \\ back",
              "UTF-8, quotes and backslashes come back intact")

        # export: every record and gap row, valid JSON, oldest first.
        con = sqlite3.connect(db, timeout=10)
        with con:
            first = con.execute("SELECT MIN(seq) FROM records WHERE kind = 4").fetchone()[0]
            seg = con.execute("SELECT segment_id FROM records WHERE seq = ?",
                              (first,)).fetchone()[0]
            con.execute("INSERT INTO gaps VALUES (?, 1000000, 1000009, ?)", (seg, now))
        con.close()
        r = svc.chatctl("export", "--format", "jsonl")
        T.is_(r.returncode, 0, "chatctl export --format jsonl exits 0")
        objs, bad = [], 0
        for line in r.stdout.splitlines():
            try:
                objs.append(json.loads(line))
            except ValueError:
                bad += 1
        T.is_(bad, 0, "every line of the export is a JSON object (%d lines)" % len(objs))
        recs = [o for o in objs if o["type"] == "record"]
        gaps = [o for o in objs if o["type"] == "gap"]
        T.is_(len(recs), count(db), "every record is exported")
        T.is_([(g["first_seq"], g["last_seq"]) for g in gaps], [(1000000, 1000009)],
              "and the gap row, as {\"type\":\"gap\",...}")
        T.ok([o["time_ms"] for o in recs] == sorted(o["time_ms"] for o in recs),
             "oldest first")
        T.is_(objs[-1]["type"], "gap", "the gap comes after the records before it in its run")
        kinds = sorted({(o["kind"], o.get("event", "")) for o in recs})
        T.is_(kinds, [("chat", ""), ("group", "joined"), ("join", "")],
              "records carry their kind and event by name")

        # The group ends: its events in the third person.
        b.send("/leave_group dev")
        b.expect("* left #dev")
        a.send("/leave_group dev")
        a.expect("* left #dev", skip=True)
        T.ok(T.wait_for(lambda: "* #dev was closed" in history(svc, "--limit", "3")[1]),
             "the group's end is listed as '* #dev was closed'")
        T.is_(history(svc, "--limit", "3")[1], ["* bob left #dev", "* ann left #dev",
                                                "* #dev was closed"],
              "after its members leaving ('* bob left #dev')")
        last = json.loads(svc.chatctl("history", "--json", "--limit", "1").stdout)
        T.is_((last["kind"], last["event"], last["group"]), ("group", "closed", "dev"),
              "in JSON: kind group, event closed")
        T.is_(arch.stop(), 0, "chat-historyd stops cleanly")


def bad_conf():
    """A bad chat.conf is exit 100, which chat-history.service does not restart."""
    with T.Service(hub=False, accept=False) as svc:
        bad = os.path.join(svc.dir, "bad.conf")
        with open(bad, "w") as f:
            f.write("history_days = forever\n")
        r = subprocess.run([HISTORYD, "-c", bad], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=10)
        T.is_(r.returncode, 100, "chat-historyd with a bad chat.conf exits 100")
        T.like(r.stderr, r"bad\.conf:1: ", "and names the file and line")


def main():
    bad_conf()
    retention()
    chatctl_history()


T.main(main)

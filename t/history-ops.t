#!/usr/bin/env python3
# history-ops.t -- the archive's operations: retention (history_days
# deletes older records and gap rows, history_max_rows the oldest beyond
# the cap, in batches, while archiving goes on), chatctl history and its
# filters (text and --json), and chatctl export --format jsonl.
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

HISTORYD = T.program("chat-historyd")
DAY_MS = 24 * 3600 * 1000


class Archiver:
    def __init__(self, svc):
        self.svc = svc
        self.p = None
        self.log = os.path.join(svc.dir, "historyd.log")

    def start(self):
        log = open(self.log, "ab")
        self.p = subprocess.Popen([HISTORYD, "-c", self.svc.conf_path],
                                  stdout=subprocess.PIPE, stderr=log,
                                  start_new_session=True)
        self.svc._extra.append(self.p)
        line = self.p.stdout.readline().decode()
        return line.startswith("ready")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        return self.p.wait(timeout=10)

    def logged(self):
        with open(self.log, errors="replace") as f:
            return f.read()


def rows(db, sql, *args):
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def count(db, where="1"):
    return rows(db, "SELECT COUNT(*) FROM records WHERE " + where)[0][0]


def configure(svc, **keys):
    """Set chat.conf keys (read by the next start of chat-historyd)."""
    svc.conf.update(keys)
    svc.write_conf(svc.conf_path, svc.conf)


def insert_chat(db, segment_id, first, n, time_ms, step_ms=0, text="old %d"):
    """n chat lines to everyone from 'old', seq first..first+n-1."""
    con = sqlite3.connect(db, timeout=10)
    with con:
        con.executemany(
            "INSERT INTO records (segment_id, seq, time_ms, origin, kind, event, "
            "mode, to_kind, from_name, to_name, group_name, target_name, text) "
            "VALUES (?, ?, ?, 0, 1, 0, 0, 0, 'old', '', '', '', ?)",
            [(segment_id, first + i, time_ms + i * step_ms, text % i)
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
        T.is_(count(db, "text IN ('kept line', 'while deleting')"), 2,
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


def main():
    retention()


T.main(main)

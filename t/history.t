#!/usr/bin/env python3
# history.t -- chat-historyd archives every record of the log in SQLite:
# every kind of record, each sequence number exactly once across kill -9
# and restarts under load, and an explicit gap row (never a silent hole)
# when the ring was overwritten while it was down.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_history import Archiver, archive_of, rows  # noqa: E402

def chat_count(db):
    return rows(db, "SELECT COUNT(*) FROM records WHERE kind = 1")[0][0]


def main():
    with T.Service(rate_msgs=100000, rate_burst=100000) as svc:
        db = archive_of(svc)
        arch = Archiver(svc)
        T.ok(arch.start(), "chat-historyd starts and says it is ready")
        T.is_(oct(os.stat(db).st_mode & 0o777), oct(0o640), "the archive is made 0640")

        a = svc.client("ann")
        a.login("ann", others=0)
        b = svc.client("bob")
        b.login("bob", others=1)
        a.expect("* bob joined")
        a.send("hello everyone")
        b.expect("<ann> hello everyone")
        a.send("/msg bob psst")
        b.expect("*ann* psst")
        a.send("/create_group dev")
        a.expect("* created #dev; you own it")
        b.send("/join_group dev")
        b.expect("* joined #dev (2 members)")
        T.ok(T.wait_for(lambda: rows(db, "SELECT COUNT(*) FROM records "
                                         "WHERE kind = 4")[0][0] >= 1),
             "the records reach the archive")
        kinds = {r[0] for r in rows(db, "SELECT kind FROM records")}
        T.ok({1, 2, 4} <= kinds, "chat lines, joins and group events are archived (%s)"
             % sorted(kinds))
        got = rows(db, "SELECT from_name, to_kind, to_name, text FROM records "
                   "WHERE kind = 1 ORDER BY seq")
        T.is_(got, [("ann", 0, "", "hello everyone"), ("ann", 1, "bob", "psst")],
              "a line's sender, addressee and text are stored")

        # kill -9 under load, restart: every line exactly once, no hole.
        sent = 0
        for round_ in range(3):
            for i in range(150):
                a.send("load %d %d" % (round_, i))
                sent += 1
            arch.kill()
            T.ok(arch.start(), "restarted after kill -9 (round %d)" % round_)
        T.ok(T.wait_for(lambda: chat_count(db) >= 2 + sent, timeout=20),
             "every line sent is archived (%d of %d)" % (chat_count(db) - 2, sent))
        dup = rows(db, "SELECT COUNT(*) - COUNT(DISTINCT text) FROM records WHERE kind = 1")[0][0]
        T.is_(dup, 0, "no line is stored twice")
        T.is_(rows(db, "SELECT COUNT(*) FROM gaps")[0][0], 0,
              "and no gap: the ring held what was sent while it was down")
        arch.stop()
        T.is_(arch.p.returncode, 0, "SIGTERM ends it cleanly")
    overrun()


def overrun():
    """Down while the ring turns over: one explicit gap row."""
    with T.Service(rate_msgs=100000, rate_burst=100000, max_line=64,
                   log_records=64) as svc:
        db = archive_of(svc)
        arch = Archiver(svc)
        T.ok(arch.start(), "an archiver on a small ring starts")
        a = svc.client("ann")
        a.login("ann", others=0)
        b = svc.client("bob")
        b.login("bob", others=1)
        a.expect("* bob joined")
        T.ok(T.wait_for(lambda: rows(db, "SELECT COUNT(*) FROM records")[0][0] >= 2),
             "the joins are archived")
        arch.kill()
        # In steps bob keeps up with: only the archiver is away.
        for i in range(400):
            a.send("while away %d" % i)
            if i % 20 == 19:
                b.expect("<ann> while away %d" % i, skip=True, timeout=20)
        T.ok(arch.start(), "restarted after the ring turned over")
        T.ok(T.wait_for(lambda: rows(db, "SELECT COUNT(*) FROM gaps")[0][0] == 1),
             "the overwritten records are one gap row")
        first, last = rows(db, "SELECT first_seq, last_seq FROM gaps")[0]
        held = rows(db, "SELECT COUNT(*) FROM records WHERE seq BETWEEN ? AND ?",
                    first, last)[0][0]
        T.ok(first <= last and held == 0, "the gap's records are not in the archive "
             "(%d to %d)" % (first, last))
        T.ok(T.wait_for(lambda: rows(db, "SELECT COUNT(*) FROM records WHERE "
                                         "text = 'while away 399'")[0][0] == 1),
             "what the ring still held after it is archived")
        log = open(os.path.join(svc.dir, "historyd.log")).read()
        T.ok("gap: records" in log, "and the gap is logged")
        arch.stop()


T.main(main)

"""chattest_history -- chat-historyd for the tests of the archive
(t/history.t, t/history-use.t, t/history-ops.t).

    arch = Archiver(svc)      chat-historyd on svc's chat.conf, its stderr
                              in svc.dir/historyd.log
    arch.start()              True once it says "ready"
    arch.stop(sig)            SIGTERM (or sig) and reap: its exit status
    arch.logged()             what it has logged so far
    archive_of(svc)           history_db set to svc.dir/history.db
    rows(db, sql, *args)      a query's rows, from a connection of its own
"""
import os
import signal
import sqlite3
import subprocess

import chattest as T

HISTORYD = T.program("chat-historyd")


class Archiver:
    def __init__(self, svc):
        self.svc = svc
        self.p = None
        self.log = os.path.join(svc.dir, "historyd.log")

    def start(self):
        with open(self.log, "ab") as log:
            self.p = subprocess.Popen([HISTORYD, "-c", self.svc.conf_path],
                                      stdout=subprocess.PIPE, stderr=log,
                                      start_new_session=True)
        self.svc._extra.append(self.p)
        return self.p.stdout.readline().decode().startswith("ready")

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        return self.p.wait(timeout=10)

    def kill(self):
        return self.stop(signal.SIGKILL)

    def logged(self):
        with open(self.log, errors="replace") as f:
            return f.read()


def archive_of(svc):
    db = os.path.join(svc.dir, "history.db")
    with open(svc.conf_path, "a") as f:
        f.write("history_db = %s\n" % db)
    return db


def rows(db, sql, *args):
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()

#!/usr/bin/env python3
# followers.t -- log followers (design invariant 12; lib/follower.c,
# tools/chat-follow): a process without a client that registers with the
# hub like a session, is woken for every record and reads the log with a
# cursor of its own.  Two followers (one printing every record, one
# counting) started before 20 senders burst lines to everyone, to one
# user and to a group through real sessions see every one of those
# records, in an unbroken chain of sequence numbers, with no gap.
# Followers are not users (/users, chatctl users, the welcome's count);
# chatctl stats counts them.  A follower killed with SIGKILL is noticed
# by the hub and its slot freed.  A follower stopped (SIGSTOP) while the
# ring laps it reports the gap ("gap FROM TO", and a warning), then reads
# on; the sessions lose nothing meanwhile.
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_faults as F  # noqa: E402

FOLLOW = T.program("tools/chat-follow")
SENDERS = 20
TO_ALL, PRIVATE, GROUP = 30, 5, 5     # lines each sender sends of each kind
MAX_LINE = 256
LOG_RECORDS = 1024
RING = None             # the ring in cells, from chatctl stats (main)
PAD = "x" * 40          # makes a chat record two cells
LONG = "y" * 240        # makes one five cells


class Follower:
    """tools/chat-follow on svc, its output in a file of svc's directory."""

    def __init__(self, svc, label, *args):
        self.path = os.path.join(svc.dir, "follow-%s.out" % label)
        self.errpath = self.path + ".err"
        with open(self.path, "wb") as out, open(self.errpath, "wb") as err:
            self.proc = subprocess.Popen([FOLLOW, "-c", svc.conf_path] + list(args),
                                         stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, start_new_session=True)
        svc._extra.append(self.proc)    # killed with the service at the end
        self.pid = self.proc.pid

    def lines(self):
        with open(self.path, "rb") as f:
            data = f.read().decode("utf-8", "surrogateescape")
        return data.split("\n")[:-1]    # only complete lines

    def stderr(self):
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "backslashreplace")

    def ready(self):
        return T.wait_for(lambda: any(l.startswith("ready ") for l in self.lines()),
                          T.TIMEOUT)

    def records(self):
        """(seq, next, kind, from, to, text) of every record line."""
        out = []
        for line in self.lines():
            m = re.match(r"^(\d+) (\d+) (\S+) (\S+) (\S+) (.*)$", line)
            if m:
                out.append((int(m.group(1)), int(m.group(2))) + m.groups()[2:])
        return out

    def gaps(self):
        return [tuple(int(x) for x in l.split()[1:]) for l in self.lines()
                if l.startswith("gap ")]


def sender_lines(i, partner):
    """What sender i sends: (line to send, record fields the follower
    must print for it: kind, to, text)."""
    out = []
    for j in range(TO_ALL):
        text = "burst s%02d all %02d %s" % (i, j, PAD)
        out.append((text, ("chat", "all", text)))
    for j in range(PRIVATE):
        text = "burst s%02d private %02d %s" % (i, j, PAD)
        out.append(("/msg s%02d %s" % (partner, text), ("chat", "user", text)))
    for j in range(GROUP):
        text = "burst s%02d group %02d %s" % (i, j, PAD)
        out.append(("/group_msg burst %s" % text, ("chat", "group:burst", text)))
    return out


def login_senders(svc, watcher):
    senders = []
    for i in range(SENDERS):
        c = svc.client("s%02d" % i)
        if c.login("s%02d" % i) is None:
            T.bail("sender s%02d could not log in" % i)
        c.send("/join_group burst" if i else "/create_group burst")
        c.expect(T.rx(r"^\* (created|joined) #burst"), skip=True)
        senders.append(c)
    watcher.send("/users")
    want = "* users (%d): watcher %s" % (SENDERS + 1, " ".join(
        "s%02d" % i for i in range(SENDERS)))
    watcher.expect(want, "/users lists the %d users and no follower" % (SENDERS + 1),
                   skip=True)
    return senders


def check_chain(recs, what):
    """Every record starts where the one before ended, but after a pad
    (which starts a record at the ring's cell 0)."""
    breaks = [(a, b) for a, b in zip(recs, recs[1:])
              if b[0] != a[1] and not (b[0] > a[1] and b[0] % RING == 0)]
    T.is_(breaks[:3], [], "%s: every record starts where the one before "
          "ended (or at cell 0 after a pad): no gap in the sequence" % what)


def counts(f):
    """The --count lines of f, as (records, gaps, cells lost)."""
    return [tuple(int(x) for x in l.split()[1:]) for l in f.lines()
            if l.startswith("count ")]


def burst(svc):
    what = "burst"
    f = Follower(svc, "burst")
    T.ok(f.ready(), "%s: the follower registered with the hub (ready)" % what)
    fc = Follower(svc, "count", "--count")
    T.ok(fc.ready(), "%s: a counting follower registered too" % what)
    watcher = svc.client("watcher")
    watcher.login("watcher", others=0,
                  desc="the first user is told 0 others online: a follower is no user")
    senders = login_senders(svc, watcher)
    users = F.user_names(svc)
    T.is_(users, sorted(["watcher"] + ["s%02d" % i for i in range(SENDERS)]),
          "chatctl users lists the users and no follower")
    st = F.stats(svc) or {}
    T.is_((st.get("sessions"), st.get("sessions_logging_in"), st.get("log_followers")),
          (SENDERS + 1, 0, 2), "chatctl stats: %d sessions chatting, none logging "
          "in, 2 log followers" % (SENDERS + 1))
    before = len(counts(fc))

    want = []
    for i, c in enumerate(senders):
        lines = sender_lines(i, (i + 1) % SENDERS)
        want += [("s%02d" % i,) + fields for _, fields in lines]
        c.send_raw("".join(line + "\n" for line, _ in lines).encode())
    total = len(want)
    T.diag("%d senders sent %d lines in one burst each" % (SENDERS, total))

    def seen():
        return [r for r in f.records() if r[2] == "chat" and r[5].startswith("burst ")]
    got, _ = F.wait_value(lambda: len(seen()), total, timeout=T.TIMEOUT * 6)
    T.is_(got, total, "%s: the follower read all %d lines" % (what, total))
    recs = f.records()
    norm = sorted((r[3], r[2], "user" if r[4].startswith("user:") else r[4], r[5])
                  for r in seen())
    T.is_(norm == sorted(want), True,
          "%s: ... each once, from its sender, to its addressee" % what)
    T.is_(f.gaps(), [], "%s: the follower reports no gap" % what)
    check_chain(recs, what)
    got = T.wait_for(lambda: counts(fc)[-1:] == [(len(recs), 0, 0)])
    T.ok(got, "%s: the counting follower counts the same %d records, no gap "
         "(last: %s)" % (what, len(recs), counts(fc)[-1:]))
    T.diag("the counting follower drained %d times during the burst"
           % (len(counts(fc)) - before))
    T.ok(F.alive(f.pid) and F.alive(fc.pid), "%s: the followers still run" % what)
    fc.proc.send_signal(signal.SIGTERM)
    T.is_(wait_exit(fc), 0, "SIGTERM: a follower exits 0")
    return f, watcher, senders


def wait_exit(f):
    try:
        return f.proc.wait(timeout=T.TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def killed(svc, f):
    what = "kill -9"
    F.kill(f.pid)
    T.ok(F.wait_gone(f.pid), "%s: the follower is gone" % what)
    got, _ = F.wait_value(lambda: (F.stats(svc) or {}).get("log_followers"), 0)
    T.is_(got, 0, "%s: the hub noticed and freed its slot (chatctl stats: 0 "
          "log followers)" % what)
    T.ok(re.search(r"slot \d+: log follower %d died; slot freed" % f.pid,
                   F.log_text(svc)),
         "%s: the hub logged the freed slot" % what)


def overrun(svc, watcher, sender):
    what = "overrun"
    f = Follower(svc, "stopped")
    T.ok(f.ready(), "%s: another follower registered" % what)
    sender.send("before the stop")
    T.ok(T.wait_for(lambda: [r for r in f.records() if r[5] == "before the stop"]),
         "%s: it reads a line" % what)
    os.kill(f.pid, signal.SIGSTOP)
    T.ok(T.wait_for(lambda: F.proc_state(f.pid) == "T"), "%s: it is stopped" % what)
    # Five-cell records, more than a ring of them, in chunks a session
    # reads before the next: only the stopped follower is lapped.
    lap, chunk, read = RING // 5 + 10, 64, 0
    for first in range(0, lap, chunk):
        last = min(first + chunk, lap)
        sender.send_raw("".join("lap %04d %s\n" % (j, LONG)
                                for j in range(first, last)).encode())
        _, matched = A.collect_until(watcher, "<%s> lap %04d %s" % (
            sender.name, last - 1, LONG))
        if not matched:
            break
        read = last
    T.is_(read, lap, "%s: a session reads all %d lines meanwhile: the stopped "
          "follower holds nobody up" % (what, lap))
    os.kill(f.pid, signal.SIGCONT)
    sender.send("after the stop")
    watcher.expect("<%s> after the stop" % sender.name)
    gap = T.wait_for(lambda: [l for l in f.lines() if l.startswith("gap ")])
    T.ok(gap, "%s: the follower reports the gap: %s" % (what, gap))
    T.like(f.stderr(), r"gap: cells \d+ to \d+ were overwritten before they were "
           r"read \(\d+ cells lost\)", "%s: ... and warns on stderr" % what)
    after = T.wait_for(lambda: after_gap(f, "after the stop"))
    T.ok(after, "%s: it reads on after the gap: the line sent after it" % what)
    f.proc.send_signal(signal.SIGTERM)
    T.is_(wait_exit(f), 0, "%s: SIGTERM: the follower exits 0" % what)
    got, _ = F.wait_value(lambda: (F.stats(svc) or {}).get("log_followers"), 0)
    T.is_(got, 0, "%s: ... and its slot is free" % what)


def after_gap(f, text):
    """text was read as a record after the first gap line."""
    lines = f.lines()
    first = next((i for i, l in enumerate(lines) if l.startswith("gap ")), None)
    return first is not None and any(l.endswith(" " + text) for l in lines[first:])


def ring_cells(svc):
    """The ring's size in cells ("log records: N written, ring of C cells")."""
    m = re.search(r"ring of (\d+) cells", svc.stats().get("log records", ""))
    if m is None:
        T.bail("chatctl stats does not say the ring's size")
    return int(m.group(1))


def main():
    global RING
    if not os.access(FOLLOW, os.X_OK):
        T.bail("%s is not built" % FOLLOW)
    with T.Service(max_sessions=SENDERS + 8, max_line=MAX_LINE,
                   log_records=LOG_RECORDS, rate_msgs=1000000,
                   rate_burst=1000000) as svc:
        RING = ring_cells(svc)
        T.diag("a ring of %d cells" % RING)
        f, watcher, senders = burst(svc)
        killed(svc, f)
        for c in senders[1:]:
            c.close()       # they would not read what the overrun sends
        overrun(svc, watcher, senders[0])
        for c in [watcher] + senders:
            c.close()


T.main(main)

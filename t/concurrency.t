#!/usr/bin/env python3
# concurrency.t -- 50 clients at once, each in its own thread, creating,
# joining and leaving groups and sending group and private messages.
# Every client records every line it receives.  Afterwards:
#   - chatctl groups --json (and users --json, and /groups) list exactly
#     the memberships the clients' own answers say they have;
#   - no group message or group notice reached a client while it was not
#     a member (judged on the client's own stream: its "* joined #g" /
#     "* left #g" answers delimit its membership), no private message
#     reached anyone but its target, nobody got its own lines back;
#   - every group message reached every member that had joined before it
#     was sent and stayed; every private message reached its target once.
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

CLIENTS = 50
STEPS = 30
GROUPS = ["g%d" % i for i in range(8)]
DEADLINE = 60           # for any one answer, on a busy machine

REPLY = re.compile(r"^\* (created #(\S+); you own it|joined #(\S+) \(\d+ members?\)|left #(\S+))$")
GROUP_MSG = re.compile(r"^#(\S+) <(\S+)> (.*)$")
GROUP_NOTICE = re.compile(r"^\* (c\d\d) (?:joined #(\S+)|left #(\S+)(?: \(.*\))?|"
                          r"kicked \S+ from #(\S+) .*)$")
OWNER_NOTICE = re.compile(r"^\* (c\d\d) now owns #(\S+)$")
PRIVATE = re.compile(r"^\*(c\d\d)\* (p:(c\d\d):(c\d\d):\d+)$")
DONE = re.compile(r"^<(c\d\d)> done$")


class Worker(threading.Thread):
    def __init__(self, svc, index, barriers):
        super().__init__(name="c%02d" % index, daemon=True)
        self.svc = svc
        self.name_ = "c%02d" % index
        self.rng = random.Random(1000 + index)
        self.barriers = barriers
        self.client = None
        self.stream = []        # (monotonic time, line) as received
        self.member = {}        # group -> time its join answer came
        self.sent_group = []    # (group, id, time sent)
        self.sent_private = []  # (target, id)
        self.problems = []      # unexpected things, as text
        self.logged_in = False
        self.done_from = set()
        self.finished = False
        self.seq = 0

    # -- reading ------------------------------------------------------

    def read(self, timeout=DEADLINE):
        line = self.client.read_line(timeout)
        if line is None or line is T.EOF:
            raise RuntimeError("%s: %s while waiting" % (
                self.name_, "no line" if line is None else "connection closed"))
        self.stream.append((time.monotonic(), line))
        m = DONE.match(line)
        if m:
            self.done_from.add(m.group(1))
        return line

    def answer(self):
        """Read up to the next answer to a command of ours."""
        while True:
            line = self.read()
            if REPLY.match(line) or line.startswith("! "):
                return line

    # -- actions ------------------------------------------------------

    def join_group(self, g):
        for _ in range(20):
            self.client.send("/join_group " + g)
            line = self.answer()
            if line.startswith("* joined #%s " % g):
                self.member[g] = time.monotonic()
                return
            if line.startswith("! no-such-group: "):
                self.client.send("/create_group " + g)
                line = self.answer()
                if line == "* created #%s; you own it" % g:
                    self.member[g] = time.monotonic()
                    return
                if line.startswith("! group-exists: "):
                    continue
            self.problems.append("%s: /join_group %s: unexpected %r" % (self.name_, g, line))
            return
        self.problems.append("%s: could not join or create %s in 20 tries" % (self.name_, g))

    def leave_group(self, g):
        self.client.send("/leave_group " + g)
        del self.member[g]      # no longer counted a member from now on
        line = self.answer()
        if line != "* left #%s" % g:
            self.problems.append("%s: /leave_group %s: unexpected %r" % (self.name_, g, line))

    def group_msg(self, g):
        self.seq += 1
        ident = "m:%s:%d" % (self.name_, self.seq)
        self.sent_group.append((g, ident, time.monotonic()))
        self.client.send("/group_msg %s %s" % (g, ident))

    def private(self, target):
        self.seq += 1
        ident = "p:%s:%s:%d" % (self.name_, target, self.seq)
        self.sent_private.append((target, ident))
        self.client.send("/msg %s %s" % (target, ident))

    def step(self):
        r = self.rng.random()
        mine = sorted(self.member)
        others = [g for g in GROUPS if g not in self.member]
        if not mine or (r < 0.30 and others):
            self.join_group(self.rng.choice(others))
        elif r < 0.50:
            self.leave_group(self.rng.choice(mine))
        elif r < 0.62:
            target = "c%02d" % self.rng.randrange(CLIENTS)
            if target != self.name_:
                self.private(target)
        else:
            self.group_msg(self.rng.choice(mine))

    def run(self):
        try:
            self.client = T.Client(self.svc.port, label=self.name_)
            self.svc._clients.append(self.client)   # closed when the service stops
            if self.read() != A.PROMPT:
                raise RuntimeError("%s: no name prompt" % self.name_)
            self.client.send(self.name_)
            while not self.read().startswith("* welcome, %s " % self.name_):
                pass
            self.logged_in = True
            self.barriers[0].wait(DEADLINE)         # everybody is online
            for _ in range(STEPS):
                self.step()
            self.barriers[1].wait(DEADLINE)         # everybody has finished
            # A last line to everyone: when a client has everybody's
            # "done", it has read everything they sent before it.
            self.client.send("done")
            while len(self.done_from) < CLIENTS - 1:
                self.read()
            self.finished = True
        except Exception as e:      # reported by the main thread
            self.problems.append("%s: %s: %s" % (self.name_, type(e).__name__, e))
            for b in self.barriers:
                b.abort()


def check_streams(workers):
    """Membership of each line in each client's own stream."""
    wrong, own = [], []
    for w in workers:
        member = set()
        for _, line in w.stream:
            m = REPLY.match(line)
            if m:
                g = m.group(2) or m.group(3)
                if g:
                    member.add(g)
                else:
                    member.discard(m.group(4))
                continue
            m = GROUP_MSG.match(line)
            if m:
                if m.group(1) not in member:
                    wrong.append("%s got %r outside #%s" % (w.name_, line, m.group(1)))
                if m.group(2) == w.name_:
                    own.append("%s got its own %r" % (w.name_, line))
                continue
            m = GROUP_NOTICE.match(line)
            if m:
                g = m.group(2) or m.group(3) or m.group(4)
                if g not in member:
                    wrong.append("%s got %r outside #%s" % (w.name_, line, g))
                continue
            m = OWNER_NOTICE.match(line)
            if m and m.group(2) not in member:
                wrong.append("%s got %r outside #%s" % (w.name_, line, m.group(2)))
            m = PRIVATE.match(line)
            if m and (m.group(4) != w.name_ or m.group(3) != m.group(1)):
                wrong.append("%s got %r, not meant for it" % (w.name_, line))
    return wrong, own


def main():
    # The CLIENTS connect from one address at once: more of them may wait
    # at the prompt together than the default max_pending_per_address.
    with A.Service(rate_msgs=1000000, rate_burst=1000000, log_records=65536,
                   max_pending_per_address=CLIENTS) as svc:
        barriers = [threading.Barrier(CLIENTS) for _ in range(2)]
        workers = [Worker(svc, i, barriers) for i in range(CLIENTS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(300)
        problems = [p for w in workers for p in w.problems]
        T.is_(sum(w.logged_in for w in workers), CLIENTS, "all %d clients logged in" % CLIENTS)
        T.is_(sum(w.finished for w in workers), CLIENTS,
              "all %d clients ran their script and got everybody's last line" % CLIENTS)
        T.is_(problems, [], "no client got an unexpected answer")
        joins = sum(1 for w in workers for _, l in w.stream if REPLY.match(l) and "left" not in l)
        leaves = sum(1 for w in workers for _, l in w.stream if l.startswith("* left #"))
        sent = sum(len(w.sent_group) for w in workers)
        T.ok(joins > CLIENTS and leaves > 10 and sent > 100,
             "the clients did a lot: %d joins or creations, %d leaves, %d group messages, "
             "%d private messages" % (joins, leaves, sent,
                                      sum(len(w.sent_private) for w in workers)))

        # Membership: what chatctl says is what the clients were told.
        expected = {}
        for w in workers:
            for g in w.member:
                expected.setdefault(g, []).append(w.name_)
        expected = {g: sorted(m) for g, m in expected.items()}
        T.is_(svc.group_members(), expected,
              "chatctl groups --json: every group with exactly the members the clients "
              "joined and did not leave; no empty group")
        jg = svc.json("groups") or []
        T.ok(jg and all(g["owner"] in g["members"] for g in jg),
             "every group's owner is one of its members")
        ju = svc.json("users") or []
        T.is_({u["name"]: sorted(u["groups"]) for u in ju},
              {w.name_: sorted(w.member) for w in workers},
              "chatctl users --json: each user's groups are the ones it is in")
        _, table = svc.groups_table()
        T.is_({g: sorted(r.get("members", [])) for g, r in (table or {}).items()}, expected,
              "chatctl groups (text) agrees")
        c0 = workers[0].client
        c0.send("/groups")
        lines = A.read_all(c0, 1.0)
        seen = {}
        for line in lines:
            m = re.match(r"^\* #(\S+) \(owner (\S+?)(, invite-only)?, (\d+) members?\): (.*)$", line)
            if m:
                seen[m.group(1)] = sorted(m.group(5).split())
        T.is_(seen, expected, "/groups agrees")

        # Nothing reached a non-member; nobody got its own lines back.
        wrong, own = check_streams(workers)
        T.is_(wrong[:10], [], "no group message or notice reached a client outside the "
              "group, no private message reached anyone but its target (%d found)" % len(wrong))
        T.is_(own[:10], [], "nobody got its own group messages back (%d found)" % len(own))

        # Every group message reached every client that had joined before
        # it was sent and never left afterwards.
        received = {w.name_: set() for w in workers}
        dup = []
        for w in workers:
            for _, line in w.stream:
                m = GROUP_MSG.match(line)
                if m:
                    key = (m.group(1), m.group(3))
                    if key in received[w.name_]:
                        dup.append("%s got %r twice" % (w.name_, line))
                    received[w.name_].add(key)
        missing, checked = [], 0
        for s in workers:
            for g, ident, t_sent in s.sent_group:
                for r in workers:
                    if r is s or g not in r.member or r.member[g] >= t_sent:
                        continue
                    checked += 1
                    if (g, ident) not in received[r.name_]:
                        missing.append("%s did not get %s in #%s" % (r.name_, ident, g))
        T.ok(checked > 0, "%d (message, member) pairs to check" % checked)
        T.is_(missing[:10], [], "every group message reached every member that joined before "
              "it was sent and stayed (%d missing)" % len(missing))
        T.is_(dup[:10], [], "no group message arrived twice")
        sent_group = {(g, ident) for w in workers for g, ident, _ in w.sent_group}
        T.ok(all(k in sent_group for r in received.values() for k in r),
             "every group message received was one that was sent")

        # Private messages: each reached its target, once.
        got_private = {}
        for w in workers:
            for _, line in w.stream:
                m = PRIVATE.match(line)
                if m:
                    got_private[m.group(2)] = got_private.get(m.group(2), 0) + 1
        want_private = [ident for w in workers for _, ident in w.sent_private]
        T.ok(want_private, "%d private messages were sent" % len(want_private))
        T.is_([i for i in want_private if got_private.get(i) != 1][:10], [],
              "every private message reached its target exactly once")
        T.is_(sorted(set(got_private) - set(want_private)), [],
              "no private message came that was not sent")
        st = svc.json("stats") or {}
        T.is_(st.get("sessions"), CLIENTS, "chatctl stats: %d sessions" % CLIENTS)
        T.is_(sum(st.get("disconnects", {}).values()), 0, "chatctl stats: nobody was disconnected")
        T.is_(st.get("groups"), len(expected), "chatctl stats: the number of groups")


T.main(main)

#!/usr/bin/env python3
# safety-net.t -- the hub's once-a-second sweep (hub/sessions.c) wakes a
# session whose wake-up was lost.  The lost wake-up is made by hand: the
# test sets bob's wake-pending flag in the segment, as if a wake-up were
# owed but never sent, so senders take him for woken already.  Alice's
# line still reaches him, within a few sweeps (his flag stays set and his
# read position does not move), and `chatctl stats` counts the catch.
# It writes the segment directly, at the offsets t/layout-probe reports
# for the layout the programs were built with (chattest_faults.layout()).
import mmap
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402


def swept(svc):
    value = svc.stats().get("wake-ups swept", "")
    return int(value) if value.isdigit() else -1


def main():
    with T.Service(max_sessions=8) as svc:
        alice = svc.client("alice")
        alice.login("alice")
        bob = svc.client("bob")
        bob.login("bob")
        alice.expect("* bob joined")

        L = F.layout()
        with open(F.shm_path(svc), "r+b") as f:
            seg = mmap.mmap(f.fileno(), 0)
        T.is_(L.read(seg, "shm_header.layout_version"),
              L.const["SHM_LAYOUT_VERSION"], "the segment has the layout "
              "t/layout-probe describes")
        slots = L.read(seg, "shm_header.slots_offset")
        slot_size = L.read(seg, "shm_header.slot_size")
        bob_slot = slots + 1 * slot_size      # claims take the lowest free slot
        state = L.read(seg, "shm_slot.s_state", bob_slot)
        pid = L.read(seg, "shm_slot.s_pid", bob_slot)
        T.ok(state == L.const["SLOT_ACTIVE"] and pid in svc.session_pids(),
             "slot 1 is bob's: active, held by a session process (state %d, "
             "pid %d)" % (state, pid))

        before = swept(svc)
        L.write(seg, "shm_slot.s_wake_pending", 1, bob_slot)   # the lost wake-up
        alice.send("are you there")
        T.ok(bob.read_line(timeout=0.5) is None,
             "with his wake-up lost, bob is not woken by alice's line")
        bob.expect("<alice> are you there",
                   "the sweep wakes him within a few seconds", timeout=6)
        after = swept(svc)
        T.ok(after > before, "chatctl stats counts the catch (%d -> %d)"
             % (before, after))
        alice.send("and now")
        bob.expect("<alice> and now", "after the catch he is woken as before")
        seg.close()


T.main(main)

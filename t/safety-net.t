#!/usr/bin/env python3
# safety-net.t -- the hub's once-a-second sweep (hub/sessions.c) wakes a
# session whose wake-up was lost.  The lost wake-up is made by hand: the
# test sets bob's wake-pending flag in the segment, as if a wake-up were
# owed but never sent, so senders take him for woken already.  Alice's
# line still reaches him, within a few sweeps (his flag stays set and his
# read position does not move), and `chatctl stats` counts the catch.
# It writes the segment directly and knows layout 8's offsets; it checks
# the layout version first and fails with a clear message if it changed.
import mmap
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

LAYOUT = 10             # SHM_LAYOUT_VERSION these offsets are for
HDR_VERSION = 8         # shm_header.layout_version (u32)
HDR_SLOT_SIZE = 40      # shm_header.slot_size (u32)
HDR_SLOTS_OFFSET = 64   # shm_header.slots_offset (u64)
SLOT_STATE = 0          # shm_slot.s_state (u32)
SLOT_PID = 8            # shm_slot.s_pid (i32)
SLOT_WAKE = 40          # shm_slot.s_wake_pending (u32)
SLOT_ACTIVE = 2


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

        with open(F.shm_path(svc), "r+b") as f:
            seg = mmap.mmap(f.fileno(), 0)
        version, = struct.unpack_from("<I", seg, HDR_VERSION)
        if not T.is_(version, LAYOUT, "the segment has layout %d (the offsets "
                     "this test writes at)" % LAYOUT):
            T.bail("layout %d: update the offsets in t/safety-net.t" % version)
        slot_size, = struct.unpack_from("<I", seg, HDR_SLOT_SIZE)
        slots, = struct.unpack_from("<Q", seg, HDR_SLOTS_OFFSET)
        bob_slot = slots + 1 * slot_size      # claims take the lowest free slot
        state, = struct.unpack_from("<I", seg, bob_slot + SLOT_STATE)
        pid, = struct.unpack_from("<i", seg, bob_slot + SLOT_PID)
        T.ok(state == SLOT_ACTIVE and pid in svc.session_pids(),
             "slot 1 is bob's: active, held by a session process (state %d, "
             "pid %d)" % (state, pid))

        before = swept(svc)
        struct.pack_into("<I", seg, bob_slot + SLOT_WAKE, 1)   # the lost wake-up
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

#!/usr/bin/env python3
# version.t -- a segment of another layout version (design invariant 1).
#
# The segment starts with a magic number and the layout version (their
# offsets, SHM_MAGIC and SHM_LAYOUT_VERSION come from t/layout-probe,
# chattest_faults.layout()).  With the version changed in place, a
# session (the client gets "! unavailable"), chatctl and a new hub each
# refuse, with a message that names both versions, and leave every byte
# of the segment as it was.  The same for a bad magic number.  Put back,
# the segment works again.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

UNAVAILABLE = T.rx(r"^! unavailable: ")


def read_segment(svc):
    with open(F.shm_path(svc), "rb") as f:
        return f.read()


def patch(svc, field, value):
    """Write value into the segment's header field (shm_header.FIELD)."""
    L = F.layout()
    with open(F.shm_path(svc), "r+b") as f:
        f.seek(L.offset("shm_header." + field))
        f.write(L.pack("shm_header." + field, value))


def refusals(svc, what, message, label):
    """A session, chatctl and a new hub refuse the segment; its bytes are
    unchanged.  The hub is down when this starts."""
    before = read_segment(svc)
    # A session: the client gets one line and EOF; the log says why.
    c = svc.client(label, prompt=False)
    c.expect(UNAVAILABLE, "%s: a new session answers '! unavailable: ...'" % what)
    c.expect_eof("%s: ... and closes the connection" % what)
    T.ok(T.wait_for(lambda: re.search(r"chat-session\[\d+\]: .*" + message,
                                      F.log_text(svc))),
         "%s: the session logs why" % what)
    # chatctl: each reading verb.
    for verb in ("users", "groups", "stats"):
        r = svc.chatctl(verb)
        T.ok(r.returncode != 0 and re.search(message, r.stderr) and r.stdout == "",
             "%s: chatctl %s refuses: %s" % (what, verb, r.stderr.strip()[:120]))
    # A new hub.
    rc, err = svc.run_hub()
    T.ok(rc not in (0, None) and re.search(message, err),
         "%s: chat-hubd refuses to start (exit %s): %s" % (what, rc, err.strip()[-160:]))
    T.ok(re.search(r"refusing to touch it", err), "%s: ... and says it leaves the "
         "segment alone" % what)
    after = read_segment(svc)
    T.ok(after == before, "%s: the segment's %d bytes are unchanged" % (what, len(after)))
    T.ok(os.path.exists(F.shm_path(svc)), "%s: the segment still exists" % what)


def main():
    L = F.layout()
    built = L.const["SHM_LAYOUT_VERSION"]
    magic = L.const["SHM_MAGIC"]
    with T.Service() as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        head = read_segment(svc)[:L.size["shm_header"]]
        T.is_(L.read(head, "shm_header.magic"), magic,
              "the segment starts with the magic number (SHM_MAGIC)")
        T.is_(L.read(head, "shm_header.layout_version"), built,
              "then the layout version, %d (SHM_LAYOUT_VERSION)" % built)
        a.send("/quit")
        a.expect("* bye")
        a.expect_eof()
        T.ok(T.wait_for(lambda: F.slots_in_use(svc) == (0, 0)), "the segment is idle")

        # Another layout version, with the hub still running: a session
        # and chatctl refuse; then the hub is killed and a new one refuses.
        other = built + 1
        patch(svc, "layout_version", other)
        message = r"layout version %d, this program was built for version %d" % (
            other, built)
        c = svc.client("b", prompt=False)
        c.expect(UNAVAILABLE, "version %d, the hub up: a new session answers "
                 "'! unavailable: ...'" % other)
        c.expect_eof()
        svc.kill_hub()
        refusals(svc, "version %d" % other, message, "c")

        # A version far off (all bits set).
        patch(svc, "layout_version", 0xffffffff)
        refusals(svc, "version 4294967295",
                 r"layout version 4294967295, this program was built for version %d"
                 % built, "d")

        # Not a chat segment at all.
        patch(svc, "layout_version", built)
        patch(svc, "magic", magic ^ 1)      # one bit off
        refusals(svc, "bad magic", r"not a chat segment \(bad magic number\)", "e")

        # Put back: the same segment works again.
        patch(svc, "magic", magic)
        svc.start_hub()
        T.ok(re.search(r"re-attached to segment", F.log_text(svc)),
             "with magic and version put back, a new hub re-attaches to the segment")
        f = svc.client("f")
        f.login("fay", others=0, desc="... and a client logs in")
        s = F.stats(svc) or {}
        T.is_(s.get("hub_starts"), 2, "chatctl stats: 2 hub starts on this segment "
              "(the refusing hubs did not count)")


T.main(main)

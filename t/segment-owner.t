#!/usr/bin/env python3
# segment-owner.t -- a segment someone else made is never used (issue 17,
# finding 2).
#
# /dev/shm is world-writable: anyone can make the segment's name while it
# is absent.  A segment whose mode gives others any access, or whose
# owner is neither the hub's user nor root, is refused by a new hub, by a
# session (the client gets "! unavailable") and by chatctl, each naming
# the owner and the mode; the hub leaves the object as it found it, byte
# for byte, and does not remove it.  A planted object of garbage gets the
# same message, not "not a chat segment".  Put right (mode 0660, owner
# back), the same segment works again.  One planted with a mode that
# lets nobody else open it (0600, as a plain shm_open makes) is named the
# same way to a chatctl of a third user, not "Permission denied".  The
# owner parts need root (to chown the segment to nobody, and setpriv to
# run chatctl as daemon); they are skipped otherwise.
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

UNAVAILABLE = T.rx(r"^! unavailable: the chat service is misconfigured; try again later$")
NOBODY = 65534


def digest(svc):
    with open(F.shm_path(svc), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def owner_message(svc, uid, mode):
    """The start of the refusal: names the segment, its owner and mode."""
    return r"segment %s is owned by uid %d \([^)]*\) with mode %04o; it must be " \
        r"owned by \S+( or root)? and not be accessible to others" % (
            re.escape(F.shm_path(svc)), uid, mode)


def stop_hub(svc):
    if svc.hub is not None and svc.hub.poll() is None:
        svc.kill_hub()


def hub_refuses(svc, what, message):
    """A new hub exits 111 with message, and leaves the object as it is."""
    before = digest(svc)
    st = os.stat(F.shm_path(svc))
    rc, err = svc.run_hub()
    T.is_(rc, 111, "%s: chat-hubd refuses to start (exit 111)" % what)
    if not T.like(err, message + r"; refusing to use it \(remove it once you know "
                  r"who made it", "%s: ... naming the owner and the mode" % what):
        T.diag(err.strip()[-300:])
    T.ok(os.path.exists(F.shm_path(svc)), "%s: ... does not remove it" % what)
    T.is_(digest(svc), before, "%s: ... and leaves every byte as it was "
          "(no hub pid written, no hub start counted)" % what)
    st2 = os.stat(F.shm_path(svc))
    T.is_((st2.st_uid, oct(st2.st_mode)), (st.st_uid, oct(st.st_mode)),
          "%s: ... nor its owner or mode" % what)


def others_refuse(svc, what, message, label):
    """A new session and each reading chatctl verb refuse the segment."""
    c = svc.client(label, prompt=False)
    c.expect(UNAVAILABLE, "%s: a new session answers '! unavailable: the "
             "chat service is misconfigured; ...'" % what)
    c.expect_eof("%s: ... and closes the connection" % what)
    T.ok(T.wait_for(lambda: re.search(r"chat-session\[\d+\]: .*" + message,
                                      F.log_text(svc))),
         "%s: the session logs why, naming owner and mode" % what)
    for verb in ("users", "stats"):
        r = svc.chatctl(verb)
        T.ok(r.returncode == 111 and r.stdout == "" and
             re.search(message + r"; refusing to read it", r.stderr),
             "%s: chatctl %s refuses (exit %d): %s" % (
                 what, verb, r.returncode, r.stderr.strip()[:160]))


def mode_refused(svc):
    """The hub's own segment, opened to others (0666): everyone refuses."""
    path = F.shm_path(svc)
    mode = oct(os.stat(path).st_mode & 0o777)
    T.ok(os.stat(path).st_mode & 0o007 == 0,
         "the hub creates its segment with no access for others (mode %s)" % mode)
    a = svc.client("a")
    a.login("amy", others=0)

    # The hub up: new sessions and chatctl refuse; amy, attached before,
    # carries on.
    os.chmod(path, 0o666)
    message = owner_message(svc, os.getuid(), 0o666)
    others_refuse(svc, "mode 0666, hub up", message, "b")
    c = svc.client("c", prompt=False)
    c.expect(UNAVAILABLE)
    c.expect_eof()

    a.send("/quit")
    a.expect("* bye")
    a.expect_eof()
    stop_hub(svc)
    hub_refuses(svc, "mode 0666", message)

    # Only read for others (0604): refused as well.
    os.chmod(path, 0o604)
    hub_refuses(svc, "mode 0604", owner_message(svc, os.getuid(), 0o604))

    # Put right: the same segment works again.
    os.chmod(path, 0o660)
    svc.start_hub()
    T.like(F.log_text(svc), r"re-attached to segment",
           "mode 0660 again: a new hub re-attaches to the segment")
    d = svc.client("d")
    d.login("dot", others=0, desc="... and a client logs in")
    T.is_(svc.chatctl("stats").returncode, 0, "... and chatctl reads it")
    d.send("/quit")
    d.expect("* bye")
    d.expect_eof()


def owner_refused(svc):
    """The segment given to nobody (mode 0660): refused, unless chatctl
    learns from hub.lock that nobody is the hub's user."""
    path = F.shm_path(svc)
    if os.geteuid() != 0:
        T.skip("not root: cannot give the segment to another user", 11)
        return
    stop_hub(svc)
    os.chown(path, NOBODY, -1)
    message = owner_message(svc, NOBODY, 0o660)
    hub_refuses(svc, "owned by uid %d" % NOBODY, message)
    others_refuse(svc, "owned by uid %d" % NOBODY, message, "e")
    # chatctl takes the hub's user from the owner of runtime_dir/hub.lock.
    lock = os.path.join(svc.runtime_dir, "hub.lock")
    os.chown(lock, NOBODY, -1)
    r = svc.chatctl("stats")
    T.is_(r.returncode, 0, "chatctl reads a segment owned by the owner of "
          "hub.lock (the hub's user): %s" % r.stderr.strip()[:160])
    os.chown(lock, 0, -1)
    os.chown(path, 0, -1)


def planted(svc):
    """Someone makes the name while it is absent, mode 0666, garbage in it."""
    stop_hub(svc)
    path = F.shm_path(svc)
    os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.fchmod(fd, 0o666)
    os.write(fd, b"planted by someone else\n" * 1000)
    os.close(fd)
    hub_refuses(svc, "planted garbage", owner_message(svc, os.getuid(), 0o666))
    with open(path, "rb") as f:
        T.ok(f.read(23) == b"planted by someone else",
             "planted garbage: the hub did not create a segment over it")
    # An operator removes it; the next hub makes a fresh segment of its own.
    os.unlink(path)
    svc.start_hub()
    T.like(F.log_text(svc), r"created segment",
           "removed by an operator: the next hub creates a segment of its own")
    T.ok(os.stat(path).st_mode & 0o007 == 0, "... with no access for others")


def unopenable(svc):
    """Planted by nobody with mode 0600: a chatctl of another user cannot
    open it at all, and still says whose it is."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        T.skip("not root, or no setpriv: cannot act as two other users", 2)
        return
    stop_hub(svc)
    path = F.shm_path(svc)
    os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchown(fd, NOBODY, -1)
    os.close(fd)
    # A chat.conf the other user can read, naming the same segment.
    cdir = tempfile.mkdtemp(prefix="chat-owner-")
    try:
        os.chmod(cdir, 0o755)
        conf = os.path.join(cdir, "chat.conf")
        shutil.copy(svc.conf_path, conf)
        os.chmod(conf, 0o644)
        r = subprocess.run([setpriv, "--reuid=1", "--regid=1", "--clear-groups",
                            T.CHATCTL, "-c", conf, "stats"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    finally:
        shutil.rmtree(cdir, ignore_errors=True)
    T.is_(r.returncode, 111, "planted 0600 by uid %d: chatctl of uid 1 exits 111"
          % NOBODY)
    T.like(r.stderr, owner_message(svc, NOBODY, 0o600) + "; refusing to read it",
           "... naming the owner and the mode, though it cannot open it")
    os.unlink(path)


def main():
    with T.Service() as svc:
        mode_refused(svc)
        owner_refused(svc)
        planted(svc)
        unopenable(svc)


T.main(main)

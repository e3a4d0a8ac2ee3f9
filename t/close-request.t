#!/usr/bin/env python3
# close-request.t -- a close request (chatctl kick, a duplicate-login
# replace) is addressed by slot and generation, under registry_lock
# (registry_request_close), so it never reaches a newcomer that took the
# slot after the requester looked the name up (issue 18).  With
# --enable-fault-injection, the requester (the hub for a kick, the new
# login's session for a replace) stops at fault_point("close-request"),
# between the lookup and the request; meanwhile the target quits and a
# newcomer claims its slot (max_sessions = 2 leaves it no other); then
# the requester goes on.  The newcomer must not be closed and must see
# nothing of it; the kick is answered "no user named ... is online" and
# the replacing login gets in.
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_faults as F  # noqa: E402


def stop_at(svc, pid, what):
    """The process that stopped at close-request, checked to be pid."""
    stopped = svc.stopped_pid("close-request")
    T.ok(stopped is not None and stopped == pid,
         "%s: the requester stopped between the lookup and the request "
         "(pid %s, want %s)" % (what, stopped, pid))
    return stopped


def quit_and_gone(client, what):
    client.send("/quit")
    client.expect("* bye", "%s: the target quits while the requester is stopped" % what)
    client.expect_eof()


def newcomer_untouched(svc, n, speaker, line, what):
    """n (the newcomer in the target's old slot) gets speaker's line and
    nothing else: no close, no notice."""
    speaker.send(line)
    n.expect("<%s> %s" % (speaker.name, line),
             "%s: the newcomer reads on after the requester went on" % what)
    n.expect_nothing("%s: the newcomer gets no close line and nothing else" % what,
                     timeout=1.0)
    T.ok(n.is_open(), "%s: the newcomer is still connected" % what)
    st = F.stats(svc) or {}
    T.is_(st.get("disconnects", {}).get("kicked"), 0,
          "%s: chatctl stats counts no session kicked" % what)


def kick_race():
    what = "kick"
    with F.FaultService(faults=True, hub_faults=True, max_sessions=2) as svc:
        a = svc.client("a")
        a.login("alice", others=0)
        w = svc.client("w")
        w.login("wes", others=1)
        a.expect("* wes joined")
        svc.arm("close-request")
        kick = subprocess.Popen([T.CHATCTL, "-c", svc.conf_path, "kick", "alice",
                                 "too late"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, start_new_session=True)
        try:
            if stop_at(svc, svc.hub.pid, what) is None:
                return
            quit_and_gone(a, what)
            # The newcomer claims alice's old slot (the only free one) and
            # waits for the stopped hub's WELCOME, before its prompt.
            n = svc.client("n", prompt=False)
            got, _ = F.wait_value(lambda: F.slots_in_use(svc), (1, 1))
            T.is_(got, (1, 1), "%s: the newcomer claimed the freed slot "
                  "(chatctl stats: 1 chatting, 1 logging in)" % what)
            os.kill(svc.hub.pid, signal.SIGCONT)
            out, err = kick.communicate(timeout=T.TIMEOUT * 2)
            T.is_((kick.returncode, out, err.strip()),
                  (1, "", "chatctl: no user named alice is online"),
                  "%s: the kick is answered: alice is no longer online" % what)
        finally:
            if kick.poll() is None:
                kick.kill()
                kick.wait()
        n.wait_prompt()
        n.login("nat", others=1)
        w.expect_lines(["* alice left (quit)", "* nat joined"],
                       "%s: the witness sees alice leave and nat join" % what)
        newcomer_untouched(svc, n, w, "hello nat", what)


def replace_race():
    what = "replace"
    base = "/tmp" if len(tempfile.gettempdir()) > 60 else None
    users_dir = tempfile.mkdtemp(prefix="chat-u-", dir=base)
    users_file = os.path.join(users_dir, "users")
    try:
        with F.FaultService(faults=True, max_sessions=2, users_file=users_file,
                            duplicate_login="replace") as svc:
            plain = os.path.join(svc.dir, "plain")
            with open(plain, "w") as f:
                f.write("alice:password123\n")
            r = svc.chatctl("import", plain)
            T.is_(r.returncode, 0, "alice is registered")
            a1 = svc.client("a1")
            A.login(a1, "alice", "password123", others=0)
            a2 = svc.client("a2")
            a2.send("alice")
            a2.expect(A.PASSWORD)
            svc.arm("close-request")
            a2.send("password123")
            if stop_at(svc, svc.session_pid(a2), what) is None:
                return
            pid = svc.stopped_pid("close-request")
            quit_and_gone(a1, what)
            n = svc.client("n")
            A.login(n, "nat", others=0,
                    desc="%s: a newcomer logs in in alice's old slot" % what)
            os.kill(pid, signal.SIGCONT)
            a2.expect(A.welcome("alice", 1),
                      "%s: the replacing login gets in (the old one had left)" % what)
            a2.name = "alice"
            n.expect("* alice joined", "%s: the newcomer sees alice join" % what)
            newcomer_untouched(svc, n, a2, "hello nat", what)
    finally:

        shutil.rmtree(users_dir, ignore_errors=True)


def main():
    if not F.fault_injection_built():
        T.skip_all("needs ./configure --enable-fault-injection")
    kick_race()
    replace_race()


T.main(main)

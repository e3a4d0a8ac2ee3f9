#!/usr/bin/env python3
# hub-zombie.t -- a killed hub is gone, reaped or not (issue 17, findings
# 12 and 14).
#
# A hub killed with SIGKILL whose parent has not reaped it yet is a
# zombie: it keeps its pid and its name in /proc but holds no lock and no
# mapping.  The next hub must start all the same, and chatctl stats must
# show hub pid 0 (chatctl(8): "0 when no hub runs") both while the killed
# hub is a zombie and once it is reaped.  The zombie's parent is a small
# Python process of our own that starts chat-hubd, kills it when told and
# never waits for it.
import json
import os
import signal
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_faults as F  # noqa: E402

# Starts chat-hubd, prints its pid; on "kill" kills it with SIGKILL and
# prints "killed"; never reaps it; exits at EOF on stdin.
PARENT = textwrap.dedent("""
    import os, signal, subprocess, sys
    hubd, conf, log = sys.argv[1:4]
    with open(log, "ab") as out:
        p = subprocess.Popen([hubd, "-c", conf], stdin=subprocess.DEVNULL,
                             stdout=out, stderr=out)
    print(p.pid, flush=True)
    for line in sys.stdin:
        if line.strip() == "kill":
            os.kill(p.pid, signal.SIGKILL)
            print("killed", flush=True)
    """)


def hub_pid_shown(svc):
    """(text "hub pid" value's number, --json hub_pid), None if unreadable."""
    text = svc.stats().get("hub pid", "")
    r = svc.chatctl("stats", "--json")
    try:
        js = json.loads(r.stdout).get("hub_pid")
    except ValueError:
        js = None
    return (int(text.split()[0]) if text[:1].isdigit() else None), js


def main():
    with T.Service(hub=False) as svc:
        parent = subprocess.Popen(
            [sys.executable, "-c", PARENT, T.HUBD, svc.conf_path, svc.hub_log],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True,
            start_new_session=True)
        svc._extra.append(parent)       # killed (and its zombie freed) at stop
        old = int(parent.stdout.readline())
        T.ok(T.wait_for(lambda: svc._hub_accepts(svc.hub_socket()), 10),
             "a hub started by another parent is ready")
        a = svc.client("a")
        a.login("amy", others=0)
        T.is_(hub_pid_shown(svc), (old, old), "chatctl stats shows its pid "
              "(text and --json)")

        parent.stdin.write("kill\n")
        parent.stdin.flush()
        T.is_(parent.stdout.readline().strip(), "killed", "the hub is killed with SIGKILL")
        T.ok(T.wait_for(lambda: F.proc_state(old) == "Z"),
             "... and stays a zombie: its parent does not reap it (state %s)" %
             F.proc_state(old))

        # Finding 14: no hub runs, whatever /proc still lists.
        T.is_(hub_pid_shown(svc), (0, 0),
              "chatctl stats shows hub pid 0 while the killed hub is a zombie")

        # Finding 12: the zombie does not block the next hub.
        try:
            new = svc.start_hub()
            started = True
        except T.HarnessError as e:
            new, started = None, False
            T.diag(str(e))
        T.ok(started, "a new hub starts while the killed one is still a zombie")
        T.ok(F.proc_state(old) == "Z", "... (the old one was still a zombie)")
        if started:
            T.is_(hub_pid_shown(svc), (new, new), "chatctl stats shows the new hub's pid")
            b = svc.client("b")
            b.login("bob", others=1, desc="the new hub takes a login")
            a.expect("* bob joined", "... and amy, connected before, hears of it")
            # Finding 14 again, the killed hub reaped at once this time.
            svc.kill_hub(signal.SIGKILL)
        else:
            T.skip("no new hub", 3)
            # The zombie's parent exits; init reaps the zombie.
            parent.stdin.close()
            T.wait_for(lambda: F.proc_state(old) is None)
        T.is_(hub_pid_shown(svc), (0, 0),
              "chatctl stats shows hub pid 0 once the hub is killed and reaped")

T.main(main)

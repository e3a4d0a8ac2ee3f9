#!/usr/bin/env python3
# inetd.t -- chat-session started inetd-style (socket on fd 0 and 1) by
# systemd-socket-activate --inetd, sharing one hub and config with an
# --accept activator.
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402


def main():
    with T.Service() as svc:
        inetd_port = svc.start_activator(inetd=True)
        T.ok(inetd_port != svc.port, "an inetd-style activator listens on its own port")

        i = svc.client("i", port=inetd_port, prompt=False)
        i.expect("? name:", "inetd: a new connection gets the name prompt")
        i.login("ina", others=0, desc="inetd: a valid name gets the welcome")
        s = svc.client("s")
        s.login("sam", others=1, desc="accept: the welcome counts the inetd user")
        i.expect("* sam joined", "inetd: sees the accept-mode user join")

        s.send("from accept")
        i.expect("<sam> from accept", "a line from accept mode reaches inetd mode")
        i.send("from inetd")
        s.expect("<ina> from inetd", "a line from inetd mode reaches accept mode")
        i.send("crlf from inetd", end="\r\n")
        s.expect("<ina> crlf from inetd", "inetd: CRLF input works")
        i.send(b"bad \x1b byte")
        i.expect(T.rx(r"^! control-char: "), "inetd: errors go back to the inetd client")
        i.send("/users")
        line = i.expect(T.rx(r"^\* users \(2\): "), "inetd: /users sees both users")
        if line is not None:
            T.is_(sorted(line.split(": ", 1)[1].split()), ["ina", "sam"],
                  "inetd: /users lists ina and sam")

        # A second inetd client, and a name taken across the two modes.
        j = svc.client("j", port=inetd_port)
        j.send("SAM")
        j.expect_lines(["! name-taken: SAM is already in use; choose another", "? name:"],
                       "inetd: a name used in accept mode is taken")
        j.login("jo", others=2)
        i.expect("* jo joined")
        s.expect("* jo joined")
        j.send("hello both")
        i.expect("<jo> hello both", "inetd to inetd")
        s.expect("<jo> hello both", "inetd to accept")
        i.expect_nothing("ina gets nothing more")
        j.expect_nothing("inetd: the sender does not get its own line")

        # chatctl sees the inetd session with its real peer and pid.
        pid = svc.session_pid(i)
        u = svc.users()
        rows = {r.get("name"): r for r in u[1]} if u else {}
        T.is_(rows.get("ina", {}).get("peer"), i.peer,
              "chatctl users: the inetd session's peer is the client's address")
        T.is_(rows.get("ina", {}).get("pid"), str(pid),
              "chatctl users: the inetd session's pid")

        # Leaving from inetd mode: quit, close, kill -9.
        j.send("/quit bye all")
        j.expect("* bye")
        j.expect_eof("inetd: /quit closes the connection")
        i.expect("* jo left (quit: bye all)")
        s.expect("* jo left (quit: bye all)", "accept mode sees the inetd user quit")

        if pid:
            os.kill(pid, signal.SIGKILL)
        s.expect("* ina left (connection lost)",
                 "a killed inetd session is noticed by the hub")
        i.expect_eof("inetd: the killed session's client is disconnected")
        T.is_(svc.user_names(), ["sam"], "chatctl users lists only sam afterwards")

        k = svc.client("k", port=inetd_port)
        k.login("kim", others=1)
        s.expect("* kim joined")
        k.close()
        s.expect("* kim left (connection closed)",
                 "inetd: a client closing its socket is seen as connection closed")


T.main(main)

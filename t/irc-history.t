#!/usr/bin/env python3
# irc-history.t -- chat-irc and the archive (chat-historyd): joining a
# group replays its last lines as PRIVMSGs to the channel, each with its
# own time under server-time, none both replayed and live; a registered
# IRC user gets the private messages kept while it was offline.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
from chattest_history import Archiver, archive_of  # noqa: E402
from chattest_irc import MASK, irc, prefix  # noqa: E402

rx = T.rx
TIME = r"@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "


def replay(svc, port):
    ann = svc.client("ann")
    ann.login("ann")
    ann.send("/create_group dev")
    ann.expect("* created #dev; you own it")
    for i in range(3):
        ann.send("/group_msg dev dev line %d" % i)
    i = irc(svc, port, "ian")
    i.send("CAP REQ :server-time")
    i.expect(rx(r" CAP \* ACK :server-time$"), "")
    i.send("CAP END")
    i.register("ian")
    ann.expect("* ian joined", "")
    i.send("JOIN #dev")
    i.expect(rx(r"^:ian!ian@%s JOIN #dev$" % MASK), "ian joins #dev")
    i.expect(rx(r" 366 ian #dev :End of /NAMES list$"), "", skip=True)
    got = [i.read_line() for _ in range(3)]
    want = [rx("^" + TIME + prefix("ann")[1:] + "PRIVMSG #dev :dev line %d$" % k)
            for k in range(3)]
    T.ok(all(line and w.search(line) for w, line in zip(want, got)),
         "joining replays the group's last lines as PRIVMSGs to the channel, "
         "oldest first, each with its time (%r)" % got)
    ann.expect("* ian joined #dev", "", skip=True)
    ann.send("/group_msg dev after the join")
    i.expect(rx("^" + TIME + prefix("ann")[1:] + "PRIVMSG #dev :after the join$"),
             "a line after the join arrives live")
    i.expect_nothing("... once: no line is both replayed and live")
    i.send("QUIT")
    return ann


def offline(svc, port, ann):
    ann.send("/msg rita are you there?")
    ann.expect("* rita is offline; the message will be delivered when they log in",
               "a message to rita, registered and offline, is kept", skip=True)
    r = irc(svc, port, "rita")
    r.send("PASS s3cret-r")
    r.register("rita")
    r.expect(rx(prefix("ann") + "PRIVMSG rita :are you there\\?$"),
             "rita, logging in on IRC, gets it as a PRIVMSG from ann")
    r.send("QUIT")


def main():
    with A.Service(users={"rita": "s3cret-r"}) as svc:
        archive_of(svc)
        arch = Archiver(svc)
        T.ok(arch.start(), "chat-historyd starts")
        port = svc.start_activator(prog=T.program("chat-irc"))
        ann = replay(svc, port)
        offline(svc, port, ann)
        arch.stop()


T.main(main)

#!/usr/bin/env python3
# irc-password.t -- chat-irc with a server password (irc_password): PASS
# must give it before registration (464 and ERROR without it, or with a
# wrong one); a registered user then logs in with SASL PLAIN, since PASS
# is the server's; the line door is not affected.
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
from chattest_irc import MASK, irc  # noqa: E402

rx = T.rx
REFUSED = r"^:%s 464 \w+ :Password incorrect \(this server's password is needed in PASS\)$" % MASK


def refused(svc, port, label, password):
    c = irc(svc, port, label)
    if password is not None:
        c.send("PASS " + password)
    c.send("NICK " + label)
    c.send("USER %s 0 * :%s" % (label, label))
    c.expect_lines([rx(REFUSED), rx(r"^ERROR :Closing link: bad server password$")],
                   "%s: 464, then ERROR" % ("no PASS" if password is None else "a wrong PASS"))
    c.expect_eof()


def main():
    with A.Service(users={"rita": "s3cret-r"}, irc_password="Gate-42!") as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        nan = svc.client("nan")
        nan.login("nan", others=0)
        refused(svc, port, "nopass", None)
        refused(svc, port, "wrong", "Gate-43!")
        ok = irc(svc, port, "ivy")
        ok.send("PASS Gate-42!")
        ok.register("ivy", "the server's password in PASS: registered")
        nan.expect("* ivy joined", "the line user sees the IRC user join")
        r = irc(svc, port, "rita")
        r.send("PASS Gate-42!")
        r.send("NICK rita")
        r.send("USER rita 0 * :R")
        r.expect(rx(r"^:%s 464 rita :Password incorrect \(rita is registered: log in with "
                    r"SASL PLAIN\)$" % MASK),
                 "a registered nick without SASL: 464 says to log in with SASL")
        r.send("CAP REQ :sasl")
        r.expect(rx(r" CAP \* ACK :sasl$"), "")
        r.send("AUTHENTICATE PLAIN")
        r.expect("AUTHENTICATE +", "")
        r.send("AUTHENTICATE " + base64.b64encode(b"rita\0rita\0s3cret-r").decode())
        r.expect(rx(r"^:%s 903 \S+ :SASL authentication successful$" % MASK), "", skip=True)
        r.send("NICK rita")
        r.send("CAP END")
        r.expect(rx(r"^:%s 001 rita " % MASK), "with SASL the registered user logs in", skip=True)
        nan.expect("* rita joined", "")
        nan.expect_nothing("the failed attempts never reached the chat")


T.main(main)

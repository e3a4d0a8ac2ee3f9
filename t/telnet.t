#!/usr/bin/env python3
# telnet.t -- telnet clients: negotiation is answered, IAC sequences are
# taken out of the text, and Ctrl-C in telnet does not deafen its user.
#
# On a raw socket: IAC DO TIMING-MARK gets IAC WILL TIMING-MARK, IAC WILL
# ECHO gets IAC DONT ECHO, IAC DO x gets IAC WONT x, DONT/WONT get nothing,
# text with IAC NOP inside is relayed clean, IAC IP closes nothing, and
# the negotiation a telnet client may send at the name prompt is answered
# without an error.  Then the real telnet client under a private tmux
# server: after Ctrl-C (telnet sends IAC IP IAC DO TIMING-MARK and shows
# nothing until the answer) its user still sees what others say.
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_client as C  # noqa: E402

IAC, DONT, DO, WONT, WILL, SB, SE = b"\xff", b"\xfe", b"\xfd", b"\xfc", b"\xfb", b"\xfa", b"\xf0"
IP, NOP = b"\xf4", b"\xf1"
TM, ECHO, SGA, TTYPE, NAWS = b"\x06", b"\x01", b"\x03", b"\x18", b"\x1f"
USERS = T.rx(r"^\* users \(\d+\): ")


def raw(svc):
    a = svc.client("a")
    a.login("amy", others=0)
    b = svc.client("b")
    b.login("bob", others=1)
    a.expect("* bob joined")

    a.send_raw(IAC + DO + TM)
    a.expect_bytes(IAC + WILL + TM, "IAC DO TIMING-MARK is answered IAC WILL TIMING-MARK")
    a.send_raw(IAC + IP + IAC + DO + TM)
    a.expect_bytes(IAC + WILL + TM, "telnet's Ctrl-C (IAC IP, IAC DO TIMING-MARK) is "
                 "answered IAC WILL TIMING-MARK")
    a.send_raw(IAC + WILL + ECHO)
    a.expect_bytes(IAC + DONT + ECHO, "IAC WILL ECHO is answered IAC DONT ECHO")
    a.send_raw(IAC + DO + SGA)
    a.expect_bytes(IAC + WONT + SGA, "IAC DO SUPPRESS-GO-AHEAD is answered IAC WONT")
    a.send_raw(IAC + DONT + ECHO + IAC + WONT + ECHO + IAC + SB + TTYPE + b"\x00xterm" +
               IAC + SE)
    a.send("/users")
    a.expect(USERS, "DONT, WONT and a subnegotiation get no answer, and no error")

    a.send(b"hel" + IAC + NOP + b"lo, " + IAC + DO + ECHO + b"telnet" + IAC + IAC,
           end=b"\r\n")
    a.expect_bytes(IAC + WONT + ECHO, "IAC DO ECHO inside a line is answered")
    a.expect(T.rx(r"^! bad-utf8: "), "IAC IAC is a 0xFF byte: the line is refused")
    a.send(b"hel" + IAC + NOP + b"lo, " + IAC + DO + ECHO + b"telnet", end=b"\r\n")
    a.expect_bytes(IAC + WONT + ECHO, "... and answered again in the next line")
    b.expect("<amy> hello, telnet", "text with IAC NOP and IAC DO inside is relayed clean")
    a.send_raw(b"\xff")
    a.send_raw(b"\n")
    a.send("/users")
    a.expect_lines([T.rx(r"^! bad-utf8: "), USERS], "a 0xFF byte before the newline "
                   "(in two writes) is still refused, once, and the newline kept")

    a.send_raw(IAC + IP)
    a.send("still here")
    b.expect("<amy> still here", "IAC IP (interrupt) does not end the session")
    a.send("/users")
    a.expect(USERS, "amy got nothing else")
    b.expect_nothing()

    # What a telnet client sends before the user types anything, when
    # it negotiates: answered, no error, the name prompt is not repeated.
    t = svc.client("t")
    t.send_raw(IAC + WILL + TTYPE + IAC + WILL + NAWS + IAC + DO + ECHO + b"\r\n")
    t.expect_bytes(IAC + DONT + TTYPE + IAC + DONT + NAWS + IAC + WONT + ECHO,
                 "negotiation at the name prompt is answered, in order")
    t.send_raw(IAC + WILL + ECHO + b"tel\r\n")
    t.expect_bytes(IAC + DONT + ECHO, "negotiation before the name is answered")
    t.expect("* welcome, tel (2 others online; /help for commands)",
             "... and the name after it is taken, with no error and no second prompt")
    for x in (a, b):
        x.expect("* tel joined")
    t.close()
    for x in (a, b):
        x.expect("* tel left (connection closed)")


def real_telnet(svc, tdir):
    telnet = shutil.which("telnet")
    if telnet is None or C.tmux_path() is None:
        T.skip("telnet or tmux not found", 7)
        return
    bob = svc.client("bob2")
    bob.login("bob2")
    with C.Tmux(tdir, width=80, height=24) as tm:
        tm.start([telnet, "127.0.0.1", str(svc.port)], C.client_env(None, {"TERM": "screen"}))
        T.ok(tm.wait_screen(r"^\? name:"), "telnet shows the name prompt")
        tm.type("tess")
        tm.keys("Enter")
        T.ok(tm.wait_screen(r"^\* welcome, tess "), "telnet user tess logs in")
        bob.expect("* tess joined")
        bob.send("before ctrl-c")
        T.ok(tm.wait_screen(r"^<bob2> before ctrl-c"), "tess sees bob2's line")
        for n in (1, 2):
            # Ctrl-C: telnet sends IAC IP IAC DO TIMING-MARK and shows
            # nothing until the answer.  The line tess types next travels
            # behind them, so once bob2 has it the server has read them.
            tm.keys("C-c")
            tm.type("typed after ctrl-c %d" % n)
            tm.keys("Enter")
            bob.expect("<tess> typed after ctrl-c %d" % n,
                       "Ctrl-C %d: tess's next line still reaches bob2" % n)
            bob.send("answer %d" % n)
            if not T.ok(tm.wait_screen(r"^<bob2> answer %d" % n),
                        "Ctrl-C %d: tess still sees what bob2 says" % n):
                T.diag(*["pane: " + l for l in tm.last.rstrip("\n").split("\n")])


def main():
    base = "/tmp" if len(tempfile.gettempdir()) > 60 else None
    tdir = tempfile.mkdtemp(prefix="chat-telnet-", dir=base)
    try:
        with T.Service() as svc:
            raw(svc)
            real_telnet(svc, tdir)
    finally:
        shutil.rmtree(tdir, ignore_errors=True)


T.main(main)

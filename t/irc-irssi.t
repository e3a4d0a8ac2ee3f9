#!/usr/bin/env python3
# irc-irssi.t -- a real IRC client, irssi (Debian's), under tmux: it
# connects to chat-irc, talks in the lobby with an nc user and a
# chat-client user, joins a group, gets a private message and answers
# it, and /quits; what the nc user sees is asserted at each step, and
# what irssi shows where it matters.
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_client as C  # noqa: E402

IRSSI = shutil.which("irssi")
CONFIG = """settings = {
  core = { real_name = "Irene Irssi"; user_name = "irene"; nick = "irene"; };
  "fe-common/core" = { autolog = "no"; };
};
"""


def irssi(tm, home, port):
    with open(os.path.join(home, "config"), "w") as f:
        f.write(CONFIG)
    tm.start([IRSSI, "--home=" + home, "--noconnect"],
             {"HOME": home, "TERM": "screen", "LANG": "C.UTF-8",
              "PATH": "/usr/bin:/bin"})
    T.ok(tm.wait_screen(r"Irssi", timeout=15), "irssi starts under tmux")
    tm.type("/connect 127.0.0.1 %d" % port)
    tm.keys("Enter")


def run(svc, tm, home, port):
    nan = svc.client("nan")
    nan.login("nan", others=0)
    cli = C.LineClient(svc, ["cleo"], label="cleo (chat-client)")
    cli.expect(T.rx(r"^\* welcome, cleo "), "cleo logs in with chat-client", skip=True)
    nan.expect("* cleo joined", "")

    irssi(tm, home, port)
    nan.expect("* irene joined", "irssi connects to chat-irc: nan (nc) sees irene join",
               timeout=15)
    cli.expect("* irene joined", "... and so does cleo (chat-client)")
    tm.type("/window goto #lobby")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"\[#lobby\]|#lobby"), "irssi has a window for the lobby channel")

    nan.send("hello irene")
    T.ok(tm.wait_screen(r"<.?nan> hello irene"), "irssi shows nan's line in #lobby")
    cli.send("hi from cleo")
    T.ok(tm.wait_screen(r"<.?cleo> hi from cleo"), "... and cleo's")
    nan.expect("<cleo> hi from cleo", "")
    tm.type("hello from irssi")
    tm.keys("Enter")
    nan.expect("<irene> hello from irssi", "irene's line in irssi reaches nan")
    cli.expect("<irene> hello from irssi", "... and cleo", skip=True)

    tm.type("/join #dev")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"irene.*has joined #dev|Join to #dev"),
         "irssi joins #dev (chat-irc makes the group, irene its owner)")
    nan.send("/join_group dev")
    nan.expect("* joined #dev (2 members)", "nan joins the group irssi made")
    T.ok(tm.wait_screen(r"nan.*has joined #dev"), "irssi shows nan joining #dev")
    tm.type("hi dev")
    tm.keys("Enter")
    nan.expect("#dev <irene> hi dev", "irene's line in #dev reaches nan as a group line")
    nan.send("/group_msg dev welcome irene")
    T.ok(tm.wait_screen(r"<.?nan> welcome irene"), "irssi shows nan's group line in #dev")
    cli.expect_nothing("cleo, not a member, sees none of #dev")

    nan.send("/msg irene psst")
    tm.type("/query nan")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"<.?nan> psst"), "nan's private message is in irssi's query with nan")
    tm.type("psst back")
    tm.keys("Enter")
    nan.expect("*irene* psst back", "irene's answer from the query reaches nan privately")

    tm.type("/quit see you")
    tm.keys("Enter")
    nan.expect_lines(["* irene left #dev (quit: see you)", "* nan now owns #dev",
                      "* irene left (quit: see you)"],
                     "irene /quits irssi: nan sees her leave #dev with the reason, "
                     "becomes its owner, and sees her leave the chat")
    cli.expect("* irene left (quit: see you)", "... and so does cleo", skip=True)


def main():
    if IRSSI is None:
        T.skip_all("irssi is not installed")
    if C.tmux_path() is None:
        T.skip_all("tmux is not installed")
    C.check_client()
    # A short path: a UNIX socket's name is at most 107 bytes.
    tdir = tempfile.mkdtemp(prefix="chat-irssi-", dir="/tmp")
    home = os.path.join(tdir, "home")
    os.makedirs(home)
    try:
        with T.Service() as svc, C.Tmux(tdir, width=120, height=40) as tm:
            port = svc.start_activator(prog=T.program("chat-irc"))
            try:
                run(svc, tm, home, port)
            finally:
                T.diag(*("irssi| " + row for row in tm.rows() if row.strip()))
    finally:
        shutil.rmtree(tdir, ignore_errors=True)


T.main(main)

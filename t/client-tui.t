#!/usr/bin/env python3
# client-tui.t -- chat-client's full-screen mode, driven for real under a
# private tmux server: the password asked without echo, the status line,
# timestamps, typing while lines arrive, scrolling back, Tab completion of
# commands, users and groups, /switch, history, colours and NO_COLOR, and
# reconnecting (with the groups rejoined) after the session is killed and
# after the whole server dies and comes back on the same port (a group
# passed on to tui, a registered user, is kept and rejoined; a group that
# died with the server, and was someone else's, is not made again: see
# t/client-reconnect.t).
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_client as C  # noqa: E402

PASSWORD = "tui-pass-7"
STAMP = r"\d\d:\d\d "
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m")


def main():
    C.full_screen(run, users={"tui": PASSWORD})


def run(svc, tm, tdir):
    bob = svc.client("bob")
    bob.login("bob", others=0)
    tm.start([C.CLIENT, "tui"], C.client_env(svc, {"TERM": "screen"}))

    # -- Login: the password prompt, typed without echo -------------------
    T.ok(tm.wait_screen(r"^password: *$", where=tm.input_row),
         "the input line asks for the password")
    tm.type("not-the-password")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"^" + STAMP + r"! bad-password: wrong password for tui"),
         "a wrong password: the server's error shows")
    T.ok(tm.wait_screen(r"^password: *$", where=tm.input_row),
         "... and the password is asked again")
    tm.type(PASSWORD)
    T.ok(PASSWORD not in tm.screen(), "the password does not show as it is typed")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"^" + STAMP + r"\* welcome, tui \(1 other online"),
         "the welcome shows, with a timestamp")
    T.ok(PASSWORD not in tm.screen(), "the password is nowhere on the screen")
    T.ok(tm.wait_screen(r"^ tui \| online \| to everyone", where=tm.status_row),
         "the status line: name, connection state, target")
    T.ok(tm.wait_screen(r"\* users \(2\): (bob tui|tui bob)"),
         "the client asks for /users at login (for completion)")
    bob.expect("* tui joined")

    # -- Receiving, and typing while lines arrive ---------------------------
    bob.send("hello tui")
    T.ok(tm.wait_screen(r"^" + STAMP + r"<bob> hello tui"), "a chat line shows")
    tm.type("half typed words")
    T.ok(tm.wait_screen(r"^> half typed words *$", where=tm.input_row),
         "the typed text shows on the input line")
    for i in range(1, 41):
        bob.send("flood line %d" % i)
    T.ok(tm.wait_screen(r"flood line 40"), "40 lines arrive while typing")
    T.is_(tm.input_row().rstrip(), "> half typed words",
          "the typed text is intact after they arrived")
    T.is_(tm.cursor(), (len("> half typed words"), tm.height - 1),
          "the cursor is still at the end of the typed text")
    tm.keys("Left", "Left", "Left", "Left", "Left", "BSpace")
    tm.type("-")
    tm.keys("End")
    tm.type(" done")
    tm.keys("Enter")
    bob.expect("<tui> half typed-words done", "editing keys work; Enter sends the line")
    T.ok(tm.wait_screen(r"^" + STAMP + r"<tui> half typed-words done"),
         "the user's own line shows")

    # -- Scrolling back ---------------------------------------------------
    tm.keys("PPage")
    T.ok(tm.wait_screen(r"scrolled back, 0 new below", where=tm.status_row),
         "PageUp scrolls back; the status line says so")
    T.ok("flood line 40" not in tm.screen() and
         re.search(r"flood line 1\d", tm.screen()) is not None,
         "older lines show, the newest do not")
    bob.send("while scrolled")
    T.ok(tm.wait_screen(r"scrolled back, 1 new below", where=tm.status_row),
         "a line arriving while scrolled back is counted, not shown")
    tm.keys("NPage", "NPage", "NPage")
    T.ok(tm.wait_screen(r"^" + STAMP + r"<bob> while scrolled") and
         "scrolled" not in tm.status_row(), "PageDown comes back to the newest line")

    # -- Tab completion -------------------------------------------------------
    bob.send("/create_group devops")
    bob.expect("* created #devops; you own it", skip=True)
    bob.send("/create_group design")
    bob.expect("* created #design; you own it")
    tm.type("/grou")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^> /group *$", where=tm.input_row),
         "Tab completes a command to what the candidates share")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^" + STAMP + r"/groups /groups_users /group_msg *$"),
         "a second Tab lists the candidates")
    tm.type("s")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"\* #devops \(owner bob, 1 member\): bob"),
         "/groups lists the groups (and teaches their names)")
    tm.type("/jo")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^> /join_group *$", where=tm.input_row) and
         tm.cursor()[0] == len("> /join_group "),
         "Tab completes a unique command, with a space")
    tm.type("dev")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^> /join_group devops *$", where=tm.input_row),
         "Tab completes a group name after /join_group")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"\* joined #devops \(2 members\)"), "joined #devops")
    T.ok(tm.wait_screen(r"\| groups: #devops", where=tm.status_row),
         "the status line lists the groups joined")
    bob.expect("* tui joined #devops")
    tm.type("/msg b")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^> /msg bob *$", where=tm.input_row) and
         tm.cursor()[0] == len("> /msg bob "),
         "Tab completes a user name after /msg")
    tm.keys("C-u")
    tm.type("#de")
    tm.keys("Tab")
    T.ok(tm.wait_screen(r"^" + STAMP + r"#design #devops *$"),
         "Tab on an ambiguous #group lists the groups")
    tm.keys("C-w")
    T.ok(tm.wait_screen(r"^> *$", where=tm.input_row), "Ctrl-W erases the word")

    # -- /switch, unread counts, history ------------------------------------
    tm.type("/switch devops")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"to #devops", where=tm.status_row) and
         tm.wait_screen(r"^#devops> *$", where=tm.input_row),
         "/switch shows the target in the status line and the prompt")
    tm.type("group hello")
    tm.keys("Enter")
    bob.expect("#devops <tui> group hello", "plain lines go to the group after /switch")
    bob.send("/msg tui private one")
    T.ok(tm.wait_screen(r"^" + STAMP + r"\*bob\* private one"), "a private message shows")
    T.ok(tm.wait_screen(r"unread: bob\(1\)", where=tm.status_row),
         "the status line counts the unread private message")
    bob.send("to everyone")
    T.ok(tm.wait_screen(r"unread:.*everyone\(1\)", where=tm.status_row),
         "... and a line to everyone while talking to #devops")
    tm.keys("Up")
    T.ok(tm.wait_screen(r"^#devops> group hello *$", where=tm.input_row),
         "Up brings back the last line")
    tm.keys("Up")
    T.ok(tm.wait_screen(r"^#devops> /switch devops *$", where=tm.input_row),
         "Up again: the line before")
    tm.keys("Down", "Down")
    T.ok(tm.wait_screen(r"^#devops> *$", where=tm.input_row),
         "Down past the newest: the empty line")

    # -- Colours ------------------------------------------------------------
    tm.type("/nosuch")
    tm.keys("Enter")
    T.ok(tm.wait_screen(r"! unknown-command: /nosuch"), "a server error shows")
    T.ok(COLOUR.search(tm.screen(escapes=True)) is not None,
         "lines are coloured on a terminal")

    # -- The session dies: reconnect, log in again, rejoin -------------------
    pid = C.session_pid(svc, "tui")
    T.ok(pid is not None, "tui's session process is found")
    if pid:
        os.kill(pid, 9)
    if not T.ok(tm.wait_screen(r"connection lost: .*; reconnecting in \d"),
                "the drop is shown"):
        T.diag(tm.last)
    T.ok(tm.wait_screen(r"reconnected as tui; rejoining #devops", timeout=15),
         "it reconnects and logs in again (the password kept in memory)")
    T.ok(tm.wait_screen(r"^" + STAMP + r"rejoined #devops"), "... and rejoins #devops")
    bob.expect("* tui left (connection lost)", skip=True)
    bob.expect("* tui joined #devops", "bob sees tui back in #devops", skip=True)
    tm.type("after reconnect")
    tm.keys("Enter")
    bob.expect("#devops <tui> after reconnect", "the target survives the reconnect",
               skip=True)

    # -- The whole server dies and comes back on the same port ---------------
    # bob (a guest) leaves first: #devops passes to tui, a registered user,
    # so it is kept while tui is away and tui is back in it afterwards.
    bob.send("/quit")
    bob.expect("* bye", skip=True)
    T.ok(tm.wait_screen(r"tui now owns #devops|you now own #devops"),
         "#devops passes to tui when bob leaves")
    port = svc.port
    C.stop_service(svc)
    T.ok(tm.wait_screen(r"offline, retrying in \d+s", where=tm.status_row),
         "with the server down the status line says offline, retrying")
    T.ok(C.restart_service(svc, port), "the server starts again on port %d" % port)
    m = T.wait_for(lambda: len(re.findall(r"reconnected as tui", tm.screen())) >= 2,
                   timeout=40, step=0.1)
    T.ok(m, "the client reconnects to the restarted server by itself")
    T.ok(T.wait_for(lambda: len(re.findall(r"rejoined #devops", tm.screen())) >= 2,
                    timeout=15, step=0.1),
         "#devops outlived the server (tui, registered, owns it): tui rejoins it")
    T.ok(tm.wait_screen(r"^ tui \| online \| to #devops \| groups: #devops",
                        where=tm.status_row),
         "the status line is back to online, the target still #devops")
    back = svc.client("bob2")
    back.login("bob2")
    back.send("/join_group devops")
    back.expect("* joined #devops (2 members)")
    tm.type("we are back")
    tm.keys("Enter")
    back.expect("#devops <tui> we are back", "chat works after the restart")

    # -- /quit ------------------------------------------------------------
    tm.type("/quit")
    tm.keys("Enter")
    T.is_(T.wait_for(tm.dead_status), 0, "/quit ends the client with status 0")
    back.expect("* tui left (quit)", skip=True)

    # -- NO_COLOR -----------------------------------------------------------
    tm2 = C.Tmux(os.path.join(tdir))
    tm2.socket = os.path.join(tdir, "tmux2.sock")
    with tm2:
        tm2.start([C.CLIENT, "plain"], C.client_env(svc, {"TERM": "screen",
                                                          "NO_COLOR": "1"}))
        if not T.ok(tm2.wait_screen(r"\* welcome, plain"), "a second client logs in"):
            T.diag(tm2.screen())
        tm2.type("/nosuch")
        tm2.keys("Enter")
        T.ok(tm2.wait_screen(r"! unknown-command"), "its error shows")
        T.ok(COLOUR.search(tm2.screen(escapes=True)) is None,
             "with NO_COLOR set nothing is coloured")
        tm2.keys("C-d")
        if not T.is_(T.wait_for(tm2.dead_status), 0,
                     "Ctrl-D on an empty line quits (status 0)"):
            T.diag(tm2.screen())


T.main(main)

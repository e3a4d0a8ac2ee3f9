#!/usr/bin/env python3
# client-line.t -- chat-client's plain line mode and --send against a real
# server: login (guest, name typed on stdin, registered with each password
# source), receiving and sending, groups, /query and /switch, --send,
# exit statuses, and a dropped connection.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_client as C  # noqa: E402

PROMPT = "? name:"
PASSWORD = "? password:"
CAROL_PW = "carol's secret 1"


def welcome(name, others=None):
    return A.welcome(name, others)


def main():
    C.check_client()
    with A.Service(users={"carol": CAROL_PW}) as svc:
        # -- A guest on pipes: login, receiving, sending ------------------
        alice = C.LineClient(svc, ["alice"], label="alice (line mode)")
        alice.expect(PROMPT, "line mode prints the server's name prompt")
        alice.expect(welcome("alice", 0), "the name from the command line logs in")

        bob = svc.client("bob")
        bob.login("bob", others=1)
        alice.expect("* bob joined", "alice prints bob's join notice")
        bob.send("hello alice")
        alice.expect("<bob> hello alice", "a chat line arrives on stdout as sent")
        alice.send("hi bob")
        bob.expect("<alice> hi bob", "a line of stdin goes to everyone")

        # Groups.
        alice.send("/create_group dev")
        alice.expect("* created #dev; you own it", "/create_group is passed to the server")
        bob.send("/join_group dev")
        bob.expect("* joined #dev (2 members)")
        alice.expect("* bob joined #dev", "alice sees bob join the group")
        bob.send("/group_msg dev to the group")
        alice.expect("#dev <bob> to the group", "a group message is printed as sent")
        bob.send("/msg alice just you")
        alice.expect("*bob* just you", "a private message is printed as sent")

        # Group events: the client asks for their machine form (/events
        # on) and words them itself; the user sees the same words.
        bob.send("/create_group ops")
        bob.expect("* created #ops; you own it")
        bob.send("/invite ops alice")
        bob.expect("* invited alice to #ops")
        alice.expect("* bob invited you to #ops; /join_group ops to join",
                     "an invitation is worded for alice")
        alice.send("/join_group ops")
        alice.expect("* joined #ops (2 members)")
        bob.expect("* alice joined #ops")
        bob.send("/invite_only ops on")
        bob.expect("* #ops is now invite-only")
        alice.expect("* bob made #ops invite-only", "a mode change is worded")
        bob.send("/kick ops alice too loud")
        bob.expect("* kicked alice from #ops")
        alice.expect("* bob kicked you from #ops (too loud)",
                     "a kick is worded, with its reason, as 'you'")
        bob.send("/leave_group ops")
        bob.expect("* left #ops")
        bob.send("/create_group ops")
        bob.expect("* created #ops; you own it")
        alice.send("/join_group ops")
        alice.expect("* joined #ops (2 members)")
        bob.expect("* alice joined #ops")
        bob.send("/leave_group ops")
        bob.expect("* left #ops")
        alice.expect("* bob left #ops", "a member leaving is worded")
        alice.expect("* alice now owns #ops", "... and the new owner")
        alice.send("/leave_group ops")
        alice.expect("* left #ops")

        # /switch and /query change where plain lines go.
        alice.send("/switch dev")
        alice.send("for the group")
        bob.expect("#dev <alice> for the group", "after /switch dev plain lines go to #dev")
        alice.send("//slash first")
        bob.expect("#dev <alice> /slash first", "// sends a leading / to the target")
        alice.send("/query bob")
        alice.send("psst")
        bob.expect("*alice* psst", "after /query bob plain lines are private to bob")
        alice.send("/query")
        alice.send("everyone again")
        bob.expect("<alice> everyone again", "/query alone goes back to everyone")
        alice.send("//root")
        bob.expect("<alice> /root", "// to everyone sends a leading /")
        T.like(alice.stderr(), r"plain lines now go to #dev",
               "the client says where plain lines go, on stderr")

        alice.send("/nosuch")
        alice.expect(T.rx(r"^! unknown-command: /nosuch is not a command"),
                     "server errors are printed as they come")

        # End of input: /quit, bye, exit 0.
        alice.close_stdin()
        alice.expect("* bye", "the end of stdin sends /quit")
        T.is_(alice.wait(), 0, "... and the client exits 0")
        bob.expect("* alice left (quit)", "bob sees alice quit", skip=True)

        # -- Lines typed before the login are held until it -------------
        r = C.run_client(svc, ["dave"], input="early line\n")
        T.is_(r.returncode, 0, "a piped session exits 0")
        bob.expect("* dave joined")
        bob.expect("<dave> early line", "stdin read before the welcome is sent after it")
        bob.expect("* dave left (quit)")
        T.ok("\x1b" not in r.stdout + r.stderr, "no escape sequences when not a terminal")

        # -- The name typed on stdin, a refused name, then another -------
        erin = C.LineClient(svc, [], label="nameless client")
        erin.expect(PROMPT, "without a name the prompt is printed")
        erin.send("bob")
        erin.expect("! name-taken: bob is already in use; choose another",
                    "a taken name typed on stdin gets the server's error")
        erin.expect(PROMPT, "... and the prompt again")
        erin.send("erin")
        erin.expect(welcome("erin"), "the next stdin line is the next name")
        bob.expect("* erin joined")
        erin.close_stdin()
        T.is_(erin.wait(), 0, "the nameless client exits 0")
        bob.expect("* erin left (quit)")

        # -- A registered user: each source of the password ----------------
        r = C.run_client(svc, ["carol", "--send", "/users"],
                         env={"CHAT_PASSWORD": CAROL_PW})
        T.is_((r.returncode, re.sub(r": (.*)", lambda m: ": " + " ".join(sorted(m.group(1).split())),
                                    r.stdout)), (0, "* users (2): bob carol\n"),
              "CHAT_PASSWORD logs in; --send prints only the answer")
        pwfile = os.path.join(svc.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(CAROL_PW + "\n")
        r = C.run_client(svc, ["--password-file", pwfile, "--send", "from a file", "carol"])
        T.is_(r.returncode, 0, "--password-file logs in")
        bob.expect("<carol> from a file", "... and the --send line arrives", skip=True)
        carol = C.LineClient(svc, ["carol"], label="carol (password on stdin)")
        carol.expect(PROMPT)
        carol.expect(PASSWORD, "without a password the server's prompt is printed")
        carol.send(CAROL_PW)
        carol.expect(welcome("carol"), "the next stdin line is the password")
        carol.close_stdin()
        T.is_(carol.wait(), 0, "carol exits 0")
        r = C.run_client(svc, ["carol", "--send", "x"], env={"CHAT_PASSWORD": "wrong"})
        T.is_(r.returncode, 1, "a wrong password exits 1")
        T.like(r.stderr, r"wrong password for carol", "... saying so on stderr")
        r = C.run_client(svc, ["carol", "--send", "x"])
        T.is_(r.returncode, 100, "no password at all (stdin empty) exits 100")

        # -- --send ---------------------------------------------------------
        r = C.run_client(svc, ["--send", "/join_group dev", "--send",
                               "/group_msg dev two lines", "frank"])
        T.is_(r.returncode, 0, "several --send lines: exit 0")
        bob.expect("* frank joined", skip=True)
        bob.expect("* frank joined #dev")
        bob.expect("#dev <frank> two lines", "several --send lines go in order")
        T.is_(r.stdout, "* joined #dev (2 members)\n", "... and only the answers are printed")
        r = C.run_client(svc, ["--send", "/msg nobody hi", "gina"])
        T.is_((r.returncode, r.stdout.strip()),
              (1, "! no-such-user: there is no user named nobody"),
              "--send of a refused line exits 1 and prints the error")

        # -- Exit statuses ------------------------------------------------
        r = C.run_client(svc, ["bob"])
        T.is_(r.returncode, 1, "a name in use exits 1")
        T.like(r.stderr, r"refused the login: bob is already in use", "... saying why")
        r = C.run_client(svc, ["-p", str(T.free_port()), "hal"])
        T.is_(r.returncode, 111, "no server on the port exits 111")
        T.like(r.stderr, r"cannot connect to 127\.0\.0\.1 port \d+: Connection refused",
               "... saying why")
        r = C.run_client(svc, ["--bogus"])
        T.is_(r.returncode, 100, "an unknown option exits 100")
        r = C.run_client(svc, ["--send", "x"])
        T.is_(r.returncode, 100, "--send without a name exits 100")
        r = C.run_client(svc, ["-p", "port", "x"])
        T.is_(r.returncode, 100, "a bad port exits 100")
        r = C.run_client(svc, ["-p", str(svc.port), "--send", "/users", "ivy"],
                         env={"CHAT_PORT": "1"})
        T.is_(r.returncode, 0, "-p wins over CHAT_PORT")

        # -- The connection drops: line mode exits 111 --------------------
        judy = C.LineClient(svc, ["judy"], label="judy")
        judy.expect(PROMPT)
        judy.expect(welcome("judy"))
        pid = C.session_pid(svc, "judy")
        T.ok(pid is not None, "judy's session is found")
        if pid:
            os.kill(pid, 9)
        T.is_(judy.wait(), 111, "a dropped connection ends line mode with 111")
        T.like(judy.stderr(), r"connection closed", "... saying so on stderr")


T.main(main)

#!/usr/bin/env python3
# relay.t -- joins, chat lines to everyone but the sender, commands, leaves.
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402


def main():
    with T.Service() as svc:
        a = svc.client("a")
        a.login("amy", others=0)
        b = svc.client("b")
        b.login("bob", others=1, desc="the second user is told of 1 other (singular)")
        a.expect("* bob joined", "a sees bob join")

        # Two clients: a line reaches the other, labelled, not the sender.
        a.send("hello bob")
        b.expect("<amy> hello bob", "amy's line reaches bob labelled <amy>")
        b.send("hi amy")
        # If amy got her own line back it would come before bob's answer.
        a.expect("<bob> hi amy", "amy's next line is bob's answer, not her own line")
        a.expect_nothing("amy does not get her own line")
        b.expect_nothing("bob does not get his own line")

        # A third client: the join is seen by the others, not by the joiner.
        c = svc.client("c")
        c.login("cat", others=2, desc="the third user is told of 2 others")
        a.expect("* cat joined", "a sees cat join")
        b.expect("* cat joined", "b sees cat join")
        a.send("welcome cat")
        c.expect("<amy> welcome cat",
                 "cat's first line after the welcome is amy's (not its own join)")
        b.expect("<amy> welcome cat")
        c.send("thanks")
        a.expect("<cat> thanks")
        b.expect("<cat> thanks")
        # Several lines in one write: all relayed, in order, once.
        b.send_raw(b"one\ntwo\r\nthree\n")
        for x in (a, c):
            x.expect_lines(["<bob> one", "<bob> two", "<bob> three"],
                           "%s gets bob's three lines from one write, in order" % x.label)
        a.send("marker")
        b.expect("<amy> marker", "bob gets none of his own lines back")
        c.expect("<amy> marker")

        # CRLF line ends, as telnet sends them.
        c.send("crlf line", end="\r\n")
        a.expect("<cat> crlf line", "a CRLF line arrives without the CR")
        b.expect("<cat> crlf line")
        # A line split across writes.
        a.send_raw(b"spl")
        a.send_raw(b"it\n")
        b.expect("<amy> split", "a line sent in two pieces arrives as one")
        c.expect("<amy> split")
        # Spaces kept as sent; a leading "//" sends a literal "/".
        a.send("  two spaces  ")
        b.expect("<amy>   two spaces  ", "leading and trailing spaces are kept")
        c.expect("<amy>   two spaces  ")
        a.send("//slash at the start")
        b.expect("<amy> /slash at the start", "'//' sends a literal leading '/'")
        c.expect("<amy> /slash at the start")
        a.send("non-ASCII: caf\u00e9 \u2603 \U0001F600")
        b.expect("<amy> non-ASCII: caf\u00e9 \u2603 \U0001F600",
                 "valid UTF-8 is relayed unchanged")
        c.expect("<amy> non-ASCII: caf\u00e9 \u2603 \U0001F600")

        # Commands answer the sender only.
        a.send("/users")
        line = a.expect(T.rx(r"^\* users \(3\): "), "/users answers with the count")
        if line is not None:
            T.is_(sorted(line.split(": ", 1)[1].split()), ["amy", "bob", "cat"],
                  "/users lists the three names")
        a.send("/help")
        first = a.expect(T.rx(r"^\* commands"), "/help starts with a '* ' line")
        helps = []
        while True:
            line = a.read_line(T.QUIET)
            if line is None or line is T.EOF:
                break
            helps.append(line)
        T.ok(first is not None and all(h.startswith("* ") for h in helps),
             "every /help line starts with '* '")
        for cmd in ("/help", "/users", "/quit"):
            T.ok(any(h.startswith("* " + cmd) for h in helps), "/help lists %s" % cmd)
        a.send("/nosuch arg")
        a.expect(T.rx(r"^! unknown-command: /nosuch "), "an unknown command gets unknown-command")
        a.send("/USERS")
        a.expect(T.rx(r"^! unknown-command: "), "commands are case-sensitive (/USERS)")
        for x in (b, c):
            x.expect_nothing("%s saw nothing of amy's commands" % x.label)

        # Leaves: /quit, /quit with a reason, closing the socket, kill -9.
        d = svc.client("d")
        d.login("dan", others=3)
        for x in (a, b, c):
            x.expect("* dan joined")
        d.send("/quit")
        d.expect("* bye", "/quit is answered with '* bye'")
        d.expect_eof("... and the connection is closed")
        for x in (a, b, c):
            x.expect("* dan left (quit)", "%s sees 'dan left (quit)'" % x.label)

        e = svc.client("e")
        e.login("eve", others=3)
        for x in (a, b, c):
            x.expect("* eve joined")
        e.send("/quit  gone fishing", end="\r\n")
        e.expect("* bye")
        e.expect_eof()
        for x in (a, b, c):
            x.expect("* eve left (quit: gone fishing)",
                     "%s sees eve's quit reason" % x.label)

        f = svc.client("f")
        f.login("fay", others=3)
        for x in (a, b, c):
            x.expect("* fay joined")
        f.close()
        for x in (a, b, c):
            x.expect("* fay left (connection closed)",
                     "%s sees 'fay left (connection closed)'" % x.label)

        # A half-close after a last line: the line is still relayed.
        g = svc.client("g")
        g.login("gus", others=3)
        for x in (a, b, c):
            x.expect("* gus joined")
        g.send_raw(b"last words")
        g.shutdown_write()
        for x in (a, b, c):
            x.expect_lines(["<gus> last words", "* gus left (connection closed)"],
                           "%s gets gus's unterminated last line, then the leave" % x.label)
        g.expect_eof("gus's connection is closed after its half-close")

        # kill -9 of a session: the hub tells the others.
        pid = svc.session_pid(c)
        T.ok(pid, "found cat's session process")
        u = svc.users()
        rows = {r.get("name"): r for r in u[1]} if u else {}
        T.is_(rows.get("cat", {}).get("pid"), str(pid),
              "chatctl users shows cat's session pid")
        if pid:
            os.kill(pid, signal.SIGKILL)
        for x in (a, b):
            x.expect("* cat left (connection lost)",
                     "%s sees 'cat left (connection lost)' after kill -9" % x.label)
        T.is_(svc.user_names(), ["amy", "bob"], "chatctl users no longer lists cat")
        c.expect_eof("cat's client sees its connection closed")
        a.send("still here")
        b.expect("<amy> still here", "the others still chat after a session died")
        a.send("/users")
        line = a.expect(T.rx(r"^\* users \(2\): "), "/users counts 2 after the kill")
        if line is not None:
            T.is_(sorted(line.split(": ", 1)[1].split()), ["amy", "bob"],
                  "/users lists amy and bob")

        # The name of a dead session is free again.
        h = svc.client("h")
        h.login("cat", others=2, desc="the dead session's name can be taken again")
        a.expect("* cat joined")
        b.expect("* cat joined")
        for x in (a, b, h):
            x.expect_nothing()


T.main(main)

#!/usr/bin/env python3
# login.t -- the name prompt, valid and invalid names, names in use.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

INVALID = "! name-invalid: a name is 1-32 letters, digits, '_', '-' or '.', starting with a letter"
PROMPT = "? name:"


def main():
    with T.Service() as svc:
        # The prompt comes first, unasked.
        a = svc.client("a", prompt=False)
        a.expect(PROMPT, "a new connection gets the name prompt")
        a.login("alice", others=0, desc="a valid name gets the welcome (0 others)")

        # Invalid names: the error, the prompt again, the connection usable.
        b = svc.client("b")
        for name, why in (("1abc", "starts with a digit"),
                          ("a b", "contains a space"),
                          ("x" * 33, "33 characters"),
                          ("\u00e9", "a non-ASCII letter"),
                          ("_bob", "starts with '_'"),
                          ("bob!", "contains '!'"),
                          ("/users", "a command at the prompt")):
            b.send(name)
            b.expect_lines([INVALID, PROMPT],
                           "name %r (%s): name-invalid, then the prompt again" % (name, why))
        # "you" is what notices call their reader: not a name.
        for name in ("you", "YOU", "y0u"):
            b.send(name)
            b.expect_lines(["! name-taken: %s is reserved (notices say \"you\" to "
                            "their reader); choose another" % name, PROMPT],
                           "name %r: reserved (name-taken), then the prompt again" % name)
        # An empty line at the prompt is ignored.
        b.send("")
        b.expect_nothing("an empty line at the prompt gets no answer")
        long_name = "B" + "o" * 30 + "9"
        T.is_(len(long_name), 32, "the longest valid name has 32 characters")
        b.login(long_name, others=1, desc="after refused names the connection still logs in")
        a.expect("* %s joined" % long_name, "a sees the 32-character name join")

        # Names with every allowed character class; CRLF at the prompt.
        c = svc.client("c")
        c.send("c-3.P_o", end="\r\n")
        c.expect("* welcome, c-3.P_o (2 others online; /help for commands)",
                 "a name with '-', '.', '_' and digits, sent with CRLF, is accepted")
        c.name = "c-3.P_o"
        a.expect("* c-3.P_o joined")
        b.expect("* c-3.P_o joined")

        # Names in use: exact and in another case.
        d = svc.client("d")
        for name in ("alice", "ALICE", "Alice", long_name.lower(), "C-3.p_O"):
            d.send(name)
            d.expect_lines(["! name-taken: %s is already in use; choose another" % name,
                            PROMPT], "name %r in use: name-taken, then the prompt again" % name)
        # Bad bytes at the prompt: the text error, then the prompt again.
        d.send(b"\xfe\xfeali")
        d.expect(T.rx(r"^! bad-utf8: "), "invalid UTF-8 at the prompt: bad-utf8")
        d.expect(PROMPT, "... and the prompt again")
        d.send("ali\x1bce")
        d.expect(T.rx(r"^! control-char: "), "ESC at the prompt: control-char")
        d.expect(PROMPT, "... and the prompt again")
        d.login("dave", others=3, desc="then a free name is accepted (3 others)")
        for other in (a, b, c):
            other.expect("* dave joined", "%s sees dave join (only once)" % other.label)

        # Nobody saw anything of the refused attempts.
        for other in (a, b, c):
            other.expect_nothing("%s saw nothing of the refused names" % other.label)

        # A client that leaves at the prompt: nobody is told.
        e = svc.client("e")
        e.close()
        a.send("after e")
        for other in (b, c, d):
            other.expect("<alice> after e",
                         "%s: the next line after e left at the prompt is alice's" % other.label)

        # A name freed by a quit can be taken again.
        a.send("/quit")
        a.expect("* bye")
        a.expect_eof()
        for other in (b, c, d):
            other.expect("* alice left (quit)")
        f = svc.client("f")
        f.login("Alice", others=3, desc="a name is free again after its owner quit")

        # Case is kept as typed in what others see.
        for other in (b, c, d):
            other.expect("* Alice joined")
        T.is_(svc.user_names(), sorted(["Alice", long_name, "c-3.P_o", "dave"]),
              "chatctl users lists exactly the logged-in names")


T.main(main)

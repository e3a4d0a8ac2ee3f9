#!/usr/bin/env python3
# private.t -- /msg reaches only its target; user-offline for a registered
# user who is not connected, no-such-user otherwise; bad-target for
# oneself; /broadcast; missing-argument and unknown-command; nobody else
# sees any of it.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402


def main():
    with A.Service(users={"alice": "password123", "bob": "qwerty456",
                          "dave": "dave-pw"}) as svc:
        a = svc.client("a")
        A.login(a, "alice", "password123", others=0)
        b = svc.client("b")
        A.login(b, "bob", "qwerty456", others=1)
        c = svc.client("c")
        A.login(c, "carl", others=2)
        a.expect_lines(["* bob joined", "* carl joined"])
        b.expect("* carl joined")

        # A private message: only the target gets it, marked *sender*.
        a.send("/msg bob hello there")
        b.expect("*alice* hello there", "bob gets alice's private message as '*alice* text'")
        a.send("/msg BOB  spaces   kept  ")
        b.expect("*alice* spaces   kept  ",
                 "the target's name in any case; blanks after the name are skipped, "
                 "the text is kept as sent")
        b.send("/msg alice back to you")
        a.expect("*bob* back to you", "alice's next line is bob's answer (not her own message)")
        c.send("/msg alice from a guest")
        a.expect("*carl* from a guest", "a guest can send a private message")
        a.send("/msg carl to a guest")
        c.expect("*alice* to a guest", "... and receive one")
        a.send("/msg carl \u00e9t\u00e9 \u2603")
        c.expect("*alice* \u00e9t\u00e9 \u2603", "UTF-8 text goes through unchanged")
        c.expect_nothing("carl got only the messages for carl")
        b.expect_nothing("bob got only the messages for bob")
        a.expect_nothing("alice got none of her own messages back")

        # Errors, one line each, to the sender only.
        a.send("/msg dave are you there")
        a.expect("! user-offline: dave is not online",
                 "a registered user who is not connected: user-offline")
        a.send("/msg Dave hi")
        a.expect("! user-offline: Dave is not online", "... in any case of the name")
        a.send("/msg nobody hi")
        a.expect("! no-such-user: there is no user named nobody",
                 "a name that is neither online nor registered: no-such-user")
        a.send("/create_group den")
        a.expect("* created #den; you own it")
        a.send("/invite den dave")
        a.expect("! user-offline: dave is not online",
                 "/invite of a registered user who is not connected: user-offline")
        a.send("/kick den dave")
        a.expect("! user-offline: dave is not online",
                 "/kick of a registered user who is not connected: user-offline")
        a.send("/leave_group den")
        a.expect("* left #den")
        a.send("/msg alice talking to myself")
        a.expect("! bad-target: you cannot send a private message to yourself",
                 "a private message to oneself: bad-target")
        a.send("/msg ALICE again")
        a.expect(T.rx(r"^! bad-target: "), "... in any case of one's name")
        for cmd in ("/msg", "/msg bob", "/msg bob   ", "/msg\tbob"):
            a.send(cmd)
            a.expect("! missing-argument: usage: /msg <user> <text>",
                     "%r: missing-argument with the usage" % cmd)
        a.send("/broadcast")
        a.expect("! missing-argument: usage: /broadcast <text>", "/broadcast alone: missing-argument")
        a.send("/message bob hi")
        a.expect("! unknown-command: /message is not a command; /help lists them",
                 "a misspelt command: unknown-command")
        a.send("/Msg bob hi")
        a.expect(T.rx(r"^! unknown-command: /Msg "), "command names are case-sensitive")
        a.send("/msg bob still usable")
        b.expect("*alice* still usable", "after the errors alice's connection still works")
        for x in (b, c):
            x.expect_nothing("%s saw nothing of alice's errors" % x.label)

        # /broadcast and plain lines reach everyone else.
        a.send("/broadcast to all of you")
        b.expect("<alice> to all of you", "/broadcast reaches bob as a chat line")
        c.expect("<alice> to all of you", "... and carl")
        a.send("plain line")
        b.expect("<alice> plain line")
        c.expect("<alice> plain line")
        a.expect_nothing("the broadcaster gets nothing back")

        # The target leaves: its name is no longer reachable.
        c.send("/quit")
        c.expect("* bye")
        a.expect("* carl left (quit)")
        b.expect("* carl left (quit)")
        a.send("/msg carl are you gone")
        a.expect("! no-such-user: there is no user named carl",
                 "a guest that left: no-such-user")
        b.send("/quit")
        b.expect("* bye")
        a.expect("* bob left (quit)")
        a.send("/msg bob are you gone")
        a.expect("! user-offline: bob is not online", "a registered user that left: user-offline")

        # A later holder of a name does not get what was sent to the
        # earlier one; a new login gets what is sent after it.
        d = svc.client("d")
        A.login(d, "dave", "dave-pw", others=1)
        a.expect("* dave joined")
        a.send("/msg dave now you are here")
        d.expect("*alice* now you are here", "a user who just logged in gets private messages")
        d.expect_nothing("... and nothing sent to it while it was offline")
        st = svc.json("stats")
        T.ok(st is not None and st.get("messages_routed") == 10,
             "chatctl stats: 10 chat records routed (8 private, 2 to everyone); errors count none")
        if st is not None and st.get("messages_routed") != 10:
            T.diag("messages_routed: %r" % st.get("messages_routed"))


T.main(main)

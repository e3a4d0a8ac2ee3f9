#!/usr/bin/env python3
# events.t -- group events in their machine form: a client that sends
# "/events on" gets "= group EVENT #GROUP ACTOR TARGET MODE [:REASON]"
# lines instead of sentences (what chat-client asks for), the others keep
# the sentences; "/events off" brings the sentences back.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402


def main():
    with T.Service() as svc:
        owner = svc.client("ann")
        owner.login("ann", others=0)
        prog = svc.client("bot")
        prog.login("bot", others=1)
        owner.expect("* bot joined")
        words = svc.client("cy")
        words.login("cy", others=2)
        owner.expect("* cy joined")
        prog.expect("* cy joined")

        prog.send("/events")
        prog.expect("! missing-argument: usage: /events on|off",
                    "/events without a word says how to use it")
        prog.send("/events maybe")
        prog.expect("! missing-argument: usage: /events on|off",
                    "/events with another word too")
        prog.send("/events on")
        prog.expect("* events on", "/events on is answered")

        owner.send("/create_group dev")
        owner.expect("* created #dev; you own it")
        owner.send("/invite dev bot")
        owner.expect("* invited bot to #dev")
        prog.expect("= group invited #dev ann bot -", "an invitation, as data")
        # One join at a time: two sessions' joins race for the order.
        prog.send("/join_group dev")
        prog.expect("* joined #dev (2 members)", "answers stay words")
        words.send("/join_group dev")
        words.expect("* joined #dev (3 members)")
        owner.expect("* bot joined #dev", "a client without /events gets words")
        owner.expect("* cy joined #dev")
        prog.expect("= group joined #dev cy - -", "a member joining, as data")
        owner.send("/invite_only dev on")
        owner.expect("* #dev is now invite-only")
        prog.expect("= group mode #dev ann - invite-only", "a mode change, as data")
        words.expect("* ann made #dev invite-only", "... and in words")
        owner.send("/kick dev cy too   loud")
        owner.expect("* kicked cy from #dev")
        prog.expect("= group kicked #dev ann cy - :too   loud",
                    "a kick, as data, with the reason after ' :'")
        words.expect("* ann kicked you from #dev (too   loud)", "... in words to cy")
        owner.send("/leave_group dev")
        owner.expect("* left #dev")
        prog.expect("= group left #dev ann - -", "a member leaving, as data")
        prog.expect("= group owner #dev ann bot -", "the new owner, as data")

        prog.send("/events off")
        prog.expect("* events off", "/events off is answered")
        words.send("/join_group dev")
        words.expect("! invite-only: #dev is invite-only; ask its owner for an invite")
        prog.send("/invite dev cy")
        prog.expect("* invited cy to #dev")
        words.expect("* bot invited you to #dev; /join_group dev to join")
        words.send("/join_group dev")
        words.expect("* joined #dev (2 members)")
        prog.expect("* cy joined #dev", "after /events off, words again")
        words.send("/quit")
        words.expect("* bye")
        prog.expect("* cy left #dev (quit)", "a member quitting: words, with the reason")


T.main(main)

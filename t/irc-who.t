#!/usr/bin/env python3
# irc-who.t -- what IRC users see of each other: USER's user name and
# real name in WHO, WHOIS and USERHOST (kept in the slot, so another
# connection sees them), AWAY seen by the others (301 to a private
# message, WHOIS, WHO's G, USERHOST's "-"), WHO masks, NAMES of several
# channels with one 366, userhost-in-names, a NOTICE that arrives as a
# NOTICE, a PART with its reason (the line user sees it too), a KICK
# without a reason (IRC shows the kicker's nick, the line user "no
# reason given"), /me as an action for IRC, line and web users, and bad
# USER lines.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_irc import MASK, irc, prefix  # noqa: E402
from chattest_web import WS  # noqa: E402

rx = T.rx


def user(svc, port, nick, ident, realname):
    c = irc(svc, port, nick)
    c.send("NICK %s" % nick)
    c.send("USER %s 0 * :%s" % (ident, realname))
    c.expect(rx(r"^:%s 366 %s #lobby :End of /NAMES list$" % (MASK, nick)),
             "%s registers" % nick, skip=True)
    c.name = nick
    return c


def identity(uma, vic):
    vic.send("WHO uma")
    vic.expect_lines([rx(r"^:%s 352 vic \* umaident %s %s uma H :0 Uma Real Name$"
                         % (MASK, MASK, MASK)),
                      rx(r"^:%s 315 vic uma :End of /WHO list$" % MASK)],
                     "WHO nick: USER's user name and real name, here (H)")
    vic.send("WHO UM*")
    vic.expect_lines([rx(r"^:%s 352 vic \* umaident %s %s uma H :0 Uma Real Name$"
                         % (MASK, MASK, MASK)),
                      rx(r"^:%s 315 vic UM\* :End of /WHO list$" % MASK)],
                     "WHO with a mask matches nicks in any case; 315 keeps the mask as given")
    vic.send("WHO *Real*")
    vic.expect_lines([rx(r"^:%s 352 vic \* umaident .* uma H :0 Uma Real Name$" % MASK),
                      rx(r"^:%s 315 vic \*Real\* :End of /WHO list$" % MASK)],
                     "WHO's mask also matches the real name")
    vic.send("WHO uma %rantu,42")
    vic.expect_lines([rx(r"^:%s 354 vic 42 umaident uma 0 :Uma Real Name$" % MASK),
                      rx(r"^:%s 315 vic uma :End of /WHO list$" % MASK)],
                     "WHOX: the fields asked for, in WHOX's order, with the token; "
                     "a guest has no account (0)")
    vic.send("WHOIS uma")
    vic.expect_lines([rx(r"^:%s 311 vic uma umaident %s \* :Uma Real Name$" % (MASK, MASK)),
                      rx(r"^:%s 312 vic uma %s :chat, connected by irc$" % (MASK, MASK)),
                      rx(r"^:%s 318 vic uma :End of /WHOIS list$" % MASK)],
                     "WHOIS: user name and real name, no 319 outside groups")
    vic.send("USERHOST uma vic nobody")
    vic.expect(rx(r"^:%s 302 vic :uma=\+umaident@%s vic=\+victor@%s$" % (MASK, MASK, MASK)),
               "USERHOST: each one online with its user name, here (+)")


def away(uma, vic):
    uma.send("AWAY :out to lunch")
    uma.expect(rx(r"^:%s 306 uma :You have been marked as being away$" % MASK), "AWAY :text: 306")
    vic.send("PRIVMSG uma :are you there?")
    vic.expect(rx(r"^:%s 301 vic uma :out to lunch$" % MASK),
               "a private message to a user who is away is answered 301 with why")
    uma.expect(rx(prefix("vic") + "PRIVMSG uma :are you there\\?$"), "... and still delivered")
    vic.send("WHOIS uma")
    vic.expect_lines([rx(r"^:%s 311 vic uma " % MASK), rx(r"^:%s 312 vic uma " % MASK),
                      rx(r"^:%s 301 vic uma :out to lunch$" % MASK),
                      rx(r"^:%s 318 vic uma :End of /WHOIS list$" % MASK)],
                     "another user's WHOIS shows the away message")
    vic.send("WHO uma")
    vic.expect(rx(r"^:%s 352 vic \* umaident %s %s uma G :0 Uma Real Name$" % (MASK, MASK, MASK)),
               "WHO marks the user gone (G)")
    vic.expect(rx(r" 315 vic uma "), "")
    vic.send("USERHOST uma")
    vic.expect(rx(r"^:%s 302 vic :uma=-umaident@%s$" % (MASK, MASK)), "USERHOST: away (-)")
    uma.send("AWAY")
    uma.expect(rx(r"^:%s 305 uma :You are no longer marked as being away$" % MASK), "AWAY: 305")
    vic.send("PRIVMSG uma :back?")
    uma.expect(rx(prefix("vic") + "PRIVMSG uma :back\\?$"), "")
    vic.send("USERHOST uma")
    vic.expect(rx(r"^:%s 302 vic :uma=\+umaident@%s$" % (MASK, MASK)),
               "back: no 301 to the message before, and USERHOST says here (+)")


def channels(uma, vic, nan):
    uma.send("JOIN #ops")
    uma.expect(rx(r" 366 uma #ops :End of /NAMES list$"), "uma makes #ops", skip=True)
    vic.send("CAP REQ :userhost-in-names")
    vic.expect(rx(r"^:%s CAP vic ACK :userhost-in-names$" % MASK), "CAP REQ userhost-in-names: ACK")
    vic.send("JOIN #ops")
    vic.expect_lines([rx(prefix("vic") + "JOIN #ops$"),
                      rx(r"^:%s 353 vic = #ops :@uma!uma@%s vic!vic@%s$" % (MASK, MASK, MASK)),
                      rx(r"^:%s 366 vic #ops :End of /NAMES list$" % MASK)],
                     "userhost-in-names: NAMES lists nick!user@host")
    uma.expect(rx(prefix("vic") + "JOIN #ops$"), "")
    nan.send("/join_group ops")
    nan.expect("* joined #ops (3 members)", "the line user joins #ops")
    uma.expect(rx(prefix("nan") + "JOIN #ops$"), "")
    vic.expect(rx(prefix("nan") + "JOIN #ops$"), "")
    vic.send("NAMES #ops,#nowhere")
    vic.expect_lines([rx(r"^:%s 353 vic = #ops :" % MASK),
                      rx(r"^:%s 366 vic #ops,#nowhere :End of /NAMES list$" % MASK)],
                     "NAMES of several channels: their 353s, then one 366 with the list")
    for query, want, what in (("LIST >2", ["#ops"], "more than 2 members"),
                              ("LIST <3", [], "fewer than 3 members"),
                              ("LIST #O*", ["#ops"], "a mask, any case"),
                              ("LIST !#op*", [], "a mask not to match"),
                              ("LIST #lobby,#ops", ["#lobby", "#ops"], "names, the lobby's too")):
        vic.send(query)
        lines = vic.expect_lines([rx(r"^:%s 323 vic :End of /LIST$" % MASK)], None, skip=True) or []
        listed = [line.split()[3] for line in lines if " 322 vic " in line]
        T.is_(listed, want, "%s: %s" % (query, what))
    vic.send("WHOIS uma")
    vic.expect_lines([rx(r"^:%s 311 vic uma " % MASK),
                      rx(r"^:%s 319 vic uma :@#ops$" % MASK),
                      rx(r"^:%s 312 vic uma " % MASK),
                      rx(r"^:%s 318 vic uma " % MASK)], "WHOIS: 319 lists the groups, owned with @")
    vic.send("WHO #OPS")
    who = vic.expect_lines([rx(r"^:%s 352 vic #ops " % MASK), rx(r"^:%s 352 vic #ops " % MASK),
                            rx(r"^:%s 352 vic #ops " % MASK),
                            rx(r"^:%s 315 vic #OPS :End of /WHO list$" % MASK)],
                           "WHO #OPS: the group's name as it is, the mask as given")
    if who:
        T.ok(any(" umaident " in w and w.endswith(" uma H@ :0 Uma Real Name") for w in who),
             "WHO #group: the owner with @, its user name and real name")
    uma.send("NOTICE #ops :heads up")
    vic.expect(rx(prefix("uma") + "NOTICE #ops :heads up$"),
               "a NOTICE to a group arrives as a NOTICE")
    nan.expect("#ops <uma> heads up", "the line user sees it as a group line")
    uma.send("PRIVMSG #ops :\x01ACTION waves\x01")
    vic.expect(rx(prefix("uma") + "PRIVMSG #ops :\x01ACTION waves\x01$"),
               "/me (CTCP ACTION) to a group arrives as an ACTION")
    nan.expect("#ops * uma waves", "the line user sees the action as '#ops * uma waves'")
    uma.send("PRIVMSG #lobby :\x01ACTION yawns\x01")
    vic.expect(rx(prefix("uma") + "PRIVMSG #lobby :\x01ACTION yawns\x01$"), "/me to the lobby")
    nan.expect("* uma yawns", "the line user sees '* uma yawns'")
    uma.send("PRIVMSG nan :\x01ACTION nods\x01")
    nan.expect("*uma* * uma nods", "a private action: '*uma* * uma nods'")
    uma.send("PRIVMSG vic :\x01VERSION\x01")
    uma.expect(rx(r"^:%s 400 uma PRIVMSG :CTCP VERSION is not carried here; only ACTION "
                  r"\(/me\) is$" % MASK), "another CTCP request: 400, one line")
    uma.send("CAP REQ :message-tags")
    uma.expect(rx(r"^:%s CAP uma ACK :message-tags$" % MASK), "CAP REQ message-tags: ACK")
    uma.send("@+typing=active TAGMSG vic")
    uma.send("@+draft/reply=1 NOTICE vic :psst")
    vic.expect(rx(prefix("uma") + "NOTICE vic :psst$"),
               "TAGMSG is dropped (chat carries no tags); a tagged NOTICE arrives without them")
    vic.send("PART #ops :gone home")
    vic.expect(rx(prefix("vic") + "PART #ops :gone home$"), "PART with a reason is echoed with it")
    uma.expect(rx(prefix("vic") + "PART #ops :gone home$"), "the other IRC user sees the reason")
    nan.expect("* vic left #ops (gone home)", "the line user sees the reason")
    uma.send("KICK #ops nan,nobody")
    uma.expect_lines([rx(prefix("uma") + "KICK #ops nan :uma$"),
                      rx(r"^:%s 401 uma nobody :" % MASK)],
                     "KICK of several nicks: each one; without a reason the kicker's nick "
                     "is the comment")
    nan.expect("* uma kicked you from #ops (no reason given)", "the line user: no reason given")


def bad_user(svc, port):
    c = irc(svc, port, "bad")
    c.send("NICK bad")
    c.send("USER bad 0 * :")
    c.expect(rx(r"^:%s 461 bad USER :Not enough parameters$" % MASK),
             "USER with an empty real name: 461")
    c.send(b"USER \xf0\x9f\x98\x8a 0 * :caf\xc3\xa9 \xe8t\xe9")
    c.expect(rx(r" 366 bad #lobby "), "USER with a user name of no ASCII and a real name "
             "that is not UTF-8: registered", skip=True)
    c.send("WHOIS bad")
    c.expect(rx(r"^:%s 311 bad bad bad %s \* :café \?t\?$" % (MASK, MASK)),
             "WHOIS: the nick stands for the user name; bytes that are not UTF-8 are '?'")
    c.send("QUIT")


def invitations(uma, vic):
    for c in (uma, vic):
        c.expect(rx(prefix("bad") + "JOIN #lobby$"), "")
        c.expect(rx(prefix("bad") + "QUIT :quit$"), "")
    vic.send("INVITE")
    vic.expect(rx(r"^:%s 337 vic :End of INVITE list$" % MASK), "INVITE alone: no invitations")
    uma.send("JOIN #inv")
    uma.expect(rx(r" 366 uma #inv :End of /NAMES list$"), "", skip=True)
    uma.send("INVITE vic #inv")
    uma.expect(rx(r"^:%s 341 uma vic #inv$" % MASK), "")
    vic.expect(rx(prefix("uma") + "INVITE vic #inv$"), "")
    vic.send("INVITE")
    vic.expect_lines([rx(r"^:%s 336 vic #inv$" % MASK),
                      rx(r"^:%s 337 vic :End of INVITE list$" % MASK)],
                     "INVITE alone lists the groups one is invited to")
    vic.send("INVITE vic")
    vic.expect(rx(r"^:%s 461 vic INVITE :Not enough parameters$" % MASK), "INVITE nick: 461")


def web(svc, uma):
    w = WS(svc.start_web(), "wes")
    w.recv_until(lambda m: m.get("type") == "welcome")
    uma.send("PRIVMSG #lobby :\x01ACTION claps\x01")
    m, _ = w.recv_until(lambda m: m.get("type") == "message")
    T.ok(m is not None and m.get("from") == "uma" and m.get("text") == "claps" and
         m.get("action") is True, "a web user gets an action as a message with "
         "\"action\":true (%r)" % (m,))
    w.close()


def main():
    with T.Service() as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        nan = svc.client("nan")
        nan.login("nan", others=0)
        uma = user(svc, port, "uma", "umaident", "Uma Real Name")
        vic = user(svc, port, "vic", "victor", "Vic")
        uma.expect(rx(prefix("vic") + "JOIN #lobby$"), "")
        nan.expect("* uma joined", "")
        nan.expect("* vic joined", "")
        identity(uma, vic)
        away(uma, vic)
        channels(uma, vic, nan)
        bad_user(svc, port)
        invitations(uma, vic)
        web(svc, uma)


T.main(main)

#!/usr/bin/env python3
# irc.t -- chat-irc, the IRC front door (doc/irc.md), driven with raw
# sockets next to an nc-style line user of chat-session in the same chat:
# registration (CAP, PASS, NICK, USER) and its burst, the lobby, lines
# and private messages both ways, a group as a channel (JOIN, PART, KICK,
# INVITE, MODE +i, NAMES, WHO, LIST), the errors as numerics, PING, and
# QUIT with its reason as the line user sees it.
import base64
import calendar
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
from chattest_irc import MASK, irc, prefix  # noqa: E402

rx = T.rx


def registration(svc, port):
    a = irc(svc, port, "ian")
    a.send("CAP LS 302")
    a.expect(rx(r"^:%s CAP \* LS :echo-message multi-prefix server-time sasl "
                r"userhost-in-names message-tags$" % MASK),
             "CAP LS offers echo-message, multi-prefix, server-time, sasl, userhost-in-names "
             "and message-tags")
    a.send("NICK ian")
    a.send("USER ian 0 * :Ian Irc")
    a.expect_nothing("registration waits for CAP END after CAP LS")
    a.send("CAP REQ :multi-prefix draft/nope")
    a.expect(rx(r"^:%s CAP ian NAK :multi-prefix draft/nope$" % MASK),
             "CAP REQ of one capability not offered is NAKed whole")
    a.send("CAP REQ :multi-prefix")
    a.expect(rx(r"^:%s CAP ian ACK :multi-prefix$" % MASK), "CAP REQ :multi-prefix is ACKed")
    a.send("CAP LIST")
    a.expect(rx(r"^:%s CAP ian LIST :multi-prefix$" % MASK), "CAP LIST")
    a.send("CAP END")
    burst = a.expect_lines([rx(r"^:%s 001 ian :Welcome to the chat IRC network, ian$" % MASK),
                            rx(r"^:%s 002 ian :Your host is " % MASK),
                            rx(r"^:%s 003 ian :This server was created " % MASK),
                            rx(r"^:%s 004 ian " % MASK),
                            rx(r"^:%s 005 ian .*CHANTYPES=#" % MASK),
                            rx(r"^:%s 005 ian " % MASK),
                            rx(r"^:%s 251 ian :There are 2 users " % MASK),
                            rx(r"^:%s 254 ian 1 :channels formed$" % MASK),
                            rx(r"^:%s 255 ian " % MASK),
                            rx(r"^:%s 265 ian :Current local users: 2$" % MASK),
                            rx(r"^:%s 266 ian :Current global users: 2$" % MASK),
                            rx(r"^:%s 422 ian :MOTD File is missing$" % MASK),
                            rx(prefix("ian") + "JOIN #lobby$"),
                            rx(r"^:%s 353 ian = #lobby :" % MASK),
                            rx(r"^:%s 366 ian #lobby :End of /NAMES list$" % MASK)],
                           "after CAP END: 001-005, LUSERS, 422, JOIN #lobby, NAMES")
    if burst:
        isupport = burst[4] + " " + burst[5]
        for token in ("CHANTYPES=#", "PREFIX=(o)@", "CASEMAPPING=ascii",
                      "NICKLEN=32", "CHANNELLEN=33", "NETWORK=chat"):
            T.ok(token in isupport.split(), "ISUPPORT says %s" % token)
        T.like(isupport, r" LINELEN=\d+ ", "ISUPPORT says LINELEN")
        T.ok("nan" in burst[13].split(":")[-1].split(), "the lobby's NAMES lists the line user")
    a.name = "ian"
    return a


def lobby(nan, ian):
    ian.send("PRIVMSG #lobby :hello from irc")
    nan.expect("<ian> hello from irc", "an IRC line to #lobby reaches the line user as <ian> text")
    nan.send("hello from nc")
    ian.expect(rx(prefix("nan") + "PRIVMSG #lobby :hello from nc$"),
               "a line user's line reaches the IRC user as PRIVMSG #lobby")
    ian.expect_nothing("the IRC user does not get its own line back")
    ian.send("NOTICE #lobby :a notice")
    nan.expect("<ian> a notice", "a NOTICE to #lobby is a line to everyone")

    ian.send("PRIVMSG nan :psst")
    nan.expect("*ian* psst", "a PRIVMSG to a nick is a private message")
    nan.send("/msg ian back at you")
    ian.expect(rx(prefix("nan") + "PRIVMSG ian :back at you$"),
               "a /msg reaches the IRC user as PRIVMSG to its nick")

    ian.send("PING :tok123")
    ian.expect(rx(r"^:%s PONG %s :tok123$" % (MASK, MASK)), "PING is answered with PONG")


def groups(nan, ian):
    ian.send("JOIN #dev")
    ian.expect_lines([rx(prefix("ian") + "JOIN #dev$"),
                      rx(r"^:%s 353 ian = #dev :@ian$" % MASK),
                      rx(r"^:%s 366 ian #dev :End of /NAMES list$" % MASK)],
                     "JOIN of a new channel makes the group, with the joiner as op")
    nan.send("/join_group dev")
    nan.expect("* joined #dev (2 members)", "the line user joins the group the IRC user made")
    ian.expect(rx(prefix("nan") + "JOIN #dev$"), "the IRC user sees the line user JOIN #dev")
    ian.send("NAMES #dev")
    names = ian.expect_lines([rx(r"^:%s 353 ian = #dev :" % MASK),
                              rx(r"^:%s 366 ian #dev :End of /NAMES list$" % MASK)], "NAMES #dev")
    if names:
        T.is_(sorted(names[0].split(" :", 1)[1].split()), ["@ian", "nan"],
              "NAMES #dev: the owner with @ and the member")
    ian.send("PRIVMSG #dev :to the group")
    nan.expect("#dev <ian> to the group", "PRIVMSG #dev is a group line")
    nan.send("/group_msg dev from nc")
    ian.expect(rx(prefix("nan") + "PRIVMSG #dev :from nc$"),
               "a group line reaches the IRC user as PRIVMSG #dev")
    ian.send("MODE #dev +i")
    ian.expect(rx(prefix("ian") + "MODE #dev \\+i$"), "MODE #dev +i is echoed")
    nan.expect("* ian made #dev invite-only", "the line user sees the group made invite-only")
    ian.send("MODE #dev")
    ian.expect(rx(r"^:%s 324 ian #dev \+i$" % MASK), "MODE #dev answers 324 +i")
    ian.send("WHO #dev")
    who = ian.expect_lines([rx(r"^:%s 352 ian #dev " % MASK), rx(r"^:%s 352 ian #dev " % MASK),
                            rx(r"^:%s 315 ian #dev :End of /WHO list$" % MASK)], "WHO #dev")
    if who:
        got = sorted(" ".join(w.split()[4:5] + w.split()[8:9]) for w in who[:2])
        T.is_(got, ["ian H@", "nan H"], "WHO #dev: each member, the owner with @")
    ian.send("LIST")
    ian.expect_lines([rx(r"^:%s 321 ian " % MASK),
                      rx(r"^:%s 322 ian #dev 2 :\[\+i\] owned by ian$" % MASK),
                      rx(r"^:%s 323 ian :End of /LIST$" % MASK)],
                     "LIST: the groups (not the lobby, which everyone is in)")
    ian.send("LIST #lobby")
    ian.expect_lines([rx(r"^:%s 321 ian " % MASK),
                      rx(r"^:%s 322 ian #lobby 2 :everyone online$" % MASK),
                      rx(r"^:%s 323 ian :End of /LIST$" % MASK)], "LIST #lobby: named, it is listed")
    ian.send("KICK #dev nan :too loud")
    ian.expect(rx(prefix("ian") + "KICK #dev nan :too loud$"), "KICK is echoed")
    nan.expect("* ian kicked you from #dev (too loud)", "the line user is told it was kicked")
    nan.send("/join_group dev")
    nan.expect("! invite-only: #dev is invite-only; ask its owner for an invite",
               "the kicked user cannot come back to an invite-only group")
    ian.send("INVITE nan #dev")
    ian.expect(rx(r"^:%s 341 ian nan #dev$" % MASK), "INVITE answers 341")
    nan.expect("* ian invited you to #dev; /join_group dev to join",
               "the line user is told of the invitation")
    nan.send("/join_group dev")
    nan.expect("* joined #dev (2 members)", "the invited user joins")
    ian.expect(rx(prefix("nan") + "JOIN #dev$"), "the IRC user sees it JOIN")
    nan.send("/leave_group dev")
    nan.expect("* left #dev")
    ian.expect(rx(prefix("nan") + "PART #dev$"), "the line user's /leave_group is a PART")
    ian.send("MODE #dev -i")
    ian.expect(rx(prefix("ian") + "MODE #dev -i$"), "MODE #dev -i is echoed")
    ian.send("PART #dev")
    ian.expect(rx(prefix("ian") + "PART #dev$"), "PART is echoed")

    # A group of the line user's, seen from IRC.
    nan.send("/create_group ops")
    nan.expect("* created #ops; you own it")
    ian.send("JOIN #ops")
    ian.expect(rx(prefix("ian") + "JOIN #ops$"), "JOIN of an existing group joins it")
    ian.expect(rx(r"^:%s 353 ian = #ops :@nan ian$" % MASK), "NAMES shows its owner as @")
    nan.expect("* ian joined #ops", "the line user sees the IRC user join")
    nan.send("/invite_only ops on")
    nan.expect("* #ops is now invite-only")
    ian.expect(rx(prefix("nan") + "MODE #ops \\+i$"), "the line user's /invite_only on is a MODE +i",
               skip=True)
    ian.send("KICK #ops nan :mutiny")
    ian.expect(rx(r"^:%s 482 ian #ops :You're not channel operator" % MASK),
               "KICK by a member who does not own the group: 482", skip=True)
    nan.send("/kick ops ian bye")
    nan.expect("* kicked ian from #ops")
    ian.expect(rx(prefix("nan") + "KICK #ops ian :bye$"), "the IRC user is KICKed by the line user")
    ian.send("JOIN #ops")
    ian.expect(rx(r"^:%s 473 ian #ops :Cannot join channel \(\+i\)$" % MASK),
               "JOIN of an invite-only group: 473")
    nan.send("/invite ops ian")
    nan.expect("* invited ian to #ops")
    ian.expect(rx(prefix("nan") + "INVITE ian #ops$"), "the line user's /invite is an INVITE")
    ian.send("JOIN #ops")
    ian.expect(rx(prefix("ian") + "JOIN #ops$"), "invited, the IRC user joins")
    ian.expect(rx(r"^:%s 366 ian #ops " % MASK), "", skip=True)
    nan.expect("* ian joined #ops")
    nan.send("/leave_group ops")
    nan.expect("* left #ops")
    ian.expect_lines([rx(prefix("nan") + "PART #ops$"), rx(r"^:%s MODE #ops \+o ian$" % MASK)],
                     "the owner leaves: PART, then MODE +o for the new owner")
    ian.send("PART #ops")
    ian.expect(rx(prefix("ian") + "PART #ops$"))


def errors(svc, port, nan, ian):
    nan.send("/create_group den")
    nan.expect("* created #den; you own it")
    ian.send("PRIVMSG nobody :hi")
    ian.expect(rx(r"^:%s 401 ian nobody :No such nick" % MASK), "a message to no one: 401")
    ian.send("PRIVMSG #nothere :hi")
    ian.expect(rx(r"^:%s 403 ian #nothere :No such channel" % MASK), "to no channel: 403")
    ian.send("PRIVMSG #den :hi")
    ian.expect(rx(r"^:%s 404 ian #den :Cannot send to channel" % MASK),
               "to a channel it is not in: 404")
    ian.send("PRIVMSG")
    ian.expect(rx(r"^:%s 411 ian :No recipient given" % MASK), "no recipient: 411")
    ian.send("PRIVMSG nan")
    ian.expect(rx(r"^:%s 412 ian :No text to send" % MASK), "no text: 412")
    ian.send("FROBNICATE now")
    ian.expect(rx(r"^:%s 421 ian FROBNICATE :Unknown command$" % MASK), "unknown command: 421")
    ian.send("NICK other")
    ian.expect(rx(r"^:%s 447 ian :Nick changes are not supported" % MASK),
               "NICK after registration is refused with a clear numeric")
    ian.send("PRIVMSG #lobby :" + "x" * 3000)
    ian.expect(rx(r"^:%s 417 ian :Input line was too long" % MASK), "a line past LINELEN: 417")
    ian.send("PART #lobby")
    ian.expect(rx(r"^:%s 400 ian PART :#lobby is the room everyone is in" % MASK),
               "the lobby cannot be left")
    ian.send("AWAY :brb")
    ian.expect(rx(r"^:%s 306 ian :You have been marked as being away$" % MASK), "AWAY :text: 306")
    ian.send("WHOIS ian")
    ian.expect_lines([rx(r"^:%s 311 ian ian ian " % MASK), rx(r"^:%s 312 ian ian .*irc" % MASK),
                      rx(r"^:%s 301 ian ian :brb$" % MASK),
                      rx(r"^:%s 318 ian ian :End of /WHOIS list$" % MASK)],
                     "WHOIS of oneself: connected by irc, away")
    ian.send("AWAY")
    ian.expect(rx(r"^:%s 305 ian :You are no longer marked as being away$" % MASK), "AWAY: 305")
    ian.send("MOTD")
    ian.expect(rx(r"^:%s 422 ian :MOTD File is missing$" % MASK), "MOTD: 422")
    ian.send("LUSERS")
    ian.expect_lines([rx(r"^:%s 251 ian :There are 2 users " % MASK),
                      rx(r"^:%s 254 ian 2 :channels formed$" % MASK),
                      rx(r"^:%s 255 ian " % MASK),
                      rx(r"^:%s 265 ian :Current local users: 2$" % MASK),
                      rx(r"^:%s 266 ian :Current global users: 2$" % MASK)],
                     "LUSERS: 2 users, #lobby and #den")
    ian.send("WHOIS nan")
    ian.expect_lines([rx(r"^:%s 311 ian nan nan %s \* :nan$" % (MASK, MASK)),
                      rx(r"^:%s 319 ian nan :@#den$" % MASK),
                      rx(r"^:%s 312 ian nan .*tcp" % MASK),
                      rx(r"^:%s 318 ian nan :End of /WHOIS list$" % MASK)],
                     "WHOIS of the line user: its nick as user and real name, its group")
    nan.expect_nothing("the line user saw none of the errors")

    b = irc(svc, port, "dup")
    b.send("NICK nan")
    b.expect(rx(r"^:%s 433 \* nan :Nickname is already in use" % MASK), "a nick online: 433")
    b.send("NICK bad!nick")
    b.expect(rx(r"^:%s 432 \* bad!nick :Erroneous nickname" % MASK), "a nick that is not a name: 432")
    b.send("PRIVMSG nan :early")
    b.expect(rx(r"^:%s 451 \* :You have not registered" % MASK), "commands before registration: 451")
    b.register("dup", "after 433 and 432 another NICK registers")
    ian.expect(rx(prefix("dup") + "JOIN #lobby$"), "another IRC user's login is a JOIN #lobby")
    b.send("QUIT")
    b.expect(rx(r"^ERROR :Closing link: quit$"), "QUIT is answered with ERROR")
    nan.expect("* dup joined", "")
    nan.expect("* dup left (quit)", "a QUIT without reason: the line user sees (quit)")
    ian.expect(rx(prefix("dup") + "QUIT :quit$"), "the IRC user sees the other QUIT")


def echo(svc, port, nan):
    e = irc(svc, port, "echo")
    e.send("CAP REQ :echo-message")
    e.expect(rx(r"^:%s CAP \* ACK :echo-message$" % MASK), "CAP REQ :echo-message is ACKed")
    e.send("NICK eco")
    e.send("USER eco 0 * :E")
    e.expect_nothing("registration waits for CAP END after CAP REQ")
    e.send("CAP END")
    e.expect(rx(r"^:%s 366 eco #lobby :End of /NAMES list$" % MASK), "", skip=True)
    nan.expect("* eco joined", "")
    e.send("PRIVMSG #lobby :echoed")
    nan.expect("<eco> echoed")
    e.expect(rx(prefix("eco") + "PRIVMSG #lobby :echoed$"),
             "with echo-message the user's own line comes back")
    e.send("PRIVMSG nan :also echoed")
    nan.expect("*eco* also echoed")
    e.expect(rx(prefix("eco") + "PRIVMSG nan :also echoed$"), "... a private one too")
    e.send("QUIT")
    nan.expect("* eco left (quit)", "")


def server_time(svc, port, nan):
    """server-time: each line of a record carries its time as a tag."""
    s = irc(svc, port, "stime")
    s.send("CAP REQ :server-time")
    s.expect(rx(r"^:%s CAP \* ACK :server-time$" % MASK), "CAP REQ :server-time is ACKed")
    s.send("NICK tim")
    s.send("USER tim 0 * :T")
    s.send("CAP END")
    s.expect(rx(r"^:%s 366 tim #lobby :End of /NAMES list$" % MASK), "", skip=True)
    nan.expect("* tim joined", "")
    before = time.time()
    nan.send("what time is it")
    line = s.expect(rx(r"^@time=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) " +
                       prefix("nan")[1:] + r"PRIVMSG #lobby :what time is it$"),
                    "with server-time a line arrives with @time= first")
    if line:
        stamp = re.match(r"^@time=(\S+) ", line).group(1)
        when = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + \
            int(stamp[20:23]) / 1000
        T.ok(before - 1 <= when <= time.time() + 1,
             "... the time the line was said (%s)" % stamp)
    s.send("PING :x")
    s.expect(rx(r"^:%s PONG %s :x$" % (MASK, MASK)), "an answer that is no record has no tag")
    s.send("QUIT")
    nan.expect("* tim left (quit)", "")


def sasl(svc, port, nan):
    """SASL PLAIN: a registered user logs in with AUTHENTICATE, as the
    account it names."""
    def plain(authz, authc, password):
        return base64.b64encode(("%s\0%s\0%s" % (authz, authc, password)).encode()).decode()
    s = irc(svc, port, "sasl")
    s.send("CAP LS 302")
    s.expect(rx(r" CAP \* LS :.*\bsasl\b"), "", skip=True)
    s.send("NICK rita_")
    s.send("USER rita 0 * :R")
    s.send("AUTHENTICATE PLAIN")
    s.expect(rx(r"^:%s 904 rita_ :SASL authentication failed$" % MASK),
             "AUTHENTICATE before CAP REQ :sasl fails (904)")
    s.send("CAP REQ :sasl")
    s.expect(rx(r"^:%s CAP rita_ ACK :sasl$" % MASK), "CAP REQ :sasl is ACKed")
    s.send("AUTHENTICATE SCRAM-SHA-256")
    s.expect_lines([rx(r"^:%s 908 rita_ PLAIN :are available SASL mechanisms$" % MASK),
                    rx(r"^:%s 904 rita_ :SASL authentication failed$" % MASK)],
                   "a mechanism other than PLAIN: 908 names PLAIN, then 904")
    s.send("AUTHENTICATE PLAIN")
    s.expect("AUTHENTICATE +", "AUTHENTICATE PLAIN is answered 'AUTHENTICATE +'")
    s.send("AUTHENTICATE " + plain("", "rita", "wrong"))
    s.expect(rx(r"^:%s 904 rita_ :SASL authentication failed$" % MASK),
             "a wrong password: 904", timeout=T.TIMEOUT + 3)
    s.send("AUTHENTICATE PLAIN")
    s.expect("AUTHENTICATE +")
    s.send("AUTHENTICATE *")
    s.expect(rx(r"^:%s 906 rita_ :SASL authentication aborted$" % MASK),
             "AUTHENTICATE * aborts (906)")
    s.send("AUTHENTICATE PLAIN")
    s.expect("AUTHENTICATE +")
    s.send("AUTHENTICATE " + plain("rita", "rita", "s3cret-r"))
    s.expect_lines([rx(r"^:%s 900 rita_ rita!rita@%s rita :You are now logged in as rita$"
                       % (MASK, MASK)),
                    rx(r"^:%s 903 rita_ :SASL authentication successful$" % MASK)],
                   "the right password: 900 and 903", timeout=T.TIMEOUT + 3)
    s.send("AUTHENTICATE PLAIN")
    s.expect(rx(r"^:%s 907 rita_ :You have already authenticated using SASL$" % MASK),
             "a second AUTHENTICATE: 907")
    s.send("CAP END")
    s.expect(rx(r"^:%s 001 rita :Welcome to the chat IRC network, rita$" % MASK),
             "CAP END registers it as the account it named (rita, not rita_)")
    nan.expect("* rita joined", "the line user sees rita join")
    s.send("QUIT :sasl done")
    nan.expect("* rita left (quit: sasl done)", "")


def passwords(svc, port):
    r = irc(svc, port, "rita-wrong")
    r.send("PASS wrong")
    r.send("NICK rita")
    r.send("USER rita 0 * :Rita")
    r.expect(rx(r"^:%s 464 rita :Password incorrect$" % MASK), "a wrong PASS: 464")
    r.expect(rx(r"^ERROR :Closing link: "), "... and the connection ends")
    r.expect_eof()
    r = irc(svc, port, "rita-none")
    r.send("NICK rita")
    r.send("USER rita 0 * :Rita")
    r.expect(rx(r"^:%s 464 rita :Password incorrect \(rita is registered" % MASK),
             "a registered nick without PASS: 464")
    r.close()
    r = irc(svc, port, "rita")
    r.send("PASS s3cret-r")
    r.register("rita", "the right PASS for a registered nick registers")
    r.send("QUIT :bye now")
    r.expect(rx(r"^ERROR :Closing link: quit: bye now$"))


def hostile(svc, port, nan):
    """Untrusted bytes: tags, prefixes, overlong tags, NUL, bare LF,
    garbage; the process keeps serving, and never crashes."""
    h = irc(svc, port, "hostile")
    h.send_raw(b"@time=2026-01-01T00:00:00Z;+draft/x=y :ignored!x@y NICK hos\n")
    h.send("USER hos 0 * :H")
    h.expect(rx(r"^:%s 366 hos #lobby :End of /NAMES list$" % MASK),
             "tags and a prefix are accepted and ignored; a bare LF ends a line", skip=True)
    nan.expect("* hos joined", "")
    h.send("@" + "a" * 4095 + " PRIVMSG #lobby :tagged")
    h.expect(rx(r"^:%s 417 hos :Input line was too long" % MASK),
             "tags past 4096 bytes (IRCv3's limit for a client's) : 417")
    h.send("@" + "a" * 4094 + " PRIVMSG #lobby :tagged")
    nan.expect("<hos> tagged", "4096 bytes of tags are accepted and ignored")
    h.send_raw(b"PRIVMSG #lobby :nul\x00byte\r\n")
    h.expect(rx(r"^:%s 400 hos \* :A line may not hold a NUL or a CR" % MASK), "a NUL: 400")
    h.send_raw(b"PRIVMSG #lobby :cr\rinside\r\n")
    h.expect(rx(r"^:%s 400 hos \* :A line may not hold a NUL or a CR" % MASK), "a lone CR: 400")
    h.send_raw(b"PRIVMSG #lobby :\xff\xfe bad utf-8\r\n")
    h.expect(rx(r"^:%s 400 hos PRIVMSG :.*\(bad-utf8\)$" % MASK),
             "text that is not UTF-8: the core's error, as 400 with its code")
    h.send_raw(b"\r\n   \r\n:onlyprefix\r\n")
    h.send("MODE #lobby")
    h.expect(rx(r"^:%s 324 hos #lobby \+$" % MASK), "empty lines are ignored; MODE #lobby is 324 +")
    h.send("JOIN " + ",".join("#g%d" % k for k in range(40)))
    h.expect(rx(r"^:%s 405 hos #g8 :You have joined too many channels" % MASK),
             "JOIN of 40 new channels: the core's limit on groups owned, as 405", skip=True)
    h.send("PRIVMSG " + " ".join(["x"] * 40))
    h.expect(rx(r"^:%s 401 hos x :No such nick" % MASK), "more than 15 parameters are cut cleanly",
             skip=True)
    h.send_raw(b"PRIVMSG #lobby :half a line")
    h.shutdown_write()
    nan.expect("<hos> half a line", "an unterminated last line is still handled")
    nan.expect("* hos left (connection closed)", "then the user leaves: connection closed")


def flood(svc, port, nan):
    f = irc(svc, port, "flood")
    f.register("flo")
    nan.expect("* flo joined", "")
    f.send_raw(b"".join(b"PRIVMSG #lobby :line %d\r\n" % k for k in range(30)))
    for k in range(30):
        if nan.expect("<flo> line %d" % k, "") is None:
            break
    f.send("PING :after")
    f.expect(rx(r"PONG .* :after$"), "a flood is slowed down, not dropped, and the client "
             "is served after it", skip=True)
    f.send("QUIT")


def timers():
    """Other chats: the lobby named by irc_lobby, PINGs to a silent
    client, the ping timeout; the idle timeout."""
    with T.Service(irc_lobby="everyone", ws_ping_interval=1, ws_ping_timeout=1) as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        nan = svc.client("nan2")
        nan.login("nan", others=0)
        a = irc(svc, port, "pinged")
        a.send("NICK pia")
        a.send("USER pia 0 * :P")
        a.expect(rx(r"^:%s 366 pia #everyone :End of /NAMES list$" % MASK),
                 "irc_lobby = everyone: the lobby is #everyone", skip=True)
        nan.expect("* pia joined", "")
        a.send("PRIVMSG #everyone :hi all")
        nan.expect("<pia> hi all", "a line to #everyone is a line to everyone")
        a.send("PRIVMSG #lobby :hi")
        a.expect(rx(r"^:%s 403 pia #lobby :No such channel" % MASK),
                 "#lobby is then an ordinary (here missing) group")
        a.expect(rx(r"^PING :%s$" % MASK), "a silent client is sent PING", timeout=5)
        a.send("PONG :x")
        a.expect(rx(r"^PING :%s$" % MASK), "answered, it stays and is pinged again", timeout=5)
        a.expect(rx(r"^ERROR :Closing link: ping timeout$"),
                 "a PING left unanswered: ERROR ping timeout", timeout=5)
        a.expect_eof()
        nan.expect("* pia left (ping timeout)", "the line user sees why it left")

    with T.Service(ws_ping_interval=1, ws_ping_timeout=2, idle_timeout=3) as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        b = irc(svc, port, "idler")
        b.register("idle")
        b.expect(rx(r"^PING :%s$" % MASK), "the idle client is pinged", timeout=5)
        b.send("PONG :x")
        b.expect(rx(r"^ERROR :Closing link: idle timeout$"),
                 "answering PINGs only, a client still meets idle_timeout", timeout=8,
                 skip=True)


def operator(svc, port, nan):
    """chatctl lists an IRC user and can kick it."""
    o = irc(svc, port, "kicked")
    o.register("opk")
    nan.expect("* opk joined", "")
    T.ok("opk" in (svc.user_names() or []), "chatctl users lists the IRC user")
    r = svc.chatctl("kick", "opk", "enough")
    T.is_(r.returncode, 0, "chatctl kick opk exits 0")
    o.expect(rx(r"^ERROR :Closing link: kicked by an operator: enough$"),
             "an operator's kick: ERROR with its reason")
    o.expect_eof()
    nan.expect("* opk left (kicked by an operator: enough)", "the others see why")


def no_hub():
    """No hub, no segment: one ERROR line, then the end."""
    with T.Service(hub=False, accept=False) as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        c = irc(svc, port, "nohub")
        c.expect(rx(r"^ERROR :Closing link: the chat is not running$"),
                 "the chat not running: ERROR at once")
        c.expect_eof()


def full():
    """max_sessions taken: one ERROR line, then the end."""
    with T.Service(max_sessions=1) as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        nan = svc.client("nan3")
        nan.login("nan", others=0)
        c = irc(svc, port, "full")
        c.expect(rx(r"^ERROR :Closing link: the server is full$"),
                 "a full server: ERROR at once")
        c.expect_eof()
        nan.expect_nothing("the line user sees nothing of it")


def main():
    with A.Service(users={"rita": "s3cret-r"}) as svc:
        port = svc.start_activator(prog=T.program("chat-irc"))
        nan = svc.client("nan")
        nan.login("nan", others=0)
        ian = registration(svc, port)
        nan.expect("* ian joined", "the line user sees the IRC user join the chat")
        lobby(nan, ian)
        groups(nan, ian)
        errors(svc, port, nan, ian)
        echo(svc, port, nan)
        operator(svc, port, nan)
        passwords(svc, port)
        nan.expect("* rita joined", "")
        nan.expect("* rita left (quit: bye now)", "")
        ian.expect_lines([rx(prefix("eco") + "JOIN #lobby$"),
                          rx(prefix("eco") + "PRIVMSG #lobby :echoed$"),
                          rx(prefix("eco") + "QUIT :quit$"),
                          rx(prefix("opk") + "JOIN #lobby$"),
                          rx(prefix("opk") + "QUIT :kicked by an operator: enough$"),
                          rx(prefix("rita") + "JOIN #lobby$"),
                          rx(prefix("rita") + "QUIT :quit: bye now$")],
                         "the IRC user sees a registered IRC user come and go")
        server_time(svc, port, nan)
        ian.expect(rx(prefix("tim") + "QUIT :quit$"), "", skip=True)
        sasl(svc, port, nan)
        ian.expect(rx(prefix("rita") + "QUIT :quit: sasl done$"), "", skip=True)

        hostile(svc, port, nan)
        flood(svc, port, nan)

        ian.send("QUIT :gone fishing")
        ian.expect(rx(r"^ERROR :Closing link: quit: gone fishing$"), "QUIT :reason ends with ERROR",
                   skip=True)
        ian.expect_eof()
        nan.expect("* ian left (quit: gone fishing)",
                   "the line user sees the IRC user leave with its reason")
    timers()
    no_hub()
    full()



T.main(main)

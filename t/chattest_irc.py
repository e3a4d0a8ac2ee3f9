"""chattest_irc -- an IRC client on raw sockets for the tests of chat-irc
(t/irc.t, t/irc-history.t).

    c = irc(svc, port, label)    a client of chat-irc on port
    c.register(nick)             NICK and USER, up to the lobby's NAMES
    prefix(nick)                 the regex of ":nick!nick@server "
    MASK                         the regex of the server's name
"""
import chattest as T

rx = T.rx
MASK = r"(?:[^ !@]+)"        # the server's name in prefixes


class IRC(T.Client):
    """An IRC client on raw sockets: lines end in CRLF both ways."""

    def read_line(self, timeout=T.TIMEOUT):
        line = super().read_line(timeout)
        if isinstance(line, str) and line.endswith("\r"):
            line = line[:-1]
        return line

    def send(self, line, end="\r\n"):
        super().send(line, end)

    def register(self, nick, desc=None):
        """NICK and USER; expect the burst up to the lobby's NAMES end."""
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :Real %s" % (nick, nick))
        lines = self.expect(rx(r"^:%s 366 %s #lobby :End of /NAMES list$" % (MASK, nick)),
                            desc or "%s registers as %s and is joined to #lobby" % (self.label, nick),
                            skip=True)
        self.name = nick
        return lines


def irc(svc, port, label):
    c = IRC(port, label=label, service=svc)
    svc._clients.append(c)
    return c


def prefix(nick):
    return r"^:%s!%s@%s " % (nick, nick, MASK)

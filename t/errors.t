#!/usr/bin/env python3
# errors.t -- hostile input: long lines, bad UTF-8, NUL, control bytes,
# a 0xff byte (telnet's IAC: telnet commands are taken out of the text,
# t/telnet.t), bidirectional and invisible formatting characters, lines
# of only blanks.  Each is refused to the sender with one error line,
# never relayed, and the connection stays usable.  Spoofing: a run of
# blanks is cut so no line can be padded onto the next terminal row, and
# a guest name that only looks like one online (aIice, b0b) is refused.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

TOO_LONG = T.rx(r"^! line-too-long: ")
BAD_UTF8 = T.rx(r"^! bad-utf8: ")
NUL = T.rx(r"^! nul-byte: ")
CONTROL = T.rx(r"^! control-char: ")
HIDDEN = T.rx(r"^! control-char: line contains an invisible or bidirectional "
              r"formatting character \(U\+[0-9A-F]{4}\); not sent$")
BLANK = "! missing-argument: nothing to send: the text is only blanks"


USERS = T.rx(r"^\* users \(\d+\): ")


class Checker:
    """a sends; b must get exactly what is relayed, nothing else.

    Every case is followed by "marker N" and "sync N" from a, and a
    /users from a: b's lines up to "sync N" and a's up to the /users
    answer are compared as a whole, so a missing, extra or swallowed line
    is reported at once and does not shift the later cases."""

    def __init__(self, a, b):
        self.a, self.b, self.n = a, b, 0

    def case(self, data, what, error=None, relayed=None, end=b"\n"):
        self.n += 1
        marker, sync = "marker %d" % self.n, "sync %d" % self.n
        if data is not None:
            self.a.send(data, end=end)
        self.a.send(marker)
        self.a.send(sync)
        self.a.send("/users")
        if error is not None:
            self.a.expect_lines([error, USERS], "%s: the sender gets %s once" % (
                what, _show_error(error)))
        else:
            self.a.expect_lines([USERS], "%s: the sender gets no error" % what)
        name = self.a.name
        want = ["<%s> %s" % (name, relayed)] if relayed is not None else []
        want += ["<%s> %s" % (name, marker), "<%s> %s" % (name, sync)]
        self.b.expect_lines(want, "%s: %sthe next line is relayed" % (
            what, "" if relayed is not None else "not relayed; "))

    def refused(self, data, error, what, end=b"\n"):
        self.case(data, what, error=error, end=end)

    def relayed(self, data, want, what, end=b"\n"):
        self.case(data, what, relayed=want, end=end)


def _show_error(error):
    text = error if isinstance(error, str) else error.pattern.lstrip("^")
    return text.split(":")[0]


def spoofing(svc, a, b, t):
    """doc/protocol.md, "What chat text may not hide"."""
    # Text of only blanks is no text: a plain line is refused like
    # /broadcast, /msg and /group_msg with nothing to send.
    t.refused(b"    ", BLANK, "a line of only spaces")
    t.refused(b"\t \t", BLANK, "a line of only tabs and spaces")
    t.refused(b"/broadcast     ", "! missing-argument: usage: /broadcast <text>",
              "/broadcast of only spaces")
    t.refused(b"/msg bob  \t  ", "! missing-argument: usage: /msg <user> <text>",
              "/msg of only blanks")
    t.relayed(b"//   ", "/   ", "a slash and spaces is text")
    for blank, what in (("\u3000", "U+3000 ideographic space"),
                        ("\u00a0", "U+00A0 no-break space"),
                        ("\u2800", "U+2800 braille pattern blank")):
        t.refused((blank * 3).encode(), BLANK, "a line of only %s" % what)
    t.refused(" \u0301\u3000\u2003".encode(), BLANK,
              "a line of blanks and a combining mark")
    t.refused("/broadcast \u3000\u3000".encode(), BLANK, "/broadcast of only U+3000")
    t.refused("/msg bob \u00a0\u2800".encode(), BLANK, "/msg of only U+00A0 and U+2800")

    # Runs of blanks are cut to 8 columns: no padding onto the next row
    # of an 80-column terminal, where "<bob> ..." would look like bob's.
    t.relayed(b"ok" + b" " * 71 + b"<bob> I agree", "ok" + " " * 8 + "<bob> I agree",
              "71 spaces before a fake '<bob>' line")
    t.relayed(b"a\t\t\t\t\t\t\t\t\t<bob> yes", "a\t<bob> yes", "9 tabs")
    t.relayed("x" + "\u00a0" * 70 + "<bob> no", "x" + "\u00a0" * 8 + "<bob> no",
              "70 no-break spaces")
    t.relayed("y" + "\u3000" * 40 + "<bob> no", "y" + "\u3000" * 4 + "<bob> no",
              "40 ideographic spaces (2 columns each)")
    t.relayed(b"a        b c  d\te", "a        b c  d\te", "8 spaces and less are kept")
    t.relayed("z" + ("        \u0301" * 8) + "<bob> no", "z        \u0301<bob> no",
              "runs of 8 spaces joined by combining marks")
    a.send("/msg bob hi" + " " * 80 + "<amy> x")
    b.expect("*amy* hi" + " " * 8 + "<amy> x", "private messages have their runs cut too")

    # Bidirectional and invisible formatting characters are refused.
    for ch, what in (("\u202e", "U+202E right-to-left override"),
                     ("\u202a", "U+202A left-to-right embedding"),
                     ("\u2066", "U+2066 left-to-right isolate"),
                     ("\u2069", "U+2069 pop directional isolate"),
                     ("\u200b", "U+200B zero-width space"),
                     ("\u2060", "U+2060 word joiner"),
                     ("\ufeff", "U+FEFF zero-width no-break space"),
                     ("\u2028", "U+2028 line separator")):
        t.refused(("text " + ch + "txet").encode(), HIDDEN, what)
    t.refused("pay\u200dpal".encode(), HIDDEN, "U+200D between ASCII letters")
    t.refused("/msg bob \u202egnp.exe".encode(), HIDDEN, "U+202E in a private message")
    t.refused("\u202e /nosuch".encode(), "! control-char: line contains an invisible "
              "or bidirectional formatting character (U+202E); not sent",
              "the error names the character")
    t.relayed("\U0001F468\u200d\U0001F469\u200d\U0001F467".encode(),
              "\U0001F468\u200d\U0001F469\u200d\U0001F467",
              "an emoji ZWJ sequence is text")
    t.relayed("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645".encode(),
              "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
              "a Persian word with U+200C is text")
    t.relayed("\u05e9\u05dc\u05d5\u05dd \u200f!".encode(), "\u05e9\u05dc\u05d5\u05dd \u200f!",
              "a right-to-left mark is text")

    # Every other invisible (Default_Ignorable_Code_Point) character is
    # refused, save where emoji and scripts need it.
    for text, code, what in (
            ("pay\u034fpal", "034F", "U+034F combining grapheme joiner"),
            ("pay\u00adpal", "00AD", "U+00AD soft hyphen"),
            ("hi \U000E0068\U000E0069", "E0068", "tags carrying hidden ASCII"),
            ("\U0001F3F4\U000E0068\U000E0069 \U000E0074\U000E007F", "E0068",
             "a flag tag sequence with a hidden message"),
            ("a\u3164b", "3164", "U+3164 Hangul filler"),
            ("pay\ufe0fpal", "FE0F", "a variation selector on an ASCII letter"),
            ("pay\u200epal", "200E", "a left-to-right mark between ASCII letters")):
        t.refused(text.encode(), "! control-char: line contains an invisible or "
                  "bidirectional formatting character (U+%s); not sent" % code, what)
    for text, what in (
            ("\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074"
             "\U000E007F", "the flag of Scotland (a flag tag sequence)"),
            ("1\ufe0f\u20e3", "a keycap 1"),
            ("\U0001F3F3\ufe0f\u200d\U0001F308", "a rainbow flag"),
            ("\u2764\ufe0f", "a red heart with its emoji selector"),
            ("\u0645\u06cc\u200c\u0634\u0648\u062f \u06a9\u0647", "Persian text with ZWNJ"),
            ("\u0915\u094d\u200d\u0937", "Devanagari with ZWJ")):
        t.relayed(text.encode(), text, "%s is text" % what)

    # A guest name that only looks like one online.
    c = svc.client("c")
    for name, like in (("B0B", "bob"), ("arny", "amy"), ("AMY", "amy")):
        c.send(name)
        if name.lower() == like:
            want = "! name-taken: %s is already in use; choose another" % name
        else:
            want = ("! name-taken: %s looks too much like the name of a user "
                    "online; choose another" % name)
        c.expect_lines([want, "? name:"], "guest %s while %s is online: name-taken"
                       % (name, like))
    c.login("b0bby")
    a.expect("* b0bby joined")
    b.expect("* b0bby joined")
    c.send("/quit wait" + " " * 60 + "for it")
    c.expect("* bye")
    a.expect("* b0bby left (quit: wait        for it)", "a quit reason has its runs cut")
    b.expect("* b0bby left (quit: wait        for it)")

    # Look-alikes logging in at once: the check is made under the lock
    # that makes names unique, so exactly one of them gets in.
    names = ["lily", "LILY", "lI1y", "IiIy", "l1ly", "Lily", "liiy", "iIly"]
    racers = [svc.client("r%d" % i) for i in range(len(names))]
    for r, name in zip(racers, names):
        r.send(name)
    welcomed = []
    for r, name in zip(racers, names):
        line = r.read_line()
        if line is not None and line.startswith("* welcome, "):
            welcomed.append(name)
        elif not (line or "").startswith("! name-taken: %s " % name):
            T.diag("%s got %r" % (name, line))
    T.is_(len(welcomed), 1, "8 look-alikes of lily log in at once: one gets in (%s)"
          % " ".join(welcomed))
    for r in racers:
        r.close()
    for x in (a, b):
        x.expect_lines(["* %s joined" % n for n in welcomed] +
                       ["* %s left (connection closed)" % n for n in welcomed],
                       "%s sees the one look-alike come and go" % x.name)


def main():
    # Flood control is not the subject here: this file sends many lines
    # fast, so the rate is raised (the 1 MiB line is tried again below on
    # a fresh client with the default rate).
    with T.Service(rate_msgs=100000, rate_burst=100000) as svc:
        a = svc.client("a")
        a.login("amy")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        t = Checker(a, b)

        # Line length: max_line (1024) is the limit, CR LF not counted.
        t.relayed(b"x" * 1024, "x" * 1024, "a line of exactly max_line bytes")
        t.relayed(b"y" * 1024, "y" * 1024, "a line of max_line bytes ending in CRLF",
                  end=b"\r\n")
        t.refused(b"z" * 1025, "! line-too-long: lines are limited to 1024 bytes; "
                  "the rest of that line was discarded", "max_line + 1 bytes")
        t.refused(b"w" * 1025, TOO_LONG, "max_line + 1 bytes then CRLF", end=b"\r\n")
        t.refused(b"u" * 1026, TOO_LONG, "max_line + 2 bytes")
        t.refused(b"v" * 5000, TOO_LONG, "5000 bytes")
        t.case(b"v" * 5000 + b"\nafter a long one", "5000 bytes and a line in one write",
               error=TOO_LONG, relayed="after a long one")

        # 1 MiB without a newline, then the newline, then a normal line.
        a.send_raw(b"m" * (1 << 20))
        t.case(b"", "a 1 MiB line, then its newline", error=TOO_LONG)

        # Short lines in one write, more bytes than one line buffer holds
        # (15 lines: fewer than any sensible rate-limit burst).
        lines = ["burst %02d %s" % (i, "." * 90) for i in range(15)]
        a.send_raw("".join(l + "\n" for l in lines).encode())
        t.n += 1
        a.send("sync %d" % t.n)
        a.send("/users")
        a.expect_lines([USERS], "15 lines in one write: the sender gets no error")
        b.expect_lines(["<amy> " + l for l in lines] + ["<amy> sync %d" % t.n],
                       "15 lines of 99 bytes in one write are all relayed, in order")

        # Invalid UTF-8.
        for data, what in ((b"\xff", "byte 0xff"),
                           (b"caf\xe9", "Latin-1 text"),
                           (b"\x80 continuation", "a lone continuation byte"),
                           (b"\xc0\xaf", "an overlong 2-byte '/'"),
                           (b"\xe0\x80\xaf", "an overlong 3-byte '/'"),
                           (b"\xed\xa0\x80", "a UTF-16 surrogate"),
                           (b"\xf4\x90\x80\x80", "a code point above U+10FFFF"),
                           (b"\xf5\x80\x80\x80", "lead byte 0xf5"),
                           (b"euro \xe2\x82", "a sequence cut at the end of the line"),
                           (b"\xe2\x82 euro", "a sequence cut by a space")):
            t.refused(data, BAD_UTF8, "invalid UTF-8 (%s)" % what)
        t.refused(b"\xfe\xfe", "! bad-utf8: line is not valid UTF-8; not sent",
                  "the bad-utf8 error says why and that nothing was sent")

        # NUL and control characters.
        t.refused(b"nul\x00inside", NUL, "a NUL byte")
        t.refused(b"\x00", NUL, "a line of one NUL byte")
        t.refused(b"\x1b[2J\x1b[Hcleared", CONTROL, "ESC (terminal escape sequence)")
        t.refused(b"ring\x07", CONTROL, "BEL")
        t.refused(b"back\x08space", CONTROL, "backspace")
        t.refused(b"del\x7f", CONTROL, "DEL")
        t.refused(b"csi\xc2\x9b31m", CONTROL, "a C1 control (U+009B)")
        t.refused(b"over\rwrite", CONTROL, "a CR inside a line")
        t.refused(b"form\x0cfeed", CONTROL, "form feed")

        # Telnet commands are taken out of the text (the answers to
        # negotiation are tested in t/telnet.t); IAC IAC is a 0xff byte,
        # never valid UTF-8.
        t.relayed(b"hello\xff\xf1", "hello", "text followed by telnet IAC NOP: "
                  "relayed without it")
        t.refused(b"\xff\xff", BAD_UTF8, "telnet IAC IAC (a 0xff byte)")
        t.refused(b"caf\xffe", BAD_UTF8, "0xff before a byte that is no telnet command")

        # Tab is allowed, and so is non-ASCII text.
        t.relayed(b"col1\tcol2", "col1\tcol2", "a tab")
        t.relayed("\u00e9t\u00e9 \u65e5\u672c \U0001F600".encode(),
                  "\u00e9t\u00e9 \u65e5\u672c \U0001F600", "2-, 3- and 4-byte UTF-8")

        spoofing(svc, a, b, t)

        a.expect_nothing("amy got exactly one error per refused line")
        b.expect_nothing("bob got nothing but the relayed lines")

        # An overlong line at the name prompt.
        c = svc.client("c")
        c.send(b"n" * 2000)
        c.send("cy")
        # doc/protocol.md: no new prompt after line-too-long at login; the
        # next line is taken as a name.
        c.expect_lines([TOO_LONG, T.rx(r"^\* welcome, cy ")],
                       "a 2000-byte name: line-too-long, then the next line is the name")

    # Default configuration, a fresh client: a 1 MiB line costs one error.
    with T.Service() as svc:
        a = svc.client("a")
        a.login("amy")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        t = Checker(a, b)
        a.send_raw(b"M" * (1 << 20))
        t.case(b"", "defaults: a 1 MiB line, then its newline", error=TOO_LONG)
        a.send_raw(b"N" * (1 << 20) + b"\nright after\n")
        t.case(None, "defaults: a 1 MiB line and a line in one write", error=TOO_LONG,
               relayed="right after")

    # max_line is configuration.
    with T.Service(max_line=64) as svc:
        a = svc.client("a")
        a.login("amy")
        b = svc.client("b")
        b.login("bob")
        a.expect("* bob joined")
        t = Checker(a, b)
        t.relayed(b"s" * 64, "s" * 64, "max_line = 64: a 64-byte line")
        t.refused(b"s" * 65, "! line-too-long: lines are limited to 64 bytes; "
                  "the rest of that line was discarded", "max_line = 64: a 65-byte line")
        t.refused(b"s" * 200, TOO_LONG, "max_line = 64: a 200-byte line")


T.main(main)

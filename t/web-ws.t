#!/usr/bin/env python3
# web-ws.t -- WebSocket conformance of chat-web (RFC 6455), in the order of
# Autobahn's case groups (its suite cannot be installed here): frames are
# built by hand on a raw socket (FIN, RSV, opcode, MASK and 7-, 16- or
# 64-bit lengths, masking key, payload) and the server's frames parsed.
# What is asserted is what RFC 6455 asks of a server; a failed connection
# is the close code in the server's close frame, then the end of the TCP
# connection.
#
#  1. UTF-8: valid text (two- and four-byte characters) is a chat message
#     the others receive; invalid UTF-8 in a text message, in one frame or
#     across fragments, closes with 1007; a character split across
#     fragments is accepted.
#  2. Close: the client's close is answered (the code echoed), nothing
#     after it is acted on, and its user leaves; a payload of one byte,
#     or an invalid code, is 1002; a reason that is not UTF-8 is 1007;
#     {"type":"quit"} closes with 1000.
#  3. Fragmentation: a message in 2 and in 10 frames, pings between
#     fragments; a continuation with no message, a new message inside a
#     fragmented one and a fragmented ping or pong are 1002.
#  4. Ping and pong: the pong echoes the ping's payload (up to 125 bytes;
#     126 is 1002); an unsolicited pong is ignored; with ws_ping_interval
#     and ws_ping_timeout of 1 s (a service of its own), a client that
#     does not answer the server's pings is closed with 1001 and leaves,
#     one that answers stays.
#  5. Frame lengths: 7-, 16- and 64-bit length encodings, at their
#     boundaries (125, 126, 65535, 65536) and at the largest message
#     (max_line = 65536, the most chat.conf allows, so that a 64-bit
#     length fits); a frame written a byte at a time; a 64-bit length
#     with its top bit set is 1002.
#  6. Reserved bits (RSV1-3, on text and on a ping) and opcodes (3-7,
#     11-15), an unmasked client frame: 1002; a binary message: 1003.
#  7. Size: a message of max_line + 1024 bytes is accepted (5), one byte
#     more (in one frame, or in fragments) is 1009.
#  8. The handshake: Sec-WebSocket-Accept; no Sec-WebSocket-Key, or one
#     that is not 16 bytes, is 400; version 8 is 426 naming version 13;
#     an Origin outside cors_origins is 403 before any upgrade, one in it
#     is upgraded.
#
# A frame the server must fail is sent on a connection of its own.
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402

try:
    import websockets  # noqa: F401,E402
except ImportError:
    # python3-websockets is Debian's, for /usr/bin/python3; make check may
    # run another python3 (PYTHON3 found first on PATH).  Run again there.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and os.access("/usr/bin/python3", os.X_OK):
        sys.stdout.flush()
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    T.skip_all("python3-websockets is not installed")

import asyncio  # noqa: E402
import base64  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402

import chattest_web as W  # noqa: E402

MAX_LINE = 65536                # the largest allowed, for 64-bit lengths
LIMIT = MAX_LINE + 1024         # the largest message chat-web takes
GOOD_ORIGIN = "http://good.example"
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

# ---------------------------------------------------------------------------
# Frames by hand


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None):
    """One client frame: FIN, RSV bits (0-7), opcode; MASK and a random
    key unless mask=False; the length in the shortest encoding unless
    length (7, 16 or 64) says which."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    n = len(payload)
    if length is None:
        length = 7 if n < 126 else 16 if n < 65536 else 64
    head = bytes([(0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0xF)])
    m = 0x80 if mask else 0
    if length == 7:
        head += bytes([m | n])
    elif length == 16:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    return struct.pack(">H", code) + reason


def fragments(payload, n, opcode=TEXT):
    """payload as n frames: opcode, then continuations, FIN on the last."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    step = -(-len(payload) // n)
    parts = [payload[i * step:(i + 1) * step] for i in range(n)]
    return b"".join(frame(opcode if i == 0 else CONT, p, fin=(i == n - 1))
                    for i, p in enumerate(parts))


def padded(obj, size):
    """obj as JSON, padded with blanks to exactly size bytes."""
    text = json.dumps(obj).encode()
    assert len(text) <= size
    return text + b" " * (size - len(text))


class Frame:
    def __init__(self, fin, rsv, opcode, masked, payload):
        self.fin, self.rsv, self.opcode = fin, rsv, opcode
        self.masked, self.payload = masked, payload

    def code(self):
        """A close frame's status code; None if it has none."""
        if len(self.payload) < 2:
            return None
        return struct.unpack(">H", self.payload[:2])[0]

    def __repr__(self):
        return "<frame fin=%d rsv=%d opcode=%d%s %r>" % (
            self.fin, self.rsv, self.opcode, " masked" if self.masked else "",
            self.payload[:60])


EOF = T.EOF
NO_STATUS = "a close frame without a status code"

_names = [0]


def new_name(prefix="user"):
    _names[0] += 1
    return "%s%d" % (prefix, _names[0])


class Raw:
    """A WebSocket client on a plain socket: the upgrade of
    /ws?user_id=NAME, then frames sent as built and read as they come."""

    def __init__(self, port, name=None, headers=None, key=None, welcome=True):
        self.name = name or new_name()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.texts = []         # text messages read while looking for others
        self.pings = []         # payloads of the server's pings
        self.pongs = []         # payloads of the server's pongs
        self.stopped = None     # what ended the last next_json without a match
        self.key = key or base64.b64encode(os.urandom(16)).decode()
        hdrs = {"Host": "127.0.0.1:%d" % port, "Upgrade": "websocket",
                "Connection": "Upgrade", "Sec-WebSocket-Key": self.key,
                "Sec-WebSocket-Version": "13"}
        hdrs.update(headers or {})
        req = "GET /ws?user_id=%s HTTP/1.1\r\n" % self.name
        req += "".join("%s: %s\r\n" % (k, v) for k, v in hdrs.items() if v is not None)
        self.sock.sendall((req + "\r\n").encode())
        self.status, self.headers = self._head()
        if welcome:
            if self.status != 101:
                raise T.HarnessError("%s: upgrade answered %s" % (self.name, self.status))
            m = self.next_json(lambda m: m.get("type") == "welcome")
            if m is None:
                T.ok(False, "%s gets its welcome" % self.name)
                raise T.HarnessError("%s: no welcome" % self.name)

    def _head(self):
        deadline = time.monotonic() + T.TIMEOUT
        while b"\r\n\r\n" not in self.buf:
            if self.eof or not self._fill(deadline):
                return 0, {}
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        return int(lines[0].split()[1]), headers

    def header(self, name):
        return ", ".join(self.headers.get(name.lower(), [])) or None

    # -- bytes ---------------------------------------------------------------

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(262144)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.eof = True
        self.buf += data
        return True

    def send(self, data):
        """Send bytes; False if the server had already closed."""
        self.sock.settimeout(30)
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def send_frame(self, *args, **kw):
        return self.send(frame(*args, **kw))

    def send_json(self, obj):
        return self.send_frame(TEXT, json.dumps(obj, ensure_ascii=False))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- frames ----------------------------------------------------------

    def read_frame(self, timeout=T.TIMEOUT):
        """The server's next frame, EOF, or None if none came in time."""
        deadline = time.monotonic() + timeout
        while True:
            f = self._parse()
            if f is not None:
                return f
            if self.eof:
                return EOF
            if not self._fill(deadline):
                return None

    def _parse(self):
        b = self.buf
        if len(b) < 2:
            return None
        n, off = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, off = struct.unpack(">H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, off = struct.unpack(">Q", b[2:10])[0], 10
        masked = bool(b[1] & 0x80)
        key = b""
        if masked:
            if len(b) < off + 4:
                return None
            key, off = b[off:off + 4], off + 4
        if len(b) < off + n:
            return None
        payload = b[off:off + n]
        if masked:
            payload = bytes(x ^ key[i % 4] for i, x in enumerate(payload))
        self.buf = b[off + n:]
        return Frame(b[0] >> 7, b[0] >> 4 & 7, b[0] & 0xF, masked, payload)

    def next_frame(self, opcodes, timeout=T.TIMEOUT):
        """The next frame with one of opcodes (others are kept: texts,
        pings, pongs); a close frame, EOF or None (time out) end the
        search and are returned."""
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.0, deadline - time.monotonic()))
            if f is None or f is EOF or f.opcode in opcodes or f.opcode == CLOSE:
                return f
            if f.opcode == TEXT:
                self.texts.append(f.payload)
            elif f.opcode == PING:
                self.pings.append(f.payload)
            elif f.opcode == PONG:
                self.pongs.append(f.payload)

    def next_json(self, pred, timeout=T.TIMEOUT):
        """The first text message (JSON) pred accepts, or None."""
        deadline = time.monotonic() + timeout
        while True:
            f = self.next_frame((TEXT,), max(0.0, deadline - time.monotonic()))
            if f is None or f is EOF or f.opcode != TEXT:
                self.stopped = f
                return None
            m = json.loads(f.payload.decode("utf-8"))
            if pred(m):
                return m
            self.texts.append(f.payload)

    def answer(self, id_, timeout=T.TIMEOUT):
        """The answer ({"type":"ok"} or "error") to the command of id_."""
        return self.next_json(lambda m: m.get("id") == id_ and
                              m.get("type") in ("ok", "error"), timeout)

    def wait_close(self, timeout=T.TIMEOUT):
        """The server's close frame (EOF or None if none came)."""
        return self.next_frame((), timeout)

    def wait_eof(self, timeout=T.TIMEOUT):
        """The connection ends (whatever frames come first)."""
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.0, deadline - time.monotonic()))
            if f is EOF:
                return True
            if f is None:
                return False


def describe(f, timeout=T.TIMEOUT):
    if f is None:
        return "nothing within %ss" % timeout
    if f is EOF:
        return "the connection ended without a close frame"
    return f.code() if f.code() is not None else NO_STATUS


def expect_close(r, want, desc, timeout=T.TIMEOUT):
    """Two assertions: the server's close frame carries want (a code, or
    a tuple of acceptable ones), then the connection ends."""
    f = r.wait_close(timeout)
    got = describe(f, timeout)
    wants = want if isinstance(want, tuple) else (want,)
    label = " or ".join(str(w) for w in wants)
    if not T.ok(got in wants, "%s: the server closes with %s" % (desc, label)):
        T.diag("     got: %s" % (got,))
        if f is not None and f is not EOF and len(f.payload) > 2:
            T.diag("  reason: %r" % f.payload[2:])
    T.ok(r.wait_eof(timeout), "%s: then the connection ends" % desc)
    r.close()
    return f


def expect_ok(r, id_, desc, timeout=T.TIMEOUT):
    m = r.answer(id_, timeout)
    if m is None:
        T.ok(False, desc)
        T.diag("no answer; stopped at %s" % describe(r.stopped))
        return None
    T.is_(m.get("type"), "ok", desc) or T.diag("answer: %r" % m)
    return m


def sees_leave(ws, name, desc, timeout=T.TIMEOUT):
    m, _ = ws.recv_until(lambda m: m.get("type") == "leave" and m.get("user") == name,
                         timeout)
    return T.ok(m is not None, desc)


def say(text, id_):
    return {"type": "say", "text": text, "id": id_}


def pump(seconds):
    """Run the WebSocket clients' event loop: python3-websockets reads,
    and answers pings, only while it runs."""
    W._run(asyncio.sleep(seconds), seconds + 5)


# ---------------------------------------------------------------------------
# 1. UTF-8

def utf8(port):
    watch = W.WS(port, new_name("watch"))
    a = Raw(port)
    a.send_frame(TEXT, json.dumps(say("héllo 🎉", "u1"), ensure_ascii=False))
    expect_ok(a, "u1", "utf-8: two- and four-byte characters in a text frame: ok")
    m, _ = watch.recv_until(lambda m: m.get("type") == "message" and m.get("from") == a.name)
    T.is_(m and m.get("text"), "héllo 🎉",
          "utf-8: another WebSocket user receives the text as sent")

    # A character split between two fragments: é (c3 a9) and 🎉 (f0 9f 8e 89).
    msg = json.dumps(say("é🎉 split", "u2"), ensure_ascii=False).encode()
    cut1 = msg.index(b"\xc3") + 1
    cut2 = msg.index(b"\xf0") + 2
    a.send(frame(TEXT, msg[:cut1], fin=False) + frame(CONT, msg[cut1:cut2], fin=False) +
           frame(CONT, msg[cut2:]))
    expect_ok(a, "u2", "utf-8: characters split across fragments: ok")
    m, _ = watch.recv_until(lambda m: m.get("type") == "message" and m.get("from") == a.name)
    T.is_(m and m.get("text"), "é🎉 split", "utf-8: the split characters arrive whole")
    a.close()
    sees_leave(watch, a.name, "utf-8: a connection dropped without a close: its user leaves")
    watch.close()

    bad = [("a lone continuation byte", b"\x80"),
           ("a truncated two-byte sequence", b"\xc3\x28"),
           ("an overlong encoding of '/'", b"\xc0\xaf"),
           ("a UTF-16 surrogate (U+D800)", b"\xed\xa0\x80"),
           ("a code point above U+10FFFF", b"\xf4\x90\x80\x80"),
           ("byte 0xff", b"\xff")]
    for what, seq in bad:
        r = Raw(port)
        r.send_frame(TEXT, b'{"type":"say","text":"x' + seq + b'y"}')
        expect_close(r, 1007, "utf-8: %s in a text frame" % what)

    # Invalid across fragments: each fragment alone could start valid text.
    r = Raw(port)
    r.send(frame(TEXT, b'{"type":"say","text":"\xf0\x9f', fin=False) +
           frame(CONT, b'\x28\x8e"}'))
    expect_close(r, 1007, "utf-8: a four-byte sequence broken in the next fragment")
    r = Raw(port)
    r.send(frame(TEXT, b'{"type":"say","text":"ok"} ', fin=False) +
           frame(CONT, b"\xe2\x82", fin=False) + frame(CONT, b""))
    expect_close(r, 1007, "utf-8: a message ending inside a character after fragments")


# ---------------------------------------------------------------------------
# 2. Close handling

def closing(port):
    watch = W.WS(port, new_name("watch"))

    r = Raw(port)
    r.send_frame(CLOSE, close_payload(1000, "bye now"))
    expect_close(r, 1000, "close: the client's 1000 with a reason is echoed")
    sees_leave(watch, r.name, "close: its user leaves (the others see leave)")

    r = Raw(port)
    r.send_frame(CLOSE, b"")
    expect_close(r, (1000, NO_STATUS), "close: an empty close is answered")
    sees_leave(watch, r.name, "close: after an empty close the user leaves")

    r = Raw(port)
    r.send_frame(CLOSE, b"\x03")
    expect_close(r, 1002, "close: a close payload of one byte")

    for code in (0, 999, 1004, 1005, 1006, 1016, 2999, 5000, 65535):
        r = Raw(port)
        r.send_frame(CLOSE, close_payload(code, "x"))
        expect_close(r, 1002, "close: invalid close code %d" % code)

    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999):
        r = Raw(port)
        r.send_frame(CLOSE, close_payload(code))
        expect_close(r, code, "close: valid close code %d is echoed" % code)

    r = Raw(port)
    r.send_frame(CLOSE, close_payload(1000, b"bad \xce\xba\xe1\xbd\xb9\xf4\x90\x80\x80 reason"))
    expect_close(r, 1007, "close: a reason that is not UTF-8")

    r = Raw(port)
    r.send_frame(CLOSE, close_payload(1000, "x" * 123))
    expect_close(r, 1000, "close: a close of 125 bytes (the longest) is echoed")

    r = Raw(port)
    r.send_frame(CLOSE, close_payload(1000, "done"))
    r.send_json(say("after close", "ac"))
    f = r.wait_close()
    T.is_(describe(f), 1000, "close: frames after the client's close are not acted on")
    T.ok(not any(b'"ac"' in t for t in r.texts) and r.wait_eof(),
         "close: ...and not answered; the connection ends")
    r.close()

    r = Raw(port)
    r.send_json({"type": "quit", "text": "enough"})
    expect_close(r, 1000, "close: {\"type\":\"quit\"} is a server close with 1000")
    sees_leave(watch, r.name, "close: the quitting user leaves")
    watch.close()


# ---------------------------------------------------------------------------
# 3. Fragmentation

def fragmentation(port):
    r = Raw(port)
    r.send(fragments(json.dumps(say("in two", "f2")), 2))
    expect_ok(r, "f2", "fragments: a message in 2 frames is reassembled")
    r.send(fragments(json.dumps(say("in ten frames", "f10")), 10))
    expect_ok(r, "f10", "fragments: a message in 10 frames is reassembled")
    r.send(frame(TEXT, b"", fin=False) + frame(CONT, json.dumps(say("empty first", "fe"))))
    expect_ok(r, "fe", "fragments: an empty first fragment")

    msg = json.dumps(say("ping inside", "fp")).encode()
    r.send(frame(TEXT, msg[:10], fin=False) + frame(PING, b"mid") +
           frame(CONT, msg[10:20], fin=False) + frame(PING, b"mid2") + frame(CONT, msg[20:]))
    f = r.next_frame((PONG,))
    T.is_(f.payload if f not in (None, EOF) and f.opcode == PONG else describe(f), b"mid",
          "fragments: a ping between fragments is answered with its pong")
    expect_ok(r, "fp", "fragments: ...and the message around it still arrives")
    if b"mid2" not in r.pongs:
        f = r.next_frame((PONG,), 1)
        if f not in (None, EOF) and f.opcode == PONG:
            r.pongs.append(f.payload)
    T.ok(b"mid2" in r.pongs, "fragments: the second ping is answered too")
    r.close()

    r = Raw(port)
    r.send_frame(CONT, b'{"type":"say","text":"x"}')
    expect_close(r, 1002, "fragments: a continuation with no message started")

    r = Raw(port)
    r.send(frame(CONT, b'{"type":', fin=False) + frame(CONT, b'"say"}'))
    expect_close(r, 1002, "fragments: fragmented continuations with no message started")

    r = Raw(port)
    r.send(frame(TEXT, b'{"type":', fin=False) + frame(TEXT, b'{"type":"say","text":"x"}'))
    expect_close(r, 1002, "fragments: a new text frame while a message is open")

    r = Raw(port)
    r.send(frame(TEXT, b'{"type":', fin=False) + frame(BINARY, b"xx"))
    expect_close(r, 1002, "fragments: a binary frame while a text message is open")

    r = Raw(port)
    r.send(frame(PING, b"a", fin=False) + frame(CONT, b"b"))
    expect_close(r, 1002, "fragments: a fragmented ping (FIN=0 on a control frame)")

    r = Raw(port)
    r.send(frame(PONG, b"a", fin=False) + frame(CONT, b"b"))
    expect_close(r, 1002, "fragments: a fragmented pong")


# ---------------------------------------------------------------------------
# 4. Ping and pong

def pings(port):
    r = Raw(port)
    r.send_frame(PING, b"")
    f = r.next_frame((PONG,))
    T.is_(f.payload if f not in (None, EOF) and f.opcode == PONG else describe(f), b"",
          "ping: an empty ping gets an empty pong")
    r.send_frame(PING, b"hello\x00\xff")
    f = r.next_frame((PONG,))
    T.is_(f.payload if f not in (None, EOF) and f.opcode == PONG else describe(f),
          b"hello\x00\xff", "ping: the pong carries the ping's payload")
    big = bytes(range(125))
    r.send_frame(PING, big)
    f = r.next_frame((PONG,))
    T.is_(f.payload if f not in (None, EOF) and f.opcode == PONG else describe(f), big,
          "ping: a ping of 125 bytes gets its pong")
    T.ok(f not in (None, EOF) and not f.masked, "ping: the server's frames are not masked")
    r.send_frame(PONG, b"unsolicited")
    r.send_json(say("after a pong", "pp"))
    expect_ok(r, "pp", "ping: an unsolicited pong is ignored")
    r.close()

    r = Raw(port)
    r.send_frame(PING, b"x" * 126)
    expect_close(r, 1002, "ping: a ping of 126 bytes")


def server_pings():
    with T.Service(accept=False, ws_ping_interval=1, ws_ping_timeout=1, max_sessions=8,
                   log_records=64) as svc:
        port = svc.start_web()
        answers = W.WS(port, new_name("answers"))
        deaf = Raw(port, new_name("deaf"))
        start = time.monotonic()
        f = None
        while time.monotonic() - start < 8:
            f = deaf.wait_close(0.05)
            if f is not None:
                break
            pump(0.05)      # the answering client reads (and answers pings)
        T.ok(deaf.pings, "server pings: the server pings a client (ws_ping_interval=1)")
        got = describe(f, 8)
        T.is_(got, 1001, "server pings: a client that never answers is closed with 1001")
        T.ok(deaf.wait_eof(), "server pings: ...and its connection ends")
        T.ok(time.monotonic() - start < 6,
             "server pings: ...within interval + timeout (%.1f s)" % (time.monotonic() - start))
        sees_leave(answers, deaf.name, "server pings: the others see it leave")
        deaf.close()
        # python3-websockets answers pings while it reads: 3 s is 3 pings.
        answers.quiet(3)
        answers.send(say("still here", "sp"))
        m, _ = answers.recv_until(lambda m: m.get("id") == "sp")
        T.is_(m and m.get("type"), "ok", "server pings: a client that answers stays")
        answers.close()


# ---------------------------------------------------------------------------
# 5. Frame lengths

def lengths(port):
    r = Raw(port)
    for size, form in ((125, 7), (126, 16), (65535, 16), (65536, 64), (LIMIT, 64)):
        id_ = "len%d" % size
        data = padded(say("length %d" % size, id_), size)
        r.send(frame(TEXT, data, length=form))
        expect_ok(r, id_, "lengths: %d bytes with a %d-bit length" % (size, form))
    data = frame(TEXT, json.dumps(say("a byte at a time", "bytes")))
    for i in range(len(data)):
        r.send(data[i:i + 1])
        time.sleep(0.002)
    expect_ok(r, "bytes", "lengths: a frame written one byte at a time")
    r.close()

    r = Raw(port)
    head = bytes([0x81, 0xFF]) + struct.pack(">Q", 1 << 63) + os.urandom(4)
    r.send(head + b"x" * 16)
    expect_close(r, (1002, 1009), "lengths: a 64-bit length with the top bit set")


# ---------------------------------------------------------------------------
# 6. Reserved bits and opcodes

def reserved(port):
    for bit in (1, 2, 3):
        r = Raw(port)
        r.send_frame(TEXT, json.dumps(say("rsv", "rsv")), rsv=1 << (3 - bit))
        expect_close(r, 1002, "reserved: RSV%d set on a text frame" % bit)
    r = Raw(port)
    r.send_frame(PING, b"x", rsv=4)
    expect_close(r, 1002, "reserved: RSV1 set on a ping")
    for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
        r = Raw(port)
        r.send_frame(op, b"x")
        expect_close(r, 1002, "reserved: opcode %d" % op)
    r = Raw(port)
    r.send_frame(TEXT, json.dumps(say("unmasked", "um")), mask=False)
    expect_close(r, 1002, "reserved: an unmasked client frame")
    r = Raw(port)
    r.send_frame(BINARY, b"\x00\x01\x02")
    expect_close(r, 1003, "binary: a binary message")
    r = Raw(port)
    r.send(frame(BINARY, b"\x00\x01", fin=False) + frame(CONT, b"\x02"))
    expect_close(r, 1003, "binary: a fragmented binary message")


# ---------------------------------------------------------------------------
# 7. Size limits

def sizes(port):
    r = Raw(port)
    r.send(frame(TEXT, padded(say("too big", "big"), LIMIT + 1)))
    expect_close(r, 1009, "size: %d bytes in one frame (max_line + 1025)" % (LIMIT + 1))

    r = Raw(port)
    data = padded(say("too big", "big"), LIMIT + 1)
    half = len(data) // 2
    r.send(frame(TEXT, data[:half], fin=False) + frame(CONT, data[half:]))
    expect_close(r, 1009, "size: %d bytes in two fragments" % (LIMIT + 1))

    r = Raw(port)
    r.send(frame(TEXT, data[:60000], fin=False) + frame(CONT, data[60000:65000], fin=False) +
           frame(CONT, data[65000:]))
    expect_close(r, 1009, "size: %d bytes in three fragments" % (LIMIT + 1))


# ---------------------------------------------------------------------------
# 8. The handshake

def upgrade_request(port, **headers):
    hdrs = {"Host": "127.0.0.1:%d" % port, "Upgrade": "websocket",
            "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13"}
    for k, v in headers.items():
        hdrs[k.replace("_", "-")] = v
    req = "GET /ws?user_id=%s HTTP/1.1\r\n" % new_name()
    req += "".join("%s: %s\r\n" % (k, v) for k, v in hdrs.items() if v is not None)
    return req + "\r\n"


def handshake(port):
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    r = Raw(port, key=key)
    want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    T.is_(r.status, 101, "handshake: a good upgrade is 101")
    T.is_(r.header("sec-websocket-accept"), want,
          "handshake: Sec-WebSocket-Accept is RFC 6455's (s3pPLMBiTxaQ9kYGzzhZRbK+xOo=)")
    T.like((r.header("upgrade") or "").lower(), r"^websocket$", "handshake: Upgrade: websocket")
    T.like((r.header("connection") or "").lower(), r"\bupgrade\b", "handshake: Connection: Upgrade")
    r.close()

    status, _, _ = W.http(port, upgrade_request(port, Sec_WebSocket_Key=None))
    T.is_(status, 400, "handshake: no Sec-WebSocket-Key is 400")
    status, _, _ = W.http(port, upgrade_request(port, Sec_WebSocket_Key="c2hvcnQ="))
    T.is_(status, 400, "handshake: a Sec-WebSocket-Key that is not 16 bytes is 400")
    status, headers, _ = W.http(port, upgrade_request(port, Sec_WebSocket_Version="8"))
    T.is_(status, 426, "handshake: Sec-WebSocket-Version 8 is 426")
    T.is_(headers.get("sec-websocket-version"), "13",
          "handshake: ...naming the version it speaks (Sec-WebSocket-Version: 13)")

    evil = Raw(port, headers={"Origin": "http://evil.example"}, welcome=False)
    T.is_(evil.status, 403, "handshake: an Origin outside cors_origins is 403")
    T.ok(evil.header("sec-websocket-accept") is None and
         evil.header("upgrade") is None, "handshake: ...with no upgrade")
    evil.close()
    good = Raw(port, headers={"Origin": GOOD_ORIGIN}, welcome=False)
    T.is_(good.status, 101, "handshake: an Origin in cors_origins (%s) is 101" % GOOD_ORIGIN)
    m = good.next_json(lambda m: m.get("type") == "welcome")
    T.ok(m is not None and m.get("user") == good.name, "handshake: ...and its user is welcomed")
    good.close()


def main():
    # A small log: records are max_line bytes, 64 KiB here.
    with T.Service(accept=False, max_line=MAX_LINE, cors_origins=GOOD_ORIGIN,
                   max_sessions=32, log_records=256) as svc:
        port = svc.start_web()
        utf8(port)
        closing(port)
        fragmentation(port)
        pings(port)
        server_pings()
        lengths(port)
        reserved(port)
        sizes(port)
        handshake(port)


T.main(main)

"""chattest_web -- clients of chat-web for the tests: WebSocket users
through Debian's python3-websockets (a client not written here), driven
from plain synchronous test code, and HTTP requests over raw sockets.

Import after chattest; the tests run under /usr/bin/python3, for which
Debian's modules are installed.
"""
import asyncio
import json
import os
import socket
import sys

try:
    import websockets
except ImportError:
    # Debian's modules are /usr/bin/python3's; make check may have found
    # another python3 first.  Run the test again under Debian's.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)


def _run(coro, timeout):
    return _loop.run_until_complete(asyncio.wait_for(coro, timeout))


class WS:
    """One WebSocket user: WS(port, name) connects to /ws?user_id=name."""

    def __init__(self, port, name, timeout=10, path=None, **kw):
        self.name = name
        self.timeout = timeout
        url = "ws://127.0.0.1:%d%s" % (port, path or "/ws?user_id=%s" % name)
        self.conn = _run(websockets.connect(url, max_size=None,
                                            ping_interval=None, **kw), timeout)

    def send(self, obj):
        text = obj if isinstance(obj, str) else json.dumps(obj)
        _run(self.conn.send(text), self.timeout)

    def recv(self, timeout=None):
        """The next message as JSON, or None if none came in time."""
        try:
            text = _run(self.conn.recv(), timeout or self.timeout)
        except asyncio.TimeoutError:
            return None
        return json.loads(text)

    def recv_until(self, pred, timeout=None):
        """Messages up to the first pred accepts: (it, those before)."""
        seen = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return None, seen
            if pred(m):
                return m, seen
            seen.append(m)

    def quiet(self, timeout=0.3):
        """Messages that arrive within timeout (none expected, usually)."""
        got = []
        while True:
            m = self.recv(timeout)
            if m is None:
                return got
            got.append(m)

    def closed(self, timeout=None):
        """Wait for the server's close: (code, reason)."""
        try:
            while True:
                _run(self.conn.recv(), timeout or self.timeout)
        except websockets.ConnectionClosed as e:
            return e.code, e.reason
        except asyncio.TimeoutError:
            return None, None

    def close(self):
        try:
            _run(self.conn.close(), self.timeout)
        except Exception:
            pass


def http(port, request, timeout=10):
    """Send raw request bytes; the whole answer until the server closes or
    a response with Content-Length is complete: (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(request if isinstance(request, bytes) else request.encode())
        data = b""
        while True:
            parsed = parse_response(data)
            if parsed is not None:
                return parsed
            chunk = s.recv(65536)
            if not chunk:
                return parse_response(data, eof=True)
            data += chunk
    finally:
        s.close()


def parse_response(data, eof=False):
    """(status, {lowercase header: value}, body) once data holds a whole
    response, else None (or what there is, at eof)."""
    end = data.find(b"\r\n\r\n")
    if end == -1:
        return (0, {}, data) if eof else None
    lines = data[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = data[end + 4:]
    n = int(headers.get("content-length", "-1"))
    if n >= 0 and len(body) >= n:
        return status, headers, body[:n]
    return (status, headers, body) if eof else None

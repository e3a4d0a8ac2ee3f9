#!/usr/bin/env python3
# web.t -- chat-web, the web front door: WebSocket users, an SSE bot and
# its pushes, and line users in one chat; the HTTP answers (health,
# metrics checked by promtool, CORS through curl, the errors); logins
# (guest, password, duplicate, wrong passwords); and thousands of
# requests and connections that leave no process, descriptor or slot.
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
from chattest_web import WS, http  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_client as C  # noqa: E402


def get(port, path, headers=""):
    return http(port, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                "Connection: close\r\n\r\n" % (path, port, headers))


def curl(*args):
    p = subprocess.run(["curl", "-s", "-i", "--max-time", "10"] + list(args),
                       capture_output=True, text=True)
    return p.stdout


def interop(svc, port, token):
    alice = WS(port, "alice")
    T.is_(alice.recv()["type"], "welcome", "a browser user is welcomed")
    bob = WS(port, "bob")
    w = bob.recv()
    T.is_((w["type"], w["user"], w["online"]), ("welcome", "bob", 2),
          "the welcome names the user and counts who is online")
    T.is_(alice.recv()["user"], "bob", "alice sees bob join")
    nc = svc.client("nelly")
    nc.login("nelly", others=2)
    j = alice.recv()
    T.is_((j["type"], j["user"]), ("join", "nelly"), "a line user's join reaches the browser")
    bob.recv()
    sse = SSE(port, "bot", token)
    T.is_(sse.event()[0], "welcome", "the bot's stream starts with its welcome")
    nc.expect("* bot joined", "the line user sees the bot join", skip=True)
    alice.recv_until(lambda m: m.get("user") == "bot")
    bob.recv_until(lambda m: m.get("user") == "bot")

    alice.send({"type": "users", "id": "u1"})
    users = alice.recv_until(lambda m: m["type"] == "users")[0]
    got = sorted((u["name"], u["transport"]) for u in users["users"])
    T.is_(got, [("alice", "ws"), ("bob", "ws"), ("bot", "sse"), ("nelly", "tcp")],
          "/users over the WebSocket lists everyone with their transport")
    T.is_(users.get("id"), "u1", "the listing carries the request's id")
    nc.send("/users")
    nc.expect(re.compile(r"^\* users \(4\): (?=.*alice)(?=.*bob)(?=.*bot)(?=.*nelly)"),
              "the line user sees the web users in /users", skip=True)

    alice.send({"type": "say", "text": "hello everyone", "id": 7})
    ok = alice.recv_until(lambda m: m["type"] == "ok")[0]
    T.is_(ok.get("id"), 7, "a chat line is answered ok with its id")
    m = bob.recv_until(lambda m: m["type"] == "message")[0]
    T.is_((m["from"], m["text"], "to" in m, "group" in m),
          ("alice", "hello everyone", False, False), "a broadcast reaches another browser")
    T.ok(isinstance(m["ts"], int) and m["ts"] > 1.7e12 and m["seq"] > 0,
         "a message carries its time (ms) and sequence number")
    nc.expect("<alice> hello everyone", "a browser's broadcast reaches the line user",
              skip=True)
    T.is_(sse.event(timeout=0.5), None, "the bot is not sent lines that do not mention it")

    nc.send("hey @alice and @bot.")
    m = alice.recv_until(lambda m: m["type"] == "message")[0]
    T.is_((m["from"], m.get("mentions"), m.get("mentioned")),
          ("nelly", ["alice", "bot"], True), "a mention is listed and marked for its user")
    m = bob.recv_until(lambda m: m["type"] == "message")[0]
    T.ok("mentioned" not in m and m.get("mentions") == ["alice", "bot"],
         "others see the mentions, not marked as theirs")
    ev, data, eid = sse.event()
    T.is_((ev, data["from"], data.get("mentioned"), eid == str(data["seq"])),
          ("message", "nelly", True, True), "the bot's stream carries a line that mentions it, id = seq")

    alice.send({"type": "msg", "to": "nelly", "text": "psst nelly"})
    nc.expect("*alice* psst nelly", "a browser's private message reaches the line user",
              skip=True)
    nc.send("/msg bob psst bob")
    m = bob.recv_until(lambda m: m["type"] == "message")[0]
    T.is_((m["from"], m["to"], m["text"]), ("nelly", "bob", "psst bob"),
          "a line user's private message reaches the browser, with to")
    T.is_([x for x in alice.quiet() if x["type"] == "message"], [],
          "nobody else sees either private message")

    alice.send({"type": "create_group", "group": "dev", "id": "g"})
    ok = alice.recv_until(lambda m: m["type"] in ("ok", "error"))[0]
    T.is_(ok["type"], "ok", "a browser creates a group")
    nc.send("/join_group dev")
    nc.expect("* joined #dev (2 members)", "the line user joins it", skip=True)
    n = alice.recv_until(lambda m: m["type"] == "notice")[0]
    T.is_((n["group"], n["event"], n["user"]), ("dev", "joined", "nelly"),
          "the owner gets the join as a notice with its words")
    T.ok("nelly" in n["text"] and "#dev" in n["text"], "the notice's text is the core's words")
    alice.send({"type": "group_msg", "group": "dev", "text": "dev only"})
    nc.expect("#dev <alice> dev only", "a group message reaches the line member",
              skip=True)
    T.is_([m for m in bob.quiet() if m["type"] == "message"], [],
          "a non-member browser does not see the group message")
    r = push(port, token, {"group": "dev", "data": {"message": "bot to dev"}})
    T.is_(r[0], 403, "a push to a group the bot is not in is refused (403)")
    alice.send({"type": "join_group", "group": "nope"})
    e = alice.recv_until(lambda m: m["type"] == "error")[0]
    T.is_(e["code"], "no-such-group", "errors carry the line protocol's codes")
    T.ok(len(e["message"]) > 0, "and its words")
    alice.send({"type": "msg", "to": "ghost", "text": "x"})
    T.is_(alice.recv_until(lambda m: m["type"] == "error")[0]["code"], "no-such-user",
          "a message to nobody: no-such-user")
    alice.send({"type": "bogus"})
    T.is_(alice.recv_until(lambda m: m["type"] == "error")[0]["code"], "unknown-command",
          "an unknown type: unknown-command, the connection stays")
    alice.send("not json")
    T.is_(alice.recv_until(lambda m: m["type"] == "error")[0]["code"], "missing-argument",
          "a message that is not JSON: an error, the connection stays")
    alice.send({"type": "say"})
    T.is_(alice.recv_until(lambda m: m["type"] == "error")[0]["code"], "missing-argument",
          "a command without its field says how to use it")
    alice.send({"type": "say", "text": "bad\u0007bell"})
    T.is_(alice.recv_until(lambda m: m["type"] == "error")[0]["code"], "control-char",
          "the core's text checks apply to web users")

    r = push(port, token, {"user_id": "alice", "data": {"message": "from the bot"},
                           "event_type": "message"})
    T.is_((r[0], r[1].get("delivered")), (202, True), "a push to a user: 202 delivered")
    T.ok(isinstance(r[1].get("seq"), int), "with its sequence number")
    m = alice.recv_until(lambda m: m["type"] == "message")[0]
    T.is_((m["from"], m["to"], m["text"]), ("bot", "alice", "from the bot"),
          "the pushed line arrives as a private message from the bot")
    r = push(port, token, {"data": {"message": "bot to all"}})
    T.is_(r[0], 202, "a push with neither user_id nor group goes to everyone")
    nc.expect("<bot> bot to all", "the line user gets the bot's broadcast", skip=True)
    expect_continue(port, token)
    T.is_(alice.recv_until(lambda m: m["type"] == "message" and
                           m["text"] == "after the go-ahead")[0]["from"],
          "bot", "the line pushed after 100 Continue arrives")
    r = push(port, token, {"user_id": "zed", "data": {"message": "x"}})
    T.is_((r[0], r[1].get("error")), (404, "no-such-user"), "a push to nobody: 404")
    nc.send("/msg bot hello bot")
    ev, data, _ = sse.event()
    T.is_((ev, data["from"], data["text"]), ("message", "nelly", "hello bot"),
          "the bot's stream carries its private messages")

    cli = C.LineClient(svc, ["cli"], label="cli (chat-client, line mode)")
    cli.expect(re.compile(r"^\* welcome, cli"), "chat-client in line mode logs in",
               skip=True)
    alice.recv_until(lambda m: m.get("type") == "join" and m["user"] == "cli")
    alice.send({"type": "say", "text": "to the client too"})
    cli.expect("<alice> to the client too", "chat-client prints a browser's line",
               skip=True)
    cli.send("/msg alice from chat-client")
    m = alice.recv_until(lambda m: m["type"] == "message")[0]
    T.is_((m["from"], m["to"], m["text"]), ("cli", "alice", "from chat-client"),
          "chat-client's private message reaches the browser")
    r = push(port, token, {"user_id": "cli", "data": {"message": "bot to cli"}})
    cli.expect("*bot* bot to cli", "a bot's push reaches chat-client", skip=True)
    return alice, bob, nc, sse


class SSE:
    """An event stream over a raw socket: events as (event, data, id)."""

    def __init__(self, port, name, token, in_query=False):
        import socket
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if in_query:    # as a browser's EventSource must
            req = "GET /sse?user_id=%s&access_token=%s HTTP/1.1\r\nHost: x\r\n\r\n"
        else:
            req = ("GET /sse?user_id=%s HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer %s\r\n\r\n")
        self.s.sendall((req % (name, token)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        self.head = head.decode()

    def event(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                fields = {}
                for line in block.decode().split("\n"):
                    if line.startswith(":"):
                        continue
                    k, _, v = line.partition(": ")
                    fields[k] = v
                if "event" in fields:
                    return fields["event"], json.loads(fields["data"]), fields.get("id")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.buf += chunk

    def close(self):
        self.s.close()


def push(port, token, body, auth=True):
    raw = json.dumps(body).encode()
    head = ("POST /sse/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n%sConnection: close\r\n\r\n" %
            (len(raw), "Authorization: Bearer %s\r\n" % token if auth else ""))
    status, _, data = http(port, head.encode() + raw)
    try:
        return status, json.loads(data)
    except ValueError:
        return status, {}


def expect_continue(port, token):
    """A client that asks before sending its body gets the go-ahead."""
    import socket
    body = json.dumps({"user_id": "alice", "data": {"message": "after the go-ahead"}})
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("POST /sse/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
               % (token, len(body))).encode())
    first = s.recv(4096)
    T.is_(first, b"HTTP/1.1 100 Continue\r\n\r\n",
          "Expect: 100-continue is answered before the body is sent")
    s.sendall(body.encode())
    rest = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    s.close()
    T.ok(rest.startswith(b"HTTP/1.1 202"), "then the push is accepted")


def http_errors(port):
    st, h, b = get(port, "/health")
    T.is_(st, 200, "GET /health: 200 while the hub is up")
    T.is_(json.loads(b)["status"], "ok", "its status is ok")
    st, _, _ = get(port, "/nowhere")
    T.is_(st, 404, "an unknown path: 404")
    st, h, _ = http(port, "DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    T.is_((st, h.get("allow")), (405, "GET, HEAD, OPTIONS"), "a wrong method: 405 with Allow")
    st, _, _ = http(port, "POST /sse/push HTTP/1.1\r\nHost: x\r\n\r\n")
    T.is_(st, 411, "a POST without Content-Length: 411")
    st, _, _ = http(port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n" % ("a" * 9000))
    T.is_(st, 431, "a request head over 8 KiB: 431")
    st, _, _ = http(port, "GARBAGE\r\n\r\n")
    T.is_(st, 400, "a malformed request: 400")
    st, _, _ = http(port, "POST /sse/push HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n")
    T.is_(st, 413, "a body over 64 KiB: 413")
    # Keep-alive: two requests on one connection, answered in order.
    st, h, b = http(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\n"
                    "Host: x\r\nConnection: close\r\n\r\n")
    T.is_((st, h.get("connection")), (200, "keep-alive"), "HTTP/1.1 keeps the connection alive")
    st, h, b = get(port, "/")
    T.ok(st == 200 and h.get("content-type", "").startswith("text/html"),
         "GET / serves the browser page")


def metrics(port):
    st, h, body = get(port, "/metrics")
    T.is_(st, 200, "GET /metrics: 200")
    T.ok(h.get("content-type", "").startswith("text/plain; version=0.0.4"),
         "in Prometheus' text format 0.0.4")
    p = subprocess.run(["promtool", "check", "metrics"], input=body,
                       capture_output=True)
    T.is_(p.returncode, 0, "promtool check metrics accepts it (%s)" %
          (p.stdout + p.stderr).decode().strip()[:200])
    text = body.decode()
    for want in ('chat_sessions{transport="ws"} 2', 'chat_sessions{transport="tcp"} 2',
                 'chat_sessions{transport="sse"} 1', "chat_hub_up 1",
                 'chat_messages_total{kind="private"}', "chat_deliveries_total",
                 "chat_wakeups_sent_total", "chat_wakeups_coalesced_total",
                 'chat_disconnects_total{reason="quit"}', "chat_groups 1",
                 "chat_logins_total", "chat_login_failures_total", "chat_build_info{"):
        T.ok(want in text, "/metrics has %s" % want)


def cors(port):
    out = curl("-H", "Origin: http://good.example", "http://127.0.0.1:%d/health" % port)
    T.ok("Access-Control-Allow-Origin: http://good.example" in out,
         "an allowed origin gets Access-Control-Allow-Origin")
    out = curl("-H", "Origin: http://evil.example", "http://127.0.0.1:%d/health" % port)
    T.ok("Access-Control-Allow-Origin" not in out, "another origin gets none")
    out = curl("-X", "OPTIONS", "-H", "Origin: http://good.example",
               "-H", "Access-Control-Request-Method: POST",
               "http://127.0.0.1:%d/sse/push" % port)
    T.ok(out.startswith("HTTP/1.1 204") and "Access-Control-Allow-Methods: POST" in out,
         "a preflight OPTIONS is answered for an allowed origin")
    st, _, _ = get(port, "/ws?user_id=eve", "Origin: http://evil.example\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
    T.is_(st, 403, "a WebSocket from a disallowed origin: 403 before the upgrade")


def logins(svc, port, token):
    carol = WS(port, "carol")
    T.is_(carol.recv()["type"], "password", "a registered name is asked its password")
    carol.send({"type": "login", "password": "wrong"})
    e = carol.recv_until(lambda m: m["type"] == "error")[0]
    T.is_(e["code"], "bad-password", "a wrong password: bad-password")
    carol.send({"type": "login", "password": "secret"})
    w = carol.recv_until(lambda m: m["type"] == "welcome")[0]
    T.is_(w["user"], "carol", "the right one logs in")
    again = WS(port, "carol")
    again.recv()
    again.send({"type": "login", "password": "secret"})
    T.is_(again.closed(), (1008, "User already connected"),
          "a second login of an online name: 1008 User already connected")
    carol.close()
    three = WS(port, "carol")
    three.recv()
    for _ in range(3):
        three.send({"type": "login", "password": "nope"})
    T.is_(three.closed(timeout=15)[0], 1008, "three wrong passwords close with 1008")
    st, _, _ = http(port, "GET /sse?user_id=bot HTTP/1.1\r\nHost: x\r\n"
                    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n" % ("0" * 64))
    T.is_(st, 401, "a stream with a wrong token: 401")
    r = push(port, token, {"data": {"message": "x"}}, auth=False)
    T.is_(r[0], 401, "a push without a token: 401")
    r = push(port, token, {"user_id": 5})
    T.is_(r[0], 400, "a push with bad fields: 400")


def no_leftovers(svc, port):
    before = svc.stats() if hasattr(svc, "stats") else None
    del before
    for i in range(2000 // 50):
        data = b"".join(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(49))
        data += b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        st, _, _ = http(port, data)
    for i in range(500):
        c = WS(port, "cycler")
        c.recv()
        c.close()
    T.ok(T.wait_for(lambda: len(svc.session_pids()) == 5, timeout=20),
         "after 2,000 requests and 500 WebSocket cycles only the 5 users' "
         "processes remain (%d)" % len(svc.session_pids()))
    st, _, b = get(port, "/health")
    T.is_(json.loads(b)["sessions"], 5, "and only their 5 slots are in use")
    st, _, b = get(port, "/metrics")
    T.ok('chat_sessions{transport="ws"} 2' in b.decode(),
         "and /metrics counts 2 WebSocket users again")


def main():
    tokens_dir = tempfile.mkdtemp(prefix="chat-web-t-")
    with A.Service(users={"carol": "secret", "bot": "botpass"},
                   tokens_file=os.path.join(tokens_dir, "tokens"),
                   cors_origins="http://good.example", rate_msgs=1000,
                   rate_burst=1000, ws_ping_interval=600) as svc:
        # (Server pings: t/web-ws.t.  These clients answer them only while
        # the test reads, and a slow build reads seldom.)
        out = svc.chatctl("token", "add", "bot")
        token = out.stdout.strip()
        T.ok(re.fullmatch(r"[0-9a-f]{64}", token) is not None, "chatctl token add prints a token")
        port = svc.start_web()
        http_errors(port)
        alice, bob, nc, sse = interop(svc, port, token)
        metrics(port)
        cors(port)
        logins(svc, port, token)
        no_leftovers(svc, port)
        alice.send({"type": "quit"})
        T.is_(alice.closed()[0], 1000, "quit closes with 1000")
        nc.expect("* alice left (quit)", "and the others see the browser user leave",
                  skip=True)
        sse.close()
        nc.expect(re.compile(r"^\* bot left"), "the bot leaves when its stream ends",
                  skip=True)
        stream = SSE(port, "bot", token, in_query=True)
        T.ok(stream.head.startswith("HTTP/1.1 200") and
             "Content-Type: text/event-stream" in stream.head and
             stream.event()[0] == "welcome",
             "an EventSource's stream: the token as access_token works too")
        stream.close()
        T.ok(token not in open(svc.activators[-1][2], errors="replace").read(),
             "no token is ever written to chat-web's log")
        svc.kill_hub()
        st, _, b = get(port, "/health")
        T.is_((st, json.loads(b)["status"]), (503, "unavailable"),
              "GET /health: 503 unavailable once the hub is gone")
    shutil.rmtree(tokens_dir, ignore_errors=True)
    replace()
    bad_origins()


def replace():
    """duplicate_login = replace: the older connection, of any transport,
    is closed for the newer login."""
    with A.Service(users={"dora": "pw"}, duplicate_login="replace") as svc:
        port = svc.start_web()
        old = WS(port, "dora")
        old.recv()
        old.send({"type": "login", "password": "pw"})
        T.is_(old.recv_until(lambda m: m["type"] == "welcome")[0]["user"], "dora",
              "dora logs in from a browser")
        line = svc.client("dora-line")
        line.send("dora")
        line.send("pw")
        line.expect(re.compile(r"^\* welcome, dora"), "dora logs in again on a line",
                    skip=True)
        code, reason = old.closed()
        T.ok(code == 1008 and reason, "under replace the browser's connection is "
             "closed with 1008 and why (%s)" % reason)
        again = WS(port, "dora")
        again.recv()
        again.send({"type": "login", "password": "pw"})
        T.is_(again.recv_until(lambda m: m["type"] == "welcome")[0]["user"], "dora",
              "and a browser login replaces the line session in turn")
        line.expect(re.compile(r"^! closed"), "whose client is told it was closed",
                    skip=True)


def bad_origins():
    with T.Service(hub=False, accept=False) as svc:
        path = os.path.join(svc.dir, "bad.conf")
        with open(path, "w") as f:
            f.write("shm_name = /x\ncors_origins = http://ok.example, ftp://no\n")
        r = svc.chatctl("-c", path, "stats", conf=False)
        T.ok(r.returncode != 0 and "bad.conf:2" in r.stderr and "ftp://no" in r.stderr,
             "an invalid cors_origins entry is a start-up error naming file:line "
             "(%s)" % r.stderr.strip())


T.main(main)

"""chattest_client -- helpers for the tests of chat-client (t/client-*.t).

Built on chattest and chattest_accounts (which it does not change):

    LineClient(svc, args, env=None)
        chat-client in line mode on pipes; send(line), close_stdin(),
        expect(pattern), expect_nothing(), wait() -> exit status, stderr().
    run_client(svc, args, input=None, env=None) -> CompletedProcess
        chat-client to completion (--send, exit statuses).
    full_screen(run, width=100, **conf)
        the main of a full-screen test: skip without tmux, then
        run(svc, tm, tdir) with a chattest_accounts.Service(**conf) and a
        Tmux in a private directory tdir, all removed however it ends.
    Tmux(dir)
        a private tmux server (its own socket file) running chat-client
        full screen: start(argv, env), type(text), keys(*names),
        screen(), wait_screen(pattern), cursor(), dead_status(), kill().
    stop_service(svc) / restart_service(svc, port)
        kill the hub and the activators (and so every session), then start
        them again on the same port: a server that dies and comes back.
    pause_accepting(svc) / resume_accepting(svc)
        stop and continue the activators (SIGSTOP, SIGCONT): a client that
        connects meanwhile waits in the listen queue for its prompt, for
        as long as the test needs to act before it logs in again.
    HoldingProxy(port)
        a TCP proxy to the server on port (connect the client to its
        .port) that, once hold_after_welcome(line) is called, holds what
        the server sends after the next "* welcome" until the client sends
        a line starting with line: the client is logged in and its first
        commands are not answered yet, for as long as the test needs.

Everything started here is killed however the test ends: line clients
are in the service's list of process groups to kill, tmux servers are
killed by atexit and by their context manager.
"""

import atexit
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import chattest as T

CLIENT = T.program("chat-client")


def check_client():
    if not os.access(CLIENT, os.X_OK):
        T.bail("%s is not built" % CLIENT)


def client_env(svc=None, extra=None):
    """The environment for chat-client: no CHAT_* or NO_COLOR from the
    caller, a UTF-8 locale, CHAT_PORT of svc."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CHAT_") and k != "NO_COLOR"}
    env["LANG"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    if svc is not None:
        env["CHAT_PORT"] = str(svc.port)
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------
# Line mode

class LineClient:
    """chat-client on pipes.  Lines of stdout are read by a thread into a
    queue; stderr goes to a file."""

    def __init__(self, svc, args, env=None, label=None):
        self.label = label or "chat-client %s" % " ".join(args)
        self.errpath = os.path.join(svc.dir, "client-%d.err" % len(svc._extra))
        with open(self.errpath, "wb") as err:
            self.proc = subprocess.Popen([CLIENT] + list(args), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=err,
                                         env=client_env(svc, env),
                                         start_new_session=True)
        svc._extra.append(self.proc)     # killed with the service
        self.lines = queue.Queue()
        self.pushed = []
        self.eof = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "backslashreplace").rstrip("\n"))
        self.lines.put(T.EOF)

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def read_line(self, timeout=T.TIMEOUT):
        if self.pushed:
            return self.pushed.pop(0)
        if self.eof:
            return T.EOF
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is T.EOF:
            self.eof = True
        return line

    def expect(self, pattern, desc=None, timeout=T.TIMEOUT, skip=False):
        """The next line matches pattern (a str: exact; a regex: search);
        with skip=True, some later line does.  Returns it or None."""
        desc = desc or "%s prints %s" % (self.label, T._show(pattern))
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None or line is T.EOF:
                break
            seen.append(line)
            if T._matches(pattern, line):
                if T.ok(skip or len(seen) == 1, desc):
                    return line
                T.diag(*["    seen: %r" % l for l in seen])
                return None
            if not skip:
                break
        T.ok(False, desc)
        T.diag("expected: %s" % T._show(pattern),
               *["    seen: %r" % l for l in seen] or ["    seen: nothing"])
        T.diag("    then: %s" % ("EOF" if line is T.EOF else "nothing"))
        T.diag("  stderr: %r" % self.stderr())
        self.pushed[:0] = seen
        return None

    def expect_nothing(self, desc=None, timeout=T.QUIET):
        line = self.read_line(timeout)
        if T.ok(line is None, desc or "%s prints nothing more" % self.label):
            return True
        T.diag("got: %s" % ("EOF" if line is T.EOF else repr(line)))
        return False

    def rest(self, timeout=T.TIMEOUT):
        """Every line until EOF."""
        lines = []
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None or line is T.EOF:
                return lines
            lines.append(line)

    def wait(self, timeout=T.TIMEOUT):
        """The exit status, or None if it is still running."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stderr(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "backslashreplace")
        except OSError:
            return ""


def run_client(svc, args, input=None, env=None, timeout=20):
    """chat-client ARGS to completion: CompletedProcess (text)."""
    return subprocess.run([CLIENT] + list(args),
                          input=input if input is not None else "",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=client_env(svc, env),
                          timeout=timeout, start_new_session=True)


# ---------------------------------------------------------------------------
# Full screen under tmux

_tmuxes = []


def tmux_path():
    return shutil.which("tmux")


def full_screen(run, width=100, **conf):
    import chattest_accounts as A
    if tmux_path() is None:
        T.skip_all("tmux not found")
    check_client()
    # A short path: a UNIX socket's name is at most 107 bytes.
    base = "/tmp" if len(tempfile.gettempdir()) > 60 else None
    tdir = tempfile.mkdtemp(prefix="chat-tmux-", dir=base)
    try:
        with A.Service(**conf) as svc, Tmux(tdir, width=width) as tm:
            run(svc, tm, tdir)
    finally:
        shutil.rmtree(tdir, ignore_errors=True)


class Tmux:
    """A tmux server of its own (socket in dir) with one session."""

    def __init__(self, dir, width=100, height=30):
        self.dir = dir
        self.socket = os.path.join(dir, "tmux.sock")
        self.conf = os.path.join(dir, "tmux.conf")
        self.width, self.height = width, height
        self.target = "chat"
        self.pane_pid = None
        with open(self.conf, "w") as f:
            f.write("set -g default-terminal screen\n"
                    "set -g status off\n"
                    "set -g remain-on-exit on\n"
                    "set -g history-limit 0\n"
                    "set -g escape-time 0\n")
        _tmuxes.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-S", self.socket, "-f", self.conf] + list(args),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=20)
        if check and r.returncode != 0:
            raise T.HarnessError("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def start(self, argv, env):
        """Run argv (a list) in the session's only pane, under sh, which
        writes its exit status to a file when it ends (tmux's own
        #{pane_dead_status} is sometimes never filled in)."""
        self.status_file = os.path.join(self.dir, "status-%s" %
                                        os.path.basename(self.socket))
        env = dict(env, CHAT_TEST_STATUS=self.status_file)
        cmd = " ".join(_quote(a) for a in
                       ["env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())]
                       + ["sh", "-c", '"$@"; echo $? > "$CHAT_TEST_STATUS"', "sh"]
                       + list(argv))
        self.tmux("new-session", "-d", "-s", self.target, "-x", str(self.width),
                  "-y", str(self.height), cmd)
        self.pane_pid = int(self.tmux("display-message", "-p", "-t", self.target,
                                      "#{pane_pid}").strip())

    def type(self, text):
        """Type text literally."""
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def keys(self, *names):
        """Press keys by tmux name: Enter, Tab, PPage, C-u, ..."""
        self.tmux("send-keys", "-t", self.target, *names)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.target]
        if escapes:
            args.append("-e")
        return self.tmux(*args)

    def rows(self):
        return self.screen().split("\n")

    def input_row(self):
        """The last row of the screen: the input line."""
        rows = self.screen().rstrip("\n").split("\n")
        return rows[self.height - 1] if len(rows) >= self.height else rows[-1]

    def status_row(self):
        rows = self.screen().rstrip("\n").split("\n")
        return rows[self.height - 2] if len(rows) >= self.height else ""

    def wait_screen(self, pattern, timeout=T.TIMEOUT, where=None):
        """Poll the screen (or where(): a function of it) until pattern
        (a regex string) matches; returns the match or None."""
        rx = re.compile(pattern, re.M)
        last = [""]

        def look():
            text = (where or (lambda: self.screen()))()
            last[0] = text
            return rx.search(text)
        m = T.wait_for(look, timeout, step=0.05)
        self.last = last[0]
        return m

    def cursor(self):
        out = self.tmux("display-message", "-p", "-t", self.target,
                        "#{cursor_x} #{cursor_y}")
        x, y = out.split()
        return int(x), int(y)

    def dead_status(self):
        """The exit status of the pane's program once it has exited, else
        None."""
        try:
            with open(self.status_file) as f:
                text = f.read()
        except OSError:
            return None
        return int(text) if text.endswith("\n") else None

    def kill(self):
        if self not in _tmuxes:
            return
        _tmuxes.remove(self)
        server_pid = None
        try:
            server_pid = int(self.tmux("display-message", "-p", "#{pid}",
                                       check=False).strip() or 0) or None
        except (ValueError, subprocess.SubprocessError):
            pass
        try:
            self.tmux("kill-server", check=False)
        except subprocess.SubprocessError:
            pass
        # What kill-server did not end within a moment is killed: the
        # members of the pane's and the server's process groups (each
        # leads one), found in /proc, so that a program that outlived
        # the pane's shell is caught too.  A group's id is not given to
        # a new process while the group has members, so none of these
        # pids can have been reused.
        groups = [p for p in (self.pane_pid, server_pid) if p]
        T.wait_for(lambda: not _group_members(groups), timeout=3)
        for pid in _group_members(groups):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.unlink(self.socket)
        except OSError:
            pass


def _group_members(groups):
    """The live processes whose process group is in groups."""
    return [pid for pid, fields in T.live_processes() if int(fields[2]) in groups]


def _quote(s):
    if re.match(r"^[A-Za-z0-9_./=:,@%+-]+$", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


@atexit.register
def _kill_tmuxes():
    for t in list(_tmuxes):
        t.kill()


# ---------------------------------------------------------------------------
# A server that dies and comes back

def stop_service(svc):
    """Kill the activators (with every session) and the hub, leaving the
    service's directory and configuration for restart_service."""
    for p, _, _ in svc.activators:
        T._killpg(p)
    svc.kill_hub()


def restart_service(svc, port, timeout=10):
    """Start the hub and an activator on port again (the same port the
    clients know).  Returns True when it listens."""
    svc.start_hub()
    logpath = os.path.join(svc.dir, "activator-%d.log" % len(svc.activators))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cmd = [T.socket_activate(), "--accept", "-l", "127.0.0.1:%d" % port,
               "-E", "CHAT_CONF=%s" % svc.conf_path, T.SESSION]
        with open(logpath, "ab") as log:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=log, start_new_session=True)
        svc.activators.append((p, port, logpath))
        if T.wait_for(lambda: T._tcp_listening(port) or p.poll() is not None,
                      timeout=5) and p.poll() is None:
            return True
        time.sleep(0.2)         # the port is not free yet: try again
    return False


def pause_accepting(svc):
    """Stop the activators: new connections wait, sessions run on."""
    for p, _, _ in svc.activators:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGSTOP)


def resume_accepting(svc):
    for p, _, _ in svc.activators:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGCONT)


def session_pid(svc, name):
    """The pid of name's chat-session (chatctl users), or None."""
    _, rows = svc.users_table()
    row = (rows or {}).get(name)
    return int(row["pid"]) if row else None


# ---------------------------------------------------------------------------
# Answers held back

class HoldingProxy:
    """A TCP proxy to 127.0.0.1:port, a thread pair per connection."""

    def __init__(self, port):
        self.server_port = port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.hold_until = None          # armed: the releasing line, bytes
        threading.Thread(target=self._accept, daemon=True).start()

    def hold_after_welcome(self, line):
        with self.lock:
            self.hold_until = line.encode()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.server_port))
            conn = {"client": client, "held": None}     # held: a list
            threading.Thread(target=self._down, args=(conn, server),
                             daemon=True).start()
            threading.Thread(target=self._up, args=(conn, server),
                             daemon=True).start()

    def close(self):
        self.listener.close()

    def _down(self, conn, server):
        """The server's lines to the client, held while conn["held"]."""
        try:
            for line in server.makefile("rb"):
                with self.lock:
                    if conn["held"] is not None:
                        conn["held"].append(line)
                        continue
                    conn["client"].sendall(line)
                    if self.hold_until is not None and line.startswith(b"* welcome"):
                        conn["held"], conn["until"] = [], self.hold_until
                        self.hold_until = None
        except OSError:
            pass
        _shut(conn["client"])

    def _up(self, conn, server):
        """The client's lines to the server; the releasing one lets the
        held lines go."""
        try:
            for line in conn["client"].makefile("rb"):
                server.sendall(line)
                with self.lock:
                    if conn["held"] is not None and line.startswith(conn["until"]):
                        conn["client"].sendall(b"".join(conn["held"]))
                        conn["held"] = None
        except OSError:
            pass
        _shut(server)


def _shut(sock):
    """End both ways (close alone would wait for the other thread's
    reader) and close."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()

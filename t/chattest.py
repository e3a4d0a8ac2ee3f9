"""chattest -- the harness of chat's integration tests (t/*.t).

Owns TAP output, a private chat service per test file (hub, activators,
config, shared-memory name, runtime directory, port) and a line-oriented
test client.  Python 3 standard library only.

A test file looks like:

    import os, sys
    sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR", ...), "t"))
    import chattest as T

    def main():
        with T.Service() as svc:
            a = svc.client("a")
            a.login("alice")
            ...

    T.main(main)

TAP: plan, ok, is_, like, diag, skip, skip_all, bail, done (late plan;
exit 1 if anything failed); main(func) turns an exception into a failure.

Service(hub=True, accept=True, **conf): own temporary directory (the
runtime dir inside it), shm_name "/chat-t-<pid>-<random>", free port,
chat.conf with the given keys.  start_hub(env=None) / kill_hub(sig) /
run_hub(conf) (a second hub, run to completion),
start_activator(inetd=False) -> port, client(label, port=None,
prompt=True), chatctl(*args), users(), user_names(), user_pid(name),
stats(), session_pid(client) (from /proc: the session process holding
the server end of the client's socket).

Client: send(line, end="\n"), send_raw(bytes), expect(pattern),
expect_lines([patterns]), expect_nothing(), expect_eof(), read_line(),
expect_bytes(data) (raw bytes before any line, e.g. telnet answers),
login(name, others=None), close(), shutdown_write().  A str pattern is an
exact line, a compiled regex (rx()) is searched.  An expect that fails
reports the lines seen; lines are read until the (last) pattern matches,
so one extra line does not shift every later expectation, and lines read
when the pattern never came are kept for the next expectation.

Readiness is always a condition polled against a deadline (a socket that
accepts, a line in a log, /proc/net/tcp), never a fixed sleep.
Everything a Service starts runs in its own process group and is killed,
with the segment and the temporary directory removed, however the test
ends (normal exit, exception, SIGINT/SIGTERM/SIGHUP).

Environment: CHAT_BUILDDIR (programs; default the source tree),
CHAT_SRCDIR, CHAT_TEST_TIMEOUT (expect deadline, 5 s), CHAT_TEST_QUIET
(expect_nothing window, 0.3 s), CHAT_TEST_KEEP=1 (keep the temporary
directory), CHAT_TEST_LOGS=0 (no hub and session logs after a failure).
"""

import atexit
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

# ---------------------------------------------------------------------------
# TAP

_count = 0
_failed = 0
_planned = None
_done = False

TIMEOUT = float(os.environ.get("CHAT_TEST_TIMEOUT", "5"))  # expect deadline
QUIET = float(os.environ.get("CHAT_TEST_QUIET", "0.3"))    # expect_nothing window
SEND_TIMEOUT = 30

try:
    sys.stdout.reconfigure(errors="backslashreplace", line_buffering=True)
except AttributeError:      # Python < 3.7
    pass


def _clean(desc):
    """A TAP description: one line, '#' escaped (it starts a directive)."""
    desc = str(desc).replace("\\", "\\\\").replace("#", "\\#")
    return " ".join(desc.splitlines())


def plan(n):
    global _planned
    _planned = n
    print("1..%d" % n)


def diag(*lines):
    for text in lines:
        for line in str(text).splitlines() or [""]:
            print("# " + line)


def ok(cond, desc=""):
    """One TAP result; returns cond as a bool."""
    global _count, _failed
    _count += 1
    if not cond:
        _failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", _count, _clean(desc)))
    return bool(cond)


def is_(got, want, desc=""):
    """Equality with diagnostics."""
    if ok(got == want, desc):
        return True
    diag("     got: %r" % (got,), "expected: %r" % (want,))
    return False


def like(got, pattern, desc=""):
    """got (a string) matches the regular expression pattern (re.search)."""
    if ok(got is not None and re.search(pattern, got) is not None, desc):
        return True
    diag("     got: %r" % (got,), "expected to match: %r" % (pattern,))
    return False


def skip(reason, count=1):
    global _count
    for _ in range(count):
        _count += 1
        print("ok %d # SKIP %s" % (_count, _clean(reason)))


def skip_all(reason):
    global _done
    print("1..0 # SKIP %s" % _clean(reason))
    _done = True
    sys.exit(0)


def bail(reason):
    global _done
    print("Bail out! %s" % _clean(reason))
    _done = True
    _cleanup_all()
    sys.exit(1)


def failures():
    return _failed


def done():
    """Print the late plan (unless planned) and exit: 1 if anything failed."""
    global _done, _failed
    _cleanup_all()
    if not _done:
        _done = True
        if _planned is None:
            print("1..%d" % _count)
        elif _planned != _count:
            diag("planned %d tests but ran %d" % (_planned, _count))
            _failed += 1
    sys.stdout.flush()
    sys.exit(1 if _failed else 0)


def main(func):
    """Run func() as a test file: exceptions become failures, then done()."""
    _install_signals()
    try:
        func()
    except SystemExit:
        raise
    except BaseException:
        ok(False, "test script ran to the end without an exception")
        diag(traceback.format_exc())
    done()


# ---------------------------------------------------------------------------
# Waiting for conditions

def wait_for(cond, timeout=TIMEOUT, step=0.01):
    """Poll cond() until it returns a true value or the deadline passes.
    Returns the last value of cond()."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


# ---------------------------------------------------------------------------
# Programs

def live_processes():
    """(pid, fields) of every live process (not a zombie): fields are
    /proc/PID/stat's after the command name (state, ppid, pgrp, ...)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z":
            yield int(entry), fields


def _srcdir():
    return os.environ.get("CHAT_SRCDIR") or \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _builddir():
    return os.environ.get("CHAT_BUILDDIR") or _srcdir()


def program(name):
    return os.path.join(_builddir(), name)


HUBD = program("chat-hubd")
SESSION = program("chat-session")
CHATCTL = program("chatctl")


def socket_activate():
    found = os.environ.get("SOCKET_ACTIVATE") or shutil.which("systemd-socket-activate")
    for path in (found, "/usr/bin/systemd-socket-activate",
                 "/lib/systemd/systemd-socket-activate",
                 "/usr/lib/systemd/systemd-socket-activate"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def check_prerequisites():
    """skip_all or bail when the suite cannot run here."""
    if socket_activate() is None:
        skip_all("systemd-socket-activate not found")
    if not os.path.isdir("/dev/shm"):
        skip_all("no /dev/shm")
    for path in (HUBD, SESSION, CHATCTL):
        if not os.access(path, os.X_OK):
            bail("%s is not built (CHAT_BUILDDIR=%s)" % (path, _builddir()))


# ---------------------------------------------------------------------------
# Cleanup of everything started

_services = []
_stopping = 0


def _cleanup_all():
    for svc in list(_services):
        svc.stop()


def _on_signal(signum, frame):
    # Unwind through every finally: the services are stopped on the way
    # out and again by atexit (stop is idempotent).  A signal during a
    # stop must not cut it short.
    if _stopping:
        return
    raise SystemExit(128 + signum)


def _install_signals():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


atexit.register(_cleanup_all)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "backslashreplace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


class HarnessError(Exception):
    pass


# ---------------------------------------------------------------------------
# A private chat service

class Service:
    """A config file, a hub and socket activators of its own.

    Service(hub=True, accept=True, hub_nofile=None, **conf): conf keys
    go to chat.conf (max_sessions=3, max_line=..., ...); hub_nofile sets
    the hub's descriptor limit (soft and hard).  svc.port is the port of
    the first --accept activator.
    """

    def __init__(self, hub=True, accept=True, hub_nofile=None, **conf):
        check_prerequisites()
        base = None
        if len(tempfile.gettempdir()) > 60:
            base = "/tmp"       # runtime_dir must stay < 100 bytes
        self.dir = tempfile.mkdtemp(prefix="chat-t-", dir=base)
        self.runtime_dir = os.path.join(self.dir, "run")
        self.shm_name = "/chat-t-%d-%s" % (os.getpid(), secrets.token_hex(4))
        self.conf_path = os.path.join(self.dir, "chat.conf")
        self.conf = {"shm_name": self.shm_name, "runtime_dir": self.runtime_dir,
                     "log_level": "info"}
        self.conf.update(conf)
        self.write_conf(self.conf_path, self.conf)
        self.hub = None
        self.hub_nofile = hub_nofile
        self.hub_log = os.path.join(self.dir, "hub.log")
        self.activators = []    # (Popen, port, log path)
        self._extra = []        # other process groups to kill at stop
        self._stopped = False
        self._dump = False
        self._clients = []
        self.port = None
        _services.append(self)
        try:
            if hub:
                self.start_hub()
            if accept:
                self.port = self.start_activator()
        except BaseException:
            self.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not issubclass(exc_type, SystemExit):
            self._dump = True       # main() reports the exception after us
        self.stop()
        return False

    @staticmethod
    def write_conf(path, conf):
        with open(path, "w") as f:
            f.write("# written by t/chattest.py\n")
            for key, value in conf.items():
                f.write("%s = %s\n" % (key, value))

    # -- the hub --------------------------------------------------------

    def hub_socket(self):
        return os.path.join(self.runtime_dir, "hub.sock")

    def _hub_accepts(self, path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def start_hub(self, timeout=10, env=None):
        """Start chat-hubd (env: variables to add to its environment) and
        wait until its control socket accepts."""
        if self.hub is not None and self.hub.poll() is None:
            raise HarnessError("hub already running")
        log = open(self.hub_log, "ab")
        try:
            self.hub = subprocess.Popen([HUBD, "-c", self.conf_path],
                                        stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=log, start_new_session=True,
                                        env=dict(os.environ, **(env or {})),
                                        preexec_fn=self._hub_limits)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while not self._hub_accepts(self.hub_socket()):
            if self.hub.poll() is not None:
                raise HarnessError("chat-hubd exited with %s at start-up:\n%s" % (
                    self.hub.returncode, "\n".join(_tail(self.hub_log))))
            if time.monotonic() > deadline:
                raise HarnessError("chat-hubd not ready after %ss" % timeout)
            time.sleep(0.01)
        return self.hub.pid

    def _hub_limits(self):
        if self.hub_nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE,
                               (self.hub_nofile, self.hub_nofile))

    def kill_hub(self, sig=signal.SIGKILL):
        """Kill the hub (SIGKILL by default) and reap it."""
        if self.hub is None:
            return None
        try:
            os.kill(self.hub.pid, sig)
        except ProcessLookupError:
            pass
        rc = self.hub.wait(timeout=10)
        return rc

    def run_hub(self, conf_path=None, timeout=10):
        """Run another chat-hubd to completion (for refusal tests): returns
        (exit status or None if it had to be killed, stderr text)."""
        errpath = os.path.join(self.dir, "hub-extra-%d.err" % len(self._extra))
        with open(errpath, "wb") as err:
            p = subprocess.Popen([HUBD, "-c", conf_path or self.conf_path],
                                 stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                 start_new_session=True)
        self._extra.append(p)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _killpg(p)
            rc = None
        with open(errpath, "rb") as f:
            return rc, f.read().decode("utf-8", "backslashreplace")

    # -- activators -------------------------------------------------------

    def start_activator(self, inetd=False, timeout=10, prog=None):
        """Start systemd-socket-activate (--accept, or --inetd -a) on a free
        port for chat-session (or prog); wait for its "Listening on" line.
        Returns the port."""
        for attempt in range(5):
            port = free_port()
            logpath = os.path.join(self.dir, "activator-%d.log" % len(self.activators))
            mode = ["--inetd", "-a"] if inetd else ["--accept"]
            cmd = [socket_activate()] + mode + [
                "-l", "127.0.0.1:%d" % port, "-E", "CHAT_CONF=%s" % self.conf_path,
                prog or SESSION]
            with open(logpath, "wb") as log:
                p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, start_new_session=True)
            self.activators.append((p, port, logpath))
            want = "Listening on 127.0.0.1:%d" % port
            deadline = time.monotonic() + timeout
            while True:
                if any(want in line for line in _tail(logpath, 20)) or \
                        _tcp_listening(port):
                    return port
                if p.poll() is not None:
                    break           # port taken meanwhile? try another
                if time.monotonic() > deadline:
                    raise HarnessError("activator not listening after %ss" % timeout)
                time.sleep(0.01)
        raise HarnessError("systemd-socket-activate failed:\n" +
                           "\n".join(_tail(logpath)))

    def start_web(self, inetd=False):
        """Start chat-web under its own activator; returns its port."""
        return self.start_activator(inetd=inetd, prog=program("chat-web"))

    # -- clients and tools ------------------------------------------------

    def client(self, label=None, port=None, prompt=True):
        """Connect a Client; with prompt=True also expect "? name:"
        (silently, failing only if it does not come)."""
        c = Client(port or self.port, label=label, service=self)
        self._clients.append(c)
        if prompt:
            c.wait_prompt()
        return c

    def chatctl(self, *args, conf=True, env=None, timeout=10):
        """Run chatctl -c CONF ARGS (conf=False: no -c); env: variables to
        add.  Returns a CompletedProcess (text)."""
        cmd = [CHATCTL] + (["-c", self.conf_path] if conf else []) + list(args)
        full_env = dict(os.environ)
        full_env.pop("CHAT_CONF", None)
        full_env.update(env or {})
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              env=full_env, timeout=timeout)

    def users(self):
        """chatctl users as (header line, [row dicts]), or None if it
        failed.  Rows are read by the header's column names (a row's
        CONNECTED is two words: date and time); each row also has "raw".
        A row that does not fit the header has only "raw"."""
        r = self.chatctl("users")
        if r.returncode != 0:
            diag("chatctl users exited %d: %s" % (r.returncode, r.stderr.strip()))
            return None
        lines = r.stdout.splitlines()
        if not lines:
            return None, []
        columns = [c.lower() for c in lines[0].split()]
        rows = []
        for line in lines[1:]:
            words = line.split()
            row = {"raw": line}
            if len(words) == len(columns) + ("connected" in columns):
                for col in columns:
                    if col == "connected":
                        row[col] = words.pop(0) + " " + words.pop(0)
                    else:
                        row[col] = words.pop(0)
            rows.append(row)
        return lines[0], rows

    def user_pid(self, name):
        """The PID column of name's row in chatctl users (an int), or None."""
        u = self.users()
        for row in (u[1] if u else []):
            if row.get("name") == name:
                return int(row["pid"])
        return None

    def user_names(self):
        u = self.users()
        return None if u is None else sorted(r.get("name", r["raw"]) for r in u[1])

    def stats(self):
        """chatctl stats as a dict of "key: value" lines."""
        r = self.chatctl("stats")
        out = {}
        for line in r.stdout.splitlines():
            key, _, value = line.partition(":")
            out.setdefault(key.strip(), value.strip())
        return out

    def session_pids(self):
        """Pids of the chat-session processes of this service's activators."""
        parents = {p.pid for p, _, _ in self.activators}
        return [pid for pid, fields in live_processes()
                if int(fields[1]) in parents]

    def session_pid(self, client, timeout=TIMEOUT):
        """Pid of the chat-session serving client, found through /proc:
        the server end of the client's TCP connection, then the session
        process holding that socket."""
        def find():
            inode = _server_inode(client.peer_port, client.local_port)
            if inode is None:
                return None
            want = "socket:[%s]" % inode
            for pid in self.session_pids():
                fddir = "/proc/%d/fd" % pid
                try:
                    for fd in os.listdir(fddir):
                        if os.readlink(os.path.join(fddir, fd)) == want:
                            return pid
                except OSError:
                    continue
            return None
        return wait_for(find, timeout)

    # -- stopping ---------------------------------------------------------

    def dump_logs(self):
        diag("--- %s (hub) ---" % self.hub_log)
        diag(*_tail(self.hub_log))
        for _, _, path in self.activators:
            diag("--- %s (activator and sessions) ---" % path)
            diag(*_tail(path))

    def stop(self):
        global _stopping
        if self._stopped:
            return
        self._stopped = True
        _stopping += 1
        try:
            self._stop()
        finally:
            _stopping -= 1

    def _stop(self):
        # Every step runs whatever the one before did (a closed stdout
        # must not leave processes, a segment or files behind).
        for c in self._clients:
            c.close()
        procs = [p for p, _, _ in self.activators] + self._extra
        if self.hub is not None:
            procs.append(self.hub)
        for p in procs:
            try:
                _killpg(p)
            except Exception:
                pass
        try:
            if (_failed or self._dump) and os.environ.get("CHAT_TEST_LOGS", "1") != "0":
                self.dump_logs()
        except Exception:
            pass
        try:
            os.unlink("/dev/shm/" + self.shm_name.lstrip("/"))
        except OSError:
            pass
        if os.environ.get("CHAT_TEST_KEEP"):
            try:
                diag("kept %s" % self.dir)
            except Exception:
                pass
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if self in _services:
            _services.remove(self)


def _killpg(p):
    """SIGKILL p's whole process group (its sessions too) and reap p.
    Not once p is reaped: its pid might then name someone else's group."""
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _tcp_listening(port):
    """Someone listens on 127.0.0.1:port (from /proc/net/tcp, no probe:
    a probing connection would start a session)."""
    local = "0100007F:%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            return any(l.split()[1] == local and l.split()[3] == "0A" for l in f)
    except OSError:
        return False


def _server_inode(server_port, client_port):
    """Inode of the socket 127.0.0.1:server_port <- 127.0.0.1:client_port."""
    local = "0100007F:%04X" % server_port
    remote = "0100007F:%04X" % client_port
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                f_ = line.split()
                if f_[1] == local and f_[2] == remote:
                    return f_[9]
    except OSError:
        pass
    return None


# ---------------------------------------------------------------------------
# A client

EOF = object()


class Client:
    """A line-oriented TCP client.  Lines are str (UTF-8; bytes that are not
    are kept as surrogate escapes) without their "\\n"."""

    def __init__(self, port, label=None, service=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.local_port = self.sock.getsockname()[1]
        self.peer_port = port
        self.label = label or "client:%d" % self.local_port
        self.service = service
        self.name = None
        self.buf = b""
        self.eof = False
        self.closed = False
        self.partial = None     # bytes left without "\n" at EOF
        self.pushed = []        # lines read but not consumed by a failed expect

    def __repr__(self):
        return "<Client %s>" % self.label

    @property
    def peer(self):
        return "127.0.0.1:%d" % self.local_port

    # -- sending ----------------------------------------------------------

    def send(self, line, end="\n"):
        """Send line (str or bytes) followed by end."""
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        end = end if isinstance(end, bytes) else end.encode("utf-8")
        self.send_raw(data + end)

    def send_raw(self, data):
        self.sock.settimeout(SEND_TIMEOUT)     # reads leave a short one
        self.sock.sendall(data)

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    # -- receiving --------------------------------------------------------

    def _fill(self, deadline):
        """Read more into buf; False on timeout.  Sets eof."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return True
        self.buf += data
        return True

    def read_line(self, timeout=TIMEOUT):
        """The next line, EOF, or None if nothing came before the deadline."""
        if self.pushed:
            return self.pushed.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1:]
                return line.decode("utf-8", "surrogateescape")
            if self.eof:
                if self.buf:
                    self.partial, self.buf = self.buf, b""
                return EOF
            if self.closed or not self._fill(deadline):
                return None

    def _collect(self, last, timeout):
        """Read lines until one matches last: (lines, None), or (lines, why)
        at EOF or the deadline.  Unmatched lines are pushed back so that
        a missing line does not make every later expectation fail."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None or line is EOF:
                why = "no matching line within %ss" % timeout
                if line is EOF:
                    why = "connection closed"
                    if self.partial:
                        why += " after an unterminated line %s" % _short(self.partial.decode("utf-8", "surrogateescape"))
                self.pushed[:0] = seen
                return seen, why
            seen.append(line)
            if _matches(last, line):
                return seen, None

    def expect_lines(self, patterns, desc=None, timeout=TIMEOUT, skip=False):
        """Assert that the next lines match patterns (a str: exact; a
        compiled regex: re.search), in order, with nothing between.  Lines
        are read until one matches the last pattern, so an extra line
        does not shift later expectations.  skip=True: only the last
        pattern must come, whatever precedes it.  Returns the lines read,
        or None after a failure."""
        seen, why = self._collect(patterns[-1], timeout)
        if desc is None:
            desc = "%s gets %s" % (self.label, ", ".join(_show(p) for p in patterns))
        if skip:
            good = why is None
        else:
            good = why is None and len(seen) == len(patterns) and \
                all(_matches(p, l) for p, l in zip(patterns, seen))
        if ok(good, desc):
            return seen
        diag("%s: %s" % (self.label, why or "other lines than expected"))
        _diag_lines(patterns, seen)
        return None

    def expect(self, pattern, desc=None, timeout=TIMEOUT, skip=False):
        """Assert that the next line is pattern (see expect_lines).
        Returns the line, or None after a failure."""
        seen = self.expect_lines([pattern], desc, timeout, skip)
        return seen[-1] if seen else None

    def expect_bytes(self, want, desc, timeout=TIMEOUT):
        """Assert that the next bytes are exactly want (no line before
        them): raw answers such as telnet negotiation."""
        deadline = time.monotonic() + timeout
        while len(self.buf) < len(want) and not self.eof and self._fill(deadline):
            pass
        got = self.buf[:len(want)]
        if ok(got == want, desc):
            self.buf = self.buf[len(want):]
            return True
        diag("     got: %r%s" % (got, " (then EOF)" if self.eof else ""),
             "expected: %r" % want)
        return False

    def expect_nothing(self, desc=None, timeout=QUIET):
        """Assert that no line (and no EOF) arrives within timeout."""
        line = self.read_line(timeout)
        if desc is None:
            desc = "%s gets nothing more" % self.label
        if ok(line is None, desc):
            return True
        extra = []
        if line is not EOF:
            more = self.read_line(0.05)
            while more is not None and more is not EOF:
                extra.append(more)
                more = self.read_line(0.05)
        diag("%s got: %s" % (self.label, _short(line)))
        diag(*["    and: %s" % _short(l) for l in extra])
        return False

    def expect_eof(self, desc=None, timeout=TIMEOUT):
        """Assert that the server closes the connection with no more lines."""
        if desc is None:
            desc = "%s: the server closes the connection" % self.label
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is EOF or line is None:
                break
            seen.append(line)
        good = line is EOF and not seen and not self.partial
        if ok(good, desc):
            return True
        if line is None:
            diag("%s: still open after %ss" % (self.label, timeout))
        if self.partial:
            diag("%s: unterminated last line %s" % (self.label, _short(self.partial.decode("utf-8", "surrogateescape"))))
        diag(*["    seen: %s" % _short(l) for l in seen])
        return False

    def is_open(self, timeout=0.05):
        """True unless the server has closed the connection (reads and
        keeps any pending lines)."""
        if self.eof:
            return False
        self._fill(time.monotonic() + timeout)
        return not self.eof

    # -- helpers ----------------------------------------------------------

    def wait_prompt(self, timeout=TIMEOUT):
        """Read the name prompt; only a missing prompt is reported."""
        line = self.read_line(timeout)
        if line != "? name:":
            ok(False, "%s gets the name prompt" % self.label)
            diag("%s got %s" % (self.label, _short(line)))
            raise HarnessError("%s: no name prompt" % self.label)

    def login(self, name, others=None, desc=None):
        """Send name (the prompt already read) and expect the welcome; with
        others, the welcome must say that many others are online."""
        self.send(name)
        if others is None:
            want = re.compile(r"^\* welcome, %s \(\d+ others? online; /help for commands\)$"
                              % re.escape(name))
        else:
            want = "* welcome, %s (%d other%s online; /help for commands)" % (
                name, others, "" if others == 1 else "s")
        line = self.expect(want, desc or "%s logs in as %s" % (self.label, name))
        if line is not None:
            self.name = name
        return line


def _short(line, limit=100):
    """repr of a line, long ones cut in the middle."""
    if line is EOF:
        return "EOF"
    if len(line) > limit:
        return "%r...%r (%d characters)" % (line[:limit // 2], line[-20:], len(line))
    return repr(line)


def _diag_lines(patterns, seen, context=3):
    """Expected and seen lines; for long lists only around the first
    difference."""
    first = 0
    while first < min(len(patterns), len(seen)) and _matches(patterns[first], seen[first]):
        first += 1
    lo = 0 if len(patterns) + len(seen) <= 12 else max(0, first - context)
    hi = len(patterns) + len(seen) if lo == 0 else first + context + 1
    if lo > 0:
        diag("(the first %d lines match)" % lo)
    diag(*["expected: %s" % _show(p) for p in patterns[lo:hi]] or ["expected: nothing"])
    if len(patterns) > hi:
        diag("          ... %d more" % (len(patterns) - hi))
    diag(*["    seen: %s" % _short(l) for l in seen[lo:hi]] or ["    seen: nothing"])
    if len(seen) > hi:
        diag("          ... %d more" % (len(seen) - hi))


def _matches(pattern, line):
    if isinstance(pattern, str):
        return line == pattern
    return pattern.search(line) is not None


def _show(pattern):
    if isinstance(pattern, str):
        return _short(pattern)
    return "/%s/" % pattern.pattern


def rx(pattern):
    """Shorthand for re.compile."""
    return re.compile(pattern)

"""chattest_faults -- helpers of the fault and robustness tests.

Used by the fault and robustness tests (t/faults.t, t/hub-restart.t,
t/slow-reader.t, ...) and those that read or write the segment by hand
(t/version.t, t/safety-net.t, t/segment-owner.t) on top of t/chattest.py
(which it does not change):

  FaultService   a chattest.Service whose sessions get extra environment
                 variables (-E of systemd-socket-activate), and a private
                 CHAT_FAULT_DIR for the fault-injection points
  stats/users/groups   chatctl ... --json, parsed
  Bulk           many raw connections driven from one select loop
  resources()    what a service holds: hub fds, sessions, segment size
  layout()       the segment's constants, sizes and field offsets, from
                 t/layout-probe: tests never hard-code an offset

Python 3 standard library only.  Waiting is always a polled condition
against a deadline.
"""

import json
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import time

import chattest as T


# ---------------------------------------------------------------------------
# Build facts

def fault_injection_built():
    """True when $CHAT_BUILDDIR/config.h has FAULT_INJECTION."""
    path = os.path.join(T._builddir(), "config.h")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return False
    return re.search(r"^#define FAULT_INJECTION 1\b", text, re.M) is not None


class Layout:
    """lib/shm_layout.h as numbers, as t/layout-probe prints them:
    const["SHM_LAYOUT_VERSION"], size["shm_slot"], and fields named
    "STRUCT.FIELD" to read and write in a buffer (a mapped segment, bytes
    read from it) at base + the field's offset."""

    def __init__(self, text):
        self.const, self.size, self.fields = {}, {}, {}
        for line in text.splitlines():
            kind, name, *values = line.split()
            if kind == "const":
                self.const[name] = int(values[0])
            elif kind == "size":
                self.size[name] = int(values[0])
            elif kind == "field":
                offset, size, code = int(values[0]), int(values[1]), values[2]
                if code == "s":
                    code = "%ds" % size
                self.fields[name] = (offset, "=" + code)

    def offset(self, field):
        return self.fields[field][0]

    def pack(self, field, value):
        """The bytes of value as field holds them."""
        return struct.pack(self.fields[field][1], value)

    def read(self, buf, field, base=0):
        offset, code = self.fields[field]
        return struct.unpack_from(code, buf, base + offset)[0]

    def write(self, buf, field, value, base=0):
        offset, code = self.fields[field]
        struct.pack_into(code, buf, base + offset, value)


_layout = None


def layout():
    """The Layout the programs were built with (t/layout-probe, built by
    make check against the same lib/shm_layout.h); bails without it."""
    global _layout
    if _layout is None:
        probe = T.program(os.path.join("t", "layout-probe"))
        try:
            out = subprocess.run([probe], capture_output=True, text=True,
                                 check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            T.bail("%s: %s (make check builds it)" % (probe, e))
        _layout = Layout(out)
    return _layout


# ---------------------------------------------------------------------------
# A service with extra session environment

class FaultService(T.Service):
    """T.Service whose activators pass session_env (a dict) to every
    chat-session with -E, plus CHAT_FAULT_DIR=<private dir> when
    faults=True.  The hub gets CHAT_FAULT_DIR only with hub_faults=True
    (then it too stops at fault points); otherwise only sessions do."""

    def __init__(self, faults=False, session_env=None, hub_faults=False, **conf):
        self.session_env = dict(session_env or {})
        self.fault_dir = None
        self.hub_faults = hub_faults
        super().__init__(hub=False, accept=False, **conf)
        try:
            if faults:
                self.fault_dir = os.path.join(self.dir, "faults")
                os.mkdir(self.fault_dir)
                self.session_env["CHAT_FAULT_DIR"] = self.fault_dir
            self.start_hub()
            self.port = self.start_activator()
        except BaseException:
            self.stop()
            raise

    def start_hub(self, timeout=10, env=None):
        """As T.Service.start_hub; with hub_faults, CHAT_FAULT_DIR is in the
        hub's environment too."""
        if self.hub_faults and self.fault_dir:
            env = dict(env or {}, CHAT_FAULT_DIR=self.fault_dir)
        return super().start_hub(timeout, env)

    def start_activator(self, inetd=False, timeout=10):
        """As T.Service.start_activator, with the -E options of
        session_env."""
        extra = []
        for key, value in sorted(self.session_env.items()):
            extra += ["-E", "%s=%s" % (key, value)]
        for attempt in range(5):
            port = T.free_port()
            logpath = os.path.join(self.dir, "activator-%d.log" % len(self.activators))
            mode = ["--inetd", "-a"] if inetd else ["--accept"]
            cmd = [T.socket_activate()] + mode + [
                "-l", "127.0.0.1:%d" % port, "-E", "CHAT_CONF=%s" % self.conf_path] + \
                extra + [T.SESSION]
            with open(logpath, "wb") as log:
                p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, start_new_session=True)
            self.activators.append((p, port, logpath))
            want = "Listening on 127.0.0.1:%d" % port
            deadline = time.monotonic() + timeout
            while True:
                if any(want in line for line in T._tail(logpath, 20)):
                    return port
                if p.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    raise T.HarnessError("activator not listening after %ss" % timeout)
                time.sleep(0.01)
        raise T.HarnessError("systemd-socket-activate failed:\n" +
                             "\n".join(T._tail(logpath)))

    # -- fault points -----------------------------------------------------

    def arm(self, name):
        """Make the next process reaching fault_point(name) stop there."""
        for leftover in ("stopped-" + name, "stopped-%s.tmp" % name):
            try:
                os.unlink(os.path.join(self.fault_dir, leftover))
            except FileNotFoundError:
                pass
        with open(os.path.join(self.fault_dir, "fault-" + name), "w"):
            pass

    def armed(self, name):
        return os.path.exists(os.path.join(self.fault_dir, "fault-" + name))

    def disarm(self, name):
        try:
            os.unlink(os.path.join(self.fault_dir, "fault-" + name))
        except FileNotFoundError:
            pass

    def stopped_pid(self, name, timeout=T.TIMEOUT):
        """The pid that stopped at fault point name (and is stopped now),
        or None."""
        path = os.path.join(self.fault_dir, "stopped-" + name)

        def find():
            try:
                with open(path) as f:
                    pid = int(f.read().strip() or 0)
            except (OSError, ValueError):
                return None
            return pid if pid and proc_state(pid) == "T" else None
        return T.wait_for(find, timeout)


# ---------------------------------------------------------------------------
# chatctl, parsed

def _json(svc, verb):
    r = svc.chatctl(verb, "--json")
    if r.returncode != 0:
        T.diag("chatctl %s --json exited %d: %s" % (verb, r.returncode, r.stderr.strip()))
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        T.diag("chatctl %s --json printed no JSON: %r" % (verb, r.stdout[:200]))
        return None


def stats(svc):
    """chatctl stats --json as a dict (None if it failed)."""
    return _json(svc, "stats")


def users(svc):
    """chatctl users --json: {name: row} (None if it failed)."""
    rows = _json(svc, "users")
    return None if rows is None else {r["name"]: r for r in rows}


def groups(svc):
    """chatctl groups --json: {group: row} (None if it failed)."""
    rows = _json(svc, "groups")
    return None if rows is None else {r["name"]: r for r in rows}


def user_names(svc):
    u = users(svc)
    return None if u is None else sorted(u)


def slots_in_use(svc):
    """(chatting, logging in) from chatctl stats, or None."""
    s = stats(svc)
    return None if s is None else (s.get("sessions"), s.get("sessions_logging_in"))


def wait_value(func, want, timeout=T.TIMEOUT, step=0.02):
    """Poll func() until it returns want or the deadline passes.  Returns
    (last value, seconds waited)."""
    start = time.monotonic()
    got = T.wait_for(lambda: _Eq(func(), want), timeout, step)
    return got.value, time.monotonic() - start


class _Eq:
    def __init__(self, value, want):
        self.value, self.want = value, want

    def __bool__(self):
        return self.value == self.want


# ---------------------------------------------------------------------------
# Processes and resources

def proc_state(pid):
    """The one-letter state of pid ("R", "S", "T", "Z", ...), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()[0]


def alive(pid):
    state = proc_state(pid)
    return state is not None and state != "Z"


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def holds_eventfd(pid):
    """True once process pid holds an eventfd: a session has its wake-up
    fd once the hub has answered its registration."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except (OSError, TypeError):
        return False
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "anon_inode:[eventfd]":
                return True
        except OSError:
            pass
    return False


def processes_of(svc):
    """Pids of live chat processes started for svc (hub, sessions, others),
    found by the CHAT_CONF or -c FILE naming svc's config -- whoever their
    parent is now."""
    found = []
    want_env = ("CHAT_CONF=%s" % svc.conf_path).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = f.read().split(b"\0")
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if not cmd or not cmd[0]:
            continue
        prog = os.path.basename(cmd[0].decode("utf-8", "replace"))
        if not prog.startswith("chat"):
            continue
        if want_env in env or svc.conf_path.encode() in cmd:
            if alive(pid):
                found.append(pid)
    return sorted(found)


def session_processes(svc):
    """Live chat-session processes of svc, wherever reparented."""
    out = []
    for pid in processes_of(svc):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip().startswith("chat-session"):
                    out.append(pid)
        except OSError:
            pass
    return out


def shm_path(svc):
    return "/dev/shm/" + svc.shm_name.lstrip("/")


def shm_size(svc):
    try:
        return os.stat(shm_path(svc)).st_size
    except OSError:
        return None


def resources(svc):
    """What the service holds now: a dict to compare before/after."""
    s = stats(svc) or {}
    return {
        "hub alive": svc.hub is not None and svc.hub.poll() is None,
        "hub fds": fd_count(svc.hub.pid) if svc.hub is not None else None,
        "sessions": len(session_processes(svc)),
        "slots chatting": s.get("sessions"),
        "slots logging in": s.get("sessions_logging_in"),
        "groups": s.get("groups"),
        "segment bytes": shm_size(svc),
    }


def log_text(svc):
    """The hub's and activators' logs, as one string."""
    parts = []
    for path in [svc.hub_log] + [p for _, _, p in svc.activators]:
        try:
            with open(path, "rb") as f:
                parts.append(f.read().decode("utf-8", "backslashreplace"))
        except OSError:
            pass
    return "\n".join(parts)


def kill(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def wait_gone(pid, timeout=T.TIMEOUT):
    """True once pid is gone or a zombie."""
    return T.wait_for(lambda: not alive(pid), timeout)


# ---------------------------------------------------------------------------
# Many connections from one loop

class Conn:
    """A raw connection: lines read are kept in .lines (str)."""

    def __init__(self, port, label, rcvbuf=None):
        self.label = label
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.local_port = self.sock.getsockname()[1]
        self.buf = b""
        self.lines = []
        self.eof = False
        self.bytes = 0

    def send(self, text):
        self.sock.sendall(text.encode("utf-8") + b"\n")

    def pump(self):
        """Read what is there without blocking; False at EOF."""
        while not self.eof:
            self.sock.settimeout(0.0)
            try:
                data = self.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                break
            except ConnectionResetError:
                data = b""
            finally:
                self.sock.settimeout(10)
            if not data:
                self.eof = True
                break
            self.bytes += len(data)
            self.buf += data
            *done, self.buf = self.buf.split(b"\n")
            self.lines.extend(l.decode("utf-8", "surrogateescape") for l in done)
        return not self.eof

    def wait_line(self, pattern, timeout=T.TIMEOUT):
        """Pump until a line matching pattern (re) is read; returns it."""
        rx = re.compile(pattern)
        start = 0
        deadline = time.monotonic() + timeout
        while True:
            for i in range(start, len(self.lines)):
                if rx.search(self.lines[i]):
                    return self.lines[i]
            start = len(self.lines)
            if self.eof or time.monotonic() > deadline:
                return None
            self.pump()
            time.sleep(0.005)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def pump_all(conns, until, timeout):
    """Read all conns until until() is true or the deadline; returns
    until()."""
    sel = selectors.DefaultSelector()
    for c in conns:
        if not c.eof:
            sel.register(c.sock, selectors.EVENT_READ, c)
    deadline = time.monotonic() + timeout
    try:
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(min(left, 0.1)):
                c = key.data
                if not c.pump():
                    sel.unregister(c.sock)
    finally:
        sel.close()
    return until()

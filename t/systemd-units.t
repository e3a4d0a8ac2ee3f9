#!/usr/bin/env python3
"""systemd-units.t -- the installed units under a real systemd (PID 1).

Builds an install tree with the real layout (configure --prefix=/usr
--sysconfdir=/etc --localstatedir=/var in a separate build directory, make
install DESTDIR=...), boots it in a throwaway Debian 12 container with
../shared/tools/systemd-box, and runs t/systemd-inside.sh there: sysusers,
systemd-analyze verify, `systemctl enable --now chat.socket` (the hub and
chat-history.service, its sandbox, lines in `chatctl history`), two nc users,
`systemctl enable --now chat-web.socket` with curl's /health and a
WebSocket user (python3-websockets) chatting with an nc user,
`systemctl enable --now chat-irc.socket` with an IRC client on a raw
socket chatting with an nc user (its QUIT reason seen), the sandbox
scores of chat@, chat-web@ and chat-irc@ instances, hub restart,
kill -9 of a session, the journal, 100 clients at once and a burst of 300
connections, and a restart of every unit with the archive kept
(chat-bridge.service, without nats_url, exits 0 at once).  Then a second
container, with Debian's nats-server, runs t/cluster-inside.sh: the
packaged nats-server.service with JetStream, and two chat nodes under
systemd on one machine (the installed units for node "one", copies under
other names for node "two"), whose users see each other's joins, lines
and /users, across `systemctl restart chat-bridge.service`, with
chatctl nodes and the bridge's sandbox score.  A third, with openbsd-inetd,
ucspi-tcp and python3, runs t/inetd-inside.sh with README.md's inetd.conf
line: two users chat through openbsd-inetd and through tcpserver while the
hub runs as chat-hub.service, and doc/irc.md's lines for chat-irc: an IRC
client talks with one of them through each; then tools/conn-rate measures connections per
second through systemd Accept=yes, systemd-socket-activate --accept,
openbsd-inetd and tcpserver, each serving chat-session and a trivial
session, and prints them as diagnostics (measured, not asserted;
CHAT_CONN_RATE_N connections per figure, default 200, 0 for none).  The
inside scripts print unnumbered TAP lines; this script numbers them.

Skips (TAP "1..0 # SKIP why") only where a container cannot boot: not root,
no systemd-box, missing debootstrap/systemd-nspawn/..., no writable cgroup
filesystem.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRCDIR = os.path.abspath(os.environ.get("CHAT_SRCDIR")
                         or os.path.join(os.path.dirname(__file__), ".."))
BOX_TIMEOUT = 240       # seconds for an inside script (plus the figures)
CLUSTER_TIMEOUT = 120   # seconds for cluster-inside.sh
# Connections per figure in the second container (0: no figures); the
# figures in doc/operations.md were made with CHAT_CONN_RATE_N=500.
RATE_N = int(os.environ.get("CHAT_CONN_RATE_N") or 200)
BUILD_TIMEOUT = 600

n = 0
failed = 0


def tap(ok, desc):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}", flush=True)


def diag(text):
    for line in str(text).rstrip("\n").splitlines():
        print(f"# {line}", flush=True)


def skip(why):
    print(f"1..0 # SKIP {why}")
    sys.exit(0)


def find_box():
    for path in (os.environ.get("SYSTEMD_BOX"),
                 os.path.join(SRCDIR, "..", "shared", "tools", "systemd-box"),
                 "/work/shared/tools/systemd-box"):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


def cgroup_writable():
    """systemd-box makes its own cgroup in each hierarchy it finds."""
    found = False
    for h in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"):
        if not os.path.exists(os.path.join(h, "cgroup.procs")):
            continue
        found = True
        probe = os.path.join(h, f"chat-units-probe-{os.getpid()}")
        try:
            os.mkdir(probe)
            os.rmdir(probe)
        except OSError as e:
            return f"cannot create a cgroup in {h}: {e.strerror}"
    return None if found else "no cgroup filesystem at /sys/fs/cgroup"


def prerequisites():
    if os.geteuid() != 0:
        skip("needs root to boot a systemd-nspawn container")
    box = find_box()
    if box is None:
        skip("systemd-box not found (../shared/tools/systemd-box or "
             "/work/shared/tools/systemd-box)")
    missing = [t for t in ("debootstrap", "systemd-nspawn", "nsenter", "unshare",
                           "setpriv", "flock", "pgrep", "make")
               if shutil.which(t) is None]
    if missing:
        skip(f"missing {' '.join(missing)} "
             "(apt-get install debootstrap systemd-container procps)")
    why = cgroup_writable()
    if why:
        skip(why)
    return box


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def clean_source_copy(dst):
    """A copy of an in-tree-configured SRCDIR that a VPATH build accepts:
    without build outputs (objects, programs, config.status, files made
    from X.in), which make would otherwise find through VPATH."""
    skipdirs = {".git", ".deps", "autom4te.cache", "__pycache__"}

    def ignore(directory, names):
        out = set()
        for name in names:
            path = os.path.join(directory, name)
            if name in skipdirs or name.startswith("_build") or \
                    (directory == SRCDIR and name.startswith("chat-") and
                     (os.path.isdir(path) or name.endswith(".tar.gz"))):
                out.add(name)
            elif os.path.isdir(path):
                continue
            elif name.endswith((".o", ".a", ".log", ".trs", ".dirstamp")) or \
                    name in ("config.status", "stamp-h1") or \
                    name + ".in" in names or is_elf(path):
                out.add(name)
        return out

    shutil.copytree(SRCDIR, dst, symlinks=True, ignore=ignore)


def run(cmd, cwd, log, env):
    with open(log, "ab") as f:
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, env=env,
                              timeout=BUILD_TIMEOUT).returncode == 0


def build_install_tree(tmp):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                        "DESTDIR", "GNUMAKEFLAGS")}
    src = SRCDIR
    if os.path.exists(os.path.join(SRCDIR, "config.status")):
        src = os.path.join(tmp, "src")
        clean_source_copy(src)
    build = os.path.join(tmp, "build")
    destdir = os.path.join(tmp, "inst")
    os.mkdir(build)
    log = os.path.join(tmp, "build.log")
    ok = run([os.path.join(src, "configure"), "--prefix=/usr", "--sysconfdir=/etc",
              "--localstatedir=/var"], build, log, env) and \
        run(["make", "-j2"], build, log, env) and \
        run(["make", "install", f"DESTDIR={destdir}"], build, log, env)
    if not ok:
        with open(log, errors="replace") as f:
            diag("".join(f.readlines()[-30:]))
    return destdir if ok else None


def runtime_packages(destdir):
    """Debian packages holding the shared libraries the installed programs
    need (chatctl links libjansson, ...): the container is a minimal
    Debian 12, so they go to systemd-box --packages."""
    libs = set()
    for root, _, files in os.walk(destdir):
        for name in files:
            path = os.path.join(root, name)
            if not is_elf(path):
                continue
            out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
            for line in out.splitlines():
                parts = line.split("=>")
                if len(parts) == 2 and parts[1].strip().startswith("/"):
                    libs.add(parts[1].split()[0])
    pkgs = set()
    for lib in sorted(libs):
        real = os.path.realpath(lib)
        candidates = {lib, real}
        for c in list(candidates):
            if c.startswith("/usr/"):
                candidates.add(c[4:])
            else:
                candidates.add("/usr" + c)
        for c in sorted(candidates):
            try:
                out = subprocess.run(["dpkg", "-S", c], capture_output=True,
                                     text=True).stdout
            except OSError:
                return []
            if out:
                pkgs.add(out.split(":")[0].split(",")[0].strip())
                break
    return sorted(pkgs)


def readme_line(pattern, doc="README.md"):
    """The first indented code line of doc (README.md) that matches pattern."""
    with open(os.path.join(SRCDIR, doc)) as f:
        for text in f:
            m = re.match(r"^ {4}(" + pattern + r")\s*$", text)
            if m:
                return m.group(1)
    return None


def box_run(box, tmp, destdir, pkgs, script, args, timeout, what):
    """Run t/SCRIPT with ARGS in a container; number its TAP lines."""
    # The inside script gets a copy: the box installs it with mode 0755.
    copy = os.path.join(tmp, script)
    shutil.copyfile(os.path.join(SRCDIR, "t", script), copy)
    t1 = time.monotonic()
    cmd = [box, "run", "--install", destdir, "--timeout", str(timeout)]
    if pkgs:
        cmd += ["--packages", " ".join(pkgs)]
    proc = subprocess.Popen(cmd + ["--", copy] + args,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    inner = 0
    for line in proc.stdout:
        line = line.rstrip("\n")
        if line.startswith("ok - ") or line.startswith("not ok - "):
            ok = line.startswith("ok")
            inner += 1
            tap(ok, f"{what}: " + line.split(" - ", 1)[1])
        else:
            diag(line[2:] if line.startswith("# ") else line)
    rc = proc.wait()
    diag(f"systemd-box run ({script}) took {time.monotonic() - t1:.1f} s")
    why = {124: "the inside script timed out", 125: "systemd-box harness failure"}
    tap(rc == 0 and inner > 0,
        f"systemd-box run ... {script} exited {rc}"
        f"{' (' + why[rc] + ')' if rc in why else ''} after {inner} assertions")


def main():
    box = prerequisites()
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="chat-units.", dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        destdir = build_install_tree(tmp)
        tap(destdir is not None,
            "configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var; "
            "make; make install DESTDIR=...")
        if destdir is None:
            return
        diag(f"install tree built in {time.monotonic() - t0:.1f} s")
        units = os.path.join(destdir, "usr/lib/systemd/system")
        tap(all(os.path.isfile(os.path.join(units, u)) for u in
                ("chat.socket", "chat@.service", "chat-hub.service",
                 "chat-web.socket", "chat-web@.service", "chat-history.service",
                 "chat-bridge.service", "chat-irc.socket", "chat-irc@.service")) and
            os.path.isfile(os.path.join(destdir, "usr/lib/sysusers.d/chat.conf")),
            "make install puts the units in /usr/lib/systemd/system and "
            "sysusers.d/chat.conf in /usr/lib/sysusers.d")
        bad = []
        for u in ("chat@.service", "chat-hub.service", "chat-web@.service",
                  "chat-history.service", "chat-bridge.service", "chat-irc@.service"):
            with open(os.path.join(units, u)) as f:
                text = f.read()
            if "@sbindir@" in text or "ExecStart=/usr/sbin/" not in text:
                bad.append(u)
        tap(not bad, "the installed units run /usr/sbin/... (substituted at make time)")

        # The libraries of a dynamic build (--disable-static-session links
        # chat-web to libjansson4 and libmd0): found here like the
        # others', and the container gets them.
        pkgs = runtime_packages(destdir)
        diag(f"libraries of the installed programs come from: {' '.join(pkgs)}")
        # The inside scripts' shared helpers, where they source them.
        lib = os.path.join(destdir, "usr/local/lib/chat-test")
        os.makedirs(lib, exist_ok=True)
        shutil.copy(os.path.join(SRCDIR, "t", "box-lib.sh"), lib)
        # curl and a WebSocket client (python3-websockets, a client not
        # written here) for chat-web.socket; Debian's nats-server for the
        # cluster.  Both containers get the same packages, so they boot
        # the same cached rootfs.
        box_pkgs = pkgs + ["curl", "python3-websockets", "nats-server"]
        box_run(box, tmp, destdir, box_pkgs,
                "systemd-inside.sh", [], BOX_TIMEOUT, "container")

        # Two nodes bridged over the packaged nats-server.service, in a
        # container of their own.
        box_run(box, tmp, destdir, box_pkgs,
                "cluster-inside.sh", [], CLUSTER_TIMEOUT, "cluster")

        # openbsd-inetd and tcpserver, and the connection-rate figures, in
        # a second container: README.md's inetd line and tcpserver
        # command, and tools/conn-rate copied into the install tree.
        line = readme_line(r"\S+\s+stream\s+tcp\s+nowait\S*\s.*/chat-session.*?")
        tline = readme_line(r"tcpserver\s.*/chat-session")
        tap(line is not None and tline is not None,
            f"README.md documents an inetd.conf line ({line!r}) and a tcpserver "
            f"command ({tline!r}) for chat-session")
        iline = readme_line(r"\S+\s+stream\s+tcp\s+nowait\S*\s.*/chat-irc.*?", "doc/irc.md")
        itline = readme_line(r"tcpserver\s.*/chat-irc", "doc/irc.md")
        tap(iline is not None and itline is not None,
            f"doc/irc.md documents an inetd.conf line ({iline!r}) and a tcpserver "
            f"command ({itline!r}) for chat-irc")
        if line is None or tline is None or iline is None or itline is None:
            return
        shutil.copy(os.path.join(SRCDIR, "tools", "conn-rate"), lib)
        box_run(box, tmp, destdir, pkgs + ["openbsd-inetd", "ucspi-tcp", "python3"],
                "inetd-inside.sh", [line, tline, str(RATE_N), iline, itline], BOX_TIMEOUT + RATE_N // 2,
                "inetd/tcpserver")
        diag(f"whole test {time.monotonic() - t0:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        if n:
            print(f"1..{n}")
    sys.exit(0)

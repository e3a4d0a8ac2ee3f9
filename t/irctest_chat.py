"""irctest_chat -- an irctest controller that starts a fresh chat per test.

irctest (github.com/progval/irctest) is not part of the project; fetch it
and run it from its own directory with this module on PYTHONPATH:

    PYTHONPATH=/path/to/chat/t CHAT_BUILDDIR=/path/to/chat \\
    /usr/bin/python3 -m pytest --controller irctest_chat ...

Each test gets its own chat-hubd (its own shared-memory name and runtime
directory) and chat-irc under systemd-socket-activate --accept on the
port irctest picks, so nothing one test leaves behind (away messages,
groups) reaches the next; a test's server password is chat.conf's
irc_password.  doc/irc.md has the whole
command and the results.
"""
import os
import shutil
import secrets
import socket
import time
from pathlib import Path
from typing import Optional, Type

from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController


def _builddir() -> Path:
    return Path(os.environ.get("CHAT_BUILDDIR") or
                Path(__file__).resolve().parent.parent)


def _socket_activate() -> str:
    for path in (shutil.which("systemd-socket-activate"),
                 "/usr/bin/systemd-socket-activate",
                 "/lib/systemd/systemd-socket-activate"):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("systemd-socket-activate not found")


# Flood control is the core's and is tested by the project; irctest sends
# bursts that a default chat would (rightly) slow down.
CONF = """\
shm_name = {shm}
runtime_dir = {dir}/run
rate_msgs = 1000
rate_burst = 1000
max_pending_per_address = 0
node_name = My.Little.Server
log_level = info
"""


class ChatController(BaseServerController, DirectoryBasedController):
    software_name = "chat"
    supported_sasl_mechanisms = {"PLAIN"}
    supports_sts = False

    hub = None

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str],
        websocket_port: Optional[int],
    ) -> None:
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("Websocket")
        if ssl:
            raise NotImplementedByController("TLS")
        if run_services:
            raise NotImplementedByController("services")
        assert self.proc is None
        self.create_config()
        assert self.directory
        self.shm = "/chat-irctest-%d-%s" % (os.getpid(), secrets.token_hex(4))
        with self.open_file("chat.conf", "w") as f:
            f.write(CONF.format(shm=self.shm, dir=self.directory))
            if password is not None:
                f.write("irc_password = %s\n" % password)
        conf = str(self.directory / "chat.conf")
        build = _builddir()
        self.hub = self.execute([build / "chat-hubd", "-c", conf], proc_name="chat-hubd")
        hub_sock = self.directory / "run" / "hub.sock"
        deadline = time.monotonic() + 10
        while not self._accepts(hub_sock):
            if self.hub.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chat-hubd did not start")
            time.sleep(0.01)
        self.port = port
        self.proc = self.execute(
            [_socket_activate(), "--accept", "-l", "%s:%d" % (hostname, port),
             "-E", "CHAT_CONF=" + conf, build / "chat-irc"],
            proc_name="chat-irc")

    @staticmethod
    def _accepts(path: Path) -> bool:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(str(path))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def kill_proc(self) -> None:
        super().kill_proc()
        if self.hub is not None:
            os.killpg(self.hub.pid, 15)
            self.hub.wait(10)
            self.hub = None
        try:
            os.unlink("/dev/shm/" + self.shm.lstrip("/"))
        except OSError:
            pass


def get_irctest_controller_class() -> Type[ChatController]:
    return ChatController

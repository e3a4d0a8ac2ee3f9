"""chattest_accounts -- helpers for the tests of accounts, private
messages, groups, flood control and the chatctl verbs (t/integration-users.am).

Built on chattest (which it does not change):

    Service(users={"alice": "password123"}, **conf)
        a chattest.Service whose users_file (and tokens_file, not made
        until a token is) live in a private directory made before the
        configuration is written; users are registered with "chatctl
        import" from a plain name:password file.
    login(client, name, password=None, others=None)
        the name, the password prompt and the password when one is given,
        then the welcome.
    svc.users_table(), svc.groups_table(), svc.json(verb)
        chatctl users / groups as dicts keyed by name; any verb's --json
        parsed with json.loads.
    svc.write_users_file(data), svc.users_file_bytes()
        the users file replaced by hand (as an editor would) and read back.
    svc.chatctl_start(*args, input=None)
        chatctl started in the background (a Popen), for concurrent edits.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import chattest as T

PROMPT = "? name:"
PASSWORD = "? password:"
NO_GROUPS = "* no groups; /create_group <group> makes one"
USERS_HEADER = ["NAME", "TYPE", "PEER", "PID", "CONNECTED", "IDLE", "GROUPS"]
GROUPS_HEADER = ["GROUP", "OWNER", "INVITE-ONLY", "MEMBERS"]


def welcome(name, others=None):
    """The welcome line (a pattern when others is None)."""
    if others is None:
        return re.compile(r"^\* welcome, %s \(\d+ others? online; /help for commands\)$"
                          % re.escape(name))
    return "* welcome, %s (%d other%s online; /help for commands)" % (
        name, others, "" if others == 1 else "s")


def login(client, name, password=None, others=None, desc=None):
    """Log client in as name (the name prompt already read).  With a
    password, the password prompt must come first.  Returns the welcome
    line or None."""
    client.send(name)
    if password is not None:
        if client.expect(PASSWORD, "%s: %s is asked for a password" % (client.label, name)) is None:
            return None
        client.send(password)
    line = client.expect(welcome(name, others),
                         desc or "%s logs in as %s%s" % (client.label, name,
                                                         "" if password is not None else " (guest)"))
    if line is not None:
        client.name = name
    return line


def read_all(client, quiet=T.QUIET):
    """Every line that comes until quiet seconds pass without one (or EOF)."""
    lines = []
    while True:
        line = client.read_line(quiet)
        if line is None or line is T.EOF:
            return lines
        lines.append(line)


def collect_until(client, pattern, timeout=T.TIMEOUT):
    """Lines up to and including the first matching pattern (a str: exact;
    a compiled regex: search).  Returns (lines, matched)."""
    deadline = time.monotonic() + timeout
    lines = []
    while True:
        line = client.read_line(max(0.0, deadline - time.monotonic()))
        if line is None or line is T.EOF:
            return lines, False
        lines.append(line)
        if (pattern.search(line) if hasattr(pattern, "search") else line == pattern):
            return lines, True


class Service(T.Service):
    """A chattest.Service with a users file of its own."""

    def __init__(self, users=None, **conf):
        base = "/tmp" if len(tempfile.gettempdir()) > 60 else None
        self.users_dir = tempfile.mkdtemp(prefix="chat-u-", dir=base)
        self.users_file = os.path.join(self.users_dir, "users")
        self.tokens_file = os.path.join(self.users_dir, "tokens")
        conf.setdefault("users_file", self.users_file)
        conf.setdefault("tokens_file", self.tokens_file)
        super().__init__(**conf)
        if users:
            r = self.import_users(users)
            if r.returncode != 0:
                raise T.HarnessError("chatctl import failed: %s" % r.stderr)

    def stop(self):
        super().stop()
        if not os.environ.get("CHAT_TEST_KEEP"):
            shutil.rmtree(self.users_dir, ignore_errors=True)

    # -- chatctl with input -------------------------------------------

    def chatctl_in(self, *args, input=None, timeout=30):
        """chatctl -c CONF ARGS with input on stdin (text)."""
        env = dict(os.environ)
        env.pop("CHAT_CONF", None)
        return subprocess.run([T.CHATCTL, "-c", self.conf_path] + list(args),
                              input=input or "", stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              env=env, timeout=timeout, start_new_session=True)

    def write_plain(self, text, name="plain-users"):
        path = os.path.join(self.users_dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def import_users(self, users):
        """chatctl import of a plain file made from users (dict or text)."""
        if isinstance(users, dict):
            users = "".join("%s:%s\n" % kv for kv in users.items())
        return self.chatctl("import", self.write_plain(users), timeout=60)

    def useradd(self, name, password):
        return self.chatctl_in("useradd", "--stdin", name, input=password + "\n")

    def passwd(self, name, password):
        return self.chatctl_in("passwd", "--stdin", name, input=password + "\n")

    def userdel(self, name):
        return self.chatctl("userdel", name)

    def users_file_text(self):
        with open(self.users_file) as f:
            return f.read()

    def users_file_bytes(self):
        with open(self.users_file, "rb") as f:
            return f.read()

    def write_users_file(self, data):
        """Replace the users file as an editor would (bytes or text),
        keeping mode 0640; returns the bytes written."""
        if isinstance(data, str):
            data = data.encode()
        tmp = self.users_file + ".edit"
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o640)
        os.rename(tmp, self.users_file)
        return data

    def chatctl_start(self, *args, input=None):
        """chatctl -c CONF ARGS started, not waited for: a Popen with
        text stdin (input written and closed), stdout and stderr."""
        env = dict(os.environ)
        env.pop("CHAT_CONF", None)
        p = subprocess.Popen([T.CHATCTL, "-c", self.conf_path] + list(args),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True,
                             env=env, start_new_session=True)
        p.stdin.write(input or "")
        p.stdin.close()
        return p

    @staticmethod
    def chatctl_finish(p, timeout=60):
        """Wait for a chatctl_start process: (returncode, stdout, stderr)."""
        rc = p.wait(timeout)
        out, err = p.stdout.read(), p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        return rc, out, err

    # -- chatctl tables -----------------------------------------------

    def users_table(self):
        """chatctl users: (header words, {name: row}); (None, {}) if it
        failed."""
        r = self.chatctl("users")
        if r.returncode != 0:
            T.diag("chatctl users exited %d: %s" % (r.returncode, r.stderr.strip()))
            return None, {}
        lines = r.stdout.splitlines()
        rows = {}
        for line in lines[1:]:
            f = line.split()
            if len(f) != 8:
                rows[line] = {"raw": line}
                continue
            rows[f[0]] = {"name": f[0], "type": f[1], "peer": f[2], "pid": f[3],
                          "connected": f[4] + " " + f[5], "idle": f[6],
                          "groups": f[7], "raw": line}
        return (lines[0].split() if lines else []), rows

    def groups_table(self):
        """chatctl groups: (header words, {group: row}); (None, {}) if it
        failed."""
        r = self.chatctl("groups")
        if r.returncode != 0:
            T.diag("chatctl groups exited %d: %s" % (r.returncode, r.stderr.strip()))
            return None, {}
        lines = r.stdout.splitlines()
        rows = {}
        for line in lines[1:]:
            f = line.split()
            if len(f) < 3:
                rows[line] = {"raw": line}
                continue
            rows[f[0]] = {"name": f[0], "owner": f[1], "invite_only": f[2],
                          "members": f[3:], "raw": line}
        # The header is four words; INVITE-ONLY is one.
        return (lines[0].split() if lines else []), rows

    def json(self, verb):
        """chatctl VERB --json, parsed; None (with a diagnostic) on failure."""
        r = self.chatctl(verb, "--json")
        if r.returncode != 0:
            T.diag("chatctl %s --json exited %d: %s" % (verb, r.returncode, r.stderr.strip()))
            return None
        try:
            return json.loads(r.stdout)
        except ValueError as e:
            T.diag("chatctl %s --json is not JSON (%s): %r" % (verb, e, r.stdout[:200]))
            return None

    def group_members(self):
        """{group: sorted members} from chatctl groups --json."""
        j = self.json("groups")
        if j is None:
            return None
        return {g["name"]: sorted(g["members"]) for g in j}

    def online(self):
        """Sorted names from chatctl users --json (None on failure)."""
        j = self.json("users")
        return None if j is None else sorted(u["name"] for u in j)

    def wait_online(self, names, timeout=T.TIMEOUT):
        """Wait until exactly names are online; True if they are."""
        want = sorted(names)
        return T.wait_for(lambda: self.online() == want, timeout) is True

    def activator_log(self):
        text = ""
        for _, _, path in self.activators:
            try:
                with open(path, "rb") as f:
                    text += f.read().decode("utf-8", "backslashreplace")
            except OSError:
                pass
        return text

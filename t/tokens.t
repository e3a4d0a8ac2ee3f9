#!/usr/bin/env python3
# tokens.t -- chatctl token add, list and revoke, and userdel revoking a
# token: a token is printed alone (64 hex digits) and only its SHA-256
# is stored, mode 0640; a second add replaces the first; list shows
# names only (--json too) and tells malformed lines; unregistered and
# locked names, unknown revokes and bad usage are refused.  No hub is
# needed: the verbs edit files.
import hashlib
import json
import os
import re
import stat
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

TOKEN = re.compile(r"^[0-9a-f]{64}\n$")


def sha256(token):
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_text(svc):
    with open(svc.tokens_file) as f:
        return f.read()


def mode(path):
    return oct(stat.S_IMODE(os.stat(path).st_mode))


def add(svc):
    """token add: the token alone on stdout, its hash alone in the file."""
    r = svc.chatctl("token", "list")
    T.is_((r.returncode, r.stdout, r.stderr), (0, "", ""),
          "token list without a tokens file: nothing, exit 0")
    r = svc.chatctl("token", "add", "alice")
    T.is_((r.returncode, r.stderr), (0, ""), "token add alice exits 0, silent on stderr")
    T.like(r.stdout, TOKEN, "... and prints the token alone: 64 lowercase hex digits")
    token = r.stdout.strip()
    T.is_(tokens_text(svc), "alice:%s\n" % sha256(token),
          "the tokens file holds alice:SHA256(token), nothing else")
    T.ok(token not in tokens_text(svc), "... not the token")
    T.is_(mode(svc.tokens_file), oct(0o640), "... with mode 0640")
    T.ok(not [f for f in os.listdir(svc.users_dir) if ".tmp" in f],
         "no temporary file is left next to it")
    r = svc.chatctl("token", "add", "Bob")
    T.is_(r.returncode, 0, "token add Bob (registered as bob) exits 0")
    bob = r.stdout.strip()
    T.ok(bob != token and TOKEN.match(r.stdout), "... with a token of its own")
    T.is_(tokens_text(svc).splitlines()[1], "bob:%s" % sha256(bob),
          "... stored under the name as the users file spells it")
    return token, bob


def replace(svc, token, bob):
    """A second add gives a new token in place of the old one."""
    os.chmod(svc.tokens_file, 0o600)
    r = svc.chatctl("token", "add", "ALICE")
    T.is_(r.returncode, 0, "a second token add alice exits 0")
    T.like(r.stderr, r"alice had a token; the new one replaces it",
           "... saying on stderr that it replaces the old one")
    new = r.stdout.strip()
    T.ok(TOKEN.match(r.stdout) and new != token, "... and prints a new token")
    T.is_(tokens_text(svc), "alice:%s\nbob:%s\n" % (sha256(new), sha256(bob)),
          "alice's line has the new hash, in its place; bob's is unchanged")
    T.is_(mode(svc.tokens_file), oct(0o640), "the rewritten file has mode 0640")
    return new


def listing(svc):
    r = svc.chatctl("token", "list")
    T.is_((r.returncode, r.stdout, r.stderr), (0, "alice\nbob\n", ""),
          "token list: the names, one a line")
    r = svc.chatctl("token", "list", "--json")
    T.is_(r.returncode, 0, "token list --json exits 0")
    T.is_(json.loads(r.stdout) if r.returncode == 0 else None,
          [{"name": "alice"}, {"name": "bob"}], "... an array of objects with a name")
    T.ok(not re.search(r"[0-9a-f]{64}", r.stdout), "... and no hash")


def refused(svc, before):
    """Names that cannot have a token, unknown revokes, bad usage."""
    r = svc.chatctl("token", "add", "carol")
    T.is_((r.returncode, r.stdout), (1, ""), "token add of an unregistered name exits 1, "
          "printing no token")
    T.like(r.stderr, r"carol is not a registered user", "... saying why")
    with open(svc.users_file, "a") as f:
        f.write("dave:\n")
    r = svc.chatctl("token", "add", "dave")
    T.is_((r.returncode, r.stdout), (1, ""), "token add of a locked name exits 1")
    T.like(r.stderr, r"dave is locked \(.*users:\d+: empty password hash\); "
           r"chatctl passwd dave unlocks it", "... saying why and what fixes it")
    r = svc.chatctl("token", "revoke", "carol")
    T.is_(r.returncode, 1, "token revoke of a name without a token exits 1")
    T.like(r.stderr, r"carol has no token", "... saying so")
    for args in (["token"], ["token", "add"], ["token", "add", "a", "b"],
                 ["token", "list", "x"], ["token", "revoke"], ["token", "show"]):
        r = svc.chatctl(*args)
        T.is_(r.returncode, 100, "chatctl %s: usage error (100)" % " ".join(args))
    T.is_(tokens_text(svc), before, "none of these changed the tokens file")


def revoke(svc, bob):
    r = svc.chatctl("token", "revoke", "BOB")
    T.is_((r.returncode, r.stdout, r.stderr), (0, "", ""), "token revoke BOB exits 0, "
          "silently")
    T.ok(sha256(bob) not in tokens_text(svc) and "bob" not in tokens_text(svc),
         "... and bob's line is gone")
    r = svc.chatctl("token", "list")
    T.is_(r.stdout, "alice\n", "token list: alice only")


def malformed(svc, alice):
    """Lines written by hand that match no token: list tells them, edits keep them."""
    with open(svc.tokens_file, "a") as f:
        f.write("# bots\n"
                "garbage line\n"
                ":no name\n"
                "erin:%s\n" % ("ab" * 31)
                + "frank:%s\n" % sha256(alice).upper()
                + "gus:%s\nGUS:%s\n" % (sha256("x"), sha256("y")))
    before = tokens_text(svc)
    r = svc.chatctl("token", "list")
    T.is_((r.returncode, r.stdout), (0, "alice\n"), "token list shows only usable lines")
    for lineno, why in ((3, r"no ':' after the name"), (4, r"not a name:hash line"),
                        (5, r"not 64 lowercase hex"), (6, r"not 64 lowercase hex"),
                        (7, r"the name is on two lines"), (8, r"the name is on two lines")):
        T.like(r.stderr, r"%s:%d: [^\n]*%s[^\n]*; ignored" % (re.escape(svc.tokens_file),
                                                               lineno, why),
               "... and tells line %d: %s" % (lineno, why.replace("\\", "")))
    T.ok(":2:" not in r.stderr, "... not the comment")
    r = svc.chatctl("token", "add", "bob")
    T.is_(r.returncode, 0, "token add bob with those lines in the file exits 0")
    T.is_(tokens_text(svc), before + "bob:%s\n" % sha256(r.stdout.strip()),
          "... keeping every other line byte for byte")


def userdel(svc):
    """userdel takes the account's token with it."""
    r = svc.chatctl("userdel", "alice")
    T.is_(r.returncode, 0, "userdel alice exits 0")
    T.like(r.stderr, r"alice's token is revoked too", "... saying her token went too")
    T.ok(not re.search(r"(?mi)^alice:", tokens_text(svc)), "... and her line is gone")
    T.ok(not re.search(r"(?mi)^alice:", svc.users_file_text()), "... as is her account")
    r = svc.chatctl("token", "list")
    T.is_(r.stdout, "bob\n", "token list: bob only")
    svc.useradd("zoe", "pw-zoe")
    before = tokens_text(svc)
    r = svc.chatctl("userdel", "zoe")
    T.ok(r.returncode == 0 and "revoked" not in r.stderr,
         "userdel of a user without a token says nothing of tokens")
    T.is_(tokens_text(svc), before, "... and leaves the tokens file as it was")


def no_tokens_file():
    """userdel works with no tokens file, even in a directory that does not exist."""
    with A.Service(users={"amy": "password123"}, hub=False, accept=False,
                   tokens_file="/nonexistent-dir/tokens") as svc:
        r = svc.chatctl("userdel", "amy")
        T.is_((r.returncode, r.stderr), (0, ""),
              "userdel with no tokens file (nor its directory) exits 0, silently")


def main():
    with A.Service(users={"alice": "password123", "bob": "qwerty456"},
                   hub=False, accept=False) as svc:
        token, bob = add(svc)
        token = replace(svc, token, bob)
        listing(svc)
        refused(svc, tokens_text(svc))
        revoke(svc, bob)
        malformed(svc, token)
        userdel(svc)
    no_tokens_file()


T.main(main)

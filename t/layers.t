#!/usr/bin/python3
"""layers.t -- the call graph between source files has no cycle.

chat's code is in layers: lib/ at the bottom, the chat core (chatcore/)
over it, the front doors' files (chat-session's src/, chat-web's web/)
over both, and the hub (hub/)
beside them on lib/ alone, each file calling only the files below it.  tools/callgraph reads the object files the build made
(a file that references a symbol another defines depends on it: calls
and function pointers taken count, not only includes) and reports every
cycle, within a directory or across directories.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chattest as T  # noqa: E402

LAYERS = ("lib", "chatcore", "src", "hub", "web", "irc")


def main():
    T.plan(len(LAYERS) + 2)
    tool = os.path.join(T._srcdir(), "tools", "callgraph")
    run = subprocess.run([sys.executable, tool, "-C", T._builddir()] + list(LAYERS),
                         capture_output=True, text=True)
    out = run.stdout.splitlines()
    for layer in LAYERS:
        T.ok("%s: no cycle" % layer in out, "%s/: no cycle between its files" % layer)
    across = [line for line in out if line.startswith("across directories")]
    T.ok(not across, "no cycle across lib/, chatcore/, src/, hub/, web/ and irc/")
    if across:
        T.diag(*across)
    T.is_(run.returncode, 0, "tools/callgraph %s exits 0" % " ".join(LAYERS))
    if run.returncode != 0:
        T.diag(*[line for line in out if "cycle" in line], run.stderr)


T.main(main)

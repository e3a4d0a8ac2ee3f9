#!/usr/bin/env python3
# client-reconnect.t -- what chat-client rejoins after a reconnect, driven
# full screen under a private tmux server (the only mode that
# reconnects).  Between the drop and the new login the activator is
# stopped, so the test decides what the client finds when it comes back:
#   - bob owned the invite-only #secret and was its last member; mallory
#     makes #secret again meanwhile.  bob's client must see that #secret
#     is mallory's now, stop sending plain lines to it (the target goes
#     back to everyone, the next line is held back once) and say so in
#     the pane and the status line: mallory never gets what bob types.
#   - bob's invite-only #vault is gone and nobody took it: the client
#     makes it again, invite-only again, and says so.
#   - bob was a member of alice's #pub; alice leaves, mallory makes #pub
#     again: a new owner, so the same warning.  A group bob was in that
#     is gone and was not his (#chess) is not made again.
#   - bob owned the invite-only #den; mallory makes #den again, invite-
#     only, meanwhile.  bob's client may not join it: it must say that
#     the join was refused (not that it joined as a member), reset the
#     target and not count #den among bob's groups.  An error for a
#     command bob types while the rejoin waits for its answers (a proxy
#     holds them back: /group_msg den) is shown as usual.
import os
import re
import sys

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402
import chattest_client as C  # noqa: E402

STAMP = r"\d\d:\d\d "
SLOW = 20       # a reconnect waits for its backoff: up to a few seconds


def main():
    C.full_screen(run, width=160)


def typed(tm, line):
    tm.type(line)
    tm.keys("Enter")


def group_row(svc, name):
    """chatctl groups' row of name, or None."""
    return svc.groups_table()[1].get(name)


def drop_and_hold(svc, tm, watcher):
    """Kill bob's session with the activator stopped; returns when the
    server has forgotten him (watcher saw him leave) and the client has
    noticed the drop.  resume_accepting lets it log in again."""
    C.pause_accepting(svc)
    pid = C.session_pid(svc, "bob")
    if not T.ok(pid is not None, "bob's session process is found"):
        return
    os.kill(pid, 9)
    watcher.expect("* bob left (connection lost)", skip=True)
    T.ok(tm.wait_screen(r"^ bob \| (offline|connecting|logging in)",
                        where=tm.status_row), "bob's client notices the drop")


def reconnected(tm, desc):
    if not T.ok(tm.wait_screen(r"^ bob \| online", where=tm.status_row,
                               timeout=SLOW), desc):
        T.diag(tm.screen())
    return tm.wait_screen(r"reconnected as bob")


def run(svc, tm, tdir):
    mallory = svc.client("mallory")
    mallory.login("mallory", others=0)
    tm.start([C.CLIENT, "bob"], C.client_env(svc, {"TERM": "screen"}))
    T.ok(tm.wait_screen(r"\* welcome, bob"), "bob's client logs in")
    mallory.expect("* bob joined", skip=True)

    # -- bob's invite-only #secret, re-created by mallory -------------------
    typed(tm, "/create_group secret")
    T.ok(tm.wait_screen(r"\* created #secret; you own it"), "bob creates #secret")
    typed(tm, "/invite_only secret on")
    T.ok(tm.wait_screen(r"\* #secret is now invite-only"), "... invite-only")
    typed(tm, "/switch secret")
    T.ok(tm.wait_screen(r"^ bob \| online \| to #secret", where=tm.status_row),
         "plain lines go to #secret")

    drop_and_hold(svc, tm, mallory)
    T.ok(T.wait_for(lambda: group_row(svc, "secret") is None),
         "#secret is gone with its last member")
    mallory.send("/create_group secret")
    mallory.expect("* created #secret; you own it",
                   "mallory makes #secret while bob is away")
    C.resume_accepting(svc)
    reconnected(tm, "bob's client logs in again")
    T.ok(tm.wait_screen(r"#secret exists again but belongs to mallory now, not you"),
         "the pane says #secret is mallory's now")
    T.ok(tm.wait_screen(r"plain lines now go to everyone, not to #secret"),
         "... and that plain lines go to everyone now")
    if not T.ok(tm.wait_screen(r"^ bob \| online \| !! #secret: owner now mallory "
                               r"\| to everyone", where=tm.status_row),
                "the status line warns, and the target is everyone"):
        T.diag(tm.status_row())
    T.ok(tm.wait_screen(r"^> *$", where=tm.input_row),
         "the prompt no longer names #secret")

    typed(tm, "for secret eyes only")
    T.ok(tm.wait_screen(r"not sent: plain lines go to everyone now "
                        r"\(#secret: owner now mallory\)"),
         "the first plain line after the change is held back, and says why")
    typed(tm, "/msg mallory sync one")
    seen, synced = A.collect_until(mallory, "*bob* sync one")
    T.ok(synced, "mallory gets what bob sends next")
    if not T.ok(not any("secret eyes" in l for l in seen),
                "mallory never got the line typed for #secret"):
        T.diag(*["mallory saw: %r" % l for l in seen])
    row = group_row(svc, "secret")
    T.ok(row is not None and row["owner"] == "mallory",
         "chatctl groups: #secret is still mallory's")

    tm.keys("Up")
    tm.keys("Up")
    T.ok(tm.wait_screen(r"^> for secret eyes only *$", where=tm.input_row),
         "Up brings the held line back")
    tm.keys("Enter")
    mallory.expect("<bob> for secret eyes only",
                   "sent again, it goes to everyone (the target the status line "
                   "shows)", skip=True)
    T.ok(T.wait_for(lambda: "!!" not in tm.status_row()),
         "once a line went out the warning leaves the status line")

    # -- bob's invite-only #vault is gone: made again, invite-only ----------
    typed(tm, "/create_group vault")
    T.ok(tm.wait_screen(r"\* created #vault; you own it"), "bob creates #vault")
    typed(tm, "/invite_only vault on")
    T.ok(tm.wait_screen(r"\* #vault is now invite-only"), "... invite-only")
    typed(tm, "/switch vault")
    T.ok(tm.wait_screen(r"\| to #vault", where=tm.status_row), "bob talks to #vault")

    drop_and_hold(svc, tm, mallory)
    T.ok(T.wait_for(lambda: group_row(svc, "vault") is None),
         "#vault is gone with its last member")
    C.resume_accepting(svc)
    reconnected(tm, "bob's client logs in again")
    T.ok(tm.wait_screen(r"#vault was gone: made it again, invite-only again"),
         "the pane says #vault was made again, invite-only")
    T.ok(tm.wait_screen(r"^" + STAMP + r"rejoined #secret$"),
         "#secret, still mallory's as before, is rejoined without a warning")
    row = None
    if T.wait_for(lambda: (group_row(svc, "vault") or {}).get("invite_only") == "yes"):
        row = group_row(svc, "vault")
    T.ok(row is not None and row["owner"] == "bob" and row["members"] == ["bob"],
         "chatctl groups: #vault is bob's again, invite-only, bob alone")
    if row is None:
        T.diag("groups: %r" % (svc.groups_table()[1],))
    T.ok(tm.wait_screen(r"^ bob \| online \| !! #vault: made again \| to everyone",
                        where=tm.status_row),
         "the status line warns; plain lines go to everyone")
    mallory.send("/join_group vault")
    mallory.expect(T.rx(r"^! invite-only: #vault is invite-only"),
                   "mallory cannot join the remade #vault", skip=True)
    typed(tm, "/switch vault")
    T.ok(tm.wait_screen(r"^ bob \| online \| to #vault", where=tm.status_row),
         "/switch clears the warning")

    # -- alice's #pub: a new owner; #chess: gone, not made again ------------
    alice = svc.client("alice")
    alice.login("alice")
    alice.send("/create_group pub")
    alice.expect("* created #pub; you own it", skip=True)
    alice.send("/create_group chess")
    alice.expect("* created #chess; you own it", skip=True)
    typed(tm, "/groups")
    T.ok(tm.wait_screen(r"\* #pub \(owner alice, 1 member\)"), "bob lists the groups")
    typed(tm, "/join_group pub")
    T.ok(tm.wait_screen(r"\* joined #pub \(2 members\)"), "bob joins #pub")
    typed(tm, "/join_group chess")
    T.ok(tm.wait_screen(r"\* joined #chess \(2 members\)"), "bob joins #chess")
    typed(tm, "/switch pub")
    T.ok(tm.wait_screen(r"\| to #pub", where=tm.status_row), "bob talks to #pub")

    drop_and_hold(svc, tm, mallory)
    alice.send("/quit")
    alice.expect("* bye", skip=True)
    T.ok(T.wait_for(lambda: group_row(svc, "pub") is None and
                    group_row(svc, "chess") is None),
         "#pub and #chess are gone with their last members")
    mallory.send("/create_group pub")
    mallory.expect("* created #pub; you own it", "mallory makes #pub", skip=True)
    C.resume_accepting(svc)
    reconnected(tm, "bob's client logs in again")
    T.ok(tm.wait_screen(r"rejoined #pub, but it belongs to mallory now, not alice"),
         "the pane says #pub has another owner")
    T.ok(tm.wait_screen(r"#chess is gone and was not yours: not made again"),
         "the pane says #chess is gone and is not made again")
    T.ok(tm.wait_screen(r"\| to everyone", where=tm.status_row) and
         re.search(r"!! #(pub: owner now mallory|chess: gone)", tm.status_row()),
         "the status line warns; plain lines go to everyone")
    T.ok(T.wait_for(lambda: group_row(svc, "chess") is None and
                    group_row(svc, "pub") is not None),
         "chatctl groups: no #chess")
    typed(tm, "meant for pub")
    T.ok(tm.wait_screen(r"not sent: plain lines go to everyone now"),
         "the first plain line is held back")
    typed(tm, "/msg mallory sync two")
    seen, synced = A.collect_until(mallory, "*bob* sync two")
    if not T.ok(synced and not any("meant for pub" in l for l in seen),
                "mallory never got the line typed for #pub"):
        T.diag(*["mallory saw: %r" % l for l in seen])

    typed(tm, "/quit")
    T.is_(T.wait_for(tm.dead_status), 0, "/quit ends the client")
    mallory.expect("* bob left (quit)", skip=True)
    taken_and_refused(svc, tdir, mallory)


def taken_and_refused(svc, tdir, mallory):
    """bob's invite-only #den, made again invite-only by mallory: the
    join is refused.  bob's client goes through a proxy that holds the
    server's answers after the new welcome until bob's own /group_msg
    is sent: it is typed while the rejoin's commands wait for theirs."""
    proxy = C.HoldingProxy(svc.port)
    os.mkdir(os.path.join(tdir, "den"))
    with C.Tmux(os.path.join(tdir, "den"), width=160) as tm:
        tm.start([C.CLIENT, "bob"], C.client_env(svc, {
            "TERM": "screen", "CHAT_PORT": str(proxy.port)}))
        T.ok(tm.wait_screen(r"\* welcome, bob"), "bob's client logs in again, "
             "through the proxy")
        typed(tm, "/create_group den")
        T.ok(tm.wait_screen(r"\* created #den; you own it"), "bob creates #den")
        typed(tm, "/invite_only den on")
        T.ok(tm.wait_screen(r"\* #den is now invite-only"), "... invite-only")
        typed(tm, "/switch den")
        T.ok(tm.wait_screen(r"^ bob \| online \| to #den \| groups: #den *$",
                            where=tm.status_row), "bob talks to #den, his only group")

        drop_and_hold(svc, tm, mallory)
        T.ok(T.wait_for(lambda: group_row(svc, "den") is None),
             "#den is gone with its last member")
        mallory.send("/create_group den")
        mallory.expect("* created #den; you own it", "mallory makes #den", skip=True)
        mallory.send("/invite_only den on")
        mallory.expect("* #den is now invite-only", "... invite-only", skip=True)
        proxy.hold_after_welcome("/group_msg den")
        C.resume_accepting(svc)
        reconnected(tm, "bob's client logs in again")
        T.ok("rejoined" not in tm.screen() and "#den exists" not in tm.screen(),
             "the rejoin's answers are held back")
        typed(tm, "/group_msg den are you there")
        if not T.ok(tm.wait_screen(r"#den exists again but belongs to mallory now, "
                                   r"not you, and you may not join it: #den is "
                                   r"invite-only"),
                    "the pane says joining #den was refused: invite-only"):
            T.diag(tm.screen())
        T.ok(not re.search(r"#den .*join(ed|ing) it as one of its members",
                           tm.screen()),
             "... and not that bob joined it as one of its members")
        T.ok(tm.wait_screen(r"plain lines now go to everyone, not to #den"),
             "... and that plain lines go to everyone now")
        if not T.ok(tm.wait_screen(r"^ bob \| online \| !! #den: owner now "
                                   r"mallory, not rejoined \| to everyone *$",
                                   where=tm.status_row),
                    "the status line warns, the target is everyone, and #den "
                    "is not among bob's groups"):
            T.diag(tm.status_row())
        m = tm.wait_screen(r"you may not join it(.|\n)*^" + STAMP +
                           r"! not-member: you are not in #den$")
        T.ok(m and len(re.findall(r"! not-member", tm.screen())) == 1,
             "the error for bob's own /group_msg den, typed during the check, is "
             "shown (once: the rejoin's own errors are not)")
        if not m:
            T.diag(tm.screen())
        row = group_row(svc, "den")
        T.ok(row is not None and row["owner"] == "mallory" and
             row["members"] == ["mallory"],
             "chatctl groups: #den is mallory's, without bob")
        typed(tm, "/quit")
        T.is_(T.wait_for(tm.dead_status), 0, "/quit ends the client")
    proxy.close()


T.main(main)

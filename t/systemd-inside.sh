#!/bin/bash
# systemd-inside.sh -- runs as root inside a systemd-box container (systemd
# as PID 1) onto which `make install DESTDIR=...` of a --prefix=/usr build
# was copied; t/systemd-units.t starts it.  Prints TAP lines without
# numbers or plan ("ok - ...", "not ok - ...", "# ..."); the outer test
# numbers them.  Exits 0 when every assertion passed.
set -u
export LC_ALL=C SYSTEMD_PAGER=cat SYSTEMD_COLORS=0
PORT=9999
WEB_PORT=8080
IRC_PORT=6667
UNITDIR=/usr/lib/systemd/system
T=$(mktemp -d /tmp/chat-units.XXXXXX)
failed=0

# ok, notok, check, diag, wait_for, now, elapsed, the nc clients
# (client_start, say, expect, login), the IRC clients (irc_start,
# irc_meets, irc_quits), users_field, user_of, is_active, history_has.
. /usr/local/lib/chat-test/box-lib.sh

session_pid() { users_field "$1" PID; }
session_peer() { users_field "$1" PEER; }
unit_of() {  # PID -> its systemd unit (from /proc/PID/cgroup)
	sed -n 's|^0::.*/\([^/]*\.service\)$|\1|p; s|^1:name=systemd:.*/\([^/]*\.service\)$|\1|p' \
		"/proc/$1/cgroup" 2>/dev/null | head -n1
}
chat_units() { systemctl list-units --all --plain --no-legend 'chat@*' | awk '{ print $1 }'; }
count_chat_units() { chat_units | grep -c . ; }
units_at_most() { [ "$(count_chat_units)" -le "$1" ]; }
unit_listed() { chat_units | grep -qxF "$1"; }

verify_default_target() {  # no ordering cycle, nothing about chat
	local out
	out=$(systemd-analyze verify --man=no default.target 2>&1)
	[ -n "$out" ] && echo "$out" | diag
	! echo "$out" | grep -qiE 'cycle|chat'
}

# --- WebSocket clients of chat-web, driven like the nc clients (say,
# expect; NAME.in, NAME.out): python3-websockets, one message a line each
# way; kill (SIGTERM) closes it; "# closed CODE REASON" when it has ended.
cat >"$T/ws-client.py" <<'PY'
import asyncio
import signal
import sys
import threading

import websockets


async def main(url):
    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()

    def read_stdin():  # each line of stdin is one text message
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read_stdin, daemon=True).start()
    async with websockets.connect(url, ping_interval=None) as ws:
        # SIGTERM, like the end of stdin, closes the WebSocket properly
        # (the clients started later hold our fifo open too).
        loop.add_signal_handler(signal.SIGTERM, lines.put_nowait, None)

        async def send_lines():
            while (line := await lines.get()) is not None:
                await ws.send(line)
            await ws.close()

        task = asyncio.create_task(send_lines())
        try:
            async for msg in ws:
                print(msg, flush=True)
        except websockets.ConnectionClosed:
            pass
        print(f"# closed {ws.close_code} {ws.close_reason}", flush=True)
        task.cancel()

asyncio.run(main(sys.argv[1]))
PY
ws_start() {  # NAME PATH: a WebSocket to ws://127.0.0.1:$WEB_PORT/PATH
	mkfifo "$T/$1.in"
	python3 "$T/ws-client.py" "ws://127.0.0.1:$WEB_PORT$2" <"$T/$1.in" >"$T/$1.out" 2>&1 &
	CPID[$1]=$!
	exec {fd}>"$T/$1.in"
	CFD[$1]=$fd
}
ws_got() {  # NAME TYPE FROM TEXT: NAME's WebSocket got {"type":TYPE,"from":FROM,"text":TEXT,...}
	python3 - "$T/$1.out" "$2" "$3" "$4" <<'PY'
import json
import sys

path, kind, sender, text = sys.argv[1:]
for line in open(path):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if isinstance(m, dict) and m.get("type") == kind and \
            m.get("from") == sender and m.get("text") == text:
        sys.exit(0)
sys.exit(1)
PY
}
unit_gone() { ! is_active "$1"; }
health_ok() {  # FILE: {"status":"ok",...}
	python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])).get("status") != "ok")' "$1"
}
libs_found() {  # PROGRAM: ldd finds every library it links (static: none)
	local out
	out=$(ldd "$1" 2>&1)
	echo "$out" | diag
	echo "$out" | grep -q 'not a dynamic executable' && return 0
	! echo "$out" | grep -q 'not found'
}

trap 'for p in "${CPID[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
t_start=$(now)

# --- install: the user, the units ---
systemd-sysusers 2>&1 | diag
check "systemd-sysusers creates the chat user from sysusers.d/chat.conf" \
	getent passwd chat
getent passwd chat | diag
[ -e /usr/lib/tmpfiles.d/chat.conf ] && systemd-tmpfiles --create /usr/lib/tmpfiles.d/chat.conf 2>&1 | diag
systemctl daemon-reload
check "systemd-analyze verify chat.socket chat-hub.service chat@.service chat-web.socket chat-web@.service chat-history.service chat-bridge.service chat-irc.socket chat-irc@.service is clean" \
	verify_clean $UNITDIR/chat.socket $UNITDIR/chat-hub.service $UNITDIR/chat@.service \
	$UNITDIR/chat-web.socket $UNITDIR/chat-web@.service $UNITDIR/chat-history.service \
	$UNITDIR/chat-bridge.service $UNITDIR/chat-irc.socket $UNITDIR/chat-irc@.service

# --- systemctl enable --now chat.socket ---
systemctl enable --now chat.socket 2>&1 | diag
hub_state=$(systemctl is-active chat-hub.service)
check "the hub is active when 'systemctl enable --now chat.socket' returns (it is $hub_state)" \
	[ "$hub_state" = active ]
check "chat.socket is active and listening on $PORT" \
	eval 'is_active chat.socket && systemctl show -P Listen chat.socket | grep -q ":$PORT"'
check "systemd-analyze verify default.target (chat.socket enabled): no ordering cycle" \
	verify_default_target
check "chat-history.service is active too (the hub wants it)" \
	wait_for 10 is_active chat-history.service
# A single node (no nats_url, the default): the hub pulls in the bridge,
# which exits 0 at once and is not restarted.
bridge_done() {
	[ "$(systemctl show -P ActiveState chat-bridge.service)" = inactive ] &&
		[ "$(systemctl show -P Result chat-bridge.service)" = success ] &&
		[ "$(systemctl show -P ExecMainStatus chat-bridge.service)" = 0 ] &&
		[ "$(systemctl show -P ExecMainPID chat-bridge.service)" != 0 ] &&
		journalctl --no-pager -o cat -u chat-bridge.service | grep -qF "no nats_url"
}
check "chat-bridge.service (no nats_url: a single node) ran, exited 0 and is inactive, not restarted" \
	eval 'wait_for 10 bridge_done && [ "$(systemctl show -P NRestarts chat-bridge.service)" = 0 ]'
systemctl show -p ActiveState -p Result -p ExecMainStatus -p NRestarts chat-bridge.service | paste -sd' ' | diag
journalctl --no-pager -o cat -u chat-bridge.service | tail -n 3 | diag
hist_pid=$(systemctl show -P MainPID chat-history.service)
check "chat-historyd (pid $hist_pid) runs as user chat" \
	eval '[ "$(user_of "$hist_pid")" = chat ]'

# --- two users ---
check "alice connects with nc, gets the prompt and logs in" login alice $PORT
check "bob connects with nc, gets the prompt and logs in" login bob $PORT
check "alice sees bob join" expect alice "* bob joined"
say bob "hello from bob"
check "alice sees bob's line" expect alice "<bob> hello from bob"
say alice "hello from alice"
check "bob sees alice's line" expect bob "<alice> hello from alice"
check "bob's line is archived: chatctl history shows '<bob> hello from bob'" \
	wait_for 10 history_has "<bob> hello from bob"
chatctl history 2>&1 | diag
check "the archive /var/lib/chat/history.db is 0640 chat:chat, in a 0750 directory of chat's" \
	eval '[ "$(stat -c %a:%U:%G /var/lib/chat/history.db)" = 640:chat:chat ] &&
	    [ "$(stat -c %a:%U /var/lib/chat)" = 750:chat ]'
chatctl users 2>&1 | diag
a_pid=$(session_pid alice) b_pid=$(session_pid bob)
a_peer=$(session_peer alice) b_peer=$(session_peer bob)
check "chatctl users lists alice and bob with their peer addresses ($a_peer, $b_peer)" \
	eval '[[ $a_peer == *127.0.0.1*:* && $b_peer == *127.0.0.1*:* && $a_peer != "$b_peer" ]]'
hub_pid=$(systemctl show -P MainPID chat-hub.service)
a_unit=$(unit_of "$a_pid") b_unit=$(unit_of "$b_pid")
ps -o pid,user,group,cgroup:60,args -p "$hub_pid,$a_pid,$b_pid" 2>&1 | diag
check "the hub (pid $hub_pid) runs as user chat" eval '[ "$(user_of "$hub_pid")" = chat ]'
check "the sessions (pids $a_pid, $b_pid) run as user chat, in units $a_unit $b_unit" \
	eval '[ "$(user_of "$a_pid")" = chat ] && [ "$(user_of "$b_pid")" = chat ] &&
	    [[ $a_unit == chat@*.service && $b_unit == chat@*.service ]]'

# --- hardening ---
hub_exp=$(exposure chat-hub.service)
ses_exp=$(exposure "$a_unit")
hist_exp=$(exposure chat-history.service)
systemd-analyze security chat-hub.service "$a_unit" chat-history.service 2>&1 | grep -v '^✓' | diag
check "systemd-analyze security chat-hub.service: exposure $hub_exp <= 2.0" \
	exposure_at_most 2.0 "$hub_exp"
check "systemd-analyze security chat-history.service: exposure $hist_exp <= 2.0" \
	exposure_at_most 2.0 "$hist_exp"
check "systemd-analyze security chat@.service ($a_unit): exposure $ses_exp <= 2.0" \
	exposure_at_most 2.0 "$ses_exp"

# --- chat-web.socket: HTTP and a WebSocket user chatting with an nc user ---
check "ldd /usr/sbin/chat-web: every library it links is installed (none when static)" \
	libs_found /usr/sbin/chat-web
systemctl enable --now chat-web.socket 2>&1 | diag
check "chat-web.socket is active and listening on $WEB_PORT" \
	eval 'is_active chat-web.socket && systemctl show -P Listen chat-web.socket | grep -q ":$WEB_PORT"'
for u in chat.socket chat-web.socket; do
	echo "$u: $(systemctl show -p MaxConnections -p MaxConnectionsPerSource -p Backlog \
		-p TriggerLimitBurst "$u" | paste -sd' ')"
done | diag
check "systemd-analyze verify default.target (chat-web.socket enabled too): no ordering cycle" \
	verify_default_target
code=$(curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/health")
check "curl -s http://127.0.0.1:$WEB_PORT/health: $code $(cat "$T/health" 2>/dev/null)" \
	eval '[ "$code" = 200 ] && health_ok "$T/health"'
ws_start webby "/ws?user_id=webby"
check "webby opens ws://127.0.0.1:$WEB_PORT/ws?user_id=webby (python3-websockets) and is welcomed" \
	expect webby '{"type":"welcome","user":"webby"'
check "nelly connects with nc to $PORT and logs in" login nelly $PORT
say webby '{"type":"say","text":"hi from the web"}'
check "webby sends {\"type\":\"say\",\"text\":\"hi from the web\"}: nelly sees '<webby> hi from the web'" \
	expect nelly "<webby> hi from the web"
say nelly "hi from nc"
check "nelly's line reaches webby as {\"type\":\"message\",\"from\":\"nelly\",\"text\":\"hi from nc\",...}" \
	eval 'expect webby "hi from nc" && ws_got webby message nelly "hi from nc"'
chatctl users 2>&1 | diag
w_pid=$(session_pid webby) n_pid=$(session_pid nelly)
w_peer=$(session_peer webby)
w_unit=$(unit_of "$w_pid")
check "chatctl users lists webby (pid $w_pid, $w_peer) and nelly (pid $n_pid)" \
	eval '[ -n "$w_pid" ] && [ -n "$n_pid" ] && [[ $w_peer == *127.0.0.1*:* ]]'
ps -o pid,user,group,cgroup:60,args -p "$w_pid" 2>&1 | diag
check "webby's chat-web (pid $w_pid) runs as user chat, in unit $w_unit" \
	eval '[ "$(user_of "$w_pid")" = chat ] && [ "$(cat /proc/$w_pid/comm)" = chat-web ] &&
	    [[ $w_unit == chat-web@*.service ]]'
web_exp=$(exposure "$w_unit")
systemd-analyze security "$w_unit" 2>&1 | grep -v '^✓' | diag
check "systemd-analyze security chat-web@.service ($w_unit): exposure $web_exp <= 2.0" \
	exposure_at_most 2.0 "$web_exp"

# --- chat-irc.socket: an IRC client (raw socket) and an nc user ---
check "ldd /usr/sbin/chat-irc: every library it links is installed (none when static)" \
	libs_found /usr/sbin/chat-irc
systemctl enable --now chat-irc.socket 2>&1 | diag
check "chat-irc.socket is active and listening on $IRC_PORT" \
	eval 'is_active chat-irc.socket && systemctl show -P Listen chat-irc.socket | grep -q ":$IRC_PORT"'
check "systemd-analyze verify default.target (chat-irc.socket enabled too): no ordering cycle" \
	verify_default_target
check "lena connects with nc to $PORT and logs in" login lena $PORT
irc_meets chat-irc.socket $IRC_PORT ircy lena
i_unit=$(unit_of "$IPID")
check "ircy's chat-irc runs in unit $i_unit" eval '[[ $i_unit == chat-irc@*.service ]]'
irc_exp=$(exposure "$i_unit")
systemd-analyze security "$i_unit" 2>&1 | grep -v '^✓' | diag
check "systemd-analyze security chat-irc@.service ($i_unit): exposure $irc_exp <= 2.0" \
	exposure_at_most 2.0 "$irc_exp"
irc_quits chat-irc.socket ircy lena
check "ircy's unit $i_unit goes" wait_for 10 unit_gone "$i_unit"
check "the journal of chat-irc@* has '$IPEER: ircy left: quit: gone fishing via chat-irc.socket'" \
	wait_for 10 eval 'journalctl --no-pager -o cat -u "chat-irc@*" |
	    grep -qF "$IPEER: ircy left: quit: gone fishing via chat-irc.socket"'
journalctl --no-pager -o cat -u 'chat-irc@*' 2>&1 | tail -n 6 | diag
say lena "/quit"
wait_for 10 client_gone lena

# --- hub restart: the socket and the sessions stay ---
sock_id=$(systemctl show -P InvocationID chat.socket)
web_sock_id=$(systemctl show -P InvocationID chat-web.socket)
systemctl restart chat-hub.service
new_hub=$(systemctl show -P MainPID chat-hub.service)
check "systemctl restart chat-hub.service: a new hub (pid $hub_pid -> $new_hub) is active" \
	eval 'is_active chat-hub.service && [ "$new_hub" != "$hub_pid" ]'
check "the restart restarted neither chat.socket nor a session" \
	eval '[ "$(systemctl show -P InvocationID chat.socket)" = "$sock_id" ] && is_active chat.socket &&
	    kill -0 "$a_pid" && kill -0 "$b_pid" && is_active "$a_unit" && is_active "$b_unit"'
check "nor chat-web.socket nor webby's chat-web ($w_unit)" \
	eval '[ "$(systemctl show -P InvocationID chat-web.socket)" = "$web_sock_id" ] &&
	    is_active chat-web.socket && kill -0 "$w_pid" && is_active "$w_unit"'
say alice "after the restart, alice"
say bob "after the restart, bob"
check "after the hub restart bob still gets alice's lines" expect bob "<alice> after the restart, alice"
check "after the hub restart alice still gets bob's lines" expect alice "<bob> after the restart, bob"
check "after the hub restart webby still gets alice's lines" \
	eval 'expect webby "after the restart, alice" && ws_got webby message alice "after the restart, alice"'
say webby '{"type":"say","text":"after the restart, webby"}'
check "after the hub restart nelly still gets webby's lines" expect nelly "<webby> after the restart, webby"
check "both nc clients are still connected" eval '! client_gone alice && ! client_gone bob'
check "chat-historyd ran on through the hub's restart (pid $hist_pid) and archived bob's line after it" \
	eval 'is_active chat-history.service &&
	    [ "$(systemctl show -P MainPID chat-history.service)" = "$hist_pid" ] &&
	    wait_for 10 history_has "<bob> after the restart, bob"'

# --- webby and nelly leave ---
kill "${CPID[webby]}"
check "webby closes its WebSocket (1000, answered), nelly sees webby leave and $w_unit goes" \
	eval 'expect webby "# closed 1000" && expect nelly "* webby left" &&
	    wait_for 10 unit_gone "$w_unit"'
check "the journal of chat-web@* has '$w_peer: webby left: closed by the client'" \
	wait_for 10 eval 'journalctl --no-pager -o cat -u "chat-web@*" |
	    grep -qF "$w_peer: webby left: closed by the client"'
journalctl --no-pager -o cat -u 'chat-web@*' 2>&1 | tail -n 8 | diag
say nelly "/quit"
wait_for 10 client_gone nelly

# --- kill -9 of a session ---
kill -9 "$b_pid"
check "kill -9 of bob's session: alice sees bob leave" expect alice "* bob left"
check "systemctl list-units 'chat@*' no longer shows $b_unit" \
	wait_for 10 eval '! unit_listed "$b_unit"'
systemctl list-units --all --plain --no-legend 'chat@*' 2>&1 | diag
say alice "/quit"
check "alice quits: her session ends and $a_unit goes" wait_for 10 eval '! unit_listed "$a_unit"'

# --- the journal ---
journal() { journalctl --no-pager -o cat -u chat-hub.service -u 'chat@*'; }
journal_has() { journal | grep -qF -- "$1"; }
check "journalctl -u chat-hub.service -u 'chat@*' has '$a_peer: open' and '$a_peer: close alice: ...'" \
	wait_for 10 eval 'journal_has "$a_peer: open" && journal_has "$a_peer: close alice: "'
check "the journal has '$b_peer: open' (bob's session, killed, logged its open)" \
	journal_has "$b_peer: open"
journal | grep -F -e "$a_peer" -e "$b_peer" | diag
journalctl --no-pager -o short-monotonic -u chat-hub.service | tail -n 8 | diag

# --- more than systemd's default MaxConnections=64 ---
# The clients below all come from 127.0.0.1 and never log in: the cap on
# such connections per address (max_pending_per_address, 16 by default,
# proven in t/limits.t) would refuse all but 16, so it is off here.
mkdir -p /etc/chat
echo "max_pending_per_address = 0" >>/etc/chat/chat.conf
hub_pid=$(systemctl show -P MainPID chat-hub.service)
base=$(count_chat_units)
N=100
t0=$(now)
pids=()
for ((i = 1; i <= N; i++)); do
	nc -d 127.0.0.1 $PORT >"$T/many.$i" 2>&1 &
	pids+=($!)
done
prompted() { [ "$(grep -lF '? name:' "$T"/many.* 2>/dev/null | wc -l)" -ge "$N" ]; }
wait_for 90 prompted
got=$(grep -lF '? name:' "$T"/many.* | wc -l)
echo "$got of $N held-open clients got the prompt in $(elapsed "$t0") s;" \
	"$(count_chat_units) chat@ units" | diag
check "$N clients held open at once all get the prompt (got $got)" [ "$got" -eq "$N" ]
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
rm -f "$T"/many.*
wait_for 60 units_at_most "$base" || echo "chat@ units left: $(count_chat_units)" | diag

# --- a burst of connections: more than TriggerLimitBurst's default 200 per 2 s ---
# One shell opens them all (bash's /dev/tcp), so that forking 300 clients on
# a busy machine does not spread the burst out.
B=300
t0=$(now)
fds=()
for ((i = 1; i <= B; i++)); do
	exec {fd}<>/dev/tcp/127.0.0.1/$PORT && fds+=($fd)
done
burst=$(elapsed "$t0")
for fd in "${fds[@]}"; do exec {fd}>&-; done
wait_for 120 units_at_most "$base"
echo "$B connections made in $burst s; PID 1 had handled them all after $(elapsed "$t0") s" | diag
check "$B connections (${#fds[@]} made in $burst s, <= 2 s) leave chat.socket active" \
	eval '[ "${#fds[@]}" -eq "$B" ] && awk -v b="$burst" "BEGIN { exit !(b <= 2) }" &&
	    is_active chat.socket'
check "a client after the burst still gets the prompt" login carol $PORT
is_active chat.socket || systemctl status --no-pager chat.socket 2>&1 | diag

check "the hub (pid $hub_pid) ran through both without a restart" \
	eval '[ "$(systemctl show -P MainPID chat-hub.service)" = "$hub_pid" ]'

# --- everything restarted: the archive keeps its lines and goes on ---
check "dave logs in and says a line; it is archived" \
	eval 'login dave $PORT && say dave "before restarting everything" &&
	    wait_for 10 history_has "<dave> before restarting everything"'
systemctl restart chat-history.service chat-hub.service chat.socket chat-web.socket 2>&1 | diag
check "systemctl restart chat-history.service chat-hub.service chat.socket chat-web.socket: all active again" \
	wait_for 10 eval 'is_active chat-history.service && is_active chat-hub.service &&
	    is_active chat.socket && is_active chat-web.socket'
check "a new chat-historyd ($hist_pid -> $(systemctl show -P MainPID chat-history.service)), not restarted by a failure" \
	eval '[ "$(systemctl show -P MainPID chat-history.service)" != "$hist_pid" ] &&
	    [ "$(systemctl show -P NRestarts chat-history.service)" = 0 ]'
check "after the restart the archive still has the first line and dave's" \
	eval 'history_has "<bob> hello from bob" && history_has "<dave> before restarting everything"'
check "erin logs in after the restart and says a line; it is archived" \
	eval 'login erin $PORT && say erin "after restarting everything" &&
	    wait_for 10 history_has "<erin> after restarting everything"'
say erin "/history"
check "erin's /history, asked of chat-historyd on /run/chat/history.sock from her sandboxed session, has dave's line from before the restart" \
	expect erin "<dave> before restarting everything"
n_hist=$(chatctl history --limit 1000 | grep -cF -e "<bob> hello from bob" -e "<dave> before restarting everything")
check "each line is archived once ($n_hist of 2)" [ "$n_hist" = 2 ]
chatctl history --limit 8 2>&1 | diag
journalctl --no-pager -o cat -u chat-history.service | tail -n 12 | diag
journalctl --no-pager -o short-monotonic -u chat-hub.service -p notice | tail -n 20 | diag
journalctl --no-pager -o short-monotonic -u chat-hub.service -u 'chat@*' -p warning | tail -n 20 | diag
echo "inside the container: $(elapsed "$t_start") s" | diag
exit $((failed > 0))

#!/bin/bash
# systemd-inside.sh -- runs as root inside a systemd-box container (systemd
# as PID 1) onto which `make install DESTDIR=...` of a --prefix=/usr build
# was copied; t/systemd-units.t starts it.  Prints TAP lines without
# numbers or plan ("ok - ...", "not ok - ...", "# ..."); the outer test
# numbers them.  Exits 0 when every assertion passed.
set -u
export LC_ALL=C SYSTEMD_PAGER=cat SYSTEMD_COLORS=0
PORT=9999
UNITDIR=/usr/lib/systemd/system
T=$(mktemp -d /tmp/chat-units.XXXXXX)
failed=0

# ok, notok, check, diag, wait_for, now, elapsed, the nc clients
# (client_start, say, expect, login), users_field, user_of, is_active.
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

verify_clean() {  # FILE...: systemd-analyze verify prints nothing
	local out
	out=$(systemd-analyze verify --man=no "$@" 2>&1)
	[ -z "$out" ] && return 0
	echo "$out" | diag
	return 1
}
verify_default_target() {  # no ordering cycle, nothing about chat
	local out
	out=$(systemd-analyze verify --man=no default.target 2>&1)
	[ -n "$out" ] && echo "$out" | diag
	! echo "$out" | grep -qiE 'cycle|chat'
}
exposure() {  # UNIT-OR-FILE [--offline=yes] -> "0.4"
	systemd-analyze security "$@" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9][0-9.]*\) .*/\1/p'
}
exposure_at_most() {  # LIMIT SCORE
	[ -n "$2" ] && awk -v l="$1" -v s="$2" 'BEGIN { exit !(s <= l) }'
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
check "systemd-analyze verify chat.socket chat-hub.service chat@.service is clean" \
	verify_clean $UNITDIR/chat.socket $UNITDIR/chat-hub.service $UNITDIR/chat@.service

# --- systemctl enable --now chat.socket ---
systemctl enable --now chat.socket 2>&1 | diag
hub_state=$(systemctl is-active chat-hub.service)
check "the hub is active when 'systemctl enable --now chat.socket' returns (it is $hub_state)" \
	[ "$hub_state" = active ]
check "chat.socket is active and listening on $PORT" \
	eval 'is_active chat.socket && systemctl show -P Listen chat.socket | grep -q ":$PORT"'
check "systemd-analyze verify default.target (chat.socket enabled): no ordering cycle" \
	verify_default_target

# --- two users ---
check "alice connects with nc, gets the prompt and logs in" login alice $PORT
check "bob connects with nc, gets the prompt and logs in" login bob $PORT
check "alice sees bob join" expect alice "* bob joined"
say bob "hello from bob"
check "alice sees bob's line" expect alice "<bob> hello from bob"
say alice "hello from alice"
check "bob sees alice's line" expect bob "<alice> hello from alice"
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
systemd-analyze security chat-hub.service "$a_unit" 2>&1 | grep -v '^✓' | diag
check "systemd-analyze security chat-hub.service: exposure $hub_exp <= 2.0" \
	exposure_at_most 2.0 "$hub_exp"
check "systemd-analyze security chat@.service ($a_unit): exposure $ses_exp <= 2.0" \
	exposure_at_most 2.0 "$ses_exp"

# --- hub restart: the socket and the sessions stay ---
sock_id=$(systemctl show -P InvocationID chat.socket)
systemctl restart chat-hub.service
new_hub=$(systemctl show -P MainPID chat-hub.service)
check "systemctl restart chat-hub.service: a new hub (pid $hub_pid -> $new_hub) is active" \
	eval 'is_active chat-hub.service && [ "$new_hub" != "$hub_pid" ]'
check "the restart restarted neither chat.socket nor a session" \
	eval '[ "$(systemctl show -P InvocationID chat.socket)" = "$sock_id" ] && is_active chat.socket &&
	    kill -0 "$a_pid" && kill -0 "$b_pid" && is_active "$a_unit" && is_active "$b_unit"'
say alice "after the restart, alice"
say bob "after the restart, bob"
check "after the hub restart bob still gets alice's lines" expect bob "<alice> after the restart, alice"
check "after the hub restart alice still gets bob's lines" expect alice "<bob> after the restart, bob"
check "both nc clients are still connected" eval '! client_gone alice && ! client_gone bob'

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
journalctl --no-pager -o short-monotonic -u chat-hub.service -p notice | tail -n 20 | diag
journalctl --no-pager -o short-monotonic -u chat-hub.service -u 'chat@*' -p warning | tail -n 20 | diag
echo "inside the container: $(elapsed "$t_start") s" | diag
exit $((failed > 0))

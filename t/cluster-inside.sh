#!/bin/bash
# cluster-inside.sh -- runs as root inside a systemd-box container (systemd
# as PID 1, with Debian's nats-server package) onto which `make install
# DESTDIR=...` of a --prefix=/usr build was copied; t/systemd-units.t
# starts it.
#
# Two chat nodes on one machine, bridged by chat-bridge over the packaged
# nats-server.service with JetStream (doc/cluster.md):
#   node "one": the installed units as they are, /etc/chat/chat.conf,
#     port 9999;
#   node "two": copies of the installed units made here, as an admin would,
#     named chat-two.socket, chat-two@.service, chat-two-hub.service,
#     chat-two-history.service and chat-two-bridge.service, each running
#     with CHAT_CONF=/etc/chat/two.conf (its own shm_name, runtime_dir,
#     history_db, node_name) and RuntimeDirectory=chat-two, port 10000.
# nc users on both nodes: joins, lines and /users cross; chatctl nodes;
# the bridge's sandbox; `systemctl restart chat-bridge.service` loses and
# repeats nothing.  Prints TAP lines without numbers or plan ("ok - ...",
# "not ok - ...", "# ...") for the outer test to number; exits 0 when every
# assertion passed.
set -u
export LC_ALL=C SYSTEMD_PAGER=cat SYSTEMD_COLORS=0
PORT=9999	# node one: chat.socket as installed
PORT2=10000	# node two: chat-two.socket
NATS_PORT=4222	# /etc/nats-server.conf as packaged
UNITDIR=/usr/lib/systemd/system
ETCDIR=/etc/systemd/system
T=$(mktemp -d /tmp/chat-cluster.XXXXXX)
failed=0

# ok, notok, check, diag, wait_for, now, elapsed, listening, the nc
# clients (client_start, say, expect, login), user_of, is_active,
# history_has.
. /usr/local/lib/chat-test/box-lib.sh

two() { CHAT_CONF=/etc/chat/two.conf "$@"; }	# a command for node two
journal_has() {  # UNIT TEXT
	journalctl --no-pager -o cat -u "$1" | grep -qF -- "$2"
}
node_alive() {  # [chatctl's env...]: chatctl nodes says "two alive" (or NODE)
	local node=$1
	shift
	"$@" chatctl nodes 2>/dev/null | awk -v n="$node" '$1 == n && $2 == "alive" { f = 1 } END { exit !f }'
}
n_users() { grep -c '^\* users (' "$T/$1.out"; }	# CLIENT: its /users answers so far
users_of() {  # CLIENT: its /users, the names sorted, on one line
	local before
	before=$(n_users "$1")
	say "$1" "/users"
	wait_for 10 eval '[ "$(n_users '"$1"')" -gt '"$before"' ]' || return 1
	tr -d '\r' <"$T/$1.out" | grep '^\* users (' | tail -n1 | cut -d: -f2- |
		tr ' ' '\n' | grep . | sort | paste -sd' '
}
count() { tr -d '\r' <"$T/$1.out" | grep -cxF -- "$2"; }	# CLIENT LINE: how many times it came
main_pid() { systemctl show -P MainPID "$1"; }

trap 'for p in "${CPID[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
t_start=$(now)

systemd-sysusers 2>&1 | diag
[ -e /usr/lib/tmpfiles.d/chat.conf ] && systemd-tmpfiles --create /usr/lib/tmpfiles.d/chat.conf 2>&1 | diag

# --- nats-server: Debian's package and unit, JetStream turned on ---
# The packaged /etc/nats-server.conf listens on 127.0.0.1:4222; JetStream
# wants a store directory, which the packaged unit (User=nats) does not
# have: a drop-in gives it /var/lib/nats.
cat >>/etc/nats-server.conf <<'EOF'
jetstream {
  store_dir: "/var/lib/nats"
}
EOF
mkdir -p $ETCDIR/nats-server.service.d
printf '[Service]\nStateDirectory=nats\nStateDirectoryMode=0750\n' \
	>$ETCDIR/nats-server.service.d/jetstream.conf
systemctl daemon-reload
systemctl enable nats-server.service 2>&1 | diag
systemctl restart nats-server.service 2>&1 | diag
check "nats-server.service (Debian's unit, /etc/nats-server.conf with a jetstream block) is active and listens on $NATS_PORT" \
	wait_for 10 eval 'is_active nats-server.service && listening $NATS_PORT'
check "nats-server runs as nats with JetStream, its store in /var/lib/nats (nats's, 0750)" \
	wait_for 10 eval 'journal_has nats-server.service "Starting JetStream" &&
	    [ "$(user_of "$(main_pid nats-server.service)")" = nats ] &&
	    [ "$(stat -c %a:%U /var/lib/nats)" = 750:nats ]'
journalctl --no-pager -o cat -u nats-server.service | grep -iE 'jetstream|store|listening' | head -n 8 | diag

# --- two nodes' configuration ---
mkdir -p /etc/chat
cat >>/etc/chat/chat.conf <<EOF
nats_url = nats://127.0.0.1:$NATS_PORT
node_name = one
EOF
cat >/etc/chat/two.conf <<EOF
shm_name = /chat-two
runtime_dir = /run/chat-two
history_db = /var/lib/chat/two.db
nats_url = nats://127.0.0.1:$NATS_PORT
node_name = two
EOF
# Node two's units: the installed ones under other names, pointing at
# two.conf, /run/chat-two and port $PORT2.
two_unit() {  # INSTALLED-UNIT NEW-NAME
	sed -e 's/chat-hub\.service/chat-two-hub.service/g' \
		-e 's/chat-history\.service/chat-two-history.service/g' \
		-e 's/chat-bridge\.service/chat-two-bridge.service/g' \
		-e 's/^RuntimeDirectory=chat$/RuntimeDirectory=chat-two/' \
		-e "s/^ListenStream=$PORT\$/ListenStream=$PORT2/" \
		-e '/^\[Service\]$/a Environment=CHAT_CONF=/etc/chat/two.conf' \
		"$UNITDIR/$1" >"$ETCDIR/$2"
}
two_unit chat.socket chat-two.socket
two_unit chat@.service chat-two@.service
two_unit chat-hub.service chat-two-hub.service
two_unit chat-history.service chat-two-history.service
two_unit chat-bridge.service chat-two-bridge.service
systemctl daemon-reload
check "systemd-analyze verify chat-bridge.service and node two's copies of the units is clean" \
	verify_clean $UNITDIR/chat-bridge.service $ETCDIR/chat-two.socket $ETCDIR/chat-two@.service \
	$ETCDIR/chat-two-hub.service $ETCDIR/chat-two-history.service $ETCDIR/chat-two-bridge.service
diff -u $UNITDIR/chat-hub.service $ETCDIR/chat-two-hub.service | grep '^[-+][^-+]' | diag

# --- both nodes up: the bridges come with the hubs ---
systemctl enable --now chat.socket chat-two.socket 2>&1 | diag
check "systemctl enable --now chat.socket chat-two.socket: both hubs active, listening on $PORT and $PORT2" \
	eval 'is_active chat-hub.service && is_active chat-two-hub.service &&
	    is_active chat.socket && is_active chat-two.socket &&
	    systemctl show -P Listen chat.socket | grep -q ":$PORT" &&
	    systemctl show -P Listen chat-two.socket | grep -q ":$PORT2"'
check "chat-bridge.service (node one, nats_url set) is active and says 'ready one'" \
	wait_for 15 eval 'is_active chat-bridge.service && journal_has chat-bridge.service "ready one"'
check "chat-two-bridge.service (node two) is active and says 'ready two'" \
	wait_for 15 eval 'is_active chat-two-bridge.service && journal_has chat-two-bridge.service "ready two"'
br_pid=$(main_pid chat-bridge.service)
ps -o pid,user,group,cgroup:60,args -p "$br_pid,$(main_pid chat-two-bridge.service)" 2>&1 | diag
check "chat-bridge (pid $br_pid) runs as user chat" eval '[ "$(user_of "$br_pid")" = chat ]'
check "chatctl nodes on node one shows two alive (the heartbeats cross)" wait_for 10 node_alive two
check "chatctl nodes on node two shows one alive" wait_for 10 node_alive one env CHAT_CONF=/etc/chat/two.conf
chatctl nodes 2>&1 | diag
br_exp=$(exposure chat-bridge.service)
systemd-analyze security chat-bridge.service 2>&1 | grep -v '^✓' | diag
check "systemd-analyze security chat-bridge.service: exposure $br_exp <= 2.0" \
	exposure_at_most 2.0 "$br_exp"

# --- a user on each node ---
check "ann connects to node one ($PORT) with nc and logs in" login ann $PORT
check "ben connects to node two ($PORT2) with nc and logs in" login ben $PORT2
check "ann (node one) sees '* ben joined' (node two)" expect ann "* ben joined"
check "cy connects to node one ($PORT) and logs in; ben (node two) sees '* cy joined'" \
	eval 'login cy $PORT && expect ben "* cy joined"'
say ann "hello from one"
check "ben (node two) sees ann's line '<ann> hello from one'" expect ben "<ann> hello from one"
say ben "hello from two"
check "ann (node one) sees ben's line '<ben> hello from two'" expect ann "<ben> hello from two"
u1=$(users_of ann) u2=$(users_of ben)
check "/users on node one lists 'ann ben@two cy' ($u1)" [ "$u1" = "ann ben@two cy" ]
check "/users on node two lists 'ann@one ben cy@one' ($u2)" [ "$u2" = "ann@one ben cy@one" ]
check "node one's archive (chat-history.service) has ben's line from node two" \
	wait_for 10 history_has "<ben> hello from two"
chatctl users 2>&1 | diag
chatctl stats 2>/dev/null | grep -iE 'node|bridge' | diag

# --- a group across the nodes, its name claimed from a sandboxed session ---
say ann "/create_group crew"
check "ann makes #crew on node one (its session asks chat-bridge on /run/chat/bridge.sock)" \
	expect ann "* created #crew; you own it"
for _ in $(seq 20); do	# until node two has heard of it
	say ben "/groups"
	sleep 0.5
	seen ben "* #crew (owner ann, 1 member): ann" && break
done
say ben "/join_group crew"
check "ben joins #crew from node two" expect ben "* joined #crew (2 members)"
check "ann (node one) is told" expect ann "* ben joined #crew"
say ben "/group_msg crew hi crew"
check "ben's group line reaches ann on node one" expect ann "#crew <ben> hi crew"
say ben "/create_group crew"
check "node two refuses to make #crew again: it exists, made on node one" \
	expect ben "! group-exists: #crew already exists; /join_group crew"

# --- systemctl restart chat-bridge.service ---
systemctl restart chat-bridge.service 2>&1 | diag
new_br=$(main_pid chat-bridge.service)
check "systemctl restart chat-bridge.service: a new bridge (pid $br_pid -> $new_br) is active and ready again" \
	wait_for 15 eval 'is_active chat-bridge.service && [ "$new_br" != "$br_pid" ] &&
	    [ "$(journalctl --no-pager -o cat -u chat-bridge.service | grep -c "^ready one$")" = 2 ]'
check "the restart restarted neither hub nor a session: ann and ben are still connected" \
	eval '! client_gone ann && ! client_gone ben && is_active chat-hub.service'
say ann "after the bridge restart, ann"
check "after the restart ben (node two) gets ann's line" expect ben "<ann> after the bridge restart, ann"
say ben "after the bridge restart, ben"
check "after the restart ann (node one) gets ben's line" expect ann "<ben> after the bridge restart, ben"
check "after the restart a join crosses: dee logs in on node one, ben (node two) sees '* dee joined'" \
	eval 'login dee $PORT && expect ben "* dee joined"'
u1=$(users_of ann)
check "after the restart /users on node one still lists 'ann ben@two cy dee' ($u1)" \
	[ "$u1" = "ann ben@two cy dee" ]
check "chatctl nodes on node one still shows two alive" wait_for 10 node_alive two
c_ben=$(count ben "<ann> hello from one") c_ann=$(count ann "<ben> hello from two")
j_ben=$(count ben "* cy joined") j_ann=$(count ann "* ben joined")
check "every line and join crossed once across the restart (ben: $c_ben, $j_ben; ann: $c_ann, $j_ann)" \
	[ "$c_ben$j_ben$c_ann$j_ann" = 1111 ]
say ben "/quit"
check "ben quits node two: ann (node one) sees '* ben left'" expect ann "* ben left"
u1=$(users_of ann)
check "then /users on node one lists 'ann cy dee' ($u1)" [ "$u1" = "ann cy dee" ]
journalctl --no-pager -o cat -u chat-bridge.service -u chat-two-bridge.service | tail -n 16 | diag
journalctl --no-pager -o short-monotonic -u 'chat*' -p warning | tail -n 12 | diag
echo "inside the container: $(elapsed "$t_start") s" | diag
exit $((failed > 0))

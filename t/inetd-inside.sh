#!/bin/bash
# inetd-inside.sh -- runs as root inside a systemd-box container (systemd as
# PID 1, with openbsd-inetd, ucspi-tcp and python3) onto which `make install
# DESTDIR=...` of a --prefix=/usr build was copied, plus tools/conn-rate as
# /usr/local/lib/chat-test/conn-rate; t/systemd-units.t starts it as
#   inetd-inside.sh 'INETD-LINE' 'TCPSERVER-LINE' N 'IRC-INETD-LINE' 'IRC-TCPSERVER-LINE'
# where INETD-LINE is the inetd.conf line and TCPSERVER-LINE the tcpserver
# command that README.md documents, N the connections per figure (0: no
# figures), and the IRC ones the same for chat-irc from doc/irc.md.
#
# The hub runs as chat-hub.service.  README.md's inetd line and doc/irc.md's,
# with their ports changed, go into /etc/inetd.conf, and two nc users chat
# through openbsd-inetd, and an IRC client (raw socket) with one of them;
# then the same through the tcpserver commands (ports changed, run by
# systemd-run so that their logs go to the journal).  Prints TAP
# lines without numbers or plan ("ok - ...", "not ok - ...", "# ...") for
# the outer test to number, then (measured, not asserted) connections per
# second through each activator -- systemd Accept=yes, systemd-socket-
# activate --accept, openbsd-inetd, tcpserver -- serving chat-session and
# serving a trivial session (tools/conn-rate --write-null).
set -u
export LC_ALL=C SYSTEMD_PAGER=cat SYSTEMD_COLORS=0
LINE=${1:-}
TLINE=${2:-}
N=${3:-500}
ILINE=${4:-}
ITLINE=${5:-}
IPORT=9998	# openbsd-inetd: chat-session
TPORT=9997	# tcpserver: chat-session
IRC_IPORT=6668	# openbsd-inetd: chat-irc
IRC_TPORT=6669	# tcpserver: chat-irc
LIB=/usr/local/lib/chat-test
CONN_RATE=$LIB/conn-rate
NULL=$LIB/null-session
T=$(mktemp -d /tmp/chat-inetd.XXXXXX)
failed=0

# ok, notok, check, diag, wait_for, now, elapsed, listening, the nc
# clients (client_start, say, expect, login), the IRC clients (irc_start,
# irc_meets, irc_quits), users_field, user_of, is_active.
. /usr/local/lib/chat-test/box-lib.sh

two_users() {  # ACTIVATOR PORT U1 U2: two users log in and chat; sets P1 P2 PID1 PID2
	local act=$1 port=$2 u1=$3 u2=$4
	check "$act: $u1 connects with nc, gets the prompt and logs in" login "$u1" "$port"
	check "$act: $u2 connects with nc, gets the prompt and logs in" login "$u2" "$port"
	check "$act: $u1 sees $u2 join" expect "$u1" "* $u2 joined"
	say "$u2" "hello from $u2 via $act"
	check "$act: $u1 sees $u2's line" expect "$u1" "<$u2> hello from $u2 via $act"
	say "$u1" "hello from $u1 via $act"
	check "$act: $u2 sees $u1's line" expect "$u2" "<$u1> hello from $u1 via $act"
	chatctl users 2>&1 | diag
	P1=$(users_field "$u1" PEER) P2=$(users_field "$u2" PEER)
	PID1=$(users_field "$u1" PID) PID2=$(users_field "$u2" PID)
	check "$act: chatctl users lists $u1 and $u2 with their peer addresses ($P1, $P2)" \
		eval '[[ $P1 == 127.0.0.1:[0-9]* && $P2 == 127.0.0.1:[0-9]* && $P1 != "$P2" ]]'
	ps -o pid,ppid,user,group,args -p "${PID1:-1},${PID2:-1}" 2>&1 | diag
	check "$act: the sessions (pids $PID1, $PID2) run as user chat" \
		eval '[ -n "$PID1" ] && [ -n "$PID2" ] &&
		    [ "$(user_of "$PID1")" = chat ] && [ "$(user_of "$PID2")" = chat ]'
}
quit_both() {  # U1 U2
	local u1=$1 u2=$2 f1=${CFD[$1]} f2=${CFD[$2]}
	say "$u1" "/quit"
	say "$u2" "/quit"
	exec {f1}>&- {f2}>&-	# nc's stdin: EOF
	wait_for 10 eval 'client_gone "$u1" && client_gone "$u2"' ||
		echo "nc of $u1 or $u2 still running" | diag
}

trap 'for p in "${CPID[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
t_start=$(now)

# --- the hub as a systemd service; nothing listens yet ---
systemd-sysusers 2>&1 | diag
[ -e /usr/lib/tmpfiles.d/chat.conf ] && systemd-tmpfiles --create /usr/lib/tmpfiles.d/chat.conf 2>&1 | diag
# conn-rate keeps 20 logins in flight from 127.0.0.1: more than the cap on
# connections per address that have not logged in (16 by default).
mkdir -p /etc/chat
echo "max_pending_per_address = 0" >>/etc/chat/chat.conf
systemctl daemon-reload
systemctl start chat-hub.service 2>&1 | diag
check "chat-hub.service is active (chat.socket is not started)" \
	eval 'is_active chat-hub.service && ! is_active chat.socket'
$CONN_RATE --write-null "$NULL"

# --- openbsd-inetd with README.md's line ---
read -r -a f <<<"$LINE"
check "README.md's inetd line has 7 fields: '$LINE'" \
	eval '[ "${#f[@]}" -eq 7 ] && [ "${f[1]} ${f[2]}" = "stream tcp" ] &&
	    [[ ${f[3]} == nowait* ]] && [ "${f[5]}" = /usr/sbin/chat-session ]'
CHAT_LINE="$IPORT ${f[*]:1}"
read -r -a g <<<"$ILINE"
check "doc/irc.md's inetd line has 7 fields: '$ILINE'" \
	eval '[ "${#g[@]}" -eq 7 ] && [ "${g[1]} ${g[2]}" = "stream tcp" ] &&
	    [[ ${g[3]} == nowait* ]] && [ "${g[5]}" = /usr/sbin/chat-irc ]'
IRC_LINE="$IRC_IPORT ${g[*]:1}"
printf '%s\n' "$CHAT_LINE" "$IRC_LINE" >/etc/inetd.conf
sed 's|^|/etc/inetd.conf: |' /etc/inetd.conf | diag
systemctl restart inetd.service 2>&1 | diag
check "inetd.service is active and listens on $IPORT and $IRC_IPORT" \
	eval 'is_active inetd.service && wait_for 10 listening $IPORT && wait_for 10 listening $IRC_IPORT'
two_users openbsd-inetd $IPORT alice bob
irc_meets openbsd-inetd $IRC_IPORT ivy alice
irc_quits openbsd-inetd ivy alice
check "openbsd-inetd: ivy's chat-irc (pid $IPID) ends after its QUIT" \
	wait_for 10 eval '! kill -0 "$IPID" 2>/dev/null'
quit_both alice bob
journalctl --no-pager -o cat -u inetd.service | tail -n 5 | diag

# --- tcpserver (UCSPI: connection on fd 0/1, peer in $TCPREMOTEIP) ---
# README.md's command, "0 9999" (any address, port 9999) made
# "127.0.0.1 $TPORT"; the shell expands its $(id -u chat) and $(id -g chat).
TCP=()
[[ $TLINE == "tcpserver "*" 0 9999 /usr/sbin/chat-session" ]] &&
	eval "TCP=(${TLINE% 0 9999 /usr/sbin/chat-session})"
check "README.md's tcpserver command ends in '0 9999 /usr/sbin/chat-session': '$TLINE'" \
	[ "${#TCP[@]}" -gt 1 ]
TCP=("${TCP[@]:1}")	# the options
systemd-run --quiet --unit=chat-tcpserver.service \
	tcpserver "${TCP[@]}" 127.0.0.1 $TPORT /usr/sbin/chat-session 2>&1 | diag
check "tcpserver ${TCP[*]} 127.0.0.1 $TPORT /usr/sbin/chat-session listens" \
	eval 'is_active chat-tcpserver.service && wait_for 10 listening $TPORT'
two_users tcpserver $TPORT carol dave
env1=$(tr '\0' '\n' <"/proc/$PID1/environ" 2>/dev/null | grep -E '^TCPREMOTE(IP|PORT)=' | paste -sd' ')
check "tcpserver: carol's session has the UCSPI peer ($env1) that chatctl shows ($P1)" \
	eval '[ "$env1" = "TCPREMOTEIP=${P1%:*} TCPREMOTEPORT=${P1##*:}" ]'
check "tcpserver: the sessions' log lines go to the journal of chat-tcpserver.service ('$P1: open')" \
	eval 'journalctl --no-pager -o cat -u chat-tcpserver.service | grep -qF -- "$P1: open"'
journalctl --no-pager -o cat -u chat-tcpserver.service | diag
quit_both carol dave
check "tcpserver: both sessions end on /quit" \
	wait_for 10 eval '! kill -0 "$PID1" 2>/dev/null && ! kill -0 "$PID2" 2>/dev/null'

# --- tcpserver with doc/irc.md's command for chat-irc ---
ITCP=()
[[ $ITLINE == "tcpserver "*" 0 6667 /usr/sbin/chat-irc" ]] &&
	eval "ITCP=(${ITLINE% 0 6667 /usr/sbin/chat-irc})"
check "doc/irc.md's tcpserver command ends in '0 6667 /usr/sbin/chat-irc': '$ITLINE'" \
	[ "${#ITCP[@]}" -gt 1 ]
ITCP=("${ITCP[@]:1}")
systemd-run --quiet --unit=chat-irc-tcpserver.service \
	tcpserver "${ITCP[@]}" 127.0.0.1 $IRC_TPORT /usr/sbin/chat-irc 2>&1 | diag
check "tcpserver ${ITCP[*]} 127.0.0.1 $IRC_TPORT /usr/sbin/chat-irc listens" \
	eval 'is_active chat-irc-tcpserver.service && wait_for 10 listening $IRC_TPORT'
check "tcpserver: erin connects with nc to $TPORT and logs in" login erin $TPORT
irc_meets tcpserver $IRC_TPORT ian erin
check "tcpserver: ian's chat-irc logs to the journal of chat-irc-tcpserver.service ('$IPEER: logged in as ian')" \
	eval 'journalctl --no-pager -o cat -u chat-irc-tcpserver.service | grep -qF -- "$IPEER: logged in as ian"'
irc_quits tcpserver ian erin
check "tcpserver: ian's chat-irc (pid $IPID) ends after its QUIT" \
	wait_for 10 eval '! kill -0 "$IPID" 2>/dev/null'
journalctl --no-pager -o cat -u chat-irc-tcpserver.service | diag
say erin "/quit"

echo "assertions done in $(elapsed "$t_start") s" | diag
((N > 0)) || exit $((failed > 0))

# --- figures: connections per second (measured, not asserted) ---
# Each activator serves chat-session on one port and the trivial session on
# another; tools/conn-rate makes N connections in a row, then N with 20 at
# once, and accounts the activator's own CPU time (PID 1 for systemd).
cat >/etc/systemd/system/null.socket <<EOF
[Socket]
ListenStream=127.0.0.1:9996
Accept=yes
MaxConnections=1100
TriggerLimitBurst=4096
EOF
cat >/etc/systemd/system/null@.service <<EOF
[Service]
ExecStart=$NULL
User=chat
Group=chat
EOF
# The trivial session in chat@.service's sandbox: how much of systemd's cost
# per connection is the sandbox.
sed -e 's/^ListenStream=.*/ListenStream=127.0.0.1:9993/' -e '/^Wants=\|^After=/d' \
	/usr/lib/systemd/system/chat.socket >/etc/systemd/system/null-sandboxed.socket
sed -e "s|^ExecStart=.*|ExecStart=$NULL|" -e '/^After=/d' \
	/usr/lib/systemd/system/chat@.service >/etc/systemd/system/null-sandboxed@.service
systemctl daemon-reload
systemctl start chat.socket null.socket null-sandboxed.socket 2>&1 | diag
systemd-run --quiet --unit=ssa-chat.service -p User=chat -p Group=chat \
	systemd-socket-activate --accept -l 127.0.0.1:9992 /usr/sbin/chat-session
systemd-run --quiet --unit=ssa-null.service -p User=chat -p Group=chat \
	systemd-socket-activate --accept -l 127.0.0.1:9991 "$NULL"
echo "$CHAT_LINE" >/etc/inetd.conf
echo "9995 ${f[1]} ${f[2]} ${f[3]} ${f[4]} $NULL null-session" >>/etc/inetd.conf
systemctl restart inetd.service
systemd-run --quiet --unit=tcpserver-null.service \
	tcpserver "${TCP[@]}" 127.0.0.1 9994 "$NULL"
for p in 9999 9996 9993 9992 9991 $IPORT 9995 $TPORT 9994; do
	wait_for 10 listening $p || echo "nothing listens on $p" | diag
done
mainpid() { systemctl show -P MainPID "$1"; }
rate() {  # ACTIVATOR PROGRAM PORT PID
	echo "-- $1, $2 (port $3)" | diag
	$CONN_RATE -n "$N" -c 20 -w "$4" -l "${1// /_}|${2// /_}" "$3" >"$T/rate.out" 2>&1
	grep -v '^RESULT' "$T/rate.out" | diag
	grep '^RESULT' "$T/rate.out" >>"$T/results"
}
: >"$T/results"
rate "systemd Accept=yes" chat-session 9999 1
rate "systemd Accept=yes" "trivial (chat@'s sandbox)" 9993 1
rate "systemd Accept=yes" "trivial (no sandbox)" 9996 1
rate "systemd-socket-activate --accept" chat-session 9992 "$(mainpid ssa-chat.service)"
rate "systemd-socket-activate --accept" trivial 9991 "$(mainpid ssa-null.service)"
rate openbsd-inetd chat-session $IPORT "$(mainpid inetd.service)"
rate openbsd-inetd trivial 9995 "$(mainpid inetd.service)"
rate tcpserver chat-session $TPORT "$(mainpid chat-tcpserver.service)"
rate tcpserver trivial 9994 "$(mainpid tcpserver-null.service)"
{
	echo "connections/s in the container, $N per run (connect, prompt, name, welcome, /quit, EOF):"
	awk '
	{ for (i = 2; i <= NF; i++) { k = substr($i, 1, index($i, "=") - 1); v[k] = substr($i, index($i, "=") + 1) }
	  key = v["label"]; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	  r[key, v["mode"]] = v["rate"]; c[key, v["mode"]] = v["cpu_ms"]
	  bad[key] += v["n"] - v["ok"] }
	END {
	  printf "%-34s %-26s %9s %11s %14s\n", "activator", "program", "serial/s", "20 at once/s", "activator ms/conn"
	  for (i = 1; i <= n; i++) { k = order[i]; split(k, a, "|"); gsub(/_/, " ", a[1]); gsub(/_/, " ", a[2])
	    printf "%-34s %-26s %9s %11s %14s%s\n", a[1], a[2], r[k, "serial"], r[k, "20-at-once"],
	        c[k, "serial"], bad[k] ? "  (" bad[k] " failed)" : "" }
	}' "$T/results"
	echo "($(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg))"
} | diag
journalctl --no-pager -o short-monotonic -u chat-hub.service -p warning | tail -n 10 | diag
echo "inside the container: $(elapsed "$t_start") s" | diag
exit $((failed > 0))

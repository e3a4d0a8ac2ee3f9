# box-lib.sh -- shell helpers shared by the scripts that t/systemd-units.t
# runs inside systemd-box containers (t/systemd-inside.sh,
# t/inetd-inside.sh, t/cluster-inside.sh).  systemd-units.t installs it as
# /usr/local/lib/chat-test/box-lib.sh; the scripts source it.  They set
# T (their scratch directory) and failed=0 first.

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() {  # DESC CMD...: one assertion
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
diag() { sed 's/^/# /'; }
wait_for() {  # SECS CMD...: poll CMD every 0.1 s until it succeeds or SECS pass
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
listening() {  # PORT: a TCP socket listens on it
	local h
	h=$(printf ':%04X' "$1")
	awk -v h="$h" 'substr($2, length($2) - 4) == h && $4 == "0A" { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# --- interactive nc clients: NAME.in (a fifo we hold open), NAME.out ---
declare -A CFD CPID
client_start() {  # NAME PORT
	mkfifo "$T/$1.in"
	nc 127.0.0.1 "$2" <"$T/$1.in" >"$T/$1.out" 2>&1 &
	CPID[$1]=$!
	exec {fd}>"$T/$1.in"
	CFD[$1]=$fd
}
say() { echo "$2" >&"${CFD[$1]}"; }
seen() { grep -qF -- "$2" "$T/$1.out" 2>/dev/null; }	# (nc makes NAME.out a moment after)
expect() {  # CLIENT TEXT: the client's output shows TEXT within 10 s
	wait_for 10 seen "$1" "$2" || {
		echo "$1 did not see '$2'; its output:" | diag
		diag <"$T/$1.out"
		return 1
	}
}
login() {  # NAME PORT: connect, get the prompt, log in
	client_start "$1" "$2"
	expect "$1" "? name:" && say "$1" "$1" && expect "$1" "* welcome, $1"
}
client_gone() { ! kill -0 "${CPID[$1]}" 2>/dev/null; }

# --- IRC clients on a raw socket (python3), driven like the nc clients
# (say, expect; NAME.in, NAME.out): each line said goes out with CRLF,
# each line received is printed without it; PING is answered with PONG;
# "# closed" when the server has closed the connection.
irc_start() {  # NAME PORT
	[ -e "$T/irc-client.py" ] || cat >"$T/irc-client.py" <<'PY'
import os
import socket
import sys
import threading

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))


def read():
    buf = b""
    while data := s.recv(4096):
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.rstrip(b"\r").decode("utf-8", "replace")
            print(text, flush=True)
            if text.startswith("PING "):
                s.sendall(b"PONG " + text[5:].encode() + b"\r\n")
    print("# closed", flush=True)
    os._exit(0)


threading.Thread(target=read, daemon=True).start()
for line in sys.stdin:
    s.sendall(line.rstrip("\n").encode() + b"\r\n")
threading.Event().wait()
PY
	mkfifo "$T/$1.in"
	python3 "$T/irc-client.py" "$2" <"$T/$1.in" >"$T/$1.out" 2>&1 &
	CPID[$1]=$!
	exec {fd}>"$T/$1.in"
	CFD[$1]=$fd
}
expect_re() {  # CLIENT ERE: a line of the client's output matches ERE within 10 s
	wait_for 10 grep -qE -- "$2" "$T/$1.out" 2>/dev/null || {
		echo "$1 did not see /$2/; its output:" | diag
		diag <"$T/$1.out"
		return 1
	}
}
irc_meets() {  # ACT PORT NICK LINEUSER: NICK registers over IRC and talks with
	# LINEUSER (a line client already logged in); sets IPID, IPEER
	local act=$1 port=$2 nick=$3 user=$4
	irc_start "$nick" "$port"
	say "$nick" "NICK $nick"
	say "$nick" "USER $nick 0 * :$nick on IRC"
	check "$act: $nick registers over IRC on $port (NICK, USER) and gets '001 $nick'" \
		expect_re "$nick" "^:[^ ]+ 001 $nick :"
	check "$act: $nick is joined to #lobby (':$nick!$nick@... JOIN #lobby', NAMES with $user)" \
		eval 'expect_re "$nick" "^:$nick![^ ]+ JOIN #lobby\$" &&
		    expect_re "$nick" "^:[^ ]+ 353 $nick = #lobby :(.* )?$user( |\$)"'
	check "$act: $user sees '* $nick joined'" expect "$user" "* $nick joined"
	say "$user" "hello IRC, from $user via $act"
	check "$act: $nick sees ':$user!$user@... PRIVMSG #lobby :hello IRC, from $user via $act'" \
		expect_re "$nick" "^:$user![^ ]+ PRIVMSG #lobby :hello IRC, from $user via $act\$"
	say "$nick" "PRIVMSG #lobby :hello lines, from $nick via $act"
	check "$act: $user sees '<$nick> hello lines, from $nick via $act'" \
		expect "$user" "<$nick> hello lines, from $nick via $act"
	chatctl users 2>&1 | diag
	IPID=$(users_field "$nick" PID) IPEER=$(users_field "$nick" PEER)
	ps -o pid,ppid,user,group,args -p "${IPID:-1}" 2>&1 | diag
	check "$act: chatctl users lists $nick ($IPEER); its chat-irc (pid $IPID) runs as user chat" \
		eval '[[ $IPEER == 127.0.0.1:[0-9]* ]] && [ "$(user_of "$IPID")" = chat ] &&
		    [ "$(cat /proc/$IPID/comm)" = chat-irc ]'
}
irc_quits() {  # ACT NICK LINEUSER: QUIT with a reason, which LINEUSER sees
	local act=$1 nick=$2 user=$3
	say "$nick" "QUIT :gone fishing via $act"
	check "$act: $nick's QUIT is answered 'ERROR :Closing link: quit: gone fishing via $act' and the connection closes" \
		eval 'expect "$nick" "ERROR :Closing link: quit: gone fishing via $act" && expect "$nick" "# closed"'
	check "$act: $user sees '* $nick left (quit: gone fishing via $act)'" \
		expect "$user" "* $nick left (quit: gone fishing via $act)"
}

users_field() {  # NAME COLUMN -> that column of NAME's line in `chatctl users`
	chatctl users 2>/dev/null | awk -v n="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
		col && $1 == n { print $col; exit }'
}
user_of() { ps -o user= -p "$1" 2>/dev/null | tr -d ' '; }
is_active() { [ "$(systemctl is-active "$1")" = active ]; }
history_has() {  # TEXT: a line of `chatctl history` (chat-historyd's archive) has TEXT
	chatctl history --limit 1000 2>/dev/null | grep -qF -- "$1"
}

# The units' own checks: verify is clean; the security exposure.
verify_clean() {  # FILE...: systemd-analyze verify prints nothing
	local out
	out=$(systemd-analyze verify --man=no "$@" 2>&1)
	[ -z "$out" ] && return 0
	echo "$out" | diag
	return 1
}
exposure() {  # UNIT-OR-FILE [--offline=yes] -> "0.4"
	systemd-analyze security "$@" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9][0-9.]*\) .*/\1/p'
}
exposure_at_most() {  # LIMIT SCORE
	[ -n "$2" ] && awk -v l="$1" -v s="$2" 'BEGIN { exit !(s <= l) }'
}

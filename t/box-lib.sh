# box-lib.sh -- shell helpers shared by the scripts that t/systemd-units.t
# runs inside systemd-box containers (t/systemd-inside.sh,
# t/inetd-inside.sh).  systemd-units.t installs it as
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

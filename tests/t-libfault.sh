#!/bin/sh
# t-libfault.sh: libdrac under faults (tests/libfault.c): dracd killed with
# SIGKILL while a client calls it without pause, then restarted; a black
# hole registered with rpcbind (UDP and TCP sockets that never answer);
# no rpcbind at all, and an rpcbind port that never answers (each in a
# network namespace of its own, inside tests/run.sh's, and so run while
# the black hole does).  Every call must return within its timeout with a
# message, and no descriptor may leak.
. "$(dirname "$0")/lib.sh"

LF=$TOP/$B/tests/libfault
printf '127.0.0.1\n::1\n' >"$T/allow"

# bg LABEL CMD...: run CMD in the background, its output in $T/LABEL.out;
# its PID in $T/LABEL.pid.
bg() {
	_l=$1
	shift
	"$@" >"$T/$_l.out" 2>&1 &
	echo $! >"$T/$_l.pid"
}
# lf LABEL: libfault's cases of bg LABEL (waited for), one result line each.
lf() {
	_l=$1
	wait "$(cat "$T/$_l.pid")"
	_rc=$?
	_n=0
	while IFS= read -r _line; do
		case $_line in
		"ok "*) ok "${_line#ok }"; _n=$((_n + 1)) ;;
		"FAIL "*) nok "${_line#FAIL }"; _n=$((_n + 1)) ;;
		"figures "*) ok "$_line" ;;
		*) nok "$_l: unexpected output" "$_line" ;;
		esac
	done <"$T/$_l.out"
	[ "$_n" -gt 0 ] || nok "$_l: no result" "exit $_rc"
	[ "$_rc" -lt 2 ] || nok "$_l: exit status $_rc"
}

# alone CMD...: CMD in a network and mount namespace of its own, no rpcbind.
alone() {
	unshare --net --mount --propagation private sh -c \
	    'ip link set lo up && mount -t tmpfs tmpfs /run && exec "$@"' sh "$@"
}

# dracd killed mid-call, then back.
dracd_start -a "$T/allow" "$T/dracd.db" || { nok "dracd starts"; exit 1; }
bg loop "$LF" loop 6 500
sleep 1.5
kill -KILL "$DRACD_PID"
wait "$DRACD_PID" 2>/dev/null
DRACD_PID=
sleep 1.5
dracd_start -a "$T/allow" "$T/dracd.db" || nok "dracd restarts"
lf loop
t "dracd exits cleanly after the loop" dracd_stop

# A black hole in dracd's place (dracd stopped: it would answer), while
# the two cases in namespaces of their own wait on their timeouts too.
ROOT=
if [ "$(id -u)" -eq 0 ] && [ -n "${DRAC_NS:-}" ]; then
	ROOT=1
	bg norpcbind alone "$LF" norpcbind 400
	bg rpcbhole alone "$LF" rpcbhole 400
fi
bg blackhole "$LF" blackhole 400
lf blackhole
t "black hole unregistered" sh -c '! rpcinfo -p 127.0.0.1 | grep -q 900101'

if [ -z "$ROOT" ]; then
	skip "rpcbind cases" "need root and the namespaces of tests/run.sh"
	finish
	exit
fi
lf norpcbind
lf rpcbhole
t "the test's rpcbind still answers" rpcinfo -T udp 127.0.0.1 100000 4
finish

#!/bin/sh
# t-systemd.sh: what contrib/systemd/dracd.service relies on in dracd.
#
# Readiness (Type=notify): with $NOTIFY_SOCKET set, dracd sends READY=1
# from its own PID once registered with rpcbind.  tests/notifylisten
# stands in for systemd and stops dracd (SIGSTOP) the moment the datagram
# arrives; rpcbind must by then list versions 1 and 2, which dracd
# registers before it sends.  Both kinds of socket name: a path and an
# abstract @name.  A bad $NOTIFY_SOCKET is logged, not fatal.
#
# Capabilities: dracd -u runs with exactly the unit's CapabilityBoundingSet
# (setpriv, no new privileges) on a new map and again on the map it gave
# to the user; without any one of those capabilities one of the two fails.
. "$(dirname "$0")/lib.sh"

UNIT=$TOP/contrib/systemd/dracd.service
LISTEN=$TOP/$B/tests/notifylisten
printf '127.0.0.1\n::1\n' >"$T/allow"

# rpcbind lists program 900101 versions 1 and 2 over UDP and TCP.
listed() {
	rpcinfo >"$T/rpcinfo" 2>&1 || return 1
	for v in 1 2; do
		for n in udp tcp; do
			awk -v v=$v -v n=$n '$1 == 900101 && $2 == v && $3 == n' \
			    "$T/rpcinfo" | grep -q . || return 1
		done
	done
}

# notified NAME: dracd started with NOTIFY_SOCKET=NAME under notifylisten
# -s; leaves the listener's line in $T/notify.out, dracd stopped.
notified() {
	: >"$T/notify.out"
	"$LISTEN" -s "$1" 20 >"$T/notify.out" 2>&1 &
	_lp=$!
	waitfor 5 grep -q listening "$T/notify.out" || return 1
	: >"$T/dracd.log"
	NOTIFY_SOCKET=$1 "$DRACD" -f -j "$STATE" -a "$T/allow" "$T/map.db" \
	    2>>"$T/dracd.log" &
	DRACD_PID=$!
	wait "$_lp"
}

# ready_from_dracd: the listener got exactly READY=1, from dracd's PID.
ready_from_dracd() { test "$(tail -n 1 "$T/notify.out")" = "$DRACD_PID READY=1"; }

for name in "$T/notify.sock" "@drac-notify-$$"; do
	case $name in @*) kind=abstract ;; *) kind=path ;; esac
	if ! notified "$name"; then
		nok "$kind socket: READY=1 sent" "$(tail -n 1 "$T/notify.out")"
		dracd_stop
		continue
	fi
	ok "$kind socket: READY=1 sent"
	t "$kind socket: from dracd itself, nothing else" ready_from_dracd
	t "$kind socket: registered with rpcbind before READY=1" listed
	kill -CONT "$DRACD_PID"
	t "$kind socket: then answers" waitfor 10 registered
	t "$kind socket: clean exit" dracd_stop
done

: >"$T/dracd.log"
NOTIFY_SOCKET=relative.sock "$DRACD" -f -j "$STATE" -a "$T/allow" "$T/map.db" \
    2>>"$T/dracd.log" &
DRACD_PID=$!
t "bad NOTIFY_SOCKET: dracd starts anyway" waitfor 20 grep -q started "$T/dracd.log"
t "bad NOTIFY_SOCKET: says why" grep -q 'NOTIFY_SOCKET relative.sock' "$T/dracd.log"
t "bad NOTIFY_SOCKET: clean exit" dracd_stop

if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
	skip "capabilities" "needs root and the namespaces of tests/run.sh"
	finish
	exit
fi
# nobody: every Debian system has it, and the test adds no user.
U=nobody
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
# The unit's capabilities in setpriv's spelling: setuid setgid ...
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' |
    sed 's/cap_//g')
t "unit: CapabilityBoundingSet found" test -n "$CAPS"

# capstart CAPS MAP: dracd -u $U with only CAPS; true if it started.
capstart() {
	_set=-all
	for _c in $1; do _set="$_set,+$_c"; done
	DRACD_WRAP="setpriv --bounding-set=$_set --inh-caps=-all --no-new-privs"
	dracd_start -u "$U" -a "$T/allow" "$2" 2>/dev/null
	_rc=$?
	DRACD_WRAP=
	return $_rc
}
# capcase NAME CAPS MAP: a start with CAPS that must succeed.
capcase() {
	if capstart "$2" "$3"; then
		ok "$1"
		t "$1: add" "$DRACCTL" add 192.0.2.9
		t "$1: clean exit" dracd_stop
	else
		nok "$1" "$(tail -n 2 "$T/dracd.log" | tr '\n' ' ')"
		[ -z "$DRACD_PID" ] || wait "$DRACD_PID"
		DRACD_PID=
	fi
}
# capfails NAME CAPS MAP WHY: a start with CAPS that must fail, saying WHY.
capfails() {
	if capstart "$2" "$3"; then
		nok "$1" "started"
		dracd_stop
		return
	fi
	[ -z "$DRACD_PID" ] || wait "$DRACD_PID"
	DRACD_PID=
	t "$1" grep -q "$4" "$T/dracd.log"
}
# without CAP: CAPS less CAP.
without() { echo "$CAPS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' '; }

mkdir "$T/m"
capcase "unit's capabilities: new map" "$CAPS" "$T/m/new.db"
capcase "unit's capabilities: the map $U owns" "$CAPS" "$T/m/new.db"
capfails "without chown: new map refused" "$(without chown)" "$T/m/a.db" \
    "cannot give the map to user"
capfails "without dac_override: the map $U owns refused" \
    "$(without dac_override)" "$T/m/new.db" "new.db[.a-z]*: Permission denied"
capfails "without setuid: refused" "$(without setuid)" "$T/m/b.db" \
    "cannot become user"
capfails "without setgid: refused" "$(without setgid)" "$T/m/c.db" \
    "cannot become user"
finish

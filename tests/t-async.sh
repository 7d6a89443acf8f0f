#!/bin/sh
# t-async.sh: libdrac's non-blocking add (drac_async_*) against dracd,
# driven by tests/asynctest as an event loop would: IPv4, IPv6 and
# IPv4-mapped clients land in the map, a list of servers succeeds when one
# accepts and reports each server, the blocking and the fan-out add share
# rpcbind's answers (tests/v3test), a refusing dracd, no dracd, and a
# SIGSTOPped dracd that costs no more than the timeout.
. "$(dirname "$0")/lib.sh"

AT=$TOP/$B/tests/asynctest
MAP=$T/dracd.db
printf '127.0.0.1\n::1\n' >"$T/allow"

# fresh KEY: the map holds KEY.
fresh() { dump "$MAP" | awk -v k="$1" '$1 == k { f = 1 } END { exit !f }'; }
# async OUT SERVERS MS ADDR: run asynctest, output in $T/OUT.
async() { "$AT" "$2" "$3" "$4" >"$T/$1" 2>&1; }
# res OUT RC: the result line of $T/OUT has RC.
res() { awk -v r="$2" '$1 == "result" && $2 == r { f = 1 } END { exit !f }' "$T/$1"; }
# within OUT LO HI: the result line's elapsed ms is in [LO, HI].
within() { awk -v lo="$2" -v hi="$3" '$1 == "result" && $3 >= lo && $3 <= hi { f = 1 } END { exit !f }' "$T/$1"; }
# srv OUT NAME RC [TEXT]: server NAME's line has RC (and TEXT).
srv() { grep -q "^server $2 $3${4:+ .*$4}" "$T/$1"; }

if ! dracd_start -a "$T/allow" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
async v4 localhost 2000 127.0.0.5
t "IPv4 127.0.0.5: result 0" res v4 0
t "IPv4 127.0.0.5: in the map" waitfor 2 fresh 127.0.0.5
async v6 localhost 2000 fd00::5
t "IPv6 fd00::5: result 0" res v6 0
t "IPv6 fd00::5: key fd00::5" waitfor 2 fresh fd00::5
t "IPv6 fd00::5: key ipv6:fd00:0:0:0:0:0:0:5" waitfor 2 fresh ipv6:fd00:0:0:0:0:0:0:5
async mapped localhost 2000 ::ffff:127.0.0.7
t "IPv4-mapped ::ffff:127.0.0.7: result 0" res mapped 0
t "IPv4-mapped: sent as IPv4 (key 127.0.0.7)" waitfor 2 fresh 127.0.0.7
tf "IPv4-mapped: no IPv6 key" fresh ::ffff:127.0.0.7
async both "127.0.0.1,::1" 2000 127.0.0.8
t "two servers 127.0.0.1,::1: result 0" res both 0
t "two servers: 127.0.0.1 accepted" srv both 127.0.0.1 0
t "two servers: ::1 accepted" srv both ::1 0
t "two servers: in the map" waitfor 2 fresh 127.0.0.8
async partial "localhost, no-such-host.invalid" 2000 127.0.0.9
t "one good, one unknown server: result 0" res partial 0
t "one good, one unknown server: the unknown one reported" \
    srv partial no-such-host.invalid -1 "unknown server host"
t "one good, one unknown server: in the map" waitfor 2 fresh 127.0.0.9
async unknown no-such-host.invalid 2000 127.0.0.10
t "only an unknown server: -1 at once" res unknown -1
t "only an unknown server: message" grep -q "unknown server host" "$T/unknown"

# --- one table of rpcbind's answers for the blocking and the fan-out add
# (rpcb.c): in a process that adds through both, rpcbind's own count of
# GETADDR calls for dracd (rpcinfo -m) grows by one, whichever goes first.
getaddrs() {
	rpcinfo -m 127.0.0.1 | awk '$1 == 900101 { n += $4 + $5 } END { print n + 0 }'
}
# share OUT ARGS...: v3test auth ARGS in one process, output in $T/OUT,
# and the GETADDR calls it made on the last line.
share() {
	_o=$1
	shift
	_g=$(getaddrs)
	"$V3" auth "$@" >"$T/$_o" 2>&1
	echo "getaddr $(($(getaddrs) - _g))" >>"$T/$_o"
}
# shared OUT N: every add in $T/OUT returned 0, with N GETADDR calls.
shared() { awk -v n="$2" '$1 == "getaddr" { g = $2; next } $1 != 0 { bad = 1 } END { exit bad || g != n }' "$T/$1"; }
V3=$TOP/$B/tests/v3test
share b-then-f 127.0.0.1 127.0.0.20 "127.0.0.1," 127.0.0.21
t "blocking, then fan-out add: rpcbind asked once ($(tail -n 1 "$T/b-then-f"))" \
    shared b-then-f 1
share f-then-b "127.0.0.1," 127.0.0.22 127.0.0.1 127.0.0.23
t "fan-out, then blocking add: rpcbind asked once ($(tail -n 1 "$T/f-then-b"))" \
    shared f-then-b 1
share v6 "::1," fd00::22 ::1 fd00::23 "::1," fd00::24
t "IPv6, fan-out, blocking, fan-out: rpcbind asked once ($(tail -n 1 "$T/v6"))" \
    shared v6 1
t "the shared adds land" waitfor 2 fresh 127.0.0.23

# --- a remembered address whose dracd has moved (restarted, a new port):
# the fan-out add there is refused (ICMP), so it forgets the address and
# asks rpcbind again, well within a timeout shorter than a retransmission.
# stopped PID: the process has stopped itself.
stopped() { ps -o stat= -p "$1" | grep -q '^T'; }
DRAC_TIMEOUT=0.5 "$V3" auth 127.0.0.1 127.0.0.24 - - "127.0.0.1," 127.0.0.25 \
    >"$T/moved" 2>&1 &
V3_PID=$!
if waitfor 5 stopped "$V3_PID" && dracd_stop &&
    dracd_start -a "$T/allow" -e 10m "$MAP"; then
	g0=$(getaddrs)
	kill -CONT "$V3_PID"
	wait "$V3_PID"
	echo "getaddr $(($(getaddrs) - g0))" >>"$T/moved"
	t "dracd moved: the fan-out add to the old address asks rpcbind again ($(tail -n 1 "$T/moved"))" \
	    shared moved 1
	t "dracd moved: the add lands" waitfor 2 fresh 127.0.0.25
else
	kill -CONT "$V3_PID" 2>/dev/null
	nok "dracd moved: dracd restarts while the client waits"
fi

# --- dracd stopped: the add times out by its deadline, no later.
kill -STOP "$DRACD_PID"
async stopped localhost 500 127.0.0.11
t "SIGSTOPped dracd: -2, call timed out" srv stopped localhost -2 "timed out"
t "SIGSTOPped dracd: done within 500..600 ms ($(awk '/^result/ { print $3 }' "$T/stopped") ms)" \
    within stopped 450 600
async stopped2 "127.0.0.1,::1" 500 127.0.0.12
t "SIGSTOPped dracd, two servers: one timeout for both ($(awk '/^result/ { print $3 }' "$T/stopped2") ms)" \
    within stopped2 450 600
kill -CONT "$DRACD_PID"
t "after SIGCONT: the late adds land" waitfor 5 fresh 127.0.0.11
t "dracd stops cleanly" dracd_stop

# --- a dracd that refuses this host (::1 only in its allow file)
printf '::1\n' >"$T/allow6"
if dracd_start -a "$T/allow6" -e 10m "$MAP"; then
	async perm 127.0.0.1 2000 127.0.0.13
	t "refused: result 1 (permission denied)" res perm 1
	t "refused: message" grep -q "permission denied" "$T/perm"
	async mixed "127.0.0.1,::1" 2000 127.0.0.14
	t "refused on 127.0.0.1, accepted on ::1: result 0" res mixed 0
	t "refused on 127.0.0.1: reported per server" srv mixed 127.0.0.1 1
	t "dracd (::1 only) stops cleanly" dracd_stop
else
	nok "dracd with an IPv6-only allow file starts"
fi

# --- no dracd: rpcbind says it is not registered, at once
async none localhost 2000 127.0.0.15
t "no dracd: -1, not registered" srv none localhost -1 "not registered"
t "no dracd: answered at once ($(awk '/^result/ { print $3 }' "$T/none") ms)" \
    within none 0 500
t "usage error: exit 2" sh -c "'$AT' localhost 100 not-an-address; [ \$? -eq 2 ]"
finish

#!/bin/sh
# t-fanout.sh: the old functions fan out.  Two dracds, one here and one
# in a network namespace of its own (with its own rpcbind) behind a veth
# pair; dracauth() and dracauth6() given "127.0.0.1,10.77.0.2" add to
# both at once.  With either one SIGSTOPped an add still succeeds within
# the timeout and lands in the live one's map; with both stopped it fails
# within the timeout (the datagrams wait in the stopped ones' sockets).
. "$(dirname "$0")/lib.sh"

V3=$TOP/$B/tests/v3test
NB=drac-fan-$$
A=$T/a.db
BMAP=$T/b.db
SERVERS=127.0.0.1,10.77.0.2
REMOTE=
in_map() { dump "$1" | grep -q "^$2 "; }
# auth ADDR: dracauth() to both, 2 s timeout; its line in $T/auth.
auth() { DRAC_TIMEOUT=2 "$V3" auth "$SERVERS" "$1" >"$T/auth" 2>&1; }
# took LO HI: the last auth's rc is 0 and its time in [LO, HI] ms.
took() { awk -v lo="$1" -v hi="$2" '$1 == 0 && $2 >= lo && $2 <= hi { f = 1 } END { exit !f }' "$T/auth"; }

cleanup() {
	[ -z "$REMOTE" ] || { kill -CONT "$REMOTE"; kill "$REMOTE"; } 2>/dev/null
	[ -f "$T/rpcb2.pid" ] && kill "$(cat "$T/rpcb2.pid")" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	ip link del fa0 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$NB" 2>/dev/null; then
	skip "fan-out" "network namespaces need root"
	exit 0
fi
ip link add fa0 type veth peer name fa1 &&
    ip link set fa1 netns "$NB" &&
    ip addr add 10.77.0.1/24 dev fa0 &&
    ip link set fa0 up &&
    ip netns exec "$NB" ip link set lo up &&
    ip netns exec "$NB" ip addr add 10.77.0.2/24 dev fa1 &&
    ip netns exec "$NB" ip link set fa1 up || { nok "veth pair"; exit 1; }
printf '127.0.0.1\n::1\n10.77.0.0/24\n' >"$T/allow"

dracd_start -a "$T/allow" -U none -s 0 -e 10m "$A" || { nok "dracd here"; exit 1; }
ok "dracd here starts"
# The other dracd: its own /run, so its own rpcbind.
ip netns exec "$NB" unshare --mount --propagation private sh -c "
	mount -t tmpfs -o mode=755 tmpfs /run && mkdir /run/rpcbind &&
	{ rpcbind -f -w & echo \$! >'$T/rpcb2.pid'; } &&
	i=0; while ! rpcinfo -T udp 127.0.0.1 100000 4 >/dev/null 2>&1; do
		i=\$((i + 1)); [ \$i -lt 100 ] || exit 1; sleep 0.1; done
	exec '$DRACD' -f -j '$T/state2' -a '$T/allow' -U none -s 0 -e 10m '$BMAP'
" 2>"$T/b.log" &
REMOTE=$!
t "the other dracd starts in its namespace" waitfor 20 grep -q started "$T/b.log"

auth 192.0.2.10
t "both live: dracauth to both: rc 0" took 0 2000
t "both live: in this map" waitfor 2 in_map "$A" 192.0.2.10
t "both live: in the other map" waitfor 2 in_map "$BMAP" 192.0.2.10

kill -STOP "$REMOTE"
auth 192.0.2.11
t "other stopped: rc 0 within the 2 s timeout ($(cat "$T/auth"))" took 0 3000
t "other stopped: in this map" waitfor 2 in_map "$A" 192.0.2.11
DRAC_TIMEOUT=2 "$V3" auth "$SERVERS" 2001:db8::11 >"$T/auth" 2>&1
t "other stopped: dracauth6 rc 0 within the timeout" took 0 3000
t "other stopped: dracauth6's address in this map" \
    waitfor 2 in_map "$A" 2001:db8::11
kill -CONT "$REMOTE"

kill -STOP "$DRACD_PID"
auth 192.0.2.12
t "this one stopped: rc 0 within the timeout ($(cat "$T/auth"))" took 0 3000
t "this one stopped: in the other map" waitfor 2 in_map "$BMAP" 192.0.2.12

kill -STOP "$REMOTE"
auth 192.0.2.13
t "both stopped: fails within the timeout ($(cat "$T/auth"))" \
    awk '$1 != 0 && $2 <= 3000 { f = 1 } END { exit !f }' "$T/auth"
kill -CONT "$REMOTE" "$DRACD_PID"
t "SIGTERM: exit 0" dracd_stop
finish

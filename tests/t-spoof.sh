#!/bin/sh
# t-spoof.sh: forged UDP sources, and the options that narrow the
# transports (-l, -P tcp).  A neighbouring network namespace, joined by a
# veth pair, sends a UDP version 1 add whose source is the dracd host's
# own global IPv6 address (the address also set, without DAD, on the
# neighbour's side): dracd answers ADD_PERM, logs the spoof and stores
# nothing.  The same add made by the host itself comes in on loopback and
# is stored.  Everything is created here and removed on exit.
. "$(dirname "$0")/lib.sh"

RAW=$TOP/$B/tests/rawrpc
MAP=$T/dracd.db
NB=drac-nb-$$
OWN=2001:db8:ff::1	# the dracd host's own address, forged by the neighbour
DST=2001:db8:ff::10	# the dracd host's address the neighbour sends to
PEER=2001:db8:ff::2	# the neighbour's own address
SPORT=40001		# the forged source port; the reply goes there

port() {
	rpcinfo -p 127.0.0.1 | awk -v v="$1" -v p="$2" \
	    '$1 == 900101 && $2 == v && $3 == p { print $4; exit }'
}
# uport NETID: dracd's version 1 port for NETID (udp6 too) from rpcbind.
uport() {
	rpcinfo 127.0.0.1 | awk -v p="$1" '$1 == 900101 && $2 == 1 &&
	    $3 == p { n = split($4, a, "."); print a[n - 1] * 256 + a[n]; exit }'
}
has() { db_dump -p "$MAP" | grep -q "^ $1\$"; }
nb() { ip netns exec "$NB" "$@"; }
HDR=000dbc05
call() { echo "$1 00000000 00000002 $HDR 00000001 $2 00000000 00000000 00000000 00000000"; }
# addstat reply to xid: SUCCESS, then the addstat.
addreply() { echo "${1}00000001000000000000000000000000000000000000000$2"; }

cleanup() {
	ip netns del "$NB" 2>/dev/null
	ip link del dv0 2>/dev/null
	lib_cleanup
}
trap cleanup EXIT
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$NB" 2>/dev/null; then
	skip "spoofed sources" "network namespaces need root"
	exit 0
fi
ip link add dv0 type veth peer name dv1 &&
    ip link set dv1 netns "$NB" &&
    ip addr add $OWN/64 dev dv0 nodad &&
    ip addr add $DST/64 dev dv0 nodad &&
    ip link set dv0 up &&
    nb ip link set lo up &&
    nb ip addr add $PEER/64 dev dv1 nodad &&
    nb ip addr add $OWN/128 dev dv1 nodad &&
    nb ip link set dv1 up || { nok "veth pair"; exit 1; }

# No allow file: this host's addresses, $OWN among them, are trusted.
if ! dracd_start -a "$T/none" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
ok "dracd starts"
U6=$(uport udp6)

"$RAW" -R -w 4000 "$OWN" $SPORT >"$T/catch" 2>&1 &
catcher=$!
sleep 0.2
nb "$RAW" -w 300 -b "[$OWN]:$SPORT" -d $DST "$U6" \
    "$(call 00000061 00000001) 0a0b0c0d" >/dev/null 2>&1
wait $catcher
t "forged IPv6 source from the neighbour: ADD_PERM" \
    test "$(cat "$T/catch")" = "$(addreply 00000061 1)"
t "forged source: logged as spoofed" grep -q 'spoofed: add of 10.11.12.13 from 2001:db8:ff::1' "$T/dracd.log"
sleep 0.3
tf "forged source: not stored" has 10.11.12.13
t "the host itself, from the same address over loopback: ADD_SUCCESS" sh -c \
    "[ \"\$('$RAW' -b '[$OWN]:0' -d $DST $U6 '$(call 00000062 00000001) 0a0b0c0e')\" = $(addreply 00000062 0) ]"
t "the host's own add stored" waitfor 2 has 10.11.12.14
t "dracd exits cleanly" dracd_stop

# -P tcp: adds over TCP only; an old UDP client gets ADD_PERM and the log
# says why.
printf '127.0.0.1\n::1\n' >"$T/allow"
dracd_start -P tcp -a "$T/allow" "$MAP"
t "-P tcp: add over UDP refused" sh -c \
    "'$DRACCTL' add 192.0.2.31 2>&1 | grep -qi 'permission denied'"
t "-P tcp: the log says why" grep -q 'over UDP; -P tcp takes adds over TCP only' "$T/dracd.log"
t "-P tcp: add over TCP taken" "$DRACCTL" -p tcp add 192.0.2.32
t "-P tcp: stored" waitfor 2 has 192.0.2.32
tf "-P tcp: the UDP add not stored" has 192.0.2.31
t "-P tcp: NULL over UDP still answered" rpcinfo -T udp 127.0.0.1 900101 1
dracd_stop
t "usage: dracd -P udp" sh -c "'$DRACD' -f -j '$STATE' -P udp -a '$T/allow' '$T/x.db' 2>&1; [ \$? -eq 2 ]"

# -l: listen on the addresses named only.
dracd_start -l 127.0.0.1 -l $DST -a "$T/allow" "$MAP"
U=$(port 1 udp)
U6=$(uport udp6)
NULLCALL=$(call 00000070 00000000)
t "-l: registered udp and udp6" test -n "$U" -a -n "$U6"
t "-l: answers on 127.0.0.1" "$RAW" -w 500 "$U" "$NULLCALL"
t "-l: answers on $DST" "$RAW" -w 500 -d $DST "$U6" "$NULLCALL"
tf "-l: nothing on 127.0.0.2" "$RAW" -w 500 -d 127.0.0.2 "$U" "$NULLCALL"
tf "-l: nothing on ::1" "$RAW" -w 500 -d ::1 "$U6" "$NULLCALL"
t "-l: rpcinfo over tcp" rpcinfo -T tcp 127.0.0.1 900101 1
dracd_stop
t "-l: a name, not an address: refused" sh -c \
    "'$DRACD' -f -j '$STATE' -l localhost -a '$T/allow' '$T/x.db' 2>&1 | grep -q 'not a numeric'"
finish

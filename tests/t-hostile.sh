#!/bin/sh
# t-hostile.sh: dracd under hostile and broken clients: garbage and
# truncated datagrams, wrong program, version and procedure numbers, TCP
# record marks claiming huge records, half a record and a stall, hundreds
# of idle connections, connections that pipeline calls and never read the
# replies.  Each gets the reply RPC prescribes (or none, for
# what is not a call); meanwhile dracd keeps answering other clients at
# once, never crashes, keeps its connections under the cap (-c) and
# closes idle ones (-T), and its log stays small.
. "$(dirname "$0")/lib.sh"

RAW=$TOP/$B/tests/rawrpc
HOST=$TOP/$B/tests/hostile
MAP=$T/dracd.db
MAXCONN=100
printf '127.0.0.1\n::1\n' >"$T/allow"

# port VERS NETID: dracd's port from rpcbind.
port() {
	rpcinfo -p 127.0.0.1 | awk -v v="$1" -v p="$2" \
	    '$1 == 900101 && $2 == v && $3 == p { print $4; exit }'
}
has() { db_dump -p "$MAP" | grep -q "^ $1\$"; }
# answers ADDR: another client is served at once: NULL calls over UDP and
# TCP, and an add over TCP that is in the map within a second.
answers() {
	timeout 2 rpcinfo -T udp 127.0.0.1 900101 1 &&
	    timeout 2 rpcinfo -T tcp 127.0.0.1 900101 2 &&
	    "$DRACCTL" -t 1 -p tcp add "$1" && waitfor 1 has "$1"
}
# raw EXPECTED HEX...: rawrpc's reply to the last datagram is EXPECTED.
raw() {
	_want=$1
	shift
	_got=$("$RAW" -w 500 "$U" "$@" | tail -n 1)
	[ "$_got" = "$_want" ] || { echo "got $_got, want $_want"; return 1; }
}
# rawtcp EXPECTED HEX...: the same over one TCP connection.
rawtcp() {
	_want=$1
	shift
	_got=$("$RAW" -t -w 1000 "$TP" "$@" | tail -n 1)
	[ "$_got" = "$_want" ] || { echo "got $_got, want $_want"; return 1; }
}
# hold OUT ARGS...: run hostile ARGS in the background, output in OUT.
hold() {
	_out=$1
	shift
	"$HOST" "$@" >"$_out" 2>&1 &
	HOLD=$!
}
# field OUT NAME: the value after NAME in hostile's line.
field() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"; }
# dropped: the connection held by hold was closed within a second.
dropped() {
	wait $HOLD
	_f=$(field "$T/h.out" first)
	[ "$(field "$T/h.out" closed)" -eq 1 ] && [ "$_f" -ge 0 ] &&
	    [ "$_f" -lt 1000 ] || { cat "$T/h.out"; return 1; }
}
# closed N: hostile saw the server close N connections.
closed() {
	[ "$(field "$T/h.out" closed)" = "$1" ] || { cat "$T/h.out"; return 1; }
}
# fds: how many descriptors dracd has open; fdmax: no more than at start.
fds() { ls "/proc/$DRACD_PID/fd" | wc -l; }
fdmax() { [ "$(fds)" -le "$FDS0" ]; }

HDR=000dbc05
call() { echo "$1 00000000 00000002 $HDR $2 $3 00000000 00000000 00000000 00000000"; }
# 2001:db8::9, one XDR int per byte.
V6="00000020 00000001 0000000d 000000b8 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000009"
# Replies: xid, REPLY, MSG_ACCEPTED, null verifier, then accept_stat.
acc() { echo "${1}00000001000000000000000000000000$2"; }

for o in "-c 0" "-c 65537" "-c x" "-c 10k" "-T 0" "-T 5x" "-T -1"; do
	t "usage: dracd $o" sh -c "'$DRACD' -f -j '$STATE' $o -a '$T/allow' '$T/x.db' 2>&1; [ \$? -eq 2 ]"
done
t "-c beyond the descriptor limit: refused, says why" sh -c \
    "ulimit -n 100; '$DRACD' -f -j '$STATE' -c 200 -a '$T/allow' '$T/x.db' 2>&1 |
    grep -q 'needs 232 descriptors'"

if ! dracd_start -c $MAXCONN -T 3s -a "$T/allow" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
ok "dracd starts"
U=$(port 1 udp)
TP=$(port 1 tcp)
FDS0=$(fds)

# Datagrams that are not calls get no reply.
t "garbage datagram: no reply" raw - deadbeef
t "empty datagram: no reply" raw - ""
t "a reply, not a call: no reply" raw - "00000001 00000001 00000000 00000000 00000000 00000000"
t "RPC version 3: no reply (libtirpc drops it)" raw - \
    "00000002 00000000 00000003 $HDR 00000001 00000001 00000000 00000000 00000000 00000000 0a010203"
t "header cut short: no reply" raw - "00000003 00000000 00000002 $HDR 00000001"
t "credential longer than the datagram: no reply" raw - \
    "00000004 00000000 00000002 $HDR 00000001 00000001 00000001 00000100 00000000"
t "answers after garbage" answers 192.0.2.1

# Wrong numbers: the replies RPC prescribes.
t "wrong program: PROG_UNAVAIL" raw "$(acc 00000010 00000001)" \
    "$(call 00000010 00000001 00000000 | sed s/$HDR/000186a0/)"
t "version 4: PROG_MISMATCH 1 to 3" \
    raw "$(acc 00000011 00000002)0000000100000003" "$(call 00000011 00000004 00000001) 0a010203"
t "version 0: PROG_MISMATCH 1 to 3" \
    raw "$(acc 00000012 00000002)0000000100000003" "$(call 00000012 00000000 00000000)"
t "v3 procedure 7: PROC_UNAVAIL" raw "$(acc 00000016 00000003)" \
    "$(call 00000016 00000003 00000007)"
t "v3 address family 5: GARBAGE_ARGS" raw "$(acc 00000017 00000004)" \
    "$(call 00000017 00000003 00000004) 00000005 0a010203"
t "v3 ADDMANY of 257 addresses: GARBAGE_ARGS" raw "$(acc 00000018 00000004)" \
    "$(call 00000018 00000003 00000002) 00000101 $(i=0; while [ $i -lt 257 ]; do printf '00000004 0a0b0c0d '; i=$((i + 1)); done) 00000000"
t "v1 procedure 2: PROC_UNAVAIL" raw "$(acc 00000013 00000003)" \
    "$(call 00000013 00000001 00000002) 0a010203"
t "v2 procedure 7: PROC_UNAVAIL" raw "$(acc 00000014 00000003)" \
    "$(call 00000014 00000002 00000007) $V6"
# MSG_DENIED, AUTH_ERROR, AUTH_BADCRED.
t "bad AUTH_SYS credential: AUTH_ERROR" raw 0000001500000001000000010000000100000001 \
    "00000015 00000000 00000002 $HDR 00000001 00000001 00000001 00000008 00000001 000003e8 00000000 00000000 0a010203"

# Truncated arguments: GARBAGE_ARGS, never an address made up from
# whatever libtirpc's buffer held before (a full add of 10.9.8.7 first).
t "full v1 add" raw "$(acc 00000020 00000000)00000000" "$(call 00000020 00000001 00000001) 0a090807"
t "v1 add cut short: GARBAGE_ARGS" raw "$(acc 00000021 00000004)" \
    "$(call 00000021 00000001 00000001) 0a01"
t "v2 add cut short: GARBAGE_ARGS" raw "$(acc 00000022 00000004)" \
    "$(call 00000022 00000002 00000001) $(echo "$V6" | cut -c1-80)"
t "v1 add with no argument: GARBAGE_ARGS" raw "$(acc 00000023 00000004)" \
    "$(call 00000023 00000001 00000001)"
t "full add stored" waitfor 1 has 10.9.8.7
t "cut adds stored nothing" sh -c \
    "! db_dump -p '$MAP' | grep -q '^ 10\.1\.\|^ 10\.9\.0\.0\|^ 2001:db8'"
t "TCP record with the argument cut short: GARBAGE_ARGS" \
    rawtcp "80000018$(acc 00000024 00000004)" \
    "8000002a $(call 00000024 00000001 00000001) 0a01"
t "answers after wrong and cut calls" answers 192.0.2.2

# A flood of refused adds: served, logged a few times only.
flood=$(awk -v c="$(call %08x 00000001 00000001 | tr -d ' ')e0000001" \
    'BEGIN { for (i = 0; i < 500; i++) printf " " c, i }')
# shellcheck disable=SC2086
"$RAW" -w 0 "$U" $flood >/dev/null
t "flood of 500 refused adds: answers" answers 192.0.2.3

# TCP record marks: dracd drops the connection at once.
for m in "7fffffff:a 2 GB fragment" "80100000:a 1 MB record" \
    "80000000:an empty fragment" \
    "00001800$(printf '%012288d' 0)00001800:fragments past 8 KB"; do
	hold "$T/h.out" -n 1 -w 5 "$TP" "${m%%:*}"
	t "record mark, ${m#*:}: connection closed at once" dropped
done
t "answers after huge records" answers 192.0.2.4

# Half a record, then a stall: others are served; closed when idle (-T 3s).
hold "$T/h.out" -n 20 -w 8 "$TP" "8000002c $(call 00000030 00000001 00000001 | cut -c1-20)"
sleep 0.5
t "20 half records stalled: answers" answers 192.0.2.5
wait $HOLD
t "stalled connections closed after the idle time" sh -c \
    "[ $(field "$T/h.out" closed) -eq 20 ] && [ $(field "$T/h.out" first) -ge 2500 ]"

# Hundreds of connections, one every 5 ms, each with one add: the first
# is a live client (an add every 100 ms), the 299 others then idle.
REC="8000002c $(call 00000040 00000001 00000001) 0a010240"
hold "$T/h.out" -k 100 -p 5 -n 300 -w 9 "$TP" "$REC"
sleep 1
t "300 connections: answers" answers 192.0.2.6
t "300 connections: dracd holds at most $MAXCONN" \
    test "$(fds)" -le $((MAXCONN + 32))
sleep 1
t "300 connections: answers again" answers 192.0.2.7
wait $HOLD
t "idle connections closed, least recently active first" closed 299
t "the live connection kept" test "$(field "$T/h.out" keep)" = open
t "the live connection answered throughout" sh -c \
    "set -- \$(awk '{ print \$(NF - 1), \$NF }' '$T/h.out');
    [ \$1 -ge 30 ] && [ \$2 -ge \$(((\$1 - 2) * 32)) ]"
t "cap logged" grep -q 'TCP connections: closed the least recently active' "$T/dracd.log"

# The same after a stall: dracd stopped for 0.8 s while the connections
# keep coming.  When it goes on, every connection with input waiting was
# active "by now"; the 160 connections waiting to be accepted must close
# the idle ones first, never the live client (read first, it used to go).
hold "$T/h.out" -k 100 -p 5 -n 300 -w 9 "$TP" "$REC"
sleep 0.2
kill -STOP "$DRACD_PID"
sleep 0.8
kill -CONT "$DRACD_PID"
wait $HOLD
t "after a stall: idle connections closed" closed 299
t "after a stall: the live connection kept" \
    test "$(field "$T/h.out" keep)" = open

hold "$T/h.out" -n 400 -w 8 "$TP"
sleep 1
t "400 silent connections: answers" answers 192.0.2.8
wait $HOLD
t "400 silent connections all closed" closed 400
t "descriptors back to where they were" waitfor 5 fdmax

# Three connections pipeline NULL calls and never read the replies: a
# UDP ping every 10 ms is answered meanwhile (libtirpc spun up to 2 s on
# each full socket), and the connections are closed once their replies
# go unread.  The figure is printed; the bound is generous (load).
NULLREC="80000028 $(call 00000050 00000001 00000000)"
FLOOD=
i=0
while [ $i -lt 20 ]; do FLOOD="$FLOOD $NULLREC"; i=$((i + 1)); done
"$HOST" -F -n 3 -u "$U" -w 12 "$TP" "$FLOOD" >"$T/h.out" 2>&1
MAXW=$(field "$T/h.out" max)
echo "# 3 TCP floods that never read replies: $(cat "$T/h.out")"
t "3 TCP floods that never read: UDP pings waited at most ${MAXW:-?} ms (< 200)" \
    sh -c "[ '${MAXW:-9999}' -lt 200 ]"
t "3 TCP floods that never read: all closed" closed 3
t "3 TCP floods that never read: closed within 6 s" \
    test "$(field "$T/h.out" last)" -lt 6000
t "answers after the floods" answers 192.0.2.9

tf "one more refused add" "$DRACCTL" add 224.0.0.2
t "log stays small (rate-limited)" sh -c "[ \$(wc -l <'$T/dracd.log') -le 30 ]"
t "suppressed lines counted" grep -q 'similar messages suppressed' "$T/dracd.log"
t "dracd exits cleanly" dracd_stop
t "map verifies" db_verify -q "$MAP"
finish

#!/bin/sh
# t-dracd.sh: dracd end to end through rpcbind: the wire format of
# versions 1 and 2 (golden datagrams, as DRAC 1.12 and Debian's client send
# them), the map layout (db_dump, db_verify), the allow list, the input
# rules, expiry, group commit, options, signals and unregistering.
. "$(dirname "$0")/lib.sh"

RAW=$TOP/$B/tests/rawrpc
MAP=$T/dracd.db
printf '127.0.0.1\n::1\n' >"$T/allow"

# port VERS NETID: dracd's port from rpcbind.
port() {
	rpcinfo -p 127.0.0.1 | awk -v v="$1" -v p="$2" \
	    '$1 == 900101 && $2 == v && $3 == p { print $4; exit }'
}
# value KEY: the map's value for KEY.
value() { dump "$MAP" | awk -v k="$1" '$1 == k { print $2 }'; }
# fresh KEY: KEY is in the map and expires about EXPIRE seconds from now.
fresh() {
	_v=$(value "$1")
	[ -n "$_v" ] && [ "$_v" -ge $(($(date +%s) + $2 - 3)) ] &&
	    [ "$_v" -le $(($(date +%s) + $2 + 1)) ]
}
# has MAP PATTERN: some key of MAP matches the grep pattern.
# hasnt MAP PATTERN: no key matches (and the map can be read).
has() {
	db_dump -p "$1" >/dev/null || return 2
	dump "$1" | awk '{ print $1 }' | grep -q -e "$2"
}
hasnt() {
	has "$@"
	[ $? -eq 1 ]
}
# nkeys MAP: how many records.
nkeys() { dump "$1" | wc -l; }
test_empty() { [ "$(nkeys "$1")" -eq 0 ]; }
# nul_record MAP KEY: KEY and its value are stored NUL-terminated.
nul_record() { dump "$1" | grep -q "^$2\\\\00 [0-9]*\\\\00\$"; }
# added KEY: KEY shows up fresh within a second (the sync window).
added() { waitfor 1 fresh "$1" 600; }

HDR=000dbc05	# program 900101
CALL1="12345678 00000000 00000002 $HDR 00000001 00000001 00000000 00000000 00000000 00000000"
CALL2="12345679 00000000 00000002 $HDR 00000002 00000001 00000000 00000000 00000000 00000000"
CALLNULL="1234567b 00000000 00000002 $HDR 00000001 00000000 00000000 00000000 00000000 00000000"
OKREPLY=12345678000000010000000000000000000000000000000000000000
# 2001:db8::1 as 16 XDR chars, sign-extended as a signed-char client sends.
V6SIGNED="00000020 00000001 0000000d ffffffb8 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001"
# 2001:db8::2 with unsigned chars, as an unsigned-char client sends.
V6UNSIGNED="00000020 00000001 0000000d 000000b8 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002"

if ! dracd_start -a "$T/allow" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
ok "dracd starts"
t "registered: v1 and v2 on udp, tcp, udp6, tcp6" sh -c '
	for n in udp tcp; do for v in 1 2; do
		rpcinfo -T $n 127.0.0.1 900101 $v || exit 1; done; done
	for n in udp6 tcp6; do for v in 1 2; do
		rpcinfo -T $n ::1 900101 $v || exit 1; done; done'

U=$(port 1 udp)
t "v1 golden datagram: reply bytes" sh -c \
    "[ \"\$($RAW $U '$CALL1 0a010203')\" = $OKREPLY ]"
t "v1 golden datagram: 10.1.2.3 stored with expiry" added 10.1.2.3 600
t "v2 golden datagram, signed chars" sh -c \
    "[ \"\$($RAW $U '$(echo "$CALL2" | sed s/12345679/1234567a/) $V6SIGNED')\" = \
    \$(echo $OKREPLY | sed s/^12345678/1234567a/) ]"
t "v2 inet_ntop key" added 2001:db8::1
t "v2 sendmail key" added ipv6:2001:db8:0:0:0:0:0:1
$RAW $U "$CALL2 $V6UNSIGNED" >/dev/null
t "v2 golden datagram, unsigned chars" added 2001:db8::2
t "v1 over TCP (record mark)" sh -c \
    "$RAW -t $(port 1 tcp) '8000002c $CALL1 0a010204' >/dev/null"
t "v1 over TCP stored" added 10.1.2.4

t "dracctl add over UDP" "$DRACCTL" add 192.0.2.10 2001:db8::10
t "dracctl add over TCP" "$DRACCTL" -p tcp add 192.0.2.11
t "dracctl IPv4 stored" added 192.0.2.10
t "dracctl IPv6 stored" added ipv6:2001:db8:0:0:0:0:0:10
t "v2 add of a mapped address" "$DRACCTL" -2 add 192.0.2.12
t "mapped address stored as IPv4" added 192.0.2.12
t "no ::ffff: key" hasnt "$MAP" ffff
t "keys are lowercase" "$DRACCTL" add 2001:DB8::ABCD
t "lowercase key stored" added 2001:db8::abcd
for a in 0.0.0.0 0.1.2.3 224.0.0.1 239.1.1.1 255.255.255.255 240.0.0.1 :: ff02::1; do
	tf "refused: $a" "$DRACCTL" add "$a"
done
t "refused addresses logged" grep -q 'refused add of 0.0.0.0 from 127.0.0.1' "$T/dracd.log"
t "refused addresses not stored" hasnt "$MAP" '^0\.\|^22[4-9]\|^23\|^24\|^25\|^ff02\|^::$'
t "loopback from a local caller accepted" "$DRACCTL" add 127.0.0.9
t "db_verify clean" db_verify -q "$MAP"
t "hash map" sh -c "db_dump '$MAP' | grep -q '^type=hash'"
t "map is 0644" sh -c "[ \"\$(stat -c %a '$MAP')\" = 644 ]"
# (bounded: were the first gone, the second would serve until stopped)
tf "second dracd refuses to start" timeout 20 "$DRACD" -f -j "$STATE" -a "$T/allow" "$T/other.db"
t "second dracd says why" sh -c "timeout 20 '$DRACD' -f -j '$STATE' -a '$T/allow' '$T/other.db' 2>&1 | grep -q 'another dracd'"

# The allow list, reloaded on SIGHUP.
printf '# only a remote host\n192.0.2.1\n' >"$T/allow"
kill -HUP "$DRACD_PID"
t "SIGHUP reload logged" waitfor 5 grep -q '1 entries' "$T/dracd.log"
tf "untrusted caller refused" "$DRACCTL" add 198.51.100.1
t "untrusted caller: permission denied" sh -c \
    "'$DRACCTL' add 198.51.100.1 2>&1 | grep -qi 'permission denied'"
t "untrusted caller: nothing written" hasnt "$MAP" 198.51.100.1
t "untrusted caller logged" grep -q 'denied: 127.0.0.1 is not in' "$T/dracd.log"
t "untrusted TCP peer: closed, no reply even to NULL" sh -c \
    "[ \"\$($RAW -t -w 1000 $(port 1 tcp) '80000028 $CALLNULL')\" = - ]"
t "untrusted TCP peer: logged" grep -q \
    'TCP connection from 127.0.0.1 closed, not in the allow list' "$T/dracd.log"
t "untrusted UDP peer: NULL still answered" rpcinfo -T udp 127.0.0.1 900101 1
printf '127.0.0.1\n::1\nnot an address\n' >"$T/allow"
kill -HUP "$DRACD_PID"
t "bad allow file on SIGHUP: file:line logged" waitfor 5 grep -q "$T/allow:3" "$T/dracd.log"
tf "bad allow file on SIGHUP: old table kept" "$DRACCTL" add 198.51.100.1
printf '127.0.0.1\n::1\n' >"$T/allow"
kill -HUP "$DRACD_PID"
# The second "allow: 2 entries" (the first at start; dracd's "started"
# line says "with 2 entries" too).
waitfor 5 sh -c "[ \$(grep -c 'allow: 2 entries\$' '$T/dracd.log') -eq 2 ]"
t "good allow file after a bad one" "$DRACCTL" add 198.51.100.1
printf '127.0.0.1\n' >"$T/allow"
kill -HUP "$DRACD_PID"
waitfor 5 grep -q ' 1 entries' "$T/dracd.log"
t "IPv6 caller not listed: refused" sh -c \
    "'$DRACCTL' -s ::1 -p udp6 add 198.51.100.2 2>&1 | grep -qi 'permission denied'"
printf '::1\n' >"$T/allow"
kill -HUP "$DRACD_PID"
sleep 0.3
t "IPv6 caller listed: accepted" "$DRACCTL" -s ::1 -p tcp6 add 198.51.100.3

before=$(value 10.1.2.3)
t "SIGTERM: exit 0, clean" dracd_stop TERM
tf "SIGTERM: unregistered" sh -c 'rpcinfo -p 127.0.0.1 | grep -q 900101'
t "map verifies after exit" db_verify -q "$MAP"

# Restart: entries kept and indexed; an expired one is removed.
printf '127.0.0.1\n::1\n' >"$T/allow"
# One entry per address: IPv4 keys and the ipv6: form of each IPv6 one,
# plus the expired 203.0.113.1 loaded below.
n=$(dump "$MAP" | awk '$1 !~ /:/ || $1 ~ /^ipv6:/' | wc -l)
db_load -T -t hash "$MAP" <<EOF2
203.0.113.1
1000
not-an-address
12345
EOF2
dracd_start -a "$T/allow" "$MAP"
t "restart indexes the map" grep -q "($((n + 1)) entries)" "$T/dracd.log"
t "restart keeps entries" test "$(value 10.1.2.3)" = "$before"
t "expired entry from before removed" waitfor 5 hasnt "$MAP" 203.0.113.1
t "foreign record left alone and logged" grep -q 'dracd does not write were left alone' "$T/dracd.log"
t "foreign record still there" has "$MAP" not-an-address
dracd_stop
dracd_start -i -a "$T/allow" "$MAP"
t "-i truncates the map" test "$(nkeys "$MAP")" -eq 0
dracd_stop

# Expiry, group commit and sync-per-add.
dracd_start -e 2s -s 50 -a "$T/allow" "$T/e.db"
"$DRACCTL" add 192.0.2.50 2001:db8::50
t "group commit: visible within the window" waitfor 1 has "$T/e.db" 192.0.2.50
t "expiry: entry not removed early" has "$T/e.db" 2001:db8::50
t "expiry: entries removed" waitfor 5 test_empty "$T/e.db"
t "expiry: map verifies" db_verify -q "$T/e.db"
dracd_stop
# A reader that holds its shared lock for seconds delays the map, not
# dracd: calls are answered meanwhile and the adds land afterwards.
dracd_start -s 20 -a "$T/allow" "$T/r.db"
flock -s "$T/r.db" sleep 3 &
reader=$!
sleep 0.2
"$DRACCTL" add 192.0.2.70 >/dev/null 2>&1
sleep 0.4
t "stuck reader: dracd answers within a second" "$DRACCTL" -t 1 ping
t "stuck reader: adds answered within a second" sh -c \
    "'$DRACCTL' -t 1 add 192.0.2.71 2>&1 | grep -v -i 'timed out'"
t "stuck reader: lock failure logged" grep -q 'cannot lock' "$T/dracd.log"
wait "$reader"
t "stuck reader: adds written once it lets go" waitfor 3 sh -c \
    "db_dump -p '$T/r.db' | grep -q '^ 192.0.2.70\$' &&
    db_dump -p '$T/r.db' | grep -q '^ 192.0.2.71\$'"
t "stuck reader: recovery logged" grep -q 'writable again' "$T/dracd.log"
dracd_stop
dracd_start -s 0 -a "$T/allow" "$T/s.db"
"$DRACCTL" add 192.0.2.51
t "-s 0: written before the reply" has "$T/s.db" 192.0.2.51
dracd_stop

# Map variants.
dracd_start -t btree -a "$T/allow" "$T/b.db"
"$DRACCTL" add 192.0.2.60
dracd_stop
t "-t btree: a btree map" sh -c "db_dump '$T/b.db' | grep -q '^type=btree'"
t "-t btree: key stored" has "$T/b.db" '^192.0.2.60$'
# The existing map decides its type; -t only warns.
if dracd_start -t hash -a "$T/allow" "$T/b.db"; then
	ok "-t hash on a btree map: starts"
	t "-t hash on a btree map: a warning says why" grep -q \
	    'a btree map; -t hash applies to new maps only' "$T/dracd.log"
	"$DRACCTL" add 192.0.2.62
	t "-t hash on a btree map: clean stop" dracd_stop
	t "-t hash on a btree map: still btree" sh -c \
	    "db_dump '$T/b.db' | grep -q '^type=btree'"
	t "-t hash on a btree map: key stored" has "$T/b.db" '^192.0.2.62$'
else
	nok "-t hash on a btree map: starts"
fi
dracd_start -N -a "$T/allow" "$T/n.db"
"$DRACCTL" add 192.0.2.61
dracd_stop
t "-N: key and value end in NUL" nul_record "$T/n.db" 192.0.2.61

# Start-up errors.
printf '127.0.0.1\n10.0.0.0/33\n' >"$T/bad"
tf "bad allow file at start: refused" "$DRACD" -f -j "$STATE" -a "$T/bad" "$T/x.db"
t "bad allow file at start: names file:line" sh -c "'$DRACD' -f -j '$STATE' -a '$T/bad' '$T/x.db' 2>&1 | grep -q '$T/bad:2'"
for o in "-e 0" "-e 5x" "-e -3" "-e 10ms" "-t dbm" "-s 5000" "-s x" "-q"; do
	t "usage: dracd $o" sh -c "'$DRACD' -f -j '$STATE' $o -a '$T/allow' '$T/x.db' 2>&1; [ \$? -eq 2 ]"
done
t "usage message" sh -c "'$DRACD' -e 0 2>&1 | grep -q '^usage: dracd'"
finish

#!/bin/sh
# t-socketmap.sh: dracd -S, the socketmap service, driven by
# tests/smclient: the replies to each key form an MTA sends, an entry past
# its expiry NOTFOUND at once (the map still holding it), malformed and
# oversized netstrings closing the connection, the idle timeout, the
# connection cap, the unix socket's mode and group, TCP readers outside
# the reader list refused, and every lookup answered while dracctl loops
# add (tests/adders.sh; the lookup figures are tests/bench-smap.sh's).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/adders.sh"

SM=$TOP/$B/tests/smclient
SOCK=$T/smap.sock
PORT=7701
U=unix:$SOCK
printf '127.0.0.1\n::1\n' >"$T/allow"
printf '# socketmap readers\n127.0.0.1\n' >"$T/readers"

# is WANT CMD...: the case passes when CMD prints WANT (a grep -x pattern).
is() {
	_n=$1
	_w=$2
	shift 2
	"$@" >"$T/is.out" 2>&1
	if grep -qx -- "$_w" "$T/is.out"; then
		ok "$_n"
	else
		nok "$_n" "wanted '$_w', got '$(tr '\n' '|' <"$T/is.out")'"
	fi
}
q() { "$SM" "$U" q "$@"; }
raw() { printf "$1" | "$SM" -w "${2:-5}" "$U" raw; }
# mapval KEY: the value the map holds for KEY.
mapval() { dump "$T/map.db" | awk -v k="$1" '$1 == k { print $2 }'; }

# --- start-up checks
tf "inet without a reader list is refused at start" sh -c \
    "'$DRACD' -f -j '$STATE' -a '$T/allow' -S inet:127.0.0.1:$PORT '$T/map0.db' 2>'$T/noreaders'"
t "  ... with a message naming -r" \
    grep -q -- '-S inet:127.0.0.1:7701: TCP lookups reveal who may relay; give the readers allowed with -r file' "$T/noreaders"
tf "a missing reader list is refused at start" \
    "$DRACD" -f -j "$STATE" -a "$T/allow" -r "$T/nonesuch" -S inet:127.0.0.1:$PORT \
    "$T/map0.db"
badspec() {
	"$DRACD" -f -j "$STATE" -a "$T/allow" -S "$1" "$T/map0.db" 2>&1
	[ $? -eq 2 ]
}
for s in unix:relative/path inet:127.0.0.1 inet:127.0.0.1:0 \
    inet:127.0.0.1:65536 inet:::1:25 tcp:127.0.0.1:25; do
	t "-S $s: usage error" badspec "$s"
done
touch "$T/notasocket"
tf "a file that is not a socket at the path is refused" \
    "$DRACD" -f -j "$STATE" -a "$T/allow" -S "unix:$T/notasocket" "$T/map0.db"

# A stale socket left by a killed dracd is replaced.
dracd_start -a "$T/allow" -S "$U" "$T/map.db" || nok "dracd -S starts"
kill -KILL "$DRACD_PID"
wait "$DRACD_PID" 2>/dev/null
DRACD_PID=
t "SIGKILL leaves the socket behind" test -S "$SOCK"
if ! dracd_start -a "$T/allow" -r "$T/readers" -g mail -c 4 -T 3s -e 10m \
    -S "$U" -S inet:127.0.0.1:$PORT -S "inet:[::1]:$PORT" "$T/map.db"; then
	nok "dracd -S starts"
	exit 1
fi
ok "dracd -S starts, over a stale socket"
is "unix socket mode 660, group mail" "660 mail" stat -c '%a %G' "$SOCK"
tf "a second dracd on the same socket is refused" \
    "$DRACD" -f -j "$STATE" -a "$T/allow" -S "$U" "$T/map2.db"

# --- lookups
t "dracctl add 127.0.0.5 fd00::5 ::ffff:10.9.9.9" \
    "$DRACCTL" add 127.0.0.5 fd00::5 ::ffff:10.9.9.9
is "IPv4 127.0.0.5: OK <expiry>" "OK [0-9]*" q "drac 127.0.0.5"
ok4() { [ "$(q "drac 127.0.0.5")" = "OK $(mapval 127.0.0.5)" ]; }
t "the OK value is the map's expiry time" waitfor 5 ok4
is "IPv6 compressed fd00::5" "OK [0-9]*" q "drac fd00::5"
is "sendmail's IPv6:fd00:0:0:0:0:0:0:5 (as sent, not folded)" "OK [0-9]*" \
    q "drac IPv6:fd00:0:0:0:0:0:0:5"
is "sendmail's ipv6:fd00:0:0:0:0:0:0:5 (folded)" "OK [0-9]*" \
    q "drac ipv6:fd00:0:0:0:0:0:0:5"
is "IPv6 uppercase FD00::5" "OK [0-9]*" q "drac FD00::5"
is "IPv4-mapped ::ffff:127.0.0.5" "OK [0-9]*" q "drac ::ffff:127.0.0.5"
is "added IPv4-mapped, asked IPv4 10.9.9.9" "OK [0-9]*" q "drac 10.9.9.9"
is "unlisted 127.0.0.6: NOTFOUND" "NOTFOUND " q "drac 127.0.0.6"
is "unlisted fd00::6: NOTFOUND" "NOTFOUND " q "drac fd00::6"
is "postfix's prefix 127.0.0: NOTFOUND" "NOTFOUND " q "drac 127.0.0"
is "a host name: NOTFOUND" "NOTFOUND " q "drac client5.example.org"
is "an empty key: NOTFOUND" "NOTFOUND " q "drac "
is "any map name: other 127.0.0.5 OK" "OK [0-9]*" q "other 127.0.0.5"
is "no key: PERM, connection kept" \
    "PERM expected <mapname> <key>|OK [0-9]*|" \
    sh -c "'$SM' '$U' q drac 'drac 127.0.0.5' | tr '\n' '|'"
is "three requests in one write, three replies in order" \
    "OK [0-9]*|NOTFOUND |OK [0-9]*|" \
    sh -c "'$SM' '$U' pipe 'drac 127.0.0.5' 'drac 127.0.0.6' 'drac fd00::5' | tr '\n' '|'"
is "TCP 127.0.0.1 (listed reader): OK" "OK [0-9]*" \
    "$SM" inet:127.0.0.1:$PORT q "drac 127.0.0.5"
is "TCP 127.0.0.2 (not listed): closed at once" "closed" \
    "$SM" -b 127.0.0.2 inet:127.0.0.1:$PORT q "drac 127.0.0.5"
is "TCP ::1 (not listed): closed at once" "closed" \
    "$SM" "inet:[::1]:$PORT" q "drac 127.0.0.5"
t "the refused reader is logged" grep -q 'socketmap: reader 127.0.0.2 not in' \
    "$T/dracd.log"
printf '127.0.0.1\n::1\n' >"$T/readers"
kill -HUP "$DRACD_PID"
v6ok() { "$SM" "inet:[::1]:$PORT" q "drac 127.0.0.5" | grep -q '^OK'; }
t "SIGHUP rereads the reader list: ::1 now answered" waitfor 5 v6ok

# --- malformed and oversized input closes the connection
is "not a netstring: closed" "closed" raw 'drac 127.0.0.5\n'
is "no comma after the payload: closed" "closed" raw '4:drac;'
is "a leading zero: closed" "closed" raw '04:drac,'
is "no colon: closed" "closed" raw '14 drac 127.0.0.5,'
is "length 1025: closed before the payload" "closed" raw '1025:'
is "length 99999999999999999999: closed" "closed" raw '99999999999999999999:'
is "a half request is not answered" "open" raw '14:drac 127' 1
long=$(awk 'BEGIN { printf "drac "; for (i = 0; i < 1019; i++) printf "x" }')
is "length 1024 (the cap): answered" "9:NOTFOUND ," raw "1024:$long,"

# --- an entry past its expiry is NOTFOUND at once, while the map, whose
# lock a reader holds so that the sweep cannot run, still has it.
t "dracd stops cleanly" dracd_stop
dracd_start -a "$T/allow" -e 2s -S "$U" "$T/map.db" || nok "dracd -e 2s starts"
t "dracctl add 127.0.0.7" "$DRACCTL" add 127.0.0.7
t "127.0.0.7 in the map" waitfor 5 sh -c "db_dump -p '$T/map.db' | grep -q 127.0.0.7"
exp=$(mapval 127.0.0.7)
# -o: the lock is flock's alone (not its sleep's), let go when it is
# killed.
flock -o -s "$T/map.db" sleep 10 >/dev/null 2>&1 &
lockpid=$!
is "127.0.0.7 before its expiry: OK $exp" "OK $exp" q "drac 127.0.0.7"
while [ "$(date +%s)" -lt "$exp" ]; do sleep 0.05; done
is "127.0.0.7 past its expiry: NOTFOUND at once" "NOTFOUND " q "drac 127.0.0.7"
t "  ... while the locked map still holds it" \
    sh -c "db_dump -p '$T/map.db' | grep -q 127.0.0.7"
kill "$lockpid"
wait "$lockpid" 2>/dev/null
t "the sweep then removes it" waitfor 10 sh -c \
    "! db_dump -p '$T/map.db' | grep -q 127.0.0.7"
t "dracd -e 2s stops cleanly" dracd_stop

# --- idle timeout and connection cap (dracd -T 2s -c 4)
dracd_start -a "$T/allow" -T 2s -c 4 -S "$U" "$T/map.db" ||
    nok "dracd -T 2s -c 4 starts"
idle_in() {
	_s=$("$SM" -w 8 "$U" idle)
	echo "closed after $_s s"
	awk -v s="$_s" 'BEGIN { exit !(s >= 1.5 && s <= 4.5) }'
}
t "an idle reader is closed after -T 2s" idle_in
# hold 5 on a cap of 4: the first, least recently active, is closed.
is "over the cap of 4, the least recently active reader is closed" \
    "1 closed|2 answered|3 answered|4 answered|5 answered|" \
    sh -c "'$SM' '$U' hold 5 | tr '\n' '|'"
t "the cap is logged" grep -q 'socketmap: over 4 connections: closed the least recently active' \
    "$T/dracd.log"

# --- a reader that never reads its replies holds nobody up
"$SM" -w 4 "$U" stall 200000 >"$T/stall.out" 2>&1 &
spid=$!
sleep 1
"$SM" "$U" bench 1 2 "drac 127.0.0.5" >"$T/bench.out" 2>&1
wait $spid
echo "# beside a stalled reader: $(cat "$T/bench.out")"
fair() {
	awk '{ for (i = 1; i < NF; i++) if ($i == "p50") p = $(i + 1) }
	    END { exit !(p != "" && p < 10000) }' "$T/bench.out" &&
	    grep -q ' 0 errors' "$T/bench.out"
}
t "beside a stalled reader, lookups answered (p50 under 10 ms)" fair
t "the stalled reader's input stopped being read" \
    awk '$1 < 200000 { f = 1 } END { exit !f }' "$T/stall.out"
t "dracd stops cleanly (unix socket removed)" dracd_stop
t "  ... and the socket file is gone" test ! -e "$SOCK"

# --- lookups while dracd adds: 32 readers on the unix socket for a second
# while 4 dracctl loops add as fast as they can; every lookup answered.
# (The figures, lookups/s and round trips, are tests/bench-smap.sh's.)
dracd_start -a "$T/allow" -e 10m -S "$U" "$T/map.db" ||
    nok "dracd for lookups while adding starts"
"$DRACCTL" add 127.0.0.5 fd00::5 >/dev/null 2>&1
adders_start 4
sleep 0.2
"$SM" "$U" bench 32 1 "drac 127.0.0.5" "drac fd00::5" "drac 192.0.2.1" \
    >"$T/busy.out" 2>&1
adders_stop
echo "# $TNAME: $(cat "$T/busy.out"), 4 clients adding"
t "while 4 clients add, 32 readers: every lookup answered" \
    grep -q 'lookups/s.* 0 errors$' "$T/busy.out"
t "  ... and the adds went through meanwhile" sh -c \
    "db_dump -p '$T/map.db' | grep -q '^ 10\\.'"
t "dracd (lookups while adding) stops cleanly" dracd_stop

# --- the service as user nobody: the socket made as root, group-owned
# (a map of its own: dracd -u takes over no map root owns)
dracd_start -a "$T/allow" -u nobody -g mail -S "$U" "$T/nobody.db" ||
    nok "dracd -u nobody -S starts"
is "as nobody, socket mode 660 group mail" "660 mail" stat -c '%a %G' "$SOCK"
t "dracctl add 127.0.0.8" "$DRACCTL" add 127.0.0.8
is "as nobody, lookups answered" "OK [0-9]*" q "drac 127.0.0.8"
t "dracd -u nobody stops cleanly" dracd_stop
finish

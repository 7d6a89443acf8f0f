#!/bin/sh
# t-max.sh: the bound on the map (-m).  With -m 3, three distinct adds
# succeed and a fourth new address gets ADD_SYSERR (dracctl says so and
# exits 1); a refresh of one of the three still succeeds; the refusal is
# logged once per rate-limit window (10 s), however many are refused;
# once the three have expired, new addresses are taken again, and a
# refusal in the next window is logged again.  And the
# queue held while the map cannot be written (a reader holds its lock)
# keeps each address once: an address added twice takes one slot.
. "$(dirname "$0")/lib.sh"

MAP=$T/dracd.db
printf '127.0.0.1\n::1\n' >"$T/allow"
has() { db_dump -p "$MAP" | grep -q "^ $1\$"; }
add() { "$DRACCTL" add "$1" >"$T/add.out" 2>&1; }

if ! dracd_start -m 3 -e 3s -a "$T/allow" "$MAP"; then
	nok "dracd -m 3 starts"
	exit 1
fi
ok "dracd -m 3 starts"
t "start line says the bound" grep -q 'at most 3 entries' "$T/dracd.log"
t "-m 3: first add" add 192.0.2.1
t "-m 3: second add" add 192.0.2.2
t "-m 3: third add" add 192.0.2.3
tf "-m 3: fourth, new address refused" add 192.0.2.4
T0=$(date +%s)
t "-m 3: dracctl says system error" grep -q 'system error' "$T/add.out"
tf "-m 3: fifth, new address refused" add 2001:db8::5
t "-m 3: refresh of the first succeeds" add 192.0.2.1
t "-m 3: refusal logged, naming the map and -m" \
    grep -q "dracd.db: full: 3 entries (-m 3)" "$T/dracd.log"
t "-m 3: logged once in the window" \
    test "$(grep -c 'full: 3 entries' "$T/dracd.log")" = 1
t "-m 3: the refused address is not in the map" sh -c '! db_dump -p '"$MAP"' | grep -q "^ 192.0.2.4\$"'
t "-m 3: after expiry, a new address succeeds" waitfor 8 add 192.0.2.6
t "-m 3: and is stored" waitfor 2 has 192.0.2.6
# In the next window (everything expired by then), full again: the next
# refusal is logged, with the count of those dropped in between.
sleep $((11 - ($(date +%s) - T0)))
add 192.0.2.7
add 192.0.2.8
add 192.0.2.10
tf "-m 3: full again: refused" add 192.0.2.9
t "-m 3: logged again in the next window" \
    test "$(grep -c 'full: 3 entries' "$T/dracd.log")" = 2
t "-m 3: with the count dropped" \
    grep -q 'similar messages suppressed' "$T/dracd.log"
t "-m 3: clean exit" dracd_stop

cp "$T/dracd.log" "$T/max.log"
# The queue while the map cannot be written: a reader holds its shared
# lock (as sendmail does around a lookup), so every change fails.
if ! dracd_start -a "$T/allow" "$MAP"; then
	nok "dracd starts (queue)"
	exit 1
fi
flock -s "$MAP" sleep 60 &
LOCKER=$!
sleep 0.2
add 198.51.100.1
t "queue: map held: the change fails" waitfor 5 grep -q 'cannot lock' "$T/dracd.log"
add 198.51.100.1
add 198.51.100.1
add 198.51.100.2
kill "$LOCKER" 2>/dev/null
wait "$LOCKER" 2>/dev/null
# Hold it again for the final flush at SIGTERM, which then reports the
# queue it could not write.
flock -s "$MAP" sleep 60 &
LOCKER=$!
sleep 0.2
kill -TERM "$DRACD_PID"
wait "$DRACD_PID"
DRACD_PID=
kill "$LOCKER" 2>/dev/null
wait "$LOCKER" 2>/dev/null
t "queue: an address added three times holds one slot" \
    grep -q '2 adds could not be written' "$T/dracd.log"
finish

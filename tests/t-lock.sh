#!/bin/sh
# t-lock.sh: dracd and a map reader.  A reader that holds its shared
# flock for less than dracd's lock timeout (250 ms) delays a change and
# never fails it (a deadline of whole seconds once made it give up at the
# first 10 ms tick).  Two dracds on one map: the second, started while
# the first does not answer (stopped, as one still loading a big map),
# exits 1 naming the first one's PID (two once both ran and lost adds).
. "$(dirname "$0")/lib.sh"

MAP=$T/lock.db
printf '127.0.0.1\n::1\n' >"$T/allow"
stored() { dump "$MAP" | grep -q "^$1 "; }

if ! dracd_start -a "$T/allow" -s 20 "$MAP"; then
	nok "dracd starts"
	exit 1
fi
ok "dracd starts"
flock -s "$MAP" sleep 0.15 &
hold=$!
sleep 0.02
t "add while a reader holds the map for 150 ms" "$DRACCTL" add 192.0.2.1
wait "$hold"
t "the add is in the map within a second" waitfor 1 stored 192.0.2.1
tf "dracd did not give up a lock" grep -q "cannot lock" "$T/dracd.log"
t "SIGTERM: exit 0" dracd_stop

dracd_start -a "$T/allow" -s 0 "$MAP" || nok "first dracd starts"
first=$DRACD_PID
kill -STOP "$first"
timeout 20 "$DRACD" -f -j "$STATE" -a "$T/allow" "$MAP" >"$T/second.log" 2>&1
rc=$?
kill -CONT "$first"
t "second dracd on the map: exit 1 (got $rc)" test "$rc" -eq 1
t "second dracd names the first one's PID" grep -q "pid $first" "$T/second.log"
t "the first one still serves" "$DRACCTL" add 192.0.2.2
t "the first one: clean stop" dracd_stop
t "a dracd starts once the first one is gone" \
    dracd_start -a "$T/allow" "$MAP"
t "SIGTERM: exit 0" dracd_stop
finish

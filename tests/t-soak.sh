#!/bin/sh
# t-soak.sh: crash consistency.  Clients (soakclient) add distinct
# addresses without pause, each logging what dracd acknowledged and when,
# while dracd is killed with SIGKILL at random moments and restarted on the
# same map (no -i), SOAK_KILLS times (10; make soak: 200).  Every restart:
# db_verify is clean (under a shared flock, as an MTA reads), and every add
# acknowledged more than the sync window plus SOAK_MARGIN ms before the kill
# is in the map.  Half the rounds run with -s 0 (written before the reply).
# Also counted: kills that left the file itself broken (db_verify before
# the restart) and changes the restart completed from the journal.  No
# restart may move the journal aside: nothing here corrupts it (once,
# one set aside a valid journal, written after Berkeley DB doubled its
# hash table, and so left unwritten the change the kill had torn).  The
# checks read a copy taken under the lock: a reader that held the lock
# for seconds would (rightly) hold back dracd's writes, and adds with
# them.
# A round that fails leaves its files in round.N of the test's directory,
# which is then kept (its path printed).
. "$(dirname "$0")/lib.sh"

KILLS=${SOAK_KILLS:-10}
NCLIENTS=${SOAK_CLIENTS:-4}
PAUSE=${SOAK_PAUSE:-2000}	# usec between two adds of a client
WINDOW=${SOAK_WINDOW:-20}
MARGIN=${SOAK_MARGIN:-250}
MAP=$T/soak.db
printf '127.0.0.1\n::1\n' >"$T/allow"

now_ms() { date +%s%3N; }
rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

# Adds acknowledged from the sync window plus MARGIN before a kill to
# MARGIN after it may be lost: $T/excused lists those spans, one per kill.
: >"$T/excused"
# snap: copy the map, as an MTA sees it, to $T/snap.db.
snap() { flock -s "$MAP" cp "$MAP" "$T/snap.db"; }
# lost CUTOFF: how many adds acknowledged before CUTOFF (ms) are not in the
# snapshot (-1: unreadable); the first few are named on stderr.
lost() {
	db_dump -p "$T/snap.db" >"$T/dump" || { echo -1; return; }
	cat "$T"/acked.* | awk -v c="$1" -v ex="$T/excused" '
	    BEGIN { while ((getline l <ex) > 0) { split(l, s); from[++ns] = s[1]; to[ns] = s[2] } }
	    FNR == NR {
		if ($0 ~ /^HEADER=END/) on = 1
		else if ($0 ~ /^DATA=END/) on = 0
		else if (on && k == "") k = substr($0, 2)
		else if (on) { have[k] = 1; k = "" }
		next
	    }
	    NF == 2 && $2 ~ /^[0-9]+$/ && $2 < c && !($1 in have) {
		for (i = 1; i <= ns; i++) if ($2 >= from[i] && $2 <= to[i]) next
		if (++n <= 3) print "lost " $1 " acknowledged at " $2 >"/dev/stderr"
	    }
	    END { print n + 0 }' "$T/dump" -
}
acked() { cat "$T"/acked.* | awk 'NF == 2 && $2 ~ /^[0-9]+$/' | wc -l; }
# keep N: a failing round's files (the map now, its snapshot, the journal,
# the killed dracd's log and the new one's) to $T/round.N, and $T kept.
keep() {
	mkdir -p "$T/round.$1" &&
	    cp "$MAP" "$T/snap.db" "$T/killed.log" "$T/dracd.log" "$STATE"/* \
	    "$T/round.$1/" 2>/dev/null
	KEEP=1
	echo "# round $1's files kept in $T/round.$1"
}

w=$WINDOW
if ! dracd_start -a "$T/allow" -e 1d -s $w "$MAP"; then
	nok "dracd starts"
	exit 1
fi
"$TOP/$B/tests/soakclient" -t 300 -w "$PAUSE" "$NCLIENTS" $((KILLS * 5 + 60)) \
    "$T/acked" >"$T/clients.out" 2>&1 &
CPID=$!
trap 'kill $CPID 2>/dev/null; lib_cleanup' EXIT

kills=0 torn=0 replays=0 aside=0 vfail=0 nlost=0 nostart=0
i=0
while [ $i -lt "$KILLS" ]; do
	i=$((i + 1))
	r=$(rnd)
	# One round in four is killed within 50 ms of its start.
	if [ $((r % 4)) -eq 0 ]; then ms=$((r % 50)); else ms=$((100 + r % 900)); fi
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kt=$(now_ms)
	kill -KILL "$DRACD_PID"
	wait "$DRACD_PID" 2>/dev/null
	DRACD_PID=
	cp "$T/dracd.log" "$T/killed.log"
	kills=$((kills + 1))
	db_verify -q "$MAP" >/dev/null 2>&1 || torn=$((torn + 1))
	cutoff=$((kt - w - MARGIN))
	echo "$cutoff $((kt + MARGIN))" >>"$T/excused"
	w=$WINDOW
	[ $((i % 2)) -eq 1 ] && w=0
	if ! dracd_start -a "$T/allow" -e 1d -s $w "$MAP"; then
		nostart=$((nostart + 1))
		break
	fi
	grep -q 'completed [0-9]* interrupted change' "$T/dracd.log" &&
	    replays=$((replays + 1))
	if grep -q 'moved aside' "$T/dracd.log"; then
		aside=$((aside + 1))
		grep 'moved aside' "$T/dracd.log" | sed 's/^/	/'
		keep $i
	fi
	snap
	if ! db_verify -q "$T/snap.db" >"$T/verify.out" 2>&1; then
		vfail=$((vfail + 1))
		sed 's/^/	/' "$T/verify.out" | head -n 3
		keep $i
	fi
	n=$(lost "$cutoff")
	if [ "$n" -lt 0 ]; then vfail=$((vfail + 1)); elif [ "$n" -gt $nlost ]; then nlost=$n; fi
	[ "$n" -eq 0 ] || [ -d "$T/round.$i" ] || keep $i
done
kill -TERM $CPID 2>/dev/null
wait $CPID
t "clients ran" grep -q 'acknowledged' "$T/clients.out"
# Every call of libdrac is bounded by its timeout (300 ms), dracd or not.
# The margin is for a loaded 2-core machine under the sanitizers; a call
# that hangs would take the library's default 5 s or forever.
slow=$(awk '/slowest call/ { print $(NF - 1) }' "$T/clients.out" | sort -n | tail -n 1)
t "every client call returned within its timeout (slowest ${slow:-?} ms)" \
    test "${slow:-9999}" -le 2000
[ $nostart -eq 0 ] && ok "dracd restarts after every kill" ||
    nok "dracd restarts after every kill" "$(tail -n 2 "$T/dracd.log")"
t "clean stop after the last restart" dracd_stop
t "db_verify clean after the clean stop" db_verify -q "$MAP"
snap
n=$(lost $(($(now_ms) + 1000)))
[ "$n" -gt $nlost ] && nlost=$n
t "every acknowledged add stored after the clean stop" test "$n" = 0
[ $vfail -eq 0 ] && ok "db_verify clean after every restart" ||
    nok "db_verify clean after every restart" "$vfail failures"
[ $nlost -eq 0 ] && ok "no acknowledged add lost" ||
    nok "no acknowledged add lost" "$nlost lost"
[ $aside -eq 0 ] && ok "no restart moved the journal aside" ||
    nok "no restart moved the journal aside" "$aside did"
msg="$kills kills survived, $(acked) adds acknowledged, $nlost entries lost,"
msg="$msg $vfail verify failures ($torn kills left the file broken,"
msg="$msg $replays restarts completed a change from the journal,"
msg="$msg $aside moved it aside)"
[ $nlost -eq 0 ] && [ $vfail -eq 0 ] && [ $nostart -eq 0 ] &&
    [ $aside -eq 0 ] &&
    ok "figures: $msg" || nok "figures: $msg"
finish

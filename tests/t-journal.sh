#!/bin/sh
# t-journal.sh: journal replay trusts no record.  Crafted journals, their
# checksums valid (tests/journaltest.c): a record at offset 2^62 (once made
# every restart fail), at offset 100 (once corrupted the map), past twice
# the map's length, a cut past it, a first record that begins past it,
# one written for another map (file ID), or for the file the map was
# before an admin restored it from a copy (inode) is moved aside with a
# log line, and dracd starts on an intact map; a journal of this map with
# one page inside it, or the map's length past its end (as a hash table
# doubles), or a cut, is replayed; so is the journal of a dracd killed
# after it doubled a new map's table.
# Of several records, each is written in order as far as their chain
# goes (also when a later one cut the map below an earlier one's pages,
# as the map is after a kill there), an older dracd's journal too, and
# none when one is bad; idle, dracd empties the journal of its own.  And
# tests/maptest.c: through map.c, no change reaches the file before its
# commit, also when Berkeley DB gives the file's last page back in the
# middle of one (it once truncated the map there and then, with the
# readers let in); through change.c's hooks, random writes, cuts and
# reads in a change end as on a plain file.
. "$(dirname "$0")/lib.sh"

MAP=$T/j.db
J=$STATE/j.db.journal
X=$TOP/$B/tests/journaltest
printf '127.0.0.1\n::1\n' >"$T/allow"
stored() { dump "$MAP" | grep -q "^$1 "; }
# size [FILE]: the length of FILE (default the map).
size() { stat -c %s "${1:-$MAP}"; }

if ! dracd_start -a "$T/allow" -e 1d "$MAP"; then
	nok "dracd starts"
	exit 1
fi
t "adds" "$DRACCTL" add 192.0.2.1 192.0.2.2 2001:db8::1
t "adds stored" waitfor 2 stored 2001:db8::1
t "clean stop" dracd_stop
dump "$MAP" >"$T/before.dump"
PAGE=$(db_stat -d "$MAP" | awk '/Underlying database page size/ { print $1 }')

# bad NAME ARGS...: a journal crafted by journaltest ARGS (or, with no
# ARGS, already there) is moved aside at start.
bad() {
	_b=$1
	shift
	rm -f "$J.bad"
	if [ $# -gt 0 ] && ! "$X" "$@"; then
		nok "$_b: journal written"
		return
	fi
	if ! dracd_start -a "$T/allow" -e 1d "$MAP"; then
		nok "$_b: dracd starts"
		return
	fi
	ok "$_b: dracd starts"
	t "$_b: moved aside, logged" grep -q "moved aside to $J.bad" \
	    "$T/dracd.log"
	t "$_b: moved aside" test -s "$J.bad"
	t "$_b: not replayed" \
	    sh -c "! grep -q 'completed [0-9]* interrupted' '$T/dracd.log'"
	t "$_b: entries kept" stored 2001:db8::1
	t "$_b: clean stop" dracd_stop
	t "$_b: map verifies" db_verify -q "$MAP"
	dump "$MAP" >"$T/after.dump"
	t "$_b: the records are as before" cmp "$T/before.dump" "$T/after.dump"
}

bad "record at 2^62" "$J" "$MAP" 4611686018427387904 "$MAP" 0
bad "record at offset 100" "$J" "$MAP" 100 "$MAP" "$PAGE"
# A change ends within twice the map's length and its pages (one here).
bad "record past twice the map's length" "$J" "$MAP" \
    $((2 * $(size) + 2 * PAGE)) "$MAP" "$PAGE"
bad "a cut past twice the map's length" "$J" "$MAP" "$PAGE" "$MAP" "$PAGE" \
    $((2 * $(size) / PAGE + 3))
bad "first change begins past the end" -s $(($(size) / PAGE + 5)) "$J" \
    "$MAP" "$PAGE" "$MAP" "$PAGE"
printf 'k\nv\n' | db_load -T -t hash "$T/other.db"
bad "written for another map" "$J" "$T/other.db" "$PAGE" "$MAP" "$PAGE"
# The map restored from a copy while dracd was down: same file ID, but
# another file (cp and mv, as an admin restores a backup).
"$X" "$J" "$MAP" "$PAGE" "$MAP" "$PAGE"
cp "$MAP" "$T/copy.db" && mv "$T/copy.db" "$MAP"
bad "written for the file the map replaced (inode)"
t "restart after a bad journal" dracd_start -a "$T/allow" -e 1d "$MAP"
t "restart: nothing moved aside this time" \
    sh -c "! grep -q 'moved aside' '$T/dracd.log'"
t "restart: clean stop" dracd_stop

# A journal of this map: replayed, inside the file or one page past it.
"$X" "$J" "$MAP" "$PAGE" "$MAP" "$PAGE"
t "valid journal: dracd starts" dracd_start -a "$T/allow" -e 1d "$MAP"
t "valid journal: replayed" \
    grep -q 'completed 1 interrupted change (1 pages)' "$T/dracd.log"
t "valid journal: clean stop" dracd_stop
t "valid journal: map verifies" db_verify -q "$MAP"
# A page as far past the end as a change that doubles a hash table
# writes the last page of the new half: the map's length from the end.
end=$(size)
"$X" "$J" "$MAP" $((2 * end))
t "a page the map's length past the end: dracd starts" \
    dracd_start -a "$T/allow" -e 1d "$MAP"
t "a page the map's length past the end: replayed" \
    grep -q 'completed [0-9]* interrupted' "$T/dracd.log"
t "a page the map's length past the end: written" \
    test "$(size)" -eq $((2 * end + PAGE))
t "a page the map's length past the end: clean stop" dracd_stop
# The map is longer now: a journal that cuts it back first.
"$X" "$J" "$MAP" "$PAGE" "$MAP" "$PAGE" $((end / PAGE))
t "a cut: dracd starts" dracd_start -a "$T/allow" -e 1d "$MAP"
t "a cut: replayed" grep -q 'completed [0-9]* interrupted' "$T/dracd.log"
t "a cut: the map is $((end / PAGE)) pages again" test "$(size)" -eq "$end"
t "a cut: clean stop" dracd_stop
t "a cut: map verifies" db_verify -q "$MAP"
dump "$MAP" >"$T/after.dump"
t "a cut: the records are as before" cmp "$T/before.dump" "$T/after.dump"

# Several records: each written in turn, as far as the chain goes.  old.db
# is the map before one more add, its file ID the same; P, a page the add
# changed, differs between the two.
cp "$MAP" "$T/old.db"
t "chain: dracd starts" dracd_start -a "$T/allow" -e 1d "$MAP"
t "chain: one more add" "$DRACCTL" add 192.0.2.3
t "chain: stored" waitfor 2 stored 192.0.2.3
# No change after it: dracd empties the journal of its own (a
# checkpoint), so that nothing is left to replay onto the map.
emptied() { ! head -c 8 "$J" | grep -q DRACJNL4; }
t "idle: the journal emptied within 5 s of the last change" \
    waitfor 5 emptied
t "chain: clean stop" dracd_stop
t "clean stop: the journal is left empty" test ! -s "$J"
dump "$MAP" >"$T/new.dump"
P=$(cmp -l "$T/old.db" "$MAP" 2>/dev/null |
    awk -v p="$PAGE" 'END { print int(($1 - 1) / p) * p }')
t "chain: the add changed page $P" test "$P" -gt 0

# replayed NAME N: dracd completed N changes from the journal, and the
# map holds what it did after the add.
replayed() {
	t "$1: dracd starts" dracd_start -a "$T/allow" -e 1d "$MAP"
	t "$1: $2 replayed" grep -q "completed $2 interrupted change" \
	    "$T/dracd.log"
	t "$1: clean stop" dracd_stop
	t "$1: map verifies" db_verify -q "$MAP"
	dump "$MAP" >"$T/after.dump"
	t "$1: the records are as after the add" \
	    cmp "$T/new.dump" "$T/after.dump"
}
"$X" "$J" "$MAP" "$P" "$T/old.db" "$P"
"$X" -a "$J" "$MAP" "$P" "$MAP" "$P"
replayed "old page, then new" 2
"$X" "$J" "$MAP" "$P" "$MAP" "$P"
"$X" -b "$J" "$MAP" "$P" "$T/old.db" "$P"
replayed "an old page left from an earlier journal" 1
"$X" -3 "$J" "$MAP" "$P" "$MAP" "$P"
replayed "an older dracd's journal (DRACJNL3)" 1
# The map cut below a page of the first record by the second, as the
# file is after a kill in the second or after it: written, both.
n=$(($(size) / PAGE))
"$X" -s $((n + 2)) "$J" "$MAP" $(((n + 2) * PAGE)) "$MAP" "$P"
"$X" -a -s $((n + 3)) "$J" "$MAP" "$P" "$MAP" "$P" "$n"
replayed "a cut below the first record's page, made already" 2
t "a cut below the first record's page: the map is $n pages" \
    test "$(size)" -eq $((n * PAGE))
# A bad second record: not even the first is written.
"$X" "$J" "$MAP" "$P" "$T/old.db" "$P"
"$X" -a "$J" "$MAP" 100 "$MAP" "$P"
t "bad second record: dracd starts" dracd_start -a "$T/allow" -e 1d "$MAP"
t "bad second record: moved aside" grep -q "moved aside to $J.bad" \
    "$T/dracd.log"
t "bad second record: clean stop" dracd_stop
dump "$MAP" >"$T/after.dump"
t "bad second record: the first not written either" \
    cmp "$T/new.dump" "$T/after.dump"

# Killed just after Berkeley DB doubled the hash table of a small map
# (which writes the last page of the new half first, far past the pages
# the change writes), its change still in the journal: the change is
# replayed, not moved aside.  Once, a change was bounded by the map's
# length and its own pages, and such a journal was moved aside at start.
# -s 0: each add is a change of its own, in the map before its reply.
# The add that doubles the table is found in two passes (20 at a time,
# then one at a time), each from a copy of the map taken before it; the
# last run makes that add alone, its record the journal's first, and is
# killed at once, long before a checkpoint (a second after the first
# record) empties the journal.  The first 2000 entries are loaded
# beforehand (db_load, whose puts grow the table as dracd's do).
D=$T/d.db
DJ=$STATE/d.db.journal
addr() { seq "$1" "$2" | awk '{ printf "10.9.%d.%d ", $1 / 256, $1 % 256 }'; }
# grow N STEP: from N entries, adds STEP at a time until a call grows
# the map by 16 pages or more; G is then the entries before that call,
# and the map is put back as it was then.  False when a call fails, or
# none does by 20000 entries.
grow() {
	G=$1
	dracd_start -a "$T/allow" -e 1d -s 0 "$D" || return 1
	_was=$(size "$D")
	while [ "$G" -lt 20000 ]; do
		cp "$D" "$D.prev"
		"$DRACCTL" add $(addr "$G" $((G + $2 - 1))) || break
		_now=$(size "$D")
		[ "$_now" -ge $((_was + 16 * PAGE)) ] && break
		_was=$_now
		G=$((G + $2))
	done
	dracd_stop && [ "$_now" -ge $((_was + 16 * PAGE)) ] &&
	    cp "$D.prev" "$D"
}
rm -f "$DJ.bad"
awk -v t=$(($(date +%s) + 86400)) 'BEGIN { for (i = 0; i < 2000; i++)
	printf "10.9.%d.%d\n%d\n", i / 256, i % 256, t }' |
    db_load -T -t hash "$D"
t "doubling: 20 adds at a time, a call grows the map by 16 pages or more" \
    grow 2000 20
t "doubling: one add at a time, one does" grow "$G" 1
t "doubling: dracd starts on the $G entries before it" \
    dracd_start -a "$T/allow" -e 1d -s 0 "$D"
was=$(size "$D")
"$DRACCTL" add $(addr "$G" "$G")
kill -KILL "$DRACD_PID"
wait "$DRACD_PID" 2>/dev/null
DRACD_PID=
grew=$(($(size "$D") - was))
t "doubling: the add grew the map by $((grew / PAGE)) pages" \
    test $grew -ge $((16 * PAGE))
t "doubling: the journal holds the change" \
    sh -c "head -c 8 '$DJ' | grep -q DRACJNL4"
t "doubling: restart" dracd_start -a "$T/allow" -e 1d "$D"
t "doubling: replayed" grep -q 'completed 1 interrupted change' "$T/dracd.log"
t "doubling: nothing moved aside" test ! -e "$DJ.bad"
t "doubling: clean stop" dracd_stop
t "doubling: map verifies" db_verify -q "$D"
t "doubling: all $((G + 1)) entries stored" \
    test "$(dump "$D" | grep -c '^10\.9\.')" -eq $((G + 1))

# maptest changes: "N changes, M of them shortened the file"; M > 0 shows
# that Berkeley DB gave pages back during the changes.
"$TOP/$B/tests/maptest" changes "$T/mt.db" "$T/mtstate" >"$T/mt.out" 2>&1
t "maptest: no change in the file before its commit ($(cat "$T/mt.out"))" \
    grep -q '^[0-9]* changes, [1-9][0-9]* of them shortened' "$T/mt.out"
t "maptest: the map verifies" db_verify -q "$T/mt.db"
"$TOP/$B/tests/maptest" hooks "$T/mt.db" "$T/mtstate" >"$T/mt.out" 2>&1
t "maptest: hook calls end as on a plain file ($(cat "$T/mt.out"))" grep \
    -q '^[0-9]* changes, [1-9][0-9]* cuts$' "$T/mt.out"
finish

#!/bin/sh
# t-check.sh: dracd -n checks the allow file and the map, changes
# nothing, prints every problem as file:line or file: reason, and exits
# 0 only when there is none.
. "$(dirname "$0")/lib.sh"

printf '127.0.0.1\n::1\n192.0.2.0/24\n' >"$T/good"
printf '127.1\n255.255.255.0 10.1.2.3\nbogus\n10.0.0.0/33\n' >"$T/bad"
check() { "$DRACD" -n -j "$T/state" "$@" >"$T/out" 2>&1; }

t "good allow file, no map yet: exit 0" check -a "$T/good" "$T/m.db"
t "... says configuration OK" grep -qx 'dracd: configuration OK' "$T/out"
t "... says which map it would create" \
    grep -q "m.db: no map yet; dracd creates a hash map" "$T/out"
t "... and creates nothing" test ! -e "$T/m.db"
t "... not even the state directory" test ! -e "$T/state"
tf "bad allow file: exit 1" check -a "$T/bad" "$T/m.db"
t "... names line 3" grep -q "bad:3: " "$T/out"
t "... names line 4" grep -q "bad:4: " "$T/out"
t "... masks line 2 and prints the corrected line" sh -c \
    "grep -q 'bad:2: warning' '$T/out' && grep -qx '	255.255.255.0 10.1.2.0' '$T/out'"
t "... counts every problem" grep -qx "dracd: 4 problems" "$T/out"

printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n' >"$T/dump"
printf ' 3139322e302e322e3100\n 3100\n 6578616d706c652e636f6d\n 4f4b\n' >>"$T/dump"
printf 'DATA=END\n' >>"$T/dump"
db_load -f "$T/dump" "$T/b.db"
cp "$T/b.db" "$T/b.orig"
t "btree map with NUL keys: exit 0" check -a "$T/good" "$T/b.db"
t "... its format and what it holds" grep -q \
    "b.db: btree map, keys with NUL, without CIDR suffix: 1 entries (1 expired), 0 keys in an older DRAC form to rewrite, 1 other records left alone" \
    "$T/out"
tf "-t hash -C against it: exit 1" check -t hash -C -a "$T/good" "$T/b.db"
t "... warns of -t" grep -q "b.db: warning: a btree map; -t hash applies to new maps only" "$T/out"
t "... warns of -C" grep -q "b.db: warning: its keys lack a CIDR suffix; -C applies" "$T/out"
t "... the map is unchanged" cmp -s "$T/b.db" "$T/b.orig"
printf 'not a database\n' >"$T/x.db"
tf "a file that is not a map: exit 1" check -a "$T/good" "$T/x.db"
t "... says so" grep -q "x.db: not a Berkeley DB hash or btree map" "$T/out"
dd if="$T/b.db" of="$T/c.db" bs=512 count=1 2>/dev/null
dd if=/dev/zero bs=512 count=1 2>/dev/null | tr '\0' 'x' >>"$T/c.db"
tf "a map that does not verify: exit 1" check -a "$T/good" "$T/c.db"
tf "unknown -u user: exit 1" check -u no-such-user-drac -a "$T/good" "$T/m.db"
finish

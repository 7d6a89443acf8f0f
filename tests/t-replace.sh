#!/bin/sh
# t-replace.sh: a map replaced under dracd.  After cp m.db x && mv x m.db
# the next add is written into the new file, not only into the old inode
# that nobody reads any more; a replacement by an older copy, or removal,
# gets every entry dracd holds written into the new file; each is logged.
. "$(dirname "$0")/lib.sh"

MAP=$T/m.db
printf '127.0.0.1\n::1\n' >"$T/allow"
stored() { for a; do dump "$MAP" | grep -q "^$a " || return 1; done; }

if ! dracd_start -a "$T/allow" -e 1d -s 20 "$MAP"; then
	nok "dracd starts"
	exit 1
fi
t "add" "$DRACCTL" add 192.0.2.1
t "add stored" waitfor 2 stored 192.0.2.1
cp "$MAP" "$T/old.db"
t "more adds" "$DRACCTL" add 192.0.2.2 2001:db8::2
t "more adds stored" waitfor 2 stored 192.0.2.2 2001:db8::2

cp "$MAP" "$T/x" && mv "$T/x" "$MAP"
t "copy renamed over the map: add" "$DRACCTL" add 192.0.2.3
t "copy renamed over the map: the add is in the new file" \
    waitfor 2 stored 192.0.2.3
t "copy renamed over the map: logged" \
    grep -q 'replaced by another file' "$T/dracd.log"

cp "$T/old.db" "$T/x" && mv "$T/x" "$MAP"
t "older copy renamed over the map: add" "$DRACCTL" add 192.0.2.4
t "older copy renamed over the map: every entry in the new file" \
    waitfor 2 stored 192.0.2.1 192.0.2.2 2001:db8::2 192.0.2.3 192.0.2.4

rm "$MAP"
t "map removed: add" "$DRACCTL" add 192.0.2.5
t "map removed: a new map with every entry" \
    waitfor 2 stored 192.0.2.1 192.0.2.2 2001:db8::2 192.0.2.3 192.0.2.4 \
    192.0.2.5
t "clean stop" dracd_stop
t "map verifies" db_verify -q "$MAP"
t "restart keeps every entry" dracd_start -a "$T/allow" -e 1d "$MAP"
t "restart: entries" stored 192.0.2.1 192.0.2.5
t "restart: nothing replaced" sh -c "! grep -q replaced '$T/dracd.log'"
t "restart: clean stop" dracd_stop
finish

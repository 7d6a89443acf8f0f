#!/bin/sh
# t-disk.sh: a full disk.  The map lives on a 1 MB tmpfs of its own
# (mounted in tests/run.sh's private mount namespace); once a file has
# filled it, adds fail with ADD_SYSERR and a log line, dracd keeps
# running, the map stays valid with every entry stored before, and once
# the space is freed adds succeed again and every add dracd acknowledged
# meanwhile is written.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
	skip "full disk" "needs root and the namespaces of tests/run.sh"
	exit 0
fi
DISK=$T/disk
MAP=$DISK/dracd.db
mkdir "$DISK"
mount -t tmpfs -o size=1m,mode=755 tmpfs "$DISK" || { nok "mount"; exit 1; }
trap 'lib_cleanup_disk' EXIT
lib_cleanup_disk() {
	if [ -n "$DRACD_PID" ]; then
		kill -TERM "$DRACD_PID" 2>/dev/null
		wait "$DRACD_PID" 2>/dev/null
		DRACD_PID=
	fi
	umount "$DISK" 2>/dev/null
	lib_cleanup
}
printf '127.0.0.1\n::1\n' >"$T/allow"

# addrs PREFIX N: N addresses PREFIX.x.y.
addrs() { awk -v p="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print p "." int(i / 250) "." i % 250 + 1 }'; }
# keys: the map's keys, sorted.
keys() {
	db_dump -p "$MAP" | awk '/^HEADER=END/ { on = 1; next } /^DATA=END/ { on = 0 }
	    on { if (k == "") k = substr($0, 2); else { print k; k = "" } }' | sort
}
# all_in LIST: every address of the file LIST is a key of the map.
all_in() { keys >"$T/keys" && [ -z "$(sort "$1" | comm -23 - "$T/keys")" ]; }
# acked OUT LIST: the addresses of LIST that dracctl did not report failed.
acked() { sed -n 's/^dracctl: \([0-9.]*\): .*/\1/p' "$1" | sort >"$T/failed"
	sort "$2" | comm -23 - "$T/failed"; }

dracd_start -a "$T/allow" -e 1d -s 20 "$MAP" || { nok "dracd starts"; exit 1; }
addrs 10.1 200 >"$T/before"
t "200 adds before the disk fills" "$DRACCTL" add $(cat "$T/before")
t "all 200 stored" waitfor 2 all_in "$T/before"
dd if=/dev/zero of="$DISK/fill" bs=4k >/dev/null 2>&1
t "the disk is full" sh -c "! dd if=/dev/zero of='$DISK/more' bs=4k count=1 2>/dev/null"
rm -f "$DISK/more"

addrs 10.2 3000 >"$T/during"
"$DRACCTL" add $(cat "$T/during") >/dev/null 2>"$T/during.out"
t "adds fail with a system error" grep -q 'system error' "$T/during.out"
t "failure logged with its cause" grep -q 'No space left on device' "$T/dracd.log"
t "dracd keeps running" kill -0 "$DRACD_PID"
t "dracd answers" registered
t "map valid while full" db_verify -q "$MAP"
t "entries from before all there while full" all_in "$T/before"
acked "$T/during.out" "$T/during" >"$T/held"

rm -f "$DISK/fill"
addrs 10.3 100 >"$T/after"
# dracd tries a failed map again every second; adds fail until then.
t "map writable again within the retry interval" waitfor 3 \
    grep -q 'writable again' "$T/dracd.log"
t "adds succeed once space is freed" "$DRACCTL" add $(cat "$T/after")
t "adds stored once space is freed" waitfor 2 all_in "$T/after"
t "adds acknowledged while full are stored ($(wc -l <"$T/held"))" \
    waitfor 2 all_in "$T/held"
t "entries from before still there" all_in "$T/before"
t "map writable again: logged" grep -q 'map writable again' "$T/dracd.log"
t "map valid after" db_verify -q "$MAP"
t "clean stop" dracd_stop
t "map valid after the stop" db_verify -q "$MAP"
finish

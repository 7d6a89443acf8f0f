#!/bin/sh
# t-priv.sh: least privilege.  dracd -u USER binds and opens as root, then
# drops to USER for good (uid, gid and groups, as /proc shows them); the
# map (0644), the state directory dracd made and its journal and owner
# lock are USER's, so adds still work, and so does a later dracd started as
# USER, also on a map in a root-owned directory (as /etc/mail); the registrations with rpcbind are USER's,
# so SIGTERM still removes them; SIGHUP still reads the allow file.  dracd
# refuses an unknown user, an allow file USER cannot read, and a group- or
# world-writable allow file.  USER is nobody, which every Debian system
# has: the test adds no user to the host.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
	skip "least privilege" "needs root and the namespaces of tests/run.sh"
	exit 0
fi
U=nobody
UID_=$(id -u "$U")
GID_=$(id -g "$U")
MAP=$T/map/dracd.db
mkdir "$T/map"
printf '127.0.0.1\n::1\n' >"$T/allow"
# LeakSanitizer cannot stop the threads of a process that changed its uid
# (it is no longer dumpable); the other checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

# ids FIELD: the Uid:/Gid:/Groups: line of dracd's /proc status, values
# only, space-separated.
ids() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$DRACD_PID/status"; }
# owners: the owners rpcbind lists for program 900101 (a uid but root's).
owners() { rpcinfo | awk '$1 == 900101 { print $NF }' | sort -u; }
has() { db_dump -p "$MAP" | grep -q "^ $1\$"; }

if ! dracd_start -u "$U" -a "$T/allow" "$MAP"; then
	nok "dracd -u $U starts"
	exit 1
fi
ok "dracd -u $U starts"
t "uid dropped (real, effective, saved, fs)" \
    test "$(ids Uid)" = "$UID_ $UID_ $UID_ $UID_"
t "gid dropped" test "$(ids Gid)" = "$GID_ $GID_ $GID_ $GID_"
t "supplementary groups: only $U's group" test "$(ids Groups)" = "$GID_"
t "map owned by $U" test "$(stat -c %U "$MAP")" = "$U"
t "map is 0644" test "$(stat -c %a "$MAP")" = 644
t "state directory made, owned by $U" test "$(stat -c %U "$STATE")" = "$U"
t "journal owned by $U, 0600" \
    test "$(stat -c '%U %a' "$STATE/dracd.db.journal")" = "$U 600"
t "owner lock holds dracd's PID" \
    test "$(cat "$STATE/dracd.db.lock")" = "$DRACD_PID"
t "add after the drop" "$DRACCTL" add 192.0.2.1
t "add stored" waitfor 2 has 192.0.2.1
t "rpcbind registrations owned by $U" test "$(owners)" = "$UID_"
printf '127.0.0.1\n::1\n192.0.2.0/24\n' >"$T/allow"
kill -HUP "$DRACD_PID"
t "SIGHUP rereads the allow file as $U" waitfor 5 grep -q '3 entries' "$T/dracd.log"
chmod g+w "$T/allow"
kill -HUP "$DRACD_PID"
t "SIGHUP: group-writable allow file refused" \
    waitfor 5 grep -q 'group or world writable.*keeping the old' "$T/dracd.log"
chmod g-w "$T/allow"
t "SIGTERM: clean exit" dracd_stop
t "SIGTERM: unregistered" sh -c '! rpcinfo -p 127.0.0.1 | grep -q 900101'
t "map valid" db_verify -q "$MAP"

# A dracd started as the user itself, on the map root gave it.
DRACD_WRAP="setpriv --reuid=$UID_ --regid=$GID_ --clear-groups"
if dracd_start -a "$T/allow" "$MAP"; then
	ok "restart as $U on the same map"
	t "restart as $U: add" "$DRACCTL" add 192.0.2.2
	t "restart as $U: add stored" waitfor 2 has 192.0.2.2
	t "restart as $U: entries kept" has 192.0.2.1
	t "restart as $U: clean exit" dracd_stop
	t "restart as $U: unregistered" \
	    sh -c '! rpcinfo -p 127.0.0.1 | grep -q 900101'
else
	nok "restart as $U on the same map" "$(tail -n 1 "$T/dracd.log")"
fi

# The map in a root-owned directory (as /etc/mail), the map the user's:
# only the map has to be there, the state directory is the user's own.
mkdir -m 755 "$T/etc" "$T/ustate"
cp "$MAP" "$T/etc/dracd.db"
chown "$U:" "$T/etc/dracd.db" "$T/ustate"
if dracd_start -j "$T/ustate" -a "$T/allow" "$T/etc/dracd.db"; then
	ok "as $U, map in a root-owned directory: starts"
	t "as $U, map in a root-owned directory: add" "$DRACCTL" add 192.0.2.3
	t "as $U, map in a root-owned directory: add stored" waitfor 2 sh -c \
	    "db_dump -p '$T/etc/dracd.db' | grep -q '^ 192.0.2.3\$'"
	t "as $U, map in a root-owned directory: nothing written beside it" \
	    test "$(ls "$T/etc")" = dracd.db
	t "as $U, map in a root-owned directory: clean exit" dracd_stop
else
	nok "as $U, map in a root-owned directory: starts" \
	    "$(tail -n 1 "$T/dracd.log")"
fi
DRACD_WRAP=

# Refusals.
t "-u unknown user: refused" sh -c \
    "'$DRACD' -f -j '$STATE' -u no-such-user-x -a '$T/allow' '$T/x.db' 2>&1; [ \$? -eq 1 ]"
t "-u unknown user: says why" sh -c \
    "'$DRACD' -f -j '$STATE' -u no-such-user-x -a '$T/allow' '$T/x.db' 2>&1 | grep -q 'no such user'"
chmod 600 "$T/allow"
t "allow file $U cannot read: refused" sh -c \
    "'$DRACD' -f -j '$STATE' -u $U -a '$T/allow' '$T/y.db' 2>&1 | grep -q 'cannot read it'"
t "allow file $U cannot read: nothing left registered" \
    sh -c '! rpcinfo -p 127.0.0.1 | grep -q 900101'
chmod 644 "$T/allow"
chmod o+w "$T/allow"
t "world-writable allow file: refused at start" sh -c \
    "'$DRACD' -f -j '$STATE' -u $U -a '$T/allow' '$T/z.db' 2>&1 | grep -q 'world writable'"
chmod o-w "$T/allow"
t "usage shows -u" sh -c "'$DRACD' -q 2>&1 | grep -q -e '-u user'"
finish

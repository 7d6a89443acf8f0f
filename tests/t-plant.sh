#!/bin/sh
# t-plant.sh: planted links.  dracd -u USER starts as root, with a map
# directory and a state directory USER can write.  A hard link planted
# there as the journal, the owner lock or the map, or a symbolic link
# planted as the map or the allow file, each pointing at a root-owned
# 0600 file, makes dracd exit 1 with a message naming the link, and the
# file pointed at keeps its owner, mode and content.  So does a file of
# another owner.  A map that was there, root's, is not given away; files
# dracd made are.  USER is nobody, which every Debian system has: the
# test adds no user to the host.  The links are made as root:
# fs.protected_hardlinks would stop USER from making the hard links on
# most hosts, and what is tested is dracd's own defence.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
	skip "planted links" "needs root and the namespaces of tests/run.sh"
	exit 0
fi
U=nobody
M=$T/m
S=$T/s
SECRET=$T/secret
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
printf '127.0.0.1\n::1\n' >"$T/allow"

# fresh [db]: an empty map and state directory USER can write, and the
# secret, root's, 0600: a line of text that is also an allow file, or
# with db a Berkeley DB hash file (as /etc/aliases.db), which dracd
# would take for a map.
fresh() {
	rm -rf "$M" "$S" "$SECRET"
	mkdir -m 755 "$M" "$S"
	chown "$U:" "$M" "$S"
	if [ "${1:-}" = db ]; then
		printf 'root\nonly\n' | db_load -T -t hash "$SECRET"
	else
		printf '127.0.0.1\n' >"$SECRET"
	fi
	chmod 600 "$SECRET"
	cp -p "$SECRET" "$T/secret.orig"
}
# run ARGS: dracd -u USER ARGS, at most 10 s; its output in $T/out.
run() {
	timeout 10 "$DRACD" -f -u "$U" -j "$S" "$@" >"$T/out" 2>&1
}
# refused NAME PATH WHY ARGS: dracd exits 1 with a message naming PATH
# and saying WHY (a grep pattern), the secret unchanged.
refused() {
	_name=$1
	_path=$2
	_why=$3
	shift 3
	run "$@"
	_rc=$?
	if [ "$_rc" -ne 1 ]; then
		nok "$_name: exit 1" "exit $_rc: $(tail -n 1 "$T/out")"
	elif ! grep -q "$_path: .*$_why" "$T/out"; then
		nok "$_name: exit 1" "no '$_path: ...$_why': $(tail -n 1 "$T/out")"
	else
		ok "$_name: exit 1, says $(sed -n "s|.*$_path: ||p" "$T/out" | head -n 1)"
	fi
	t "$_name: target still root's, 0600" \
	    test "$(stat -c '%U %a' "$SECRET")" = "root 600"
	t "$_name: target's content unchanged" cmp "$SECRET" "$T/secret.orig"
}

fresh
ln "$SECRET" "$S/m.db.journal"
refused "hard link as the journal" "$S/m.db.journal" "hard link" -a "$T/allow" "$M/m.db"

fresh
ln "$SECRET" "$S/m.db.lock"
refused "hard link as the owner lock" "$S/m.db.lock" "hard link" -a "$T/allow" "$M/m.db"

fresh db
ln "$SECRET" "$M/m.db"
refused "hard link as the map" "$M/m.db" "hard link" -a "$T/allow" "$M/m.db"

fresh db
ln -s "$SECRET" "$M/m.db"
refused "symbolic link as the map" "$M/m.db" "symbolic link" -a "$T/allow" "$M/m.db"

fresh
ln -s "$SECRET" "$T/allow.lnk"
refused "symbolic link as the allow file" "$T/allow.lnk" "symbolic link" \
    -a "$T/allow.lnk" "$M/m.db"
rm -f "$T/allow.lnk"

fresh
cp "$SECRET" "$S/m.db.journal"
chown 4242 "$S/m.db.journal"
refused "journal of another owner" "$S/m.db.journal" "owned by" -a "$T/allow" "$M/m.db"
t "journal of another owner: not given away" \
    test "$(stat -c %u "$S/m.db.journal")" = 4242

# A map that was there, root's and alone, is not given away: dracd -u
# could not write it after the drop, so it refuses it; files dracd makes
# are USER's.
fresh
db_load -T -t hash "$M/m.db" </dev/null
cp "$M/m.db" "$T/m.before"
run -a "$T/allow" "$M/m.db"
t "root's own map: exit 1" test $? -eq 1
t "root's own map: says why" grep -q "$M/m.db: owned by uid 0, not by" "$T/out"
t "root's own map: not given away" test "$(stat -c %U "$M/m.db")" = root
t "root's own map: unchanged" cmp -s "$M/m.db" "$T/m.before"
chown "$U:" "$M/m.db"
if dracd_start -u "$U" -a "$T/allow" -j "$S" "$M/m.db"; then
	ok "$U's map: starts"
	t "journal made by dracd: $U's" \
	    test "$(stat -c %U "$S/m.db.journal")" = "$U"
	t "$U's map: add" "$DRACCTL" add 192.0.2.1
	t "$U's map: add stored" waitfor 2 sh -c \
	    "db_dump -p '$M/m.db' | grep -q '^ 192.0.2.1\$'"
	t "$U's map: clean exit" dracd_stop
else
	nok "$U's map: starts" "$(tail -n 1 "$T/dracd.log")"
fi
finish

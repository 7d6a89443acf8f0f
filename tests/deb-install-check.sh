#!/bin/sh
# deb-install-check.sh DIR: install the .debs of make deb (in DIR) on this
# Debian root and check the installed packages.  For a fresh root (the
# lead's make check-fresh), as root: it installs them with apt-get, so
# it changes the system it runs on.
#
# Checked: the packages install (apt-get install ./x.deb, their
# dependencies from the archive) and create the user drac and
# /var/lib/drac; rpc.dracd and its manual page are aliases; the installed
# dracd, run as the installed unit runs it (its ExecStart, under its
# capability bounding set, no new privileges), checks its configuration
# (dracd -n) before and after its first start, starts under rpcbind on the
# default map, /etc/mail/dracd.db; dracctl add works; pkg-config --cflags
# --libs drac builds a small POP server against libdrac-dev, and its
# dracauth() call lands in the map; SIGHUP (the unit's ExecReload) reloads
# the allow file; SIGTERM stops dracd cleanly; a purge removes
# /var/lib/drac and keeps the map.  Prints one line per case and
# "N passed, N failed".
#
# The packages and the tools the checks use (gcc, pkgconf, db-util,
# iproute2) are installed from the archive on the root's network; dracd
# and the rest then run in private network, mount and UTS namespaces
# (tests/ns.sh) with an rpcbind of their own, as make check does.  In a
# chroot, / must be a mount point for that (mount --bind ROOT ROOT first).
set -u
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 debdir" >&2; exit 2; }
DEBS=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "$0: run as root" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/ns.sh"
DRACD=/usr/sbin/dracd
DRACCTL=/usr/bin/dracctl
TNAME=deb
MAP=/etc/mail/dracd.db
UNIT=/lib/systemd/system/dracd.service
RPCPID=
trap 'lib_cleanup; [ -z "$RPCPID" ] || kill "$RPCPID" 2>/dev/null' EXIT

install_checks() {
	export DEBIAN_FRONTEND=noninteractive
	t "apt-get update" apt-get update -q
	t "apt-get install the packages" apt-get install -y -q \
	    "$DEBS"/dracd_*.deb "$DEBS"/libdrac1_*.deb "$DEBS"/libdrac-dev_*.deb \
	    "$DEBS"/libpam-drac_*.deb
	t "pam_drac.so where PAM looks" sh -c \
	    "ls /usr/lib/*/security/pam_drac.so"
	t "apt-get install the checks' tools" \
	    apt-get install -y -q --no-install-recommends gcc libc6-dev \
	    pkgconf db-util iproute2
	t "user drac" id drac
	t "/var/lib/drac: drac's, 0750" \
	    test "$(stat -c '%U %a' /var/lib/drac 2>&1)" = "drac 750"
	t "rpc.dracd is dracd" test "$(readlink /usr/sbin/rpc.dracd)" = dracd
	t "rpc.dracd(8) is dracd(8)" test -e /usr/share/man/man8/rpc.dracd.8.gz
	t "unit installed" test -f "$UNIT"
}

run_checks() {
	"$TOP/tests/rpcbind-up.sh" "$T/rpcbind.pid" >/dev/null 2>&1
	[ ! -f "$T/rpcbind.pid" ] || RPCPID=$(cat "$T/rpcbind.pid")
	t "rpcbind answers" rpcinfo -T udp 127.0.0.1 100000 4

	# The unit's command line and capabilities.
	cmd=$(sed -n 's/^ExecStart=//p' "$UNIT")
	caps=-all
	for c in $(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" |
	    tr 'A-Z' 'a-z' | sed 's/cap_//g'); do
		caps="$caps,+$c"
	done
	t "unit runs /usr/sbin/dracd -f -u drac" test "$cmd" = "$DRACD -f -u drac"
	t "installed dracd -n, before the first start: configuration OK" \
	    sh -c "$DRACD -n -u drac | grep -qx 'dracd: configuration OK'"
	DRACD_WRAP="setpriv --bounding-set=$caps --inh-caps=-all --no-new-privs"
	if ! dracd_start -u drac; then
		nok "installed dracd starts as the unit runs it" \
		    "$(tail -n 2 "$T/dracd.log" | tr '\n' ' ')"
		return
	fi
	ok "installed dracd starts as the unit runs it"
	t "runs as drac" test "$(ps -o user= -p "$DRACD_PID")" = drac
	t "registered with rpcbind" waitfor 5 registered
	t "dracctl add" "$DRACCTL" add 192.0.2.7
	t "dracctl add: in $MAP" waitfor 2 sh -c "db_dump -p $MAP | grep -qx ' 192.0.2.7'"
	cp "$TOP/tests/pop.c" "$T/pop.c"
	t "pkg-config --cflags --libs drac" pkg-config --cflags --libs drac
	t "POP server builds with pkg-config" sh -c \
	    "cc -o '$T/pop' '$T/pop.c' \$(pkg-config --cflags --libs drac)"
	t "POP server linked with the installed libdrac.so.1" sh -c \
	    "ldd '$T/pop' | grep -Eq 'libdrac.so.1 => (/usr)?/lib/'"
	t "POP server's dracauth()" "$T/pop" 192.0.2.8
	t "dracauth(): in $MAP" waitfor 2 sh -c "db_dump -p $MAP | grep -qx ' 192.0.2.8'"
	printf '127.0.0.1\n::1\n192.0.2.0/24\n' >/etc/mail/dracd.allow
	kill -HUP "$DRACD_PID"
	t "SIGHUP (ExecReload) reloads the allow file" \
	    waitfor 5 grep -q '3 entries' "$T/dracd.log"
	t "SIGTERM: clean exit" dracd_stop
	t "installed dracd -n on the map it wrote: configuration OK" \
	    sh -c "$DRACD -n -u drac >'$T/n.out' && grep -q 'dracd.db: hash map' '$T/n.out'"
	t "map owned by drac" test "$(stat -c %U $MAP)" = drac
	rm -f /etc/mail/dracd.allow
	t "apt-get purge dracd" apt-get purge -y -q dracd
	t "purge: /var/lib/drac removed" test ! -e /var/lib/drac
	t "purge: the map stays" test -f $MAP
}

if [ -n "${DRAC_NS:-}" ]; then
	ns_enter
	run_checks 2>&1
	exit
fi
install_checks >"$T/out" 2>&1
env DRAC_NS=1 unshare --net --mount --uts --propagation private sh \
    "$0" "$DEBS" >>"$T/out" 2>&1
grep -e '^ok - ' -e '^FAIL - ' -e '^	' "$T/out"
npass=$(grep -c '^ok - ' "$T/out")
nfail=$(grep -c '^FAIL - ' "$T/out")
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]

#!/bin/sh
# v-pkg.sh: what make install and the packages ship beside the programs.
#
# make install honours PREFIX and LIBDIR in drac.pc and in the unit's
# ExecStart, installs rpc.dracd and its manual page as aliases, and
# pkg-config --cflags --libs drac builds a POP server that adds through
# a running dracd.  The installed unit passes systemd-analyze verify
# (which loads it, starts nothing) and its systemd-analyze security
# exposure is printed and held to the figure and the list of open items
# contrib/README explains.  The sysusers.d and tmpfiles.d files create
# the user and its state directory in the installed root.  Every system
# call dracd makes (strace) from start to stop, dropping to a user, adding
# over UDP and TCP, expiring, reloading, is one the unit's SystemCallFilter
# lets through.
. "$(dirname "$0")/lib.sh"

D=$T/root
MA=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
LD=/usr/lib/$MA
t "make install PREFIX=/usr LIBDIR=$LD" make -C "$TOP" -s install \
    DESTDIR="$D" PREFIX=/usr LIBDIR="$LD"
for f in $LD/pkgconfig/drac.pc lib/systemd/system/dracd.service \
    lib/sysusers.d/drac.conf lib/tmpfiles.d/drac.conf; do
	t "installed: $f" test -f "$D/usr/${f#/usr/}"
done
t "rpc.dracd is dracd" test "$(readlink "$D/usr/sbin/rpc.dracd")" = dracd
t "rpc.dracd(8) is dracd(8)" \
    test "$(readlink "$D/usr/share/man/man8/rpc.dracd.8")" = dracd.8
t "drac.pc: libdir" grep -qx "libdir=$LD" "$D$LD/pkgconfig/drac.pc"
t "drac.pc: version is dracd's" grep -qx "Version: $(sed -n \
    's/^#define DRACD_VERSION[^"]*"\(.*\)"/\1/p' "$TOP/dracd.c")" \
    "$D$LD/pkgconfig/drac.pc"
t "unit: ExecStart in SBINDIR" grep -q '^ExecStart=/usr/sbin/dracd ' \
    "$D/usr/lib/systemd/system/dracd.service"

O=$T/opt
t "make install PREFIX=/opt/drac" make -C "$TOP" -s install DESTDIR="$O" \
    PREFIX=/opt/drac
t "PREFIX=/opt/drac: drac.pc" sh -c "PKG_CONFIG_PATH='$O/opt/drac/lib/pkgconfig' \
    pkg-config --variable=libdir drac | grep -qx /opt/drac/lib"
t "PREFIX=/opt/drac: unit's ExecStart" grep -q '^ExecStart=/opt/drac/sbin/dracd ' \
    "$O/opt/drac/lib/systemd/system/dracd.service"

# A POP server's call, built with pkg-config against the installed tree.
cp "$TOP/tests/pop.c" "$T/pop.c"
# pkg-config's sysroot applies to libtirpc's flags too: its headers,
# not installed by us, are the system's.
ln -s /usr/include/tirpc "$D/usr/include/tirpc"
PC="env PKG_CONFIG_PATH=$D$LD/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D pkg-config"
t "pkg-config --cflags --libs drac" $PC --cflags --libs drac
t "POP server builds with pkg-config" sh -c "cc -o '$T/pop' '$T/pop.c' \
    \$($PC --cflags --libs drac)"
printf '127.0.0.1\n::1\n' >"$T/allow"
if dracd_start -a "$T/allow" "$T/map.db"; then
	t "POP server adds through dracd" env LD_LIBRARY_PATH="$D$LD" \
	    "$T/pop" 192.0.2.44
	t "the address is in the map" waitfor 2 sh -c \
	    "db_dump -p '$T/map.db' | grep -qx ' 192.0.2.44'"
	t "dracd: clean exit" dracd_stop
else
	nok "dracd starts for the POP server"
fi

# The installed unit, its ExecStart pointed at the installed binary.
UNIT=$D/usr/lib/systemd/system/dracd.service
sed "s|^ExecStart=/usr/sbin/dracd|ExecStart=$D/usr/sbin/dracd|" "$UNIT" \
    >"$T/dracd.service"
t "systemd-analyze verify" sh -c "MANPATH='$D/usr/share/man' \
    systemd-analyze verify '$T/dracd.service' 2>&1 | tee /dev/stderr | \
    { ! grep -q .; }"
systemd-analyze security --offline=yes "$T/dracd.service" >"$T/sec" 2>&1
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/sec")
echo "# systemd-analyze security: exposure $score"
t "exposure printed" test -n "$score"
t "exposure <= 2.3, the figure contrib/README explains" \
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.3) }'
# The open items contrib/README explains, one pattern each; any other
# one is a regression.
cat >"$T/expected" <<'EOS'
SystemCallFilter=~@privileged
RootDirectory=/RootImage=
User=/DynamicUser=
CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)
CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)
CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)
RestrictAddressFamilies=~AF_UNIX
RestrictAddressFamilies=~AF_(INET|INET6)
PrivateNetwork=
PrivateUsers=
DeviceAllow=
IPAddressDeny=
UMask=
EOS
awk '$1 == "✗" { print $2 }' "$T/sec" | sort >"$T/open"
sort -o "$T/expected" "$T/expected"
t "open items: only those contrib/README explains" sh -c \
    "diff '$T/expected' '$T/open' >&2"

# expand NAME...: the system calls of each name (a call, or a @group,
# recursively), one a line.
expand() {
	for _n; do
		case $_n in
		@*) systemd-analyze syscall-filter "$_n" 2>/dev/null |
		    awk 'NR > 1 && $1 !~ /^#/ && NF { print $1 }' |
		    while read -r _m; do expand "$_m"; done ;;
		*) echo "$_n" ;;
		esac
	done
}
# The unit's allow list: its first SystemCallFilter= line, less the "~"
# lines, plus the later ones, in order.
: >"$T/allowed"
sed -n 's/^SystemCallFilter=//p' "$UNIT" >"$T/filters"
while read -r f; do
	case $f in
	"~"*)	expand ${f#"~"} | sort -u >"$T/deny"
		grep -vxFf "$T/deny" "$T/allowed" >"$T/a2"
		mv "$T/a2" "$T/allowed" ;;
	*)	expand $f >>"$T/allowed" ;;
	esac
done <"$T/filters"
sort -u -o "$T/allowed" "$T/allowed"
t "SystemCallFilter: an allow list" test -s "$T/allowed"
# nobody: every Debian system has it, and the test adds no user.
U=nobody
mkdir "$T/sc"
DRACD_WRAP="strace -f -qq -o $T/trace"
# A state directory of its own: the journal root's dracd made above for
# its map.db is root's, and dracd -u gives away only files it makes.
if dracd_start -u "$U" -e 1s -a "$T/allow" -j "$T/sc/state" "$T/sc/map.db"; then
	# Signals go to dracd, strace's child.
	pid=$(pgrep -P "$DRACD_PID")
	"$DRACCTL" -p udp add 192.0.2.1 >/dev/null
	"$DRACCTL" -p tcp add 192.0.2.2 >/dev/null
	sleep 2.5
	kill -HUP "$pid"
	waitfor 5 sh -c "[ \$(grep -c entries '$T/dracd.log') -ge 2 ]"
	kill -TERM "$pid"
	t "traced dracd: clean exit" wait "$DRACD_PID"
	DRACD_PID=
else
	nok "dracd starts under strace"
fi
DRACD_WRAP=
sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$T/trace" | sort -u >"$T/used"
t "traced dracd: system calls seen" test "$(wc -l <"$T/used")" -gt 20
t "every system call dracd made is in the unit's SystemCallFilter" sh -c \
    "comm -23 '$T/used' '$T/allowed' | tee /dev/stderr | { ! grep -q .; }"

mkdir -p "$D/etc"
t "sysusers.d: creates drac" sh -c "systemd-sysusers --root='$D' >/dev/null 2>&1 &&
    grep -q '^drac:x:[0-9]*:[0-9]*:[^:]*:/var/lib/drac:' '$D/etc/passwd'"
t "tmpfiles.d: creates /var/lib/drac, drac's, 0750" sh -c \
    "systemd-tmpfiles --root='$D' --create >/dev/null 2>&1 &&
    test \"\$(stat -c '%u %a' '$D/var/lib/drac')\" = \"\$(awk -F: '\$1 == \"drac\" { print \$3 }' '$D/etc/passwd') 750\""
finish

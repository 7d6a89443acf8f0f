#!/bin/sh
# check-fresh.sh: make check-fresh.  The README's commands on a fresh
# machine: a minimal Debian 12 root (mmdebstrap --variant=minbase, the
# shape of the debian:bookworm image, plus git and make), into which HEAD
# is cloned.  There, as root:
#   1. make check (which installs what it needs: make deps);
#   2. make run in a private network and PID namespace, dracctl add
#      192.0.2.7, and db_dump of the map;
#   3. make deb, then the built packages installed on that root and
#      checked there (tests/deb-install-check.sh: the installed dracd -n,
#      dracd run as its unit runs it, dracctl, a POP server built with
#      pkg-config against libdrac-dev).
# The root is built once and cached as a tarball in FRESH_CACHE (default
# /var/tmp/drac-fresh; FRESH_MAXAGE days, default 7); every run unpacks
# it anew, so nothing of an earlier run is left.  Needs root and the
# package mirror.  Prints one line per case and closes with the same
# "N passed, N failed, N skipped" line as make check, summed over both.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${FRESH_CACHE:-/var/tmp/drac-fresh}
MAXAGE=${FRESH_MAXAGE:-7}
SUITE=bookworm
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
SECURITY=${FRESH_SECURITY:-http://deb.debian.org/debian-security}

die() {
	echo "check-fresh: $*" >&2
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root (it builds and enters a chroot)"
command -v mmdebstrap >/dev/null 2>&1 ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends mmdebstrap; } >&2 ||
    die "cannot install mmdebstrap"

# The cached minbase root, built when missing or older than MAXAGE days.
mkdir -p "$CACHE" || die "cannot create $CACHE"
TAR=$CACHE/$SUITE-minbase.tar
if [ -z "$(find "$TAR" -mtime "-$MAXAGE" 2>/dev/null)" ]; then
	echo "# building a minbase $SUITE root in $TAR" >&2
	# (--format: the name's .new would make mmdebstrap write a directory)
	mmdebstrap --quiet --variant=minbase --format=tar \
	    --include=git,make,ca-certificates "$SUITE" "$TAR.new" \
	    "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
	    "deb $SECURITY $SUITE-security main" >&2 &&
	    mv "$TAR.new" "$TAR" || die "mmdebstrap failed"
fi

W=$(mktemp -d "$CACHE/run.XXXXXX") || die "mktemp"
trap 'rm -rf "$W"' EXIT
R=$W/root
mkdir "$R" && tar -C "$R" -xf "$TAR" || die "cannot unpack $TAR"
git clone -q "$TOP" "$R/src/drac" || die "cannot clone $TOP"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null

# inroot SCRIPT: SCRIPT run by sh in the root, as root, in a mount and PID
# namespace of its own (so every mount and process goes with it).
inroot() {
	unshare --mount --pid --fork --propagation private sh -c '
		R=$1; shift
		mount --bind "$R" "$R" &&
		mount -t proc proc "$R/proc" &&
		mount --rbind /sys "$R/sys" &&
		mount --rbind /dev "$R/dev" &&
		mount -t tmpfs -o mode=755 tmpfs "$R/run" || exit 2
		exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		    HOME=/root LANG=C.UTF-8 sh -c "$1"' sh "$R" "$1"
}

out=$W/check.out
echo "# make check in the fresh root" >&2
inroot 'cd /src/drac && make check' >"$out" 2>&1
rc=$?
grep -E '^(ok|FAIL|skip) - |^# tests/' "$out"
sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1)
if [ -z "$sum" ]; then
	echo "FAIL - check-fresh: make check printed no summary (exit $rc)"
	tail -n 20 "$out" | sed 's/^/	/'
	sum="0 passed, 1 failed, 0 skipped"
elif [ $rc -ne 0 ] && [ "$(echo "$sum" | cut -d' ' -f3)" = 0 ]; then
	echo "FAIL - check-fresh: make check exited $rc"
	sum=$(echo "$sum" | awk '{ print $1, "passed,", $3 + 1, "failed,", $5, "skipped" }')
fi

# make run, as the README says, in a private network and PID namespace.
echo "# make run, dracctl add, db_dump in the fresh root" >&2
inroot 'cd /src/drac && exec unshare --net --pid --fork sh -c "
	ip link set lo up
	make run >/tmp/run.log 2>&1 &
	i=0
	until rpcinfo -p 127.0.0.1 2>/dev/null | grep -q 900101; do
		i=\$((i + 1))
		[ \$i -lt 600 ] || { echo FAIL - make run: dracd did not register; cat /tmp/run.log; exit 1; }
		sleep 0.1
	done
	echo ok - make run: dracd registered with rpcbind
	if build/dracctl add 192.0.2.7; then
		echo ok - make run: dracctl add 192.0.2.7
	else
		echo FAIL - make run: dracctl add 192.0.2.7
	fi
	i=0
	until db_dump -p var/dracd.db 2>/dev/null | grep -qx \" 192.0.2.7\"; do
		i=\$((i + 1))
		[ \$i -lt 50 ] || { echo FAIL - make run: 192.0.2.7 not in var/dracd.db; db_dump -p var/dracd.db; exit 1; }
		sleep 0.1
	done
	echo ok - make run: 192.0.2.7 in var/dracd.db \(db_dump\)
"' >"$W/run.out" 2>&1
cat "$W/run.out"
rp=$(grep -c '^ok - ' "$W/run.out")
rf=$(grep -c '^FAIL - ' "$W/run.out")
[ "$rp" -eq 3 ] || [ "$rf" -gt 0 ] || { echo "FAIL - make run: incomplete"; rf=1; }

# The packages, built and installed on the same root.
echo "# make deb, the packages installed and checked in the fresh root" >&2
inroot 'cd /src/drac && make deb >/tmp/deb.log 2>&1 || { tail -n 20 /tmp/deb.log; echo "FAIL - make deb"; exit 1; }
	echo "ok - make deb: built, lintian clean"
	tests/deb-install-check.sh build/deb' >"$W/deb.out" 2>&1
grep -E '^(ok|FAIL|skip) - ' "$W/deb.out"
grep -q '^FAIL - make deb' "$W/deb.out" && sed 's/^/	/' "$W/deb.out"
dp=$(grep -c '^ok - ' "$W/deb.out")
df=$(grep -c '^FAIL - ' "$W/deb.out")
[ "$dp" -gt 1 ] || [ "$df" -gt 0 ] ||
    { echo "FAIL - packages: no result"; tail -n 20 "$W/deb.out"; df=1; }

echo "$sum" | awk -v p="$((rp + dp))" -v f="$((rf + df))" \
    '{ print $1 + p, "passed,", $3 + f, "failed,", $5, "skipped" }' |
    tee "$W/sum"
[ "$(cut -d' ' -f3 "$W/sum")" = 0 ]

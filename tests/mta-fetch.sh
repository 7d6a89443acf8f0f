#!/bin/sh
# mta-fetch.sh [DIR]: fetch Debian's sendmail, postfix and exim packages
# (and m4 and whatever shared libraries of theirs the machine lacks) with
# apt-get download and unpack them with dpkg -x into DIR/root (default
# build/mta).  Nothing is installed: the MTA tests run the programs from
# there with private configuration files.  Needs the network, so tests/run.sh
# calls it before it enters its namespaces; does nothing once DIR/root is
# complete.  Exit 0 when the tree is usable, else 1 with the reason on stderr.
# FETCH_PKGS and FETCH_BINS (paths in the tree) change what is fetched and
# which programs must find their libraries (tests/dovecot-fetch.sh).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$TOP/build/mta}
PKGS=${FETCH_PKGS:-sendmail-bin sendmail-cf postfix exim4-daemon-light exim4-base m4}
BINS=${FETCH_BINS:-usr/libexec/sendmail/sendmail usr/sbin/exim4 usr/sbin/postmap
    usr/sbin/postconf usr/lib/postfix/sbin/* usr/bin/m4}
[ -f "$DIR/root/.complete" ] && exit 0

die() {
	echo "mta-fetch: $*" >&2
	exit 1
}

# dl PKG...: apt-get download into the current directory; once more after
# apt-get update when the package lists are missing or stale.
dl() {
	apt-get -q -o APT::Sandbox::User=root download "$@" >dl.log 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || { cat dl.log >&2; return 1; }
	apt-get -q update >/dev/null 2>&1
	apt-get -q -o APT::Sandbox::User=root download "$@" >dl.log 2>&1 ||
	    { cat dl.log >&2; return 1; }
}

# needed DEB...: the library packages these debs depend on (first of each
# alternative) that are neither installed nor fetched yet.
needed() {
	for d in "$@"; do
		dpkg-deb -f "$d" Depends Pre-Depends
	done | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' |
	    grep '^lib' | sort -u | while read -r p; do
		ls "${p}"_*.deb >/dev/null 2>&1 && continue
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'ok installed' && continue
		echo "$p"
	done
}

mkdir -p "$DIR/deb" || die "cannot create $DIR"
# One fetch at a time (make check may run in two trees' sessions at once).
exec 9>"$DIR/.lock"
flock 9 || die "cannot lock $DIR/.lock"
[ -f "$DIR/root/.complete" ] && exit 0
cd "$DIR/deb" || exit 1
echo "mta-fetch: fetching $PKGS into $DIR" >&2
for p in $PKGS; do
	ls "${p}"_*.deb >/dev/null 2>&1 || dl "$p" || die "apt-get download $p failed"
done
# Shared libraries the machine lacks: follow Depends until closed.
n=0
while libs=$(needed ./*.deb) && [ -n "$libs" ]; do
	n=$((n + 1))
	[ $n -le 8 ] || die "library dependencies do not close: $libs"
	echo "mta-fetch: also fetching $(echo "$libs" | tr '\n' ' ')" >&2
	# shellcheck disable=SC2086
	dl $libs || die "apt-get download $libs failed"
done

rm -rf "$DIR/root.new"
mkdir -p "$DIR/root.new"
for d in ./*.deb; do
	# A broken download is fetched again next time.
	dpkg -x "$d" "$DIR/root.new" || { rm -f "$d"; die "dpkg -x $d failed"; }
done
# Check every program we run finds all its libraries.
R=$DIR/root.new
LD_LIBRARY_PATH=$(find "$R" -name '*.so*' -printf '%h\n' | sort -u | tr '\n' ':')
export LD_LIBRARY_PATH
bad=
for b in $(cd "$R" && echo $BINS); do
	b=$R/$b
	[ -f "$b" ] || { bad="$bad $b(absent)"; continue; }
	miss=$(ldd "$b" 2>/dev/null | awk '/not found/ { printf "%s,", $1 }')
	[ -z "$miss" ] || bad="$bad $(basename "$b"):$miss"
done
[ -z "$bad" ] || die "unresolved libraries:$bad"
ls ./*.deb >"$R/.complete"
rm -rf "$DIR/root"
mv "$R" "$DIR/root" || die "cannot move $R into place"
echo "mta-fetch: unpacked into $DIR/root" >&2

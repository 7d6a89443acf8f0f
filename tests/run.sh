#!/bin/sh
# run.sh [TEST...]: the test suite (make check).
#
# As root it re-runs itself in private network, mount and UTS namespaces
# (tests/ns.sh):
# its own loopback, its own /run and so its own rpcbind, which it starts and
# stops by PID.  The machine's rpcbind and any dracd already running are
# never touched.  Each tests/t-*.sh runs against build/, then against the
# sanitizer build (build/san); tests/v-*.sh run once.  Prints one line per
# case (ok, FAIL or skip) and a closing "N passed, N failed, N skipped";
# as root on Debian a skip also counts as a failure.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
. tests/ns.sh
if [ "$(id -u)" -eq 0 ] && [ -z "${DRAC_NS:-}" ]; then
	# The MTA test's packages, while there is a network (once: cached).
	case " $* " in "  " | *mta* | *dovecot*) sh tests/mta-fetch.sh ;; esac
	case " $* " in "  " | *dovecot*) sh tests/dovecot-fetch.sh ;; esac
fi
ns_enter "$0" "$@"
NS_RPCPID=
out=$(mktemp)
trap 'rm -f "$out" "$out.one"; [ -z "$NS_RPCPID" ] || kill "$NS_RPCPID" 2>/dev/null' EXIT
ns_rpcbind "$out.pid" || exit 2

if [ $# -gt 0 ]; then tests=$*; else tests=$(ls tests/t-*.sh tests/v-*.sh); fi
builds=${BUILDS:-build build/san}
for f in $tests; do
	case $f in
	*/v-*) bs=build ;;
	*) bs=$builds ;;
	esac
	for b in $bs; do
		t0=$(date +%s)
		B=$b sh "$f" >"$out.one" 2>&1
		rc=$?
		echo "# $f[$b]: $(($(date +%s) - t0)) s" >>"$out.one"
		cat "$out.one" | tee -a "$out"
		if [ $rc -ne 0 ] && ! grep -q '^FAIL - ' "$out.one"; then
			echo "FAIL - $f[$b]: exited $rc" | tee -a "$out"
		elif ! grep -q -e '^ok - ' -e '^FAIL - ' -e '^skip - ' "$out.one"; then
			echo "FAIL - $f[$b]: printed no result" | tee -a "$out"
		fi
	done
done
npass=$(grep -c '^ok - ' "$out")
nfail=$(grep -c '^FAIL - ' "$out")
nskip=$(grep -c '^skip - ' "$out")
# As root on Debian every case can run: a skip there is a failure.
if [ "$nskip" -gt 0 ] && [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ]; then
	echo "FAIL - $nskip cases skipped as root on Debian, where all must run"
	nfail=$((nfail + nskip))
fi
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]

#!/bin/sh
# run.sh [TEST...]: the test suite (make check).
#
# As root it re-runs itself in private network, mount and UTS namespaces
# (tests/ns.sh):
# its own loopback, its own /run and so its own rpcbind, which it starts and
# stops by PID.  The machine's rpcbind and any dracd already running are
# never touched.  Each tests/t-*.sh runs against build/, then against the
# sanitizer build (build/san); the scripts of TSAN_TESTS, those that make
# the commit thread work (changes, failures, expiry, kills), run a third
# time against the thread sanitizer's (build/tsan), where a data race
# stops dracd at once (halt_on_error) and so fails the case.
# tests/v-*.sh run once, and so do t-fuzz.sh, whose harnesses
# (build/fuzz) are the same whatever the build, and t-bench.sh, which
# checks that make bench's program prints its figures (dracd loaded in
# the sanitizers' builds is t-soak.sh's part).
# As root, JOBS=2 (or more) runs that many scripts at once, each in
# namespaces and with an rpcbind of its own (run.sh -1 SCRIPT BUILD):
# ports, dracd's RPC program and the mounts of one are not seen by
# another.  It is not the default: the cases that bound a wait (a login
# within its timeout, a live client served among idle ones) fail when two
# scripts share two cores.  Each script's output is held and printed
# whole, in the order of the list, with a closing "# SCRIPT[BUILD]: N s".
# Prints one line per case (ok, FAIL or skip) and a closing "N passed, N
# failed, N skipped"; as root on Debian a skip also counts as a failure.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
. tests/ns.sh

# run.sh -1 SCRIPT BUILD: SCRIPT against BUILD in namespaces of its own.
if [ "${1:-}" = -1 ]; then
	ns_again "$0" "$@"
	NS_RPCPID=
	trap '[ -z "$NS_RPCPID" ] || kill "$NS_RPCPID" 2>/dev/null' EXIT
	ns_rpcbind /run/drac-rpcbind.pid || exit 2
	B=$3 sh "$2"
	exit
fi

if [ "$(id -u)" -eq 0 ] && [ -z "${DRAC_NS:-}" ]; then
	# The MTA test's packages, while there is a network (once: cached).
	case " $* " in "  " | *mta* | *dovecot*) sh tests/mta-fetch.sh ;; esac
	case " $* " in "  " | *dovecot*) sh tests/dovecot-fetch.sh ;; esac
fi
ns_enter "$0" "$@"
NS_RPCPID=
q=$(mktemp -d)
WORKERS=
trap 'for w in $WORKERS; do kill "$w" 2>/dev/null; done; rm -rf "$q"
    [ -z "$NS_RPCPID" ] || kill "$NS_RPCPID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
JOBS=${JOBS:-1}
# Without namespaces of their own, scripts would share rpcbind: one a time.
[ -n "${DRAC_NS:-}" ] || JOBS=1
[ "$JOBS" -gt 1 ] || ns_rpcbind "$q/rpcbind.pid" || exit 2

if [ $# -gt 0 ]; then tests=$*; else tests=$(ls tests/t-*.sh tests/v-*.sh); fi
builds=${BUILDS:-build build/san build/tsan}
TSAN_TESTS="t-disk t-expire t-journal t-replace t-soak t-lock"
export TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}"
# The tasks, in this order: the scripts that run once (the longest, such
# as Dovecot's, so they end before the rest), then every other against
# each build in turn (a script's two runs are apart: dracd's lock files
# outside the test's directory, if any, are not contended).
n=0
task() {
	n=$((n + 1))
	echo "$1 $2" >"$q/$n.task"
}
# once SCRIPT: true for the scripts that run against build/ alone.
once() { case $1 in */v-* | */t-fuzz.sh | */t-bench.sh) ;; *) false ;; esac; }
# skip BUILD SCRIPT: true when BUILD is the thread sanitizer's and SCRIPT
# is not one of TSAN_TESTS.
skip() {
	case $1 in */tsan) ;; *) return 1 ;; esac
	case " $TSAN_TESTS " in *" $(basename "$2" .sh) "*) return 1 ;; esac
}
for f in $tests; do
	if once "$f"; then task "$f" build; fi
done
for b in $builds; do
	for f in $tests; do
		once "$f" || skip "$b" "$f" || task "$f" "$b"
	done
done

# worker: run the tasks not yet taken (mkdir takes one), in order; each
# leaves its output in $q/N.out, its exit status in $q/N.rc.
worker() {
	_i=1
	while [ $_i -le $n ]; do
		if mkdir "$q/$_i.taken" 2>/dev/null; then
			read -r _f _b <"$q/$_i.task"
			_t0=$(date +%s)
			if [ "$JOBS" -gt 1 ]; then
				sh "$0" -1 "$_f" "$_b" >"$q/$_i.out" 2>&1
			else
				B=$_b sh "$_f" >"$q/$_i.out" 2>&1
			fi
			_rc=$?
			echo "# ${_f}[${_b}]: $(($(date +%s) - _t0)) s" >>"$q/$_i.out"
			echo $_rc >"$q/$_i.rc.new"
			mv "$q/$_i.rc.new" "$q/$_i.rc"
		fi
		_i=$((_i + 1))
	done
}
j=0
while [ $j -lt "$JOBS" ]; do
	worker &
	WORKERS="$WORKERS $!"
	j=$((j + 1))
done

out=$q/all
: >"$out"
i=1
while [ $i -le $n ]; do
	while [ ! -f "$q/$i.rc" ]; do sleep 0.2; done
	read -r f b <"$q/$i.task"
	rc=$(cat "$q/$i.rc")
	tee -a "$out" <"$q/$i.out"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL - ' "$q/$i.out"; then
		echo "FAIL - ${f}[${b}]: exited $rc" | tee -a "$out"
	elif ! grep -q -e '^ok - ' -e '^FAIL - ' -e '^skip - ' "$q/$i.out"; then
		echo "FAIL - ${f}[${b}]: printed no result" | tee -a "$out"
	fi
	i=$((i + 1))
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

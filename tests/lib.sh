# lib.sh: sourced by every tests/t-*.sh.
#
# Gives each test script a private scratch directory $T, the programs of the
# build under test ($DRACD, $DRACCTL; B selects the build, default build),
# result helpers that print one line per case, and dracd_start/dracd_stop,
# which run dracd in the foreground on private paths and check that it exits
# cleanly (exit status and no sanitizer report).  Everything started here is
# stopped by PID on exit; nothing else is touched.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
DRACD=$TOP/$B/dracd
DRACCTL=$TOP/$B/dracctl
TNAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/drac-$TNAME-$(basename "$B").XXXXXX")
[ "$B" = build ] || TNAME="$TNAME[$(basename "$B")]"
chmod 755 "$T"
STATE=$T/state
DRACD_PID=
DRACD_RC=
NFAIL=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:exitcode=86}

lib_cleanup() {
	if [ -n "$DRACD_PID" ] && kill -0 "$DRACD_PID" 2>/dev/null; then
		kill -CONT "$DRACD_PID" 2>/dev/null
		kill -TERM "$DRACD_PID" 2>/dev/null
		wait "$DRACD_PID" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM

# ok NAME: a case passed.  nok NAME [WHY]: a case failed.  skip NAME WHY:
# a case that could not run here (tests/run.sh counts it; as root on
# Debian, where every case can run, it counts as a failure).
ok() { echo "ok - $TNAME: $1"; }
skip() { echo "skip - $TNAME: $1 ($2)"; }
nok() {
	echo "FAIL - $TNAME: $1${2:+ ($2)}"
	NFAIL=$((NFAIL + 1))
}

# t NAME CMD...: the case passes when CMD exits 0.
t() {
	_n=$1
	shift
	if "$@" >"$T/t.out" 2>&1; then ok "$_n"; else nok "$_n" "$(tail -n 3 "$T/t.out" | tr '\n' ' ')"; fi
}

# tf NAME CMD...: the case passes when CMD fails.
tf() {
	_n=$1
	shift
	if "$@" >"$T/t.out" 2>&1; then nok "$_n" "unexpected success"; else ok "$_n"; fi
}

# waitfor SECONDS CMD...: poll CMD every 50 ms until it succeeds.
waitfor() {
	_w=$(($1 * 20))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_w=$((_w - 1))
		[ $_w -gt 0 ] || return 1
		sleep 0.05
	done
}

# pid_exited PID: process PID has exited (a zombie not yet waited for counts).
pid_exited() {
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in
	"" | Z*) return 0 ;;
	esac
	return 1
}

# dracd_settled: dracd said it started, or it exited without saying so.
dracd_settled() { grep -q 'started' "$T/dracd.log" || pid_exited "$DRACD_PID"; }

# dracd_start ARGS...: run dracd -f ARGS, log in $T/dracd.log, wait until it
# says it started (or exits: a start meant to fail costs no wait).  Its
# journal and owner lock go to $STATE (-j), never the host's /var/lib; a
# later -j in ARGS wins.  Returns non-zero (and shows the log) if it did not.
dracd_start() {
	: >"$T/dracd.log"
	${DRACD_WRAP:-} "$DRACD" -f -j "$STATE" "$@" 2>>"$T/dracd.log" &
	DRACD_PID=$!
	waitfor 20 dracd_settled
	if ! grep -q 'started' "$T/dracd.log"; then
		sed 's/^/	dracd: /' "$T/dracd.log" >&2
		return 1
	fi
}

# dracd_stop [SIGNAL]: stop dracd (default TERM), set DRACD_RC; true when it
# exited 0 with no sanitizer or valgrind report in its log.
dracd_stop() {
	[ -n "$DRACD_PID" ] || return 1
	kill -CONT "$DRACD_PID" 2>/dev/null
	kill -"${1:-TERM}" "$DRACD_PID" 2>/dev/null
	wait "$DRACD_PID"
	DRACD_RC=$?
	DRACD_PID=
	if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
	    -e 'runtime error:' -e 'WARNING: ThreadSanitizer' \
	    -e 'ERROR SUMMARY: [1-9]' "$T/dracd.log"; then
		sed 's/^/	dracd: /' "$T/dracd.log" >&2
		return 1
	fi
	[ "$DRACD_RC" -eq 0 ]
}

# dump MAP: the map's records, one "key value" line each (db_dump -p),
# with a trailing NUL shown as \00.
dump() {
	db_dump -p "$1" | awk '/^HEADER=END/ { on = 1; next } /^DATA=END/ { on = 0 }
	    on { sub(/^ /, ""); if (k == "") k = $0; else { print k, $0; k = "" } }'
}

# registered: dracd answers the NULL procedure of versions 1 and 2 (UDP).
registered() {
	rpcinfo -T udp 127.0.0.1 900101 1 && rpcinfo -T udp 127.0.0.1 900101 2
}

# finish: exit status for the script (the runner counts the lines).
finish() { [ "$NFAIL" -eq 0 ]; }

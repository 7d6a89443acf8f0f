#!/bin/sh
# bench.sh [BENCH-OPTIONS]: the performance figures (make bench; make
# bench-quick passes --quick).
#
# As root it re-runs itself in private network, mount and UTS namespaces,
# as run.sh does: its own loopback, its own /run and rpcbind, started and
# stopped by PID.  The map files go to a scratch directory under
# ${TMPDIR:-/tmp} (a real file system: the syncs are part of the figures),
# removed at the end unless KEEP is set.  B selects the build, DRACD
# another dracd (a wrapper running it under strace or perf, say).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
B=${B:-build}
. tests/ns.sh
ns_enter "$0" "$@"
NS_RPCPID=
dir=$(mktemp -d "${TMPDIR:-/tmp}/drac-bench.XXXXXX")
chmod 755 "$dir"
trap '[ -z "$NS_RPCPID" ] || kill "$NS_RPCPID" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
ns_rpcbind "$dir/rpcbind.pid" || exit 2
"$TOP/$B/tests/bench" -d "${DRACD:-$TOP/$B/dracd}" -t "$dir" "$@" || exit

# Version 3: ADDMANY (100 addresses a call) against single adds, over TCP
# to one dracd with its default sync window, in the same run.
n=20000
case " $* " in *" --quick "*) n=2000 ;; esac
printf '127.0.0.1\n::1\n' >"$dir/allow"
"${DRACD:-$TOP/$B/dracd}" -f -j "$dir/state3" -a "$dir/allow" -U none \
    "$dir/v3.db" 2>"$dir/v3.log" &
pid=$!
i=0
until grep -q started "$dir/v3.log"; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$dir/v3.log"; exit 1; }
	sleep 0.1
done
echo "ADDMANY against single adds, $n addresses each:"
"$TOP/$B/tests/v3test" bench localhost $n
rc=$?
kill "$pid"
wait "$pid"
B=$B sh tests/bench-smap.sh "$@" || rc=1
exit $rc

#!/bin/sh
# bench.sh [BENCH-OPTIONS]: the performance figures (make bench; make
# bench-quick passes --quick).
#
# As root it re-runs itself in private network, mount and UTS namespaces,
# as run.sh does: its own loopback, its own /run and rpcbind, started and
# stopped by PID.  The map files go to a scratch directory under
# ${TMPDIR:-/tmp} (a real file system: the syncs are part of the figures),
# removed at the end unless KEEP is set.  B selects the build, DRACD
# another dracd (a wrapper running it under strace or perf, say).  The
# plot and its data go to $B (bench.svg, or bench-quick.svg).
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

# Version 3 first: ADDMANY (100 addresses a call) against single adds,
# over TCP to one dracd with its default sync window, 3 rounds; the
# median ratio goes to the bench's targets.
n=20000
case " $* " in *" --quick "*) n=2000 ;; esac
printf '127.0.0.1\n::1\n' >"$dir/allow"
"${DRACD:-$TOP/$B/dracd}" -f -j "$dir/state3" -a "$dir/allow" -U none \
    "$dir/v3.db" 2>"$dir/v3.log" &
pid=$!
i=0
until grep -qs started "$dir/v3.log"; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$dir/v3.log"; exit 1; }
	sleep 0.1
done
echo "# ADDMANY against single adds, $n addresses each, 3 rounds:"
rc=0
for i in 1 2 3; do
	"$TOP/$B/tests/v3test" bench localhost $n >>"$dir/v3.out" || rc=1
done
sed 's/^/# /' "$dir/v3.out"
kill "$pid"
wait "$pid" || rc=1
[ $rc -eq 0 ] || exit $rc
ratio=$(sed -n 's|^ratio ADDMANY/single: ||p' "$dir/v3.out" | sort -n |
    sed -n 2p)

"$TOP/$B/tests/bench" -d "${DRACD:-$TOP/$B/dracd}" -t "$dir" \
    -a "${ratio:-0}" -o "$TOP/$B" "$@" || rc=1
B=$B sh tests/bench-smap.sh "$@" || rc=1
exit $rc

#!/bin/sh
# t-bench.sh: the benchmark in its quick mode (bench --quick: small counts,
# 20,000 map entries; one round), so that it never rots.  It checks that
# the bench ran, printed every figure and target line and wrote its plot,
# never what the figures are.
. "$(dirname "$0")/lib.sh"

BENCH=$TOP/$B/tests/bench
FIGURES="null.udp.1 null.tcp.1 null.udp.8 null.tcp.8
oneshot.udp.dracauth oneshot.udp.fresh oneshot.tcp.fresh
persist.udp.dracsend persist.tcp.handle clients8.udp clients8.tcp
ratio.persist.udp/null ratio.persist.tcp/null ratio.clients8.udp/null
ratio.clients8.tcp/null ratio.dracauth/fresh
window.0.persist.udp window.0.clients8.udp window.0.reader.maxwait
window.20.persist.udp window.20.clients8.udp window.20.reader.maxwait
scale.fill scale.startup scale.rss expire.scattered expire.mass
reader.startup reader.idle reader.scattered reader.between reader.mass
reader.after reader.mass.waits expire.loaded
clients.1 clients.2 clients.4 clients.8 clients.16
target.adds/null.8 target.adds/null.1 target.default/s0.8
target.reader.p99.9 target.reader.max target.expiring/idle.8
target.vmhwm"

mkdir "$T/run" "$T/out"
t "bench --quick runs and exits 0" "$BENCH" --quick -r 1 -d "$DRACD" \
    -t "$T/run" -o "$T/out"
cp "$T/t.out" "$T/bench.out"
for f in $FIGURES; do
	t "prints $f" grep -q "^$f  *[0-9]" "$T/bench.out"
done
# The disk's own count of bytes written, when the kernel shows one for
# the file system the bench's maps are on.
dev=$(stat -c %Hd:%Ld "$T/run")
if [ -r "/sys/dev/block/$dev/stat" ]; then
	t "prints disk.written/add.8" grep -q '^disk.written/add.8  *[0-9]' \
	    "$T/bench.out"
else
	skip "prints disk.written/add.8" "no statistics for device $dev"
fi
t "7 target lines say meets or misses" sh -c "[ \$(grep -cE \
    '^target\\..* (meets|misses)' '$T/bench.out') -eq 7 ]"
t "writes the plot" grep -q '^</svg>$' "$T/out/bench-quick.svg"
t "writes the plot's data" sh -c "[ \$(wc -l <'$T/out/bench-quick-clients.tsv') \
    -eq 6 ]"
t "dracd logged no sanitizer report" sh -c "! grep -q \
    -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
    -e 'runtime error:' '$T/run/dracd.log'"
finish

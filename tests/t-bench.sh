#!/bin/sh
# t-bench.sh: the benchmark in its quick mode (bench --quick: small counts,
# 20,000 map entries), so that it never rots.  It checks that the bench
# ran and printed every figure, never what the figures are.
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
reader.after summary.persist.udp/null summary.persist.udp/sync0
summary.clients8.udp summary.expire.maxwait summary.rss"

mkdir "$T/run"
t "bench --quick runs and exits 0" "$BENCH" --quick -d "$DRACD" \
    -t "$T/run"
cp "$T/t.out" "$T/bench.out"
for f in $FIGURES; do
	t "prints $f" grep -q "^$f  *[0-9]" "$T/bench.out"
done
t "dracd logged no sanitizer report" sh -c "! grep -q \
    -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
    -e 'runtime error:' '$T/run/dracd.log'"
finish

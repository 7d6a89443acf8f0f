#!/bin/sh
# fuzz.sh BINDIR WORKDIR SECONDS NAME...: run each libFuzzer harness
# BINDIR/fuzz-NAME for SECONDS on the corpus WORKDIR/corpus/NAME, grown
# from the seeds in tests/fuzz/NAME (and, for the allow parser, the golden
# inputs in tests/allow).  Prints one line per harness: runs, runs per
# second, corpus size, and either "no crash" or where libFuzzer saved the
# input that crashed (WORKDIR/crash-NAME-*) with the first lines of its
# report.  Exits 1 when a harness crashed or could not run.
set -u
[ $# -ge 4 ] || { echo "usage: fuzz.sh bindir workdir seconds name..." >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
bindir=$1 work=$2 secs=$3
shift 3
mkdir -p "$work"
rc=0
for n in "$@"; do
	bin=$bindir/fuzz-$n
	corpus=$work/corpus/$n
	log=$work/$n.log
	mkdir -p "$corpus"
	seeds=$TOP/tests/fuzz/$n
	[ "$n" = allow ] && seeds="$seeds $TOP/tests/allow"
	maxlen=
	[ "$n" = rpc ] && maxlen=-max_len=1024
	if [ ! -x "$bin" ]; then
		echo "fuzz-$n: $bin not built (make fuzz-build)"
		rc=1
		continue
	fi
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$work/crash-$n-" $maxlen "$corpus" $seeds \
	    >"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	size=$(find "$corpus" -type f | wc -l)
	if [ $st -eq 0 ] && [ -n "$runs" ]; then
		echo "fuzz-$n: $runs runs in $secs s ($((runs / secs))/s)," \
		    "corpus $size, no crash"
		continue
	fi
	rc=1
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -n 1)
	echo "fuzz-$n: CRASH (exit $st) after ${runs:-?} runs; input: ${art:-none saved}; log: $log"
	grep -m 3 -e 'CHECK failed' -e 'ERROR:' -e 'runtime error' "$log" |
	    sed 's/^/	/'
done
exit $rc

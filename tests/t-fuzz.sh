#!/bin/sh
# t-fuzz.sh: a short pass of the libFuzzer harnesses of tests/fuzz (make
# fuzz runs them longer).  Each harness replays its seeds, each input once
# that once found a bug (tests/fuzz/NAME/regress-*) on its own line, then
# fuzzes for FUZZ_SECS seconds (default 3) without a crash.  make check
# builds the harnesses (make fuzz-build, clang) in build/fuzz whatever B
# is, so both passes of the runner fuzz the same sanitized harnesses.
. "$(dirname "$0")/lib.sh"

FB=$TOP/build/fuzz
SEEDS=$TOP/tests/fuzz
for n in rpc xdr allow key; do
	if [ ! -x "$FB/fuzz-$n" ]; then
		nok "fuzz-$n built" "run make fuzz-build"
		continue
	fi
	extra=
	[ "$n" = allow ] && extra=$(ls "$TOP"/tests/allow/*.in)
	# shellcheck disable=SC2086
	t "fuzz-$n: seeds replay" "$FB/fuzz-$n" "$SEEDS/$n"/* $extra
	for f in "$SEEDS/$n"/regress-*; do
		[ -f "$f" ] || continue
		t "fuzz-$n: regression ${f##*/regress-}" "$FB/fuzz-$n" "$f"
	done
	t "fuzz-$n: ${FUZZ_SECS:-3} s without a crash" \
	    "$TOP/tests/fuzz.sh" "$FB" "$T/fuzz" "${FUZZ_SECS:-3}" "$n"
done
finish

#!/bin/sh
# t-log.sh: the log's rate limits (tests/logtest.c): per caller, so that
# one noisy caller hides no other, within a fixed budget per kind.
. "$(dirname "$0")/lib.sh"

L=$TOP/$B/tests/logtest
t "a noisy denied caller hides no other" "$L" noisy
t "one caller under two kinds is logged under each" "$L" kinds
t "1000 callers at once: 100 lines per kind, repeaters still limited" \
    "$L" flood
t "after 10 s the noisy caller again, with the count dropped" "$L" later
t "with -d every line passes" "$L" debug
finish

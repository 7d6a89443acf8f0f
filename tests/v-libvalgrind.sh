#!/bin/sh
# v-libvalgrind.sh: libdrac under valgrind's memcheck: the compatible
# functions (one-shot, connection, threads, fork), the handle API through
# dracctl, and a program built against DRAC 1.12's library, against a
# dracd that takes the adds: no errors, no leaks.
. "$(dirname "$0")/lib.sh"

VG="valgrind -q --error-exitcode=86 --leak-check=full \
    --suppressions=$TOP/tests/leaks.supp --trace-children=yes \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
LT=$TOP/$B/tests/libtest
printf '127.0.0.1\n::1\n' >"$T/allow"
if ! dracd_start -a "$T/allow" "$T/dracd.db"; then
	nok "dracd starts"
	exit 1
fi
t "libtest auth" $VG "$LT" auth localhost 10.1.0.1 2001:db8::1:1
t "libtest conn" $VG "$LT" conn localhost 10.1.0.2 2001:db8::1:2
t "libtest threads" $VG "$LT" threads localhost
t "libtest fork: 4 children x 50" $VG "$LT" fork localhost 4 50
t "dracctl add, udp and tcp" sh -c "$VG '$DRACCTL' add 10.1.0.3 && \
    $VG '$DRACCTL' -p tcp add 2001:db8::1:3"
t "old program, static" $VG "$TOP/$B/tests/oldpop" localhost
t "old program, shared" $VG "$TOP/$B/tests/oldpop-so" localhost
t "dracd exits cleanly" dracd_stop
finish

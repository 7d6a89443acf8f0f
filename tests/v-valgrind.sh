#!/bin/sh
# v-valgrind.sh: dracd under valgrind's memcheck through adds of both
# versions over UDP and TCP, a refused caller, socketmap lookups (unix and
# TCP, malformed input, a refused reader), a reload, expiry and SIGTERM: no
# errors, no leaks.
. "$(dirname "$0")/lib.sh"

printf '127.0.0.1\n::1\n' >"$T/allow"
printf '127.0.0.1\n' >"$T/readers"
SM=$TOP/$B/tests/smclient
DRACD_WRAP="valgrind -q --error-exitcode=86 --leak-check=full \
    --suppressions=$TOP/tests/leaks.supp \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
if ! dracd_start -e 2s -a "$T/allow" -r "$T/readers" -S "unix:$T/smap" \
    -S inet:127.0.0.1:7701 "$T/dracd.db"; then
	nok "dracd starts under valgrind"
	exit 1
fi
ok "dracd starts under valgrind"
t "adds over UDP" "$DRACCTL" add 192.0.2.1 2001:db8::1 192.0.2.2
t "adds over TCP" "$DRACCTL" -p tcp add 192.0.2.3 2001:db8::3
t "v2 add of a mapped address" "$DRACCTL" -2 add 192.0.2.4
tf "refused address" "$DRACCTL" add 0.0.0.0
t "socketmap lookups" "$SM" "unix:$T/smap" pipe "drac 192.0.2.1" \
    "drac ipv6:2001:db8:0:0:0:0:0:1" "drac 192.0.2.9" "drac"
t "socketmap over TCP" "$SM" inet:127.0.0.1:7701 q "drac 192.0.2.1"
t "socketmap reader refused" sh -c \
    "'$SM' -b 127.0.0.2 inet:127.0.0.1:7701 q 'drac 192.0.2.1' | grep -qx closed"
t "socketmap malformed input closed" sh -c \
    "printf '4:drac;' | '$SM' 'unix:$T/smap' raw | grep -qx closed"
printf '192.0.2.254\n' >"$T/allow"
kill -HUP "$DRACD_PID"
t "reload" waitfor 10 grep -q ' 1 entries' "$T/dracd.log"
tf "caller refused after reload" "$DRACCTL" add 192.0.2.5
t "expiry" waitfor 10 sh -c "[ \$(db_dump -p '$T/dracd.db' | grep -c '^ [0-9]') -eq 0 ]"
t "SIGTERM: exit 0, no valgrind errors" dracd_stop
finish

#!/bin/sh
# t-lib.sh: libdrac and dracctl.  First against libtest's fake dracd (wire
# bytes, return values, timeouts, the address cache, descriptors), then
# against dracd: the compatible API as an old POP server calls it (static
# and shared library), a program built against DRAC 1.12's library, the
# map it leaves, dracctl over UDP and TCP, IPv4
# and IPv6, its messages and exit statuses; a SIGSTOPped dracd (bounded
# timeout), a dracd that refuses us, and no dracd at all.
. "$(dirname "$0")/lib.sh"

LT=$TOP/$B/tests/libtest
LTSO=$TOP/$B/tests/libtest-so
# oldpop calls clnt_create(), whose leak lsan.supp names: LeakSanitizer
# sees that name only with the slow unwinder (libtirpc has no frame
# pointers).
OLDPOP="env ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0
    LSAN_OPTIONS=$LSAN_OPTIONS:print_suppressions=0 $TOP/$B/tests/oldpop"
OLDPOPSO="$OLDPOP-so"
MAP=$T/dracd.db
printf '127.0.0.1\n::1\n' >"$T/allow"

# fake PROGRAM LABEL: libtest's fake-server cases, one result line each.
fake() {
	"$1" fake >"$T/fake.out" 2>&1
	_n=0
	while IFS= read -r _l; do
		_n=$((_n + 1))
		case $_l in
		"ok "*) ok "$2: ${_l#ok }" ;;
		"FAIL "*) nok "$2: ${_l#FAIL }" ;;
		*) nok "$2: unexpected output" "$_l" ;;
		esac
	done <"$T/fake.out"
	[ "$_n" -gt 0 ] || nok "$2: no result" "libtest fake printed nothing"
}
# is EXPECTED CMD...: CMD's stdout and stderr are exactly EXPECTED.
is() {
	_want=$1
	shift
	_got=$("$@" 2>&1)
	[ "$_got" = "$_want" ] || { echo "got: $_got"; return 1; }
}
# exits STATUS EXPECTED CMD...: CMD exits STATUS, prints exactly EXPECTED.
exits() {
	_st=$1
	_want=$2
	shift 2
	_got=$("$@" 2>&1)
	_rc=$?
	[ "$_rc" -eq "$_st" ] && [ "$_got" = "$_want" ] && return 0
	echo "exit $_rc, got: $_got"
	return 1
}
# usage CMD...: CMD exits 2 with the usage lines.
usage() {
	"$@" >"$T/u.out" 2>&1
	[ $? -eq 2 ] && grep -q '^usage: dracctl ' "$T/u.out"
}
# fresh KEY: the map holds KEY, no NUL, expiring 600 s (-e 10m) after it
# was added: at most a minute ago, whatever the load on this machine.
fresh() {
	_v=$(dump "$MAP" | awk -v k="$1" '$1 == k { print $2 }')
	[ -n "$_v" ] && [ "$_v" -ge $(($(date +%s) + 540)) ] &&
	    [ "$_v" -le $(($(date +%s) + 601)) ]
}
added() { waitfor 2 fresh "$1"; }
# keys: the map's keys, sorted.
keys() { dump "$MAP" | awk '{ print $1 }' | sort; }
# all_added KEY...: every KEY shows up fresh.
all_added() {
	for _k; do
		added "$_k" || { echo "$_k missing or stale"; return 1; }
	done
}
# timed STATUS LO HI EXPECTED CMD...: CMD exits STATUS after LO to HI ms
# and prints exactly EXPECTED.
timed() {
	_st=$1
	_lo=$2
	_hi=$3
	_want=$4
	shift 4
	_t0=$(date +%s%N)
	_got=$("$@" 2>&1)
	_rc=$?
	_ms=$((($(date +%s%N) - _t0) / 1000000))
	echo "exit $_rc after $_ms ms: $_got"
	[ "$_rc" -eq "$_st" ] && [ "$_ms" -ge "$_lo" ] &&
	    [ "$_ms" -le "$_hi" ] && [ "$_got" = "$_want" ]
}

# --- what the library exports ---------------------------------------------
# exports_only NM-OPTION FILE: the global symbols FILE defines are exactly
# the names in libdrac.ver.
exports_only() {
	_want=$(sed -n 's/^[[:space:]]*\([a-z_0-9]*\);$/\1/p' \
	    "$TOP/libdrac.ver" | sort)
	_got=$(nm "$1" --defined-only "$2" |
	    awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort)
	[ -n "$_want" ] && [ "$_got" = "$_want" ] ||
	    { echo "exports:" $_got; return 1; }
}
t "libdrac.so exports libdrac.ver's names and no other" \
    exports_only -D "$TOP/$B/libdrac.so.1"
t "libdrac.a defines libdrac.ver's names and no other" \
    exports_only -g "$TOP/$B/libdrac.a"

# --- a fake dracd: nothing else may hold program 900101 -----------------
fake "$LT" "fake"
fake "$LTSO" "fake, shared library"
tf "fake server unregistered at exit" rpcinfo -T udp 127.0.0.1 900101 1

# --- dracd ---------------------------------------------------------------
if ! dracd_start -a "$T/allow" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
t "dracd registered" registered

t "dracauth v1 over UDP" is "10.1.2.3: 0" "$LT" auth localhost 10.1.2.3
t "map: 10.1.2.3 expires in 600 s" added 10.1.2.3
t "dracauth6 v2 over UDP" is "2001:db8::1: 0" "$LT" auth localhost 2001:db8::1
t "map: 2001:db8::1" added 2001:db8::1
t "map: ipv6:2001:db8:0:0:0:0:0:1" added ipv6:2001:db8:0:0:0:0:0:1
t "dracauth via 127.0.0.1 and ::1" is "10.1.2.5: 0
10.1.2.6: 0" sh -c "'$LT' auth 127.0.0.1 10.1.2.5 && '$LT' auth ::1 10.1.2.6"
t "dracconn/dracsend/dracdisc and the -6 set" is "dracconn: 0
dracconn6: 0
10.1.2.4: 0
2001:db8::4: 0
dracdisc: 0
dracdisc6: 0" "$LT" conn localhost 10.1.2.4 2001:db8::4
t "shared library: dracauth and dracauth6" is "10.1.2.7: 0
2001:db8::7: 0" "$LTSO" auth localhost 10.1.2.7 2001:db8::7
t "shared library: conn set" is "dracconn: 0
dracconn6: 0
10.1.2.8: 0
dracdisc: 0
dracdisc6: 0" "$LTSO" conn localhost 10.1.2.8
t "map: every address, fresh" all_added 10.1.2.4 10.1.2.5 10.1.2.6 \
    10.1.2.7 10.1.2.8 2001:db8::4 ipv6:2001:db8:0:0:0:0:0:4 2001:db8::7 \
    ipv6:2001:db8:0:0:0:0:0:7
t "map: exactly the keys added" is "10.1.2.3
10.1.2.4
10.1.2.5
10.1.2.6
10.1.2.7
10.1.2.8
2001:db8::1
2001:db8::4
2001:db8::7
ipv6:2001:db8:0:0:0:0:0:1
ipv6:2001:db8:0:0:0:0:0:4
ipv6:2001:db8:0:0:0:0:0:7" keys
t "dracsend before dracconn: -1, not connected" is "dracsend: -1: Not connected to server
dracsend6: -1: Not connected to server
dracdisc: -1: Not connected to server
dracdisc6: -1: Not connected to server
drac_ping: -1: Not connected to server" "$LT" notconn
t "threads: dracsend(6) while reconnecting" is "threads: 0 failed" \
    "$LT" threads localhost
# forked: the keys fork_child() sends, 10.(100+k).(i/250).(i%250+1).
forked() {
	awk -v n="$1" -v c="$2" 'BEGIN { for (k = 0; k < n; k++)
	    for (i = 0; i < c; i++)
		printf "10.%d.%d.%d\n", 100 + k, int(i / 250), i % 250 + 1 }' |
	    sort
}
all_forked() { [ "$(forked 8 1000)" = "$(keys | grep '^10\.10[0-7]\.')" ]; }
t "fork: 8 children dracsend 1000 each on the parent's dracconn" is \
    "fork: 0 of 8 children failed" "$LT" fork localhost 8 1000
t "fork: all 8000 addresses in the map" waitfor 5 all_forked
# oldpop: a program built against DRAC 1.12's library; what it prints when
# dracd takes its adds, or refuses them with answer $1.
oldpop() {
	_m="0: Server reports add succeeded"
	[ "$1" -eq 0 ] || _m="$1: Server reports permission denied"
	printf '%s\n' "dracauth: $_m" "dracauth6: $_m" \
	    "dracconn: 0: Connect succeeded" "dracsend: $_m" \
	    "dracdisc: 0: Disconnect succeeded" \
	    "dracconn6: 0: Connect succeeded" "dracsend6: $_m" \
	    "dracdisc6: 0: Disconnect succeeded" \
	    "dracsend unconnected: -1: Not connected to server" \
	    "dracproc_add_1: $1" "dracproc_add_2: $1"
}
t "old program, libdrac.a: the eight functions and the stubs" is \
    "$(oldpop 0)" $OLDPOP localhost
t "old program, libdrac.so: the same" is "$(oldpop 0)" $OLDPOPSO localhost
t "map: the old program's addresses" all_added 10.9.0.1 10.9.0.2 10.9.0.3 \
    2001:db8:9::1 2001:db8:9::2 2001:db8:9::3
t "no descriptor leak: 200 rounds with dracd" sh -c \
    "'$LT' fds localhost 200 | awk '\$1 == \$2 && \$3 == 0 { ok = 1 } END { exit !ok }'"

# --- dracctl -------------------------------------------------------------
t "dracctl add, IPv4 and IPv6: silent" exits 0 "" \
    "$DRACCTL" add 10.2.0.1 2001:db8::2:1
t "dracctl -p tcp add" exits 0 "" "$DRACCTL" -p tcp add 10.2.0.2
t "dracctl -s ::1 add (udp6)" exits 0 "" "$DRACCTL" -s ::1 add 10.2.0.3
t "dracctl -s ::1 -p tcp add (tcp6)" exits 0 "" \
    "$DRACCTL" -s ::1 -p tcp add 10.2.0.4
t "dracctl -s ::1 -p udp6 / -p tcp6 add" sh -c "'$DRACCTL' -s ::1 -p udp6 \
    add 10.2.0.12 && '$DRACCTL' -s ::1 -p tcp6 add 10.2.0.13"
t "dracctl -2 add (v2, mapped)" exits 0 "" "$DRACCTL" -2 add 10.2.0.5
t "dracctl add ::ffff:10.2.0.6 (v1)" exits 0 "" \
    "$DRACCTL" add ::ffff:10.2.0.6
t "dracctl -v add" exits 0 "10.2.0.7: added" "$DRACCTL" -v add 10.2.0.7
t "dracctl ping, udp and tcp" sh -c \
    "'$DRACCTL' ping && '$DRACCTL' -p tcp -t 2 ping"
t "dracctl -v ping" exits 0 "localhost: dracd answers" "$DRACCTL" -v ping
t "map after dracctl: every address" all_added 10.2.0.1 2001:db8::2:1 \
    ipv6:2001:db8:0:0:0:0:2:1 10.2.0.2 10.2.0.3 10.2.0.4 10.2.0.5 \
    10.2.0.6 10.2.0.7 10.2.0.12 10.2.0.13
t "dracctl: a bad address fails alone, exit 1" exits 1 \
    "dracctl: nonsense: not an IPv4 or IPv6 address" \
    "$DRACCTL" add 10.2.0.8 nonsense 10.2.0.9
t "dracctl: the good addresses are stored" all_added 10.2.0.8 10.2.0.9
t "dracctl: unknown host, exit 1" exits 1 \
    "dracctl: no-such-host.invalid: Cannot create client: unknown server host" \
    "$DRACCTL" -s no-such-host.invalid add 10.2.0.10
t "dracctl: no arguments, usage" usage "$DRACCTL"
t "dracctl: add without address, usage" usage "$DRACCTL" add
t "dracctl: unknown command, usage" usage "$DRACCTL" frob 10.2.0.11
t "dracctl: ping with arguments, usage" usage "$DRACCTL" ping 10.2.0.11
t "dracctl: -2 ping, usage" usage "$DRACCTL" -2 ping
t "dracctl: -p sctp, usage" usage "$DRACCTL" -p sctp ping
t "dracctl: -t 0, usage" usage "$DRACCTL" -t 0 ping
t "dracctl: -t abc, usage" usage "$DRACCTL" -t abc ping
t "dracctl: unknown option, usage" usage "$DRACCTL" -x ping

# --- a dracd that does not answer ----------------------------------------
kill -STOP "$DRACD_PID"
t "SIGSTOPped dracd: dracauth -2 within DRAC_TIMEOUT=1" timed 1 900 3999 \
    "10.3.0.1: -2: Call to server timed out" \
    env DRAC_TIMEOUT=1 "$LT" auth localhost 10.3.0.1
t "SIGSTOPped dracd: dracauth6 -2 within DRAC_TIMEOUT=1" timed 1 900 3999 \
    "2001:db8::3:1: -2: Call to server timed out" \
    env DRAC_TIMEOUT=1 "$LT" auth localhost 2001:db8::3:1
t "SIGSTOPped dracd: DRAC_TIMEOUT=0.5" timed 1 400 1999 \
    "10.3.0.2: -2: Call to server timed out" \
    env DRAC_TIMEOUT=0.5 "$LT" auth localhost 10.3.0.2
t "SIGSTOPped dracd: dracsend -2" timed 1 900 3999 "dracconn: 0
dracconn6: 0
10.3.0.3: -2: Call to server timed out
dracdisc: 0
dracdisc6: 0" env DRAC_TIMEOUT=1 "$LT" conn localhost 10.3.0.3
t "SIGSTOPped dracd: dracctl -t 1, exit 1" timed 1 900 3999 \
    "dracctl: 10.3.0.4: Call to server timed out" \
    "$DRACCTL" -t 1 add 10.3.0.4
t "SIGSTOPped dracd: dracctl -t 1 -p tcp, exit 1" timed 1 900 3999 \
    "dracctl: 10.3.0.5: Call to server timed out" \
    "$DRACCTL" -t 1 -p tcp add 10.3.0.5
kill -CONT "$DRACD_PID"
t "dracd answers again after SIGCONT" is "10.3.0.6: 0" \
    "$LT" auth localhost 10.3.0.6
t "dracd exits cleanly" dracd_stop

# --- a dracd that refuses us ---------------------------------------------
printf '192.0.2.1\n' >"$T/allow"
if dracd_start -a "$T/allow" -e 10m "$MAP"; then
	t "not allowed: dracauth 1, permission denied" is \
	    "10.4.0.1: 1: Server reports permission denied" \
	    "$LT" auth localhost 10.4.0.1
	t "not allowed: dracctl exit 1" exits 1 \
	    "dracctl: 10.4.0.2: Server reports permission denied" \
	    "$DRACCTL" add 10.4.0.2
	tf "not allowed: nothing stored" sh -c "dump '$MAP' | grep -q '^10\.4\.'"
	t "not allowed: old program, libdrac.a: DRAC 1.12's answers" is \
	    "$(oldpop 1)" $OLDPOP localhost
	t "not allowed: old program, libdrac.so: the same" is \
	    "$(oldpop 1)" $OLDPOPSO localhost
	t "dracd exits cleanly" dracd_stop
else
	nok "dracd restarts with another allow file"
fi

# --- no dracd ------------------------------------------------------------
tf "dracd unregistered" rpcinfo -T udp 127.0.0.1 900101 1
t "no dracd: dracauth -1 at once" timed 1 0 999 \
    "10.5.0.1: -1: Cannot create client: dracd is not registered on the server" \
    "$LT" auth localhost 10.5.0.1
t "no dracd: dracctl exit 1 at once" timed 1 0 999 \
    "dracctl: localhost: Cannot create client: dracd is not registered on the server" \
    "$DRACCTL" add 10.5.0.2
t "no descriptor leak: 50 failing rounds" sh -c \
    "'$LT' fds localhost 50 | awk '\$1 == \$2 && \$3 > 0 { ok = 1 } END { exit !ok }'"
finish

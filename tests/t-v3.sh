#!/bin/sh
# t-v3.sh: protocol version 3 through dracctl: ADD with a TTL (capped by
# -E), ADDMANY (through the library's test client), DEL in every key
# form, QUERY, LIST in pages, STATS (text, JSON, Prometheus).  Who may do
# what: DEL, LIST and STATS refused to an allow-listed caller over UDP and
# TCP and to an unprivileged local user (nobody) on the local socket,
# allowed to root there.  dracctl's exit status: 0, 1, 2.  Golden
# bytes of version 3 calls and replies as drac.x encodes them.  Against
# an old dracd (tests/olddracd), adds fall back and the rest says why.
. "$(dirname "$0")/lib.sh"

MAP=$T/v3.db
SOCK=$T/dracd.sock
printf '127.0.0.1\n::1\n' >"$T/allow"
stored() { dump "$MAP" | grep -q "^$1 "; }
ctl() { "$DRACCTL" -s "unix:$SOCK" "$@"; }

t "-G with an unknown group: refused, says why" sh -c \
    "'$DRACD' -f -j '$STATE' -G no-such-group -U none -a '$T/allow' '$T/x.db' >'$T/g.out' 2>&1
    [ \$? -ne 0 ] && grep -q 'no-such-group: no such group' '$T/g.out'"
# The -G group: mail, which every Debian has; nobody is not in it.
if ! dracd_start -a "$T/allow" -s 0 -E 2h -G mail -U "$SOCK" "$MAP"; then
	nok "dracd starts"
	exit 1
fi
ok "dracd starts with -U, -E and -G"
t "version 3 registered" rpcinfo -T udp 127.0.0.1 900101 3

now=$(date +%s)
out=$("$DRACCTL" -j add -T 1h 192.0.2.1)
exp=$(printf '%s' "$out" | sed -n 's/.*"expires":\([0-9]*\).*/\1/p')
t "add -T 1h: ok, expiry about now + 3600 ($out)" \
    test "${exp:-0}" -ge $((now + 3590)) -a "${exp:-0}" -le $((now + 3610))
t "the add is in the map" stored 192.0.2.1
out=$("$DRACCTL" -j add -T 10d 192.0.2.2)
exp=$(printf '%s' "$out" | sed -n 's/.*"expires":\([0-9]*\).*/\1/p')
t "add -T 10d is capped at -E 2h ($out)" \
    test "${exp:-0}" -le $((now + 7210)) -a "${exp:-0}" -ge $((now + 7190))
t "add 2001:db8::5 over TCP" "$DRACCTL" -p tcp add -T 60 2001:db8::5
t "query an added address: exit 0" "$DRACCTL" query 192.0.2.1
out=$("$DRACCTL" query 192.0.2.99)
t "query an unknown address: exit 1, not authorized" \
    sh -c "! '$DRACCTL' query 192.0.2.99 && test '$out' = '192.0.2.99: not authorized'"
t "query -j prints one object per address" \
    sh -c "test \$('$DRACCTL' -j query 192.0.2.1 192.0.2.2 | grep -c '\"ok\":true') -eq 2"

# Who may do what.
for p in udp tcp; do
	tf "allow-listed $p caller: del refused" \
	    "$DRACCTL" -s 127.0.0.1 -p $p del 192.0.2.1
	tf "allow-listed $p caller: list refused" \
	    "$DRACCTL" -s 127.0.0.1 -p $p list
	tf "allow-listed $p caller: stats refused" \
	    "$DRACCTL" -s 127.0.0.1 -p $p stats
done
t "the refused del left the entry" stored 192.0.2.1
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	nob="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	for c in "del 192.0.2.1" list stats; do
		tf "local user nobody: $c refused" $nob "$DRACCTL" \
		    -s "unix:$SOCK" $c
	done
	t "nobody with mail as a supplementary group (-G mail): stats" \
	    setpriv --reuid=nobody --regid=nogroup --groups=mail \
	    "$DRACCTL" -s "unix:$SOCK" stats
	t "nobody with mail as its group (-G mail): list" \
	    setpriv --reuid=nobody --regid=mail --clear-groups \
	    "$DRACCTL" -s "unix:$SOCK" list
	t "local user nobody: query allowed (this host is allowed)" \
	    $nob "$DRACCTL" -s "unix:$SOCK" query 192.0.2.1
else
	skip "local user nobody" "needs root and setpriv"
fi

# Root on the local socket.
t "root: list shows the three entries" \
    sh -c "test \$('$DRACCTL' -s 'unix:$SOCK' list | wc -l) -eq 3"
t "root: list -j" sh -c "'$DRACCTL' -s 'unix:$SOCK' -j list | grep -q '\"address\":\"2001:db8::5\"'"
t "root: del 192.0.2.1" ctl del 192.0.2.1
t "the delete took every key form out of the map" \
    sh -c "! dump '$MAP' | grep -q '^192.0.2.1 '"
t "query after del: not authorized" sh -c "! '$DRACCTL' query 192.0.2.1"
tf "del of an address not there: exit 1" ctl del 192.0.2.1
t "IPv6 2001:db8::5 has the inet_ntop key" stored 2001:db8::5
t "and the sendmail key" stored ipv6:2001:db8:0:0:0:0:0:5
t "root: del 2001:db8::5" ctl del 2001:db8::5
tf "the delete took the inet_ntop key out" stored 2001:db8::5
tf "and the sendmail key" stored ipv6:2001:db8:0:0:0:0:0:5
t "and 2001:db8::5 is out of the index" sh -c "! '$DRACCTL' query 2001:db8::5"
"$DRACCTL" add 2001:db8::5 >/dev/null
ctl stats >"$T/stats"
t "stats: entries 2" grep -qx 'entries *2' "$T/stats"
t "stats: refused_perm counted" sh -c "! grep -qx 'refused_perm *0' '$T/stats'"
t "stats: deleted 2" grep -qx 'deleted *2' "$T/stats"
t "stats: version and healthy" sh -c "grep -q '^version' '$T/stats' && grep -qx 'healthy *yes' '$T/stats'"
ctl stats -o prometheus >"$T/prom"
t "stats -o prometheus: TYPE and sample lines" \
    sh -c "grep -q '^# TYPE dracd_entries gauge' '$T/prom' && grep -qx 'dracd_entries 2' '$T/prom' && grep -q '^dracd_adds [0-9]' '$T/prom'"
t "stats -j: one JSON object" \
    sh -c "ctl() { '$DRACCTL' -s 'unix:$SOCK' \"\$@\"; }; test \$(ctl -j stats | grep -c '^{\"version\".*\"entries\":2.*}$') -eq 1"

# Expiry: past its TTL an entry is not authorized, and it is counted.
# -T 3: the expiry is the add's second plus 3, so the entry is valid for
# 2 to 3 s, long enough for the query on a loaded sanitizer build.
"$DRACCTL" add -T 3 192.0.2.40 >/dev/null
t "add -T 3: authorized at once" "$DRACCTL" query 192.0.2.40
sleep 3.2
t "past its TTL: not authorized" sh -c "! '$DRACCTL' query 192.0.2.40"
t "past its TTL: expired from the map" waitfor 2 sh -c "! dump '$MAP' | grep -q '^192.0.2.40 '"
t "stats counts it expired" sh -c "ctl() { '$DRACCTL' -s 'unix:$SOCK' \"\$@\"; }; ! ctl stats | grep -qx 'expired *0'"

# Paging: more entries than one page.
i=0
while [ $i -lt 150 ]; do
	set -- "$@" 198.51.100.$((i % 250 + 1))
	i=$((i + 1))
done
"$DRACCTL" add $(seq 1 150 | sed 's/^/10.9.0./;s/\.\([0-9]*\)$/.\1/' | awk -F. '{ printf "10.9.%d.%d\n", $4 / 250, $4 % 250 + 1 }') >/dev/null
t "list pages through 152 entries" \
    sh -c "test \$('$DRACCTL' -s 'unix:$SOCK' list | wc -l) -eq 152"

# ADDMANY and the library's version 3 calls.
V3=$TOP/$B/tests/v3test
t "ADDMANY: 250 addresses in 3 calls, each status 0" \
    sh -c "test \"\$('$V3' many localhost 250)\" = 'ok 250 of 250'"
t "ADDMANY: the first in the map" stored 10.2.0.1
t "ADDMANY: the last in the map" stored 10.2.0.250
added=$("$V3" add3 localhost 192.0.2.30)
t "drac_add3: rc 0 and an expiry" sh -c "echo '$added' | grep -q '^0 [1-9]'"
# The query against that add's own answer: a second add would give a new
# expiry whenever a second boundary fell between the two.
t "drac_query: rc 0 and the same expiry" \
    test "$("$V3" query localhost 192.0.2.30)" = "$added"
t "drac_query of an address not there: ADD_UNKNOWN (3)" \
    sh -c "'$V3' query localhost 192.0.2.31 | grep -q '^3 0'"
"$V3" bench localhost 1000 | sed 's/^/# figures (-s 0, TCP): /'
"$DRACCTL" -s "unix:$SOCK" -j stats >"$T/stats.json"
t "stats counts the ADDMANY adds" grep -Eq '"adds":[0-9]{4},' "$T/stats.json"

# Wire: version 3 as drac.x encodes it (RFC 4506), golden bytes.
RAW=$TOP/$B/tests/rawrpc
U3=$(rpcinfo -p 127.0.0.1 | awk '$1 == 900101 && $2 == 3 && $3 == "udp" { print $4; exit }')
call3() { echo "$1 00000000 00000002 000dbc05 00000003 $2 00000000 00000000 00000000 00000000"; }
acc() { echo "${1}00000001000000000000000000000000$2"; }
# ADD: drac_addr (af 6, 16 opaque bytes), ttl 60; reply addstat, hyper.
now=$(date +%s)
r=$("$RAW" $U3 "$(call3 00000050 00000001) 00000006 20010db8000000000000000000000042 0000003c")
exp=$(printf '%d' "0x$(echo "$r" | cut -c57-72)")
t "v3 ADD golden: SUCCESS, ADD_SUCCESS, hyper expiry ($r)" sh -c \
    "[ '$(echo "$r" | cut -c1-56)' = '$(acc 00000050 00000000)00000000' ] && [ ${#r} -eq 72 ] &&
    [ $exp -ge $((now + 59)) ] && [ $exp -le $((now + 62)) ]"
# QUERY: drac_addr; reply addstat, hyper: the same expiry.
t "v3 QUERY golden: ADD_SUCCESS and the ADD's expiry" sh -c \
    "[ \"\$('$RAW' $U3 '$(call3 00000051 00000004) 00000006 20010db8000000000000000000000042')\" = \
    '$(acc 00000051 00000000)00000000$(echo "$r" | cut -c57-72)' ]"
# IPv4: af 4 and 4 opaque bytes, no padding.
t "v3 QUERY golden, IPv4 not there: ADD_UNKOWN, 0" sh -c \
    "[ \"\$('$RAW' $U3 '$(call3 00000052 00000004) 00000004 c0000263')\" = \
    '$(acc 00000052 00000000)000000030000000000000000' ]"
t "v3 DEL golden over UDP: ADD_PERM" sh -c \
    "[ \"\$('$RAW' $U3 '$(call3 00000053 00000003) 00000006 20010db8000000000000000000000042')\" = \
    '$(acc 00000053 00000000)00000001' ]"
t "v3 LIST golden over UDP: ADD_PERM, no entries, cursor 0" sh -c \
    "[ \"\$('$RAW' $U3 '$(call3 00000054 00000005) 0000000000000000')\" = \
    '$(acc 00000054 00000000)00000001000000000000000000000000' ]"
t "v3 ADDMANY golden: two addresses, two statuses" sh -c \
    "'$RAW' $U3 '$(call3 00000055 00000002) 00000002 00000004 c0000264 00000004 c0000265 00000000' |
    grep -q '^$(acc 00000055 00000000)000000020000000000000000'"
t "v3 NULL: empty reply" sh -c \
    "[ \"\$('$RAW' $U3 '$(call3 00000056 00000000)')\" = '$(acc 00000056 00000000)' ]"

# Exit statuses.
"$DRACCTL" frob >/dev/null 2>&1
t "unknown command: exit 2" test $? -eq 2
"$DRACCTL" add >/dev/null 2>&1
t "add without an address: exit 2" test $? -eq 2
"$DRACCTL" add -T x 192.0.2.1 >/dev/null 2>&1
t "add -T with a bad ttl: exit 2" test $? -eq 2
"$DRACCTL" add 192.0.2.7 not-an-address >/dev/null 2>&1
t "one bad address of two: exit 1" test $? -eq 1
t "SIGTERM: exit 0" dracd_stop

# An old dracd (versions 1 and 2 only): adds fall back, the rest says
# what it needs.
"$TOP/$B/tests/olddracd" >"$T/old.out" 2>&1 &
OLD=$!
waitfor 10 grep -q ready "$T/old.out"
t "old dracd: drac_add3 falls back (rc 0, no expiry)" \
    sh -c "'$V3' add3 localhost 192.0.2.32 | grep -q '^0 0'"
t "old dracd: the fallback add came as version 1" \
    grep -q '^v1 192.0.2.32$' "$T/old.out"
t "old dracd: drac_query says it needs version 3" \
    sh -c "'$V3' query localhost 192.0.2.32 | grep -q 'needs a dracd with protocol version 3'"
"$DRACCTL" query 192.0.2.32 >/dev/null 2>"$T/old.err"
t "old dracd: dracctl query exits 1" test $? -eq 1
t "old dracd: dracctl says why" grep -q 'protocol version 3' "$T/old.err"
t "old dracd: dracctl add -T falls back" "$DRACCTL" add -T 60 192.0.2.33
kill "$OLD"
wait "$OLD" 2>/dev/null
# Like DRAC's daemon, the old one leaves its registrations behind.
rpcinfo -d 900101 1 2>/dev/null
rpcinfo -d 900101 2 2>/dev/null

# An old dracd: version 3 refused by the server, the library says so.
finish

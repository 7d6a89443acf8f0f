#!/bin/sh
# v-mta.sh: the real MTAs against dracd's map.  Debian's sendmail (twice:
# FEATURE(`drac') and the portable rules), postfix and exim, unpacked by
# tests/mta-fetch.sh and configured from the fragments in contrib/, must
# relay for a client that dracctl authorized (IPv4 and IPv6), refuse an
# unlisted one, refuse again once the entry expired, find the keys with
# their own lookup tools (also exim dbm on a dracd -N map), and keep finding
# them while dracd writes a burst of adds (exim, which takes no lock, at
# the latest on a second try at once).  See tests/mta.sh.
. "$(dirname "$0")/mta.sh"
mta_enter "$@"
. "$(dirname "$0")/lib.sh"

mta_env
trap 'mta_unsetup; lib_cleanup' EXIT
mta_setup "$T/map" "$T/mapn" || exit 1

MAP=$T/map/dracd	# as the MTAs name it; dracd's file is $MAP.db
MAPN=$T/mapn/dracd	# dracd -N
printf '127.0.0.1\n::1\n' >"$T/allow"
# name:port of each SMTP server: sendmail with Debian's FEATURE(`drac'),
# sendmail with the portable rules, postfix, exim (dbmnz).
SERVERS="sm-feature:2501 sm-rules:2502 postfix:2503 exim:2504"

# inmap MAP KEY: KEY (without NUL) is in the map.
inmap() { dump "$1" | awk -v k="$2" '$1 == k { f = 1 } END { exit !f }'; }
# auth ADDR...: dracctl add, then wait until dracd wrote the keys.
auth() {
	"$DRACCTL" add "$@" || return 1
	for a in "$@"; do
		waitfor 5 inmap "$MAP.db" "$a" || return 1
	done
}

t "sendmail.cf from contrib/sendmail-debian.mc" \
    sm_conf sm-feature 2501 sendmail-debian.mc "$MAP"
t "sendmail.cf from contrib/sendmail-drac.mc" \
    sm_conf sm-rules 2502 sendmail-drac.mc "$MAP"
t "postfix main.cf from contrib/postfix-main.cf" pf_conf postfix 2503 "$MAP"
t "exim.conf from contrib/exim-acl.conf (dbmnz)" ex_conf exim 2504 "$MAP"
t "exim.conf from contrib/exim-acl.conf (dbm)" ex_conf exim-nul 2505 "$MAPN" dbm
t "sendmail.cf on the -N map" sm_conf sm-nul 2506 sendmail-debian.mc "$MAPN"

if ! dracd_start -a "$T/allow" -e 10m "$MAP.db"; then
	nok "dracd starts"
	exit 1
fi
t "dracctl add 127.0.0.5 fd00::5" auth 127.0.0.5 fd00::5
# keys MAP NUL KEY...: each KEY is in MAP with a decimal value, both with a
# trailing NUL when NUL is \\00 (dump shows it so), else without.
keys() {
	_m=$1
	_z=$2
	shift 2
	for k in "$@"; do
		dump "$_m" | grep -qx "$k$_z [0-9]*$_z" || return 1
	done
}
t "map holds 127.0.0.5, ipv6:fd00:0:0:0:0:0:0:5, fd00::5 (no NUL)" \
    keys "$MAP.db" "" '127\.0\.0\.5' ipv6:fd00:0:0:0:0:0:0:5 fd00::5

sm_start sm-feature
sm_start sm-rules
pf_start postfix
ex_start exim
mta_listens "$SERVERS"

# --- relaying, IPv4 and IPv6
mta_relaying "$SERVERS"

# --- each MTA's own lookup tool
smfound() { sm_map sm-feature "$1" | grep -q "returns [0-9][0-9]*"; }
smnot() { sm_map sm-feature "$1" | grep -q "no match"; }
t "sendmail -bt: /map drac 127.0.0.5 found" smfound 127.0.0.5
t "sendmail -bt: /map drac IPv6:FD00:0:0:0:0:0:0:5 found (folded)" \
    smfound IPv6:FD00:0:0:0:0:0:0:5
t "sendmail -bt: /map drac 127.0.0.6 not found" smnot 127.0.0.6
pfq() { mta "$POSTMAP" -c "$T/postfix/conf" -q "$2" "hash:$1"; }
t "postmap -q 127.0.0.5 hash:MAP found" pfq "$MAP" 127.0.0.5
t "postmap -q fd00::5 hash:MAP found" pfq "$MAP" fd00::5
tf "postmap -q 127.0.0.6 hash:MAP not found" pfq "$MAP" 127.0.0.6
exfound() { ex_lookup exim "$1" "$2" "$3" | grep -q '^found [0-9][0-9]*$'; }
exnot() { ex_lookup exim "$1" "$2" "$3" | grep -qx 'not found'; }
t "exim -be: dbmnz 127.0.0.5 found" exfound dbmnz "$MAP.db" 127.0.0.5
t "exim -be: dbmnz fd00::5 found" exfound dbmnz "$MAP.db" fd00::5
t "exim -be: dbmnz 127.0.0.6 not found" exnot dbmnz "$MAP.db" 127.0.0.6
t "exim -be: dbm 127.0.0.5 not found (no NUL without -N)" \
    exnot dbm "$MAP.db" 127.0.0.5

# --- a burst of adds while every MTA looks 127.0.0.5 up
# burst: dracctl adds batches of 250 addresses (128 batches, then over
# again) until $T/burst.stop exists, for 60 s at most; the number of
# batches goes to $T/burst.n.
burst() {
	_i=0
	_end=$(($(date +%s) + 60))
	while [ ! -f "$T/burst.stop" ] && [ "$(date +%s)" -lt $_end ]; do
		_a=$(awk -v n=$((_i % 128)) 'BEGIN { for (h = 1; h <= 250; h++)
		    printf "10.77.%d.%d\n", n, h }')
		# shellcheck disable=SC2086
		"$DRACCTL" add $_a >>"$T/burst.err" 2>&1 ||
		    echo "dracctl add: batch $_i failed" >>"$T/burst.err"
		_i=$((_i + 1))
	done
	echo $_i >"$T/burst.n"
}
# bad WHAT WHY: note a failed lookup during the burst.
bad() { echo "$1: $2" >>"$T/burst.bad"; }
# lockless WHO: WHO reads the map without a lock (exim: DESIGN.md,
# contrib/README), so a lookup made while dracd writes a change's pages
# can read them half-written and miss.
lockless() { case $1 in exim*) return 0 ;; esac; return 1; }
# look WHO CMD...: CMD; if it fails and WHO is lockless, CMD once more at
# once, the miss noted in $T/burst.again (two in a row are a miss).
look() {
	_w=$1
	shift
	"$@" && return 0
	lockless "$_w" || return 1
	echo "$_w" >>"$T/burst.again"
	"$@"
}
# accepts PORT: the MTA at PORT takes a remote recipient from 127.0.0.5.
accepts() { [ "$(rcpt 127.0.0.5 127.0.0.1 "$1")" = 250 ]; }
: >"$T/burst.bad"
: >"$T/burst.again"
: >"$T/burst.err"
burst &
bpid=$!
rounds=0	# rounds of lookups that ended while the burst still ran
while [ $rounds -lt 4 ]; do
	pfq "$MAP" 127.0.0.5 >"$T/l.out" 2>&1 || bad postmap "$(cat "$T/l.out")"
	smfound 127.0.0.5 ||
	    bad sendmail-bt "$(sm_map sm-feature 127.0.0.5 2>&1)"
	look exim-be exfound dbmnz "$MAP.db" 127.0.0.5 ||
	    bad exim-be "$(ex_lookup exim dbmnz "$MAP.db" 127.0.0.5 2>&1)"
	for s in $SERVERS; do
		look "${s%:*}" accepts "${s#*:}" ||
		    bad "${s%:*}" "RCPT refused: $(said)"
	done
	kill -0 $bpid 2>/dev/null || break
	rounds=$((rounds + 1))
done
touch "$T/burst.stop"
wait $bpid
nb=$(cat "$T/burst.n")
if [ $rounds -ge 1 ]; then
	ok "burst: $rounds rounds of lookups while dracd kept writing"
else
	nok "burst: lookups while dracd kept writing" "the burst ended first"
fi
for w in postmap sendmail-bt exim-be sm-feature sm-rules postfix exim; do
	m="found 127.0.0.5 every time"
	lockless "$w" && m="$m or at once after a miss ($(grep -cx "$w" \
	    "$T/burst.again") such: no lock)"
	if grep -q "^$w: " "$T/burst.bad"; then
		nok "burst: $w $m" \
		    "$(grep -c "^$w: " "$T/burst.bad") misses, first: $(grep -m 1 "^$w: " "$T/burst.bad")"
	else
		ok "burst: $w $m"
	fi
done
t "burst: dracctl add succeeded ($nb batches of 250)" test ! -s "$T/burst.err"
# nburst N: the map holds N burst addresses.
nburst() { [ "$(dump "$MAP.db" | grep -c '^10\.77\.')" -eq "$1" ]; }
[ "$nb" -le 128 ] || nb=128
t "burst: all $((nb * 250)) addresses in the map" waitfor 5 nburst $((nb * 250))

# --- expiry: re-authorize with a 4 s lifetime; once dracd removed the
# entries, every MTA refuses again.
t "dracd stops cleanly" dracd_stop
if ! dracd_start -a "$T/allow" -e 4s "$MAP.db"; then
	nok "dracd -e 4s starts"
	exit 1
fi
t "dracctl add 127.0.0.5 fd00::5 (expire 4s)" auth 127.0.0.5 fd00::5
gone() {
	! inmap "$MAP.db" 127.0.0.5 && ! inmap "$MAP.db" fd00::5 &&
	    ! inmap "$MAP.db" ipv6:fd00:0:0:0:0:0:0:5
}
t "dracd expired 127.0.0.5 and both forms of fd00::5" waitfor 20 gone
for s in $SERVERS; do
	refuses "${s%:*} refuses 127.0.0.5 after expiry" 127.0.0.5 127.0.0.1 "${s#*:}"
	refuses "${s%:*} refuses fd00::5 after expiry" fd00::5 ::1 "${s#*:}"
done
t "dracd stops cleanly after expiry" dracd_stop

# --- dracd -N: keys and values NUL-terminated, for exim's dbm lookups;
# sendmail and postfix find them too.
if ! dracd_start -N -a "$T/allow" -e 10m "$MAPN.db"; then
	nok "dracd -N starts"
	exit 1
fi
t "dracctl add 127.0.0.5 fd00::5 (-N)" "$DRACCTL" add 127.0.0.5 fd00::5
t "-N map holds 127.0.0.5, ipv6:fd00:0:0:0:0:0:0:5, fd00::5 with NULs" \
    waitfor 5 keys "$MAPN.db" '\\00' '127\.0\.0\.5' \
    ipv6:fd00:0:0:0:0:0:0:5 fd00::5
t "exim -be: dbm 127.0.0.5 found in the -N map" \
    exfound dbm "$MAPN.db" 127.0.0.5
t "exim -be: dbm fd00::5 found in the -N map" exfound dbm "$MAPN.db" fd00::5
t "exim -be: dbmnz 127.0.0.5 not found in the -N map" \
    exnot dbmnz "$MAPN.db" 127.0.0.5
t "postmap -q 127.0.0.5 finds the -N map's key" pfq "$MAPN" 127.0.0.5
t "postmap -q fd00::5 finds the -N map's key" pfq "$MAPN" fd00::5
smnfound() { sm_map sm-nul "$1" | grep -q "returns [0-9][0-9]*"; }
t "sendmail -bt: /map drac 127.0.0.5 found in the -N map" smnfound 127.0.0.5
t "sendmail -bt: /map drac ipv6:fd00:0:0:0:0:0:0:5 found in the -N map" \
    smnfound ipv6:fd00:0:0:0:0:0:0:5
ex_start exim-nul
t "exim-nul listens on 127.0.0.1 and ::1" waitfor 20 listening 2505
relays "exim-nul (dbm) relays for authorized 127.0.0.5" 127.0.0.5 127.0.0.1 2505
refuses "exim-nul (dbm) refuses unlisted 127.0.0.6" 127.0.0.6 127.0.0.1 2505
relays "exim-nul (dbm) relays for authorized fd00::5" fd00::5 ::1 2505
refuses "exim-nul (dbm) refuses unlisted fd00::6" fd00::6 ::1 2505
t "dracd -N stops cleanly" dracd_stop

# --- nothing was queued, no MTA complained
queued() {
	find "$T/sm-feature/mqueue" "$T/sm-rules/mqueue" \
	    "$T/postfix/queue/incoming" "$T/postfix/queue/active" \
	    "$T/postfix/queue/deferred" "$T/postfix/queue/maildrop" \
	    "$T/exim/spool/input" "$T/exim-nul/spool/input" -type f 2>/dev/null |
	    grep .
}
tf "no MTA queued a message" queued
tf "postfix logged no warning, error or fatal" \
    grep -E 'warning|error|fatal|panic' "$T/postfix/maillog"
tf "exim logged no panic, defer or lookup error" sh -c "
	cat '$T'/exim/log/paniclog '$T'/exim-nul/log/paniclog 2>/dev/null | grep . ||
	grep -i -E 'defer|lookup|error|failed' '$T'/exim/log/mainlog '$T'/exim-nul/log/mainlog"
tf "sendmail answered no 4xx and wrote nothing on stderr" sh -c "
	grep -E '^[0-9]+ >>> 4' '$T'/sm-feature/traffic '$T'/sm-rules/traffic ||
	cat '$T'/sm-feature/stderr '$T'/sm-rules/stderr | grep ."
mta_stop
finish

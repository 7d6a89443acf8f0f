#!/bin/sh
# v-smap.sh: the real MTAs against dracd's socketmap (dracd -S).  Debian's
# sendmail (the portable rules of contrib/sendmail-socketmap.mc, and
# FEATURE(`drac') pointed at the socket) and postfix
# (contrib/postfix-socketmap.cf) must relay for a client that dracctl
# authorized (IPv4 and IPv6), refuse an unlisted one, refuse again the
# moment the entry expires (the map file locked, so that only the socketmap
# can tell), find keys with their own lookup tools, and never relay while
# dracd is down.  Then two postfix instances in two network namespaces
# query one dracd over TCP; the one not in the reader list is refused.
# See tests/mta.sh; postfix's smtpd restarts, hash: map against socketmap,
# are measured by tests/bench-smap.sh (make bench).
. "$(dirname "$0")/mta.sh"
mta_enter "$@"
. "$(dirname "$0")/lib.sh"

mta_env
NETNS=
cleanup() {
	mta_unsetup
	for n in $NETNS; do ip netns del "$n" 2>/dev/null; done
	lib_cleanup
}
trap cleanup EXIT
mta_setup "$T/map" "$T/run" || exit 1

MAP=$T/map/dracd
SOCK=$T/run/socketmap
SMPORT=8783
SM=$TOP/$B/tests/smclient
printf '127.0.0.1\n::1\n' >"$T/allow"
printf '127.0.0.1\n10.99.1.2\n' >"$T/readers"
# frag FILE MAP (tests/mta.sh's, for the socketmap): the fragments name
# the socket /run/dracd/socketmap: point them at this test's dracd.
# SMADDR, when set, replaces the whole socket address (inet:HOST:PORT).
frag() {
	sed -e "s|unix:/run/dracd/socketmap|${SMADDR:-unix:$SOCK}|g" \
	    -e "s|/run/dracd/socketmap|$SOCK|g" -e "s|/etc/mail/dracd|$2|g" \
	    "$TOP/contrib/$1"
}
# SERVERS: name:port of sendmail (portable rules), sendmail
# (FEATURE(`drac') on the socket) and postfix, all on the socketmap.
SERVERS="sm-sock:2511 sm-feat:2512 postfix:2513"
t "sendmail.cf from contrib/sendmail-socketmap.mc" \
    sm_conf sm-sock 2511 sendmail-socketmap.mc "$MAP"
t "sendmail.cf from contrib/sendmail-debian-socketmap.mc" \
    sm_conf sm-feat 2512 sendmail-debian-socketmap.mc "$MAP"
t "postfix main.cf from contrib/postfix-socketmap.cf" \
    pf_conf postfix 2513 "$MAP" postfix-socketmap.cf

if ! dracd_start -a "$T/allow" -e 10m -g daemon -S "unix:$SOCK" \
    -S inet:127.0.0.1:$SMPORT -r "$T/readers" "$MAP.db"; then
	nok "dracd -S starts"
	exit 1
fi
t "dracctl add 127.0.0.5 fd00::5" "$DRACCTL" add 127.0.0.5 fd00::5
sm_start sm-sock
sm_start sm-feat
pf_start postfix
mta_listens "$SERVERS"

# --- relaying, IPv4 and IPv6, over the socketmap
mta_relaying "$SERVERS"

# --- each MTA's own lookup tool
smfound() { sm_map sm-sock "$1" | grep -q "returns [0-9][0-9]*"; }
smnot() { sm_map sm-sock "$1" | grep -q "no match"; }
t "sendmail -bt: /map drac 127.0.0.5 found" smfound 127.0.0.5
t "sendmail -bt: /map drac IPv6:FD00:0:0:0:0:0:0:5 found" \
    smfound IPv6:FD00:0:0:0:0:0:0:5
t "sendmail -bt: /map drac 127.0.0.6 not found" smnot 127.0.0.6
pfq() {
	mta "$POSTMAP" -c "$T/postfix/conf" -q "$1" "socketmap:${2:-unix:$SOCK}:drac"
}
t "postmap -q 127.0.0.5 socketmap:unix found" pfq 127.0.0.5
t "postmap -q fd00::5 socketmap:unix found" pfq fd00::5
t "postmap -q 127.0.0.5 socketmap:inet found" \
    pfq 127.0.0.5 inet:127.0.0.1:$SMPORT
tf "postmap -q 127.0.0.6 socketmap:unix not found" pfq 127.0.0.6
t "dracd stops cleanly" dracd_stop

# --- dracd down: no MTA relays.  The portable rules and postfix defer
# (451); FEATURE(`drac') without -T<TMPF> refuses (550).
# down NAME PORT WANT: RCPT for 127.0.0.5 gets a code matching WANT.
down() {
	c=$(rcpt 127.0.0.5 127.0.0.1 "$2")
	case $c in
	$3) ok "$1 does not relay for 127.0.0.5 while dracd is down ($c)" ;;
	*) nok "$1 does not relay for 127.0.0.5 while dracd is down" \
	    "RCPT got $c: $(said)" ;;
	esac
}
down sm-sock 2511 '451'
down sm-feat 2512 '550'
down postfix 2513 '451' 

# --- expiry: the moment the entry expires every MTA refuses.
if ! dracd_start -a "$T/allow" -e 3s -g daemon -S "unix:$SOCK" "$MAP.db"; then
	nok "dracd -e 3s starts"
	exit 1
fi
t "dracctl add 127.0.0.5 fd00::5 (expire 3s)" "$DRACCTL" add 127.0.0.5 fd00::5
# The expiry of the new add, as dracd answers it (the map may still hold
# the 10-minute entry of the first dracd for a window).
exp=$("$SM" "unix:$SOCK" q "drac 127.0.0.5" | sed -n 's/^OK //p')
t "127.0.0.5 expires within 3 s ($exp)" \
    test "${exp:-0}" -le $(($(date +%s) + 3))
relays "postfix relays for 127.0.0.5 before expiry" 127.0.0.5 127.0.0.1 2513
while [ "$(date +%s)" -lt "$exp" ]; do sleep 0.05; done
for s in $SERVERS; do
	refuses "${s%:*} refuses 127.0.0.5 the moment it expired" \
	    127.0.0.5 127.0.0.1 "${s#*:}"
	refuses "${s%:*} refuses fd00::5 the moment it expired" \
	    fd00::5 ::1 "${s#*:}"
done
t "dracd -e 3s stops cleanly" dracd_stop

# --- two SMTP hosts, network namespaces smapA (10.99.1.2) and smapB
# (10.99.2.2), each with its own postfix, ask one dracd over TCP; only
# smapA is in the reader list.
# netns_up NAME N: namespace NAME joined to this one by a veth pair,
# 10.99.N.1 here, 10.99.N.2 there, with its loopback up.
netns_up() {
	ip netns add "$1" && NETNS="$NETNS $1" &&
	    ip link add "sm$2a" type veth peer name "sm$2b" netns "$1" &&
	    ip addr add "10.99.$2.1/24" dev "sm$2a" &&
	    ip link set "sm$2a" up &&
	    ip -n "$1" addr add "10.99.$2.2/24" dev "sm$2b" &&
	    ip -n "$1" link set "sm$2b" up && ip -n "$1" link set lo up
}
# inns NAME CMD...: CMD in namespace NAME.
inns() {
	_ns=$1
	shift
	nsenter --net="/run/netns/$_ns" "$@"
}
# swaks, for tests/mta.sh's rcpt: in namespace $INNS when set.
swaks() {
	if [ -n "${INNS:-}" ]; then
		inns "$INNS" swaks "$@"
	else
		command swaks "$@"
	fi
}
nslistening() { inns "$1" ss -Hltn "( sport = :$2 )" | grep -q '127\.0\.0\.1:'; }
t "namespace smapA up (10.99.1.2)" netns_up smapA 1
t "namespace smapB up (10.99.2.2)" netns_up smapB 2
SMADDR=inet:10.99.1.1:$SMPORT
t "postfix in smapA: socketmap:$SMADDR:drac" \
    pf_conf pfA 2521 "$MAP" postfix-socketmap.cf
SMADDR=inet:10.99.2.1:$SMPORT
t "postfix in smapB: socketmap:$SMADDR:drac" \
    pf_conf pfB 2522 "$MAP" postfix-socketmap.cf
SMADDR=
if ! dracd_start -a "$T/allow" -e 10m -r "$T/readers" \
    -S inet:10.99.1.1:$SMPORT -S inet:10.99.2.1:$SMPORT "$MAP.db"; then
	nok "dracd -S inet on 10.99.1.1 and 10.99.2.1 starts"
	exit 1
fi
t "dracctl add 127.0.0.5" "$DRACCTL" add 127.0.0.5
mta_bg pfA nsenter --net=/run/netns/smapA "$MR/usr/lib/postfix/sbin/master" -c "$T/pfA/conf" -d
mta_bg pfB nsenter --net=/run/netns/smapB "$MR/usr/lib/postfix/sbin/master" -c "$T/pfB/conf" -d
t "postfix listens in smapA" waitfor 20 nslistening smapA 2521
t "postfix listens in smapB" waitfor 20 nslistening smapB 2522
INNS=smapA
relays "smapA's postfix (a listed reader) relays for 127.0.0.5" \
    127.0.0.5 127.0.0.1 2521
refuses "smapA's postfix refuses unlisted 127.0.0.6" 127.0.0.6 127.0.0.1 2521
INNS=smapB
c=$(rcpt 127.0.0.5 127.0.0.1 2522)
case $c in
4*) ok "smapB's postfix (not a reader) cannot look up: defers 127.0.0.5 ($c)" ;;
*) nok "smapB's postfix (not a reader) cannot look up" "RCPT got $c: $(said)" ;;
esac
INNS=
pfns() {
	inns "$1" env LD_LIBRARY_PATH="$MTA_LIBS" "$POSTMAP" -c "$T/$2/conf" \
	    -q 127.0.0.5 "socketmap:inet:$3:$SMPORT:drac"
}
t "postmap -q 127.0.0.5 from smapA: found" pfns smapA pfA 10.99.1.1
tf "postmap -q 127.0.0.5 from smapB: refused" pfns smapB pfB 10.99.2.1
t "dracd logged the refused reader 10.99.2.2" \
    grep -q 'socketmap: reader 10.99.2.2 not in' "$T/dracd.log"
t "dracd (TCP readers) stops cleanly" dracd_stop
mta_stop
finish

#!/bin/sh
# bench-smap.sh [--quick]: the socketmap figures of make bench, run by
# tests/bench.sh in its namespaces (as root; it says skipped otherwise).
#
#  - Lookups on dracd's unix socketmap (tests/smclient bench): lookups/s
#    and the p50/p99/max round trip with 1 and 32 readers, first idle, then
#    while 8 dracctl loops add 100 addresses a call as fast as they can
#    (tests/adders.sh).
#  - Postfix's smtpd restarts: two postfix instances, one reading dracd's
#    map as hash: (contrib/postfix-main.cf), one asking dracd over
#    socketmap: (contrib/postfix-socketmap.cf), each get an SMTP session
#    (postfix's smtp-source, up to DATA and QUIT) every second while
#    dracctl adds 100 addresses/s (10 every 0.1 s).  smtpd exits before
#    its next connection when a hash table it has open changed on disk;
#    the restarts counted are its own log lines ("table ... has changed
#    -- restarting"), beside the distinct smtpd PIDs that served the
#    sessions and the sessions' median length.
#
# --quick: 1-second lookup runs, 40 sessions (else 3 s, 200).  Postfix runs
# as tests/v-smap.sh runs it (tests/mta.sh): unpacked by tests/mta-fetch.sh,
# private configuration, in this script's namespaces.  The maps go under
# ${TMPDIR:-/tmp} (a real file system: dracd's syncs are part of the
# figures).
. "$(dirname "$0")/mta.sh"
case " $* " in
*" --quick "*) SECS=1 SESSIONS=40 ;;
*) SECS=3 SESSIONS=200 ;;
esac
if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
	echo "# socketmap figures skipped: need root and tests/bench.sh's namespaces"
	exit 0
fi
SMAP_DIR=${SMAP_DIR:-${TMPDIR:-/tmp}}
export SMAP_DIR
mta_enter "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/adders.sh"
mta_env

D=$(mktemp -d "$SMAP_DIR/drac-bench-smap.XXXXXX")
chmod 755 "$D"
# dracd's journal (lib.sh's dracd_start) beside the maps.
# shellcheck disable=SC2034
STATE=$D/state
SOCK=$T/smap.sock
SM=$TOP/$B/tests/smclient
trap 'mta_stop; [ -z "${ADDERS_PIDS:-}" ] || adders_stop
	[ -n "${KEEP:-}" ] || rm -rf "$D"; lib_cleanup' EXIT
printf '127.0.0.1\n::1\n' >"$T/allow"

# smap_figures: the lookup figures, one line each.
smap_figures() {
	dracd_start -a "$T/allow" -e 10m -S "unix:$SOCK" "$D/lookups.db" ||
	    return 1
	"$DRACCTL" add 127.0.0.5 fd00::5 >/dev/null || return 1
	for r in 1 32; do
		"$SM" "unix:$SOCK" bench $r "$SECS" "drac 127.0.0.5" \
		    "drac fd00::5" "drac 192.0.2.1"
	done
	_a0=$(adds_total)
	_begin=$(date +%s%N)
	adders_start 8
	sleep 0.5
	for r in 1 32; do
		"$SM" "unix:$SOCK" bench $r "$SECS" "drac 127.0.0.5" \
		    "drac fd00::5" "drac 192.0.2.1" |
		    sed 's/$/, 8 clients adding/'
	done
	adders_stop
	_ms=$((($(date +%s%N) - _begin) / 1000000))
	_n=$(($(adds_total) - _a0))
	echo "the 8 clients made $_n adds meanwhile, $((_n * 1000 / _ms)) a second"
	dracd_stop
}

# session NAME PORT: one SMTP session to postfix NAME (smtp-source: HELO,
# MAIL, RCPT to a remote domain, a short DATA, QUIT); appends its length in
# microseconds to $T/NAME/times.
session() {
	_t0=$(date +%s%N)
	mta "$MR/usr/sbin/smtp-source" -M "$MTA_HOST" -s 1 -m 1 \
	    -f "drac@$MTA_HOST" -t user@remote.example "127.0.0.1:$2" \
	    >>"$T/$1/source.out" 2>&1 || return 1
	echo $((($(date +%s%N) - _t0) / 1000)) >>"$T/$1/times"
}

# served NAME: "RESTARTS PROCESSES SESSIONS P50MS" from postfix NAME's log:
# the smtpd restarts it logged, the smtpd PIDs that served a session, the
# sessions, and the median session length in milliseconds.
served() {
	_l=$T/$1/maillog
	printf '%s %s %s %s\n' \
	    "$(grep -c 'smtpd\[.*has changed -- restarting' "$_l")" \
	    "$(sed -n 's/.*smtpd\[\([0-9]*\)\]: connect from .*/\1/p' "$_l" |
	    sort -u | wc -l)" \
	    "$(grep -c 'smtpd\[.*: connect from' "$_l")" \
	    "$(sort -n "$T/$1/times" | awk '{ v[NR] = $1 }
	    END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }')"
}

# pf_fail WHY: say which step of pf_bench failed, and fail.
pf_fail() {
	echo "postfix figures: $*"
	return 1
}

# pf_bench: the smtpd restart figures.  A session to each postfix every
# second: smtpd compares the table's mtime in whole seconds, so sessions
# closer together than that share one restart.
pf_bench() {
	if [ ! -f "$MR/.complete" ]; then
		echo "skipped: no $MR (make bench runs tests/mta-fetch.sh)"
		return 0
	fi
	mkdir -p "$T/etc" && mta_etc "$T/etc" || pf_fail "mta_etc" || return
	MAP=$D/dracd
	pf_conf pf-hash 2531 "$MAP" postfix-main.cf &&
	    pf_conf pf-smap 2532 "$MAP" postfix-socketmap.cf ||
	    pf_fail "pf_conf" || return
	for n in pf-hash pf-smap; do
		# Every session's client, 127.0.0.1, goes through the map; no
		# queue manager hands out flow-control tokens.
		sed -i "s|/run/dracd/socketmap|$SOCK|" "$T/$n/conf/main.cf"
		printf 'mynetworks =\nin_flow_delay = 0\n' >>"$T/$n/conf/main.cf"
	done
	dracd_start -a "$T/allow" -e 10m -g daemon -S "unix:$SOCK" "$MAP.db" ||
	    pf_fail "dracd did not start" || return
	"$DRACCTL" add 127.0.0.1 >/dev/null || pf_fail "dracctl add" || return
	pf_start pf-hash
	pf_start pf-smap
	waitfor 20 listening 2531 && waitfor 20 listening 2532 ||
	    pf_fail "postfix not listening within 20 s" || return
	_a0=$(adds_total)
	adders_start 1 10 0.1
	_begin=$(date +%s%N)
	_i=0
	while [ $_i -lt "$SESSIONS" ]; do
		sleep 1 &
		_s=$!
		for n in pf-hash:2531 pf-smap:2532; do
			session "${n%:*}" "${n#*:}" && continue
			pf_fail "session $_i to ${n%:*}:" \
			    "$(tail -n 2 "$T/${n%:*}/source.out" | tr '\n' ' ')"
			return
		done
		wait $_s
		_i=$((_i + 1))
	done
	_ms=$((($(date +%s%N) - _begin) / 1000000))
	adders_stop
	_n=$(($(adds_total) - _a0))
	# shellcheck disable=SC2046
	set -- $(served pf-hash) $(served pf-smap)
	echo "smtpd restarts, $SESSIONS sessions 1 s apart," \
	    "$((_n * 1000 / _ms)) adds/s: hash $1, socketmap $5"
	echo "smtpd processes that served them: hash $2, socketmap $6" \
	    "($3 and $7 sessions)"
	echo "session p50 (smtp-source, connect to QUIT): hash $4 ms," \
	    "socketmap $8 ms"
	mta_stop
	dracd_stop
}

echo "socketmap lookups ($SECS s each):"
smap_figures || { echo "socketmap lookup figures failed"; exit 1; }
echo "postfix smtpd restarts (hash: map file against socketmap:):"
pf_bench || { echo "postfix figures failed"; exit 1; }

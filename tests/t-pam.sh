#!/bin/sh
# t-pam.sh: pam_drac.so (contrib/pam) driven by pamtester, as a POP or
# IMAP server's PAM session would drive it.  A private /etc/pam.d is
# bind-mounted over the real one in the test's own mount namespace, and a
# private /dev/log catches what the module logs (tests/syslog.sh).
# IPv4, IPv6 and IPv4-mapped PAM_RHOSTs land in the map; a failed login,
# a host name or no PAM_RHOST add nothing; the session opens whatever
# dracd does (stopped, gone, refusing), within the module's timeout; a
# list of servers, bad options.
if [ -z "${PAM_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || [ -z "${DRAC_NS:-}" ]; then
		echo "skip - $(basename "$0" .sh): pam_drac.so (needs root and tests/run.sh's namespaces)"
		exit 0
	fi
	PAM_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/syslog.sh"

MOD=$TOP/$B/contrib/pam_drac.so
MAP=$T/dracd.db
LOG=$T/syslog
trap 'syslog_stop; ip -6 addr del fd00::5/128 dev lo 2>/dev/null; lib_cleanup' EXIT
printf '127.0.0.1\n::1\n' >"$T/allow"
if [ ! -f "$MOD" ]; then
	nok "pam_drac.so built" "no $MOD: make contrib"
	exit 1
fi
ip -6 addr add fd00::5/128 dev lo nodad 2>/dev/null

# service NAME AUTH ARGS...: a PAM service NAME whose auth is AUTH
# (pam_permit.so, pam_deny.so) and whose session is pam_drac.so ARGS.
mkdir -p "$T/pam.d"
service() {
	_n=$1
	_a=$2
	shift 2
	{
		printf 'auth\trequired\t%s\n' "$_a"
		printf 'account\trequired\tpam_permit.so\n'
		printf 'session\trequired\t%s %s\n' "$MOD" "$*"
	} >"$T/pam.d/$_n"
}
service drac pam_permit.so server=localhost timeout=500
service drac-deny pam_deny.so server=localhost timeout=500
service drac-list pam_permit.so "server=localhost,no-such-host.invalid" \
    timeout=500
service drac-bad pam_permit.so timeout=soon frobnicate
service drac-default pam_permit.so
printf "auth\trequired\tpam_deny.so\nsession\trequired\tpam_deny.so\n" >"$T/pam.d/other"
if ! mount --bind "$T/pam.d" /etc/pam.d; then
	nok "private /etc/pam.d"
	exit 1
fi
if ! syslog_start "$LOG"; then
	nok "private /dev/log"
	exit 1
fi

# ASan's runtime must come first in a program that loads a module built
# with it; pamtester is not.  Its XDR interceptors find libtirpc only if
# it is loaded from the start.
if [ "$(basename "$B")" = san ]; then
	PRELOAD="$(cc -print-file-name=libasan.so) libtirpc.so.3"
	export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
else
	PRELOAD=
fi
# pt [-I rhost=ADDR] SERVICE OPS...: run pamtester for user nobody.
pt() {
	if [ "$1" = -I ]; then _i="-I $2"; shift 2; else _i=; fi
	_s=$1
	shift
	# shellcheck disable=SC2086
	LD_PRELOAD=$PRELOAD pamtester $_i "$_s" nobody "$@" >"$T/pt.out" 2>&1
}
# inmap KEY: the map holds KEY.
inmap() { dump "$MAP" | awk -v k="$1" '$1 == k { f = 1 } END { exit !f }'; }
# logged TEXT: syslog got a line with TEXT (a fixed string).
logged() { grep -q -F -- "$1" "$LOG"; }
# ms CMD...: run CMD, print how long it took in ms; its status in $T/rc.
ms() {
	_t0=$(date +%s%N)
	"$@"
	echo $? >"$T/rc"
	echo $((($(date +%s%N) - _t0) / 1000000))
}

if ! dracd_start -a "$T/allow" -e 10m "$MAP"; then
	nok "dracd starts"
	exit 1
fi
t "open_session rhost=127.0.0.5 succeeds" pt -I rhost=127.0.0.5 drac open_session
t "127.0.0.5 in the map" waitfor 2 inmap 127.0.0.5
t "open_session rhost=fd00::5 succeeds" pt -I rhost=fd00::5 drac open_session
t "fd00::5 in the map" waitfor 2 inmap fd00::5
t "open_session rhost=::ffff:127.0.0.7 succeeds" \
    pt -I rhost=::ffff:127.0.0.7 drac open_session
t "IPv4-mapped sent as IPv4: 127.0.0.7 in the map" waitfor 2 inmap 127.0.0.7
t "authenticate then open_session (127.0.0.8) succeeds" \
    pt -I rhost=127.0.0.8 drac authenticate open_session close_session
t "127.0.0.8 in the map" waitfor 2 inmap 127.0.0.8
tf "failed login (pam_deny) from 127.0.0.6 fails" \
    pt -I rhost=127.0.0.6 drac-deny authenticate open_session
tf "failed login: 127.0.0.6 not in the map" inmap 127.0.0.6
t "rhost=mail.example.org: session opens" \
    pt -I rhost=mail.example.org drac open_session
t "rhost=mail.example.org: logged as skipped" \
    logged "PAM_RHOST mail.example.org is not a numeric address: skipped"
t "no rhost: session opens" pt drac open_session
t "no rhost: logged" logged "no PAM_RHOST: nothing to authorize"
t "server=localhost,no-such-host.invalid: session opens" \
    pt -I rhost=127.0.0.9 drac-list open_session
t "server list: 127.0.0.9 in the map" waitfor 2 inmap 127.0.0.9
t "server list: the unknown server logged" logged \
    "dracd at no-such-host.invalid did not authorize 127.0.0.9: Cannot create client: unknown server host"
t "bad options: session opens with the defaults" \
    pt -I rhost=127.0.0.10 drac-bad open_session
t "bad options: 127.0.0.10 in the map" waitfor 2 inmap 127.0.0.10
t "bad options: timeout=soon logged" logged "timeout=soon: invalid, using 1000 ms"
t "bad options: unknown option logged" logged "unknown option frobnicate ignored"
t "no options: server localhost" pt -I rhost=127.0.0.11 drac-default open_session
t "no options: 127.0.0.11 in the map" waitfor 2 inmap 127.0.0.11

# --- dracd SIGSTOPped: the session opens after the timeout (500 ms), no
# later than one retransmission (1 s) would take; 250 ms for pamtester's
# own start on a loaded sanitizer build.
kill -STOP "$DRACD_PID"
el=$(ms pt -I rhost=127.0.0.12 drac open_session)
t "SIGSTOPped dracd: session opens" test "$(cat "$T/rc")" -eq 0
t "SIGSTOPped dracd: within timeout + 250 ms ($el ms)" test "$el" -le 750
t "SIGSTOPped dracd: logged the timeout" \
    logged "dracd at localhost did not authorize 127.0.0.12: Call to server timed out"
kill -CONT "$DRACD_PID"
t "after SIGCONT: 127.0.0.12 lands" waitfor 5 inmap 127.0.0.12
t "dracd stops cleanly" dracd_stop

# --- a dracd that refuses this host
printf '::1\n' >"$T/allow6"
if dracd_start -a "$T/allow6" -e 10m "$MAP"; then
	t "refusing dracd: session opens" pt -I rhost=127.0.0.13 drac open_session
	t "refusing dracd: logged" logged \
	    "dracd at localhost did not authorize 127.0.0.13: Server reports permission denied"
	t "dracd (::1 only) stops cleanly" dracd_stop
else
	nok "dracd with an IPv6-only allow file starts"
fi
# --- no dracd at all
el=$(ms pt -I rhost=127.0.0.14 drac open_session)
t "no dracd: session opens" test "$(cat "$T/rc")" -eq 0
t "no dracd: at once ($el ms)" test "$el" -le 400
t "no dracd: logged" logged \
    "dracd at localhost did not authorize 127.0.0.14: Cannot create client: dracd is not registered on the server"
finish

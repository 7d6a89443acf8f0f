# adders.sh: sourced (after lib.sh) by t-socketmap.sh and bench-smap.sh:
# background dracctl loops that keep dracd adding while the socketmap is
# measured.
#
# adders_start N [BATCH [PAUSE]]: N loops; loop n adds batches of BATCH
# addresses (default 100) in 10.n.x.y with one dracctl call each, until
# adders_stop: one call after the other (PAUSE 0, the default), or one call
# started every PAUSE seconds, whether the last returned or not.
# adds_total: the adds dracd has taken since it started (new addresses and
# refreshes, from dracctl stats).  adders_stop: stop the loops and wait for them.

# adders_loop N BATCH PAUSE: one loop of adders_start.
adders_loop() {
	_b=0
	while [ ! -f "$T/adders.stop" ]; do
		[ "$3" = 0 ] || { sleep "$3" & _s=$!; }
		_a=$(awk -v n="$1" -v b=$((_b % 200)) -v c="$2" 'BEGIN {
		    for (h = 0; h < c; h++)
			printf "10.%d.%d.%d\n", n, b, h % 250 + 1 }')
		# shellcheck disable=SC2086
		if [ "$3" = 0 ]; then
			"$DRACCTL" add $_a >/dev/null 2>&1
		else
			"$DRACCTL" add $_a >/dev/null 2>&1 &
			wait $_s
		fi
		_b=$((_b + 1))
	done
	wait
}

adders_start() {
	rm -f "$T/adders.stop"
	ADDERS_PIDS=
	_n=1
	while [ $_n -le "$1" ]; do
		adders_loop $_n "${2:-100}" "${3:-0}" &
		ADDERS_PIDS="$ADDERS_PIDS $!"
		_n=$((_n + 1))
	done
}

adders_stop() {
	touch "$T/adders.stop"
	# shellcheck disable=SC2086
	wait $ADDERS_PIDS
	ADDERS_PIDS=
}

adds_total() {
	"$DRACCTL" stats | awk '$1 == "adds" || $1 == "refreshes" { n += $2 }
	    END { print n + 0 }'
}

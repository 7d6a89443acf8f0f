#!/bin/sh
# rpcbind-up.sh [pidfile]: make sure an rpcbind answers on this host.
# When none does, start one (as root: rpcbind -w, in the foreground under
# our control).  With a pidfile argument its PID is recorded there so that
# the caller can stop exactly what it started; without one it is left
# running as the host's rpcbind (make run).  If it does not come up, the
# one started here is stopped again and nothing is recorded.
set -u
answers() { rpcinfo -T udp 127.0.0.1 100000 4 >/dev/null 2>&1; }
answers && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "rpcbind is not running; start it as root: rpcbind -w" >&2
	exit 1
fi
mkdir -p /run/rpcbind
if id _rpc >/dev/null 2>&1; then chown _rpc /run/rpcbind; fi
if [ $# -ge 1 ]; then
	rpcbind -f -w &
else
	setsid rpcbind -f -w </dev/null >/dev/null 2>&1 &
fi
pid=$!
i=0
while ! answers; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "rpcbind did not come up" >&2
		kill "$pid" 2>/dev/null
		exit 1
	fi
	sleep 0.05
done
[ $# -lt 1 ] || echo "$pid" >"$1"

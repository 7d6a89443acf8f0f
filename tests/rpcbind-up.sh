#!/bin/sh
# rpcbind-up.sh [pidfile]: make sure an rpcbind answers on this host.
# When none does, start one (as root: rpcbind -w) and, with a pidfile
# argument, run it in the foreground under our control and record its PID
# so that the caller can stop exactly what it started.
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
	echo $! >"$1"
else
	rpcbind -w
fi
i=0
while ! answers; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		echo "rpcbind did not come up" >&2
		exit 1
	fi
	sleep 0.05
done

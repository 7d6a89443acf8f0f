# ns.sh: sourced by run.sh and bench.sh, which run from the top directory.
#
# ns_enter SCRIPT [ARG...]: as root, run SCRIPT again in private network,
# mount and UTS namespaces (DRAC_NS set): its own loopback, /run, host
# name and so rpcbind; the machine's rpcbind and any dracd running there
# are never touched.  Inside them, set them up and return.
# ns_again SCRIPT [ARG...]: inside them, run SCRIPT in new ones of the
# same kind, set up alike (DRAC_NS_AGAIN set there): run.sh gives each
# test script its own, so that two can run at once.
# ns_rpcbind PIDFILE: make sure an rpcbind answers; NS_RPCPID is the PID
# of the one started here, to be stopped by the caller, or empty.

ns_enter() {
	if [ "$(id -u)" -eq 0 ] && [ -z "${DRAC_NS:-}" ]; then
		exec env DRAC_NS=1 unshare --net --mount --uts \
		    --propagation private "$@"
	fi
	[ -z "${DRAC_NS:-}" ] || ns_setup
}

ns_again() {
	if [ -z "${DRAC_NS_AGAIN:-}" ]; then
		exec env DRAC_NS_AGAIN=1 unshare --net --mount --uts \
		    --propagation private "$@"
	fi
	ns_setup
}

# ns_setup: loopback up, a private /run, the test host name.
ns_setup() {
	ip link set lo up
	mount -t tmpfs -o mode=755 tmpfs /run
	hostname drac-test.localdomain
}

ns_rpcbind() {
	NS_RPCPID=
	tests/rpcbind-up.sh "$1" || return 1
	if [ -f "$1" ]; then
		NS_RPCPID=$(cat "$1")
		rm -f "$1"
	fi
}

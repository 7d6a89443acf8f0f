# syslog.sh: sourced by the tests that check what a module logs through
# syslog(3) (t-pam.sh, v-dovecot.sh), in a private mount namespace.
#
# syslog_start FILE: lay a private /dev over the real one (an overlay whose
# upper layer is in $T: the device nodes stay the host's, nothing is
# written to the host's /dev) and listen on its /dev/log, appending each
# message as one line to FILE.  The mounts below /dev (pts, shm) are not
# carried over: the tests need none.  The host's /dev is never mounted
# under $T, which lib_cleanup removes.  syslog_stop: stop the listener by
# its PID and unmount the overlay.

SYSLOG_PID=
SYSLOG_DEV=

syslog_start() {
	[ -n "${PAM_NS:-}${MTA_NS:-}" ] || return 1	# own namespace only
	mkdir -p "$T/dev.up" "$T/dev.work" || return 1
	mount -t overlay overlay -o \
	    "lowerdir=/dev,upperdir=$T/dev.up,workdir=$T/dev.work" /dev ||
	    return 1
	SYSLOG_DEV=1
	[ ! -e /dev/log ] || return 1
	: >"$1"
	perl -MIO::Socket::UNIX -e '
	    my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => "/dev/log")
		or die "/dev/log: $!\n";
	    open(my $o, ">>", $ARGV[0]) or die "$ARGV[0]: $!\n";
	    $o->autoflush(1);
	    while (defined($s->recv(my $m, 8192))) { $m =~ s/\n*$//; print $o "$m\n" }
	' "$1" &
	SYSLOG_PID=$!
	waitfor 5 test -S /dev/log
}

syslog_stop() {
	[ -z "$SYSLOG_PID" ] || kill "$SYSLOG_PID" 2>/dev/null
	[ -z "$SYSLOG_PID" ] || wait "$SYSLOG_PID" 2>/dev/null
	SYSLOG_PID=
	[ -z "${SYSLOG_DEV:-}" ] || umount -l /dev
	SYSLOG_DEV=
}

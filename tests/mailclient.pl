#!/usr/bin/perl
# mailclient.pl: one IMAP or POP3 login, for tests/v-dovecot.sh.
#
#	mailclient.pl imap|pop3 SRC HOST PORT USER PASS [NOOPSECS]
#
# Connects from address SRC, logs in, prints "login ok MS" or "login
# failed MS" (MS: from connect to the login reply, in milliseconds).  With
# NOOPSECS (IMAP), then sends a NOOP every 50 ms for that many seconds and
# prints "noop max MS n COUNT" (the slowest NOOP's round trip).  Logs out.
# Exit 0 when the login succeeded, 1 when it was refused, 2 on an error.
use strict;
use warnings;
use IO::Socket::IP;
use Time::HiRes qw(time sleep);

my ($proto, $src, $host, $port, $user, $pass, $noops) = @ARGV;
die "usage: mailclient.pl imap|pop3 src host port user pass [noopsecs]\n"
    unless defined $pass && $proto =~ /^(imap|pop3)$/;
my $t0 = time;
my $s = IO::Socket::IP->new(LocalHost => $src, PeerHost => $host,
    PeerPort => $port, Timeout => 10) or do {
	print "connect failed: $@\n";
	exit 2;
};
$s->autoflush(1);
my $ms = sub { sprintf "%.1f", (time - $_[0]) * 1000 };

# line: the server's next line, or exit 2 at end of file.
sub line {
	my $l = <$s>;
	defined $l or do { print "connection closed\n"; exit 2 };
	$l =~ s/\r?\n$//;
	return $l;
}
# tagged TAG: read up to the tagged reply; its status word.
sub tagged {
	my $tag = shift;
	while (1) {
		my $l = line();
		return $1 if $l =~ /^\Q$tag\E (OK|NO|BAD)/;
	}
}

my $ok;
line();		# greeting
if ($proto eq 'imap') {
	print $s "a1 LOGIN \"$user\" \"$pass\"\r\n";
	$ok = tagged('a1') eq 'OK';
} else {
	print $s "USER $user\r\n";
	line() =~ /^\+OK/ or do { print "USER refused\n"; exit 2 };
	print $s "PASS $pass\r\n";
	$ok = line() =~ /^\+OK/;
}
print "login ", ($ok ? "ok" : "failed"), " ", $ms->($t0), "\n";
if ($ok && $proto eq 'imap' && $noops) {
	my ($max, $n, $end) = (0, 0, time + $noops);
	while (time < $end) {
		my $t = time;
		$n++;
		print $s "n$n NOOP\r\n";
		tagged("n$n") eq 'OK' or do { print "NOOP failed\n"; exit 2 };
		my $d = (time - $t) * 1000;
		$max = $d if $d > $max;
		sleep 0.05;
	}
	printf "noop max %.1f n %d\n", $max, $n;
}
if ($proto eq 'imap') {
	print $s "a9 LOGOUT\r\n";
} else {
	print $s "QUIT\r\n";
}
exit($ok ? 0 : 1);

#!/bin/sh
# drac-postlogin.sh: a Dovecot post-login script that authorizes the
# client of each IMAP or POP3 login with dracd, for sites that will not
# build the Dovecot plugin.  Dovecot's script-login runs it after a
# successful login with the client's address in $IP (an IPv4-mapped
# client is shown as IPv4); see contrib/README for dovecot.conf.
#
# The add runs in the background, detached from the client's connection
# (standard input and output) and from script-login's socket (descriptor
# 3), so that a hung or missing dracd never delays a login; dracctl gives
# up after DRAC_TIMEOUT seconds and its message goes to Dovecot's log.
# The script must end by exec'ing its arguments: that hands the session on.

DRACCTL=/usr/local/bin/dracctl	# make install's place; change to suit
DRAC_SERVERS=localhost		# one or more, separated by blanks
DRAC_TIMEOUT=1			# seconds, per server

if [ -n "${IP:-}" ]; then
	for s in $DRAC_SERVERS; do
		"$DRACCTL" -s "$s" -t "$DRAC_TIMEOUT" add "$IP" \
		    </dev/null >/dev/null 3>&- &
	done
fi
exec "$@"

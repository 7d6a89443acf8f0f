#!/bin/sh
# dovecot-fetch.sh [DIR]: Debian's Dovecot 2.3 (dovecot-core, dovecot-imapd,
# dovecot-pop3d and the libraries of theirs the machine lacks) fetched with
# apt-get download and unpacked with dpkg -x into DIR/root (default
# build/dovecot), as tests/mta-fetch.sh does for the MTAs.  Nothing is
# installed and no service is started: tests/v-dovecot.sh lays the tree
# over /usr in its own mount namespace and runs dovecot -F there.
TOP=$(cd "$(dirname "$0")/.." && pwd)
FETCH_PKGS="dovecot-core dovecot-imapd dovecot-pop3d" \
FETCH_BINS="usr/sbin/dovecot usr/bin/doveconf usr/lib/dovecot/imap
    usr/lib/dovecot/pop3 usr/lib/dovecot/imap-login usr/lib/dovecot/pop3-login
    usr/lib/dovecot/auth usr/lib/dovecot/script-login" \
    exec sh "$TOP/tests/mta-fetch.sh" "${1:-$TOP/build/dovecot}"

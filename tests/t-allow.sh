#!/bin/sh
# t-allow.sh: the allow list (allow.c) through tests/allowtest.
#
# Every golden file tests/allow/NAME.in must give NAME.ok (the warnings
# and the table, or the error line), both through allow_load and through
# allow_parse on a buffer of exactly the file's size, and NAME.chk through
# allow_check (every problem, the corrected lines, the count); a file
# refused at load is refused by the check first for the same line.  Then
# matching (non-contiguous masks,
# prefixes, IPv4-mapped callers, other families), the default table for a
# missing file, and the file-level refusals (writable, not regular, too
# large, open errors).
. "$(dirname "$0")/lib.sh"
AT=$TOP/$B/tests/allowtest

# The golden inputs are copied with mode 644: a checkout made under umask
# 002 would have them group-writable, and so refused.
mkdir "$T/g"
cp "$TOP"/tests/allow/*.in "$T/g/"
chmod 644 "$T"/g/*.in

# golden NAME: NAME.in loads and parses to exactly NAME.ok, and checks to
# exactly NAME.chk.
golden() {
	(cd "$T/g" && "$AT" "$1.in" >"$1.out" 2>&1
	    "$AT" -b "$1.in" >"$1.outb" 2>&1
	    "$AT" -c "$1.in" >"$1.outc" 2>&1)
	diff -u "$TOP/tests/allow/$1.ok" "$T/g/$1.out" &&
	    diff -u "$TOP/tests/allow/$1.ok" "$T/g/$1.outb" &&
	    diff -u "$TOP/tests/allow/$1.chk" "$T/g/$1.outc"
}

# same_refusal NAME: the load error of NAME is the check's first refusal.
same_refusal() {
	(cd "$T/g" && "$AT" "$1.in" >/dev/null) && return 0
	[ "$(grep -v -e '^	' -e '^[^ ]*: warning: ' "$T/g/$1.outc" |
	    head -n 1)" = "$(cat "$T/g/$1.out")" ]
}

for f in "$TOP"/tests/allow/*.in; do
	n=$(basename "$f" .in)
	t "golden $n" golden "$n"
	t "check refuses $n where load does" same_refusal "$n"
done

# The sample trusts this host; with its examples uncommented it still parses.
cp "$TOP/dracd.allow-sample" "$T/sample.allow"
sed 's/^#\([0-9a-f:]\)/\1/' "$TOP/dracd.allow-sample" >"$T/sample-all.allow"
chmod 644 "$T/sample.allow" "$T/sample-all.allow"
sample() {
	[ "$("$AT" "$T/sample.allow")" = "inet 127.0.0.1/255.255.255.255
inet6 ::1/128" ]
}
sample_all() {
	"$AT" "$T/sample-all.allow" >"$T/sa.out" &&
	    [ "$(wc -l <"$T/sa.out")" -gt 2 ]
}
t "sample trusts 127.0.0.1 and ::1" sample
t "sample with its examples uncommented parses" sample_all

# match FILE ADDR yes|no: allowtest answers "ADDR yes|no" for FILE.
match() {
	_r=$("$AT" "$1" "$2" 2>&1)
	if [ "$_r" = "$2 $3" ]; then
		ok "match $(basename "$1") $2 $3"
	else
		nok "match $(basename "$1") $2 $3" "$_r"
	fi
}

cat >"$T/m.allow" <<'EOF'
255.255.0.255 10.1.0.5		# non-contiguous: 10.1.*.5
255.255.255.0 192.168.1.0
192.0.2.0/24
198.51.100.7
2001:db8::/32
2001:db8:ffff::7
2001:db9:8000::/33
::ffff:203.0.113.0/120
EOF
chmod 644 "$T/m.allow"
M=$T/m.allow
match "$M" 10.1.77.5 yes
match "$M" 10.1.0.5 yes
match "$M" 10.1.77.6 no
match "$M" 10.2.77.5 no
match "$M" 192.168.1.200 yes
match "$M" 192.168.2.1 no
match "$M" 192.0.2.255 yes
match "$M" 192.0.3.0 no
match "$M" 198.51.100.7 yes
match "$M" 198.51.100.8 no
match "$M" 2001:db8:1::1 yes
match "$M" 2001:db8:ffff::7 yes
match "$M" 2001:db9::1 no
match "$M" 2001:db9:8000::1 yes
match "$M" 2001:db9:ffff::1 yes
match "$M" 2001:db9:7fff::1 no
match "$M" 203.0.113.9 yes
match "$M" ::ffff:203.0.113.9 yes
match "$M" ::ffff:192.168.1.9 yes
match "$M" ::ffff:10.1.3.5 yes
match "$M" ::ffff:192.168.2.1 no
match "$M" ::192.168.1.9 no
match "$M" 127.0.0.1 no
match "$M" ::1 no
match "$M" unix no

# The original's inet_addr forms, and host bits cleared.
cat >"$T/s.allow" <<'EOF'
255.255.255.255 127.1
255.255.255.255 10.000.000.001
  255.255.255.0 192.0.2.77
198.51.100.1/24
EOF
chmod 644 "$T/s.allow"
S=$T/s.allow
match "$S" 127.0.0.1 yes
match "$S" 127.0.1.1 no
match "$S" 10.0.0.1 yes
match "$S" 8.0.0.1 no
match "$S" 192.0.2.1 yes
match "$S" 198.51.100.200 yes
match "$S" 198.51.101.1 no

printf '0.0.0.0/0\n' >"$T/all4.allow"
printf '::/0\n' >"$T/all6.allow"
printf '# nobody\n' >"$T/none.allow"
chmod 644 "$T"/*.allow
match "$T/all4.allow" 203.0.113.1 yes
match "$T/all4.allow" ::ffff:203.0.113.1 yes
match "$T/all4.allow" 2001:db8::1 no
match "$T/all6.allow" 2001:db8::1 yes
match "$T/all6.allow" ::ffff:203.0.113.1 no
match "$T/all6.allow" 203.0.113.1 no
match "$T/none.allow" 127.0.0.1 no
match "$T/none.allow" ::1 no

# A long file: the table grows past its first allocations.
awk 'BEGIN { for (i = 0; i < 2000; i++)
    printf "10.%d.%d.0/24\n", int(i / 256), i % 256 }' >"$T/long.allow"
chmod 644 "$T/long.allow"
count_long() { [ "$("$AT" "$T/long.allow" | wc -l)" -eq 2000 ]; }
t "2000 entries load" count_long
match "$T/long.allow" 10.7.207.1 yes
match "$T/long.allow" 10.7.208.1 no

# The default table: loopback and the host's addresses, each exact.
NOFILE=$T/no/such/dracd.allow
default_dump() {
	"$AT" "$NOFILE" >"$T/d.out" &&
	    [ "$(head -n 1 "$T/d.out")" = "# default" ] &&
	    grep -qx 'inet 127.0.0.1/255.255.255.255' "$T/d.out" &&
	    grep -qx 'inet6 ::1/128' "$T/d.out" &&
	    ! grep -v -e '^#' -e '/255.255.255.255$' -e '/128$' "$T/d.out" &&
	    [ "$(sort "$T/d.out" | uniq -d)" = "" ]
}
t "missing file gives the default table" default_dump
match "$NOFILE" 127.0.0.1 yes
match "$NOFILE" ::1 yes
match "$NOFILE" ::ffff:127.0.0.1 yes
match "$NOFILE" 127.0.0.2 no
match "$NOFILE" ::2 no
default_all() {
	_a=$(sed -n 's,^inet6* \(.*\)/.*,\1,p' "$T/d.out")
	[ -n "$_a" ] &&
	    [ "$("$AT" "$NOFILE" $_a | grep -cv ' yes$')" -eq 0 ]
}
t "every address of the default table matches" default_all

# refused FILE EXPECTED: allowtest prints exactly EXPECTED and fails.
refused() {
	_r=$(timeout 10 "$AT" "$1" 2>&1)
	_rc=$?
	[ "$_rc" -eq 1 ] && [ "$_r" = "$2" ] || {
		echo "exit $_rc: $_r"
		return 1
	}
}

P=$T/perm.allow
printf '127.0.0.1\n' >"$P"
chmod 664 "$P"
t "group-writable file refused" refused "$P" \
    "$P: is group or world writable; chmod go-w $P"
chmod 646 "$P"
t "world-writable file refused" refused "$P" \
    "$P: is group or world writable; chmod go-w $P"
chmod 600 "$P"
t "mode 600 accepted" "$AT" "$P" 127.0.0.1
chmod 400 "$P"
t "mode 400 accepted" "$AT" "$P" 127.0.0.1
mkdir "$T/dir.allow"
t "directory refused" refused "$T/dir.allow" \
    "$T/dir.allow: not a regular file"
mkfifo "$T/fifo.allow"
t "fifo refused without blocking" refused "$T/fifo.allow" \
    "$T/fifo.allow: not a regular file"
t "open error names the file" refused "$P/x" "$P/x: Not a directory"
if [ "$(id -u)" -ne 0 ]; then
	chmod 000 "$P"
	t "unreadable file refused" refused "$P" "$P: Permission denied"
fi
awk 'BEGIN { for (i = 0; i < 40000; i++)
    printf "# %026d\n", i }' >"$T/big.allow"
chmod 644 "$T/big.allow"
t "file over 1 MB refused" refused "$T/big.allow" \
    "$T/big.allow: larger than 1048576 bytes"
head -c 1048576 "$T/big.allow" >"$T/mb.allow"
chmod 644 "$T/mb.allow"
t "file of exactly 1 MB accepted" "$AT" "$T/mb.allow"

# checked FILE EXPECTED: allow_check prints exactly EXPECTED.
checked() {
	_r=$("$AT" -c "$1" 2>&1)
	[ "$_r" = "$2" ] || {
		echo "$_r"
		return 1
	}
}
chmod 664 "$P"
t "check: group-writable file is one problem" checked "$P" \
    "$P: is group or world writable; chmod go-w $P
1 problems"
t "check: missing file is no problem" checked "$NOFILE" \
    "$NOFILE: no such file; only this host's own addresses are trusted
0 problems"

# dracd logs the warnings of the file it loads and uses the cleared entry;
# a reload to a refused file keeps the old list.
W=$T/w.allow
printf '255.255.255.0 127.0.0.77\n' >"$W"
chmod 644 "$W"
if dracd_start -a "$W" "$T/w.db"; then
	t "dracd logs the warning of a line with host bits" grep -q \
	    "$W:1: netaddr 127.0.0.77 has bits outside netmask 255.255.255.0; taken as 255.255.255.0 127.0.0.0" \
	    "$T/dracd.log"
	t "the entry is taken with them cleared" "$DRACCTL" add 192.0.2.9
	printf '255.255.255 127.0.0.0\n' >"$W"
	kill -HUP "$DRACD_PID"
	t "a reload to a refused file is logged" waitfor 5 grep -q \
	    "$W:1: netmask \"255.255.255\" is 255.255.0.255 to DRAC" \
	    "$T/dracd.log"
	t "and the old list kept" "$DRACCTL" add 192.0.2.10
	t "dracd exits cleanly" dracd_stop
else
	nok "dracd starts with a file that has warnings"
fi

finish

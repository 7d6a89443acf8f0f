#!/bin/sh
# v-oldmap.sh: dracd takes over the maps the original daemons wrote.  Each
# map is built here byte for byte as that daemon writes it (db_load of the
# exact bytes, 512-byte pages as the original sets), with entries already
# expired, entries about to expire, live ones, and records that are not
# DRAC's:
#   drac112  DRAC 1.12's default build: btree, "a.b.c.d" -> "expiry"
#   debian   Debian's drac: hash, also "::ffff:a.b.c.d" and IPv6 keys
#   kdcidr   TERM_KD + CIDR_KEY ("settings for postfix and exim"): btree,
#            "a.b.c.d/32\0" -> "expiry\0", "x::y/128\0"
# dracd, started on each with no format option, must keep its type and
# key convention, expire every DRAC record in every form, leave the others
# alone, write new adds the way the map already holds them, and warn (not
# refuse) when a flag contradicts the map.  The MTAs then find the adds:
# postfix's postmap on the plain maps, exim's net32-dbm and net128-dbm host
# lists on the CIDR map.
. "$(dirname "$0")/mta.sh"
mta_enter "$@"
. "$(dirname "$0")/lib.sh"

mta_env
trap 'mta_unsetup; lib_cleanup' EXIT
mta_setup "$T/m" || exit 1
printf '127.0.0.1\n::1\n' >"$T/allow"
NOW=$(date +%s)
PAST=$((NOW - 600))
SOON=$((NOW + 3))
LATER=$((NOW + 3600))

# hex TEXT: the bytes of TEXT as db_dump's hex, a trailing \0 as 00.
hex() {
	_s=$1
	_z=
	case $_s in *'\0') _s=${_s%??}; _z=00 ;; esac
	printf ' %s%s\n' "$(printf '%s' "$_s" | od -An -tx1 | tr -d ' \n')" "$_z"
}

# mkmap FILE TYPE: a map of TYPE from "key value" lines on stdin.
mkmap() {
	{
		printf 'VERSION=3\nformat=bytevalue\ntype=%s\n' "$2"
		printf 'db_pagesize=512\nHEADER=END\n'
		while read -r _k _v; do
			hex "$_k"
			hex "$_v"
		done
		echo DATA=END
	} | db_load "$1"
}

# has MAP KEY VALUE-RE: the record is there (dump's form: NUL as \00).
has() { dump "$1" | grep -qx "$2 $3"; }
gone() { ! dump "$1" | grep -q "^$2 "; }
maptype() { db_dump -p "$1" | sed -n 's/^type=//p'; }
# keys MAP RE...: for each RE, a record whose "key value" line matches it.
keys() {
	_m=$1
	shift
	for _re in "$@"; do
		dump "$_m" | grep -qx "$_re" || return 1
	done
}

mkmap "$T/m/drac112.db" btree <<EOF
192.0.2.1 $PAST
192.0.2.2 $SOON
192.0.2.3 $LATER
10.99.0.1 RELAY
example.com OK
EOF
mkmap "$T/m/debian.db" hash <<EOF
192.0.2.1 $PAST
::ffff:192.0.2.4 $PAST
::ffff:192.0.2.5 $SOON
2001:db8::1 $SOON
::ffff:192.0.2.6 $LATER
2001:db8::3 $LATER
10.99.0.1 RELAY
host.example REJECT
EOF
mkmap "$T/m/kdcidr.db" btree <<EOF
192.0.2.1/32\\0 $PAST\\0
192.0.2.2/32\\0 $SOON\\0
2001:db8::1/128\\0 $SOON\\0
192.0.2.3/32\\0 $LATER\\0
2001:db8::3/128\\0 $LATER\\0
10.99.0.1/32\\0 RELAY\\0
example.com\\0 OK\\0
EOF
t "the three maps verify as built" sh -c "db_verify -q '$T/m/drac112.db' &&
    db_verify -q '$T/m/debian.db' && db_verify -q '$T/m/kdcidr.db'"

# takeover NAME TYPE: dracd on map NAME keeps TYPE, expires the old
# entries in the map's own key forms and keeps the rest.
takeover() {
	_m=$T/m/$1.db
	if ! dracd_start -a "$T/allow" -e 1 "$_m"; then
		nok "$1: dracd starts on the map"
		return 1
	fi
	ok "$1: dracd starts on the map"
	t "$1: still a $2 map" test "$(maptype "$_m")" = "$2"
}

Z='\\00'
# --- DRAC 1.12
takeover drac112 btree
M=$T/m/drac112.db
t "drac112: expired 192.0.2.1 removed" waitfor 5 gone "$M" 192.0.2.1
t "drac112: 192.0.2.2 removed once due" waitfor 10 gone "$M" 192.0.2.2
t "drac112: live 192.0.2.3 kept" has "$M" 192.0.2.3 "$LATER"
t "drac112: RELAY record untouched" has "$M" 10.99.0.1 RELAY
t "drac112: host name record untouched" has "$M" example.com OK
t "drac112: dracctl add 192.0.2.50 2001:db8::50" \
    "$DRACCTL" add 192.0.2.50 2001:db8::50
t "drac112: new keys without NUL" waitfor 5 keys "$M" \
    '192\.0\.2\.50 [0-9]*' '2001:db8::50 [0-9]*'
t "drac112: SIGTERM, clean" dracd_stop
t "drac112: db_verify" db_verify -q "$M"

# --- Debian's drac
takeover debian hash
M=$T/m/debian.db
for k in 192.0.2.1 ::ffff:192.0.2.4; do
	t "debian: expired $k removed" waitfor 5 gone "$M" "$k"
done
for k in ::ffff:192.0.2.5 2001:db8::1; do
	t "debian: $k removed once due" waitfor 10 gone "$M" "$k"
done
t "debian: live ::ffff:192.0.2.6 kept under a key the MTAs look up" \
    has "$M" 192.0.2.6 "$LATER"
t "debian: live 2001:db8::3 kept" has "$M" 2001:db8::3 "$LATER"
t "debian: REJECT record untouched" has "$M" host.example REJECT
t "debian: dracctl add 192.0.2.51" "$DRACCTL" add 192.0.2.51
t "debian: new key without NUL" waitfor 5 keys "$M" '192\.0\.2\.51 [0-9]*'
t "debian: SIGTERM, clean" dracd_stop
t "debian: db_verify" db_verify -q "$M"

# --- TERM_KD + CIDR_KEY; -t hash and no -N contradict it: warnings only
M=$T/m/kdcidr.db
if dracd_start -a "$T/allow" -e 1 -t hash "$M"; then
	ok "kdcidr: dracd -t hash starts on the btree map"
else
	nok "kdcidr: dracd -t hash starts on the btree map"
fi
t "kdcidr: a warning names the map's own type" \
    grep -q 'btree' "$T/dracd.log"
t "kdcidr: still a btree map" test "$(maptype "$M")" = btree
t "kdcidr: expired 192.0.2.1/32 removed" \
    waitfor 5 gone "$M" "192.0.2.1/32$Z"
t "kdcidr: 192.0.2.2/32 removed once due" \
    waitfor 10 gone "$M" "192.0.2.2/32$Z"
t "kdcidr: 2001:db8::1/128 removed once due" \
    waitfor 10 gone "$M" "2001:db8::1/128$Z"
t "kdcidr: live 192.0.2.3/32 kept" has "$M" "192.0.2.3/32$Z" "$LATER$Z"
t "kdcidr: RELAY record untouched" has "$M" "10.99.0.1/32$Z" "RELAY$Z"
t "kdcidr: dracctl add 192.0.2.52 2001:db8::52" \
    "$DRACCTL" add 192.0.2.52 2001:db8::52
t "kdcidr: new keys in the map's form (CIDR, NUL)" waitfor 5 keys "$M" \
    "192\.0\.2\.52/32$Z [0-9]*$Z" "2001:db8::52/128$Z [0-9]*$Z" \
    "2001\.0db8\.0000\.0000\.0000\.0000\.0000\.0052/128$Z [0-9]*$Z"

# --- the MTAs read the adds
t "postfix main.cf for postmap" pf_conf postfix 2503 "$T/m/drac112"
pfq() { mta "$POSTMAP" -c "$T/postfix/conf" -q "$2" "$1"; }
t "postmap -q 192.0.2.50 btree:drac112 found" \
    pfq "btree:$T/m/drac112" 192.0.2.50
t "postmap -q 2001:db8::50 btree:drac112 found" \
    pfq "btree:$T/m/drac112" 2001:db8::50
t "postmap -q 192.0.2.51 hash:debian found" pfq "hash:$T/m/debian" 192.0.2.51
t "postmap -q 192.0.2.6 hash:debian found" pfq "hash:$T/m/debian" 192.0.2.6
tf "postmap -q 192.0.2.1 hash:debian not found" \
    pfq "hash:$T/m/debian" 192.0.2.1
t "exim.conf" ex_conf exim 2504 "$T/m/kdcidr" dbm
# exip ADDR LIST: exim -be's match_ip of ADDR against host list LIST.
exip() {
	mta "$EXIM" -C "$T/exim/exim.conf" -be \
	    "\${if match_ip{$1}{$2}{yes}{no}}"
}
# exfinds ADDR LIST / exmisses ADDR LIST: what exim -be's match_ip says.
exfinds() { exip "$1" "$2" | tee /dev/stderr | grep -qx yes; }
exmisses() { exip "$1" "$2" | tee /dev/stderr | grep -qx no; }
t "exim net32-dbm finds 192.0.2.52" exfinds 192.0.2.52 "net32-dbm;$M"
t "exim net32-dbm does not find 192.0.2.53" \
    exmisses 192.0.2.53 "net32-dbm;$M"
t "exim net128-dbm finds 2001:db8::52" exfinds 2001:db8::52 "net128-dbm;$M"
t "exim net128-dbm does not find 2001:db8::53" \
    exmisses 2001:db8::53 "net128-dbm;$M"
t "kdcidr: SIGTERM, clean" dracd_stop
t "kdcidr: db_verify" db_verify -q "$M"
finish

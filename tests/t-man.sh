#!/bin/sh
# t-man.sh: every manual page at the top level is clean mdoc or man(7):
# mandoc -Tlint -W warning prints nothing.
. "$(dirname "$0")/lib.sh"

cd "$TOP" || exit 1
n=0
for f in *.[1-8]; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	t "mandoc -Tlint $f" sh -c \
	    "out=\$(mandoc -Tlint -W warning '$f' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
done
[ "$n" -gt 0 ] || nok "manual pages" "none found"
finish

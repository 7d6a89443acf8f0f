#!/bin/sh
# v-install.sh: make install into a DESTDIR puts every file where
# PREFIX says, and a POP server's call compiles and links against the
# installed drac.h and libdrac, shared and static.
. "$(dirname "$0")/lib.sh"

D=$T/root
t "make install" make -C "$TOP" -s install DESTDIR="$D" PREFIX=/usr
for f in sbin/dracd bin/dracctl lib/libdrac.a lib/libdrac.so.1 \
    lib/libdrac.so include/drac.h share/man/man8/dracd.8 \
    share/man/man8/dracctl.8 share/man/man3/dracauth.3 \
    share/man/man3/dracsend6.3 share/man/man5/dracd.allow.5; do
	t "installed: $f" test -e "$D/usr/$f"
done
# contrib: where Debian's PAM and Dovecot look for their modules.
MA=$(cc -print-multiarch)
t "installed: pam_drac.so in /usr/lib/$MA/security" \
    test -f "$D/usr/lib/$MA/security/pam_drac.so"
t "installed: lib20_drac_plugin.so in /usr/lib/dovecot/modules" \
    test -f "$D/usr/lib/dovecot/modules/lib20_drac_plugin.so"
t "installed: drac-postlogin.sh in libexec, executable, names the dracctl" \
    sh -c "test -x '$D/usr/libexec/drac-postlogin.sh' &&
    grep -q '^DRACCTL=/usr/bin/dracctl' '$D/usr/libexec/drac-postlogin.sh'"
t "soname libdrac.so.1" sh -c \
    "objdump -p '$D/usr/lib/libdrac.so.1' | grep -q 'SONAME *libdrac.so.1'"
t "library exports the DRAC API" sh -c "nm -D --defined-only \
    '$D/usr/lib/libdrac.so.1' | grep -c ' T drac\(auth\|conn\|send\|disc\)6\?\$' | grep -qx 8"
cat >"$T/pop.c" <<'EOS'
#include <arpa/inet.h>
#include <stdio.h>
#include <drac.h>

int
main(void)
{
	char	*err = NULL;
	int	 r = dracauth("localhost", inet_addr("192.0.2.1"), &err);

	printf("%d %s\n", r, err ? err : "");
	return 0;
}
EOS
CF="-I$D/usr/include $(pkg-config --cflags libtirpc)"
t "POP server builds against the shared library" sh -c \
    "cc $CF -o '$T/pop' '$T/pop.c' -L'$D/usr/lib' -ldrac -ltirpc"
t "POP server builds against the static library" sh -c \
    "cc $CF -o '$T/pop-static' '$T/pop.c' '$D/usr/lib/libdrac.a' -ltirpc"
t "installed library runs (no dracd: returns an error, no hang)" sh -c \
    "DRAC_TIMEOUT=1 LD_LIBRARY_PATH='$D/usr/lib' '$T/pop' | grep -q '^-[12] .'"
finish

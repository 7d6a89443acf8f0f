# drac: dracd, libdrac and dracctl.
#
#   make            build everything under $(B) (default build/)
#   make run        install missing packages, start rpcbind if needed and
#                   run dracd in the foreground on ./var
#   make check      the test suite (normal build, then sanitizers, valgrind)
#   make check-fresh  make check and make run on a fresh minimal Debian 12
#   make bench      performance figures (bench-quick: a short run), a plot
#   make soak       crash soak: SOAK_KILLS (200) SIGKILLs of a loaded dracd
#   make fuzz       the libFuzzer harnesses, FUZZTIME seconds each (60)
#   make contrib    the PAM module and the Dovecot plugin (contrib/)
#   make install    DESTDIR, PREFIX, LIBDIR... honoured (PAMDIR, DOVECOT_MODDIR)
#   make deb        Debian packages under build/deb (dpkg-buildpackage),
#                   checked with lintian
#
# Objects, programs and libraries go to $(B); SAN=1 adds the address and
# undefined-behaviour sanitizers (make check builds that in build/san),
# TSAN=1 the thread sanitizer (build/tsan, for the event loop and the
# commit thread).

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
LIBDIR	?= $(PREFIX)/lib
INCDIR	?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/libexec
# Where Debian's PAM and Dovecot look for their modules.
MULTIARCH != $(CC) -print-multiarch 2>/dev/null || echo .
PAMDIR	?= /usr/lib/$(MULTIARCH)/security
DOVECOT_INC ?= /usr/include/dovecot
DOVECOT_MODDIR ?= /usr/lib/dovecot/modules
PCDIR	?= $(LIBDIR)/pkgconfig
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# The one version: dracd's.
VERSION	!= sed -n 's/^\#define DRACD_VERSION[^"]*"\(.*\)"/\1/p' dracd.c

B	?= build
CC	?= cc
CFLAGS	?= -O2 -g
SAN	?=
TSAN	?=
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
SANFLAGS = $(if $(SAN),$(SANITIZE))$(if $(TSAN), -fsanitize=thread)
TIRPC_CFLAGS != pkg-config --cflags libtirpc 2>/dev/null || echo -I/usr/include/tirpc
TIRPC_LIBS   != pkg-config --libs libtirpc 2>/dev/null || echo -ltirpc
# 64-bit time_t and off_t on every platform (a no-op where they are already).
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -I. \
	    $(TIRPC_CFLAGS)
# libtirpc's API is built on casts to xdrproc_t.
WARN	= -std=c11 -Wall -Wextra -Werror -Wno-cast-function-type
# rpcgen output is not ours to fix: no -Werror there.
GENWARN	= -std=gnu11 -w
ALLCF	= $(CFLAGS) $(SANFLAGS) -fPIC
LDFLAGS	+= $(SANFLAGS)
DBLIB	= -ldb-5.3

SOVER	= 1
LIBSO	= libdrac.so.$(SOVER)

GEN	= drac.h drac_xdr.c
DRACD_OBJS = dracd.o listen.o dgram.o conn.o rpc.o handler.o store.o map.o \
	     change.o lock.o allow.o expire.o addr.o key.o log.o clock.o num.o \
	     notify.o socketmap.o safeopen.o queue.o commit.o \
	     drac_xdr.o
# libdrac exports only what libdrac.ver lists, from the shared library
# and (one object, its other symbols made local) from the static one.
LIB_OBJS   = dracauth.o proc.o proc3.o client.o call.o rpcb.o async.o clock.o num.o \
	     pub/drac_clnt.o drac_xdr.o
LIB_SYMS   = sed -n 's/^[[:space:]]*\([a-z_0-9]*\);$$/\1/p' libdrac.ver
CTL_OBJS   = dracctl.o addr.o num.o

PROGS	= $(B)/dracd $(B)/dracctl $(B)/libdrac.a $(B)/$(LIBSO) $(B)/pub/drac.h
# C test drivers for tests/t-*.sh, built with everything else.
TESTPROGS += $(B)/tests/allowtest
TESTPROGS += $(B)/tests/rawrpc
TESTPROGS += $(B)/tests/hostile
TESTPROGS += $(B)/tests/libtest $(B)/tests/libtest-so
TESTPROGS += $(B)/tests/oldpop $(B)/tests/oldpop-so
TESTPROGS += $(B)/tests/bench
TESTPROGS += $(B)/tests/expiretest
TESTPROGS += $(B)/tests/logtest
TESTPROGS += $(B)/tests/journaltest $(B)/tests/maptest
TESTPROGS += $(B)/tests/soakclient $(B)/tests/libfault
TESTPROGS += $(B)/tests/asynctest
TESTPROGS += $(B)/tests/v3test $(B)/tests/olddracd
TESTPROGS += $(B)/tests/notifylisten
TESTPROGS += $(B)/tests/smclient
MANS	= dracd.8 dracctl.8 dracauth.3 dracd.allow.5
CONTRIB	= $(B)/contrib/pam_drac.so $(B)/contrib/lib20_drac_plugin.so

all: $(PROGS) $(TESTPROGS)

drac.h: drac.x
	rm -f $@
	rpcgen -h -M -o $@ drac.x
drac_xdr.c: drac.x
	rm -f $@
	rpcgen -c -o $@ drac.x

# libdrac's public side is DRAC 1.12's: its header and client stubs
# come from rpcgen without -M (a stub returns a pointer to a static
# result), so that programs built against the old library run unchanged.
# drac.h above (-M) is the tree's own.
$(B)/pub/drac.h: drac.x
	@mkdir -p $(B)/pub
	rm -f $@
	rpcgen -h -o $@ drac.x
$(B)/pub/drac_clnt.c: drac.x
	@mkdir -p $(B)/pub
	rm -f $@
	rpcgen -l -o $@ drac.x
$(B)/pub/drac_clnt.o: $(B)/pub/drac_clnt.c $(B)/pub/drac.h
	$(CC) $(CPPFLAGS) $(GENWARN) $(ALLCF) -c -o $@ $<

$(B)/drac_%.o: drac_%.c drac.h
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(GENWARN) $(ALLCF) -c -o $@ $<

$(B)/%.o: %.c drac.h $(wildcard *.h)
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) -c -o $@ $<

$(B)/dracd: $(addprefix $(B)/,$(DRACD_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(DBLIB) $(TIRPC_LIBS) -pthread

$(B)/libdrac.a: $(addprefix $(B)/,$(LIB_OBJS)) libdrac.ver
	rm -f $@ $(B)/libdrac.o
	$(LIB_SYMS) >$(B)/libdrac.syms
	$(LD) -r -o $(B)/libdrac-all.o $(filter %.o,$^)
	objcopy --keep-global-symbols=$(B)/libdrac.syms $(B)/libdrac-all.o \
	    $(B)/libdrac.o
	ar rcs $@ $(B)/libdrac.o

$(B)/$(LIBSO): $(addprefix $(B)/,$(LIB_OBJS)) libdrac.ver
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBSO) \
	    -Wl,--version-script=libdrac.ver -o $@ $(filter %.o,$^) \
	    $(TIRPC_LIBS)
	ln -sf $(LIBSO) $(B)/libdrac.so

$(B)/dracctl: $(addprefix $(B)/,$(CTL_OBJS)) $(B)/libdrac.a
	$(CC) $(LDFLAGS) -o $@ $^ $(TIRPC_LIBS)

# A test program is tests/NAME.c linked with the other sources in tests/
# and the objects and libraries of $(B) it depends on (below), then
# TLIBS_NAME; the other prerequisites (headers, expire.c and queue.c, which
# expiretest includes) only rebuild it.  libtest-so is libtest against the
# shared library.
TESTLINK = $(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ \
	   $(filter tests/%.c $(B)/%,$^) $(TLIBS_$(@F))

$(B)/tests/%: tests/%.c drac.h $(wildcard *.h tests/*.h)
	@mkdir -p $(B)/tests
	$(TESTLINK)

$(B)/tests/libtest-so: tests/libtest.c drac.h $(B)/$(LIBSO)
	@mkdir -p $(B)/tests
	$(TESTLINK)

$(B)/tests/rawrpc $(B)/tests/hostile: tests/hex.c
$(B)/tests/bench: tests/benchmap.c tests/benchplot.c
$(B)/tests/expiretest: expire.c queue.c
$(B)/tests/libtest $(B)/tests/bench $(B)/tests/soakclient \
    $(B)/tests/libfault $(B)/tests/asynctest $(B)/tests/v3test: \
    $(B)/libdrac.a
$(B)/tests/expiretest $(B)/tests/allowtest $(B)/tests/logtest: $(B)/addr.o
$(B)/tests/allowtest: $(B)/allow.o $(B)/safeopen.o
$(B)/tests/logtest: $(B)/log.o $(B)/clock.o
$(B)/tests/asynctest: $(B)/clock.o
$(B)/tests/olddracd: $(B)/drac_xdr.o
# journaltest includes change.c, for the journal's layout.
$(B)/tests/journaltest: change.c $(addprefix $(B)/,lock.o log.o clock.o addr.o \
    safeopen.o)
$(B)/tests/maptest: $(addprefix $(B)/,map.o change.o lock.o log.o clock.o \
    key.o addr.o num.o safeopen.o)

# oldpop: a program built against DRAC 1.12's library, declarations and
# all (it includes no drac.h of ours), linked static and shared.
$(B)/tests/oldpop: tests/oldpop.c $(B)/libdrac.a
	@mkdir -p $(B)/tests
	$(CC) $(TIRPC_CFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/oldpop.c \
	    $(B)/libdrac.a $(TIRPC_LIBS)

$(B)/tests/oldpop-so: tests/oldpop.c $(B)/$(LIBSO)
	@mkdir -p $(B)/tests
	$(CC) $(TIRPC_CFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/oldpop.c \
	    $(B)/$(LIBSO) -Wl,-rpath,'$$ORIGIN/..' $(TIRPC_LIBS)

TLIBS_libtest	  = $(TIRPC_LIBS) -lpthread
TLIBS_libtest-so  = -Wl,-rpath,'$$ORIGIN/..' $(TIRPC_LIBS) -lpthread
TLIBS_bench	  = $(DBLIB) $(TIRPC_LIBS) -lpthread -lm
TLIBS_maptest	  = $(DBLIB) -lpthread
TLIBS_soakclient  = $(TIRPC_LIBS)
TLIBS_libfault	  = $(TIRPC_LIBS)
TLIBS_asynctest	  = $(TIRPC_LIBS)
TLIBS_smclient	  = -lpthread
TLIBS_v3test	  = $(TIRPC_LIBS)
TLIBS_olddracd	  = $(TIRPC_LIBS)

contrib: $(CONTRIB)

# pam_drac.so: libdrac linked in and hidden; only pam_sm_* exported.
$(B)/contrib/pam_drac.so: contrib/pam/pam_drac.c contrib/pam/pam_drac.ver \
    drac.h num.h addr.h $(B)/num.o $(B)/addr.o $(B)/libdrac.a
	@mkdir -p $(B)/contrib
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -shared -o $@ \
	    contrib/pam/pam_drac.c $(B)/num.o $(B)/addr.o $(B)/libdrac.a \
	    $(TIRPC_LIBS) \
	    -lpam -Wl,--exclude-libs,ALL \
	    -Wl,--version-script=contrib/pam/pam_drac.ver

# The Dovecot plugin: built against dovecot-dev's headers, libdrac linked
# in and hidden.  Dovecot's headers want GNU C.
$(B)/contrib/lib20_drac_plugin.so: contrib/dovecot/drac-plugin.c \
    contrib/dovecot/drac-plugin.ver drac.h num.h $(B)/num.o $(B)/libdrac.a
	@test -f $(DOVECOT_INC)/config.h || \
	    { echo "no Dovecot headers in $(DOVECOT_INC): install dovecot-dev"; \
	    exit 1; }
	@mkdir -p $(B)/contrib
	$(CC) $(CPPFLAGS) -I$(DOVECOT_INC) -include $(DOVECOT_INC)/config.h \
	    -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	    $(ALLCF) $(LDFLAGS) -shared -o $@ contrib/dovecot/drac-plugin.c \
	    $(B)/num.o $(B)/libdrac.a $(TIRPC_LIBS) -Wl,--exclude-libs,ALL \
	    -Wl,--version-script=contrib/dovecot/drac-plugin.ver

# libFuzzer harnesses (tests/fuzz), built with clang and the sanitizers
# under build/fuzz by fuzz-build; make fuzz runs each FUZZTIME seconds.
FUZZ_B	= build/fuzz
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZTIME ?= 60
FUZZERS	= rpc xdr allow key
FUZZ_rpc   = rpc.o handler.o addr.o key.o allow.o safeopen.o log.o clock.o \
	     drac_xdr.o
FUZZ_xdr   = drac_xdr.o
FUZZ_allow = allow.o safeopen.o addr.o
FUZZ_key   = addr.o key.o
FUZZLINK = $(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -fsanitize=fuzzer \
	   -o $@ $(filter %.c %.o,$^) $(TIRPC_LIBS)

fuzzers: $(addprefix $(B)/fuzz-,$(FUZZERS))

$(B)/fuzz-rpc: tests/fuzz/fuzz_rpc.c tests/fuzz/stubstore.c \
    $(addprefix $(B)/,$(FUZZ_rpc)) tests/fuzz/fuzz.h
	$(FUZZLINK)
$(B)/fuzz-xdr: tests/fuzz/fuzz_xdr.c $(addprefix $(B)/,$(FUZZ_xdr)) \
    tests/fuzz/fuzz.h
	$(FUZZLINK)
$(B)/fuzz-allow: tests/fuzz/fuzz_allow.c $(addprefix $(B)/,$(FUZZ_allow)) \
    tests/fuzz/fuzz.h
	$(FUZZLINK)
$(B)/fuzz-key: tests/fuzz/fuzz_key.c $(addprefix $(B)/,$(FUZZ_key)) \
    tests/fuzz/fuzz.h
	$(FUZZLINK)

fuzz-build:
	$(MAKE) B=$(FUZZ_B) CC=clang SAN=1 SANITIZE='$(FUZZ_SAN)' fuzzers

fuzz: deps fuzz-build
	tests/fuzz.sh $(FUZZ_B) $(FUZZ_B)/work $(FUZZTIME) $(FUZZERS)

# Debian packages the build, make run and make check need.
DEPS	= gcc make pkgconf rpcsvc-proto rpcbind libtirpc-dev libdb5.3-dev \
	  db5.3-util db-util mandoc valgrind clang libclang-rt-14-dev \
	  procps iproute2 util-linux psmisc swaks netbase \
	  libio-socket-inet6-perl libpam0g-dev pamtester dovecot-dev systemd man-db \
	  strace

deps:
	@missing=; for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "missing packages; as root run: apt-get install$$missing"; \
		exit 1; \
	fi; \
	echo "installing:$$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends $$missing

run: deps all
	@mkdir -p var
	@[ -f var/dracd.allow ] || cp dracd.allow-sample var/dracd.allow
	@tests/rpcbind-up.sh
	$(B)/dracd -f -j var -a var/dracd.allow var/dracd.db

# make check's builds run two jobs at a time unless make was given -j.
CHECKJ	= $(if $(filter -j%,$(MAKEFLAGS)),,-j2)
check: deps
	$(MAKE) $(CHECKJ) all contrib
	$(MAKE) $(CHECKJ) B=build/san SAN=1 all contrib
	$(MAKE) $(CHECKJ) B=build/tsan TSAN=1 all
	$(MAKE) $(CHECKJ) fuzz-build
	tests/run.sh

# make check on a fresh minimal Debian 12 root, then make run there
# (tests/check-fresh.sh; as root, needs the package mirror).
check-fresh:
	tests/check-fresh.sh

# The performance figures, in private namespaces as make check (as root);
# the socketmap figures run postfix from tests/mta-fetch.sh's tree.
bench: deps all
	-@[ "$$(id -u)" -ne 0 ] || sh tests/mta-fetch.sh
	B=$(B) tests/bench.sh

bench-quick: deps all
	-@[ "$$(id -u)" -ne 0 ] || sh tests/mta-fetch.sh
	B=$(B) tests/bench.sh --quick

# make bench, then its plot becomes the README's (doc/bench.svg).
bench-doc: bench
	@mkdir -p doc
	cp $(B)/bench.svg doc/bench.svg

# The long crash soak (tests/t-soak.sh): SOAK_KILLS random SIGKILLs.
SOAK_KILLS ?= 200
soak: deps all
	SOAK_KILLS=$(SOAK_KILLS) BUILDS=$(B) tests/run.sh tests/t-soak.sh

install: all contrib
	install -d $(DESTDIR)$(PAMDIR)
	install -m 644 $(B)/contrib/pam_drac.so $(DESTDIR)$(PAMDIR)/pam_drac.so
	install -d $(DESTDIR)$(DOVECOT_MODDIR) $(DESTDIR)$(LIBEXECDIR)
	sed 's|^DRACCTL=[^	]*|DRACCTL=$(BINDIR)/dracctl|' \
	    contrib/dovecot-postlogin/drac-postlogin.sh \
	    >$(DESTDIR)$(LIBEXECDIR)/drac-postlogin.sh
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/drac-postlogin.sh
	install -m 644 $(B)/contrib/lib20_drac_plugin.so \
	    $(DESTDIR)$(DOVECOT_MODDIR)/lib20_drac_plugin.so
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(PCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 755 $(B)/dracd $(DESTDIR)$(SBINDIR)/dracd
	ln -sf dracd $(DESTDIR)$(SBINDIR)/rpc.dracd
	install -m 755 $(B)/dracctl $(DESTDIR)$(BINDIR)/dracctl
	install -m 644 $(B)/libdrac.a $(DESTDIR)$(LIBDIR)/libdrac.a
	install -m 755 $(B)/$(LIBSO) $(DESTDIR)$(LIBDIR)/$(LIBSO)
	ln -sf $(LIBSO) $(DESTDIR)$(LIBDIR)/libdrac.so
	install -m 644 $(B)/pub/drac.h $(DESTDIR)$(INCDIR)/drac.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    drac.pc.in >$(DESTDIR)$(PCDIR)/drac.pc
	sed 's|/usr/sbin/dracd|$(SBINDIR)/dracd|' contrib/systemd/dracd.service \
	    >$(DESTDIR)$(UNITDIR)/dracd.service
	install -m 644 contrib/systemd/drac.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/drac.conf
	install -m 644 contrib/systemd/drac.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/drac.conf
	install -m 644 dracd.8 dracctl.8 $(DESTDIR)$(MANDIR)/man8/
	ln -sf dracd.8 $(DESTDIR)$(MANDIR)/man8/rpc.dracd.8
	install -m 644 dracauth.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 dracd.allow.5 $(DESTDIR)$(MANDIR)/man5/
	for f in dracconn dracsend dracdisc dracauth6 dracconn6 dracsend6 \
	    dracdisc6 dractimeout drac_open drac_add drac_add_v2 drac_ping \
	    drac_close dracproc_add_1 dracproc_add_2 drac_async_add \
	    drac_async_fd drac_async_timeout_ms drac_async_result \
	    drac_async_wait drac_async_count drac_async_server \
	    drac_async_free; do ln -sf dracauth.3 $(DESTDIR)$(MANDIR)/man3/$$f.3; done

# What make deb needs beyond DEPS.
DEBDEPS	= build-essential debhelper dpkg-dev fakeroot lintian

# Debian packages from debian/, built in a copy of the tree under
# build/deb (dpkg-buildpackage writes its results beside the tree), then
# lintian: no error, no warning (overrides give their reasons).
deb: deps
	@$(MAKE) -s DEPS='$(DEBDEPS)' deps
	@v=$$(dpkg-parsechangelog -S Version); [ "$${v%%-*}" = "$(VERSION)" ] || \
	    { echo "debian/changelog: $$v, dracd.c: $(VERSION)"; exit 1; }
	rm -rf build/deb
	mkdir -p build/deb/drac-$(VERSION)
	tar -cf - --exclude=./build --exclude=./var --exclude=./.git . | \
	    tar -xf - -C build/deb/drac-$(VERSION)
	cd build/deb/drac-$(VERSION) && dpkg-buildpackage -b -us -uc
	lintian -I --fail-on error,warning build/deb/*.changes

clean:
	rm -rf build $(GEN)

.PHONY: all contrib deps run check check-fresh bench bench-quick bench-doc soak install deb clean fuzzers fuzz-build fuzz

# drac: dracd, libdrac and dracctl.
#
#   make            build everything under $(B) (default build/)
#   make run        install missing packages, start rpcbind if needed and
#                   run dracd in the foreground on ./var
#   make check      the test suite (normal build, then sanitizers, valgrind)
#   make check-fresh  make check and make run on a fresh minimal Debian 12
#   make bench      performance figures (bench-quick: a short run)
#   make soak       crash soak: SOAK_KILLS (200) SIGKILLs of a loaded dracd
#   make fuzz       the libFuzzer harnesses, FUZZTIME seconds each (60)
#   make install    DESTDIR, PREFIX honoured
#
# Objects, programs and libraries go to $(B); SAN=1 adds the address and
# undefined-behaviour sanitizers (make check builds that in build/san).

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
LIBDIR	?= $(PREFIX)/lib
INCDIR	?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man

B	?= build
CC	?= cc
CFLAGS	?= -O2 -g
SAN	?=
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all
SANFLAGS = $(if $(SAN),$(SANITIZE))
TIRPC_CFLAGS != pkg-config --cflags libtirpc 2>/dev/null || echo -I/usr/include/tirpc
TIRPC_LIBS   != pkg-config --libs libtirpc 2>/dev/null || echo -ltirpc
CPPFLAGS += -D_GNU_SOURCE -I. $(TIRPC_CFLAGS)
# libtirpc's API is built on casts to xdrproc_t.
WARN	= -std=c11 -Wall -Wextra -Werror -Wno-cast-function-type
# rpcgen output is not ours to fix: no -Werror there.
GENWARN	= -std=gnu11 -w
ALLCF	= $(CFLAGS) $(SANFLAGS) -fPIC
LDFLAGS	+= $(SANFLAGS)
DBLIB	= -ldb-5.3

SOVER	= 1
LIBSO	= libdrac.so.$(SOVER)

GEN	= drac.h drac_xdr.c drac_clnt.c drac_svc.c
DRACD_OBJS = dracd.o handler.o dgram.o conn.o store.o map.o journal.o allow.o expire.o addr.o log.o \
	     socketmap.o \
	     clock.o num.o \
	     drac_svc.o drac_xdr.o
LIB_OBJS   = dracauth.o drac_clnt.o drac_xdr.o
CTL_OBJS   = dracctl.o

PROGS	= $(B)/dracd $(B)/dracctl $(B)/libdrac.a $(B)/$(LIBSO)
# C test drivers for tests/t-*.sh, built with everything else.
TESTPROGS += $(B)/tests/allowtest
TESTPROGS += $(B)/tests/rawrpc
TESTPROGS += $(B)/tests/hostile
TESTPROGS += $(B)/tests/libtest $(B)/tests/libtest-so
TESTPROGS += $(B)/tests/bench
TESTPROGS += $(B)/tests/expiretest
TESTPROGS += $(B)/tests/soakclient $(B)/tests/libfault
TESTPROGS += $(B)/tests/smclient
MANS	= dracd.8 dracctl.8 dracauth.3 dracd.allow.5

all: $(PROGS) $(TESTPROGS)

drac.h: drac.x
	rm -f $@
	rpcgen -h -M -o $@ drac.x
drac_xdr.c: drac.x
	rm -f $@
	rpcgen -c -o $@ drac.x
drac_clnt.c: drac.x
	rm -f $@
	rpcgen -l -M -o $@ drac.x
drac_svc.c: drac.x
	rm -f $@
	rpcgen -m -M -o $@ drac.x

$(B)/drac_%.o: drac_%.c drac.h
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(GENWARN) $(ALLCF) -c -o $@ $<

$(B)/%.o: %.c drac.h $(wildcard *.h)
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) -c -o $@ $<

$(B)/dracd: $(addprefix $(B)/,$(DRACD_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(DBLIB) $(TIRPC_LIBS)

$(B)/libdrac.a: $(addprefix $(B)/,$(LIB_OBJS))
	rm -f $@
	ar rcs $@ $^

$(B)/$(LIBSO): $(addprefix $(B)/,$(LIB_OBJS))
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBSO) -o $@ $^ $(TIRPC_LIBS)
	ln -sf $(LIBSO) $(B)/libdrac.so

$(B)/dracctl: $(addprefix $(B)/,$(CTL_OBJS)) $(B)/libdrac.a
	$(CC) $(LDFLAGS) -o $@ $^ $(TIRPC_LIBS)

$(B)/tests/rawrpc: tests/rawrpc.c tests/hex.c tests/hex.h
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/rawrpc.c \
	    tests/hex.c

$(B)/tests/hostile: tests/hostile.c tests/hex.c tests/hex.h
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/hostile.c \
	    tests/hex.c

# libtest: the compatible API as an old POP server calls it; libtest-so
# is the same program linked against the shared library.
$(B)/tests/libtest: tests/libtest.c drac.h $(B)/libdrac.a
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/libtest.c \
	    $(B)/libdrac.a $(TIRPC_LIBS) -lpthread

$(B)/tests/libtest-so: tests/libtest.c drac.h $(B)/$(LIBSO)
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/libtest.c \
	    $(B)/$(LIBSO) -Wl,-rpath,'$$ORIGIN/..' $(TIRPC_LIBS) -lpthread

# expiretest includes expire.c, to look at its hash chains.
$(B)/tests/expiretest: tests/expiretest.c expire.c expire.h $(B)/addr.o
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/expiretest.c \
	    $(B)/addr.o

# bench: the performance figures (make bench, make bench-quick).
$(B)/tests/bench: tests/bench.c tests/benchmap.c tests/bench.h drac.h \
    $(B)/libdrac.a
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/bench.c \
	    tests/benchmap.c $(B)/libdrac.a $(DBLIB) $(TIRPC_LIBS) -lpthread

$(B)/tests/soakclient: tests/soakclient.c drac.h $(B)/libdrac.a
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ \
	    tests/soakclient.c $(B)/libdrac.a $(TIRPC_LIBS)

$(B)/tests/libfault: tests/libfault.c drac.h $(B)/libdrac.a
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ \
	    tests/libfault.c $(B)/libdrac.a $(TIRPC_LIBS)

# smclient: the socketmap client of t-socketmap.sh and the bench.
$(B)/tests/smclient: tests/smclient.c
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/smclient.c \
	    -lpthread

$(B)/tests/allowtest: tests/allowtest.c allow.h $(B)/allow.o $(B)/log.o
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(WARN) $(ALLCF) $(LDFLAGS) -o $@ tests/allowtest.c \
	    $(B)/allow.o $(B)/log.o

# libFuzzer harnesses (tests/fuzz), built with clang and the sanitizers
# under build/fuzz by fuzz-build; make fuzz runs each FUZZTIME seconds.
FUZZ_B	= build/fuzz
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZTIME ?= 60
FUZZERS	= rpc xdr allow key
FUZZ_rpc   = handler.o dgram.o addr.o allow.o log.o drac_svc.o drac_xdr.o
FUZZ_xdr   = drac_xdr.o
FUZZ_allow = allow.o
FUZZ_key   = addr.o
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
	  libio-socket-inet6-perl

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
	$(B)/dracd -f -a var/dracd.allow var/dracd.db

check: deps
	$(MAKE) all
	$(MAKE) B=build/san SAN=1 all
	$(MAKE) fuzz-build
	tests/run.sh

# make check on a fresh minimal Debian 12 root, then make run there
# (tests/check-fresh.sh; as root, needs the package mirror).
check-fresh:
	tests/check-fresh.sh

# The performance figures, in private namespaces as make check (as root).
bench: deps all
	B=$(B) tests/bench.sh

bench-quick: deps all
	B=$(B) tests/bench.sh --quick

# The long crash soak (tests/t-soak.sh): SOAK_KILLS random SIGKILLs.
SOAK_KILLS ?= 200
soak: deps all
	SOAK_KILLS=$(SOAK_KILLS) BUILDS=$(B) tests/run.sh tests/t-soak.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3 \
	    $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(B)/dracd $(DESTDIR)$(SBINDIR)/dracd
	install -m 755 $(B)/dracctl $(DESTDIR)$(BINDIR)/dracctl
	install -m 644 $(B)/libdrac.a $(DESTDIR)$(LIBDIR)/libdrac.a
	install -m 755 $(B)/$(LIBSO) $(DESTDIR)$(LIBDIR)/$(LIBSO)
	ln -sf $(LIBSO) $(DESTDIR)$(LIBDIR)/libdrac.so
	install -m 644 drac.h $(DESTDIR)$(INCDIR)/drac.h
	install -m 644 dracd.8 dracctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 dracauth.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 dracd.allow.5 $(DESTDIR)$(MANDIR)/man5/
	for f in dracconn dracsend dracdisc dracauth6 dracconn6 dracsend6 \
	    dracdisc6 dractimeout drac_open drac_add drac_add_v2 drac_ping \
	    drac_close; do ln -sf dracauth.3 $(DESTDIR)$(MANDIR)/man3/$$f.3; done

clean:
	rm -rf build $(GEN)

.PHONY: all deps run check check-fresh bench bench-quick soak install clean fuzzers fuzz-build fuzz

/*
 * libtest: drives libdrac for tests/t-lib.sh.  It calls the compatible API
 * exactly as an old POP server does (inet_addr() result, char **errmsg),
 * and the handle API where a case needs it.
 *
 *	libtest auth server address...	dracauth()/dracauth6() per address
 *	libtest conn server address...	dracconn(6)/dracsend(6)/dracdisc(6)
 *	libtest notconn			dracsend(6)/dracdisc(6), never connected
 *	libtest fds server count	descriptors before/after count rounds
 *	libtest threads server		concurrent dracsend(6) and dracconn(6)
 *	libtest fork server n count	dracconn(), then n children dracsend()
 *	libtest fake			cases against a fake dracd of our own
 *
 * auth, conn and notconn print "what: rc" or "what: rc: message" per call.
 * fake binds a UDP socket on 127.0.0.1, registers it with rpcbind as
 * program 900101 versions 1 and 2 (so no dracd may be registered), records
 * each request and answers as told; it prints "ok NAME" or "FAIL NAME:
 * why" per case.  Every exit status is 0 when all went as expected.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netconfig.h>
#include <rpc/rpc.h>

#include "drac.h"

#define SERVER		"localhost"
#define NTHREADS	8

struct fake {
	int		 fd;
	struct sockaddr_in sin;
	struct netconfig *nc;
	pthread_t	 thr;
	atomic_int	 stop;
	pthread_mutex_t	 lock;
	int		 reply;		/* addstat to answer with; -1: none */
	int		 nreq;
	unsigned char	 req[512];	/* the last request */
	size_t		 reqlen;
};

static char why[256];
static int nfail;

/* Fills why and returns -1, for a failed check. */
static int
bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
count_fds(void)
{
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return -1;
	while (readdir(dir) != NULL)
		n++;
	closedir(dir);
	return n;
}

static void
show(const char *what, int rc, const char *msg)
{
	if (rc == 0)
		printf("%s: 0\n", what);
	else
		printf("%s: %d: %s\n", what, rc, msg != NULL ? msg : "(null)");
}

/* Authorizes text as an old POP server would: dracauth() or dracauth6(). */
static int
auth(const char *server, const char *text, char **msg)
{
	unsigned char a6[16];

	if (strchr(text, ':') == NULL)
		return dracauth((char *)server, inet_addr(text), msg);
	if (inet_pton(AF_INET6, text, a6) != 1) {
		*msg = "bad address";
		return -99;
	}
	return dracauth6((char *)server, a6, msg);
}

static int
send_text(const char *text, char **msg)
{
	unsigned char a6[16];

	if (strchr(text, ':') == NULL)
		return dracsend(inet_addr(text), msg);
	if (inet_pton(AF_INET6, text, a6) != 1) {
		*msg = "bad address";
		return -99;
	}
	return dracsend6(a6, msg);
}

static int
cmd_auth(int argc, char *argv[])
{
	char *msg = NULL;
	int i, rc, fails = 0;

	for (i = 1; i < argc; i++) {
		rc = auth(argv[0], argv[i], &msg);
		show(argv[i], rc, msg);
		fails += rc != 0;
	}
	return fails != 0;
}

static int
cmd_conn(int argc, char *argv[])
{
	char *msg = NULL;
	int i, rc, fails = 0;

	rc = dracconn(argv[0], &msg);
	show("dracconn", rc, msg);
	fails += rc != 0;
	rc = dracconn6(argv[0], &msg);
	show("dracconn6", rc, msg);
	fails += rc != 0;
	for (i = 1; i < argc; i++) {
		rc = send_text(argv[i], &msg);
		show(argv[i], rc, msg);
		fails += rc != 0;
	}
	rc = dracdisc(&msg);
	show("dracdisc", rc, msg);
	fails += rc != 0;
	rc = dracdisc6(&msg);
	show("dracdisc6", rc, msg);
	fails += rc != 0;
	return fails != 0;
}

static int
cmd_notconn(void)
{
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char *msg = NULL;
	int rc;

	/* Call, then show: an argument msg could be read before the call. */
	rc = dracsend(inet_addr("10.1.2.3"), &msg);
	show("dracsend", rc, msg);
	rc = dracsend6(a6, &msg);
	show("dracsend6", rc, msg);
	rc = dracdisc(&msg);
	show("dracdisc", rc, msg);
	rc = dracdisc6(&msg);
	show("dracdisc6", rc, msg);
	rc = drac_ping(NULL, &msg);
	show("drac_ping", rc, msg);
	return 0;
}

/* One round of every kind of call; returns how many failed. */
static int
round_all(const char *server)
{
	struct sockaddr_in sin;
	struct drac *d;
	char *msg;
	int fails = 0;

	fails += auth(server, "10.7.7.7", &msg) != 0;
	fails += auth(server, "2001:db8::7", &msg) != 0;
	fails += dracconn((char *)server, &msg) != 0;
	fails += send_text("10.7.7.8", &msg) != 0;
	fails += dracdisc(&msg) != 0;
	fails += dracconn6((char *)server, &msg) != 0;
	fails += send_text("2001:db8::8", &msg) != 0;
	fails += dracdisc6(&msg) != 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = inet_addr("10.7.7.9");
	if ((d = drac_open(server, "tcp", 0, &msg)) == NULL)
		return fails + 1;
	fails += drac_add(d, (struct sockaddr *)&sin, &msg) != 0;
	drac_close(d);
	return fails;
}

static int
cmd_fds(int argc, char *argv[])
{
	int i, n, before, fails = 0;

	if (argc != 2 || (n = atoi(argv[1])) <= 0)
		return 2;
	before = count_fds();
	for (i = 0; i < n; i++)
		fails += round_all(argv[0]);
	printf("%d %d %d\n", before, count_fds(), fails);
	return 0;
}

static atomic_int tfails;

static void *
sender(void *arg)
{
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };
	const char *server = arg;
	char *msg;
	int i;

	for (i = 0; i < 50; i++) {
		if (dracsend(inet_addr("10.8.8.8"), &msg) != 0 ||
		    dracsend6(a6, &msg) != 0)
			atomic_fetch_add(&tfails, 1);
		if (i % 10 == 0 && auth(server, "10.8.8.9", &msg) != 0)
			atomic_fetch_add(&tfails, 1);
	}
	return NULL;
}

static void *
reconnector(void *arg)
{
	char *msg;
	int i;

	for (i = 0; i < 10; i++)
		if (dracconn(arg, &msg) != 0 || dracconn6(arg, &msg) != 0)
			atomic_fetch_add(&tfails, 1);
	return NULL;
}

static int
cmd_threads(int argc, char *argv[])
{
	pthread_t t[NTHREADS + 1];
	char *msg;
	int i;

	if (argc != 1)
		return 2;
	if (dracconn(argv[0], &msg) != 0 || dracconn6(argv[0], &msg) != 0) {
		printf("threads: dracconn: %s\n", msg);
		return 1;
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, sender, argv[0]);
	pthread_create(&t[NTHREADS], NULL, reconnector, argv[0]);
	for (i = 0; i <= NTHREADS; i++)
		pthread_join(t[i], NULL);
	dracdisc(&msg);
	dracdisc6(&msg);
	printf("threads: %d failed\n", atomic_load(&tfails));
	return atomic_load(&tfails) != 0;
}

/*
 * Child k of cmd_fork: dracsend() count distinct addresses, 10.(100 + k).
 * (i / 250).(i % 250 + 1), on the connection its parent opened.  Exits 0
 * when every call returned 0.
 */
static void
fork_child(int k, int count)
{
	char *msg = NULL;
	uint32_t a;
	int i, rc, fails = 0;

	for (i = 0; i < count; i++) {
		a = 10U << 24 | (uint32_t)(100 + k) << 16 |
		    (uint32_t)(i / 250) << 8 | (uint32_t)(i % 250 + 1);
		if ((rc = dracsend(htonl(a), &msg)) != 0 && fails++ == 0)
			printf("child %d: call %d: %d: %s\n", k, i, rc, msg);
	}
	if (fails > 0)
		printf("child %d: %d of %d calls failed\n", k, fails, count);
	fflush(stdout);
	_exit(fails != 0);
}

/* dracconn() here, then n children that share it and each dracsend(). */
static int
cmd_fork(int argc, char *argv[])
{
	char *msg = NULL;
	int i, n, count, status, failed = 0;
	pid_t pid;

	if (argc != 3 || (n = atoi(argv[1])) <= 0 || n > 100 ||
	    (count = atoi(argv[2])) <= 0 || count > 60000)
		return 2;
	if (dracconn(argv[0], &msg) != 0) {
		printf("fork: dracconn: %s\n", msg);
		return 1;
	}
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1)
			failed++;
		else if (pid == 0)
			fork_child(i, count);
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	dracdisc(&msg);
	printf("fork: %d of %d children failed\n", failed, n);
	return failed != 0;
}

/* The reply to the call in req, with addstat st, into out; its length. */
static size_t
fake_answer(const unsigned char *req, unsigned char *out, int st)
{
	uint32_t w[7];
	size_t n;

	memcpy(&w[0], req, 4);			/* xid */
	w[1] = htonl(1);			/* REPLY */
	w[2] = htonl(0);			/* MSG_ACCEPTED */
	w[3] = htonl(0);			/* verifier AUTH_NONE */
	w[4] = htonl(0);
	w[5] = htonl(0);			/* SUCCESS */
	w[6] = htonl((uint32_t)st);
	/* The NULL procedure has no result. */
	n = req[20] == 0 && req[21] == 0 && req[22] == 0 && req[23] == 0 ?
	    24 : 28;
	memcpy(out, w, n);
	return n;
}

static void *
fake_serve(void *arg)
{
	struct fake *f = arg;
	struct sockaddr_storage from;
	struct pollfd pfd;
	unsigned char buf[512], out[32];
	socklen_t flen;
	ssize_t n;
	int st;

	pfd.fd = f->fd;
	pfd.events = POLLIN;
	while (!atomic_load(&f->stop)) {
		if (poll(&pfd, 1, 20) != 1)
			continue;
		flen = sizeof(from);
		n = recvfrom(f->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &flen);
		if (n < 24)
			continue;
		pthread_mutex_lock(&f->lock);
		memcpy(f->req, buf, (size_t)n);
		f->reqlen = (size_t)n;
		f->nreq++;
		st = f->reply;
		pthread_mutex_unlock(&f->lock);
		if (st >= 0)
			sendto(f->fd, out, fake_answer(buf, out, st), 0,
			    (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static int
fake_register(struct fake *f)
{
	struct netbuf nb;

	nb.buf = &f->sin;
	nb.len = nb.maxlen = sizeof(f->sin);
	rpcb_unset(DRACPROG, DRACVERS, f->nc);
	rpcb_unset(DRACPROG, DRACVERS6, f->nc);
	if (!rpcb_set(DRACPROG, DRACVERS, f->nc, &nb) ||
	    !rpcb_set(DRACPROG, DRACVERS6, f->nc, &nb))
		return bad("rpcb_set failed (is a dracd registered?)");
	return 0;
}

/* Binds a new socket on 127.0.0.1, registers it, starts serving. */
static int
fake_start(struct fake *f)
{
	socklen_t len = sizeof(f->sin);

	memset(&f->sin, 0, sizeof(f->sin));
	f->sin.sin_family = AF_INET;
	f->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((f->fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(f->fd, (struct sockaddr *)&f->sin, sizeof(f->sin)) == -1 ||
	    getsockname(f->fd, (struct sockaddr *)&f->sin, &len) == -1)
		return bad("socket: %m");
	if (fake_register(f) == -1)
		return -1;
	atomic_store(&f->stop, 0);
	if (pthread_create(&f->thr, NULL, fake_serve, f) != 0)
		return bad("pthread_create failed");
	return 0;
}

static void
fake_stop(struct fake *f)
{
	atomic_store(&f->stop, 1);
	pthread_join(f->thr, NULL);
	rpcb_unset(DRACPROG, DRACVERS, f->nc);
	rpcb_unset(DRACPROG, DRACVERS6, f->nc);
	close(f->fd);
}

static void
fake_set(struct fake *f, int reply)
{
	pthread_mutex_lock(&f->lock);
	f->reply = reply;
	f->reqlen = 0;
	pthread_mutex_unlock(&f->lock);
}

/*
 * Checks the last request: version, procedure and argument bytes (the
 * call header is 40 bytes with AUTH_NONE credentials and verifier).
 */
static int
fake_expect(struct fake *f, uint32_t vers, uint32_t proc,
    const unsigned char *args, size_t len)
{
	unsigned char req[512];
	uint32_t w[10];
	size_t n;
	char hex[3 * 64 + 1];
	size_t i;

	pthread_mutex_lock(&f->lock);
	n = f->reqlen;
	memcpy(req, f->req, n);
	pthread_mutex_unlock(&f->lock);
	if (n < 40)
		return bad("no request seen");
	memcpy(w, req, 40);
	if (ntohl(w[3]) != DRACPROG || ntohl(w[4]) != vers ||
	    ntohl(w[5]) != proc || ntohl(w[7]) != 0 || ntohl(w[9]) != 0)
		return bad("call prog %u vers %u proc %u", ntohl(w[3]),
		    ntohl(w[4]), ntohl(w[5]));
	if (n - 40 != len || (len > 0 && memcmp(req + 40, args, len) != 0)) {
		for (i = 0; i < n - 40 && i < 64; i++)
			snprintf(hex + 3 * i, 4, "%02x ", req[40 + i]);
		hex[3 * i] = '\0';
		return bad("argument bytes %s", hex);
	}
	return 0;
}

/* The v2 argument as XDR sends it: each (plain) char as a 4-byte int. */
static size_t
xdr_chars(const unsigned char a6[16], unsigned char *out)
{
	uint32_t w;
	int i;

	for (i = 0; i < 16; i++) {
		w = htonl((uint32_t)(int)(char)a6[i]);
		memcpy(out + 4 * i, &w, 4);
	}
	return 64;
}

static const unsigned char v1_10_1_2_3[4] = { 0x0a, 0x01, 0x02, 0x03 };
static const unsigned char a6_db8_1[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
};
static const unsigned char a6_mapped[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3
};

/*
 * rc and message of a call against what a case expects; *msgp is read
 * here, after the call (an argument msg could be read before it).
 */
static int
expect_rc(int rc, int want, char *const *msgp, const char *wantmsg)
{
	const char *msg = *msgp;

	if (rc != want)
		return bad("returned %d, want %d (%s)", rc, want,
		    msg != NULL ? msg : "no message");
	if (wantmsg != NULL && (msg == NULL || strcmp(msg, wantmsg) != 0))
		return bad("message \"%s\", want \"%s\"",
		    msg != NULL ? msg : "(null)", wantmsg);
	return 0;
}

static int
case_v1_wire(struct fake *f)
{
	char *msg = NULL;

	fake_set(f, ADD_SUCCESS);
	if (expect_rc(dracauth(SERVER, inet_addr("10.1.2.3"), &msg), 0, &msg,
	    NULL) == -1)
		return -1;
	return fake_expect(f, 1, 1, v1_10_1_2_3, 4);
}

static int
case_v2_wire(struct fake *f)
{
	unsigned char a6[16], want[64];
	char *msg = NULL;

	memcpy(a6, a6_db8_1, 16);
	fake_set(f, ADD_SUCCESS);
	if (expect_rc(dracauth6(SERVER, a6, &msg), 0, &msg, NULL) == -1)
		return -1;
	return fake_expect(f, 2, 1, want, xdr_chars(a6_db8_1, want));
}

static int
handle_add(struct fake *f, const struct sockaddr *sa, int v2, int st,
    int wantrc)
{
	struct drac *d;
	char *msg = NULL;
	int rc;

	fake_set(f, st);
	if ((d = drac_open(NULL, NULL, 0, &msg)) == NULL)
		return bad("drac_open: %s", msg);
	rc = v2 ? drac_add_v2(d, sa, &msg) : drac_add(d, sa, &msg);
	drac_close(d);
	return expect_rc(rc, wantrc, &msg, NULL);
}

static int
case_add_v2_mapped(struct fake *f)
{
	struct sockaddr_in sin;
	unsigned char want[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = inet_addr("10.1.2.3");
	if (handle_add(f, (struct sockaddr *)&sin, 1, ADD_SUCCESS, 0) == -1)
		return -1;
	return fake_expect(f, 2, 1, want, xdr_chars(a6_mapped, want));
}

static int
case_add_mapped_v1(struct fake *f)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, a6_mapped, 16);
	if (handle_add(f, (struct sockaddr *)&sin6, 0, ADD_SUCCESS, 0) == -1)
		return -1;
	return fake_expect(f, 1, 1, v1_10_1_2_3, 4);
}

static int
case_add_v6(struct fake *f)
{
	struct sockaddr_in6 sin6;
	unsigned char want[64];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, a6_db8_1, 16);
	if (handle_add(f, (struct sockaddr *)&sin6, 0, ADD_SUCCESS, 0) == -1)
		return -1;
	return fake_expect(f, 2, 1, want, xdr_chars(a6_db8_1, want));
}

static int
case_ping(struct fake *f)
{
	struct drac *d;
	char *msg = NULL;
	int rc;

	fake_set(f, ADD_SUCCESS);
	if ((d = drac_open(SERVER, "udp", 2000, &msg)) == NULL)
		return bad("drac_open: %s", msg);
	rc = drac_ping(d, &msg);
	drac_close(d);
	if (expect_rc(rc, 0, &msg, NULL) == -1)
		return -1;
	return fake_expect(f, 1, 0, NULL, 0);
}

static int
addstat_case(struct fake *f, int st, const char *wantmsg)
{
	char *msg = NULL;

	fake_set(f, st);
	return expect_rc(dracauth(SERVER, inet_addr("10.1.2.3"), &msg), st,
	    &msg, wantmsg);
}

static int
case_perm(struct fake *f)
{
	return addstat_case(f, ADD_PERM, "Server reports permission denied");
}

static int
case_syserr(struct fake *f)
{
	return addstat_case(f, ADD_SYSERR, "Server reports system error");
}

static int
case_unknown(struct fake *f)
{
	return addstat_case(f, ADD_UNKOWN, NULL);
}

static int
case_conn(struct fake *f)
{
	unsigned char a6[16], want[64];
	char *msg = NULL;

	memcpy(a6, a6_db8_1, 16);
	fake_set(f, ADD_SUCCESS);
	if (expect_rc(dracconn(SERVER, &msg), 0, &msg, NULL) == -1 ||
	    expect_rc(dracsend(inet_addr("10.1.2.3"), &msg), 0, &msg,
	    NULL) == -1 || fake_expect(f, 1, 1, v1_10_1_2_3, 4) == -1 ||
	    expect_rc(dracdisc(&msg), 0, &msg, NULL) == -1)
		return -1;
	if (expect_rc(dracconn6(SERVER, &msg), 0, &msg, NULL) == -1 ||
	    expect_rc(dracsend6(a6, &msg), 0, &msg, NULL) == -1 ||
	    fake_expect(f, 2, 1, want, xdr_chars(a6_db8_1, want)) == -1)
		return -1;
	return expect_rc(dracdisc6(&msg), 0, &msg, NULL);
}

/* A call that gets no answer returns -2 in lo..hi ms. */
static int
silent_call(struct fake *f, int which, long lo, long hi)
{
	char *msg = NULL;
	long t0, ms;
	int rc;

	fake_set(f, -1);
	t0 = now_ms();
	rc = which ? dracsend(inet_addr("10.1.2.3"), &msg) :
	    dracauth(SERVER, inet_addr("10.1.2.3"), &msg);
	ms = now_ms() - t0;
	fake_set(f, ADD_SUCCESS);
	if (expect_rc(rc, -2, &msg, "Call to server timed out") == -1)
		return -1;
	if (ms < lo || ms > hi)
		return bad("took %ld ms, want %ld..%ld", ms, lo, hi);
	return 0;
}

static int
case_env_timeout(struct fake *f)
{
	setenv("DRAC_TIMEOUT", "0.5", 1);
	if (dractimeout(0) != 500)
		return bad("dractimeout(0) = %d, want 500", dractimeout(0));
	return silent_call(f, 0, 400, 1500);
}

static int
case_dractimeout(struct fake *f)
{
	int old;

	if ((old = dractimeout(1000)) != 500)
		return bad("dractimeout returned %d, want 500", old);
	if ((old = dractimeout(0)) != 1000)
		return bad("dractimeout(0) returned %d, want 1000", old);
	return silent_call(f, 0, 900, 2500);
}

static int
case_dracsend_timeout(struct fake *f)
{
	char *msg = NULL;
	int rc;

	if (dracconn(SERVER, &msg) != 0)
		return bad("dracconn: %s", msg);
	rc = silent_call(f, 1, 900, 2500);
	dracdisc(&msg);
	return rc;
}

static int
case_handle_timeout(struct fake *f)
{
	struct sockaddr_in sin;
	struct drac *d;
	char *msg = NULL;
	long t0, ms;
	int rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = inet_addr("10.1.2.3");
	if ((d = drac_open(SERVER, "udp", 300, &msg)) == NULL)
		return bad("drac_open: %s", msg);
	fake_set(f, -1);
	t0 = now_ms();
	rc = drac_add(d, (struct sockaddr *)&sin, &msg);
	ms = now_ms() - t0;
	fake_set(f, ADD_SUCCESS);
	drac_close(d);
	if (expect_rc(rc, -2, &msg, "Call to server timed out") == -1)
		return -1;
	if (ms < 250 || ms > 1000)
		return bad("took %ld ms, want 250..1000", ms);
	return 0;
}

static int
case_bad_args(struct fake *f)
{
	struct sockaddr sa;
	struct drac *d;
	char *msg = NULL;
	int rc;

	(void)f;
	if ((d = drac_open(SERVER, "sctp", 0, &msg)) != NULL)
		return bad("drac_open with netid sctp succeeded");
	if (expect_rc(-1, -1, &msg, "Cannot create client: unknown transport")
	    == -1)
		return -1;
	if ((d = drac_open(SERVER, NULL, 0, &msg)) == NULL)
		return bad("drac_open: %s", msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	rc = drac_add(d, &sa, &msg);
	drac_close(d);
	return expect_rc(rc, -1, &msg, "Unsupported address family");
}

/* One-shot calls use the cached address: they work while unregistered. */
static int
case_cache(struct fake *f)
{
	struct drac *d;
	char *msg = NULL;
	int rc;

	fake_set(f, ADD_SUCCESS);
	if (expect_rc(dracauth(SERVER, inet_addr("10.1.2.3"), &msg), 0, &msg,
	    NULL) == -1)
		return -1;
	/* rpcbind v4 GETADDR would answer for v1 with v2's address. */
	rpcb_unset(DRACPROG, DRACVERS, f->nc);
	rpcb_unset(DRACPROG, DRACVERS6, f->nc);
	if ((d = drac_open(SERVER, "udp", 0, &msg)) != NULL) {
		drac_close(d);
		fake_register(f);
		return bad("drac_open works while unregistered");
	}
	rc = dracauth(SERVER, inet_addr("10.1.2.3"), &msg);
	if (fake_register(f) == -1)
		return -1;
	return expect_rc(rc, 0, &msg, NULL);
}

/* dracd moved to another port: the cached address fails, one re-lookup. */
static int
case_moved(struct fake *f)
{
	char *msg = NULL;
	long t0, ms;
	int rc, rc2;

	fake_set(f, ADD_SUCCESS);
	if (expect_rc(dracauth(SERVER, inet_addr("10.1.2.3"), &msg), 0, &msg,
	    NULL) == -1 || expect_rc(dracconn(SERVER, &msg), 0, &msg,
	    NULL) == -1)
		return -1;
	fake_stop(f);
	if (fake_start(f) == -1)
		return -1;
	t0 = now_ms();
	rc = dracauth(SERVER, inet_addr("10.1.2.3"), &msg);
	rc2 = dracsend(inet_addr("10.1.2.3"), &msg);
	ms = now_ms() - t0;
	dracdisc(&msg);
	if (expect_rc(rc, 0, &msg, NULL) == -1 ||
	    expect_rc(rc2, 0, &msg, NULL) == -1)
		return -1;
	if (ms > 500)
		return bad("took %ld ms", ms);
	return fake_expect(f, 1, 1, v1_10_1_2_3, 4);
}

/*
 * A TCP listener, registered as dracd v1, that holds the connections it
 * accepts until armed, then resets them and every later one.
 */
struct resetter {
	int		 fd;
	struct sockaddr_in sin;
	struct netconfig *nc;
	pthread_t	 thr;
	atomic_int	 stop;
	atomic_int	 armed;
	atomic_int	 nreset;
};

static void
reset_fd(struct resetter *r, int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	atomic_fetch_add(&r->nreset, 1);
}

static void *
reset_serve(void *arg)
{
	struct resetter *r = arg;
	struct pollfd pfd;
	int held[8], nheld = 0, fd;

	pfd.fd = r->fd;
	pfd.events = POLLIN;
	while (!atomic_load(&r->stop)) {
		while (atomic_load(&r->armed) && nheld > 0)
			reset_fd(r, held[--nheld]);
		if (poll(&pfd, 1, 20) != 1 ||
		    (fd = accept(r->fd, NULL, NULL)) == -1)
			continue;
		if (atomic_load(&r->armed) || nheld == 8)
			reset_fd(r, fd);
		else
			held[nheld++] = fd;
	}
	while (nheld > 0)
		close(held[--nheld]);
	return NULL;
}

static int
reset_start(struct resetter *r)
{
	socklen_t len = sizeof(r->sin);
	struct netbuf nb;

	memset(&r->sin, 0, sizeof(r->sin));
	r->sin.sin_family = AF_INET;
	r->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((r->nc = getnetconfigent("tcp")) == NULL ||
	    (r->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(r->fd, (struct sockaddr *)&r->sin, sizeof(r->sin)) == -1 ||
	    listen(r->fd, 5) == -1 ||
	    getsockname(r->fd, (struct sockaddr *)&r->sin, &len) == -1)
		return bad("tcp listener: %m");
	nb.buf = &r->sin;
	nb.len = nb.maxlen = sizeof(r->sin);
	if (!rpcb_set(DRACPROG, DRACVERS, r->nc, &nb))
		return bad("rpcb_set tcp failed");
	if (pthread_create(&r->thr, NULL, reset_serve, r) != 0)
		return bad("pthread_create failed");
	return 0;
}

static void
reset_stop(struct resetter *r)
{
	atomic_store(&r->stop, 1);
	pthread_join(r->thr, NULL);
	rpcb_unset(DRACPROG, DRACVERS, r->nc);
	close(r->fd);
	freenetconfigent(r->nc);
}

/*
 * dracd resets the TCP connection under a handle: the call fails, and
 * neither hangs nor kills us (SIGPIPE keeps its default action here).
 */
static int
case_tcp_reset(struct fake *f)
{
	struct resetter r;
	struct sockaddr_in sin;
	struct drac *d;
	char *msg = NULL;
	int rc;

	(void)f;
	memset(&r, 0, sizeof(r));
	if (reset_start(&r) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = inet_addr("10.1.2.3");
	if ((d = drac_open(SERVER, "tcp", 2000, &msg)) == NULL) {
		reset_stop(&r);
		return bad("drac_open: %s", msg);
	}
	atomic_store(&r.armed, 1);
	while (atomic_load(&r.nreset) == 0)
		usleep(10000);
	usleep(50000);
	rc = drac_add(d, (struct sockaddr *)&sin, &msg);
	drac_close(d);
	reset_stop(&r);
	/* -1 when the new connection of the retry is reset before use. */
	if (rc != -1 && rc != -2)
		return bad("returned %d, want -1 or -2", rc);
	return 0;
}

/* Descriptors after 200 rounds, failed lookups and timeouts included. */
static int
case_fds(struct fake *f)
{
	char *msg = NULL;
	int i, before, after, fails = 0;

	fake_set(f, ADD_SUCCESS);
	before = count_fds();
	for (i = 0; i < 200; i++) {
		fails += auth(SERVER, "10.7.7.7", &msg) != 0;
		fails += auth(SERVER, "2001:db8::7", &msg) != 0;
		fails += dracconn(SERVER, &msg) != 0;
		fails += send_text("10.7.7.8", &msg) != 0;
		fails += dracdisc(&msg) != 0;
		/* Nothing is registered over TCP: a failed lookup. */
		fails += drac_open(SERVER, "tcp", 0, &msg) != NULL;
	}
	dractimeout(100);
	fake_set(f, -1);
	fails += auth(SERVER, "10.7.7.7", &msg) != -2;
	fake_set(f, ADD_SUCCESS);
	after = count_fds();
	if (fails != 0)
		return bad("%d calls did not return as expected", fails);
	if (before != after)
		return bad("%d descriptors before, %d after", before, after);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct fake *);
} cases[] = {
	{ "dracauth v1 wire: 10.1.2.3 is 0a 01 02 03", case_v1_wire },
	{ "dracauth6 v2 wire: 16 four-byte ints", case_v2_wire },
	{ "drac_add_v2 sends IPv4 as ::ffff:a.b.c.d", case_add_v2_mapped },
	{ "drac_add sends IPv4-mapped as version 1", case_add_mapped_v1 },
	{ "drac_add sends IPv6 as version 2", case_add_v6 },
	{ "drac_ping calls the NULL procedure", case_ping },
	{ "addstat 1: permission denied", case_perm },
	{ "addstat 2: system error", case_syserr },
	{ "addstat 3 returned as is", case_unknown },
	{ "dracconn/dracsend and dracconn6/dracsend6", case_conn },
	{ "DRAC_TIMEOUT=0.5 bounds an unanswered call", case_env_timeout },
	{ "dractimeout(1000) bounds an unanswered call", case_dractimeout },
	{ "dracsend: unanswered call times out", case_dracsend_timeout },
	{ "drac_open timeout_ms 300 bounds drac_add", case_handle_timeout },
	{ "bad netid and address family", case_bad_args },
	{ "dracauth uses its cached address", case_cache },
	{ "dracauth/dracsend follow a dracd that moved", case_moved },
	{ "TCP reset under a handle: the call fails cleanly", case_tcp_reset },
	{ "no descriptor leak over 200 rounds", case_fds },
};

static int
cmd_fake(void)
{
	struct fake f;
	size_t i;

	memset(&f, 0, sizeof(f));
	pthread_mutex_init(&f.lock, NULL);
	if ((f.nc = getnetconfigent("udp")) == NULL) {
		printf("FAIL fake server: no udp netconfig\n");
		return 1;
	}
	if (fake_start(&f) == -1) {
		printf("FAIL fake server: %s\n", why);
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (cases[i].fn(&f) == 0)
			printf("ok %s\n", cases[i].name);
		else {
			printf("FAIL %s: %s\n", cases[i].name, why);
			nfail++;
		}
		fflush(stdout);
	}
	fake_stop(&f);
	freenetconfigent(f.nc);
	return nfail != 0;
}

int
main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "fake") == 0)
		return cmd_fake();
	if (argc >= 2 && strcmp(argv[1], "notconn") == 0)
		return cmd_notconn();
	if (argc >= 4 && strcmp(argv[1], "auth") == 0)
		return cmd_auth(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "conn") == 0)
		return cmd_conn(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "fds") == 0)
		return cmd_fds(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "threads") == 0)
		return cmd_threads(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "fork") == 0)
		return cmd_fork(argc - 2, argv + 2);
	fprintf(stderr, "usage: libtest fake | notconn | auth|conn|fds|"
	    "threads|fork server [args...]\n");
	return 2;
}

/*
 * libfault: libdrac under faults, for tests/t-libfault.sh.  Every call of
 * both APIs must return within its timeout (plus SLACK_MS) with an error
 * message when it fails, never crash, and leave no descriptor behind.
 *
 *	libfault loop secs timeout_ms
 *		call dracd at localhost without pause for secs seconds,
 *		turn by turn through dracauth(), dracsend() (after
 *		dracconn()), and drac_add() on UDP and TCP handles, while
 *		the caller kills and restarts dracd
 *	libfault blackhole timeout_ms
 *		register with rpcbind, as program 900101 versions 1 and 2,
 *		a UDP socket that never answers and a TCP socket that
 *		accepts no connection, and call it
 *	libfault norpcbind timeout_ms
 *		call with nothing listening on the rpcbind port
 *	libfault rpcbhole timeout_ms
 *		call with UDP and TCP sockets on the rpcbind port (111) that
 *		never answer (root, and no rpcbind running)
 *
 * Prints "ok NAME" or "FAIL NAME: why" per case and a closing "figures"
 * line; exits 0 when every case passed.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netconfig.h>
#include <rpc/rpc.h>

#include "drac.h"

#define SLACK_MS	300
#define ROUNDS		3
#define NAPIS		7

static const char	*apis[NAPIS] = {
	"dracauth", "dracauth6", "dracsend", "dracsend6",
	"drac_add udp", "drac_add tcp", "drac_ping udp"
};

struct stats {
	int		 calls, good, bad, nomsg, late, rc[4];
	long long	 slowest;
	const char	*slowapi;
	char		 msgs[512];
};

static int	nfail;

static void
result(int good, const char *fmt, ...)
{
	va_list	ap;

	printf(good ? "ok " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!good)
		nfail++;
}

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
nfds(void)
{
	DIR	*d;
	int	 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* One call through API a; returns its result, err its message. */
static int
call(int a, struct drac **h, int timeout, unsigned i, char **err)
{
	struct sockaddr_in	sin;
	unsigned char		a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned long		ip = htonl(0xc6336400 | (i & 0xff));
	int			rc;

	a6[15] = i & 0xff;
	*err = NULL;
	switch (a) {
	case 0:
		return dracauth("localhost", ip, err);
	case 1:
		return dracauth6("localhost", a6, err);
	case 2:
	case 3:
		rc = a == 2 ? dracsend(ip, err) : dracsend6(a6, err);
		if (rc != -1)
			return rc;
		if ((rc = a == 2 ? dracconn("localhost", err) :
		    dracconn6("localhost", err)) != 0)
			return rc;
		return a == 2 ? dracsend(ip, err) : dracsend6(a6, err);
	default:
		if (*h == NULL && (*h = drac_open("localhost",
		    a == 5 ? "tcp" : "udp", timeout, err)) == NULL)
			return -1;
		if (a == 6)
			return drac_ping(*h, err);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = ip;
		return drac_add(*h, (struct sockaddr *)&sin, err);
	}
}

/* Run one call, check its time and message, count it in st. */
static int
timed(int a, struct drac **h, int timeout, unsigned i, struct stats *st)
{
	long long	 t0 = now_ms(), dt;
	char		*err;
	int		 rc;

	rc = call(a, h, timeout, i, &err);
	dt = now_ms() - t0;
	st->calls++;
	if (dt > st->slowest) {
		st->slowest = dt;
		st->slowapi = apis[a];
	}
	if (dt > timeout + SLACK_MS)
		st->late++;
	if (rc == 0) {
		st->good++;
		return 0;
	}
	st->bad++;
	st->rc[rc >= -2 && rc <= 1 ? rc + 2 : 3]++;
	if (err == NULL || *err == '\0')
		st->nomsg++;
	else if (strstr(st->msgs, err) == NULL &&
	    strlen(st->msgs) + strlen(err) + 3 < sizeof(st->msgs)) {
		if (st->msgs[0] != '\0')
			strcat(st->msgs, "; ");
		strcat(st->msgs, err);
	}
	return rc;
}

static void
close_all(struct drac **h)
{
	char	*err;
	int	 a;

	for (a = 0; a < NAPIS; a++) {
		drac_close(h[a]);
		h[a] = NULL;
	}
	dracdisc(&err);
	dracdisc6(&err);
}

static void
report(const char *what, const struct stats *st, int timeout, int fd0,
    int fd1)
{
	result(st->late == 0, "%s: every call returned within its timeout "
	    "(%d ms; slowest %lld ms, %s)", what, timeout, st->slowest,
	    st->slowapi ? st->slowapi : "none");
	result(st->nomsg == 0, "%s: every failure came with a message "
	    "(%d without)", what, st->nomsg);
	result(fd0 == fd1, "%s: no descriptor leaked (%d before, %d after "
	    "%d calls)", what, fd0, fd1, st->calls);
	printf("figures %s: %d calls, %d succeeded, %d failed (-2: %d, "
	    "-1: %d), slowest %lld ms; messages: %s\n", what, st->calls,
	    st->good, st->bad, st->rc[0], st->rc[1], st->slowest,
	    st->msgs[0] ? st->msgs : "none");
}

static int
loop(int secs, int timeout)
{
	struct drac	*h[NAPIS] = { NULL };
	struct stats	 st;
	long long	 end = now_ms() + secs * 1000LL;
	unsigned	 i;
	int		 fd0, lastbad = -1, lastgood = -1;

	memset(&st, 0, sizeof(st));
	fd0 = nfds();
	for (i = 0; now_ms() < end && i < 10000000; i++) {
		if (timed(i % NAPIS, &h[i % NAPIS], timeout, i, &st) == 0)
			lastgood = i;
		else
			lastbad = i;
	}
	close_all(h);
	result(st.bad > 0, "loop: calls failed while dracd was down (%d)",
	    st.bad);
	result(lastgood > lastbad, "loop: calls succeed again after the "
	    "restart");
	report("loop", &st, timeout, fd0, nfds());
	return nfail != 0;
}

/* Register fd (bound on 127.0.0.1) as program 900101, versions 1, 2. */
static int
fake_reg(const char *netid, int fd)
{
	struct sockaddr_in	 sin;
	struct netconfig	*nc;
	struct netbuf		 nb;
	socklen_t		 len = sizeof(sin);
	int			 ok;

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    (nc = getnetconfigent(netid)) == NULL)
		return -1;
	nb.buf = &sin;
	nb.len = nb.maxlen = len;
	rpcb_unset(DRACPROG, DRACVERS, nc);
	rpcb_unset(DRACPROG, DRACVERS6, nc);
	ok = rpcb_set(DRACPROG, DRACVERS, nc, &nb) &&
	    rpcb_set(DRACPROG, DRACVERS6, nc, &nb);
	freenetconfigent(nc);
	return ok ? 0 : -1;
}

/* A UDP and a TCP socket on 127.0.0.1:port (0: any) that never answer. */
static int
holes(int port, int *u, int *t)
{
	struct sockaddr_in	sin;
	int			one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((*u = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    (*t = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(*t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(*u, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    bind(*t, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(*t, 1) == -1) {
		perror("holes");
		return -1;
	}
	return 0;
}

/* ROUNDS calls through every API, all expected to fail. */
static int
faults(const char *what, int timeout)
{
	struct drac	*h[NAPIS] = { NULL };
	struct stats	 st;
	int		 a, r, fd0, nok = 0;

	memset(&st, 0, sizeof(st));
	fd0 = nfds();
	for (r = 0; r < ROUNDS; r++)
		for (a = 0; a < NAPIS; a++)
			if (timed(a, &h[a], timeout, r, &st) == 0)
				nok++;
	close_all(h);
	result(nok == 0, "%s: every call failed (%d of %d succeeded)", what,
	    nok, st.calls);
	report(what, &st, timeout, fd0, nfds());
	return nfail != 0;
}

int
main(int argc, char *argv[])
{
	int	u = -1, t = -1, timeout;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "loop") == 0) {
		dractimeout(atoi(argv[3]));
		return loop(atoi(argv[2]), atoi(argv[3]));
	}
	if (argc != 3) {
		fprintf(stderr, "usage: libfault loop secs timeout_ms | "
		    "blackhole|norpcbind|rpcbhole timeout_ms\n");
		return 2;
	}
	timeout = atoi(argv[2]);
	dractimeout(timeout);
	if (strcmp(argv[1], "blackhole") == 0) {
		if (holes(0, &u, &t) == -1 || fake_reg("udp", u) == -1 ||
		    fake_reg("tcp", t) == -1) {
			result(0, "blackhole: register the black hole");
			return 1;
		}
		faults("blackhole", timeout);
		rpcb_unset(DRACPROG, DRACVERS, NULL);
		rpcb_unset(DRACPROG, DRACVERS6, NULL);
	} else if (strcmp(argv[1], "norpcbind") == 0)
		faults("norpcbind", timeout);
	else if (strcmp(argv[1], "rpcbhole") == 0) {
		if (holes(111, &u, &t) == -1) {
			result(0, "rpcbhole: bind port 111");
			return 1;
		}
		faults("rpcbhole", timeout);
	} else
		return 2;
	close(u);
	close(t);
	return nfail != 0;
}

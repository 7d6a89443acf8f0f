/*
 * v3test: libdrac's version 3 functions and fan-out, for tests/t-v3.sh
 * and tests/t-fanout.sh.
 *
 *	v3test auth SERVERS ADDR...	dracauth() or dracauth6(): "rc ms msg";
 *					more SERVERS ADDR pairs follow in
 *					the same process, one line each; a
 *					pair "- -" stops the process
 *					(SIGSTOP) until it is continued
 *	v3test many SERVER N		ADDMANY of 10.2.x.y, 100 a call:
 *					"ok K of N" (statuses 0)
 *	v3test bench SERVER N		N single adds (drac_add3), then N by
 *					ADDMANY (100 a call), addresses/s and
 *					the ratio
 *	v3test query SERVER ADDR	drac_query(): "rc expires msg"
 *	v3test add3 SERVER ADDR		drac_add3() with TTL 60: "rc expires msg"
 *
 * Exit 0 when the operation succeeded, 1 when not, 2 on a usage error.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drac.h"

#define BATCH	100

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int
to_sa(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static int
auth(char *servers, const char *text)
{
	struct sockaddr_storage	 ss;
	unsigned char		 a6[16];
	char			*msg = "";
	long long		 t0 = now_ms();
	int			 rc;

	if (to_sa(text, &ss) == -1)
		return 2;
	if (ss.ss_family == AF_INET)
		rc = dracauth(servers,
		    ((struct sockaddr_in *)&ss)->sin_addr.s_addr, &msg);
	else {
		memcpy(a6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		rc = dracauth6(servers, a6, &msg);
	}
	printf("%d %lld %s\n", rc, now_ms() - t0, msg);
	return rc != 0;
}

/* Address i of a run: 10.2.0.1 on. */
static void
nth(struct sockaddr_in *sin, int base, int i)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x0a000000U | (uint32_t)base << 16 |
	    (uint32_t)(i + 1));
}

/* n addresses from base by ADDMANY; how many were accepted, or -1. */
static int
many(struct drac *d, int base, int n)
{
	struct sockaddr_in	 sin[BATCH];
	const struct sockaddr	*sa[BATCH];
	int			 st[BATCH], i, k, ok = 0;
	char			*msg = NULL;

	for (i = 0; i < n; i += BATCH) {
		for (k = 0; k < BATCH && i + k < n; k++) {
			nth(&sin[k], base, i + k);
			sa[k] = (struct sockaddr *)&sin[k];
		}
		if (drac_addmany(d, sa, k, 0, st, &msg) != 0) {
			fprintf(stderr, "v3test: addmany: %s\n", msg);
			return -1;
		}
		while (k-- > 0)
			ok += st[k] == 0;
	}
	return ok;
}

static int
bench(struct drac *d, int n)
{
	struct sockaddr_in	 sin;
	char			*msg = NULL;
	long long		 t0, t1, t2;
	double			 single, batch;
	int			 i;

	t0 = now_ms();
	for (i = 0; i < n; i++) {
		nth(&sin, 3, i);
		if (drac_add3(d, (struct sockaddr *)&sin, 0, NULL, &msg) != 0) {
			fprintf(stderr, "v3test: add: %s\n", msg);
			return 1;
		}
	}
	t1 = now_ms();
	if (many(d, 4, n) != n)
		return 1;
	t2 = now_ms();
	single = n * 1000.0 / (t1 - t0 > 0 ? t1 - t0 : 1);
	batch = n * 1000.0 / (t2 - t1 > 0 ? t2 - t1 : 1);
	printf("single adds: %d in %lld ms, %.0f addresses/s\n", n, t1 - t0,
	    single);
	printf("ADDMANY (%d a call): %d in %lld ms, %.0f addresses/s\n",
	    BATCH, n, t2 - t1, batch);
	printf("ratio ADDMANY/single: %.1f\n", batch / single);
	return 0;
}

static int
one(struct drac *d, const char *what, const char *text)
{
	struct sockaddr_storage	 ss;
	long long		 expires = 0;
	char			*msg = "";
	int			 rc;

	if (to_sa(text, &ss) == -1)
		return 2;
	if (strcmp(what, "query") == 0)
		rc = drac_query(d, (struct sockaddr *)&ss, &expires, &msg);
	else
		rc = drac_add3(d, (struct sockaddr *)&ss, 60, &expires, &msg);
	printf("%d %lld %s\n", rc, expires, rc == 0 ? "" : msg);
	return rc != 0;
}

int
main(int argc, char *argv[])
{
	struct drac	*d;
	char		*msg = NULL;
	int		 rc, n, k;

	if (argc >= 4 && argc % 2 == 0 && strcmp(argv[1], "auth") == 0) {
		for (rc = 0, n = 2; n < argc; n += 2)
			if (strcmp(argv[n], "-") == 0)
				raise(SIGSTOP);
			else if ((k = auth(argv[n], argv[n + 1])) > rc)
				rc = k;
		return rc;
	}
	if (argc != 4)
		return 2;
	if ((d = drac_open(argv[2], "tcp", 5000, &msg)) == NULL) {
		fprintf(stderr, "v3test: %s: %s\n", argv[2], msg);
		return 1;
	}
	n = atoi(argv[3]);
	if (strcmp(argv[1], "many") == 0) {
		rc = many(d, 2, n);
		printf("ok %d of %d\n", rc, n);
		rc = rc != n;
	} else if (strcmp(argv[1], "bench") == 0)
		rc = bench(d, n);
	else
		rc = one(d, argv[1], argv[3]);
	drac_close(d);
	return rc;
}

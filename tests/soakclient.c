/*
 * soakclient: the clients of tests/t-soak.sh.  Forks nclients processes;
 * each adds distinct addresses to dracd through libdrac's handle API, one
 * after the other, and for each add dracd acknowledged writes the map key
 * and the time of the acknowledgement (ms since the epoch) as one line to
 * PREFIX.N.  Client N adds 10+N.x.y.z (IPv4, version 1) when N is even,
 * 2001:db8:N::x (version 2) when N is odd.  Failed adds (dracd killed,
 * restarting) are counted, not logged.  Each stops after secs seconds or
 * on SIGTERM, and prints "client N: A acknowledged, F failed, slowest
 * call S ms" (drac_open() or drac_add(), each bounded by the timeout).
 *
 *	soakclient [-p udp|tcp] [-t timeout_ms] [-w usec] nclients secs PREFIX
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drac.h"

#define MAX_CLIENTS	32

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static long long
clock_ms(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/* The i-th address of client n, and its map key. */
static void
address(int n, unsigned long i, struct sockaddr_storage *ss, char *key,
    size_t keylen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (n % 2 == 0) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl((uint32_t)(10 + n) << 24 |
		    (i & 0xffffff));
		inet_ntop(AF_INET, &sin->sin_addr, key, keylen);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr.s6_addr[0] = 0x20;
		sin6->sin6_addr.s6_addr[1] = 0x01;
		sin6->sin6_addr.s6_addr[2] = 0x0d;
		sin6->sin6_addr.s6_addr[3] = 0xb8;
		sin6->sin6_addr.s6_addr[5] = n;
		sin6->sin6_addr.s6_addr[13] = i >> 16;
		sin6->sin6_addr.s6_addr[14] = i >> 8;
		sin6->sin6_addr.s6_addr[15] = i;
		inet_ntop(AF_INET6, &sin6->sin6_addr, key, keylen);
	}
}

static int
client(int n, const char *netid, int timeout, useconds_t pause,
    long long end, const char *prefix)
{
	struct sockaddr_storage	 ss;
	struct drac		*d = NULL;
	char			 path[4096], key[64], line[128], *err;
	unsigned long		 i, acked = 0, failed = 0;
	long long		 t0, slowest = 0;
	int			 fd, len, rc;

	snprintf(path, sizeof(path), "%s.%d", prefix, n);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
	    0644)) == -1) {
		perror(path);
		return 1;
	}
	for (i = 0; !stop && i < 0xffffff && now_ms() < end; i++) {
		t0 = clock_ms(CLOCK_MONOTONIC);
		if (d == NULL) {
			d = drac_open(NULL, netid, timeout, &err);
			if (clock_ms(CLOCK_MONOTONIC) - t0 > slowest)
				slowest = clock_ms(CLOCK_MONOTONIC) - t0;
			if (d == NULL) {
				failed++;
				usleep(10000);
				continue;
			}
			t0 = clock_ms(CLOCK_MONOTONIC);
		}
		address(n, i, &ss, key, sizeof(key));
		rc = drac_add(d, (struct sockaddr *)&ss, &err);
		if (clock_ms(CLOCK_MONOTONIC) - t0 > slowest)
			slowest = clock_ms(CLOCK_MONOTONIC) - t0;
		if (rc != 0) {
			failed++;
			continue;
		}
		len = snprintf(line, sizeof(line), "%s %lld\n", key, now_ms());
		if (write(fd, line, len) != len) {
			perror(path);
			return 1;
		}
		acked++;
		if (pause > 0)
			usleep(pause);
	}
	drac_close(d);
	close(fd);
	printf("client %d: %lu acknowledged, %lu failed, slowest call %lld "
	    "ms\n", n, acked, failed, slowest);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	const char		*netid = "udp";
	pid_t			 pids[MAX_CLIENTS];
	long long		 end;
	int			 ch, i, j, n, st, rc = 0, timeout = 500;
	useconds_t		 pause = 0;

	while ((ch = getopt(argc, argv, "p:t:w:")) != -1) {
		switch (ch) {
		case 'p':
			netid = optarg;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'w':
			pause = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || (n = atoi(argv[0])) < 1 || n > MAX_CLIENTS) {
		fprintf(stderr, "usage: soakclient [-p udp|tcp] [-t ms] "
		    "[-w usec] nclients secs prefix\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	end = now_ms() + atoi(argv[1]) * 1000LL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1) {
			perror("fork");
			n = i;
			rc = 1;
			break;
		}
		if (pids[i] == 0)
			_exit(client(i, netid, timeout, pause, end, argv[2]));
	}
	for (i = 0; i < n; i++) {
		while (waitpid(pids[i], &st, 0) == -1) {
			if (errno != EINTR)
				return 1;
			for (j = i; stop && j < n; j++)
				kill(pids[j], SIGTERM);
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}

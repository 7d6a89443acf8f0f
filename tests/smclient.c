/*
 * smclient: a socketmap client for tests/t-socketmap.sh and the socketmap
 * figures of the bench.  ADDR is unix:PATH or inet:HOST:PORT (HOST an
 * address, [IPv6] allowed); -b SRC binds a TCP client to SRC first; -w SEC
 * bounds every wait (default 5).
 *
 *	smclient ADDR q REQ...	each REQ as one netstring, one write each;
 *				prints each reply's payload on a line, or
 *				"closed" and exits 1 when the server hangs up
 *	smclient ADDR pipe REQ...  all REQs in one write, then the replies
 *	smclient ADDR raw	sends standard input as it is, then prints
 *				the reply's bytes, "closed" or "open" (no
 *				answer within -w)
 *	smclient ADDR idle	prints the seconds until the server closes
 *				the connection, or "open" after -w
 *	smclient ADDR hold N	opens N connections 50 ms apart, then asks
 *				"drac 127.0.0.1" on each: "N answered" or
 *				"N closed", one line each
 *	smclient ADDR stall N	sends N requests and never reads (a hostile
 *				reader), for -w seconds
 *	smclient ADDR bench READERS SECONDS KEY...
 *				READERS threads, a connection each, look KEYs
 *				up in turn for SECONDS; prints lookups/s and
 *				the p50/p99/max round trip in microseconds
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*src;
static int		 waitms = 5000;

static long long
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
sa_of(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(port));
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(atoi(port));
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Connect to ADDR; exits 2 on failure. */
static int
dial(const char *addr)
{
	struct sockaddr_storage	ss, bs;
	struct sockaddr_un	sun;
	socklen_t		len, blen;
	char			host[256], *colon;
	int			fd, on = 1;

	if (strncmp(addr, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", addr + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			perror(addr);
			exit(2);
		}
		return fd;
	}
	snprintf(host, sizeof(host), "%s", addr + 5);
	if (strncmp(addr, "inet:", 5) != 0 ||
	    (colon = strrchr(host, ':')) == NULL) {
		fprintf(stderr, "%s: expected unix:PATH or inet:HOST:PORT\n",
		    addr);
		exit(2);
	}
	*colon++ = '\0';
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (sa_of(host, colon, &ss, &len) == -1 ||
	    (fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1) {
		fprintf(stderr, "%s: bad address\n", addr);
		exit(2);
	}
	if (src != NULL && (sa_of(src, "0", &bs, &blen) == -1 ||
	    bind(fd, (struct sockaddr *)&bs, blen) == -1)) {
		perror(src);
		exit(2);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		perror(addr);
		exit(2);
	}
	return fd;
}

/* Read up to len bytes within waitms: >0 bytes, 0 closed, -1 timeout. */
static ssize_t
get(int fd, char *buf, size_t len)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	ssize_t		n;

	if (poll(&pfd, 1, waitms) <= 0)
		return -1;
	n = read(fd, buf, len);
	return n < 0 ? 0 : n;
}

/* Bytes read past the last reply, per descriptor (replies are short). */
struct pending {
	char	buf[4096];
	size_t	n;
};
static struct pending	pend[1024];

/* One netstring reply into buf (NUL-terminated); 0, or -1 closed/bad. */
static int
getreply(int fd, char *buf, size_t len)
{
	struct pending	*p = &pend[fd % 1024];
	size_t		 want, i;
	ssize_t		 r;
	char		*colon;

	for (;;) {
		if ((colon = memchr(p->buf, ':', p->n)) != NULL) {
			want = strtoul(p->buf, NULL, 10);
			i = colon - p->buf + 1;
			if (want + 1 > len)
				return -1;
			if (p->n >= i + want + 1) {
				memcpy(buf, p->buf + i, want);
				buf[want] = '\0';
				p->n -= i + want + 1;
				memmove(p->buf, p->buf + i + want + 1, p->n);
				return 0;
			}
		}
		if (p->n == sizeof(p->buf) ||
		    (r = get(fd, p->buf + p->n, sizeof(p->buf) - p->n)) <= 0)
			return -1;
		p->n += r;
	}
}

static void
put(int fd, const char *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len) {
		perror("write");
		exit(2);
	}
}

static size_t
frame(char *out, size_t cap, const char *req)
{
	return snprintf(out, cap, "%zu:%s,", strlen(req), req);
}

static int
cmd_q(int fd, int argc, char **argv, int pipelined)
{
	char	buf[8192], reply[2048];
	size_t	n = 0;
	int	i;

	for (i = 0; i < argc; i++) {
		n += frame(buf + n, sizeof(buf) - n, argv[i]);
		if (!pipelined) {
			put(fd, buf, n);
			n = 0;
			if (getreply(fd, reply, sizeof(reply)) == -1) {
				puts("closed");
				return 1;
			}
			puts(reply);
		}
	}
	if (!pipelined)
		return 0;
	put(fd, buf, n);
	for (i = 0; i < argc; i++) {
		if (getreply(fd, reply, sizeof(reply)) == -1) {
			puts("closed");
			return 1;
		}
		puts(reply);
	}
	return 0;
}

static int
cmd_raw(int fd)
{
	char	buf[65536];
	size_t	n = 0;
	ssize_t	r;

	while ((r = read(0, buf + n, sizeof(buf) - n)) > 0)
		n += r;
	/* The server may close before it read everything: no SIGPIPE. */
	if (send(fd, buf, n, MSG_NOSIGNAL) == -1 && errno != EPIPE &&
	    errno != ECONNRESET) {
		perror("send");
		return 2;
	}
	r = get(fd, buf, sizeof(buf) - 1);
	if (r == -1)
		puts("open");
	else if (r == 0)
		puts("closed");
	else
		printf("%.*s\n", (int)r, buf);
	return 0;
}

static int
cmd_idle(int fd)
{
	char		buf[64];
	long long	t0 = now_us();

	if (get(fd, buf, sizeof(buf)) == -1)
		puts("open");
	else
		printf("%.1f\n", (now_us() - t0) / 1e6);
	return 0;
}

static int
cmd_hold(const char *addr, int n)
{
	char	buf[64], reply[256];
	int	*fds, i;

	if ((fds = calloc(n, sizeof(*fds))) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		fds[i] = dial(addr);
		usleep(50000);
	}
	for (i = 0; i < n; i++) {
		send(fds[i], buf, frame(buf, sizeof(buf), "drac 127.0.0.1"),
		    MSG_NOSIGNAL);
		printf("%d %s\n", i + 1, getreply(fds[i], reply,
		    sizeof(reply)) == 0 ? "answered" : "closed");
	}
	free(fds);
	return 0;
}

static int
cmd_stall(int fd, int n)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };
	char		buf[64];
	size_t		len = frame(buf, sizeof(buf), "drac 127.0.0.5");
	long long	end = now_us() + (long long)waitms * 1000;
	int		sent = 0;

	while (sent < n && now_us() < end) {
		if (poll(&pfd, 1, 50) == 1 &&
		    send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)len)
			sent++;
	}
	while (now_us() < end)
		usleep(50000);
	printf("%d sent\n", sent);
	return 0;
}

struct bench {
	const char	*addr;
	char		**keys;
	int		 nkeys;
	long long	 end;
	long long	*lat;		/* microseconds */
	size_t		 n, cap;
	int		 errors;
};

static void *
bench_run(void *arg)
{
	struct bench	*b = arg;
	char		 buf[256], reply[256];
	long long	 t0, *nl;
	size_t		 len;
	int		 fd = dial(b->addr), k = 0;

	while ((t0 = now_us()) < b->end) {
		len = frame(buf, sizeof(buf), b->keys[k++ % b->nkeys]);
		put(fd, buf, len);
		if (getreply(fd, reply, sizeof(reply)) == -1) {
			b->errors++;
			pend[fd % 1024].n = 0;
			close(fd);
			fd = dial(b->addr);
			continue;
		}
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 4096;
			if ((nl = realloc(b->lat, b->cap * sizeof(*nl))) ==
			    NULL)
				break;
			b->lat = nl;
		}
		b->lat[b->n++] = now_us() - t0;
	}
	close(fd);
	return NULL;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int
cmd_bench(const char *addr, int nr, int secs, int nkeys, char **keys)
{
	struct bench	*b;
	pthread_t	*th;
	long long	*all;
	size_t		 n = 0, j;
	int		 i, errors = 0;

	b = calloc(nr, sizeof(*b));
	th = calloc(nr, sizeof(*th));
	if (b == NULL || th == NULL || nkeys < 1)
		return 2;
	for (i = 0; i < nr; i++) {
		b[i].addr = addr;
		b[i].keys = keys;
		b[i].nkeys = nkeys;
		b[i].end = now_us() + (long long)secs * 1000000;
		pthread_create(&th[i], NULL, bench_run, &b[i]);
	}
	for (i = 0; i < nr; i++) {
		pthread_join(th[i], NULL);
		n += b[i].n;
		errors += b[i].errors;
	}
	if ((all = malloc((n + 1) * sizeof(*all))) == NULL)
		return 2;
	for (n = 0, i = 0; i < nr; i++) {
		for (j = 0; j < b[i].n; j++)
			all[n++] = b[i].lat[j];
		free(b[i].lat);
	}
	qsort(all, n, sizeof(*all), cmp_ll);
	printf("%d readers: %.0f lookups/s, p50 %lld us, p99 %lld us, "
	    "max %lld us, %d errors\n", nr, (double)n / secs,
	    n ? all[n / 2] : 0, n ? all[n * 99 / 100] : 0, n ? all[n - 1] : 0,
	    errors);
	free(all);
	free(b);
	free(th);
	return errors ? 1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: smclient [-b src] [-w sec] ADDR "
	    "q|pipe|raw|idle|hold|stall|bench ...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*addr;
	int		 ch;

	while ((ch = getopt(argc, argv, "b:w:")) != -1) {
		switch (ch) {
		case 'b':
			src = optarg;
			break;
		case 'w':
			waitms = (int)(atof(optarg) * 1000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	addr = argv[0];
	if (strcmp(argv[1], "q") == 0 || strcmp(argv[1], "pipe") == 0)
		return cmd_q(dial(addr), argc - 2, argv + 2,
		    argv[1][0] == 'p');
	if (strcmp(argv[1], "raw") == 0)
		return cmd_raw(dial(addr));
	if (strcmp(argv[1], "idle") == 0)
		return cmd_idle(dial(addr));
	if (strcmp(argv[1], "hold") == 0 && argc == 3)
		return cmd_hold(addr, atoi(argv[2]));
	if (strcmp(argv[1], "stall") == 0 && argc == 3)
		return cmd_stall(dial(addr), atoi(argv[2]));
	if (strcmp(argv[1], "bench") == 0 && argc >= 5)
		return cmd_bench(addr, atoi(argv[2]), atoi(argv[3]), argc - 4,
		    argv + 4);
	usage();
	return 2;
}

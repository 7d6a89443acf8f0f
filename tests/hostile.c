/*
 * hostile: hold TCP connections open to a local port, as a hostile or
 * broken client does, and report what the server did with them.
 *
 *	hostile [-F] [-k msec] [-n count] [-p msec] [-u port] [-w secs]
 *	    port [hex]
 *
 * Opens count (default 1) connections to 127.0.0.1:port, one every -p
 * msec (default all at once), and writes the bytes given in hex on each
 * (none: the connections stay silent).  With -k, connection 0 writes them
 * again every msec ms, as a live client does.  Reads and discards
 * whatever comes back for secs seconds (default 5, at most 600), or until
 * the server closed every connection (with -k, every other one while
 * connection 0 is open), then prints one line:
 *
 *	open N closed M first F last L keep STATE WRITES BYTES
 *
 * closed counts the connections the server closed (end of file or
 * reset), first and last are msec from the start to the first and last
 * of those (-1 for none), and the keep fields describe connection 0 under
 * -k: "open" or "closed", the writes made and the bytes it received.
 * Exit 0, or 1 when a connection could not be made.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hex.h"

#define MAXCONN	4000
#define PING_MS	10
#define MAXPING	60100

struct pinger {
	int		fd;
	int		sent, lost;
	long long	next, max;
	long long	at[MAXPING];	/* send time; -1 once answered */
};

struct tally {
	int		closed;
	long long	first, last;	/* msec from the start */
	long		writes, bytes;	/* connection 0 */
};

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection to port; small says with a small receive buffer. */
static int
dial(int port, int small)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd, rcv = 4096;

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (small)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
room(int n)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)n + 16 && rl.rlim_max >= (rlim_t)n + 16) {
		rl.rlim_cur = (rlim_t)n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Close p, which the server closed, and count it in t. */
static void
closed(struct pollfd *p, long long start, struct tally *t)
{
	close(p->fd);
	p->fd = -1;
	t->closed++;
	t->last = now_ms() - start;
	if (t->first == -1)
		t->first = t->last;
}

/* Read what came on each connection; count those the server closed. */
static void
drain(struct pollfd *pfd, int n, long long start, struct tally *t)
{
	unsigned char	buf[4096];
	ssize_t		r;
	int		i;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd < 0 || pfd[i].revents == 0)
			continue;
		if ((r = read(pfd[i].fd, buf, sizeof(buf))) > 0) {
			if (i == 0)
				t->bytes += r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		closed(&pfd[i], start, t);
	}
}

/* A UDP socket connected to 127.0.0.1:port, for pings. */
static int
ping_open(struct pinger *pg, int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };

	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((pg->fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(pg->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -1;
	return 0;
}

/* Send the next ping when due; take the replies that came. */
static void
ping_run(struct pinger *pg, long long now)
{
	uint32_t	call[10] = { 0, 0, htonl(2), htonl(900101), htonl(1),
			    0, 0, 0, 0, 0 };
	uint32_t	rep[16];
	uint32_t	xid;
	ssize_t		n;

	while ((n = recv(pg->fd, rep, sizeof(rep), MSG_DONTWAIT)) >= 4) {
		xid = ntohl(rep[0]);
		if (xid < (uint32_t)pg->sent && pg->at[xid] >= 0) {
			if (now - pg->at[xid] > pg->max)
				pg->max = now - pg->at[xid];
			pg->at[xid] = -1;
		}
	}
	if (now < pg->next || pg->sent >= MAXPING)
		return;
	call[0] = htonl((uint32_t)pg->sent);
	pg->at[pg->sent++] = now;
	(void)send(pg->fd, call, sizeof(call), MSG_DONTWAIT);
	pg->next = now + PING_MS;
}

/* Count the pings never answered (100 ms grace); they waited until now. */
static void
ping_end(struct pinger *pg, long long now)
{
	struct pollfd	pfd = { .fd = pg->fd, .events = POLLIN };
	int		i;

	pg->next = now + 1000;
	while (poll(&pfd, 1, 100) == 1)
		ping_run(pg, now_ms());
	now = now_ms();
	for (i = 0; i < pg->sent; i++) {
		if (pg->at[i] < 0)
			continue;
		pg->lost++;
		if (now - pg->at[i] > pg->max)
			pg->max = now - pg->at[i];
	}
}

/* Flood: write msg on every connection that takes it; count failures. */
static void
flood(struct pollfd *pfd, int n, const unsigned char *msg, int len,
    long long start, struct tally *t)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd < 0 || pfd[i].revents == 0)
			continue;
		if (!(pfd[i].revents & (POLLERR | POLLHUP)) &&
		    (write(pfd[i].fd, msg, len) >= 0 || errno == EAGAIN))
			continue;
		closed(&pfd[i], start, t);
	}
}

int
main(int argc, char *argv[])
{
	static struct pollfd	pfd[MAXCONN];
	struct tally		t = { .first = -1, .last = -1 };
	unsigned char		msg[8192];
	long long		start, now, end, nextdial, nextkeep;
	static struct pinger	pg = { .fd = -1 };
	int			ch, n = 1, secs = 5, keep = 0, pace = 0, len = 0;
	int			port, nopen = 0, fl = 0, uport = 0;

	while ((ch = getopt(argc, argv, "Fk:n:p:u:w:")) != -1) {
		switch (ch) {
		case 'F':
			fl = 1;
			break;
		case 'u':
			uport = atoi(optarg);
			break;
		case 'k':
			keep = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'p':
			pace = atoi(optarg);
			break;
		case 'w':
			secs = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2 || n < 1 || n > MAXCONN || secs < 0 ||
	    secs > 600 || keep < 0 || pace < 0 ||
	    (argc == 2 && (len = unhex(argv[1], msg, sizeof(msg))) == -1)) {
		fprintf(stderr, "usage: hostile [-F] [-k msec] [-n count] "
		    "[-p msec] [-u port] [-w secs] port [hex]\n");
		return 2;
	}
	port = atoi(argv[0]);
	room(n);
	signal(SIGPIPE, SIG_IGN);
	if (uport > 0 && ping_open(&pg, uport) == -1) {
		perror("hostile: udp");
		return 1;
	}
	start = nextdial = nextkeep = now_ms();
	end = start + (long long)secs * 1000;
	while ((now = now_ms()) < end && (nopen < n || t.closed < nopen -
	    (keep > 0 && pfd[0].fd >= 0))) {
		while (nopen < n && now >= nextdial) {
			if ((pfd[nopen].fd = dial(port, fl)) == -1) {
				perror("hostile: connect");
				return 1;
			}
			pfd[nopen].events = fl ? POLLOUT : POLLIN;
			if (fl)
				fcntl(pfd[nopen].fd, F_SETFL, O_NONBLOCK);
			if (len > 0 && write(pfd[nopen].fd, msg, len) == len &&
			    nopen == 0)
				t.writes++;
			if (nopen++ == 0)
				nextkeep = now + keep;
			nextdial = now + pace;
		}
		if (keep > 0 && pfd[0].fd >= 0 && now >= nextkeep) {
			if (write(pfd[0].fd, msg, len) == len)
				t.writes++;
			nextkeep = now + keep;
		}
		if (pg.fd >= 0)
			ping_run(&pg, now);
		if (poll(pfd, nopen, keep > 0 || nopen < n || pg.fd >= 0 ?
		    1 : 100) > 0) {
			if (fl)
				flood(pfd, nopen, msg, len, start, &t);
			else
				drain(pfd, nopen, start, &t);
		}
	}
	printf("open %d closed %d first %lld last %lld keep %s %ld %ld",
	    nopen, t.closed, t.first, t.last,
	    keep == 0 ? "-" : pfd[0].fd >= 0 ? "open" : "closed",
	    t.writes, t.bytes);
	if (pg.fd >= 0) {
		ping_end(&pg, now_ms());
		printf(" ping %d max %lld lost %d", pg.sent, pg.max, pg.lost);
	}
	printf("\n");
	return 0;
}

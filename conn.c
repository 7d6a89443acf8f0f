/*
 * conn.c: dracd's TCP transport.
 *
 * dracd owns its connections (see dracd.c for why): it accepts them,
 * reads their record-marked calls and writes the replies itself, never
 * blocking on any of them.
 *
 * A peer that the allow list does not trust is closed as soon as it is
 * accepted, before a byte is read from it: it could only ping, and a
 * ping needs no TCP (UDP answers it).  So every open connection belongs
 * to a trusted peer, and untrusted peers can neither hold a slot nor
 * push a trusted connection out through the cap.
 *
 * Input: a readable connection gets one read of at most READ_CHUNK bytes
 * per round of the event loop, and the complete records in it are served
 * (rpc.c) at once; so one connection holds the others up for one chunk
 * of calls at most.  A record is the fragments up to the one marked last
 * (RFC 5531 record marking); an empty fragment or a record over
 * MAX_RECORD closes the connection at once.
 *
 * Output: replies go to the connection's output buffer and are written
 * without blocking.  While a connection has replies waiting, nothing more
 * is read from it, so a chunk's replies always fit (OUT_MAX); a
 * connection whose replies wait STALL_MS without the peer taking a byte
 * is closed.  Never a spin on a full socket.
 *
 * The same code serves the local (AF_UNIX) stream socket: its peers are
 * not checked against the allow list at accept; their credentials
 * (SO_PEERCRED, SO_PEERGROUPS) go with each call to the handlers.
 *
 * Limits: at most maxconn connections; a new one closes the least
 * recently active.  Activity is the kernel's time of the last segment
 * with data (TCP_INFO), not the time dracd read it: after a stall every
 * connection is read at once, and only the kernel still knows that the
 * busy client wrote after the flood of new connections arrived.  A
 * connection without input for the idle time (-T) is closed.
 *
 * Invariants: tab[0..nconn) are the open connections; a connection's
 * outlen > 0 exactly when it has replies waiting, and then it is polled
 * for output only.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "conn.h"
#include "handler.h"
#include "log.h"
#include "rpc.h"

#define FD_SPARE	32	/* descriptors beyond connections */
#define MAX_RECORD	8192	/* largest call record */
#define READ_CHUNK	2048	/* bytes read per connection and round */
#define REC_MIN		44	/* mark and the shortest call */
#define OUT_MAX		((READ_CHUNK / REC_MIN + 1) * (4 + RPC_REPLYMAX))
#define STALL_MS	2000	/* replies unread this long: closed */
#define ACCEPT_BATCH	16	/* connections accepted per round */
#define LAST_FRAG	0x80000000U

struct conn {
	int		 fd;
	struct caller	 peer;
	long long	 active;	/* msec of the last input (TCP_INFO) */
	long long	 waiting;	/* msec replies began to wait */
	unsigned char	 mark[4];	/* fragment header read so far */
	size_t		 nmark;
	uint32_t	 left;		/* bytes of the fragment to come */
	int		 last;		/* the fragment ends the record */
	size_t		 reclen;
	size_t		 outoff, outlen;
	int		 dead;
	unsigned char	 rec[MAX_RECORD];
	unsigned char	 out[OUT_MAX];
};

static struct conn	**tab;
static int		  nconn, maxconn = 128;
static long long	  idle_ms = 600 * 1000;

/* Allow max connections, each closed after idle seconds without input. */
void
conn_init(int max, int idle)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)max + FD_SPARE;

	maxconn = max;
	idle_ms = (long long)idle * 1000;
	if ((tab = calloc(max, sizeof(*tab))) == NULL)
		fatal("connection table");
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		fatalx("-c %d: needs %llu descriptors, the limit is %llu", max,
		    (unsigned long long)need, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("-c %d: setrlimit to %llu descriptors", max,
		    (unsigned long long)need);
}

/* The peer of c as text, in buf. */
static const char *
peer_text(const struct conn *c, char *buf, size_t len)
{
	struct addr	ad;

	if (addr_from_sockaddr(&ad, (const struct sockaddr *)&c->peer.addr)
	    == -1)
		return "?";
	return addr_text(&ad, buf, len);
}

/*
 * Close c and mark it for removal from the table; say why in the log
 * (rate-limited when loud, else a debug line).
 */
static void
drop(struct conn *c, const char *why, int loud)
{
	char	peer[INET6_ADDRSTRLEN];

	if (why != NULL && loud)
		log_limited(LIMIT_CONN, "closed a TCP connection from %s: %s",
		    peer_text(c, peer, sizeof(peer)), why);
	else if (why != NULL)
		log_debug("closed a TCP connection from %s: %s",
		    peer_text(c, peer, sizeof(peer)), why);
	close(c->fd);
	c->fd = -1;
	c->dead = 1;
}

/* Remove the closed connections from the table. */
static void
compact(void)
{
	int	i, j;

	for (i = j = 0; i < nconn; i++) {
		if (tab[i]->dead)
			free(tab[i]);
		else
			tab[j++] = tab[i];
	}
	nconn = j;
}

/*
 * When c's peer last sent data, in msec on the monotonic clock now is
 * read from: the kernel's time for TCP, now for the local socket or when
 * the kernel cannot say.
 */
static long long
last_input(const struct conn *c, long long now)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof(ti);

	if (c->peer.transport != RPC_TCP ||
	    getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_last_data_recv) +
	    sizeof(ti.tcpi_last_data_recv))
		return now;
	return now - ti.tcpi_last_data_recv;
}

/* Close the least recently active connection to make room. */
static void
evict(void)
{
	char	peer[INET6_ADDRSTRLEN];
	int	i, old = 0;

	for (i = 1; i < nconn; i++)
		if (tab[i]->active < tab[old]->active)
			old = i;
	log_limited(LIMIT_CONN, "%d TCP connections: closed the least "
	    "recently active, from %s", nconn,
	    peer_text(tab[old], peer, sizeof(peer)));
	drop(tab[old], NULL, 0);
	compact();
}

/*
 * The kernel's word on who is at the other end of the local socket fd:
 * uid, gid and groups in *p.  0, or -1 when it cannot say.
 */
static int
peer_creds(int fd, struct caller *p)
{
	struct ucred	uc;
	socklen_t	len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return -1;
	p->uid = uc.uid;
	p->gid = uc.gid;
	len = sizeof(p->groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p->groups, &len) == -1)
		len = 0;	/* more groups than we keep: only uid, gid */
	p->ngroups = (int)(len / sizeof(gid_t));
	return 0;
}

/*
 * Take a connection fd from ss: close it unless its peer is trusted.
 * Anyone on this host may connect to the local socket: the handlers
 * decide on the credentials.
 */
static void
adopt(int fd, const struct sockaddr_storage *ss)
{
	struct conn	*c;
	struct caller	 local = { .transport = RPC_LOCAL };
	char		 peer[INET6_ADDRSTRLEN];
	struct addr	 ad;
	int		 on = 1;

	if (ss->ss_family == AF_UNIX) {
		if (peer_creds(fd, &local) == -1) {
			log_warn("local connection: SO_PEERCRED");
			close(fd);
			return;
		}
	} else if (!handler_trusts((const struct sockaddr *)ss)) {
		if (addr_from_sockaddr(&ad, (const struct sockaddr *)ss) == 0)
			log_limited(LIMIT_CONN, "denied: TCP connection "
			    "from %s closed, not in the allow list",
			    addr_text(&ad, peer, sizeof(peer)));
		close(fd);
		return;
	}
	/* Each reply is one write: nothing to gain from Nagle's delay. */
	if (ss->ss_family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
	if (nconn == maxconn)
		evict();
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("connection");
		close(fd);
		return;
	}
	c->fd = fd;
	if (ss->ss_family == AF_UNIX)
		c->peer = local;
	else
		c->peer.transport = RPC_TCP;
	c->peer.addr = *ss;
	c->active = last_input(c, clock_ms());
	tab[nconn++] = c;
}

/* Accept the connections waiting on the listening socket lfd. */
void
conn_accept(int lfd)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				log_limited(LIMIT_CONN, "accept: %s",
				    strerror(errno));
			if (errno != ECONNABORTED && errno != EINTR)
				return;
			continue;
		}
		adopt(fd, &ss);
	}
}

/* Write what c has waiting; -1 when the connection failed. */
static int
flush(struct conn *c)
{
	ssize_t	n;

	while (c->outlen > 0) {
		n = write(c->fd, c->out + c->outoff, c->outlen);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
		c->outlen -= (size_t)n;
		c->waiting = clock_ms();
	}
	if (c->outlen == 0)
		c->outoff = 0;
	return 0;
}

/* Serve the record in c->rec and queue its reply. */
static void
serve(struct conn *c)
{
	unsigned char	*o;
	uint32_t	 mark;
	size_t		 len;

	if (c->outoff + c->outlen + 4 + RPC_REPLYMAX > sizeof(c->out)) {
		drop(c, "replies not read", 1);
		return;
	}
	if (c->outlen == 0)
		c->waiting = clock_ms();
	o = c->out + c->outoff + c->outlen;
	if ((len = rpc_serve(c->rec, c->reclen, &c->peer, o + 4)) == 0)
		return;
	mark = htonl(LAST_FRAG | (uint32_t)len);
	memcpy(o, &mark, 4);
	c->outlen += 4 + len;
}

/* Take a fragment header from c->mark; -1 when it closes c. */
static int
fragment(struct conn *c)
{
	uint32_t	mark;

	memcpy(&mark, c->mark, 4);
	mark = ntohl(mark);
	c->nmark = 0;
	c->last = (mark & LAST_FRAG) != 0;
	c->left = mark & ~LAST_FRAG;
	if (c->left == 0) {
		drop(c, "empty record fragment", 0);
		return -1;
	}
	if (c->left > MAX_RECORD - c->reclen) {
		drop(c, "record longer than 8192 bytes", 0);
		return -1;
	}
	return 0;
}

/* Feed n bytes of input to c: collect fragments, serve whole records. */
static void
feed(struct conn *c, const unsigned char *p, size_t n)
{
	size_t	k;

	while (n > 0 && !c->dead) {
		if (c->left == 0) {
			c->mark[c->nmark++] = *p++;
			n--;
			if (c->nmark == 4)
				(void)fragment(c);
			continue;
		}
		k = n < c->left ? n : c->left;
		memcpy(c->rec + c->reclen, p, k);
		c->reclen += k;
		c->left -= (uint32_t)k;
		p += k;
		n -= k;
		if (c->left == 0 && c->last) {
			serve(c);
			c->reclen = 0;
		}
	}
}

/* Read one chunk from c and serve what it completes. */
static void
input(struct conn *c)
{
	unsigned char	buf[READ_CHUNK];
	ssize_t		n;

	n = read(c->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		drop(c, NULL, 0);
		return;
	}
	c->active = last_input(c, clock_ms());
	feed(c, buf, (size_t)n);
}

/* One pollfd per connection in pfd: output when replies wait, else input. */
int
conn_pollfds(struct pollfd *pfd)
{
	int	i;

	for (i = 0; i < nconn; i++) {
		pfd[i].fd = tab[i]->fd;
		pfd[i].events = tab[i]->outlen > 0 ? POLLOUT : POLLIN;
		pfd[i].revents = 0;
	}
	return nconn;
}

/* Serve the n connections that conn_pollfds put in pfd. */
void
conn_events(const struct pollfd *pfd, int n)
{
	struct conn	*c;
	int		 i;

	for (i = 0; i < n && i < nconn; i++) {
		c = tab[i];
		if (pfd[i].fd != c->fd || pfd[i].revents == 0)
			continue;
		if (c->outlen == 0)
			input(c);
		if (!c->dead && flush(c) == -1)
			drop(c, NULL, 0);
	}
	compact();
}

/* Close the connections idle past the timeout or stalled on output. */
void
conn_check(void)
{
	long long	now = clock_ms();
	int		i;

	for (i = 0; i < nconn; i++) {
		if (tab[i]->outlen > 0 && now - tab[i]->waiting >= STALL_MS)
			drop(tab[i], "replies not read for 2 s", 1);
		else if (now - tab[i]->active >= idle_ms)
			drop(tab[i], "idle", 0);
	}
	compact();
}

/* Msec until conn_check has a connection to close, -1 for none. */
int
conn_timeout(void)
{
	long long	now = clock_ms(), first = -1, d;
	int		i;

	for (i = 0; i < nconn; i++) {
		d = tab[i]->active + idle_ms - now;
		if (tab[i]->outlen > 0 && tab[i]->waiting + STALL_MS - now < d)
			d = tab[i]->waiting + STALL_MS - now;
		if (first == -1 || d < first)
			first = d < 0 ? 0 : d;
	}
	return first > 60000 ? 60000 : (int)first;
}

/* Close every connection. */
void
conn_closeall(void)
{
	int	i;

	for (i = 0; i < nconn; i++)
		drop(tab[i], NULL, 0);
	compact();
	free(tab);
	tab = NULL;
}

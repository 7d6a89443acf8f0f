/*
 * conn.c: a cap on TCP connections, and an idle timeout.
 *
 * libtirpc accepts a connection inside svc_getreq_poll() and registers
 * its descriptor in svc_pollfd; it offers no hook and keeps its
 * transports in a private table.  So dracd learns of connections from
 * svc_pollfd: every descriptor there that is not one of dracd's own
 * transports (conn_listener) is a connection.  Before servicing,
 * conn_seen stamps the descriptors that poll reported; after it,
 * conn_check adopts new descriptors, forgets those libtirpc closed,
 * closes the connections idle for the timeout and, while more than the
 * cap are open, the least recently active ones.  Closing is shutdown(2):
 * the descriptor turns readable at end of file and libtirpc destroys the
 * transport and closes the descriptor on the next round, as for a client
 * that hung up.  A half-sent record is no hold on dracd (libtirpc's TCP
 * servicing is non-blocking, see serve() in dracd.c); this module bounds
 * how many there can be and for how long.
 *
 * Invariants: tab[fd] describes descriptor fd; nopen counts the OPEN
 * entries.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rpc/rpc.h>

#include "addr.h"
#include "clock.h"
#include "conn.h"
#include "log.h"

#define FD_SPARE	32	/* descriptors beyond connections */

enum conn_state {
	C_NONE,			/* not in svc_pollfd, or not known yet */
	C_OWN,			/* one of dracd's transports */
	C_OPEN,			/* a connection */
	C_CLOSING		/* shut down, waiting for libtirpc */
};

struct conn {
	enum conn_state	state;
	unsigned int	gen;		/* last conn_check that saw it */
	long long	last;		/* msec of last input, monotonic */
};

static struct conn	*tab;
static int		 ntab, nopen, maxconn = 128;
static long long	 idle_ms = 600 * 1000;
static unsigned int	 gen;

/* Allow max connections, each closed after idle seconds without input. */
void
conn_init(int max, int idle)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)max + FD_SPARE;

	maxconn = max;
	idle_ms = (long long)idle * 1000;
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

static struct conn *
slot(int fd)
{
	struct conn	*nt;
	int		 n;

	if (fd < 0)
		return NULL;
	if (fd >= ntab) {
		n = fd + 64;
		if ((nt = reallocarray(tab, n, sizeof(*nt))) == NULL)
			fatal("connection table");
		memset(nt + ntab, 0, (size_t)(n - ntab) * sizeof(*nt));
		tab = nt;
		ntab = n;
	}
	return &tab[fd];
}

/* Descriptor fd is one of dracd's transports, never a connection. */
void
conn_listener(int fd)
{
	struct conn	*c;

	if ((c = slot(fd)) != NULL)
		c->state = C_OWN;
}

/* Stamp the connections with input in the poll set fds. */
void
conn_seen(const struct pollfd *fds, int nfds)
{
	long long	now = clock_ms();
	int		i;

	for (i = 0; i < nfds; i++) {
		if (fds[i].fd < 0 || fds[i].fd >= ntab || fds[i].revents == 0)
			continue;
		switch (tab[fds[i].fd].state) {
		case C_CLOSING:
			/* libtirpc reaps it now; a new one may take the fd. */
			tab[fds[i].fd].state = C_OPEN;
			nopen++;
			/* FALLTHROUGH */
		case C_OPEN:
			tab[fds[i].fd].last = now;
			break;
		default:
			break;
		}
	}
}

/* Close connection fd; capped says it is for the cap, not idleness. */
static void
shut(int fd, int capped)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	struct addr		ad;
	char			peer[INET6_ADDRSTRLEN] = "?";

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_from_sockaddr(&ad, (struct sockaddr *)&ss) == 0)
		addr_text(&ad, peer, sizeof(peer));
	if (shutdown(fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
		log_warn("shutdown of a connection from %s", peer);
	if (capped)
		log_limited(LIMIT_CONN, "%d TCP connections: closed the least "
		    "recently active, from %s", nopen, peer);
	else
		log_debug("closed an idle connection from %s", peer);
	tab[fd].state = C_CLOSING;
	nopen--;
}

/* Adopt new connections from svc_pollfd and forget the closed ones. */
static void
sync_table(long long now)
{
	struct conn	*c;
	int		 i;

	gen++;
	for (i = 0; i < svc_max_pollfd; i++) {
		if ((c = slot(svc_pollfd[i].fd)) == NULL)
			continue;
		c->gen = gen;
		if (c->state == C_NONE) {
			c->state = C_OPEN;
			c->last = now;
			nopen++;
		}
	}
	for (i = 0; i < ntab; i++) {
		if (tab[i].gen == gen || tab[i].state == C_NONE ||
		    tab[i].state == C_OWN)
			continue;
		if (tab[i].state == C_OPEN)
			nopen--;
		tab[i].state = C_NONE;
	}
}

/* Close idle connections, then the least recently active over the cap. */
void
conn_check(void)
{
	long long	now = clock_ms();
	int		i, old;

	sync_table(now);
	for (i = 0; i < ntab; i++)
		if (tab[i].state == C_OPEN && now - tab[i].last >= idle_ms)
			shut(i, 0);
	while (nopen > maxconn) {
		old = -1;
		for (i = 0; i < ntab; i++)
			if (tab[i].state == C_OPEN &&
			    (old == -1 || tab[i].last < tab[old].last))
				old = i;
		if (old == -1)
			break;
		shut(old, 1);
	}
}

/* Msec until the first idle connection is due, -1 for none. */
int
conn_timeout(void)
{
	long long	now = clock_ms(), first = -1, d;
	int		i;

	for (i = 0; i < ntab; i++) {
		if (tab[i].state != C_OPEN)
			continue;
		d = tab[i].last + idle_ms - now;
		if (first == -1 || d < first)
			first = d < 0 ? 0 : d;
	}
	return first > 60000 ? 60000 : (int)first;
}

/*
 * listen.c: the sockets dracd listens on, and their rpcbind entries.
 *
 * dracd binds its own sockets (see dracd.c for why): UDP and TCP, IPv4
 * and IPv6, IPv6 ones IPV6_V6ONLY as libtirpc makes them, all
 * non-blocking.  Each UDP address gets a pair of sockets in one
 * SO_REUSEPORT group, the first for what comes in on loopback and the
 * second for the rest (dgram.c says why and sets the pair up).  Every socket of one protocol has the same port, so that
 * one rpcbind entry per netid (udp, tcp, udp6, tcp6) names them all:
 * rpcbind keeps one address per program, version and netid, and its
 * clients use the port.  With -l the sockets are bound to the addresses
 * given; without, to the wildcards (an IPv6 wildcard that cannot be made,
 * on a host without IPv6, is skipped with a warning).
 *
 * The entries are made with rpcb_set() from the address each socket was
 * bound to (getsockname), as libtirpc's svc_reg() does, and removed with
 * rpcb_unset() for every netid.  rpcbind lets only the user who made an
 * entry remove it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "dgram.h"
#include "drac.h"
#include "listen.h"
#include "log.h"

#define BIND_TRIES	16	/* to find a port free on every address */

static const char	*wildcards[] = { "0.0.0.0", "::" };

/* The netid of a socket of type and family af. */
static const char *
netid(int type, int af)
{
	if (type == SOCK_DGRAM)
		return af == AF_INET ? "udp" : "udp6";
	return af == AF_INET ? "tcp" : "tcp6";
}

/* Parse the numeric address s into ss; -1 when it is none. */
static int
parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo	hints, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(s, "0", &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* Set port in ss. */
static void
set_port(struct sockaddr_storage *ss, in_port_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
}

static in_port_t
get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port;
	return ((const struct sockaddr_in6 *)ss)->sin6_port;
}

/* A socket of l->type bound to l->addr; its descriptor, or -1. */
static int
bind_one(struct listener *l)
{
	int	fd, on = 1, af = l->addr.ss_family;

	fd = socket(af, l->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if ((af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &on, sizeof(on)) == -1) ||
	    setsockopt(fd, SOL_SOCKET, l->type == SOCK_STREAM ?
	    SO_REUSEADDR : SO_REUSEPORT, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&l->addr, l->len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&l->addr, &l->len) == -1 ||
	    (l->type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1) ||
	    (l->type == SOCK_DGRAM &&
	    dgram_prepare(fd, af, l->outside) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Bind the n listeners in l, all of one type, to one port; 0, or -1
 * with errno when l[i] (*bad) cannot be bound at all.
 */
static int
bind_group(struct listener *l, int n, int *bad)
{
	in_port_t	port;
	int		i, k, try;

	for (try = 0; try < BIND_TRIES; try++) {
		port = 0;
		for (i = 0; i < n; i++) {
			set_port(&l[i].addr, port);
			if ((l[i].fd = bind_one(&l[i])) == -1)
				break;
			port = get_port(&l[i].addr);
		}
		if (i == n)
			return 0;
		*bad = i;
		for (k = 0; k < i; k++)
			close(l[k].fd);
		if (i == 0 || errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

/*
 * Fill l with the listeners of type for the n addresses in addrs: per
 * address one TCP socket, or a UDP pair; returns how many.
 */
static int
fill(struct listener *l, int type, const char *const *addrs, int n)
{
	int	i, k = 0;

	for (i = 0; i < n; i++) {
		l[k].type = type;
		l[k].len = sizeof(l[k].addr);
		if (parse(addrs[i], &l[k].addr, &l[k].len) == -1)
			fatalx("-l %s: not a numeric IPv4 or IPv6 address",
			    addrs[i]);
		l[k].netid = netid(type, l[k].addr.ss_family);
		k++;
		if (type == SOCK_DGRAM) {
			l[k] = l[k - 1];
			l[k++].outside = 1;
		}
	}
	return k;
}

/* Bind the listeners of type for addrs (wild: the two wildcards). */
static int
open_type(struct listener *l, int type, const char *const *addrs, int n,
    int wild)
{
	int	bad = 0, per = type == SOCK_DGRAM ? 2 : 1;

	n = fill(l, type, addrs, n);
	if (bind_group(l, n, &bad) == 0)
		return n;
	if (wild && bad == per && bind_group(l, per, &bad) == 0) {
		log_warn("%s: cannot bind the IPv6 wildcard; IPv4 only",
		    l[per].netid);
		return per;
	}
	fatal("%s: cannot bind %s", l[bad].netid, addrs[bad / per]);
}

/* Bind UDP and TCP sockets on addrs (none: the wildcards), see above. */
int
listen_open(char *const *addrs, int naddrs, struct listener **ls)
{
	const char *const	*a = (const char *const *)addrs;
	struct listener		*l;
	int			 n, wild = naddrs == 0;

	if (wild) {
		a = wildcards;
		naddrs = 2;
	}
	if ((l = calloc(3 * naddrs, sizeof(*l))) == NULL)
		fatal("listeners");
	n = open_type(l, SOCK_DGRAM, a, naddrs, wild);
	n += open_type(l + n, SOCK_STREAM, a, naddrs, wild);
	*ls = l;
	return n;
}

/*
 * Add the local (AF_UNIX) stream socket at path to the n listeners in
 * *ls: a stale socket file is replaced, the new one is mode 0666 (the
 * handlers check the callers' credentials).  Returns the new count;
 * fatal when it cannot be made.
 */
int
listen_local(const char *path, struct listener **ls, int n)
{
	struct sockaddr_un	*sun;
	struct listener		*l;
	int			 fd;

	if ((l = reallocarray(*ls, n + 1, sizeof(*l))) == NULL)
		fatal("listeners");
	*ls = l;
	l += n;
	memset(l, 0, sizeof(*l));
	sun = (struct sockaddr_un *)&l->addr;
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		fatalx("-U %s: path too long", path);
	strcpy(sun->sun_path, path);
	l->len = sizeof(*sun);
	l->type = SOCK_STREAM;
	l->netid = "local";
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("-U %s: socket", path);
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)sun, l->len) == -1 ||
	    chmod(path, 0666) == -1 || listen(fd, SOMAXCONN) == -1)
		fatal("-U %s: cannot listen", path);
	l->fd = fd;
	return n + 1;
}

/*
 * Register versions 1, 2 and 3 with rpcbind for the first socket of each
 * netid; the local socket is found by its path, not through rpcbind.
 */
void
listen_register(const struct listener *l, int n)
{
	struct netconfig	*nc;
	struct netbuf		 nb;
	int			 i, k;

	listen_unregister();
	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(l[k].netid, l[i].netid) == 0)
				break;
		if (k < i || strcmp(l[i].netid, "local") == 0)
			continue;
		if ((nc = getnetconfigent(l[i].netid)) == NULL)
			fatalx("%s: not in /etc/netconfig", l[i].netid);
		nb.buf = (void *)&l[i].addr;
		nb.len = nb.maxlen = l[i].len;
		if (!rpcb_set(DRACPROG, DRACVERS, nc, &nb) ||
		    !rpcb_set(DRACPROG, DRACVERS6, nc, &nb) ||
		    !rpcb_set(DRACPROG, DRACVERS3, nc, &nb))
			fatalx("%s: cannot register with rpcbind (is it "
			    "running?)", l[i].netid);
		freenetconfigent(nc);
	}
}

/* Remove dracd's rpcbind entries, every netid. */
void
listen_unregister(void)
{
	rpcb_unset(DRACPROG, DRACVERS, NULL);
	rpcb_unset(DRACPROG, DRACVERS6, NULL);
	rpcb_unset(DRACPROG, DRACVERS3, NULL);
}

/* Close the n listeners in l and free l. */
void
listen_close(struct listener *l, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		close(l[i].fd);
	free(l);
}

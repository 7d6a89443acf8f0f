/*
 * rpcb.c: where dracd listens on a server: libdrac's one rpcbind client,
 * RPCBPROC_GETADDR, and one small table of its answers shared by every
 * caller in the process, so that a busy POP server does not ask rpcbind
 * on every login, whether it adds through a handle (client.c, for
 * dracauth() and dracauth6()) or fans out (async.c).
 *
 * The call: what is asked (getaddr_parms()) and what the answer means
 * (getaddr_result(): a universal address, "h.h.h.h.p1.p2" or
 * "::1.p1.p2", made a sockaddr; "" when the program is not registered)
 * are written once.  rpcb_lookup() makes the call and waits: its own
 * client rather than rpcb_getaddr(), which connects and waits with
 * libtirpc's own fixed timeouts, so every step ends by the caller's
 * deadline (call.c), except the resolution of the server's name; it asks
 * with version 4 first, then 3 when the rpcbind is older.  async.c,
 * which cannot wait, sends rpcb_encode()'s message on its own socket and
 * hands the reply to rpcb_decode().  Both ask over the transport to be
 * looked up, since rpcbind answers with the address for the transport it
 * is asked on, whatever netid the call names.
 *
 * The table: CACHE_SIZE entries, each the answer for (server, netid
 * asked for, version), valid CACHE_TTL seconds on the monotonic clock;
 * a new answer takes the free, expired or oldest entry.  The netid asked
 * for ("udp") may differ from the one that answered ("udp6").  One mutex
 * guards the table, held only to copy an entry in or out.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>
#include <pthread.h>
#include <string.h>

#include "call.h"
#include "clock.h"
#include "num.h"
#include "rpcb.h"

#define CACHE_SIZE	8	/* servers remembered */
#define CACHE_TTL_MS	60000
#define HOST_LEN	256
#define UADDR_LEN	64	/* INET6_ADDRSTRLEN + ".255.255", the NUL */

struct cache_entry {
	char		 server[HOST_LEN];
	char		 want[RPCB_NETID_LEN];	/* netid asked for */
	rpcvers_t	 vers;
	struct rpcb_addr addr;
	long long	 expires;	/* clock_ms(); 0: free */
};

/* GETADDR's result, decoded into a buffer of its own. */
struct uaddr {
	char	s[UADDR_LEN];
};

static struct cache_entry cache[CACHE_SIZE];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* What GETADDR asks: where prog/vers listens over netid. */
static void
getaddr_parms(RPCB *p, rpcprog_t prog, rpcvers_t vers, const char *netid)
{
	p->r_prog = prog;
	p->r_vers = vers;
	p->r_netid = (char *)netid;
	p->r_addr = "";
	p->r_owner = "libdrac";
}

/* Decodes GETADDR's result into u; nothing to free. */
static bool_t
xdr_uaddr(XDR *x, struct uaddr *u)
{
	char	*p = u->s;

	return x->x_op == XDR_FREE || xdr_string(x, &p, sizeof(u->s) - 1);
}

/* The port of a universal address's last two fields, hi and lo; or -1. */
static int
uaddr_port(const char *hi, const char *lo)
{
	const char	*errstr;
	long long	 h, l;

	h = num_parse(hi, 0, 255, &errstr);
	if (errstr != NULL)
		return -1;
	l = num_parse(lo, 0, 255, &errstr);
	return errstr != NULL || (h == 0 && l == 0) ? -1 : (int)(h << 8 | l);
}

/* The address of the universal address u in family into *a; -1 if none. */
static int
uaddr_sockaddr(const char *u, int family, struct rpcb_addr *a)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&a->sa;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&a->sa;
	char			 host[UADDR_LEN], *lo, *hi;
	int			 port, ok;

	if (strlen(u) >= sizeof(host))
		return -1;
	strcpy(host, u);
	if ((lo = strrchr(host, '.')) == NULL)
		return -1;
	*lo++ = '\0';
	if ((hi = strrchr(host, '.')) == NULL)
		return -1;
	*hi++ = '\0';
	if ((port = uaddr_port(hi, lo)) == -1)
		return -1;
	memset(&a->sa, 0, sizeof(a->sa));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ok = inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1;
		a->salen = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ok = inet_pton(AF_INET, host, &sin->sin_addr) == 1;
		a->salen = sizeof(*sin);
	}
	return ok ? 0 : -1;
}

/* What GETADDR's answer u over netid says: *a, or why there is none. */
static enum clnt_stat
getaddr_result(const struct uaddr *u, const char *netid, struct rpcb_addr *a)
{
	if (u->s[0] == '\0')
		return RPC_PROGNOTREGISTERED;
	if (strlen(netid) >= sizeof(a->netid) ||
	    uaddr_sockaddr(u->s, strchr(netid, '6') != NULL ? AF_INET6 :
	    AF_INET, a) == -1)
		return RPC_N2AXLATEFAILURE;
	strcpy(a->netid, netid);
	return RPC_SUCCESS;
}

/*
 * Encodes into buf (size bytes) the GETADDR call, with the id xid, to
 * rpcbind's version rpcbvers, asking where prog/vers listens over netid:
 * the message's length, or 0.
 */
size_t
rpcb_encode(void *buf, size_t size, uint32_t xid, rpcvers_t rpcbvers,
    rpcprog_t prog, rpcvers_t vers, const char *netid)
{
	RPCB	parms;

	getaddr_parms(&parms, prog, vers, netid);
	return call_encode(buf, size, xid, RPCBPROG, rpcbvers,
	    RPCBPROC_GETADDR, (xdrproc_t)xdr_rpcb, &parms);
}

/*
 * Decodes rpcbind's reply of n bytes in buf to rpcb_encode()'s call for
 * netid into *a: RPC_SUCCESS, RPC_PROGNOTREGISTERED, or as call_decode().
 */
enum clnt_stat
rpcb_decode(const void *buf, size_t n, const char *netid,
    struct rpcb_addr *a)
{
	struct uaddr	u;
	enum clnt_stat	st;

	if ((st = call_decode(buf, n, (xdrproc_t)xdr_uaddr, &u)) !=
	    RPC_SUCCESS)
		return st;
	return getaddr_result(&u, netid, a);
}

/* A client of the rpcbind on server over nc, connected by end. */
static CLIENT *
rpcbind_client(const char *server, const struct netconfig *nc,
    const struct timespec *end, enum clnt_stat *st)
{
	struct addrinfo	 hints, *res;
	struct netbuf	 nb;
	CLIENT		*cl;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = strcmp(nc->nc_protofmly, NC_INET6) == 0 ?
	    AF_INET6 : AF_INET;
	hints.ai_socktype = nc->nc_semantics == NC_TPI_CLTS ? SOCK_DGRAM :
	    SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(server, "111", &hints, &res) != 0) {
		*st = RPC_UNKNOWNHOST;
		return NULL;
	}
	nb.buf = res->ai_addr;
	nb.len = nb.maxlen = res->ai_addrlen;
	cl = call_client(nc, &nb, RPCBPROG, RPCBVERS4, end, st);
	freeaddrinfo(res);
	return cl;
}

/*
 * Asks the rpcbind on server, over nc, where prog/vers listens, by end:
 * RPC_SUCCESS with the address in *a, RPC_PROGNOTREGISTERED when it is
 * not registered there, else why the call failed.
 */
enum clnt_stat
rpcb_lookup(const char *server, const struct netconfig *nc, rpcprog_t prog,
    rpcvers_t vers, const struct timespec *end, struct rpcb_addr *a)
{
	struct uaddr	 u;
	enum clnt_stat	 st;
	rpcvers_t	 rv;
	CLIENT		*cl;
	RPCB		 parms;

	if ((cl = rpcbind_client(server, nc, end, &st)) == NULL)
		return st;
	getaddr_parms(&parms, prog, vers, nc->nc_netid);
	st = RPC_PROGVERSMISMATCH;
	for (rv = RPCBVERS4; rv >= RPCBVERS && st == RPC_PROGVERSMISMATCH;
	    rv--) {
		clnt_control(cl, CLSET_VERS, (char *)&rv);
		st = call_run(cl, RPCBPROC_GETADDR, (xdrproc_t)xdr_rpcb, &parms,
		    (xdrproc_t)xdr_uaddr, &u, end);
	}
	clnt_destroy(cl);
	return st == RPC_SUCCESS ? getaddr_result(&u, nc->nc_netid, a) : st;
}

/* The live entry of (server, want, vers), or NULL; cache_lock held. */
static struct cache_entry *
cache_find(const char *server, const char *want, rpcvers_t vers,
    long long now)
{
	struct cache_entry	*e;

	for (e = cache; e < cache + CACHE_SIZE; e++)
		if (e->expires > now && e->vers == vers &&
		    strcmp(e->server, server) == 0 &&
		    strcmp(e->want, want) == 0)
			return e;
	return NULL;
}

/*
 * Copies the remembered address of vers on server, looked up for the
 * netid want, into *a: 1, or 0 when there is none.
 */
int
rpcb_recall(const char *server, const char *want, rpcvers_t vers,
    struct rpcb_addr *a)
{
	struct cache_entry	*e;

	pthread_mutex_lock(&cache_lock);
	if ((e = cache_find(server, want, vers, clock_ms())) != NULL)
		*a = e->addr;
	pthread_mutex_unlock(&cache_lock);
	return e != NULL;
}

/* Remembers for CACHE_TTL that vers on server, asked over want, is at a. */
void
rpcb_remember(const char *server, const char *want, rpcvers_t vers,
    const struct rpcb_addr *a)
{
	struct cache_entry	*e, *slot;
	long long		 now;

	if (strlen(server) >= HOST_LEN || strlen(want) >= RPCB_NETID_LEN)
		return;
	pthread_mutex_lock(&cache_lock);
	now = clock_ms();
	if ((slot = cache_find(server, want, vers, now)) == NULL) {
		slot = cache;
		for (e = cache + 1; e < cache + CACHE_SIZE; e++)
			if (e->expires < slot->expires)
				slot = e;
	}
	strcpy(slot->server, server);
	strcpy(slot->want, want);
	slot->vers = vers;
	slot->addr = *a;
	slot->expires = now + CACHE_TTL_MS;
	pthread_mutex_unlock(&cache_lock);
}

/* Forgets the address of vers on server: a call through it failed. */
void
rpcb_forget(const char *server, const char *want, rpcvers_t vers)
{
	struct cache_entry	*e;

	pthread_mutex_lock(&cache_lock);
	if ((e = cache_find(server, want, vers, clock_ms())) != NULL)
		e->expires = 0;
	pthread_mutex_unlock(&cache_lock);
}

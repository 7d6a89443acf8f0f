/*
 * rpcb.c: where dracd listens on a server.  An RPCBPROC_GETADDR call to
 * the rpcbind there, and a small table of the answers, which dracauth()
 * and dracauth6() use so that a busy POP server does not ask rpcbind on
 * every login.
 *
 * The lookup is written here rather than left to rpcb_getaddr(), which
 * connects and waits with libtirpc's own fixed timeouts: every step of
 * ours ends by the caller's deadline (call.c), except the resolution of
 * the server's name.  It asks over the transport to be looked up, since
 * rpcbind answers with the address for the transport it is asked on:
 * version 4 first, then 3 when the rpcbind is older.
 *
 * The table: CACHE_SIZE entries, each the answer for (server, netid
 * asked for, version), valid CACHE_TTL seconds on the monotonic clock;
 * a new answer takes the free, expired or oldest entry.  The netid asked
 * for ("udp") may differ from the one that answered ("udp6").  One mutex
 * guards the table, held only to copy an entry in or out.
 */
#include <sys/socket.h>

#include <netdb.h>
#include <pthread.h>
#include <string.h>

#include "call.h"
#include "clock.h"
#include "rpcb.h"

#define CACHE_SIZE	8	/* servers remembered */
#define CACHE_TTL_MS	60000
#define HOST_LEN	256

struct cache_entry {
	char		 server[HOST_LEN];
	char		 want[RPCB_NETID_LEN];	/* netid asked for */
	rpcvers_t	 vers;
	struct rpcb_addr addr;
	long long	 expires;	/* clock_ms(); 0: free */
};

static struct cache_entry cache[CACHE_SIZE];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

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
 * Asks the rpcbind on server, over nc, where prog/vers listens by end;
 * the universal address goes to *uaddr, for the caller to free with
 * xdr_free(xdr_wrapstring).  RPC_PROGNOTREGISTERED when it is not
 * registered there.
 */
enum clnt_stat
rpcb_lookup(const char *server, const struct netconfig *nc, rpcprog_t prog,
    rpcvers_t vers, const struct timespec *end, char **uaddr)
{
	enum clnt_stat	 st;
	rpcvers_t	 rv;
	CLIENT		*cl;
	RPCB		 parms;

	*uaddr = NULL;
	if ((cl = rpcbind_client(server, nc, end, &st)) == NULL)
		return st;
	parms.r_prog = prog;
	parms.r_vers = vers;
	parms.r_netid = nc->nc_netid;
	parms.r_addr = "";
	parms.r_owner = "libdrac";
	st = RPC_PROGVERSMISMATCH;
	for (rv = RPCBVERS4; rv >= RPCBVERS && st == RPC_PROGVERSMISMATCH;
	    rv--) {
		clnt_control(cl, CLSET_VERS, (char *)&rv);
		st = call_run(cl, RPCBPROC_GETADDR, (xdrproc_t)xdr_rpcb, &parms,
		    (xdrproc_t)xdr_wrapstring, uaddr, end);
	}
	clnt_destroy(cl);
	if (st == RPC_SUCCESS && (*uaddr == NULL || **uaddr == '\0'))
		st = RPC_PROGNOTREGISTERED;
	if (st != RPC_SUCCESS)
		xdr_free((xdrproc_t)xdr_wrapstring, (char *)uaddr);
	return st;
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

/* Remembers for CACHE_TTL that vers on server answers at netid, uaddr. */
void
rpcb_remember(const char *server, const char *want, rpcvers_t vers,
    const char *netid, const char *uaddr)
{
	struct cache_entry	*e, *slot;
	long long		 now;

	if (strlen(server) >= HOST_LEN || strlen(want) >= RPCB_NETID_LEN ||
	    strlen(netid) >= RPCB_NETID_LEN || strlen(uaddr) >= RPCB_UADDR_LEN)
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
	strcpy(slot->addr.netid, netid);
	strcpy(slot->addr.uaddr, uaddr);
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

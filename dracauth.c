/*
 * dracauth.c: libdrac, the client library of dracd (see dracauth(3)).
 *
 * Two APIs share the same internals.  The handle API (drac_open(),
 * drac_add(), drac_add_v2(), drac_ping(), drac_close()) keeps all its state
 * in the handle.  The compatible API of DRAC 1.12 is built on it:
 * dracauth() and dracauth6() run a short-lived handle and remember the
 * server's address for CACHE_TTL seconds, so that they need no rpcbind
 * lookup on every call; dracconn()/dracsend()/dracdisc() and their -6 twins
 * keep one handle per protocol version, each behind its own mutex.
 *
 * Invariants: every operation (rpcbind lookup, connect, call, and the one
 * retry of a call through a client that worked before) ends by one
 * deadline, now + timeout, except for host name resolution; a client that
 * failed a call is dropped, so the next call looks the server up again;
 * nothing here exits, logs or writes to stderr; the messages handed back
 * through errmsg are static strings.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netconfig.h>
#include <rpc/rpc.h>

#include "drac.h"

#define NVERS		2	/* DRACVERS (1) and DRACVERS6 (2) */
#define DEF_TIMEOUT	5000	/* ms, unless DRAC_TIMEOUT says otherwise */
#define MAX_TIMEOUT	3600000	/* ms */
#define RETRY_MS	1000	/* UDP retransmission interval */
#define CACHE_SIZE	8	/* one-shot server addresses remembered */
#define CACHE_TTL	60	/* seconds */
#define HOST_LEN	256
#define UADDR_LEN	64	/* INET6_ADDRSTRLEN + ".255.255" */
#define NETID_LEN	8

#define MSG_NOTCONN	"Not connected to server"

struct drac {
	char		*server;
	const char	*netids[2];	/* tried in turn; [1] may be NULL */
	int		 timeout;	/* ms */
	int		 oneshot;	/* use the address cache */
	CLIENT		*clnt[NVERS];	/* per version, created on demand */
};

/* One RPC: the NULL procedure or an add, and its result. */
struct drac_op {
	u_long		 vers;
	int		 ping;
	union {
		drac_add_parm	 v1;
		drac_add_parm6	 v2;
	} arg;
	addstat		 res;
};

struct cache_ent {
	char		 server[HOST_LEN];
	char		 want[NETID_LEN];	/* netid asked for */
	u_long		 vers;
	char		 netid[NETID_LEN];	/* netid of uaddr */
	char		 uaddr[UADDR_LEN];
	time_t		 expires;		/* CLOCK_MONOTONIC; 0: free */
};

struct conn {
	pthread_mutex_t	 lock;
	struct drac	*d;
	u_long		 vers;
};

static atomic_int deftimeout;		/* dractimeout(); 0: not set */
static struct cache_ent cache[CACHE_SIZE];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn conn4 = { PTHREAD_MUTEX_INITIALIZER, NULL, DRACVERS };
static struct conn conn6 = { PTHREAD_MUTEX_INITIALIZER, NULL, DRACVERS6 };

static int
fail(int rc, const char *msg, char **errmsg)
{
	if (errmsg != NULL)
		*errmsg = (char *)msg;
	return rc;
}

/*
 * Milliseconds in a decimal number of seconds ("5", "0.5"), or -1.  Parsed
 * by hand: strtod() would follow the caller's locale.
 */
static int
parse_secs(const char *s)
{
	long ms = 0, unit = 1000;

	if (*s == '\0' || (*s == '.' && s[1] == '\0'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((ms = ms * 10 + (*s - '0') * 1000) > MAX_TIMEOUT)
			return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			ms += (*s - '0') * (unit /= 10);
	if (*s != '\0' || ms <= 0)
		return -1;
	return (int)ms;
}

static int
env_timeout(void)
{
	const char *s;
	int ms;

	if ((s = getenv("DRAC_TIMEOUT")) == NULL || (ms = parse_secs(s)) < 0)
		return DEF_TIMEOUT;
	return ms;
}

static int
compat_timeout(void)
{
	int ms;

	ms = atomic_load(&deftimeout);
	return ms > 0 ? ms : env_timeout();
}

/* Sets the timeout of the compatible API; returns the previous one (ms). */
int
dractimeout(int msec)
{
	int old;

	if (msec <= 0)
		return compat_timeout();
	if (msec > MAX_TIMEOUT)
		msec = MAX_TIMEOUT;
	old = atomic_exchange(&deftimeout, msec);
	return old > 0 ? old : env_timeout();
}

static time_t
mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
deadline(struct timespec *end, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += ms / 1000;
	end->tv_nsec += (long)(ms % 1000) * 1000000;
	if (end->tv_nsec >= 1000000000) {
		end->tv_sec++;
		end->tv_nsec -= 1000000000;
	}
}

/* Milliseconds until end, <= 0 once it has passed. */
static int
ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)((end->tv_sec - now.tv_sec) * 1000 +
	    (end->tv_nsec - now.tv_nsec) / 1000000);
}

static struct timeval
ms_tv(int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* Bounds the next call on cl by end into *tv; 0 when end has passed. */
static int
set_timeout(CLIENT *cl, const struct timespec *end, struct timeval *tv)
{
	struct timeval rtv;
	int ms;

	if ((ms = ms_left(end)) <= 0)
		return 0;
	*tv = ms_tv(ms);
	rtv = ms_tv(ms < RETRY_MS ? ms : RETRY_MS);
	clnt_control(cl, CLSET_TIMEOUT, (char *)tv);
	/* Only datagram clients retransmit; stream clients refuse this. */
	clnt_control(cl, CLSET_RETRY_TIMEOUT, (char *)&rtv);
	return 1;
}

/* Waits for a non-blocking connect() on fd to finish by end. */
static enum clnt_stat
connect_wait(int fd, const struct timespec *end)
{
	struct pollfd pfd;
	socklen_t len;
	int n, err;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		if ((n = ms_left(end)) <= 0)
			return RPC_TIMEDOUT;
	} while ((n = poll(&pfd, 1, n)) == -1 && errno == EINTR);
	if (n == 0)
		return RPC_TIMEDOUT;
	len = sizeof(err);
	if (n == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0)
		return RPC_CANTSEND;
	return RPC_SUCCESS;
}

/* Connects the stream socket fd to nb by end. */
static enum clnt_stat
stream_connect(int fd, const struct netbuf *nb, const struct timespec *end)
{
	enum clnt_stat st = RPC_SUCCESS;
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return RPC_SYSTEMERROR;
	if (connect(fd, (struct sockaddr *)nb->buf, nb->len) == -1)
		st = errno == EINPROGRESS ? connect_wait(fd, end) :
		    RPC_CANTSEND;
	if (st == RPC_SUCCESS && fcntl(fd, F_SETFL, flags) == -1)
		st = RPC_SYSTEMERROR;
	return st;
}

/*
 * A client of prog/vers at nb over nc, on a close-on-exec socket of its
 * own, connected by end for a stream transport; NULL with *st set.
 */
static CLIENT *
client_at(const struct netconfig *nc, struct netbuf *nb, u_long prog,
    u_long vers, const struct timespec *end, enum clnt_stat *st)
{
	CLIENT *cl;
	int fd, stream;

	stream = nc->nc_semantics != NC_TPI_CLTS;
	fd = socket(((struct sockaddr *)nb->buf)->sa_family,
	    (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*st = RPC_SYSTEMERROR;
		return NULL;
	}
	if (stream && (*st = stream_connect(fd, nb, end)) != RPC_SUCCESS) {
		close(fd);
		return NULL;
	}
	if ((cl = clnt_tli_create(fd, nc, nb, prog, vers, 0, 0)) == NULL) {
		*st = rpc_createerr.cf_stat;
		close(fd);
		return NULL;
	}
	clnt_control(cl, CLSET_FD_CLOSE, NULL);
	*st = RPC_SUCCESS;
	return cl;
}

/* A client of the rpcbind on server over nc, connected by end. */
static CLIENT *
rpcb_client(const char *server, const struct netconfig *nc,
    const struct timespec *end, enum clnt_stat *st)
{
	struct addrinfo hints, *res;
	struct netbuf nb;
	CLIENT *cl;

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
	cl = client_at(nc, &nb, RPCBPROG, RPCBVERS4, end, st);
	freeaddrinfo(res);
	return cl;
}

/*
 * Asks the rpcbind on server, over nc (rpcbind answers for the transport
 * it is asked on), where dracd version vers listens; the universal address
 * goes to *uaddr (malloc'ed).
 */
static enum clnt_stat
rpcb_lookup(const char *server, const struct netconfig *nc, u_long vers,
    const struct timespec *end, char **uaddr)
{
	struct timeval tv;
	enum clnt_stat st;
	rpcvers_t rv;
	CLIENT *cl;
	RPCB parms;

	*uaddr = NULL;
	if ((cl = rpcb_client(server, nc, end, &st)) == NULL)
		return st;
	parms.r_prog = DRACPROG;
	parms.r_vers = vers;
	parms.r_netid = nc->nc_netid;
	parms.r_addr = "";
	parms.r_owner = "libdrac";
	st = RPC_PROGVERSMISMATCH;
	for (rv = RPCBVERS4; rv >= RPCBVERS &&
	    st == RPC_PROGVERSMISMATCH; rv--) {
		if (!set_timeout(cl, end, &tv)) {
			st = RPC_TIMEDOUT;
			break;
		}
		clnt_control(cl, CLSET_VERS, (char *)&rv);
		st = clnt_call(cl, RPCBPROC_GETADDR, (xdrproc_t)xdr_rpcb,
		    (char *)&parms, (xdrproc_t)xdr_wrapstring, (char *)uaddr,
		    tv);
	}
	clnt_destroy(cl);
	if (st == RPC_SUCCESS && (*uaddr == NULL || **uaddr == '\0'))
		st = RPC_PROGNOTREGISTERED;
	if (st != RPC_SUCCESS)
		xdr_free((xdrproc_t)xdr_wrapstring, (char *)uaddr);
	return st;
}

/* Creates d's client of version vers at the universal address uaddr. */
static enum clnt_stat
client_uaddr(struct drac *d, u_long vers, const struct netconfig *nc,
    const char *uaddr, const struct timespec *end)
{
	struct netbuf *nb;
	enum clnt_stat st;

	if ((nb = uaddr2taddr(nc, uaddr)) == NULL)
		return RPC_N2AXLATEFAILURE;
	d->clnt[vers - 1] = client_at(nc, nb, DRACPROG, vers, end, &st);
	free(nb->buf);
	free(nb);
	return st;
}

/* The cache entry of d and vers, or NULL; cache_lock held. */
static struct cache_ent *
cache_find(const struct drac *d, u_long vers, time_t now)
{
	struct cache_ent *e;

	for (e = cache; e < cache + CACHE_SIZE; e++)
		if (e->expires > now && e->vers == vers &&
		    strcmp(e->server, d->server) == 0 &&
		    strcmp(e->want, d->netids[0]) == 0)
			return e;
	return NULL;
}

static int
cache_get(const struct drac *d, u_long vers, char *netid, char *uaddr)
{
	struct cache_ent *e;

	pthread_mutex_lock(&cache_lock);
	if ((e = cache_find(d, vers, mono_sec())) != NULL) {
		memcpy(netid, e->netid, NETID_LEN);
		memcpy(uaddr, e->uaddr, UADDR_LEN);
	}
	pthread_mutex_unlock(&cache_lock);
	return e != NULL;
}

static void
cache_put(const struct drac *d, u_long vers, const char *netid,
    const char *uaddr)
{
	struct cache_ent *e, *slot;
	time_t now;

	if (strlen(d->server) >= HOST_LEN || strlen(uaddr) >= UADDR_LEN ||
	    strlen(netid) >= NETID_LEN)
		return;
	pthread_mutex_lock(&cache_lock);
	now = mono_sec();
	if ((slot = cache_find(d, vers, now)) == NULL) {
		/* The free, expired or oldest entry. */
		slot = cache;
		for (e = cache + 1; e < cache + CACHE_SIZE; e++)
			if (e->expires < slot->expires)
				slot = e;
	}
	strcpy(slot->server, d->server);
	strcpy(slot->want, d->netids[0]);
	slot->vers = vers;
	strcpy(slot->netid, netid);
	strcpy(slot->uaddr, uaddr);
	slot->expires = now + CACHE_TTL;
	pthread_mutex_unlock(&cache_lock);
}

static void
cache_del(const struct drac *d, u_long vers)
{
	struct cache_ent *e;

	pthread_mutex_lock(&cache_lock);
	if ((e = cache_find(d, vers, mono_sec())) != NULL)
		e->expires = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* Creates d's client of version vers from the address cache. */
static enum clnt_stat
connect_cached(struct drac *d, u_long vers, const struct timespec *end)
{
	char netid[NETID_LEN], uaddr[UADDR_LEN];
	struct netconfig *nc;
	enum clnt_stat st;

	if (!cache_get(d, vers, netid, uaddr))
		return RPC_PROGNOTREGISTERED;
	if ((nc = getnetconfigent(netid)) == NULL)
		return RPC_UNKNOWNPROTO;
	st = client_uaddr(d, vers, nc, uaddr, end);
	freenetconfigent(nc);
	return st;
}

/* Creates d's client of version vers over netid through rpcbind. */
static enum clnt_stat
connect_netid(struct drac *d, u_long vers, const char *netid,
    const struct timespec *end)
{
	struct netconfig *nc;
	enum clnt_stat st;
	char *uaddr;

	if ((nc = getnetconfigent(netid)) == NULL)
		return RPC_UNKNOWNPROTO;
	st = rpcb_lookup(d->server, nc, vers, end, &uaddr);
	if (st == RPC_SUCCESS) {
		st = client_uaddr(d, vers, nc, uaddr, end);
		if (st == RPC_SUCCESS && d->oneshot)
			cache_put(d, vers, netid, uaddr);
		xdr_free((xdrproc_t)xdr_wrapstring, (char *)&uaddr);
	}
	freenetconfigent(nc);
	return st;
}

/*
 * Creates d's client of version vers: from the cache when usecache and d
 * is a one-shot handle (*fresh = 0), else by an rpcbind lookup over each
 * of d's netids in turn (*fresh = 1).  Returns the most telling error.
 */
static enum clnt_stat
drac_connect(struct drac *d, u_long vers, int usecache,
    const struct timespec *end, int *fresh)
{
	enum clnt_stat st, best = RPC_SUCCESS;
	int i;

	*fresh = 0;
	if (usecache && d->oneshot &&
	    connect_cached(d, vers, end) == RPC_SUCCESS)
		return RPC_SUCCESS;
	*fresh = 1;
	for (i = 0; i < 2 && d->netids[i] != NULL; i++) {
		if (ms_left(end) <= 0)
			return best != RPC_SUCCESS ? best : RPC_TIMEDOUT;
		if ((st = connect_netid(d, vers, d->netids[i], end)) ==
		    RPC_SUCCESS)
			return st;
		/* A name that does not resolve in this family says little. */
		if (best == RPC_SUCCESS || best == RPC_UNKNOWNHOST ||
		    best == RPC_N2AXLATEFAILURE)
			best = st;
	}
	return best;
}

static const char *
create_msg(enum clnt_stat st)
{
	switch (st) {
	case RPC_UNKNOWNHOST:
		return "Cannot create client: unknown server host";
	case RPC_PROGNOTREGISTERED:
		return "Cannot create client: dracd is not registered "
		    "on the server";
	case RPC_TIMEDOUT:
		return "Cannot create client: server timed out";
	case RPC_CANTSEND:
	case RPC_CANTRECV:
		return "Cannot create client: server not reachable";
	case RPC_UNKNOWNPROTO:
		return "Cannot create client: unknown transport";
	default:
		return "Cannot create client handle";
	}
}

static const char *
call_msg(enum clnt_stat st)
{
	switch (st) {
	case RPC_TIMEDOUT:
		return "Call to server timed out";
	case RPC_CANTSEND:
	case RPC_CANTRECV:
		return "Call to server failed: server not reachable";
	case RPC_PROGUNAVAIL:
	case RPC_PROGVERSMISMATCH:
	case RPC_PROCUNAVAIL:
		return "Call to server failed: server does not support "
		    "this protocol version";
	default:
		return "Call to server failed";
	}
}

/* Maps a completed call to the return convention of dracauth(3). */
static int
op_result(const struct drac_op *op, char **errmsg)
{
	if (op->ping)
		return 0;
	switch (op->res) {
	case ADD_SUCCESS:
		return 0;
	case ADD_PERM:
		return fail(ADD_PERM, "Server reports permission denied",
		    errmsg);
	case ADD_SYSERR:
		return fail(ADD_SYSERR, "Server reports system error", errmsg);
	default:
		return fail(op->res, "Server reports unknown error", errmsg);
	}
}

static enum clnt_stat
op_call(CLIENT *cl, struct drac_op *op, const struct timespec *end)
{
	struct timeval tv;

	if (!set_timeout(cl, end, &tv))
		return RPC_TIMEDOUT;
	if (op->ping)
		return clnt_call(cl, NULLPROC, (xdrproc_t)xdr_void, NULL,
		    (xdrproc_t)xdr_void, NULL, tv);
	if (op->vers == DRACVERS)
		return dracproc_add_1(&op->arg.v1, &op->res, cl);
	return dracproc_add_2(&op->arg.v2, &op->res, cl);
}

static void
drop_client(struct drac *d, u_long vers)
{
	if (d->clnt[vers - 1] != NULL) {
		clnt_destroy(d->clnt[vers - 1]);
		d->clnt[vers - 1] = NULL;
	}
	if (d->oneshot)
		cache_del(d, vers);
}

/*
 * Runs op on d by the deadline of d's timeout.  A client that was not made
 * for this operation may point at a dracd that has gone or moved: when a
 * call through it fails short of a timeout, look the server up once more.
 */
static int
drac_run(struct drac *d, struct drac_op *op, char **errmsg)
{
	struct timespec end;
	enum clnt_stat st;
	int fresh = 0, try;

	deadline(&end, d->timeout);
	for (try = 0; try < 2; try++) {
		if (d->clnt[op->vers - 1] == NULL) {
			st = drac_connect(d, op->vers, try == 0, &end, &fresh);
			if (st != RPC_SUCCESS)
				return fail(-1, create_msg(st), errmsg);
		}
		if ((st = op_call(d->clnt[op->vers - 1], op, &end)) ==
		    RPC_SUCCESS)
			return op_result(op, errmsg);
		drop_client(d, op->vers);
		if (fresh || st == RPC_TIMEDOUT || ms_left(&end) <= 0)
			break;
	}
	return fail(-2, call_msg(st), errmsg);
}

/* Makes sure d has a client of version vers; 0, or -1 with a message. */
static int
drac_prepare(struct drac *d, u_long vers, char **errmsg)
{
	struct timespec end;
	enum clnt_stat st;
	int fresh;

	if (d->clnt[vers - 1] != NULL)
		return 0;
	deadline(&end, d->timeout);
	if ((st = drac_connect(d, vers, 1, &end, &fresh)) != RPC_SUCCESS)
		return fail(-1, create_msg(st), errmsg);
	return 0;
}

/* A handle without clients; NULL with a message on a bad netid. */
static struct drac *
drac_new(const char *server, const char *netid, int timeout_ms, int oneshot,
    char **errmsg)
{
	static const char *const twins[][2] = {
		{ "udp", "udp6" }, { "tcp", "tcp6" },
		{ "udp6", NULL }, { "tcp6", NULL },
	};
	struct drac *d;
	size_t i;

	if (netid == NULL)
		netid = "udp";
	for (i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (strcmp(netid, twins[i][0]) == 0)
			break;
	if (i == sizeof(twins) / sizeof(twins[0])) {
		fail(-1, create_msg(RPC_UNKNOWNPROTO), errmsg);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->server = strdup(server != NULL ? server : "localhost")) ==
	    NULL) {
		free(d);
		fail(-1, "Cannot create client: out of memory", errmsg);
		return NULL;
	}
	d->netids[0] = twins[i][0];
	d->netids[1] = twins[i][1];
	d->timeout = timeout_ms > 0 ? timeout_ms : env_timeout();
	d->oneshot = oneshot;
	return d;
}

/* Opens a handle on dracd at server; NULL with a message on failure. */
struct drac *
drac_open(const char *server, const char *netid, int timeout_ms,
    char **errmsg)
{
	struct drac *d;

	if ((d = drac_new(server, netid, timeout_ms, 0, errmsg)) == NULL)
		return NULL;
	if (drac_prepare(d, DRACVERS, errmsg) != 0) {
		drac_close(d);
		return NULL;
	}
	return d;
}

/* Closes the handle d and its clients; d may be NULL. */
void
drac_close(struct drac *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < NVERS; i++)
		if (d->clnt[i] != NULL)
			clnt_destroy(d->clnt[i]);
	free(d->server);
	free(d);
}

static void
op_v1(struct drac_op *op, uint32_t hostorder)
{
	memset(op, 0, sizeof(*op));
	op->vers = DRACVERS;
	op->arg.v1.ip_addr = hostorder;
}

static void
op_v2(struct drac_op *op, const unsigned char addr6[16])
{
	memset(op, 0, sizeof(*op));
	op->vers = DRACVERS6;
	memcpy(op->arg.v2.ip_addr6, addr6, 16);
}

/*
 * The add of sa: AF_INET and IPv4-mapped AF_INET6 go as version 1 unless
 * v2, then as ::ffff:a.b.c.d; other AF_INET6 as version 2.  -1 on others.
 */
static int
op_sockaddr(struct drac_op *op, const struct sockaddr *sa, int v2)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	unsigned char a6[16];

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (v2 || !IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			op_v2(op, sin6.sin6_addr.s6_addr);
			return 0;
		}
		memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	} else if (sa->sa_family == AF_INET)
		memcpy(&sin, sa, sizeof(sin));
	else
		return -1;
	if (!v2) {
		op_v1(op, ntohl(sin.sin_addr.s_addr));
		return 0;
	}
	memset(a6, 0, 10);
	a6[10] = a6[11] = 0xff;
	memcpy(&a6[12], &sin.sin_addr, 4);
	op_v2(op, a6);
	return 0;
}

static int
add_sockaddr(struct drac *d, const struct sockaddr *sa, int v2,
    char **errmsg)
{
	struct drac_op op;

	if (d == NULL)
		return fail(-1, MSG_NOTCONN, errmsg);
	if (op_sockaddr(&op, sa, v2) == -1)
		return fail(-1, "Unsupported address family", errmsg);
	return drac_run(d, &op, errmsg);
}

/* Authorizes sa (IPv4 as version 1, IPv6 as 2); returns as dracauth(). */
int
drac_add(struct drac *d, const struct sockaddr *addr, char **errmsg)
{
	return add_sockaddr(d, addr, 0, errmsg);
}

/* Authorizes addr with version 2, IPv4 sent mapped; as dracauth(). */
int
drac_add_v2(struct drac *d, const struct sockaddr *addr, char **errmsg)
{
	return add_sockaddr(d, addr, 1, errmsg);
}

/* Calls the NULL procedure of version 1; returns as dracauth(). */
int
drac_ping(struct drac *d, char **errmsg)
{
	struct drac_op op;

	if (d == NULL)
		return fail(-1, MSG_NOTCONN, errmsg);
	memset(&op, 0, sizeof(op));
	op.vers = DRACVERS;
	op.ping = 1;
	return drac_run(d, &op, errmsg);
}

/* One operation on a short-lived UDP handle that uses the cache. */
static int
oneshot(char *server, struct drac_op *op, char **errmsg)
{
	struct drac *d;
	int rc;

	if ((d = drac_new(server, "udp", compat_timeout(), 1, errmsg)) == NULL)
		return -1;
	rc = drac_run(d, op, errmsg);
	drac_close(d);
	return rc;
}

static int
conn_open(struct conn *c, char *server, char **errmsg)
{
	struct drac *d, *old;
	int rc = -1;

	/* Set up outside the lock: sends on the old handle go on meanwhile. */
	if ((d = drac_new(server, "udp", compat_timeout(), 0, errmsg)) !=
	    NULL && (rc = drac_prepare(d, c->vers, errmsg)) != 0) {
		drac_close(d);
		d = NULL;
	}
	pthread_mutex_lock(&c->lock);
	old = c->d;
	c->d = d;
	pthread_mutex_unlock(&c->lock);
	drac_close(old);
	return rc;
}

static int
conn_send(struct conn *c, struct drac_op *op, char **errmsg)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	if (c->d == NULL)
		rc = fail(-1, MSG_NOTCONN, errmsg);
	else {
		c->d->timeout = compat_timeout();
		rc = drac_run(c->d, op, errmsg);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int
conn_close(struct conn *c, char **errmsg)
{
	struct drac *d;

	pthread_mutex_lock(&c->lock);
	d = c->d;
	c->d = NULL;
	pthread_mutex_unlock(&c->lock);
	if (d == NULL)
		return fail(-1, MSG_NOTCONN, errmsg);
	drac_close(d);
	return 0;
}

/* Authorizes userip (network order) at server with version 1. */
int
dracauth(char *server, unsigned long userip, char **errmsg)
{
	struct drac_op op;

	op_v1(&op, ntohl((uint32_t)userip));
	return oneshot(server, &op, errmsg);
}

/* Authorizes the IPv6 address userip6 at server with version 2. */
int
dracauth6(char *server, unsigned char userip6[16], char **errmsg)
{
	struct drac_op op;

	op_v2(&op, userip6);
	return oneshot(server, &op, errmsg);
}

/* Opens the process's version 1 connection to server; 0 or -1. */
int
dracconn(char *server, char **errmsg)
{
	return conn_open(&conn4, server, errmsg);
}

/* Authorizes userip (network order) on the dracconn() connection. */
int
dracsend(unsigned long userip, char **errmsg)
{
	struct drac_op op;

	op_v1(&op, ntohl((uint32_t)userip));
	return conn_send(&conn4, &op, errmsg);
}

/* Closes the dracconn() connection; -1 when there is none. */
int
dracdisc(char **errmsg)
{
	return conn_close(&conn4, errmsg);
}

/* Opens the process's version 2 connection to server; 0 or -1. */
int
dracconn6(char *server, char **errmsg)
{
	return conn_open(&conn6, server, errmsg);
}

/* Authorizes userip6 on the dracconn6() connection. */
int
dracsend6(unsigned char userip6[16], char **errmsg)
{
	struct drac_op op;

	op_v2(&op, userip6);
	return conn_send(&conn6, &op, errmsg);
}

/* Closes the dracconn6() connection; -1 when there is none. */
int
dracdisc6(char **errmsg)
{
	return conn_close(&conn6, errmsg);
}

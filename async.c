/*
 * async.c: libdrac's non-blocking add, for event-driven servers (Dovecot's
 * ioloop, tpop3d): drac_async_add() sends and returns at once; the caller
 * watches drac_async_fd() for input and calls drac_async_result() when it
 * is readable or when drac_async_timeout_ms() has run out, until the
 * result is no longer DRAC_PENDING.
 *
 * The server string may name several servers ("mx1,mx2"): the add goes to
 * all of them in parallel and succeeds when at least one accepted it;
 * each server's own result stays available.  For each server the handle
 * asks the server's rpcbind (GETADDR, version 3) for dracd's UDP port,
 * then sends the add there, IPv4 (and IPv4-mapped) clients with version 1,
 * IPv6 clients with version 2, and retransmits every RETRY_MS as the
 * blocking calls do.
 *
 * This file owns its socket: one UDP socket per handle (IPv6 with IPv4
 * mapped when the host has IPv6, else IPv4), never connected, so one
 * descriptor serves every server and both steps.  libtirpc's clients block
 * in clnt_call() and its rpcb_getaddr() waits up to a minute, so the
 * messages are built and read here with libtirpc's public XDR routines
 * (xdr_callmsg, xdr_replymsg, xdr_rpcb and drac.x's argument and result
 * routines).  A reply is matched by its xid, which is random per handle.
 *
 * Invariants: nothing here blocks except the host name lookups in
 * drac_async_add() and drac_async_wait(), which waits by design; every
 * server is done by the handle's deadline, now + timeout; nothing logs or
 * exits; messages are static strings.
 */

#include <sys/random.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpcb_prot.h>

#include "clock.h"
#include "drac.h"

#define RETRY_MS	1000	/* UDP retransmission interval */
#define MAX_TIMEOUT	3600000	/* ms */
#define MSG_MAX		512	/* an add or GETADDR call, a reply */
#define SEPS		", \t"	/* between server names */

enum step { STEP_LOOKUP, STEP_CALL, STEP_DONE };

struct server {
	char			*name;
	struct sockaddr_storage	 sa;	/* in the socket's family */
	socklen_t		 salen;
	int			 v6;	/* the server's own family */
	enum step		 step;
	uint32_t		 xid;	/* of the message in flight */
	unsigned char		 msg[MSG_MAX];
	size_t			 msglen;
	struct timespec		 resend;
	int			 rc;	/* once STEP_DONE */
	const char		*err;
};

struct drac_async {
	int			 fd;
	int			 family;	/* of fd */
	struct timespec		 end;
	u_long			 vers;
	drac_add_parm		 v1;
	drac_add_parm6		 v2;
	size_t			 n;
	struct server		*srv;
};

static int
fail(int rc, const char *msg, char **errmsg)
{
	if (errmsg != NULL)
		*errmsg = (char *)msg;
	return rc;
}

static void
srv_done(struct server *s, int rc, const char *err)
{
	s->step = STEP_DONE;
	s->rc = rc;
	s->err = err;
}

/*
 * The add of sa: AF_INET and IPv4-mapped AF_INET6 with version 1, other
 * AF_INET6 with version 2; -1 for other families.
 */
static int
async_arg(struct drac_async *a, const struct sockaddr *sa)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (!IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			a->vers = DRACVERS6;
			memcpy(a->v2.ip_addr6, sin6.sin6_addr.s6_addr, 16);
			return 0;
		}
		memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	} else if (sa != NULL && sa->sa_family == AF_INET)
		memcpy(&sin, sa, sizeof(sin));
	else
		return -1;
	a->vers = DRACVERS;
	a->v1.ip_addr = ntohl(sin.sin_addr.s_addr);
	return 0;
}

/* One UDP socket for every server: IPv6 with IPv4 mapped, else IPv4. */
static int
async_socket(struct drac_async *a)
{
	int	off = 0;

	a->family = AF_INET6;
	a->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd != -1 && setsockopt(a->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == 0)
		return 0;
	if (a->fd != -1)
		close(a->fd);
	a->family = AF_INET;
	a->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return a->fd == -1 ? -1 : 0;
}

/* ai as the address of s in the socket's family; -1 if it cannot be. */
static int
srv_addr(struct server *s, int family, const struct addrinfo *ai)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&s->sa;
	struct sockaddr_in	 sin;

	s->v6 = ai->ai_family == AF_INET6;
	if (ai->ai_family == family) {
		memcpy(&s->sa, ai->ai_addr, ai->ai_addrlen);
		s->salen = ai->ai_addrlen;
		return 0;
	}
	if (family != AF_INET6)
		return -1;
	memcpy(&sin, ai->ai_addr, sizeof(sin));
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = sin.sin_port;
	sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&sin6->sin6_addr.s6_addr[12], &sin.sin_addr, 4);
	s->salen = sizeof(*sin6);
	return 0;
}

/* Resolves s->name to the address of its rpcbind: IPv4 first. */
static int
srv_resolve(struct server *s, int family)
{
	struct addrinfo	 hints, *res, *ai, *pick = NULL;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(s->name, "111", &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == AF_INET ||
		    (ai->ai_family == AF_INET6 && pick == NULL))
			if (pick == NULL || pick->ai_family != AF_INET)
				pick = ai;
	rc = pick == NULL ? -1 : srv_addr(s, family, pick);
	freeaddrinfo(res);
	return rc;
}

/* Encodes the call prog/vers/proc(args) with xid into s->msg. */
static int
srv_encode(struct server *s, u_long prog, u_long vers, u_long proc,
    xdrproc_t xargs, void *args)
{
	struct rpc_msg	 call;
	XDR		 x;
	int		 ok;

	memset(&call, 0, sizeof(call));
	call.rm_xid = s->xid;
	call.rm_direction = CALL;
	call.rm_call.cb_rpcvers = RPC_MSG_VERSION;
	call.rm_call.cb_prog = prog;
	call.rm_call.cb_vers = vers;
	call.rm_call.cb_proc = proc;
	call.rm_call.cb_cred = _null_auth;
	call.rm_call.cb_verf = _null_auth;
	xdrmem_create(&x, (char *)s->msg, sizeof(s->msg), XDR_ENCODE);
	ok = xdr_callmsg(&x, &call) && xargs(&x, args);
	s->msglen = ok ? xdr_getpos(&x) : 0;
	xdr_destroy(&x);
	return ok ? 0 : -1;
}

/* Sends s's message (again) and sets when to resend it. */
static void
srv_send(struct drac_async *a, struct server *s)
{
	/* A lost or refused datagram is what the retransmission is for. */
	(void)sendto(a->fd, s->msg, s->msglen, MSG_NOSIGNAL,
	    (struct sockaddr *)&s->sa, s->salen);
	clock_after(&s->resend, RETRY_MS * 1000LL);
}

/* Step one: ask s's rpcbind where dracd's version a->vers listens. */
static void
srv_lookup(struct drac_async *a, struct server *s)
{
	rpcb	 parms;

	parms.r_prog = DRACPROG;
	parms.r_vers = a->vers;
	parms.r_netid = s->v6 ? "udp6" : "udp";
	parms.r_addr = "";
	parms.r_owner = "libdrac";
	s->step = STEP_LOOKUP;
	if (srv_encode(s, RPCBPROG, RPCBVERS, RPCBPROC_GETADDR,
	    (xdrproc_t)xdr_rpcb, &parms) == -1) {
		srv_done(s, -1, "Cannot create client handle");
		return;
	}
	srv_send(a, s);
}

/* Step two: send the add to s, whose address now has dracd's port. */
static void
srv_call(struct drac_async *a, struct server *s)
{
	int	rc;

	s->step = STEP_CALL;
	s->xid++;
	if (a->vers == DRACVERS)
		rc = srv_encode(s, DRACPROG, DRACVERS, DRACPROC_ADD,
		    (xdrproc_t)xdr_drac_add_parm, &a->v1);
	else
		rc = srv_encode(s, DRACPROG, DRACVERS6, DRACPROC_ADD,
		    (xdrproc_t)xdr_drac_add_parm6, &a->v2);
	if (rc == -1) {
		srv_done(s, -2, "Call to server failed");
		return;
	}
	srv_send(a, s);
}

/* The port of the universal address u ("h.h.h.h.p1.p2", "::1.p1.p2"). */
static int
uaddr_port(const char *u)
{
	const char	*p1, *p2;
	long		 hi, lo;
	char		*e;

	if ((p2 = strrchr(u, '.')) == NULL || p2 == u)
		return -1;
	for (p1 = p2 - 1; p1 > u && p1[-1] != '.'; p1--)
		;
	if (p1 == u)
		return -1;
	hi = strtol(p1, &e, 10);
	if (e != p2 || e == p1 || hi < 0 || hi > 255)
		return -1;
	lo = strtol(p2 + 1, &e, 10);
	if (*e != '\0' || e == p2 + 1 || lo < 0 || lo > 255)
		return -1;
	return (int)(hi << 8 | lo);
}

static void
srv_setport(struct server *s, int port)
{
	if (s->sa.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&s->sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&s->sa)->sin_port = htons(port);
}

/* An accepted reply of rpcbind to s's GETADDR, already decoded. */
static void
srv_located(struct drac_async *a, struct server *s, const char *uaddr)
{
	int	port;

	if (uaddr == NULL || *uaddr == '\0') {
		srv_done(s, -1, "Cannot create client: dracd is not "
		    "registered on the server");
		return;
	}
	if ((port = uaddr_port(uaddr)) <= 0) {
		srv_done(s, -1, "Cannot create client handle");
		return;
	}
	srv_setport(s, port);
	srv_call(a, s);
}

/* An add's result as the blocking calls return it. */
static void
srv_added(struct server *s, addstat st)
{
	switch (st) {
	case ADD_SUCCESS:
		srv_done(s, 0, NULL);
		break;
	case ADD_PERM:
		srv_done(s, ADD_PERM, "Server reports permission denied");
		break;
	case ADD_SYSERR:
		srv_done(s, ADD_SYSERR, "Server reports system error");
		break;
	default:
		srv_done(s, st, "Server reports unknown error");
		break;
	}
}

/* A reply that was not accepted: rpcbind's failure is a create failure. */
static void
srv_refused(struct server *s, const struct rpc_msg *r)
{
	int	rc = s->step == STEP_LOOKUP ? -1 : -2;

	if (r->rm_reply.rp_stat == MSG_ACCEPTED &&
	    (r->acpted_rply.ar_stat == PROG_UNAVAIL ||
	    r->acpted_rply.ar_stat == PROG_MISMATCH ||
	    r->acpted_rply.ar_stat == PROC_UNAVAIL))
		srv_done(s, rc, rc == -1 ? "Cannot create client: dracd is "
		    "not registered on the server" : "Call to server failed: "
		    "server does not support this protocol version");
	else
		srv_done(s, rc, rc == -1 ? "Cannot create client handle" :
		    "Call to server failed");
}

/* Decodes the reply buf of n bytes to s's message in flight. */
static void
srv_reply(struct drac_async *a, struct server *s, char *buf, size_t n)
{
	char		 verf[MAX_AUTH_BYTES];
	struct rpc_msg	 r;
	addstat		 st = ADD_UNKOWN;
	char		*uaddr = NULL;
	XDR		 x;

	memset(&r, 0, sizeof(r));
	r.acpted_rply.ar_verf.oa_base = verf;
	if (s->step == STEP_LOOKUP) {
		r.acpted_rply.ar_results.where = (caddr_t)&uaddr;
		r.acpted_rply.ar_results.proc = (xdrproc_t)xdr_wrapstring;
	} else {
		r.acpted_rply.ar_results.where = (caddr_t)&st;
		r.acpted_rply.ar_results.proc = (xdrproc_t)xdr_addstat;
	}
	xdrmem_create(&x, buf, n, XDR_DECODE);
	if (!xdr_replymsg(&x, &r) || r.rm_direction != REPLY)
		;	/* garbage: wait for a retransmission's reply */
	else if (r.rm_reply.rp_stat != MSG_ACCEPTED ||
	    r.acpted_rply.ar_stat != SUCCESS)
		srv_refused(s, &r);
	else if (s->step == STEP_LOOKUP)
		srv_located(a, s, uaddr);
	else
		srv_added(s, st);
	xdr_destroy(&x);
	xdr_free((xdrproc_t)xdr_wrapstring, (char *)&uaddr);
}

/* Reads every datagram waiting on the socket. */
static void
async_read(struct drac_async *a)
{
	char		 buf[2 * MSG_MAX];
	uint32_t	 xid;
	ssize_t		 n;
	size_t		 i;

	while ((n = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT)) != -1 ||
	    errno == EINTR) {
		if (n < 4)
			continue;
		memcpy(&xid, buf, 4);
		xid = ntohl(xid);
		for (i = 0; i < a->n; i++)
			if (a->srv[i].step != STEP_DONE &&
			    a->srv[i].xid == xid) {
				srv_reply(a, &a->srv[i], buf, (size_t)n);
				break;
			}
	}
}

/* Ends servers past the deadline, resends what is due. */
static void
async_tick(struct drac_async *a)
{
	struct server	*s;
	int		 late;
	size_t		 i;

	late = clock_passed(&a->end);
	for (i = 0; i < a->n; i++) {
		s = &a->srv[i];
		if (s->step == STEP_DONE)
			continue;
		if (late && s->step == STEP_LOOKUP)
			srv_done(s, -1, "Cannot create client: server timed "
			    "out");
		else if (late)
			srv_done(s, -2, "Call to server timed out");
		else if (clock_passed(&s->resend))
			srv_send(a, s);
	}
}

/* Splits the server list (commas or blanks) into a->srv; -1 if empty. */
static int
async_servers(struct drac_async *a, const char *servers)
{
	const char	*p, *e;
	size_t		 len;

	a->n = 1;
	for (p = servers; *p != '\0'; p++)
		a->n += strchr(SEPS, *p) != NULL;
	if ((a->srv = calloc(a->n, sizeof(*a->srv))) == NULL)
		return -1;
	a->n = 0;
	for (p = servers; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, SEPS);
		if ((len = (size_t)(e - p)) == 0)
			continue;
		if ((a->srv[a->n].name = strndup(p, len)) == NULL)
			return -1;
		a->n++;
	}
	return a->n > 0 ? 0 : -1;
}

/* Starts every server: resolve, then ask its rpcbind. */
static void
async_start(struct drac_async *a)
{
	uint32_t	 base;
	size_t		 i;

	if (getrandom(&base, sizeof(base), GRND_NONBLOCK) != sizeof(base))
		base = (uint32_t)clock_us() ^ (uint32_t)getpid() << 16;
	for (i = 0; i < a->n; i++) {
		a->srv[i].xid = base + 2 * (uint32_t)i;
		if (srv_resolve(&a->srv[i], a->family) == -1)
			srv_done(&a->srv[i], -1, "Cannot create client: "
			    "unknown server host");
		else
			srv_lookup(a, &a->srv[i]);
	}
}

/*
 * Starts authorizing addr at every server of the comma-separated list
 * servers (NULL: "localhost") within timeout_ms (<= 0: $DRAC_TIMEOUT
 * seconds, else 5 s); returns the handle, or NULL with a message.
 */
struct drac_async *
drac_async_add(const char *servers, const struct sockaddr *addr,
    int timeout_ms, char **errmsg)
{
	struct drac_async	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		fail(-1, "Cannot create client: out of memory", errmsg);
		return NULL;
	}
	a->fd = -1;
	if (async_arg(a, addr) == -1) {
		fail(-1, "Unsupported address family", errmsg);
		drac_async_free(a);
		return NULL;
	}
	if (async_servers(a, servers != NULL ? servers : "localhost") == -1 ||
	    async_socket(a) == -1) {
		fail(-1, "Cannot create client handle", errmsg);
		drac_async_free(a);
		return NULL;
	}
	if (timeout_ms <= 0)
		timeout_ms = dractimeout(0);
	if (timeout_ms > MAX_TIMEOUT)
		timeout_ms = MAX_TIMEOUT;
	clock_after(&a->end, timeout_ms * 1000LL);
	async_start(a);
	return a;
}

/* The descriptor to watch for input. */
int
drac_async_fd(const struct drac_async *a)
{
	return a->fd;
}

/*
 * Milliseconds until drac_async_result() must be called even if nothing
 * arrived (a retransmission or the deadline); -1 once the add is done.
 */
int
drac_async_timeout_ms(const struct drac_async *a)
{
	long long	 left, ms = -1;
	size_t		 i;

	for (i = 0; i < a->n; i++) {
		if (a->srv[i].step == STEP_DONE)
			continue;
		left = clock_left_ms(&a->srv[i].resend);
		if (ms == -1 || left < ms)
			ms = left;
	}
	if (ms == -1)
		return -1;
	left = clock_left_ms(&a->end);
	return (int)(left < ms ? left : ms);
}

/* How much a failure tells: a server's answer, then a call, then none. */
static int
rc_rank(int rc)
{
	return rc > 0 ? 3 : rc == -2 ? 2 : 1;
}

/* The outcome over every server: 0 if one accepted, else the telling. */
static int
async_outcome(const struct drac_async *a, char **errmsg)
{
	const struct server	*s, *best = NULL;
	size_t			 i;

	for (i = 0; i < a->n; i++)
		if (a->srv[i].step != STEP_DONE)
			return DRAC_PENDING;
	for (i = 0; i < a->n; i++) {
		s = &a->srv[i];
		if (s->rc == 0)
			return 0;
		if (best == NULL || rc_rank(s->rc) > rc_rank(best->rc))
			best = s;
	}
	return fail(best->rc, best->err, errmsg);
}

/*
 * Reads what arrived, resends what is due; DRAC_PENDING until every
 * server answered or the deadline passed, then 0 when one server accepted
 * the add, else as dracauth() for the most telling failure.
 */
int
drac_async_result(struct drac_async *a, char **errmsg)
{
	async_read(a);
	async_tick(a);
	return async_outcome(a, errmsg);
}

/* Waits (poll) until the add is done; returns as drac_async_result(). */
int
drac_async_wait(struct drac_async *a, char **errmsg)
{
	struct pollfd	 pfd;
	int		 rc;

	pfd.fd = a->fd;
	pfd.events = POLLIN;
	while ((rc = drac_async_result(a, errmsg)) == DRAC_PENDING)
		(void)poll(&pfd, 1, drac_async_timeout_ms(a));
	return rc;
}

/* The number of servers in the handle's list. */
size_t
drac_async_count(const struct drac_async *a)
{
	return a->n;
}

/*
 * Server i's name and result: DRAC_PENDING, 0, or as dracauth() with
 * *errmsg set.
 */
int
drac_async_server(const struct drac_async *a, size_t i, const char **name,
    char **errmsg)
{
	const struct server	*s = &a->srv[i];

	if (name != NULL)
		*name = s->name;
	if (s->step != STEP_DONE)
		return DRAC_PENDING;
	return s->rc == 0 ? 0 : fail(s->rc, s->err, errmsg);
}

/* Frees the handle and closes its socket; a may be NULL. */
void
drac_async_free(struct drac_async *a)
{
	size_t	i;

	if (a == NULL)
		return;
	if (a->fd != -1)
		close(a->fd);
	for (i = 0; i < a->n; i++)
		free(a->srv[i].name);
	free(a->srv);
	free(a);
}

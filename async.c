/*
 * async.c: libdrac's non-blocking add, for event-driven servers (Dovecot's
 * ioloop, tpop3d): drac_async_add() sends and returns at once; the caller
 * watches drac_async_fd() for input and calls drac_async_result() when it
 * is readable or in error (POLLERR: a refused datagram, read there) or
 * when drac_async_timeout_ms() has run out, until the result is no
 * longer DRAC_PENDING.
 *
 * The server string may name several servers ("mx1,mx2"): the add goes to
 * all of them in parallel and succeeds when at least one accepted it;
 * each server's own result stays available.  For each server the handle
 * takes dracd's address from rpcb.c's table, shared with the blocking
 * calls, or else asks the server's rpcbind (rpcb.c's GETADDR message,
 * version 3) and fills the table; then it sends the add there, IPv4 (and
 * IPv4-mapped) clients with version 1, IPv6 clients with version 2, and
 * retransmits every RETRY_MS as the blocking calls do.  An add to a
 * remembered address that is refused (by RPC, or by ICMP: the socket
 * queues its errors, IP_RECVERR) or not answered by its first
 * retransmission may have gone to a dracd that moved: the entry is
 * forgotten and rpcbind asked, once, as client.c does.
 *
 * This file owns its socket: one UDP socket per handle (IPv6 with IPv4
 * mapped when the host has IPv6, else IPv4), never connected, so one
 * descriptor serves every server and both steps.  libtirpc's clients block
 * in clnt_call(), so the messages are made and read by call.c's and
 * rpcb.c's encoders and decoders; what is left here is the state machine:
 * the socket, the deadlines, the sends and the replies' dispatch by xid,
 * which is random per handle and new for every message.
 *
 * Invariants: nothing here blocks except the host name lookups in
 * drac_async_add() and drac_async_wait(), which waits by design; every
 * server is done by the handle's deadline, now + timeout; nothing logs or
 * exits; messages are static strings, client.c's.
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

#include "call.h"
#include "client.h"
#include "clock.h"
#include "drac.h"
#include "rpcb.h"

#define RETRY_MS	1000	/* UDP retransmission interval */
#define MSG_MAX		512	/* an add or GETADDR call, a reply */
#define SEPS		", \t"	/* between server names */
#define WANT		"udp"	/* the netid rpcb.c's table is asked for */

enum step { STEP_LOOKUP, STEP_CALL, STEP_DONE };

/* An address in the socket's family. */
struct peer {
	struct sockaddr_storage	 sa;
	socklen_t		 len;
};

struct server {
	char			*name;
	struct peer		 rpcbind;
	struct peer		 dracd;
	int			 v6;	/* the server's own family */
	int			 remembered;	/* dracd from rpcb.c's table */
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
	uint32_t		 xid;		/* the next message's */
	struct proc_add		 add;
	size_t			 n;
	struct server		*srv;
};

static void
srv_done(struct server *s, int rc, const char *err)
{
	s->step = STEP_DONE;
	s->rc = rc;
	s->err = err;
}

/* s failed with st: to make a client (rc -1) or in the call (-2). */
static void
srv_fail(struct server *s, int rc, enum clnt_stat st)
{
	srv_done(s, rc, rc == -1 ? client_create_msg(st) :
	    client_call_msg(st));
}

/*
 * One UDP socket for every server: IPv6 with IPv4 mapped, else IPv4; the
 * ICMP errors of what it sends are queued for async_refused().
 */
static int
async_socket(struct drac_async *a)
{
	int	off = 0, on = 1;

	a->family = AF_INET6;
	a->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd != -1 && setsockopt(a->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == 0)
		(void)setsockopt(a->fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
		    sizeof(on));
	else {
		if (a->fd != -1)
			close(a->fd);
		a->family = AF_INET;
		a->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (a->fd == -1)
			return -1;
	}
	/* IPv4's, for IPv4-mapped peers too; without it, only the wait. */
	(void)setsockopt(a->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	return 0;
}

/* sa as an address p in the socket's family; -1 if it cannot be. */
static int
peer_set(struct peer *p, int family, const struct sockaddr *sa,
    socklen_t len)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&p->sa;
	struct sockaddr_in	 sin;

	if (sa->sa_family == family && len <= sizeof(p->sa)) {
		memcpy(&p->sa, sa, len);
		p->len = len;
		return 0;
	}
	if (family != AF_INET6 || sa->sa_family != AF_INET)
		return -1;
	memcpy(&sin, sa, sizeof(sin));
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = sin.sin_port;
	sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&sin6->sin6_addr.s6_addr[12], &sin.sin_addr, 4);
	p->len = sizeof(*sin6);
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
	rc = -1;
	if (pick != NULL) {
		s->v6 = pick->ai_family == AF_INET6;
		rc = peer_set(&s->rpcbind, family, pick->ai_addr,
		    pick->ai_addrlen);
	}
	freeaddrinfo(res);
	return rc;
}

/* Sends s's message (again) and sets when to resend it. */
static void
srv_send(struct drac_async *a, struct server *s)
{
	const struct peer	*to;

	to = s->step == STEP_LOOKUP ? &s->rpcbind : &s->dracd;
	/* A lost or refused datagram is what the retransmission is for. */
	(void)sendto(a->fd, s->msg, s->msglen, MSG_NOSIGNAL,
	    (const struct sockaddr *)&to->sa, to->len);
	clock_after(&s->resend, RETRY_MS * 1000LL);
}

/* Sends s's new message of len bytes; if it could not be made, rc. */
static void
srv_post(struct drac_async *a, struct server *s, size_t len, int rc)
{
	if ((s->msglen = len) == 0)
		srv_fail(s, rc, RPC_CANTENCODEARGS);
	else
		srv_send(a, s);
}

/* Step one: ask s's rpcbind where dracd's version a->add.vers listens. */
static void
srv_lookup(struct drac_async *a, struct server *s)
{
	s->step = STEP_LOOKUP;
	s->remembered = 0;
	s->xid = a->xid++;
	srv_post(a, s, rpcb_encode(s->msg, sizeof(s->msg), s->xid, RPCBVERS,
	    DRACPROG, a->add.vers, s->v6 ? "udp6" : "udp"), -1);
}

/* Step two: send the add to s's dracd. */
static void
srv_call(struct drac_async *a, struct server *s)
{
	s->step = STEP_CALL;
	s->xid = a->xid++;
	srv_post(a, s, call_encode(s->msg, sizeof(s->msg), s->xid, DRACPROG,
	    a->add.vers, DRACPROC_ADD, a->add.xarg, &a->add.arg), -2);
}

/* Starts s: its dracd's remembered address, else a lookup. */
static void
srv_start(struct drac_async *a, struct server *s)
{
	struct rpcb_addr	ra;

	if (srv_resolve(s, a->family) == -1)
		srv_fail(s, -1, RPC_UNKNOWNHOST);
	else if (rpcb_recall(s->name, WANT, a->add.vers, &ra) &&
	    peer_set(&s->dracd, a->family, (struct sockaddr *)&ra.sa,
	    ra.salen) == 0) {
		s->remembered = 1;
		srv_call(a, s);
	} else
		srv_lookup(a, s);
}

/*
 * The add to s failed with st: forget dracd's address, and if it was a
 * remembered one, ask rpcbind afresh; else s is done.
 */
static void
srv_call_failed(struct drac_async *a, struct server *s, enum clnt_stat st)
{
	rpcb_forget(s->name, WANT, a->add.vers);
	if (s->remembered && !clock_passed(&a->end))
		srv_lookup(a, s);
	else
		srv_fail(s, -2, st);
}

/* rpcbind's reply to s's GETADDR: remember the address, send the add. */
static void
srv_located(struct drac_async *a, struct server *s, const void *buf,
    size_t n)
{
	struct rpcb_addr	ra;
	enum clnt_stat		st;

	st = rpcb_decode(buf, n, s->v6 ? "udp6" : "udp", &ra);
	if (st == RPC_CANTDECODERES)
		return;		/* garbage: wait for a retransmission's reply */
	if (st == RPC_PROGUNAVAIL || st == RPC_PROGVERSMISMATCH ||
	    st == RPC_PROCUNAVAIL)
		st = RPC_PROGNOTREGISTERED;
	if (st == RPC_SUCCESS && peer_set(&s->dracd, a->family,
	    (struct sockaddr *)&ra.sa, ra.salen) == -1)
		st = RPC_N2AXLATEFAILURE;
	if (st != RPC_SUCCESS) {
		srv_fail(s, -1, st);
		return;
	}
	rpcb_remember(s->name, WANT, a->add.vers, &ra);
	srv_call(a, s);
}

/* dracd's reply to s's add. */
static void
srv_added(struct drac_async *a, struct server *s, const void *buf,
    size_t n)
{
	enum clnt_stat	 st;
	addstat		 res = ADD_UNKOWN;
	char		*err = NULL;
	int		 rc;

	st = call_decode(buf, n, (xdrproc_t)xdr_addstat, &res);
	if (st == RPC_CANTDECODERES)
		return;
	if (st != RPC_SUCCESS) {
		srv_call_failed(a, s, st);
		return;
	}
	rc = proc_status(res, &err);
	srv_done(s, rc, err);
}

/* The server whose message in flight has the id in buf's first bytes. */
static struct server *
srv_of(struct drac_async *a, const char *buf)
{
	uint32_t	xid;
	size_t		i;

	memcpy(&xid, buf, 4);
	xid = ntohl(xid);
	for (i = 0; i < a->n; i++)
		if (a->srv[i].step != STEP_DONE && a->srv[i].xid == xid)
			return &a->srv[i];
	return NULL;
}

/*
 * Reads the errors queued for what the socket sent (IP_RECVERR): each
 * gives back the datagram, so its id.  An add to a remembered address
 * that came back refused went to a dracd that is gone: ask rpcbind, as
 * client.c does when its connected socket reports the refusal.
 */
static void
async_refused(struct drac_async *a)
{
	char		 buf[MSG_MAX], ctl[256];
	struct server	*s;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 n;

	for (;;) {
		memset(&m, 0, sizeof(m));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		if ((n = recvmsg(a->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT)) ==
		    -1 && errno != EINTR)
			return;
		if (n >= 4 && (s = srv_of(a, buf)) != NULL &&
		    s->step == STEP_CALL && s->remembered)
			srv_call_failed(a, s, RPC_CANTRECV);
	}
}

/* Reads every datagram waiting on the socket. */
static void
async_read(struct drac_async *a)
{
	char		 buf[2 * MSG_MAX];
	struct server	*s;
	ssize_t		 n;

	async_refused(a);
	/* A refusal is also reported once by a recv() that fails. */
	while ((n = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT)) != -1 ||
	    errno == EINTR || errno == ECONNREFUSED) {
		if (n < 4 || (s = srv_of(a, buf)) == NULL)
			continue;
		if (s->step == STEP_LOOKUP)
			srv_located(a, s, buf, n);
		else
			srv_added(a, s, buf, n);
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
			srv_fail(s, -1, RPC_TIMEDOUT);
		else if (s->step == STEP_CALL && (late ||
		    (s->remembered && clock_passed(&s->resend))))
			srv_call_failed(a, s, RPC_TIMEDOUT);
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

/* Starts every server, the xids from a random one. */
static void
async_start(struct drac_async *a)
{
	size_t	i;

	if (getrandom(&a->xid, sizeof(a->xid), GRND_NONBLOCK) !=
	    sizeof(a->xid))
		a->xid = (uint32_t)clock_us() ^ (uint32_t)getpid() << 16;
	for (i = 0; i < a->n; i++)
		srv_start(a, &a->srv[i]);
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
		client_msg(-1, "Cannot create client: out of memory", errmsg);
		return NULL;
	}
	a->fd = -1;
	if (proc_add_arg(&a->add, addr, 0) == -1) {
		client_msg(-1, CLIENT_MSG_FAMILY, errmsg);
		drac_async_free(a);
		return NULL;
	}
	if (async_servers(a, servers != NULL ? servers : "localhost") == -1 ||
	    async_socket(a) == -1) {
		client_msg(-1, "Cannot create client handle", errmsg);
		drac_async_free(a);
		return NULL;
	}
	if (timeout_ms <= 0)
		timeout_ms = dractimeout(0);
	if (timeout_ms > CLIENT_MAX_TIMEOUT)
		timeout_ms = CLIENT_MAX_TIMEOUT;
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
	return client_msg(best->rc, best->err, errmsg);
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
	return s->rc == 0 ? 0 : client_msg(s->rc, s->err, errmsg);
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

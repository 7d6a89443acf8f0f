/*
 * fuzz_rpc.c: one input is one UDP datagram to dracd.
 *
 * The path under test is dracd's own: libtirpc UDP transports made by
 * svc_tli_create() on loopback sockets and guarded by dgram.c, versions 1
 * and 2 registered with rpcgen's dispatch (no rpcbind),
 * svc_getreq_common() to receive, decode the call message and dispatch,
 * the real handlers (handler.c) and allow list; the store is stubstore.c,
 * which fails for some addresses as a full disk would.  Each datagram is
 * sent by three callers: 127.0.0.1 and ::1 (when there is IPv6), which
 * the allow list trusts, and 127.0.0.2, which it does not.
 *
 * The harness decodes the datagram itself and checks each reply against
 * what RPC says the server must answer: nothing to a message that is not
 * a whole call, PROG_UNAVAIL, PROG_MISMATCH (1 to 2), PROC_UNAVAIL,
 * GARBAGE_ARGS, or SUCCESS with the addstat that the allow list, the
 * input rules and the store predict; and the store must have taken an
 * address exactly when the reply says ADD_SUCCESS.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "addr.h"
#include "allow.h"
#include "dgram.h"
#include "drac.h"
#include "fuzz.h"
#include "handler.h"
#include "log.h"

#define ALLOWED		"127.0.0.1\n::1\n"
#define MAXDGRAM	UDPMSGSIZE	/* what libtirpc's UDP transport reads */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct peer {
	int	srv;		/* dracd's socket */
	int	cli;		/* the caller's, connected to it */
	int	trusted;	/* in the allow list */
};

static struct peer	peers[3];
static int		npeers;

/* What the server must answer, by RPC and by the input rules. */
struct expect {
	int		reply;		/* 0: none */
	int		mayauth;	/* MSG_DENIED allowed: not AUTH_NONE */
	enum accept_stat stat;
	int		result;		/* bytes of result: 0 or 4 */
	addstat		add;		/* for a trusted caller */
};

/* A guarded UDP transport on sa (port 0: any); its socket, or -1. */
static int
transport(const char *netid, struct sockaddr *sa, socklen_t len)
{
	struct netconfig	*nc;
	SVCXPRT			*x;
	int			 fd, ok;

	if ((fd = socket(sa->sa_family, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(fd, sa, len) == -1 || getsockname(fd, sa, &len) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    (nc = getnetconfigent(netid)) == NULL) {
		close(fd);
		return -1;
	}
	x = svc_tli_create(fd, nc, NULL, 0, 0);
	ok = x != NULL && dgram_guard(x) == 0 &&
	    svc_reg(x, DRACPROG, DRACVERS, dracprog_1, NULL) &&
	    svc_reg(x, DRACPROG, DRACVERS6, dracprog_2, NULL);
	freenetconfigent(nc);
	CHECK(ok);
	return fd;
}

/* A caller at from, connected to the transport srv at to. */
static void
caller(int srv, const struct sockaddr *to, const struct sockaddr *from,
    socklen_t len, int trusted)
{
	struct peer	*p = &peers[npeers];

	p->srv = srv;
	p->trusted = trusted;
	CHECK((p->cli = socket(to->sa_family, SOCK_DGRAM, 0)) != -1);
	CHECK(bind(p->cli, from, len) == 0);
	CHECK(connect(p->cli, to, len) == 0);
	npeers++;
}

static void
setup(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	struct sockaddr_in	from = { .sin_family = AF_INET };
	struct sockaddr_in6	sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in6	from6 = { .sin6_family = AF_INET6 };
	struct allow		*a;
	char			 err[256];
	int			 fd;

	log_init(1, 0);
	a = allow_parse(ALLOWED, strlen(ALLOWED), "fuzz", err, sizeof(err));
	CHECK(a != NULL);
	handler_allow(a);
	handler_init(stub_store(), "fuzz");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = transport("udp", (struct sockaddr *)&sin, sizeof(sin));
	CHECK(fd != -1);
	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	caller(fd, (struct sockaddr *)&sin, (struct sockaddr *)&from,
	    sizeof(sin), 1);
	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	caller(fd, (struct sockaddr *)&sin, (struct sockaddr *)&from,
	    sizeof(sin), 0);
	sin6.sin6_addr = in6addr_loopback;
	from6.sin6_addr = in6addr_loopback;
	if ((fd = transport("udp6", (struct sockaddr *)&sin6,
	    sizeof(sin6))) != -1)
		caller(fd, (struct sockaddr *)&sin6, (struct sockaddr *)&from6,
		    sizeof(sin6), 1);
}

/* Decode the argument of an add as the server must, into e. */
static void
expect_add(XDR *x, rpcvers_t vers, struct expect *e)
{
	drac_add_parm	p1;
	drac_add_parm6	p2;
	struct addr	ad, lo;

	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	if (vers == DRACVERS && xdr_drac_add_parm(x, &p1))
		addr_from_v4(&ad, (uint32_t)p1.ip_addr);
	else if (vers == DRACVERS6 && xdr_drac_add_parm6(x, &p2))
		memcpy(ad.a, p2.ip_addr6, sizeof(ad.a));
	else {
		e->stat = GARBAGE_ARGS;
		return;
	}
	/* The trusted callers are loopback: the same rules for both. */
	addr_from_v4(&lo, 0x7f000001);
	e->result = 4;
	if (addr_refuse(&ad, &lo) != NULL)
		e->add = ADD_PERM;
	else if (stub_fails(&ad))
		e->add = ADD_SYSERR;
	else
		e->add = ADD_SUCCESS;
}

static void
expect(const uint8_t *data, size_t size, struct expect *e)
{
	struct rpc_msg	m;
	char		cred[MAX_AUTH_BYTES], verf[MAX_AUTH_BYTES];
	XDR		x;

	memset(e, 0, sizeof(*e));
	memset(&m, 0, sizeof(m));
	m.rm_call.cb_cred.oa_base = cred;
	m.rm_call.cb_verf.oa_base = verf;
	xdrmem_create(&x, (char *)data, size, XDR_DECODE);
	if (!xdr_callmsg(&x, &m))
		return;
	e->reply = 1;
	e->mayauth = m.rm_call.cb_cred.oa_flavor != AUTH_NONE;
	e->stat = SUCCESS;
	if (m.rm_call.cb_prog != DRACPROG)
		e->stat = PROG_UNAVAIL;
	else if (m.rm_call.cb_vers != DRACVERS &&
	    m.rm_call.cb_vers != DRACVERS6)
		e->stat = PROG_MISMATCH;
	else if (m.rm_call.cb_proc == DRACPROC_ADD)
		expect_add(&x, m.rm_call.cb_vers, e);
	else if (m.rm_call.cb_proc != NULLPROC)
		e->stat = PROC_UNAVAIL;
}

/*
 * Check one reply of len bytes, to the call with xid, from caller p;
 * returns 1 when it says ADD_SUCCESS.
 */
static int
check_reply(const char *buf, size_t len, uint32_t xid,
    const struct expect *e, const struct peer *p)
{
	struct rpc_msg	r;
	addstat		st;
	XDR		x;

	memset(&r, 0, sizeof(r));
	r.acpted_rply.ar_results.proc = (xdrproc_t)xdr_void;
	xdrmem_create(&x, (char *)buf, len, XDR_DECODE);
	CHECK(xdr_replymsg(&x, &r));
	CHECK(r.rm_xid == xid);
	if (r.rm_reply.rp_stat == MSG_DENIED) {
		CHECK(e->mayauth && r.rjcted_rply.rj_stat == AUTH_ERROR);
		return 0;
	}
	CHECK(r.acpted_rply.ar_stat == e->stat);
	if (e->stat == PROG_MISMATCH) {
		CHECK(r.acpted_rply.ar_vers.low == DRACVERS);
		CHECK(r.acpted_rply.ar_vers.high == DRACVERS6);
	}
	if (e->stat != SUCCESS)
		return 0;
	CHECK(len - xdr_getpos(&x) == (size_t)e->result);
	if (e->result == 0)
		return 0;
	CHECK(xdr_addstat(&x, &st));
	CHECK(st == (p->trusted ? e->add : ADD_PERM));
	return st == ADD_SUCCESS;
}

static void
call(const struct peer *p, const uint8_t *data, size_t size,
    const struct expect *e)
{
	struct pollfd	pfd = { .fd = p->srv, .events = POLLIN };
	char		buf[MAXDGRAM];
	unsigned long	adds = stub_adds(), added = 0;
	uint32_t	xid = 0;
	ssize_t		n;
	int		nreply = 0;

	CHECK(send(p->cli, data, size, 0) == (ssize_t)size);
	while (poll(&pfd, 1, 0) == 1)
		svc_getreq_common(p->srv);
	if (size >= 4) {
		memcpy(&xid, data, 4);
		xid = ntohl(xid);
	}
	while ((n = recv(p->cli, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		added += check_reply(buf, (size_t)n, xid, e, p);
		nreply++;
	}
	CHECK(nreply == e->reply);
	CHECK(stub_adds() - adds == added);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect	e;
	int		i;

	if (npeers == 0)
		setup();
	/* Longer datagrams are cut by the transport: not worth the time. */
	if (size > MAXDGRAM)
		return 0;
	expect(data, size, &e);
	for (i = 0; i < npeers; i++)
		call(&peers[i], data, size, &e);
	return 0;
}

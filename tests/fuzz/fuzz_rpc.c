/*
 * fuzz_rpc.c: one input is one UDP datagram, or one TCP record, to dracd.
 *
 * The path under test is dracd's own from the bytes received on: rpc.c
 * decodes the call, checks the credential and dispatches through its
 * table to the real handlers (handler.c) and allow list; the store is
 * stubstore.c, which fails for some addresses as a full disk would.  Each
 * input is served for three callers: 127.0.0.1 and ::1, which the allow
 * list trusts, and 127.0.0.2, which it does not; and once more for
 * 127.0.0.1 marked as a forged UDP source, which must never add.
 *
 * The harness decodes the input itself and checks each reply against
 * what RPC says the server must answer: nothing to a message that is not
 * a whole call, PROG_UNAVAIL, PROG_MISMATCH (1 to 3), PROC_UNAVAIL,
 * GARBAGE_ARGS, or SUCCESS with the addstat that the allow list, the
 * input rules and the store predict (version 3: one per ADDMANY address;
 * QUERY finds nothing in the stub store; DEL, LIST and STATS, which no
 * caller here may use, ADD_PERM); and the store must have taken an
 * address exactly when the reply says ADD_SUCCESS.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rpc/rpc.h>

#include "addr.h"
#include "allow.h"
#include "drac.h"
#include "fuzz.h"
#include "handler.h"
#include "log.h"
#include "rpc.h"

#define ALLOWED		"127.0.0.1\n::1\n"
#define MAXCALL		8800	/* the longest datagram dracd reads */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct peer {
	struct caller	c;
	int		trusted;	/* may add */
};

static struct peer	peers[4];
static int		npeers;

/* What the server must answer, by RPC and by the input rules. */
struct expect {
	int		reply;		/* 0: none */
	int		mayauth;	/* MSG_DENIED allowed: not AUTH_NONE */
	enum accept_stat stat;
	int		result;		/* bytes of result; -1: any */
	addstat		add;		/* for a trusted caller */
	rpcvers_t	vers;
	rpcproc_t	proc;
	u_int		nmany;		/* ADDMANY: addresses, */
	addstat		many[DRAC_MANYMAX];	/* each one's addstat */
};

/* A caller at the address text a. */
static void
caller(const char *a, enum rpc_transport t, int forged, int trusted)
{
	struct peer		*p = &peers[npeers++];
	struct sockaddr_in	*sin = (struct sockaddr_in *)&p->c.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&p->c.addr;

	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		CHECK(inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1);
		sin6->sin6_family = AF_INET6;
	}
	p->c.transport = t;
	p->c.forged = forged;
	p->trusted = trusted;
}

static void
setup(void)
{
	struct allow	*a;
	char		 err[256];

	log_init(1, 0);
	a = allow_parse(ALLOWED, strlen(ALLOWED), "fuzz", err, sizeof(err));
	CHECK(a != NULL);
	handler_allow(a);
	handler_init(stub_store(), "fuzz", 0);
	caller("127.0.0.1", RPC_UDP, 0, 1);
	caller("127.0.0.2", RPC_UDP, 0, 0);
	caller("::1", RPC_TCP, 0, 1);
	caller("127.0.0.1", RPC_UDP, 1, 0);
}

/* What a trusted caller's add of ad gets. */
static addstat
add_outcome(const struct addr *ad)
{
	struct addr	lo;

	/* The trusted callers are loopback: the same rules for both. */
	addr_from_v4(&lo, 0x7f000001);
	if (addr_refuse(ad, &lo) != NULL)
		return ADD_PERM;
	if (stub_fails(ad))
		return ADD_SYSERR;
	return ADD_SUCCESS;
}

static void
from3(struct addr *ad, const drac_addr *a)
{
	uint32_t	v4;

	if (a->af == 4) {
		memcpy(&v4, a->drac_addr_u.v4, 4);
		addr_from_v4(ad, ntohl(v4));
	} else
		memcpy(ad->a, a->drac_addr_u.v6, sizeof(ad->a));
}

/* Decode a version 3 argument as the server must, into e. */
static void
expect_v3(XDR *x, rpcproc_t proc, struct expect *e)
{
	union {
		drac_add3_parm		add;
		drac_addmany_parm	many;
		drac_addr		addr;
		drac_list_parm		list;
	}		a;
	struct addr	ad;
	u_int		i;
	xdrproc_t	xa[] = { (xdrproc_t)xdr_void,
			    (xdrproc_t)xdr_drac_add3_parm,
			    (xdrproc_t)xdr_drac_addmany_parm,
			    (xdrproc_t)xdr_drac_addr, (xdrproc_t)xdr_drac_addr,
			    (xdrproc_t)xdr_drac_list_parm, (xdrproc_t)xdr_void };

	if (proc > DRACPROC3_STATS) {
		e->stat = PROC_UNAVAIL;
		return;
	}
	memset(&a, 0, sizeof(a));
	if (!xa[proc](x, &a)) {
		xdr_free(xa[proc], (char *)&a);
		e->stat = GARBAGE_ARGS;
		return;
	}
	e->result = proc == NULLPROC ? 0 : -1;
	e->add = proc == DRACPROC3_QUERY ? ADD_UNKOWN : ADD_PERM;
	if (proc == DRACPROC3_ADD) {
		from3(&ad, &a.add.addr);
		e->add = add_outcome(&ad);
	}
	if (proc == DRACPROC3_ADDMANY) {
		e->nmany = a.many.addrs.addrs_len;
		for (i = 0; i < e->nmany; i++) {
			from3(&ad, &a.many.addrs.addrs_val[i]);
			e->many[i] = add_outcome(&ad);
		}
	}
	xdr_free(xa[proc], (char *)&a);
}

/* Decode the argument of an add as the server must, into e. */
static void
expect_add(XDR *x, rpcvers_t vers, struct expect *e)
{
	drac_add_parm	p1;
	drac_add_parm6	p2;
	struct addr	ad;

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
	e->result = 4;
	e->add = add_outcome(&ad);
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
	else if (m.rm_call.cb_vers == DRACVERS3) {
		e->vers = DRACVERS3;
		e->proc = m.rm_call.cb_proc;
		expect_v3(&x, m.rm_call.cb_proc, e);
	} else if (m.rm_call.cb_vers != DRACVERS &&
	    m.rm_call.cb_vers != DRACVERS6)
		e->stat = PROG_MISMATCH;
	else if (m.rm_call.cb_proc == DRACPROC_ADD)
		expect_add(&x, m.rm_call.cb_vers, e);
	else if (m.rm_call.cb_proc != NULLPROC)
		e->stat = PROC_UNAVAIL;
}

/* Check a version 3 result in x; returns how many adds it reports. */
static int
check_v3(XDR *x, const struct expect *e, const struct peer *p)
{
	drac_addmany_res	m;
	addstat			st;
	u_int			i;
	int			n = 0;

	if (e->proc == NULLPROC)
		return 0;
	if (e->proc != DRACPROC3_ADDMANY) {
		/* Every result but ADDMANY's begins with its addstat. */
		CHECK(xdr_addstat(x, &st));
		CHECK(st == (p->trusted || e->add == ADD_PERM ? e->add :
		    ADD_PERM));
		return e->proc == DRACPROC3_ADD && st == ADD_SUCCESS;
	}
	memset(&m, 0, sizeof(m));
	CHECK(xdr_drac_addmany_res(x, &m));
	CHECK(m.status.status_len == e->nmany);
	for (i = 0; i < e->nmany; i++) {
		CHECK(m.status.status_val[i] ==
		    (p->trusted ? e->many[i] : ADD_PERM));
		n += m.status.status_val[i] == ADD_SUCCESS;
	}
	xdr_free((xdrproc_t)xdr_drac_addmany_res, (char *)&m);
	return n;
}

/*
 * Check one reply of len bytes, to the call with xid, from caller p;
 * returns how many adds it reports (version 1 and 2: 1 for ADD_SUCCESS).
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
		CHECK(r.acpted_rply.ar_vers.high == DRACVERS3);
	}
	if (e->stat != SUCCESS)
		return 0;
	if (e->vers == DRACVERS3)
		return check_v3(&x, e, p);
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
	char		out[RPC_REPLYMAX];
	unsigned long	adds = stub_adds(), added = 0;
	uint32_t	xid = 0;
	size_t		n;

	n = rpc_serve(data, size, &p->c, out);
	CHECK(n <= RPC_REPLYMAX);
	CHECK((n > 0) == (e->reply != 0));
	if (size >= 4) {
		memcpy(&xid, data, 4);
		xid = ntohl(xid);
	}
	if (n > 0)
		added = check_reply(out, n, xid, e, p);
	CHECK(stub_adds() - adds == added);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect	e;
	int		i;

	if (npeers == 0)
		setup();
	if (size > MAXCALL)
		return 0;
	expect(data, size, &e);
	for (i = 0; i < npeers; i++)
		call(&peers[i], data, size, &e);
	return 0;
}

/*
 * rpc.c: the RPC layer of dracd's own transports (see dracd.c): a call
 * message in a buffer, its reply in another.
 *
 * drac.x stays the one source of the protocol: the procedures' numbers
 * come from drac.h and their arguments and results are decoded and
 * encoded by rpcgen's xdr_* routines; the call and reply headers by
 * libtirpc's xdr_callmsg and xdr_replymsg on memory streams.  Only the
 * dispatch is ours: a table keyed by version and procedure (versions 1
 * and 2 of DRAC, version 3's six procedures).
 *
 * The replies are those libtirpc's svc gave, byte for byte: nothing for a
 * message that is not a whole call (a reply, an RPC version other than 2,
 * a header past the end of the buffer), AUTH_ERROR (AUTH_BADCRED for an
 * AUTH_SYS credential that does not decode, AUTH_REJECTEDCRED for a
 * flavour other than AUTH_NONE and AUTH_SYS), PROG_UNAVAIL,
 * PROG_MISMATCH with the lowest and highest version, PROC_UNAVAIL,
 * GARBAGE_ARGS for an argument that does not decode within the buffer,
 * and SUCCESS with the result.  The reply's verifier is always AUTH_NONE.
 */
#include <string.h>

#include <rpc/rpc.h>

#include "drac.h"
#include "handler.h"
#include "rpc.h"

union args {
	drac_add_parm		v1;
	drac_add_parm6		v2;
	drac_add3_parm		add3;
	drac_addmany_parm	many;
	drac_addr		addr;
	drac_list_parm		list;
};

union res {
	addstat			add;
	drac_add3_res		add3;
	drac_addmany_res	many;
	drac_query_res		query;
	drac_list_res		list;
	drac_stats_res		stats;
};

struct proc {
	rpcvers_t	 vers;
	rpcproc_t	 num;
	xdrproc_t	 args;
	xdrproc_t	 res;
	void		(*run)(const union args *, union res *,
			    const struct caller *);
};

static void
run_null(const union args *a, union res *r, const struct caller *c)
{
	(void)a;
	(void)r;
	(void)c;
}

static void
run_add_v1(const union args *a, union res *r, const struct caller *c)
{
	r->add = handler_add_v1(&a->v1, c);
}

static void
run_add_v2(const union args *a, union res *r, const struct caller *c)
{
	r->add = handler_add_v2(&a->v2, c);
}

static void
run_add3(const union args *a, union res *r, const struct caller *c)
{
	handler_add3(&a->add3, c, &r->add3);
}

static void
run_addmany(const union args *a, union res *r, const struct caller *c)
{
	handler_addmany(&a->many, c, &r->many);
}

static void
run_del(const union args *a, union res *r, const struct caller *c)
{
	r->add = handler_del(&a->addr, c);
}

static void
run_query(const union args *a, union res *r, const struct caller *c)
{
	handler_query(&a->addr, c, &r->query);
}

static void
run_list(const union args *a, union res *r, const struct caller *c)
{
	handler_list(&a->list, c, &r->list);
}

static void
run_stats(const union args *a, union res *r, const struct caller *c)
{
	(void)a;
	handler_stats(c, &r->stats);
}

static const struct proc procs[] = {
	{ DRACVERS, NULLPROC, (xdrproc_t)xdr_void, (xdrproc_t)xdr_void,
	    run_null },
	{ DRACVERS, DRACPROC_ADD, (xdrproc_t)xdr_drac_add_parm,
	    (xdrproc_t)xdr_addstat, run_add_v1 },
	{ DRACVERS6, NULLPROC, (xdrproc_t)xdr_void, (xdrproc_t)xdr_void,
	    run_null },
	{ DRACVERS6, DRACPROC_ADD, (xdrproc_t)xdr_drac_add_parm6,
	    (xdrproc_t)xdr_addstat, run_add_v2 },
	{ DRACVERS3, NULLPROC, (xdrproc_t)xdr_void, (xdrproc_t)xdr_void,
	    run_null },
	{ DRACVERS3, DRACPROC3_ADD, (xdrproc_t)xdr_drac_add3_parm,
	    (xdrproc_t)xdr_drac_add3_res, run_add3 },
	{ DRACVERS3, DRACPROC3_ADDMANY, (xdrproc_t)xdr_drac_addmany_parm,
	    (xdrproc_t)xdr_drac_addmany_res, run_addmany },
	{ DRACVERS3, DRACPROC3_DEL, (xdrproc_t)xdr_drac_addr,
	    (xdrproc_t)xdr_addstat, run_del },
	{ DRACVERS3, DRACPROC3_QUERY, (xdrproc_t)xdr_drac_addr,
	    (xdrproc_t)xdr_drac_query_res, run_query },
	{ DRACVERS3, DRACPROC3_LIST, (xdrproc_t)xdr_drac_list_parm,
	    (xdrproc_t)xdr_drac_list_res, run_list },
	{ DRACVERS3, DRACPROC3_STATS, (xdrproc_t)xdr_void,
	    (xdrproc_t)xdr_drac_stats_res, run_stats },
};
#define NPROCS	(sizeof(procs) / sizeof(procs[0]))

/* The procedure vers.num, or NULL; *known says whether vers exists. */
static const struct proc *
proc_find(rpcvers_t vers, rpcproc_t num, int *known)
{
	size_t	i;

	*known = 0;
	for (i = 0; i < NPROCS; i++) {
		if (procs[i].vers != vers)
			continue;
		*known = 1;
		if (procs[i].num == num)
			return &procs[i];
	}
	return NULL;
}

/* Check the call's credential as libtirpc's _authenticate() does. */
static enum auth_stat
authenticate(struct opaque_auth *cred)
{
	struct authunix_parms	aup;
	XDR			x;
	bool_t			ok;

	switch (cred->oa_flavor) {
	case AUTH_NONE:
		return AUTH_OK;
	case AUTH_SYS:
		memset(&aup, 0, sizeof(aup));
		xdrmem_create(&x, cred->oa_base, cred->oa_length, XDR_DECODE);
		ok = xdr_authunix_parms(&x, &aup);
		xdr_free((xdrproc_t)xdr_authunix_parms, (char *)&aup);
		return ok ? AUTH_OK : AUTH_BADCRED;
	default:
		return AUTH_REJECTEDCRED;
	}
}

/* Fill r as an accepted reply with status st (SUCCESS: no result yet). */
static void
accepted(struct rpc_msg *r, enum accept_stat st)
{
	r->rm_reply.rp_stat = MSG_ACCEPTED;
	r->acpted_rply.ar_verf = _null_auth;
	r->acpted_rply.ar_stat = st;
	r->acpted_rply.ar_results.where = NULL;
	r->acpted_rply.ar_results.proc = (xdrproc_t)xdr_void;
}

/* Decode the argument of p from x, run it, and fill the reply r. */
static void
dispatch(const struct proc *p, XDR *x, const struct caller *c,
    struct rpc_msg *r, union res *res)
{
	union args	args;

	memset(&args, 0, sizeof(args));
	if (!p->args(x, &args)) {
		xdr_free(p->args, (char *)&args);
		accepted(r, GARBAGE_ARGS);
		return;
	}
	p->run(&args, res, c);
	xdr_free(p->args, (char *)&args);
	accepted(r, SUCCESS);
	r->acpted_rply.ar_results.where = (caddr_t)res;
	r->acpted_rply.ar_results.proc = p->res;
}

/* Fill r with the answer to call m, whose argument x is positioned at. */
static void
answer(struct rpc_msg *m, XDR *x, const struct caller *c, struct rpc_msg *r,
    union res *res)
{
	const struct proc	*p;
	enum auth_stat		 why;
	int			 known;

	if ((why = authenticate(&m->rm_call.cb_cred)) != AUTH_OK) {
		r->rm_reply.rp_stat = MSG_DENIED;
		r->rjcted_rply.rj_stat = AUTH_ERROR;
		r->rjcted_rply.rj_why = why;
	} else if (m->rm_call.cb_prog != DRACPROG)
		accepted(r, PROG_UNAVAIL);
	else if ((p = proc_find(m->rm_call.cb_vers, m->rm_call.cb_proc,
	    &known)) != NULL)
		dispatch(p, x, c, r, res);
	else if (known)
		accepted(r, PROC_UNAVAIL);
	else {
		accepted(r, PROG_MISMATCH);
		r->acpted_rply.ar_vers.low = procs[0].vers;
		r->acpted_rply.ar_vers.high = procs[NPROCS - 1].vers;
	}
}

/* Serve the call in buf for caller c; the reply's length in out, or 0. */
size_t
rpc_serve(const void *buf, size_t len, const struct caller *c, void *out)
{
	struct rpc_msg	m, r;
	union res	res;
	char		cred[MAX_AUTH_BYTES], verf[MAX_AUTH_BYTES];
	XDR		x;
	size_t		n;

	memset(&m, 0, sizeof(m));
	m.rm_call.cb_cred.oa_base = cred;
	m.rm_call.cb_verf.oa_base = verf;
	xdrmem_create(&x, (char *)buf, len, XDR_DECODE);
	if (!xdr_callmsg(&x, &m))
		return 0;
	memset(&r, 0, sizeof(r));
	r.rm_xid = m.rm_xid;
	r.rm_direction = REPLY;
	answer(&m, &x, c, &r, &res);
	xdrmem_create(&x, out, RPC_REPLYMAX, XDR_ENCODE);
	n = xdr_replymsg(&x, &r) ? xdr_getpos(&x) : 0;
	xdr_destroy(&x);
	return n;
}

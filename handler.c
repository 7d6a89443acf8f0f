/*
 * handler.c: the DRAC procedures, called by rpcgen's dispatch functions
 * once libtirpc has decoded the call and its argument.
 *
 * Both versions end in add(): get the caller, check the allow list, check
 * the address against the input rules, one store call, and the result as
 * an addstat.  Nothing here trusts the argument beyond its XDR decoding:
 * every 32-bit value and every 16 bytes are some address, and the input
 * rules decide which may be stored.
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "drac.h"
#include "handler.h"
#include "log.h"

static struct allow	*allow;
static const char	*allowpath;
static struct store	*store;

/* Give the handlers the store to write to and the allow file's name. */
void
handler_init(struct store *s, const char *path)
{
	store = s;
	allowpath = path;
}

/* Use table a from now on; the old one is freed. */
void
handler_allow(struct allow *a)
{
	allow_free(allow);
	allow = a;
}

/*
 * The add handler behind both versions: check the caller, then the
 * address, then store it.
 */
static addstat
add(struct svc_req *rq, const struct addr *ad)
{
	const struct netbuf	*nb = svc_getrpccaller(rq->rq_xprt);
	struct addr		 caller;
	const char		*why;
	char			 cs[INET6_ADDRSTRLEN], as[INET6_ADDRSTRLEN];

	addr_text(ad, as, sizeof(as));
	if (nb == NULL || nb->buf == NULL ||
	    addr_from_sockaddr(&caller, nb->buf) == -1) {
		log_limited(LIMIT_DENIED, "add of %s from an unknown caller "
		    "refused", as);
		return ADD_PERM;
	}
	addr_text(&caller, cs, sizeof(cs));
	if (!allow_match(allow, &caller)) {
		log_limited_from(LIMIT_DENIED, &caller, "denied: %s is not in "
		    "%s (add of %s)", cs, allowpath, as);
		return ADD_PERM;
	}
	if ((why = addr_refuse(ad, &caller)) != NULL) {
		log_limited_from(LIMIT_BADADDR, &caller, "refused add of %s "
		    "from %s: %s", as, cs, why);
		return ADD_PERM;
	}
	if (store_add(store, ad) == -1)
		return ADD_SYSERR;
	log_debug("added %s from %s", as, cs);
	return ADD_SUCCESS;
}

/* Version 1: the IPv4 address as a host-order integer. */
bool_t
dracproc_add_1_svc(drac_add_parm *argp, addstat *res, struct svc_req *rq)
{
	struct addr	ad;

	addr_from_v4(&ad, (uint32_t)argp->ip_addr);
	*res = add(rq, &ad);
	return TRUE;
}

/* Version 2: the IPv6 address, 16 bytes. */
bool_t
dracproc_add_2_svc(drac_add_parm6 *argp, addstat *res, struct svc_req *rq)
{
	struct addr	ad;

	memcpy(ad.a, argp->ip_addr6, sizeof(ad.a));
	*res = add(rq, &ad);
	return TRUE;
}

/* Free a version 1 result (an enum: nothing to free). */
int
dracprog_1_freeresult(SVCXPRT *xprt, xdrproc_t proc, caddr_t res)
{
	(void)xprt;
	xdr_free(proc, res);
	return 1;
}

/* Free a version 2 result. */
int
dracprog_2_freeresult(SVCXPRT *xprt, xdrproc_t proc, caddr_t res)
{
	return dracprog_1_freeresult(xprt, proc, res);
}

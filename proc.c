/*
 * proc.c: dracd's procedures as libdrac calls them: the adds of version
 * 1 (IPv4) and 2 (IPv6), and the NULL procedure.  Each fills a struct
 * drac_call and hands it to client_call(), which makes every call by its
 * deadline; this file only chooses the procedure, builds its argument
 * and turns the server's answer into dracauth(3)'s return values.  A
 * procedure of a new protocol version goes here the same way.  The add's
 * argument (proc_add_arg()) and the meaning of its answer (proc_status())
 * serve async.c's non-blocking add too.
 *
 * Errors: as client.c, a return value and a static message through
 * errmsg.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include "client.h"
#include "drac.h"

/* The return convention of dracauth(3) for the server's answer st. */
int
proc_status(int st, char **errmsg)
{
	switch (st) {
	case ADD_SUCCESS:
		return 0;
	case ADD_PERM:
		return client_msg(ADD_PERM, "Server reports permission denied",
		    errmsg);
	case ADD_SYSERR:
		return client_msg(ADD_SYSERR, "Server reports system error",
		    errmsg);
	default:
		return client_msg(st, "Server reports unknown error", errmsg);
	}
}

static void
arg_v1(struct proc_add *p, uint32_t hostorder)
{
	p->vers = DRACVERS;
	p->xarg = (xdrproc_t)xdr_drac_add_parm;
	p->arg.v1.ip_addr = hostorder;
}

static void
arg_v2(struct proc_add *p, const unsigned char a6[16])
{
	p->vers = DRACVERS6;
	p->xarg = (xdrproc_t)xdr_drac_add_parm6;
	memcpy(p->arg.v2.ip_addr6, a6, sizeof(p->arg.v2.ip_addr6));
}

/*
 * The add of sa into *p: AF_INET and IPv4-mapped AF_INET6 with version 1
 * unless v2, then as ::ffff:a.b.c.d; other AF_INET6 with version 2.  -1
 * for another family.
 */
int
proc_add_arg(struct proc_add *p, const struct sockaddr *sa, int v2)
{
	struct sockaddr_in6	sin6;
	struct sockaddr_in	sin;
	unsigned char		a6[16];

	if (sa == NULL || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6))
		return -1;
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (v2 || !IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			arg_v2(p, sin6.sin6_addr.s6_addr);
			return 0;
		}
		memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	} else
		memcpy(&sin, sa, sizeof(sin));
	if (!v2) {
		arg_v1(p, ntohl(sin.sin_addr.s_addr));
		return 0;
	}
	memset(a6, 0, 10);
	a6[10] = a6[11] = 0xff;
	memcpy(&a6[12], &sin.sin_addr, 4);
	arg_v2(p, a6);
	return 0;
}

static int
add_call(struct drac *d, struct proc_add *p, char **errmsg)
{
	struct drac_call	c;
	addstat			res = ADD_SUCCESS;
	int			rc;

	c.vers = p->vers;
	c.proc = DRACPROC_ADD;
	c.xarg = p->xarg;
	c.arg = &p->arg;
	c.xres = (xdrproc_t)xdr_addstat;
	c.res = &res;
	if ((rc = client_call(d, &c, errmsg)) != 0)
		return rc;
	return proc_status(res, errmsg);
}

/* Authorizes the IPv4 address hostorder with version 1; as dracauth(). */
int
proc_add_v1(struct drac *d, uint32_t hostorder, char **errmsg)
{
	struct proc_add	p;

	arg_v1(&p, hostorder);
	return add_call(d, &p, errmsg);
}

/* Authorizes the IPv6 address a6 with version 2; as dracauth6(). */
int
proc_add_v2(struct drac *d, const unsigned char a6[16], char **errmsg)
{
	struct proc_add	p;

	arg_v2(&p, a6);
	return add_call(d, &p, errmsg);
}

/* Authorizes sa, as proc_add_arg() makes its add. */
static int
add_sockaddr(struct drac *d, const struct sockaddr *sa, int v2,
    char **errmsg)
{
	struct proc_add	p;

	if (d == NULL)
		return client_msg(-1, CLIENT_MSG_NOTCONN, errmsg);
	if (proc_add_arg(&p, sa, v2) == -1)
		return client_msg(-1, CLIENT_MSG_FAMILY, errmsg);
	return add_call(d, &p, errmsg);
}

/* Authorizes addr (IPv4 with version 1, IPv6 with 2); as dracauth(). */
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

/* Calls the NULL procedure of version 1; 0, -1 or -2 as dracauth(). */
int
drac_ping(struct drac *d, char **errmsg)
{
	struct drac_call	c;

	if (d == NULL)
		return client_msg(-1, CLIENT_MSG_NOTCONN, errmsg);
	memset(&c, 0, sizeof(c));
	c.vers = DRACVERS;
	c.proc = NULLPROC;
	c.xarg = (xdrproc_t)xdr_void;
	c.xres = (xdrproc_t)xdr_void;
	return client_call(d, &c, errmsg);
}

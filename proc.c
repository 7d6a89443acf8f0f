/*
 * proc.c: dracd's procedures as libdrac calls them: the adds of version
 * 1 (IPv4) and 2 (IPv6), and the NULL procedure.  Each fills a struct
 * drac_call and hands it to client_call(), which makes every call by its
 * deadline; this file only chooses the procedure, builds its argument
 * and turns the server's answer into dracauth(3)'s return values.  A
 * procedure of a new protocol version goes here the same way.
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

static int
add_call(struct drac *d, rpcvers_t vers, xdrproc_t xarg, void *arg,
    char **errmsg)
{
	struct drac_call	c;
	addstat			res = ADD_SUCCESS;
	int			rc;

	c.vers = vers;
	c.proc = DRACPROC_ADD;
	c.xarg = xarg;
	c.arg = arg;
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
	drac_add_parm	arg;

	arg.ip_addr = hostorder;
	return add_call(d, DRACVERS, (xdrproc_t)xdr_drac_add_parm, &arg,
	    errmsg);
}

/* Authorizes the IPv6 address a6 with version 2; as dracauth6(). */
int
proc_add_v2(struct drac *d, const unsigned char a6[16], char **errmsg)
{
	drac_add_parm6	arg;

	memcpy(arg.ip_addr6, a6, sizeof(arg.ip_addr6));
	return add_call(d, DRACVERS6, (xdrproc_t)xdr_drac_add_parm6, &arg,
	    errmsg);
}

/*
 * Authorizes sa: AF_INET and IPv4-mapped AF_INET6 with version 1 unless
 * v2, then as ::ffff:a.b.c.d; other AF_INET6 with version 2.
 */
static int
add_sockaddr(struct drac *d, const struct sockaddr *sa, int v2,
    char **errmsg)
{
	struct sockaddr_in6	sin6;
	struct sockaddr_in	sin;
	unsigned char		a6[16];

	if (d == NULL)
		return client_msg(-1, CLIENT_MSG_NOTCONN, errmsg);
	if (sa == NULL || (sa->sa_family != AF_INET &&
	    sa->sa_family != AF_INET6))
		return client_msg(-1, "Unsupported address family", errmsg);
	if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		if (v2 || !IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr))
			return proc_add_v2(d, sin6.sin6_addr.s6_addr, errmsg);
		memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
	} else
		memcpy(&sin, sa, sizeof(sin));
	if (!v2)
		return proc_add_v1(d, ntohl(sin.sin_addr.s_addr), errmsg);
	memset(a6, 0, 10);
	a6[10] = a6[11] = 0xff;
	memcpy(&a6[12], &sin.sin_addr, 4);
	return proc_add_v2(d, a6, errmsg);
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

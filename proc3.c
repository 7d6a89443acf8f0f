/*
 * proc3.c: version 3's procedures as libdrac calls them (drac.x): the
 * add with a TTL, ADDMANY, DEL, QUERY, LIST and STATS.  As in proc.c,
 * each builds a struct drac_call for client_call() and turns the answer
 * into dracauth(3)'s return values.
 *
 * A dracd without version 3: an add falls back to version 1 or 2
 * (drac_add(): no TTL, no expiry known); every other procedure fails
 * with MSG_OLD.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "drac.h"

#define MSG_OLD	"This operation needs a dracd with protocol version 3"

/* proc_status() with v3's meaning of ADD_UNKOWN: no such entry. */
static int
status_rc(addstat st, char **errmsg)
{
	if (st == ADD_UNKOWN)
		return client_msg(ADD_UNKOWN, "Server reports no such entry",
		    errmsg);
	return proc_status(st, errmsg);
}

/* Make call proc of version 3; as client_call(), MSG_OLD for an old dracd. */
static int
call3(struct drac *d, rpcproc_t proc, xdrproc_t xarg, void *arg,
    xdrproc_t xres, void *res, char **errmsg)
{
	struct drac_call	c = { DRACVERS3, proc, xarg, arg, xres, res };
	char			*m = NULL;
	int			 rc;

	if ((rc = client_call(d, &c, &m)) != 0 && m != NULL &&
	    strcmp(m, CLIENT_MSG_NOVERS) == 0)
		m = MSG_OLD;
	if (rc != 0)
		client_msg(rc, m, errmsg);
	return rc;
}

/* sa as a version 3 address; -1 when it is neither IPv4 nor IPv6. */
static int
to_addr3(drac_addr *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->af = 4;
		memcpy(a->drac_addr_u.v4,
		    &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		a->af = 6;
		memcpy(a->drac_addr_u.v6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else
		return -1;
	return 0;
}

/* A version 3 address as a sockaddr in ss. */
static void
from_addr3(struct sockaddr_storage *ss, const drac_addr *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->af == 4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->drac_addr_u.v4, 4);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->drac_addr_u.v6, 16);
	}
}

static int
bad_addr(char **errmsg)
{
	return client_msg(-1, "Address is neither IPv4 nor IPv6", errmsg);
}

/*
 * Authorize addr for ttl seconds (0: the server's default); *expires
 * (when not NULL) gets the stored expiry, 0 when an old dracd took the
 * add through version 1 or 2.  Returns as dracauth().
 */
int
drac_add3(struct drac *d, const struct sockaddr *addr, unsigned int ttl,
    long long *expires, char **errmsg)
{
	drac_add3_parm	p;
	drac_add3_res	r;
	char		*m = NULL;
	int		 rc;

	if (expires != NULL)
		*expires = 0;
	if (to_addr3(&p.addr, addr) == -1)
		return bad_addr(errmsg);
	p.ttl = ttl;
	memset(&r, 0, sizeof(r));
	rc = call3(d, DRACPROC3_ADD, (xdrproc_t)xdr_drac_add3_parm, &p,
	    (xdrproc_t)xdr_drac_add3_res, &r, &m);
	if (rc != 0 && m != NULL && strcmp(m, MSG_OLD) == 0)
		return drac_add(d, addr, errmsg);
	if (rc != 0)
		return client_msg(rc, m, errmsg);
	if (expires != NULL)
		*expires = r.expires;
	return status_rc(r.status, errmsg);
}

/*
 * Authorize the n addresses in addrs (at most DRAC_MANYMAX) in one call;
 * status[i] gets address i's own result (0 or an addstat).  Returns 0
 * when the server answered (the statuses say the rest), else as
 * dracauth().
 */
int
drac_addmany(struct drac *d, const struct sockaddr *const *addrs, size_t n,
    unsigned int ttl, int *status, char **errmsg)
{
	drac_addr		 a[DRAC_MANYMAX];
	drac_addmany_parm	 p;
	drac_addmany_res	 r;
	size_t			 i;
	int			 rc;

	if (n > DRAC_MANYMAX)
		return client_msg(-1, "Too many addresses in one call",
		    errmsg);
	for (i = 0; i < n; i++)
		if (to_addr3(&a[i], addrs[i]) == -1)
			return bad_addr(errmsg);
	p.addrs.addrs_len = n;
	p.addrs.addrs_val = a;
	p.ttl = ttl;
	memset(&r, 0, sizeof(r));
	if ((rc = call3(d, DRACPROC3_ADDMANY,
	    (xdrproc_t)xdr_drac_addmany_parm, &p,
	    (xdrproc_t)xdr_drac_addmany_res, &r, errmsg)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		status[i] = i < r.status.status_len ?
		    (int)r.status.status_val[i] : ADD_UNKOWN;
	xdr_free((xdrproc_t)xdr_drac_addmany_res, (char *)&r);
	return 0;
}

/*
 * Remove addr's authorization (root or dracd's -G group, over the local
 * socket).  0, ADD_UNKNOWN when it had none, else as dracauth().
 */
int
drac_del(struct drac *d, const struct sockaddr *addr, char **errmsg)
{
	drac_addr	a;
	addstat		r = ADD_SUCCESS;
	int		rc;

	if (to_addr3(&a, addr) == -1)
		return bad_addr(errmsg);
	if ((rc = call3(d, DRACPROC3_DEL, (xdrproc_t)xdr_drac_addr, &a,
	    (xdrproc_t)xdr_addstat, &r, errmsg)) != 0)
		return rc;
	return status_rc(r, errmsg);
}

/*
 * Whether addr is authorized: 0 with *expires, ADD_UNKNOWN when not,
 * else as dracauth().
 */
int
drac_query(struct drac *d, const struct sockaddr *addr, long long *expires,
    char **errmsg)
{
	drac_addr	a;
	drac_query_res	r;
	int		rc;

	*expires = 0;
	if (to_addr3(&a, addr) == -1)
		return bad_addr(errmsg);
	memset(&r, 0, sizeof(r));
	if ((rc = call3(d, DRACPROC3_QUERY, (xdrproc_t)xdr_drac_addr, &a,
	    (xdrproc_t)xdr_drac_query_res, &r, errmsg)) != 0)
		return rc;
	*expires = r.expires;
	return status_rc(r.status, errmsg);
}

/*
 * One page of the authorizations from *cursor (0: the first page), at
 * most max (up to DRAC_LISTMAX) into ents, their number in *n; *cursor
 * becomes the next page's, 0 after the last.  Returns as drac_del().
 */
int
drac_list(struct drac *d, unsigned long long *cursor,
    struct drac_list_entry *ents, size_t max, size_t *n, char **errmsg)
{
	drac_list_parm	p = { *cursor };
	drac_list_res	r;
	u_int		i;
	int		rc;

	*n = 0;
	memset(&r, 0, sizeof(r));
	if ((rc = call3(d, DRACPROC3_LIST, (xdrproc_t)xdr_drac_list_parm, &p,
	    (xdrproc_t)xdr_drac_list_res, &r, errmsg)) != 0)
		return rc;
	if ((rc = status_rc(r.status, errmsg)) == 0) {
		for (i = 0; i < r.entries.entries_len && i < max; i++) {
			from_addr3(&ents[i].addr,
			    &r.entries.entries_val[i].addr);
			ents[i].expires = r.entries.entries_val[i].expires;
		}
		*n = i;
		*cursor = r.next;
	}
	xdr_free((xdrproc_t)xdr_drac_list_res, (char *)&r);
	return rc;
}

/* dracd's counters into *st (see drac.h).  Returns as drac_del(). */
int
drac_stats(struct drac *d, struct drac_stats *st, char **errmsg)
{
	drac_stats_res	r;
	int		rc;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(*st));
	if ((rc = call3(d, DRACPROC3_STATS, (xdrproc_t)xdr_void, NULL,
	    (xdrproc_t)xdr_drac_stats_res, &r, errmsg)) != 0)
		return rc;
	if ((rc = status_rc(r.status, errmsg)) == 0) {
		snprintf(st->version, sizeof(st->version), "%s",
		    r.server != NULL ? r.server : "");
		st->entries = r.entries;
		st->adds = r.adds;
		st->refreshes = r.refreshes;
		st->refused_perm = r.refused_perm;
		st->refused_addr = r.refused_addr;
		st->refused_syserr = r.refused_syserr;
		st->expired = r.expired;
		st->deleted = r.deleted;
		st->commits = r.commits;
		st->last_commit_us = r.last_commit_us;
		st->queued = r.queued;
		st->healthy = r.healthy;
		st->uptime = r.uptime;
	}
	xdr_free((xdrproc_t)xdr_drac_stats_res, (char *)&r);
	return rc;
}

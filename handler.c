/*
 * handler.c: the DRAC procedures, called through rpc.c's table once the
 * call and its argument are decoded.
 *
 * Every add ends in add_until(): who the caller is, whether the
 * transport vouches for its source (a forged UDP source, adds over UDP
 * under -P tcp), the allow list, the input rules, one store call, and the
 * result as an addstat.  Version 3's QUERY asks the same of its caller.
 * DEL, LIST and STATS are for the administrators only: a caller on the
 * local (AF_UNIX) socket whose credentials, from the kernel, say root or
 * a member of the -G group; anyone else gets ADD_PERM.  Nothing here
 * trusts the argument beyond its XDR decoding: every 32-bit value and
 * every 16 bytes are some address, and the input rules decide which may
 * be stored.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "clock.h"
#include "handler.h"
#include "log.h"

#define WHAT_LEN	(16 + INET6_ADDRSTRLEN)	/* "verb of address" */

static struct allow	*allow;
static const char	*allowpath;
static struct store	*store;
static int		 tcponly;
static time_t		 maxttl;	/* -E */
static gid_t		 admgid = (gid_t)-1;	/* -G */
static time_t		 started;
static const char	*version;
static struct handler_stats {
	unsigned long long	adds, refreshes;
	unsigned long long	refused_perm, refused_addr, refused_syserr;
} stats;

/*
 * Give the handlers the store to write to and the allow file's name;
 * tcp says adds are taken over TCP only.
 */
void
handler_init(struct store *s, const char *path, int tcp)
{
	store = s;
	allowpath = path;
	tcponly = tcp;
}

/* Use table a from now on; the old one is freed. */
void
handler_allow(struct allow *a)
{
	allow_free(allow);
	allow = a;
}

/* Non-zero when the allow list lets sa add addresses. */
int
handler_trusts(const struct sockaddr *sa)
{
	struct addr	ad;

	return addr_from_sockaddr(&ad, sa) == 0 && allow_match(allow, &ad);
}

/* "verb of address" in buf (what a log line says was refused). */
static const char *
what(const char *verb, const struct addr *ad, char buf[WHAT_LEN])
{
	char	as[INET6_ADDRSTRLEN];

	snprintf(buf, WHAT_LEN, "%s of %s", verb, addr_text(ad, as,
	    sizeof(as)));
	return buf;
}

/*
 * The caller of c as an address in *caller: a local (AF_UNIX) caller is
 * this host, 127.0.0.1.  ADD_SUCCESS when the transport vouches for it
 * and the allow list lets it add, else ADD_PERM, logged as a refused
 * verb of ad.  The log's texts are made only for a line.
 */
static addstat
check_caller(const struct caller *c, const char *verb, const struct addr *ad,
    struct addr *caller)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&c->addr;
	char			 as[WHAT_LEN], cs[INET6_ADDRSTRLEN];

	if (c->transport == RPC_LOCAL)
		addr_from_v4(caller, INADDR_LOOPBACK);
	else if (addr_from_sockaddr(caller, sa) == -1) {
		log_limited(LIMIT_DENIED, "%s from an unknown caller "
		    "refused", what(verb, ad, as));
		return ADD_PERM;
	}
	if (c->forged) {
		log_limited_from(LIMIT_DENIED, caller, "spoofed: %s "
		    "from %s, one of this host's addresses, but not over "
		    "loopback", what(verb, ad, as),
		    addr_text(caller, cs, sizeof(cs)));
		return ADD_PERM;
	}
	if (!allow_match(allow, caller)) {
		log_limited_from(LIMIT_DENIED, caller, "denied: %s is not in "
		    "%s (%s)", addr_text(caller, cs, sizeof(cs)), allowpath,
		    what(verb, ad, as));
		return ADD_PERM;
	}
	if (tcponly && c->transport == RPC_UDP) {
		log_limited_from(LIMIT_DENIED, caller, "denied: %s "
		    "from %s over UDP; -P tcp takes adds over TCP only",
		    what(verb, ad, as), addr_text(caller, cs, sizeof(cs)));
		return ADD_PERM;
	}
	return ADD_SUCCESS;
}

/*
 * The add behind every version: check the caller, then the address,
 * then store it until when (0: the default expiry), counted in stats.
 */
static addstat
add_until(const struct caller *c, const struct addr *ad, time_t when)
{
	struct addr	 caller;
	const char	*why;
	char		 as[WHAT_LEN], cs[INET6_ADDRSTRLEN];
	time_t		 old;
	int		 had, ret;

	if (check_caller(c, "add", ad, &caller) != ADD_SUCCESS) {
		stats.refused_perm++;
		return ADD_PERM;
	}
	if ((why = addr_refuse(ad, &caller)) != NULL) {
		log_limited_from(LIMIT_BADADDR, &caller, "refused %s "
		    "from %s: %s", what("add", ad, as),
		    addr_text(&caller, cs, sizeof(cs)), why);
		stats.refused_addr++;
		return ADD_PERM;
	}
	had = store_query(store, ad, &old) == 0;
	/* A TTL never shortens an authorization; version 1 and 2 adds set
	 * the default expiry, as they always did. */
	if (when == 0)
		ret = store_add(store, ad);
	else
		ret = store_add_until(store, ad,
		    had && old > when ? old : when);
	if (ret == -1) {
		stats.refused_syserr++;
		return ADD_SYSERR;
	}
	if (had)
		stats.refreshes++;
	else
		stats.adds++;
	if (log_debugging())
		log_debug("%s from %s", what("add", ad, as),
		    addr_text(&caller, cs, sizeof(cs)));
	return ADD_SUCCESS;
}

static addstat
add(const struct caller *c, const struct addr *ad)
{
	return add_until(c, ad, 0);
}

/* Version 1: the IPv4 address as a host-order integer. */
addstat
handler_add_v1(const drac_add_parm *p, const struct caller *c)
{
	struct addr	ad;

	addr_from_v4(&ad, (uint32_t)p->ip_addr);
	return add(c, &ad);
}

/* Version 2: the IPv6 address, 16 bytes. */
addstat
handler_add_v2(const drac_add_parm6 *p, const struct caller *c)
{
	struct addr	ad;

	memcpy(ad.a, p->ip_addr6, sizeof(ad.a));
	return add(c, &ad);
}

/*
 * Version 3's settings: maxttl caps a TTL asked for, members of group
 * admin ((gid_t)-1: none) may use DEL, LIST and STATS besides root, vers
 * is what STATS reports.  The uptime counts from here.
 */
void
handler_init3(time_t ttlcap, gid_t admin, const char *vers)
{
	maxttl = ttlcap;
	admgid = admin;
	version = vers;
	started = clock_wall();
}

/* Non-zero when c may use DEL, LIST and STATS (see above). */
static int
is_admin(const struct caller *c, const char *what)
{
	int	i;

	if (c->transport == RPC_LOCAL) {
		if (c->uid == 0 || (admgid != (gid_t)-1 && c->gid == admgid))
			return 1;
		for (i = 0; i < c->ngroups; i++)
			if (admgid != (gid_t)-1 && c->groups[i] == admgid)
				return 1;
		log_limited(LIMIT_DENIED, "denied: %s from uid %u, neither "
		    "root nor in the -G group", what, (unsigned)c->uid);
	} else
		log_limited(LIMIT_DENIED, "denied: %s over the network; "
		    "only over the local socket", what);
	stats.refused_perm++;
	return 0;
}

/* A version 3 address as ours. */
static void
addr_from3(struct addr *ad, const drac_addr *a)
{
	uint32_t	v4;

	if (a->af == 4) {
		memcpy(&v4, a->drac_addr_u.v4, 4);
		addr_from_v4(ad, ntohl(v4));
	} else
		memcpy(ad->a, a->drac_addr_u.v6, sizeof(ad->a));
}

/* Ours as a version 3 address: IPv4 (mapped) as af 4. */
static void
addr_to3(drac_addr *a, const struct addr *ad)
{
	if (addr_is_v4(ad)) {
		a->af = 4;
		memcpy(a->drac_addr_u.v4, ad->a + 12, 4);
	} else {
		a->af = 6;
		memcpy(a->drac_addr_u.v6, ad->a, sizeof(ad->a));
	}
}

/* The expiry of an add now with ttl seconds, capped at -E. */
static time_t
ttl_until(unsigned int ttl)
{
	if (ttl == 0)
		return 0;
	if (maxttl > 0 && (time_t)ttl > maxttl)
		ttl = (unsigned int)maxttl;
	return clock_wall() + ttl;
}

/* When ad expires, or 0. */
static time_t
expiry(const struct addr *ad)
{
	time_t	when;

	return store_query(store, ad, &when) == 0 ? when : 0;
}

/* Version 3 ADD: the address for ttl seconds; the stored expiry. */
void
handler_add3(const drac_add3_parm *p, const struct caller *c,
    drac_add3_res *r)
{
	struct addr	ad;

	addr_from3(&ad, &p->addr);
	r->status = add_until(c, &ad, ttl_until(p->ttl));
	r->expires = r->status == ADD_SUCCESS ? expiry(&ad) : 0;
}

/*
 * Version 3 ADDMANY: each address as ADD, one status each, written to
 * the map in one change.
 */
void
handler_addmany(const drac_addmany_parm *p, const struct caller *c,
    drac_addmany_res *r)
{
	static addstat	st[DRAC_MANYMAX];
	struct addr	ad;
	time_t		when = ttl_until(p->ttl);
	u_int		i, k;

	r->expires = 0;
	store_hold(store);
	for (i = 0; i < p->addrs.addrs_len && i < DRAC_MANYMAX; i++) {
		addr_from3(&ad, &p->addrs.addrs_val[i]);
		st[i] = add_until(c, &ad, when);
		if (st[i] == ADD_SUCCESS && r->expires == 0)
			r->expires = expiry(&ad);
	}
	/* One change for the whole call; failed, each add says so, as a
	 * single add would. */
	if (store_release(store) == -1)
		for (k = 0; k < i; k++)
			if (st[k] == ADD_SUCCESS)
				st[k] = ADD_SYSERR;
	r->status.status_len = i;
	r->status.status_val = st;
}

/* Version 3 DEL: every key form of the address, administrators only. */
addstat
handler_del(const drac_addr *a, const struct caller *c)
{
	struct addr	ad;
	char		as[INET6_ADDRSTRLEN], what[64];
	int		ret;

	addr_from3(&ad, a);
	snprintf(what, sizeof(what), "delete of %s",
	    addr_text(&ad, as, sizeof(as)));
	if (!is_admin(c, what))
		return ADD_PERM;
	if ((ret = store_del(store, &ad)) == -1)
		return ADD_SYSERR;
	log_info("deleted %s (uid %u)", as, (unsigned)c->uid);
	return ret == 1 ? ADD_SUCCESS : ADD_UNKOWN;
}

/* Version 3 QUERY: whether the address is authorized, and until when. */
void
handler_query(const drac_addr *a, const struct caller *c,
    drac_query_res *r)
{
	struct addr	ad, caller;

	addr_from3(&ad, a);
	r->expires = 0;
	if ((r->status = check_caller(c, "query", &ad, &caller)) !=
	    ADD_SUCCESS)
		stats.refused_perm++;
	else if ((r->expires = expiry(&ad)) == 0)
		r->status = ADD_UNKOWN;
}

/* Version 3 LIST: one page of entries from the cursor on. */
void
handler_list(const drac_list_parm *p, const struct caller *c,
    drac_list_res *r)
{
	static drac_entry	ent[DRAC_LISTMAX];
	struct addr		ad[DRAC_LISTMAX];
	time_t			when[DRAC_LISTMAX];
	size_t			i, n = 0;

	memset(r, 0, sizeof(*r));
	r->status = ADD_PERM;
	if (!is_admin(c, "list"))
		return;
	r->status = ADD_SUCCESS;
	if (p->cursor < store_count(store))
		n = store_list(store, (size_t)p->cursor, ad, when,
		    DRAC_LISTMAX);
	for (i = 0; i < n; i++) {
		addr_to3(&ent[i].addr, &ad[i]);
		ent[i].expires = when[i];
	}
	r->entries.entries_len = n;
	r->entries.entries_val = ent;
	if (n == DRAC_LISTMAX && p->cursor + n < store_count(store))
		r->next = p->cursor + n;
}

/* Version 3 STATS: the counters of the store and of the handlers. */
void
handler_stats(const struct caller *c, drac_stats_res *r)
{
	struct store_stats	st;

	memset(r, 0, sizeof(*r));
	r->server = (char *)(version != NULL ? version : "");
	r->status = ADD_PERM;
	if (!is_admin(c, "stats"))
		return;
	store_stats(store, &st);
	r->status = ADD_SUCCESS;
	r->entries = st.entries;
	r->adds = stats.adds;
	r->refreshes = stats.refreshes;
	r->refused_perm = stats.refused_perm;
	r->refused_addr = stats.refused_addr;
	r->refused_syserr = stats.refused_syserr;
	r->expired = st.expired;
	r->deleted = st.deleted;
	r->commits = st.commits;
	r->last_commit_us = st.last_commit_us;
	r->queued = st.queued;
	r->healthy = st.healthy;
	r->uptime = (u_quad_t)(clock_wall() - started);
}

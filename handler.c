/*
 * handler.c: the DRAC procedures, called through rpc.c's table once the
 * call and its argument are decoded.
 *
 * Both versions end in add(): who the caller is, whether the transport
 * vouches for its source (a forged UDP source, adds over UDP under -P
 * tcp), the allow list, the input rules, one store call, and the result
 * as an addstat.  Nothing here trusts the argument beyond its XDR
 * decoding: every 32-bit value and every 16 bytes are some address, and
 * the input rules decide which may be stored.
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "handler.h"
#include "log.h"

static struct allow	*allow;
static const char	*allowpath;
static struct store	*store;
static int		 tcponly;

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

/*
 * The add behind both versions: check the caller, then the address,
 * then store it.
 */
static addstat
add(const struct caller *c, const struct addr *ad)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&c->addr;
	struct addr		 caller;
	const char		*why;
	char			 cs[INET6_ADDRSTRLEN], as[INET6_ADDRSTRLEN];

	addr_text(ad, as, sizeof(as));
	if (addr_from_sockaddr(&caller, sa) == -1) {
		log_limited(LIMIT_DENIED, "add of %s from an unknown caller "
		    "refused", as);
		return ADD_PERM;
	}
	addr_text(&caller, cs, sizeof(cs));
	if (c->forged) {
		log_limited_from(LIMIT_DENIED, &caller, "spoofed: add of %s "
		    "from %s, one of this host's addresses, but not over "
		    "loopback", as, cs);
		return ADD_PERM;
	}
	if (!allow_match(allow, &caller)) {
		log_limited_from(LIMIT_DENIED, &caller, "denied: %s is not in "
		    "%s (add of %s)", cs, allowpath, as);
		return ADD_PERM;
	}
	if (tcponly && c->transport == RPC_UDP) {
		log_limited_from(LIMIT_DENIED, &caller, "denied: add of %s "
		    "from %s over UDP; -P tcp takes adds over TCP only", as, cs);
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

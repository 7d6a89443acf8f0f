/*
 * addr.c: address conversions and the input rules.  The map's key forms
 * are key.c's.  An IPv4-mapped IPv6 address is IPv4 everywhere.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static const uint8_t v4prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Non-zero when the address is IPv4. */
int
addr_is_v4(const struct addr *ad)
{
	return memcmp(ad->a, v4prefix, sizeof(v4prefix)) == 0;
}

/* Set an IPv4 address from a host-order integer. */
void
addr_from_v4(struct addr *ad, uint32_t v4)
{
	memcpy(ad->a, v4prefix, sizeof(v4prefix));
	ad->a[12] = v4 >> 24;
	ad->a[13] = v4 >> 16;
	ad->a[14] = v4 >> 8;
	ad->a[15] = v4;
}

/*
 * A 64-bit hash of the address keyed by seed, for the in-memory tables
 * (expire.c, queue.c): every bit of the address reaches the low bits, so
 * that a table indexed by them spreads a /16 as well as random addresses,
 * and a random seed keeps callers from choosing addresses that collide.
 */
uint64_t
addr_hash(const struct addr *ad, uint64_t seed)
{
	uint64_t	h = seed, w;
	int		i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, ad->a + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	/*
	 * A multiply only carries upward: without this final mix the last
	 * octets of an IPv4 address (the top bytes of w) would barely reach
	 * the low bits, and a /16 would share a few hundred chains.
	 */
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ h >> 32;
}

/* Convert an AF_INET or AF_INET6 sockaddr; -1 for any other family. */
int
addr_from_sockaddr(struct addr *ad, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		addr_from_v4(ad, ntohl(sin->sin_addr.s_addr));
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		memcpy(ad->a, &sin6->sin6_addr, sizeof(ad->a));
		return 0;
	default:
		return -1;
	}
}

/* The address as an AF_INET6 sockaddr (IPv4 mapped), port 0. */
void
addr_to_sockaddr(const struct addr *ad, struct sockaddr_in6 *sin6)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, ad->a, sizeof(ad->a));
}

/* Parse an IPv4 or IPv6 address in text; -1 when it is neither. */
int
addr_from_text(struct addr *ad, const char *s)
{
	struct in_addr	in;

	if (inet_pton(AF_INET, s, &in) == 1) {
		addr_from_v4(ad, ntohl(in.s_addr));
		return 0;
	}
	return inet_pton(AF_INET6, s, ad->a) == 1 ? 0 : -1;
}

/*
 * The address as text (dotted quad or inet_ntop form) in buf; NULL when
 * it does not fit.  The dotted quad is written here: every add makes one
 * for its map key, and inet_ntop() goes through sprintf().
 */
const char *
addr_text(const struct addr *ad, char *buf, size_t len)
{
	char		*p = buf;
	unsigned int	 o;
	int		 i;

	if (!addr_is_v4(ad))
		return inet_ntop(AF_INET6, ad->a, buf, len);
	if (len < INET_ADDRSTRLEN)
		return inet_ntop(AF_INET, ad->a + 12, buf, len);
	for (i = 12; i < 16; i++) {
		if ((o = ad->a[i]) >= 100)
			*p++ = '0' + o / 100;
		if (o >= 10)
			*p++ = '0' + o / 10 % 10;
		*p++ = '0' + o % 10;
		*p++ = i < 15 ? '.' : '\0';
	}
	return buf;
}

static int
v4_refused(const uint8_t *a, int remote, const char **why)
{
	*why = NULL;
	if (a[0] == 0)
		*why = "unspecified or \"this network\" address";
	else if (a[0] == 127 && remote)
		*why = "loopback address from a remote caller";
	else if (a[0] >= 224 && a[0] <= 239)
		*why = "multicast address";
	else if (a[0] >= 240)
		*why = "reserved or broadcast address";
	return *why != NULL;
}

static int
is_loopback(const struct addr *ad)
{
	static const uint8_t	lo6[16] = { [15] = 1 };

	if (addr_is_v4(ad))
		return ad->a[12] == 127;
	return memcmp(ad->a, lo6, sizeof(lo6)) == 0;
}

/*
 * The input rules: why the address may not be authorized when the request
 * comes from caller, or NULL when it may.
 */
const char *
addr_refuse(const struct addr *ad, const struct addr *caller)
{
	static const uint8_t	zero[16];
	const char		*why;
	int			 remote = !is_loopback(caller);

	if (addr_is_v4(ad))
		return v4_refused(ad->a + 12, remote, &why) ? why : NULL;
	if (memcmp(ad->a, zero, sizeof(zero)) == 0)
		return "unspecified address";
	if (is_loopback(ad) && remote)
		return "loopback address from a remote caller";
	if (ad->a[0] == 0xff)
		return "multicast address";
	return NULL;
}

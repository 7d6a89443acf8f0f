/*
 * addr.h: client addresses as dracd handles them.
 *
 * An address is 16 bytes; IPv4 is held IPv4-mapped (::ffff:a.b.c.d), so
 * one type serves both families and a mapped IPv6 address is IPv4.  It is
 * the one address type from the RPC argument and the caller's sockaddr to
 * the allow list, the input rules and the map key; addr_from_text is the
 * one parser of address text.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

struct addr {
	uint8_t	a[16];
};


int		 addr_is_v4(const struct addr *);
uint64_t	 addr_hash(const struct addr *, uint64_t);
void		 addr_from_v4(struct addr *, uint32_t);
int		 addr_from_sockaddr(struct addr *, const struct sockaddr *);
void		 addr_to_sockaddr(const struct addr *, struct sockaddr_in6 *);
int		 addr_from_text(struct addr *, const char *);
const char	*addr_text(const struct addr *, char *, size_t);
const char	*addr_refuse(const struct addr *, const struct addr *);

#endif

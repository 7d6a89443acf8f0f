/*
 * rpcb.h: where a program listens on a server: libdrac's rpcbind client
 * (a GETADDR call, blocking, or as messages for async.c's socket) and the
 * addresses it remembers for every caller in the process.
 */
#ifndef RPCB_H
#define RPCB_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <netconfig.h>
#include <rpc/rpc.h>

#define RPCB_NETID_LEN	8	/* "udp6" and the like, with the NUL */

/* Where a program listens: the transport and the address. */
struct rpcb_addr {
	char			 netid[RPCB_NETID_LEN];
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
};

size_t		 rpcb_encode(void *, size_t, uint32_t, rpcvers_t, rpcprog_t,
		    rpcvers_t, const char *);
enum clnt_stat	 rpcb_decode(const void *, size_t, const char *,
		    struct rpcb_addr *);
enum clnt_stat	 rpcb_lookup(const char *, const struct netconfig *,
		    rpcprog_t, rpcvers_t, const struct timespec *,
		    struct rpcb_addr *);
int		 rpcb_recall(const char *, const char *, rpcvers_t,
		    struct rpcb_addr *);
void		 rpcb_remember(const char *, const char *, rpcvers_t,
		    const struct rpcb_addr *);
void		 rpcb_forget(const char *, const char *, rpcvers_t);

#endif

/*
 * rpcb.h: where a program listens on a server: libdrac's rpcbind lookup,
 * and the addresses it remembers for dracauth() and dracauth6().
 */
#ifndef RPCB_H
#define RPCB_H

#include <time.h>

#include <netconfig.h>
#include <rpc/rpc.h>

#define RPCB_NETID_LEN	8	/* "udp6" and the like, with the NUL */
#define RPCB_UADDR_LEN	64	/* INET6_ADDRSTRLEN + ".255.255" */

/* What rpcb_recall() gives back: the address and its transport. */
struct rpcb_addr {
	char	netid[RPCB_NETID_LEN];
	char	uaddr[RPCB_UADDR_LEN];
};

enum clnt_stat	 rpcb_lookup(const char *, const struct netconfig *,
		    rpcprog_t, rpcvers_t, const struct timespec *, char **);
int		 rpcb_recall(const char *, const char *, rpcvers_t,
		    struct rpcb_addr *);
void		 rpcb_remember(const char *, const char *, rpcvers_t,
		    const char *, const char *);
void		 rpcb_forget(const char *, const char *, rpcvers_t);

#endif

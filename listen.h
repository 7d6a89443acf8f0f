/*
 * listen.h: the sockets dracd listens on, and their rpcbind entries.
 *
 * listen_open() binds two UDP sockets (see dgram.c) and a TCP socket for
 * each address in addrs (numeric, IPv4 or IPv6; none: the IPv4 and IPv6
 * wildcards), one port per protocol, and returns how many sockets it made
 * in *ls (fatal when a named address cannot be bound).
 * listen_local() adds the local (AF_UNIX) stream socket, netid "local",
 * found by its path and not registered.
 * listen_register() enters versions 1, 2 and 3 with rpcbind for the netids
 * udp, tcp, udp6 and tcp6 that have a socket; listen_unregister()
 * removes them.
 */
#ifndef LISTEN_H
#define LISTEN_H

#include <sys/socket.h>

struct listener {
	int			 fd;
	int			 type;		/* SOCK_DGRAM, SOCK_STREAM */
	int			 outside;	/* UDP: not from loopback */
	const char		*netid;
	struct sockaddr_storage	 addr;		/* as bound */
	socklen_t		 len;
};

int	listen_open(char *const *, int, struct listener **);
int	listen_local(const char *, struct listener **, int);
void	listen_register(const struct listener *, int);
void	listen_unregister(void);
void	listen_close(struct listener *, int);

#endif

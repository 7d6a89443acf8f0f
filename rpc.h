/*
 * rpc.h: one ONC RPC call in, its reply out.
 *
 * rpc_serve decodes the call message in buf (len bytes: one UDP datagram
 * or one TCP record, never more), checks its credential, finds the
 * procedure by program, version and number, decodes the argument with
 * rpcgen's routine from drac.x, runs the handler for caller c and encodes
 * the reply in out.  It returns the reply's length, or 0 when the bytes
 * are not a call that RPC answers (then nothing is sent).  out needs
 * RPC_REPLYMAX bytes.
 */
#ifndef RPC_H
#define RPC_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>

/* The longest reply: a version 3 LIST (drac.x), under 1900 bytes. */
#define RPC_REPLYMAX	2048
#define RPC_GROUPS	32	/* a local caller's groups kept */

enum rpc_transport {
	RPC_UDP,
	RPC_TCP,
	RPC_LOCAL	/* the AF_UNIX stream socket: credentials known */
};

/* Who sent a call, as far as the transport can tell. */
struct caller {
	struct sockaddr_storage	 addr;		/* source address */
	enum rpc_transport	 transport;
	int			 forged;	/* UDP: see dgram.c */
	uid_t			 uid;		/* RPC_LOCAL: SO_PEERCRED */
	gid_t			 gid;
	gid_t			 groups[RPC_GROUPS];	/* SO_PEERGROUPS */
	int			 ngroups;
};

size_t	rpc_serve(const void *, size_t, const struct caller *, void *);

#endif

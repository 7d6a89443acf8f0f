/*
 * client.h: the inside of libdrac's handle API (client.c): how proc.c
 * makes a call to dracd, and what dracauth.c's compatible functions use.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <sys/socket.h>

#include <stdint.h>

#include <rpc/rpc.h>

#include "drac.h"

#define CLIENT_MAX_TIMEOUT	3600000	/* ms */
#define CLIENT_MSG_NOTCONN	"Not connected to server"
#define CLIENT_MSG_FAMILY	"Unsupported address family"
#define CLIENT_MSG_NOVERS	"Call to server failed: server does not " \
				"support this protocol version"

/* How a handle finds dracd. */
enum client_lookup {
	CLIENT_ASK_RPCBIND,	/* ask rpcbind when it needs a client */
	CLIENT_REMEMBER		/* first try the address rpcb.c remembers */
};

/* One call to dracd: procedure proc of version vers, arg in, res out. */
struct drac_call {
	rpcvers_t	 vers;
	rpcproc_t	 proc;
	xdrproc_t	 xarg;
	void		*arg;
	xdrproc_t	 xres;
	void		*res;
};

struct drac;

int		 client_msg(int, const char *, char **);
const char	*client_create_msg(enum clnt_stat);
const char	*client_call_msg(enum clnt_stat);
int		 client_default_timeout(void);
struct drac	*client_new(const char *, const char *, int,
		    enum client_lookup, char **);
void		 client_set_timeout(struct drac *, int);
int		 client_connect(struct drac *, rpcvers_t, char **);
int		 client_call(struct drac *, struct drac_call *, char **);

/* An add's version, argument and XDR routine (proc.c). */
struct proc_add {
	rpcvers_t	 vers;
	xdrproc_t	 xarg;
	union {
		drac_add_parm	v1;
		drac_add_parm6	v2;
	}		 arg;
};

/* proc.c: the adds of the compatible functions, and the return
 * convention of dracauth(3) for an addstat (proc3.c's and async.c's too). */
int		 proc_status(int, char **);
int		 proc_add_arg(struct proc_add *, const struct sockaddr *, int);
int		 proc_add_v1(struct drac *, uint32_t, char **);
int		 proc_add_v2(struct drac *, const unsigned char [16], char **);

#endif

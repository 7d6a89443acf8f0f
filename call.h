/*
 * call.h: libdrac's RPC clients and calls, each bounded by a deadline
 * (struct timespec on clock.h's monotonic clock).
 */
#ifndef CALL_H
#define CALL_H

#include <time.h>

#include <netconfig.h>
#include <rpc/rpc.h>

CLIENT		*call_client(const struct netconfig *, struct netbuf *,
		    rpcprog_t, rpcvers_t, const struct timespec *,
		    enum clnt_stat *);
enum clnt_stat	 call_run(CLIENT *, rpcproc_t, xdrproc_t, void *, xdrproc_t,
		    void *, const struct timespec *);

#endif

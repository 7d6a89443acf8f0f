/*
 * call.h: libdrac's RPC clients and calls, each bounded by a deadline
 * (struct timespec on clock.h's monotonic clock), and the messages of its
 * non-blocking calls, encoded into and decoded from buffers.
 */
#ifndef CALL_H
#define CALL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <netconfig.h>
#include <rpc/rpc.h>

CLIENT		*call_client(const struct netconfig *, struct netbuf *,
		    rpcprog_t, rpcvers_t, const struct timespec *,
		    enum clnt_stat *);
enum clnt_stat	 call_run(CLIENT *, rpcproc_t, xdrproc_t, void *, xdrproc_t,
		    void *, const struct timespec *);
size_t		 call_encode(void *, size_t, uint32_t, rpcprog_t, rpcvers_t,
		    rpcproc_t, xdrproc_t, void *);
enum clnt_stat	 call_decode(const void *, size_t, xdrproc_t, void *);

#endif

/*
 * call.c: the RPC clients of libdrac and the one place where it makes an
 * RPC call, both bounded by a deadline.
 *
 * libtirpc's clnt_create() looks the server up and connects with no
 * bound we can set, so libdrac opens its own sockets: call_client()
 * makes a close-on-exec socket, connects a stream socket without
 * blocking past the deadline, and hands the socket to clnt_tli_create(),
 * which owns it from then on (CLSET_FD_CLOSE: clnt_destroy() closes it).
 * call_run() makes one call, its timeout set to what is left of the
 * deadline, and over UDP a retransmission every RETRY_MS.
 *
 * async.c cannot wait in clnt_call(): it sends and reads on a socket of
 * its own, and the messages it sends and reads are made here too, with
 * libtirpc's public XDR routines: call_encode() a call into a buffer,
 * call_decode() a reply from one, its status as clnt_call() would give.
 *
 * Invariants: nothing here waits past the deadline it is given; nothing
 * exits, logs or prints; every client returned owns its socket.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "clock.h"

#define RETRY_MS	1000	/* UDP retransmission interval */

static struct timeval
ms_tv(long long ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	return tv;
}

/* Waits for a non-blocking connect() on fd to finish by end. */
static enum clnt_stat
connect_wait(int fd, const struct timespec *end)
{
	struct pollfd	pfd;
	socklen_t	len;
	int		n, err;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		if ((n = (int)clock_left_ms(end)) <= 0)
			return RPC_TIMEDOUT;
	} while ((n = poll(&pfd, 1, n)) == -1 && errno == EINTR);
	if (n == 0)
		return RPC_TIMEDOUT;
	len = sizeof(err);
	if (n == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0)
		return RPC_CANTSEND;
	return RPC_SUCCESS;
}

/* Connects the stream socket fd to nb by end; fd stays blocking. */
static enum clnt_stat
stream_connect(int fd, const struct netbuf *nb, const struct timespec *end)
{
	enum clnt_stat	st = RPC_SUCCESS;
	int		flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return RPC_SYSTEMERROR;
	if (connect(fd, (struct sockaddr *)nb->buf, nb->len) == -1)
		st = errno == EINPROGRESS ? connect_wait(fd, end) :
		    RPC_CANTSEND;
	if (st == RPC_SUCCESS && fcntl(fd, F_SETFL, flags) == -1)
		st = RPC_SYSTEMERROR;
	return st;
}

/*
 * A client of prog/vers at nb over nc, on a socket of its own, connected
 * by end for a stream transport; NULL with *st set.
 */
CLIENT *
call_client(const struct netconfig *nc, struct netbuf *nb, rpcprog_t prog,
    rpcvers_t vers, const struct timespec *end, enum clnt_stat *st)
{
	CLIENT	*cl;
	int	 fd, stream;

	stream = nc->nc_semantics != NC_TPI_CLTS;
	fd = socket(((struct sockaddr *)nb->buf)->sa_family,
	    (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*st = RPC_SYSTEMERROR;
		return NULL;
	}
	if (stream && (*st = stream_connect(fd, nb, end)) != RPC_SUCCESS) {
		close(fd);
		return NULL;
	}
	if ((cl = clnt_tli_create(fd, nc, nb, prog, vers, 0, 0)) == NULL) {
		*st = rpc_createerr.cf_stat;
		close(fd);
		return NULL;
	}
	clnt_control(cl, CLSET_FD_CLOSE, NULL);
	*st = RPC_SUCCESS;
	return cl;
}

/*
 * Calls procedure proc through cl with the argument arg (encoded by xarg)
 * and decodes the result into res (by xres), by end.  RPC_TIMEDOUT when
 * end has passed or passes meanwhile.
 */
enum clnt_stat
call_run(CLIENT *cl, rpcproc_t proc, xdrproc_t xarg, void *arg,
    xdrproc_t xres, void *res, const struct timespec *end)
{
	struct timeval	tv, rtv;
	long long	ms;

	if ((ms = clock_left_ms(end)) <= 0)
		return RPC_TIMEDOUT;
	tv = ms_tv(ms);
	rtv = ms_tv(ms < RETRY_MS ? ms : RETRY_MS);
	clnt_control(cl, CLSET_TIMEOUT, (char *)&tv);
	/* Only datagram clients retransmit; stream clients refuse this. */
	clnt_control(cl, CLSET_RETRY_TIMEOUT, (char *)&rtv);
	return clnt_call(cl, proc, xarg, arg, xres, res, tv);
}

/*
 * Encodes the call prog/vers/proc with the argument arg (by xarg) and the
 * id xid into buf of size bytes; its length, or 0 when it does not fit.
 */
size_t
call_encode(void *buf, size_t size, uint32_t xid, rpcprog_t prog,
    rpcvers_t vers, rpcproc_t proc, xdrproc_t xarg, void *arg)
{
	struct rpc_msg	 call;
	size_t		 len;
	XDR		 x;

	memset(&call, 0, sizeof(call));
	call.rm_xid = xid;
	call.rm_direction = CALL;
	call.rm_call.cb_rpcvers = RPC_MSG_VERSION;
	call.rm_call.cb_prog = prog;
	call.rm_call.cb_vers = vers;
	call.rm_call.cb_proc = proc;
	call.rm_call.cb_cred = _null_auth;
	call.rm_call.cb_verf = _null_auth;
	xdrmem_create(&x, buf, size, XDR_ENCODE);
	len = xdr_callmsg(&x, &call) && xarg(&x, arg) ? xdr_getpos(&x) : 0;
	xdr_destroy(&x);
	return len;
}

/* The status of the reply r, as clnt_call() returns it. */
static enum clnt_stat
reply_stat(const struct rpc_msg *r)
{
	if (r->rm_reply.rp_stat != MSG_ACCEPTED)
		return r->rjcted_rply.rj_stat == AUTH_ERROR ? RPC_AUTHERROR :
		    RPC_VERSMISMATCH;
	switch (r->acpted_rply.ar_stat) {
	case SUCCESS:
		return RPC_SUCCESS;
	case PROG_UNAVAIL:
		return RPC_PROGUNAVAIL;
	case PROG_MISMATCH:
		return RPC_PROGVERSMISMATCH;
	case PROC_UNAVAIL:
		return RPC_PROCUNAVAIL;
	case GARBAGE_ARGS:
		return RPC_CANTDECODEARGS;
	default:
		return RPC_SYSTEMERROR;
	}
}

/*
 * Decodes the reply of n bytes in buf, its result into res (by xres):
 * RPC_SUCCESS, RPC_CANTDECODERES when it is not a whole reply, else why
 * the call failed.  The caller matches the id (the first 4 bytes).
 */
enum clnt_stat
call_decode(const void *buf, size_t n, xdrproc_t xres, void *res)
{
	char		 verf[MAX_AUTH_BYTES];
	struct rpc_msg	 r;
	enum clnt_stat	 st;
	XDR		 x;

	memset(&r, 0, sizeof(r));
	r.acpted_rply.ar_verf.oa_base = verf;
	r.acpted_rply.ar_results.where = res;
	r.acpted_rply.ar_results.proc = xres;
	xdrmem_create(&x, (char *)buf, n, XDR_DECODE);
	if (!xdr_replymsg(&x, &r) || r.rm_direction != REPLY)
		st = RPC_CANTDECODERES;
	else
		st = reply_stat(&r);
	xdr_destroy(&x);
	return st;
}

/*
 * dgram.c: calls must fit in their datagram.
 *
 * libtirpc's UDP transport decodes each call from a receive buffer of
 * fixed size (its xdrmem stream is never cut to the length received), so
 * a short datagram is completed with whatever the buffer held before:
 * zeros, or the tail of an earlier caller's request.  A truncated add
 * would then store an address nobody sent.  The guard wraps the
 * transport's receive and argument decoding (its xp_ops, a public part of
 * SVCXPRT): receive first learns the datagram's length and drops a call
 * whose header reaches past it, as libtirpc drops one shorter than its
 * first four words; decoding fails, so the caller gets GARBAGE_ARGS, when
 * the arguments reach past it.
 *
 * Invariant: dglen is the length of the datagram of the call in hand;
 * dracd serves one call at a time.
 */
#include <sys/socket.h>

#include "dgram.h"

struct bounded {
	xdrproc_t	 proc;
	void		*args;
};

static const struct xp_ops	*plain;		/* libtirpc's UDP ops */
static struct xp_ops		 guarded;
static size_t			 dglen;

/* Bytes of the call header in m: six words, then two opaque_auth. */
static size_t
header_len(const struct rpc_msg *m)
{
	return 6 * BYTES_PER_XDR_UNIT +
	    2 * BYTES_PER_XDR_UNIT + RNDUP(m->rm_call.cb_cred.oa_length) +
	    2 * BYTES_PER_XDR_UNIT + RNDUP(m->rm_call.cb_verf.oa_length);
}

static bool_t
guarded_recv(SVCXPRT *x, struct rpc_msg *m)
{
	ssize_t	n;

	n = recv(x->xp_fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 || !plain->xp_recv(x, m))
		return FALSE;
	dglen = (size_t)n;
	return header_len(m) <= dglen;
}

/* The argument decoder, failing when it read past the datagram. */
static bool_t
bounded(XDR *xdrs, struct bounded *b)
{
	if (!b->proc(xdrs, b->args))
		return FALSE;
	if (XDR_GETPOS(xdrs) <= dglen)
		return TRUE;
	xdr_free(b->proc, b->args);
	return FALSE;
}

static bool_t
guarded_getargs(SVCXPRT *x, xdrproc_t proc, void *args)
{
	struct bounded	b = { proc, args };

	return plain->xp_getargs(x, (xdrproc_t)bounded, &b);
}

/* Guard the UDP transport x (see dgram.h). */
int
dgram_guard(SVCXPRT *x)
{
	if (plain == NULL) {
		plain = x->xp_ops;
		guarded = *plain;
		guarded.xp_recv = guarded_recv;
		guarded.xp_getargs = guarded_getargs;
	}
	if (x->xp_ops != plain)
		return -1;
	x->xp_ops = &guarded;
	return 0;
}

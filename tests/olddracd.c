/*
 * olddracd: a dracd of before version 3, for tests/t-v3.sh: program
 * 900101 versions 1 and 2 only, through libtirpc's svc, registered with
 * rpcbind for udp and tcp.  Each add is answered ADD_SUCCESS and printed
 * ("v1 a.b.c.d" or "v2 x:y::z") on stdout.  Runs until killed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include <rpc/rpc.h>

#include "drac.h"

static void
dispatch(struct svc_req *rq, SVCXPRT *xp)
{
	drac_add_parm	p1;
	drac_add_parm6	p2;
	addstat		st = ADD_SUCCESS;
	struct in_addr	in;
	char		buf[INET6_ADDRSTRLEN];

	if (rq->rq_proc == NULLPROC) {
		svc_sendreply(xp, (xdrproc_t)xdr_void, NULL);
		return;
	}
	if (rq->rq_vers == DRACVERS && svc_getargs(xp,
	    (xdrproc_t)xdr_drac_add_parm, (char *)&p1)) {
		in.s_addr = htonl((uint32_t)p1.ip_addr);
		printf("v1 %s\n", inet_ntoa(in));
	} else if (rq->rq_vers == DRACVERS6 && svc_getargs(xp,
	    (xdrproc_t)xdr_drac_add_parm6, (char *)&p2))
		printf("v2 %s\n", inet_ntop(AF_INET6, p2.ip_addr6, buf,
		    sizeof(buf)));
	else {
		svcerr_decode(xp);
		return;
	}
	fflush(stdout);
	svc_sendreply(xp, (xdrproc_t)xdr_addstat, (char *)&st);
}

int
main(void)
{
	rpcb_unset(DRACPROG, DRACVERS, NULL);
	rpcb_unset(DRACPROG, DRACVERS6, NULL);
	rpcb_unset(DRACPROG, DRACVERS3, NULL);
	if (!svc_create(dispatch, DRACPROG, DRACVERS, "netpath") ||
	    !svc_create(dispatch, DRACPROG, DRACVERS6, "netpath")) {
		fprintf(stderr, "olddracd: cannot register\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	svc_run();
	return 1;
}

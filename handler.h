/*
 * handler.h: the DRAC procedures behind rpcgen's dispatch functions
 * (dracprog_1 and dracprog_2 in drac_svc.c, registered by dracd).
 *
 * The handlers read the allow list and write to the store that
 * handler_init() hands them; handler_allow() swaps in a new allow list and
 * frees the old one (NULL frees it at exit).  The module owns the list.
 */
#ifndef HANDLER_H
#define HANDLER_H

#include <rpc/rpc.h>

#include "allow.h"
#include "store.h"

void	handler_init(struct store *, const char *);
void	handler_allow(struct allow *);

/* rpcgen's dispatch functions, one per version. */
void	dracprog_1(struct svc_req *, SVCXPRT *);
void	dracprog_2(struct svc_req *, SVCXPRT *);

#endif

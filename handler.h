/*
 * handler.h: the DRAC procedures, called by rpc.c once the call and its
 * argument are decoded.
 *
 * The handlers read the allow list and write to the store that
 * handler_init() hands them; handler_allow() swaps in a new allow list and
 * frees the old one (NULL frees it at exit).  The module owns the list.
 * handler_trusts() asks the list about a TCP peer before anything is read
 * from it.  With tcponly (-P tcp) adds over UDP are refused.
 */
#ifndef HANDLER_H
#define HANDLER_H

#include "allow.h"
#include "drac.h"
#include "rpc.h"
#include "store.h"

void	handler_init(struct store *, const char *, int);
void	handler_allow(struct allow *);
int	handler_trusts(const struct sockaddr *);
addstat	handler_add_v1(const drac_add_parm *, const struct caller *);
addstat	handler_add_v2(const drac_add_parm6 *, const struct caller *);

#endif

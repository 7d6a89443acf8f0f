/*
 * handler.h: the DRAC procedures, called by rpc.c once the call and its
 * argument are decoded.
 *
 * The handlers read the allow list and write to the store that
 * handler_init() hands them; handler_allow() swaps in a new allow list and
 * frees the old one (NULL frees it at exit).  The module owns the list.
 * handler_trusts() asks the list about a TCP peer before anything is read
 * from it.  With tcponly (-P tcp) adds over UDP are refused.
 * handler_init3() sets version 3's TTL cap, administrators' group and
 * the version STATS reports.  The version 3 handlers that return a
 * structure fill *r, pointing into static buffers valid until the next
 * call.
 */
#ifndef HANDLER_H
#define HANDLER_H

#include <sys/types.h>

#include <time.h>

#include "allow.h"
#include "drac.h"
#include "rpc.h"
#include "store.h"

void	handler_init(struct store *, const char *, int);
void	handler_allow(struct allow *);
int	handler_trusts(const struct sockaddr *);
addstat	handler_add_v1(const drac_add_parm *, const struct caller *);
addstat	handler_add_v2(const drac_add_parm6 *, const struct caller *);
void	handler_init3(time_t, gid_t, const char *);
void	handler_add3(const drac_add3_parm *, const struct caller *,
	    drac_add3_res *);
void	handler_addmany(const drac_addmany_parm *, const struct caller *,
	    drac_addmany_res *);
addstat	handler_del(const drac_addr *, const struct caller *);
void	handler_query(const drac_addr *, const struct caller *,
	    drac_query_res *);
void	handler_list(const drac_list_parm *, const struct caller *,
	    drac_list_res *);
void	handler_stats(const struct caller *, drac_stats_res *);

#endif

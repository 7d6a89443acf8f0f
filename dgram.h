/*
 * dgram.h: dracd's guard on libtirpc's UDP transports.
 *
 * dgram_guard() makes a UDP transport (svc_tli_create on "udp" or "udp6")
 * refuse calls that do not fit in the datagram that carried them; 0, or
 * -1 when x is not a transport of the kind the first one guarded was.
 */
#ifndef DGRAM_H
#define DGRAM_H

#include <rpc/rpc.h>

int	dgram_guard(SVCXPRT *);

#endif

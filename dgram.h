/*
 * dgram.h: dracd's UDP transport.
 *
 * dgram_prepare() asks the kernel to report the arrival interface and
 * destination of each datagram on a UDP socket of family af; 0, or -1
 * (logged).  dgram_read() serves the datagrams waiting on such a socket,
 * at most a batch of them, and never blocks.
 */
#ifndef DGRAM_H
#define DGRAM_H

int	dgram_prepare(int, int);
void	dgram_read(int);

#endif

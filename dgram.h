/*
 * dgram.h: dracd's UDP transport.
 *
 * dgram_prepare() readies a bound UDP socket of family af, the first or
 * the second ("outside") of its address's pair (see dgram.c); 0, or -1
 * (logged).  dgram_read() serves the datagrams waiting on such a socket,
 * at most a batch of them, and never blocks.
 */
#ifndef DGRAM_H
#define DGRAM_H

int	dgram_prepare(int, int, int);
void	dgram_read(int, int);

#endif

/*
 * conn.h: dracd's TCP transport: connections, their records and replies,
 * a cap and an idle timeout.
 *
 * conn_init sets the cap and the idle timeout (seconds) and makes sure
 * the descriptor limit leaves room for them (fatal if it cannot).
 * conn_accept takes the connections waiting on a listening socket.  Each
 * round of the event loop: conn_pollfds fills one pollfd per connection
 * (at most the cap) and returns how many; after poll, conn_events serves
 * them; conn_check closes what is idle or stalled.  conn_timeout: msec
 * until conn_check has something to close, -1 for nothing.
 * conn_closeall closes every connection (at exit).
 */
#ifndef CONN_H
#define CONN_H

#include <poll.h>

void	conn_init(int, int);
void	conn_accept(int);
int	conn_pollfds(struct pollfd *);
void	conn_events(const struct pollfd *, int);
void	conn_check(void);
int	conn_timeout(void);
void	conn_closeall(void);

#endif

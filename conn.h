/*
 * conn.h: a cap on dracd's TCP connections and an idle timeout.
 *
 * conn_init sets the cap and the idle timeout (seconds) and makes sure
 * the descriptor limit leaves room for them (fatal if it cannot).
 * conn_listener names a descriptor of dracd's own transports, never a
 * connection.  Around each svc_getreq_poll(): conn_seen with what poll
 * reported, then conn_check, which closes what is over the cap or idle.
 * conn_timeout: msec until conn_check has an idle connection to close,
 * -1 for none.
 */
#ifndef CONN_H
#define CONN_H

#include <poll.h>

void	conn_init(int, int);
void	conn_listener(int);
void	conn_seen(const struct pollfd *, int);
void	conn_check(void);
int	conn_timeout(void);

#endif

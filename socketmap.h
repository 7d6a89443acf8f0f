/*
 * socketmap.h: dracd answers the MTAs' lookups itself, over the
 * socketmap protocol (sendmail's "socket" map, postfix's socketmap:
 * table), from the store's in-memory index, on unix sockets and TCP.
 *
 * socketmap_add records one -S address, unix:PATH or inet:HOST:PORT;
 * -1 with the reason in err when it is neither.  socketmap_open binds
 * them all, as root before privileges are dropped: any failure, or TCP
 * without a reader list, is fatal.  Around each poll: socketmap_pollfds
 * fills at most max entries (never more than socketmap_maxfds) and
 * returns how many; socketmap_events takes the same entries back after
 * poll, serves them, closes idle connections and returns how many of
 * them had events; socketmap_timeout gives the msec until an idle
 * connection is due, -1 for none.  socketmap_reload rereads the reader
 * list (SIGHUP); socketmap_close closes everything and removes the
 * unix sockets.
 */
#ifndef SOCKETMAP_H
#define SOCKETMAP_H

#include <poll.h>
#include <stddef.h>

struct store;

struct socketmap_conf {
	struct store	*store;
	const char	*group;		/* unix sockets' group; NULL: ours */
	const char	*readers;	/* TCP readers' allow file; NULL: none */
	int		 maxconn;	/* open connections */
	int		 idle;		/* seconds without input */
};

int	socketmap_add(const char *, char *, size_t);
int	socketmap_count(void);
void	socketmap_open(const struct socketmap_conf *);
int	socketmap_maxfds(void);
int	socketmap_pollfds(struct pollfd *, int);
int	socketmap_events(const struct pollfd *, int);
int	socketmap_timeout(void);
void	socketmap_reload(void);
void	socketmap_close(void);

#endif

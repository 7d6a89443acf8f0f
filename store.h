/*
 * store.h: the authorizations: the expiry index and the map, kept in step.
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>

#include <time.h>

#include "addr.h"
#include "map.h"

struct store_conf {
	const char	*path;		/* the map file */
	const char	*statedir;	/* its journal and owner lock */
	struct map_format fmt;		/* for a new map (map.h) */
	int		 truncate;	/* empty the map at open */
	time_t		 expire;	/* seconds an add is good for */
	int		 window;	/* group commit window, msec; 0: none */
	size_t		 max;		/* entries; past it new ones fail */
};

/* What store_stats() reports. */
struct store_stats {
	size_t			 entries;	/* in the index */
	size_t			 queued;	/* adds waiting for the map */
	int			 healthy;	/* the map can be written */
	unsigned long long	 commits;
	unsigned long long	 last_commit_us;
	unsigned long long	 expired;
	unsigned long long	 deleted;
};

struct store;

struct store	*store_open(const struct store_conf *);
int		 store_add(struct store *, const struct addr *);
int		 store_add_until(struct store *, const struct addr *, time_t);
int		 store_del(struct store *, const struct addr *);
int		 store_query(const struct store *, const struct addr *,
		    time_t *);
size_t		 store_list(const struct store *, size_t, struct addr *,
		    time_t *, size_t);
void		 store_hold(struct store *);
int		 store_release(struct store *);
void		 store_stats(const struct store *, struct store_stats *);
int		 store_timeout(struct store *);
void		 store_run(struct store *);
int		 store_pollfd(const struct store *);
int		 store_start(struct store *);
size_t		 store_count(const struct store *);
void		 store_format(const struct store *, struct map_format *);
int		 store_chown(struct store *, uid_t, gid_t);
int		 store_close(struct store *);

#endif

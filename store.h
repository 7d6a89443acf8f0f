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

struct store;

struct store	*store_open(const struct store_conf *);
int		 store_add(struct store *, const struct addr *);
int		 store_timeout(struct store *);
void		 store_run(struct store *);
size_t		 store_count(const struct store *);
void		 store_format(const struct store *, struct map_format *);
int		 store_chown(struct store *, uid_t, gid_t);
int		 store_close(struct store *);

#endif

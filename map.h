/*
 * map.h: the relay map, a Berkeley DB file the MTAs read as an access map.
 * Changes: map_begin(), map_put() and map_del(), map_commit() or
 * map_abort().
 */
#ifndef MAP_H
#define MAP_H

#include <sys/types.h>

#include <time.h>

#include "addr.h"

enum map_type {
	MAP_HASH,
	MAP_BTREE
};

struct map;

struct map	*map_open(const char *, const char *, enum map_type, int, int);
int		 map_scan(struct map *,
		    int (*)(const struct addr *, time_t, void *), void *);
int		 map_begin(struct map *);
int		 map_put(struct map *, const struct addr *, time_t);
int		 map_del(struct map *, const struct addr *);
int		 map_fresh(const struct map *);
int		 map_commit(struct map *);
void		 map_abort(struct map *);
int		 map_close(struct map *);
int		 map_chown(struct map *, uid_t, gid_t);
void		 map_claim(struct map *);

#endif

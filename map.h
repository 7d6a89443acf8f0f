/*
 * map.h: the relay map, a Berkeley DB file the MTAs read as an access map.
 * Changes: map_begin(), map_put() and map_del(), map_commit() or
 * map_abort(); between them, map_checkpoint() once map_checkpoint_due().
 */
#ifndef MAP_H
#define MAP_H

#include <sys/types.h>

#include <stdio.h>

#include <time.h>

#include "addr.h"
#include "key.h"

enum map_type {
	MAP_UNSET,
	MAP_HASH,
	MAP_BTREE
};

/*
 * A map's format: its type and key convention.  In what the options ask
 * for, MAP_UNSET and -1 mean "not chosen"; an existing map's own format
 * always wins.
 */
struct map_format {
	enum map_type	type;
	int		nul;	/* keys and values end in NUL */
	int		cidr;	/* keys end in /32 or /128 */
};

struct map;

struct map	*map_open(const char *, const char *, const struct map_format *,
		    int);
void		 map_get_format(const struct map *, struct map_format *);
int		 map_check(const char *, const struct map_format *, FILE *);
const char	*map_type_name(enum map_type);
int		 map_scan(struct map *,
		    int (*)(const struct addr *, time_t, void *), void *);
int		 map_begin(struct map *);
int		 map_put(struct map *, const struct addr *, time_t);
int		 map_del(struct map *, const struct addr *);
int		 map_fresh(const struct map *);
int		 map_commit(struct map *);
void		 map_abort(struct map *);
long long	 map_checkpoint_due(struct map *);
int		 map_checkpoint(struct map *);
int		 map_close(struct map *);
int		 map_chown(struct map *, uid_t, gid_t);
void		 map_claim(struct map *);

#endif

/*
 * expire.h: the expiry index, every address in the map with its expiry
 * time, ordered by that time, so that expiry never scans the map.
 */
#ifndef EXPIRE_H
#define EXPIRE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"

struct expire;

struct expire	*expire_new(void);
int		 expire_set(struct expire *, const struct addr *, time_t);
int		 expire_get(const struct expire *, const struct addr *,
		    time_t *);
int		 expire_first(const struct expire *, struct addr *, time_t *);
int		 expire_bulk(struct expire *, int);
int		 expire_each(const struct expire *,
		    int (*)(const struct addr *, time_t, void *), void *);
void		 expire_remove(struct expire *, const struct addr *);
size_t		 expire_count(const struct expire *);
void		 expire_free(struct expire *);

#endif

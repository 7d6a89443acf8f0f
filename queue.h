/*
 * queue.h: the addresses waiting to be written to the map, each once
 * (queue.c).
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>

#include "addr.h"

struct queue;

struct queue		*queue_new(size_t);
int			 queue_add(struct queue *, const struct addr *);
size_t			 queue_len(const struct queue *);
const struct addr	*queue_at(const struct queue *, size_t);
void			 queue_clear(struct queue *);
void			 queue_free(struct queue *);

#endif

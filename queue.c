/*
 * queue.c: the addresses waiting to be written to the map (store.c's
 * group commit, and what is held while the map cannot be written).
 *
 * Each address is queued once, however often it is added before the
 * next write: the map gets the time the expiry index holds when it is
 * written, so a second slot would say nothing more, and an address added
 * again and again while the map fails must not fill the queue.  The
 * addresses sit in an array in the order first queued, found through an
 * open-addressing table of their indices + 1 (0: empty), at most half
 * full, hashed with a random seed so that no caller can choose addresses
 * that collide.  At most max addresses are held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

struct queue {
	struct addr	*ad;
	size_t		 n, cap, max;
	uint32_t	*slot;
	size_t		 nslot;		/* a power of two, >= 2 * cap */
	uint64_t	 seed;
};

/* A new, empty queue of at most max addresses, or NULL (errno). */
struct queue *
queue_new(size_t max)
{
	struct queue	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->max = max;
	q->seed = (uint64_t)arc4random() << 32 | arc4random();
	return q;
}

/* The slot that holds ad, or the empty one where it would go. */
static size_t
find(const struct queue *q, const struct addr *ad)
{
	size_t	i, mask = q->nslot - 1;

	for (i = addr_hash(ad, q->seed) & mask; q->slot[i] != 0;
	    i = (i + 1) & mask)
		if (memcmp(&q->ad[q->slot[i] - 1], ad, sizeof(*ad)) == 0)
			break;
	return i;
}

/* Make room for twice as many addresses; 0, or -1 (full, or no memory). */
static int
grow(struct queue *q)
{
	struct addr	*na;
	uint32_t	*ns;
	size_t		 ncap = q->cap ? q->cap * 2 : 64, i;

	if (ncap > q->max)
		ncap = q->max;
	if (ncap <= q->cap)
		return -1;
	if ((na = reallocarray(q->ad, ncap, sizeof(*na))) == NULL)
		return -1;
	q->ad = na;
	if ((ns = calloc(ncap * 2, sizeof(*ns))) == NULL)
		return -1;
	free(q->slot);
	q->slot = ns;
	q->nslot = ncap * 2;
	for (i = 0; i < q->n; i++)
		q->slot[find(q, &q->ad[i])] = i + 1;
	q->cap = ncap;
	return 0;
}

/* Queue ad unless it is queued; 0, or -1 when the queue is full. */
int
queue_add(struct queue *q, const struct addr *ad)
{
	size_t	i;

	if (q->nslot > 0 && q->slot[find(q, ad)] != 0)
		return 0;
	if (q->n == q->cap && grow(q) == -1)
		return -1;
	i = find(q, ad);
	q->ad[q->n++] = *ad;
	q->slot[i] = q->n;
	return 0;
}

/* How many addresses are queued. */
size_t
queue_len(const struct queue *q)
{
	return q->n;
}

/* The i-th address queued (i < queue_len()). */
const struct addr *
queue_at(const struct queue *q, size_t i)
{
	return &q->ad[i];
}

/* Empty the queue; its memory is kept for the next adds. */
void
queue_clear(struct queue *q)
{
	/*
	 * Latest first: every slot on the probe path of the address being
	 * cleared then still holds the older one that made it probe on.
	 */
	while (q->n > 0) {
		q->slot[find(q, &q->ad[q->n - 1])] = 0;
		q->n--;
	}
}

/* Free the queue. */
void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	free(q->ad);
	free(q->slot);
	free(q);
}

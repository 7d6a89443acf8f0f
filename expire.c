/*
 * expire.c: the expiry index.
 *
 * A hash table of entries (32 bytes each, in one array, linked by 32-bit
 * indices) threaded on a doubly linked list kept in order of expiry time.
 * Every add sets its entry to now + expire, which is almost always the
 * latest time of all, so an update is a move to the tail: O(1).  The
 * earliest expiry is the head.  Times are held as unsigned 32-bit seconds
 * (enough until 2106).
 *
 * Invariants: the list holds every live entry, each entry's time is >= its
 * predecessor's; free entries are chained through hnext from freelist.
 */
#include <stdlib.h>
#include <string.h>

#include "expire.h"

#define NIL	UINT32_MAX

struct entry {
	struct addr	addr;
	uint32_t	when;
	uint32_t	prev, next;	/* expiry order */
	uint32_t	hnext;		/* hash chain or free list */
};

struct expire {
	struct entry	*ent;
	uint32_t	 nent, cap;	/* used slots, allocated slots */
	uint32_t	*bucket;
	uint32_t	 nbucket;	/* a power of two */
	uint32_t	 count;
	uint32_t	 head, tail, freelist;
	uint64_t	 seed;
};

static uint32_t
hash(const struct expire *ex, const struct addr *ad)
{
	uint64_t	h = ex->seed, w;
	int		i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, ad->a + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return (uint32_t)(h >> 32) & (ex->nbucket - 1);
}

/* A new, empty index, or NULL when out of memory. */
struct expire *
expire_new(void)
{
	struct expire	*ex;

	if ((ex = calloc(1, sizeof(*ex))) == NULL)
		return NULL;
	ex->nbucket = 1024;
	if ((ex->bucket = malloc(ex->nbucket * sizeof(uint32_t))) == NULL) {
		free(ex);
		return NULL;
	}
	memset(ex->bucket, 0xff, ex->nbucket * sizeof(uint32_t));
	ex->head = ex->tail = ex->freelist = NIL;
	ex->seed = (uint64_t)arc4random() << 32 | arc4random();
	return ex;
}

static uint32_t
lookup(const struct expire *ex, const struct addr *ad)
{
	uint32_t	i;

	for (i = ex->bucket[hash(ex, ad)]; i != NIL; i = ex->ent[i].hnext)
		if (memcmp(&ex->ent[i].addr, ad, sizeof(*ad)) == 0)
			return i;
	return NIL;
}

static int
rehash(struct expire *ex)
{
	uint32_t	*nb, n = ex->nbucket * 2, i, j, h;

	if ((nb = malloc((size_t)n * sizeof(uint32_t))) == NULL)
		return -1;
	free(ex->bucket);
	ex->bucket = nb;
	ex->nbucket = n;
	memset(nb, 0xff, (size_t)n * sizeof(uint32_t));
	for (i = ex->head; i != NIL; i = ex->ent[i].next) {
		h = hash(ex, &ex->ent[i].addr);
		j = nb[h];
		ex->ent[i].hnext = j;
		nb[h] = i;
	}
	return 0;
}

static uint32_t
alloc_entry(struct expire *ex)
{
	struct entry	*ne;
	uint32_t	 i, ncap;

	if ((i = ex->freelist) != NIL) {
		ex->freelist = ex->ent[i].hnext;
		return i;
	}
	if (ex->nent == ex->cap) {
		ncap = ex->cap ? ex->cap * 2 : 1024;
		if (ncap >= NIL ||
		    (ne = reallocarray(ex->ent, ncap, sizeof(*ne))) == NULL)
			return NIL;
		ex->ent = ne;
		ex->cap = ncap;
	}
	return ex->nent++;
}

static void
unlink_order(struct expire *ex, uint32_t i)
{
	struct entry	*e = &ex->ent[i];

	if (e->prev != NIL)
		ex->ent[e->prev].next = e->next;
	else
		ex->head = e->next;
	if (e->next != NIL)
		ex->ent[e->next].prev = e->prev;
	else
		ex->tail = e->prev;
}

/* Insert entry i in expiry order, searching back from the tail. */
static void
link_order(struct expire *ex, uint32_t i)
{
	struct entry	*e = &ex->ent[i];
	uint32_t	 p = ex->tail;

	while (p != NIL && ex->ent[p].when > e->when)
		p = ex->ent[p].prev;
	e->prev = p;
	e->next = p != NIL ? ex->ent[p].next : ex->head;
	if (p != NIL)
		ex->ent[p].next = i;
	else
		ex->head = i;
	if (e->next != NIL)
		ex->ent[e->next].prev = i;
	else
		ex->tail = i;
}

static uint32_t
clamp(time_t when)
{
	if (when < 0)
		return 0;
	if ((unsigned long long)when >= UINT32_MAX)
		return UINT32_MAX - 1;
	return (uint32_t)when;
}

/* Set the expiry time of ad, adding it if new; -1 when out of memory. */
int
expire_set(struct expire *ex, const struct addr *ad, time_t when)
{
	uint32_t	i, h;

	if ((i = lookup(ex, ad)) != NIL) {
		unlink_order(ex, i);
	} else {
		if (ex->count >= ex->nbucket && rehash(ex) == -1)
			return -1;
		if ((i = alloc_entry(ex)) == NIL)
			return -1;
		ex->ent[i].addr = *ad;
		h = hash(ex, ad);
		ex->ent[i].hnext = ex->bucket[h];
		ex->bucket[h] = i;
		ex->count++;
	}
	ex->ent[i].when = clamp(when);
	link_order(ex, i);
	return 0;
}

/* The expiry time of ad in *when; 0 when found, -1 when not. */
int
expire_get(const struct expire *ex, const struct addr *ad, time_t *when)
{
	uint32_t	i;

	if ((i = lookup(ex, ad)) == NIL)
		return -1;
	*when = ex->ent[i].when;
	return 0;
}

/* The entry that expires first; 0 when there is one, -1 when empty. */
int
expire_first(const struct expire *ex, struct addr *ad, time_t *when)
{
	if (ex->head == NIL)
		return -1;
	*ad = ex->ent[ex->head].addr;
	*when = ex->ent[ex->head].when;
	return 0;
}

/* Remove ad from the index, if it is there. */
void
expire_remove(struct expire *ex, const struct addr *ad)
{
	uint32_t	*pp, i;

	pp = &ex->bucket[hash(ex, ad)];
	while ((i = *pp) != NIL &&
	    memcmp(&ex->ent[i].addr, ad, sizeof(*ad)) != 0)
		pp = &ex->ent[i].hnext;
	if (i == NIL)
		return;
	*pp = ex->ent[i].hnext;
	unlink_order(ex, i);
	ex->ent[i].hnext = ex->freelist;
	ex->freelist = i;
	ex->count--;
}

/* How many addresses the index holds. */
size_t
expire_count(const struct expire *ex)
{
	return ex->count;
}

/* Free the index. */
void
expire_free(struct expire *ex)
{
	if (ex == NULL)
		return;
	free(ex->ent);
	free(ex->bucket);
	free(ex);
}

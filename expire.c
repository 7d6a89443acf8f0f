/*
 * expire.c: the expiry index.
 *
 * A hash table of entries (40 bytes each, in one array, linked by 32-bit
 * indices) threaded on a doubly linked list kept in order of expiry time.
 * Every add sets its entry to now + expire, which is almost always the
 * latest time of all, so an update is a move to the tail: O(1).  When it
 * is not (dracd restarted with a shorter expiry, the clock stepped back),
 * the search starts from the entry placed last, where the previous add of
 * the same kind went.  The earliest expiry is the head.  Times are held
 * whole, 64-bit seconds since the epoch, as time_t: an add after 2106
 * expires when it should, not at once.
 *
 * A map read at start holds its times in no useful order: between
 * expire_bulk(ex, 1) and expire_bulk(ex, 0) entries are appended as they
 * come and then sorted once (a radix sort), where inserting each in order
 * would cost O(n) apiece.
 *
 * Invariants: outside bulk mode the list holds every live entry, each
 * entry's time is >= its predecessor's; hint is NIL or a live entry; free
 * entries are chained through hnext from freelist.
 */
#include <stdlib.h>
#include <string.h>

#include "expire.h"

#define NIL	UINT32_MAX

struct entry {
	struct addr	addr;
	int64_t		when;
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
	uint32_t	 hint;		/* the entry placed last */
	int		 bulk;		/* appending unordered */
	uint64_t	 seed;
};

static uint32_t
hash(const struct expire *ex, const struct addr *ad)
{
	return (uint32_t)addr_hash(ad, ex->seed) & (ex->nbucket - 1);
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
	ex->head = ex->tail = ex->freelist = ex->hint = NIL;
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

	if (ex->hint == i)
		ex->hint = e->prev;
	if (e->prev != NIL)
		ex->ent[e->prev].next = e->next;
	else
		ex->head = e->next;
	if (e->next != NIL)
		ex->ent[e->next].prev = e->prev;
	else
		ex->tail = e->prev;
}

/*
 * Insert entry i in expiry order: after the tail when it expires last (or
 * in bulk mode), else searching forward from the hint when that expires no
 * later, else back from the tail.
 */
static void
link_order(struct expire *ex, uint32_t i)
{
	struct entry	*e = &ex->ent[i];
	uint32_t	 p = ex->tail, n;

	if (!ex->bulk && p != NIL && ex->ent[p].when > e->when) {
		if (ex->hint != NIL && ex->ent[ex->hint].when <= e->when) {
			p = ex->hint;
			while ((n = ex->ent[p].next) != NIL &&
			    ex->ent[n].when <= e->when)
				p = n;
		} else
			while (p != NIL && ex->ent[p].when > e->when)
				p = ex->ent[p].prev;
	}
	ex->hint = i;
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
	ex->ent[i].when = when;
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

/* Relink the entries of list in the order of the indices in a. */
static void
relink(struct expire *ex, const uint32_t *a, uint32_t n)
{
	uint32_t	k;

	ex->head = ex->tail = ex->hint = NIL;
	for (k = 0; k < n; k++) {
		ex->ent[a[k]].prev = ex->tail;
		ex->ent[a[k]].next = NIL;
		if (ex->tail != NIL)
			ex->ent[ex->tail].next = a[k];
		else
			ex->head = a[k];
		ex->tail = a[k];
	}
}

/* The key entry i is sorted by: its time as an offset from lo. */
static uint64_t
span(const struct expire *ex, uint32_t i, int64_t lo)
{
	return (uint64_t)ex->ent[i].when - (uint64_t)lo;
}

/*
 * Sort the list by expiry time: a stable LSD radix sort of the entries'
 * indices, one byte of (when - earliest) per pass, as many passes as the
 * span of times needs.  Returns 0, or -1 when out of memory.
 */
static int
sort_order(struct expire *ex)
{
	uint32_t	*a, *b, *t, cnt[257], i, k, n = 0;
	int64_t		 lo = INT64_MAX, hi = INT64_MIN;
	uint64_t	 range;
	int		 shift;

	if (ex->count == 0)
		return 0;
	a = reallocarray(NULL, ex->count, sizeof(*a));
	b = reallocarray(NULL, ex->count, sizeof(*b));
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return -1;
	}
	for (i = ex->head; i != NIL; i = ex->ent[i].next) {
		a[n++] = i;
		lo = ex->ent[i].when < lo ? ex->ent[i].when : lo;
		hi = ex->ent[i].when > hi ? ex->ent[i].when : hi;
	}
	range = (uint64_t)hi - (uint64_t)lo;
	for (shift = 0; shift < 64 && range >> shift != 0; shift += 8) {
		memset(cnt, 0, sizeof(cnt));
		for (k = 0; k < n; k++)
			cnt[(span(ex, a[k], lo) >> shift & 255) + 1]++;
		for (k = 1; k < 257; k++)
			cnt[k] += cnt[k - 1];
		for (k = 0; k < n; k++)
			b[cnt[span(ex, a[k], lo) >> shift & 255]++] = a[k];
		t = a;
		a = b;
		b = t;
	}
	relink(ex, a, n);
	free(a);
	free(b);
	return 0;
}

/*
 * Start (on) or end a bulk load: in between, expire_set() appends without
 * ordering; the end sorts the list.  Returns 0, or -1 when out of memory
 * for the sort (the index stays in bulk mode).
 */
int
expire_bulk(struct expire *ex, int on)
{
	if (on || !ex->bulk) {
		ex->bulk = on;
		return 0;
	}
	if (sort_order(ex) == -1)
		return -1;
	ex->bulk = 0;
	return 0;
}

/*
 * Call fn for every entry, in order of expiry, until it returns -1.
 * Returns 0, or -1 when fn did.
 */
int
expire_each(const struct expire *ex,
    int (*fn)(const struct addr *, time_t, void *), void *arg)
{
	uint32_t	i;

	for (i = ex->head; i != NIL; i = ex->ent[i].next)
		if (fn(&ex->ent[i].addr, ex->ent[i].when, arg) == -1)
			return -1;
	return 0;
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

/*
 * expiretest: unit tests of the expiry index (tests/t-expire.sh).  It
 * includes expire.c itself, to look at the hash chains.
 *
 *	expiretest hash		a /16 of IPv4 spreads over the buckets
 *	expiretest bulk		a bulk load comes out sorted, ties in order
 *	expiretest model	random sets and removes against a plain array
 *	expiretest time64	times past 2106 kept whole, in order, also
 *				through a bulk load
 *
 * Exit status 0 when the case holds; otherwise a line on stderr says why.
 */
#include <stdio.h>

#include "expire.c"
#include "queue.c"

#define NMODEL	2000

static int
fail(const char *why)
{
	fprintf(stderr, "%s\n", why);
	return 1;
}

/* The longest hash chain. */
static uint32_t
longest(const struct expire *ex)
{
	uint32_t	b, i, n, max = 0;

	for (b = 0; b < ex->nbucket; b++) {
		for (n = 0, i = ex->bucket[b]; i != NIL; i = ex->ent[i].hnext)
			n++;
		if (n > max)
			max = n;
	}
	return max;
}

/* 10.1.0.0/16: the last octets must reach the bucket bits too. */
static int
t_hash(void)
{
	struct expire	*ex;
	struct addr	 ad;
	uint32_t	 i, max;

	if ((ex = expire_new()) == NULL)
		return fail("expire_new");
	for (i = 0; i < 65536; i++) {
		addr_from_v4(&ad, 0x0a010000 | i);
		if (expire_set(ex, &ad, 1000) == -1)
			return fail("expire_set");
	}
	max = longest(ex);
	expire_free(ex);
	if (max > 16) {
		fprintf(stderr, "longest chain %u for 65536 entries\n", max);
		return 1;
	}
	return 0;
}

/* The longest run of taken slots of q, where a probe may have to walk. */
static size_t
longest_run(const struct queue *q)
{
	size_t	i, n = 0, max = 0;

	for (i = 0; i < 2 * q->nslot; i++) {
		n = q->slot[i & (q->nslot - 1)] != 0 ? n + 1 : 0;
		if (n > max)
			max = n;
	}
	return max;
}

/* 10.1.0.0/17 in the queue: a half-full table, no long run. */
static int
t_queue(void)
{
	struct queue	*q;
	struct addr	 ad;
	uint32_t	 i;
	size_t		 max;

	if ((q = queue_new(32768)) == NULL)
		return fail("queue_new");
	for (i = 0; i < 32768; i++) {
		addr_from_v4(&ad, 0x0a010000 | i);
		if (queue_add(q, &ad) == -1)
			return fail("queue_add");
	}
	max = longest_run(q);
	queue_free(q);
	if (max > 64) {
		fprintf(stderr, "longest probe run %zu for 32768 of "
		    "65536 slots\n", max);
		return 1;
	}
	return 0;
}

/*
 * Drain ex; -1 unless it held want entries, times never go back and, with
 * ties, equal times come out in order of address (as they went in).
 */
static int
drain(struct expire *ex, size_t want, int ties)
{
	struct addr	ad;
	time_t		when, prev = 0;
	uint32_t	last = 0, v;
	size_t		n = 0;

	while (expire_first(ex, &ad, &when) == 0) {
		v = (uint32_t)ad.a[12] << 24 | ad.a[13] << 16 |
		    ad.a[14] << 8 | ad.a[15];
		if ((n > 0 && when < prev) ||
		    (ties && when == prev && n > 0 && v < last))
			return -1;
		prev = when;
		last = v;
		expire_remove(ex, &ad);
		n++;
	}
	return n == want && expire_count(ex) == 0 ? 0 : -1;
}

/* A bulk load in scrambled time order, then adds earlier than its tail. */
static int
t_bulk(void)
{
	struct expire	*ex;
	struct addr	 ad;
	uint32_t	 i;

	if ((ex = expire_new()) == NULL)
		return fail("expire_new");
	expire_bulk(ex, 1);
	for (i = 0; i < 100000; i++) {
		addr_from_v4(&ad, 0x0a000000 | i);
		if (expire_set(ex, &ad, 1000000 + (i * 2654435761u) % 70000)
		    == -1)
			return fail("expire_set");
	}
	if (expire_bulk(ex, 0) == -1)
		return fail("expire_bulk");
	for (i = 0; i < 20000; i++) {
		addr_from_v4(&ad, 0x0b000000 | i);
		if (expire_set(ex, &ad, 1000000 + 600 + i / 100) == -1)
			return fail("expire_set");
	}
	if (drain(ex, 120000, 1) == -1)
		return fail("not drained in order of time");
	expire_free(ex);
	return 0;
}

/* The model's entry that expires first (ties: lowest address); -1. */
static int
model_first(const time_t *m)
{
	int	i, f = -1;

	for (i = 0; i < NMODEL; i++)
		if (m[i] >= 0 && (f == -1 || m[i] < m[f]))
			f = i;
	return f;
}

static int
check_first(const struct expire *ex, const time_t *m)
{
	struct addr	ad;
	time_t		when;
	int		f = model_first(m);

	if (f == -1)
		return expire_first(ex, &ad, &when) == -1 ? 0 : -1;
	if (expire_first(ex, &ad, &when) == -1 || when != m[f])
		return -1;
	return 0;
}

/* Random sets (times going back and forth) and removes. */
static int
t_model(void)
{
	struct expire	*ex;
	struct addr	 ad;
	time_t		 m[NMODEL];
	uint64_t	 r = 88172645463325252ULL;
	int		 i, k;

	if ((ex = expire_new()) == NULL)
		return fail("expire_new");
	for (i = 0; i < NMODEL; i++)
		m[i] = -1;
	for (k = 0; k < 200000; k++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		i = (int)(r % NMODEL);
		addr_from_v4(&ad, 0x0a000000 | i);
		if ((r >> 32) % 4 == 0) {
			expire_remove(ex, &ad);
			m[i] = -1;
		} else {
			m[i] = 5000 + k / 10 - (time_t)((r >> 40) % 600);
			if (expire_set(ex, &ad, m[i]) == -1)
				return fail("expire_set");
		}
		if (k % 97 == 0 && check_first(ex, m) == -1)
			return fail("first entry differs from the model");
	}
	for (k = 0, i = 0; i < NMODEL; i++)
		k += m[i] >= 0;
	if (drain(ex, (size_t)k, 0) == -1)
		return fail("not drained in order of time");
	expire_free(ex);
	return 0;
}

/*
 * Times past 2^32 (2106) and before the epoch: kept whole, in order, by
 * inserts and by a bulk load whose span needs more than 32 bits.
 */
static int
t_time64(void)
{
	static const time_t	 t[] = {
		(time_t)1 << 32, ((time_t)1 << 32) + 1800, 4102444800,
		(time_t)1 << 40, 1764547200, -86400, ((time_t)1 << 33) + 7
	};
	struct expire		*ex;
	struct addr		 ad;
	time_t			 when;
	size_t			 i, n = sizeof(t) / sizeof(t[0]);
	int			 bulk;

	for (bulk = 0; bulk < 2; bulk++) {
		if ((ex = expire_new()) == NULL)
			return fail("expire_new");
		expire_bulk(ex, bulk);
		for (i = 0; i < n; i++) {
			addr_from_v4(&ad, 0x0a000000 | (uint32_t)i);
			if (expire_set(ex, &ad, t[i]) == -1)
				return fail("expire_set");
		}
		if (expire_bulk(ex, 0) == -1)
			return fail("expire_bulk");
		for (i = 0; i < n; i++) {
			addr_from_v4(&ad, 0x0a000000 | (uint32_t)i);
			if (expire_get(ex, &ad, &when) == -1 || when != t[i])
				return fail("a time was not kept whole");
		}
		if (expire_first(ex, &ad, &when) == -1 || when != -86400)
			return fail("not the earliest first");
		if (drain(ex, n, 0) == -1)
			return fail("not drained in order of time");
		expire_free(ex);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc != 2)
		return fail("usage: expiretest hash|queue|bulk|model|time64");
	if (strcmp(argv[1], "hash") == 0)
		return t_hash();
	if (strcmp(argv[1], "queue") == 0)
		return t_queue();
	if (strcmp(argv[1], "bulk") == 0)
		return t_bulk();
	if (strcmp(argv[1], "model") == 0)
		return t_model();
	if (strcmp(argv[1], "time64") == 0)
		return t_time64();
	return fail("no such case");
}

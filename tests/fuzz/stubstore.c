/*
 * stubstore.c: store_add() for fuzz-rpc, linked in place of store.c, so
 * that the real handlers run up to the store and no further.
 *
 * Every caller in the harness is on loopback, so an address that reaches
 * the store must pass the input rules for a loopback caller, and each of
 * its map keys must parse back to the same address.  The store fails, as
 * on a full disk, for the addresses stub_fails() names.
 */
#include <string.h>

#include "addr.h"
#include "key.h"
#include "store.h"
#include "fuzz.h"

struct store {
	unsigned long	adds;
};

static struct store	stub;

/* The one store of the harness. */
struct store *
stub_store(void)
{
	return &stub;
}

/* How many adds the stub store took. */
unsigned long
stub_adds(void)
{
	return stub.adds;
}

/* 1 for the addresses the stub store fails to store: last byte 0xee. */
int
stub_fails(const struct addr *ad)
{
	return ad->a[15] == 0xee;
}

/* Check ad as described above and count it; 0, or -1 if it fails. */
int
store_add(struct store *s, const struct addr *ad)
{
	static const struct keyconv	convs[] = {
		{ 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },
	};
	struct addr	lo, back;
	struct keyconv	conv;
	struct key	keys[KEY_MAX];
	size_t		c;
	int		i, n;

	CHECK(s == &stub);
	addr_from_v4(&lo, 0x7f000001);
	CHECK(addr_refuse(ad, &lo) == NULL);
	for (c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
		n = key_make(ad, &convs[c], keys);
		CHECK(n >= 1 && n <= KEY_MAX);
		for (i = 0; i < n; i++) {
			CHECK(key_parse(keys[i].b, keys[i].len, &back,
			    &conv) == 0);
			CHECK(memcmp(&back, ad, sizeof(back)) == 0);
			CHECK(conv.nul == convs[c].nul &&
			    conv.cidr == convs[c].cidr);
		}
	}
	if (stub_fails(ad))
		return -1;
	s->adds++;
	return 0;
}

/* Version 3's add with a time: as store_add(). */
int
store_add_until(struct store *s, const struct addr *ad, time_t when)
{
	CHECK(when > 0);
	return store_add(s, ad);
}

/* The stub keeps nothing: no address is authorized. */
int
store_query(const struct store *s, const struct addr *ad, time_t *when)
{
	(void)s;
	(void)ad;
	*when = 0;
	return -1;
}

void
store_hold(struct store *s)
{
	CHECK(s == &stub);
}

int
store_release(struct store *s)
{
	CHECK(s == &stub);
	return 0;
}

/* DEL, LIST and STATS never reach the store from the harness's callers. */
int
store_del(struct store *s, const struct addr *ad)
{
	(void)s;
	(void)ad;
	CHECK(0);
	return -1;
}

size_t
store_count(const struct store *s)
{
	(void)s;
	CHECK(0);
	return 0;
}

size_t
store_list(const struct store *s, size_t from, struct addr *ad,
    time_t *when, size_t max)
{
	(void)s;
	(void)from;
	(void)ad;
	(void)when;
	(void)max;
	CHECK(0);
	return 0;
}

void
store_stats(const struct store *s, struct store_stats *st)
{
	(void)s;
	memset(st, 0, sizeof(*st));
	CHECK(0);
}

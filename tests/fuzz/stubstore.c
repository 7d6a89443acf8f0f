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
	struct addr	lo, back;
	char		keys[ADDR_MAXKEYS][ADDR_KEYLEN];
	int		i, n;

	CHECK(s == &stub);
	addr_from_v4(&lo, 0x7f000001);
	CHECK(addr_refuse(ad, &lo) == NULL);
	n = addr_keys(ad, keys);
	CHECK(n >= 1 && n <= ADDR_MAXKEYS);
	for (i = 0; i < n; i++) {
		CHECK(addr_from_key(&back, keys[i], strlen(keys[i])) == 0);
		CHECK(memcmp(&back, ad, sizeof(back)) == 0);
	}
	if (stub_fails(ad))
		return -1;
	s->adds++;
	return 0;
}

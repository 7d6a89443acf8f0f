/*
 * fuzz_key.c: the map key parser key_parse() on any bytes, as dracd reads
 * keys from an existing map at start.
 *
 * A key it accepts is shorter than KEY_LEN and names an address whose
 * own keys under every convention (key_make) parse back to the same
 * address and convention, are canonical under it, and whose text
 * (addr_text, the same as inet_ntop's) parses back too.  The key itself
 * is canonical under the convention it was read in exactly when it is
 * one of key_make's.  Whatever the bytes, their first eight as a time
 * give the value printf would (key_value).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "key.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
roundtrip(const struct addr *ad, const struct keyconv *c)
{
	struct key	keys[KEY_MAX];
	struct keyconv	back_conv;
	struct addr	back;
	int		i, n;

	n = key_make(ad, c, keys);
	CHECK(n == (addr_is_v4(ad) ? 1 : 2));
	for (i = 0; i < n; i++) {
		CHECK(keys[i].len < KEY_LEN);
		CHECK(key_parse(keys[i].b, keys[i].len, &back, &back_conv) == 0);
		CHECK(memcmp(&back, ad, sizeof(back)) == 0);
		CHECK(back_conv.nul == c->nul && back_conv.cidr == c->cidr);
		CHECK(key_is_canonical(keys[i].b, keys[i].len, ad, c));
	}
}

/* key_value() of the time in the first 8 bytes, against printf. */
static void
value(const uint8_t *data, size_t size)
{
	static const struct keyconv	nul = { 1, 0 };
	char				v[KEY_VALLEN], ref[KEY_VALLEN];
	int64_t				t;

	if (size < sizeof(t))
		return;
	memcpy(&t, data, sizeof(t));
	snprintf(ref, sizeof(ref), "%lld", (long long)t);
	CHECK(key_value((time_t)t, &nul, v) == strlen(ref) + 1);
	CHECK(strcmp(v, ref) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct keyconv	convs[] = {
		{ 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },
	};
	struct addr	ad, back;
	struct keyconv	conv;
	char		text[INET6_ADDRSTRLEN], ref[INET6_ADDRSTRLEN];
	size_t		i;

	value(data, size);
	if (key_parse(data, size, &ad, &conv) == -1)
		return 0;
	CHECK(size > 0 && size < KEY_LEN);
	for (i = 0; i < sizeof(convs) / sizeof(convs[0]); i++)
		roundtrip(&ad, &convs[i]);
	CHECK(addr_text(&ad, text, sizeof(text)) != NULL);
	CHECK(strcmp(text, addr_is_v4(&ad) ? inet_ntop(AF_INET, ad.a + 12,
	    ref, sizeof(ref)) : inet_ntop(AF_INET6, ad.a, ref,
	    sizeof(ref))) == 0);
	CHECK(addr_from_text(&back, text) == 0);
	CHECK(memcmp(&back, &ad, sizeof(ad)) == 0);
	return 0;
}

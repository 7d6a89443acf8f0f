/*
 * fuzz_key.c: the map key parser addr_from_key() on any bytes, as dracd
 * reads keys from an existing map at start.
 *
 * A key it accepts is at most ADDR_KEYLEN bytes and names an address
 * whose own keys (addr_keys, with and without a trailing NUL) and text
 * (addr_text) all parse back to the same address.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr	ad, back;
	char		keys[ADDR_MAXKEYS][ADDR_KEYLEN];
	char		text[INET6_ADDRSTRLEN];
	int		i, n;

	if (addr_from_key(&ad, (const char *)data, size) == -1)
		return 0;
	CHECK(size > 0 && size <= ADDR_KEYLEN);
	n = addr_keys(&ad, keys);
	CHECK(n == (addr_is_v4(&ad) ? 1 : 2));
	for (i = 0; i < n; i++) {
		CHECK(strlen(keys[i]) < ADDR_KEYLEN);
		CHECK(addr_from_key(&back, keys[i], strlen(keys[i])) == 0);
		CHECK(memcmp(&back, &ad, sizeof(ad)) == 0);
		CHECK(addr_from_key(&back, keys[i], strlen(keys[i]) + 1) == 0);
		CHECK(memcmp(&back, &ad, sizeof(ad)) == 0);
	}
	CHECK(addr_text(&ad, text, sizeof(text)) != NULL);
	CHECK(addr_from_text(&back, text) == 0);
	CHECK(memcmp(&back, &ad, sizeof(ad)) == 0);
	return 0;
}

/*
 * key.c: map keys and values, in every form DRAC ever wrote.
 *
 * What dracd writes for an address under a convention (key_make):
 *	IPv4	"10.1.2.3"
 *	IPv6	"2001:db8::1"			inet_ntop form (postfix, exim)
 *		"ipv6:2001:db8:0:0:0:0:0:1"	sendmail's ${client_addr}
 * With cidr (DRAC's CIDR_KEY, for exim's net32- and net128- host lists):
 *	IPv4	"10.1.2.3/32"
 *	IPv6	"2001:db8::1/128"		what DRAC wrote
 *		"2001.0db8.0000.0000.0000.0000.0000.0001/128"
 *						what exim looks up (${mask})
 * With nul, each key and the value end in a NUL (exim's dbm lookups,
 * DRAC's TERM_KD).  Keys are lowercase: sendmail folds its key to
 * lowercase before the lookup.
 *
 * What dracd reads back (key_parse): any of those, plus the
 * IPv4-mapped "::ffff:a.b.c.d" keys of Debian's daemon and upper-case
 * hexadecimal.  A key that parses but is not one key_make would write
 * for the map's convention is a legacy key: the caller rewrites it.
 * An IPv4-mapped IPv6 address is IPv4 everywhere.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "key.h"

/* Append the convention's suffix to the text in k and set its length. */
static void
finish(struct key *k, const struct keyconv *c, const char *suffix)
{
	size_t	n = strlen(k->b);

	if (c->cidr)
		n += snprintf(k->b + n, sizeof(k->b) - n, "%s", suffix);
	k->len = n + (c->nul ? 1 : 0);
}

/* Fill keys with ad's keys under convention c; returns how many. */
int
key_make(const struct addr *ad, const struct keyconv *c,
    struct key keys[KEY_MAX])
{
	const uint8_t	*a = ad->a;

	addr_text(ad, keys[0].b, sizeof(keys[0].b));
	if (addr_is_v4(ad)) {
		finish(&keys[0], c, "/32");
		return 1;
	}
	finish(&keys[0], c, "/128");
	if (c->cidr)
		snprintf(keys[1].b, sizeof(keys[1].b),
		    "%04x.%04x.%04x.%04x.%04x.%04x.%04x.%04x",
		    a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5],
		    a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
		    a[12] << 8 | a[13], a[14] << 8 | a[15]);
	else
		snprintf(keys[1].b, sizeof(keys[1].b),
		    "ipv6:%x:%x:%x:%x:%x:%x:%x:%x",
		    a[0] << 8 | a[1], a[2] << 8 | a[3], a[4] << 8 | a[5],
		    a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
		    a[12] << 8 | a[13], a[14] << 8 | a[15]);
	finish(&keys[1], c, "/128");
	return 2;
}

/*
 * Turn exim's dotted IPv6 form (8 groups of 4 hex digits, dots between)
 * in s into colons; 1 if it was one, else 0 with s unchanged.
 */
static int
undot(char *s)
{
	size_t	i;

	if (strlen(s) != 39)
		return 0;
	for (i = 0; i < 39; i++)
		if (i % 5 == 4 ? s[i] != '.' : !isxdigit((unsigned char)s[i]))
			return 0;
	for (i = 4; i < 39; i += 5)
		s[i] = ':';
	return 1;
}

/* Strip a "/32" or "/128" suffix from s; its prefix length, or 0. */
static int
strip_prefix(char *s)
{
	char	*p = strrchr(s, '/');

	if (p == NULL)
		return 0;
	*p++ = '\0';
	if (strcmp(p, "32") == 0)
		return 32;
	if (strcmp(p, "128") == 0)
		return 128;
	return -1;
}

/*
 * Parse a key of len bytes in any form DRAC wrote into ad, and the
 * convention it was written in into c.  Returns 0, or -1 for a key that
 * is not an address in one of those forms (a record that is not DRAC's).
 */
int
key_parse(const void *key, size_t len, struct addr *ad, struct keyconv *c)
{
	char	buf[KEY_LEN], *s = buf;
	int	plen, v6only = 0;

	c->nul = len > 0 && ((const char *)key)[len - 1] == '\0';
	len -= c->nul;
	if (len == 0 || len >= sizeof(buf) || memchr(key, '\0', len))
		return -1;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if ((plen = strip_prefix(buf)) == -1)
		return -1;
	c->cidr = plen != 0;
	if (strncasecmp(s, "ipv6:", 5) == 0) {
		s += 5;
		v6only = 1;
	} else if (plen == 128 && undot(s))
		v6only = 1;
	if (addr_from_text(ad, s) == -1)
		return -1;
	if (addr_is_v4(ad))
		return v6only || (plen != 0 && plen != 32) ? -1 : 0;
	return plen != 0 && plen != 128 ? -1 : 0;
}

/*
 * 1 when the key of len bytes is one that key_make writes for ad under
 * convention c, 0 when it is a legacy form to be rewritten.
 */
int
key_is_canonical(const void *key, size_t len, const struct addr *ad,
    const struct keyconv *c)
{
	struct key	keys[KEY_MAX];
	int		i, n;

	n = key_make(ad, c, keys);
	for (i = 0; i < n; i++)
		if (keys[i].len == len && memcmp(keys[i].b, key, len) == 0)
			return 1;
	return 0;
}

/* The value for expiry time when under convention c in buf; its length. */
size_t
key_value(time_t when, const struct keyconv *c, char buf[KEY_VALLEN])
{
	char		 d[KEY_VALLEN], *p = d + sizeof(d);
	long long	 t = when;
	size_t		 n;

	/* Digits from the right, by hand: one value per add, no printf. */
	do
		*--p = '0' + (char)(t < 0 ? -(t % 10) : t % 10);
	while ((t /= 10) != 0);
	if (when < 0)
		*--p = '-';
	n = d + sizeof(d) - p;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n + (c->nul ? 1 : 0);
}

/*
 * Parse a value of len bytes as an expiry time (decimal seconds, with or
 * without a trailing NUL) into when.  Returns 0, or -1 for any other
 * value ("OK", "RELAY"...: a record that is not DRAC's).
 */
int
key_parse_value(const void *val, size_t len, time_t *when)
{
	const char	*s = val;
	long long	 t = 0;
	size_t		 i;

	if (len > 0 && s[len - 1] == '\0')
		len--;
	if (len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		t = t * 10 + (s[i] - '0');
	}
	*when = (time_t)t;
	return 0;
}

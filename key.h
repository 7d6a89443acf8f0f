/*
 * key.h: map keys and values, in every form DRAC ever wrote.
 *
 * DRAC chose its key convention at compile time: keys and values with a
 * trailing NUL (TERM_KD), keys with a "/32" or "/128" suffix (CIDR_KEY);
 * Debian's daemon also wrote IPv4-mapped keys ("::ffff:a.b.c.d").  dracd
 * reads all of them and writes one convention per map, the one the map
 * already holds (or the options', for a new map).
 */
#ifndef KEY_H
#define KEY_H

#include <stddef.h>
#include <time.h>

#include "addr.h"

/* A map's key convention. */
struct keyconv {
	int	nul;	/* keys and values end in NUL */
	int	cidr;	/* keys end in /32 (IPv4) or /128 (IPv6) */
};

/* Longest key: "ipv6:" + 39, or an inet_ntop form + "/128", + NUL. */
#define KEY_LEN		56
/* Most keys one address is stored under. */
#define KEY_MAX		2
/* Longest value: 19 digits and a NUL. */
#define KEY_VALLEN	24

struct key {
	char	b[KEY_LEN];
	size_t	len;
};

int	key_make(const struct addr *, const struct keyconv *,
	    struct key [KEY_MAX]);
int	key_parse(const void *, size_t, struct addr *, struct keyconv *);
int	key_is_canonical(const void *, size_t, const struct addr *,
	    const struct keyconv *);
size_t	key_value(time_t, const struct keyconv *, char [KEY_VALLEN]);
int	key_parse_value(const void *, size_t, time_t *);

#endif

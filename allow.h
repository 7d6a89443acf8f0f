/*
 * allow.h: the allow list (dracd.allow(5)): which callers may add
 * addresses to the map.
 *
 * A table is built whole and never changed: allow_load parses a file (or
 * returns the default table when it does not exist), allow_parse a buffer;
 * both return NULL with "file:line: reason" in err on the first line they
 * refuse, so a reload keeps the old table.  A line taken with a change
 * (host bits set under a mask) leaves a warning in the table:
 * allow_warning(a, i) is the i-th as "file:line: reason; taken as ...",
 * NULL past the last; the caller logs them.  allow_check reports every
 * problem of a file (see allow.c) and loads nothing.  allow_format writes
 * entry i (i < allow_count) as "inet NET/MASK" or "inet6 ADDR/PREFIXLEN",
 * at most ALLOW_FMTLEN bytes with the NUL, and returns buf.
 */
#ifndef ALLOW_H
#define ALLOW_H

#include <stddef.h>
#include <stdio.h>

#include "addr.h"

#define ALLOW_FMTLEN	64

struct allow;

struct allow	*allow_load(const char *, char *, size_t);
struct allow	*allow_parse(const char *, size_t, const char *, char *,
		    size_t);
int		 allow_check(const char *, FILE *);
int		 allow_match(const struct allow *, const struct addr *);
size_t		 allow_count(const struct allow *);
int		 allow_is_default(const struct allow *);
const char	*allow_warning(const struct allow *, size_t);
const char	*allow_format(const struct allow *, size_t, char *, size_t);
void		 allow_free(struct allow *);

#endif

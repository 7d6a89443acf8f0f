/*
 * num.h: the one parser of numbers and durations, in the manner of
 * OpenBSD's strtonum(3): bounds in, a value out, and on error 0 with
 * *errstr naming what is wrong ("invalid", "too small", "too large").
 * Neither follows the locale, so "0.5" means the same everywhere.
 */
#ifndef NUM_H
#define NUM_H

/* Duration units, in milliseconds, for num_duration's default unit. */
#define NUM_MS		1LL
#define NUM_SEC		1000LL
#define NUM_MIN		(60 * NUM_SEC)

long long	num_parse(const char *, long long, long long, const char **);
long long	num_duration(const char *, long long, long long, long long,
		    const char **);

#endif

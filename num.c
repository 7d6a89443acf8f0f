/*
 * num.c: decimal numbers and durations from the command line, the
 * environment and the allow file.  Both parse by hand: strtol would take
 * leading space and signs, strtod the caller's locale.
 */
#include <stddef.h>
#include <string.h>

#include "num.h"

#define NUM_LIMIT	(1LL << 53)	/* far above any bound we are given */

/* Digits at *sp into *v (stopping before NUM_LIMIT); how many were read. */
static int
digits(const char **sp, long long *v)
{
	const char	*s = *sp;
	int		 n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++)
		if (*v < NUM_LIMIT)
			*v = *v * 10 + (*s - '0');
	*sp = s;
	return n;
}

static long long
bounded(long long v, long long min, long long max, const char **errstr)
{
	if (v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

/*
 * The decimal integer s, from min to max (min >= 0); 0 and *errstr set
 * if s is not one.
 */
long long
num_parse(const char *s, long long min, long long max, const char **errstr)
{
	long long	v = 0;

	if (digits(&s, &v) == 0 || *s != '\0') {
		*errstr = "invalid";
		return 0;
	}
	return bounded(v, min, max, errstr);
}

/* Milliseconds in one unit suffix, or -1 if there is no such unit. */
static long long
unit_ms(const char *u, long long def)
{
	static const struct {
		const char	*name;
		long long	 ms;
	} units[] = {
		{ "", 0 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	size_t	i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(u, units[i].name) == 0)
			return units[i].ms != 0 ? units[i].ms : def;
	return -1;
}

/*
 * The duration s in milliseconds, from min to max: a decimal number with
 * an optional fraction ("1.5") and unit (ms, s, m, h or d; without one,
 * def milliseconds: NUM_SEC, NUM_MIN...).  0 and *errstr set if bad.
 */
long long
num_duration(const char *s, long long def, long long min, long long max,
    const char **errstr)
{
	long long	whole = 0, frac = 0, scale = 1, unit;
	int		 n;

	n = digits(&s, &whole);
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, n++)
			if (scale < 1000000) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
	}
	if (n == 0 || (unit = unit_ms(s, def)) == -1 ||
	    whole >= NUM_LIMIT / unit) {
		*errstr = n == 0 || unit == -1 ? "invalid" : "too large";
		return 0;
	}
	return bounded(whole * unit + frac * unit / scale, min, max, errstr);
}

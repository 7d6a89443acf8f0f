/*
 * bench.h: what the benchmark's two halves share: bench.c (the driver
 * and the RPC clients) and benchmap.c (the map as the MTAs and a
 * bulk loader see it: fill, look up, read under lock).
 *
 * Keys are IPv4 dotted quads in 10.0.0.0/8: entry i is 10.i>>16.i>>8.i,
 * stored as dracd stores them (hash map, no NUL, value the expiry time
 * in decimal seconds).
 */
#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NPHASE		8	/* reader statistics kept per phase */
#define NHIST		168	/* log2 buckets of nanoseconds */
#define READER_MAX_S	900	/* a reader stops by itself after this */

/* One phase of a reader's lookups; times in nanoseconds. */
struct rstat {
	uint64_t	lookups, found, reopens, errors;
	uint64_t	blocked;	/* lookups that found the map locked */
	uint64_t	maxwait;	/* longest wait for flock(LOCK_SH) */
	uint64_t	maxget;		/* longest DB->get */
	uint64_t	maxreopen;	/* longest close and reopen */
	uint64_t	hist[NHIST];	/* lock waits */
};

/* Shared between the driver and a reader process (MAP_SHARED). */
struct rshared {
	atomic_int	phase;
	atomic_int	stop;
	struct rstat	st[NPHASE];
};

/* Gives the expiry time of entry i. */
typedef uint32_t	(*when_fn)(uint32_t, const void *);

uint64_t	now_ns(void);
void		key_of(uint32_t, char *, size_t);
int		index_of(const char *, size_t, uint32_t *);
double		map_fill(const char *, uint32_t, int, when_fn, const void *);
long		map_last(const char *, int (*)(uint32_t), char *, size_t);
int		map_has(const char *, const char *);
long		map_count(const char *);
pid_t		reader_start(const char *, uint32_t, struct rshared *);
double		hist_pct(const uint64_t *, double);

#endif

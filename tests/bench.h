/*
 * bench.h: what the benchmark's parts share: bench.c (the driver and the
 * RPC clients), benchmap.c (the map as the MTAs and a bulk loader see
 * it: fill, look up, read under lock) and benchplot.c (the figures as
 * an SVG plot and tab-separated data).
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

#define NSWEEP		5	/* 1, 2, 4, 8, 16 clients */
enum { S_NULL, S_DEFAULT, S_SYNC0, NSERIES };

/* What the plot shows: medians, and the summed histogram of lock waits. */
struct plot {
	const char	*title;		/* date and machine */
	int		 clients[NSWEEP];
	double		 rate[NSERIES][NSWEEP];	/* calls or adds/s */
	uint64_t	 hist[NHIST];	/* reader's waits, mass expiry */
	double		 pct[4];	/* p50, p99, p99.9, max; ms */
	uint32_t	 nentries;
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
uint64_t	hist_lo(int);
int		plot_write(const char *, const char *, const struct plot *);

#endif

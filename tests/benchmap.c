/*
 * benchmap.c: the benchmark's side of the map file: filling it in bulk
 * with dracd's layout, looking keys up, and a reader process that reads
 * it the way sendmail and postfix do.
 *
 * The reader opens the map once, read-only, with a cache of its own, and
 * around every lookup takes flock(LOCK_SH) on the file (Debian's sendmail
 * and postfix); when the file's mtime has moved it closes and reopens the
 * map first, as sendmail does, so that it never reads through a stale
 * cache.  Unlike sendmail it checks the mtime after taking the lock (and
 * at nanosecond resolution), so no change can slip in between.  It looks
 * up random keys back to back and records, per phase, the wait for the
 * lock, the time of DB->get and of each reopen.  It tries the lock without
 * blocking first: a wait is counted only when dracd held the lock (the
 * time from that try until the lock is granted), so that the process
 * merely losing the CPU is not taken for dracd blocking it.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <db.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define FILL_CACHE	(64 * 1024 * 1024)
#define SCAN_CACHE	(16 * 1024 * 1024)
#define READER_CACHE	(1024 * 1024)	/* sendmail's DB cache size */

/* Nanoseconds on the monotonic clock. */
uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* The key of entry i. */
void
key_of(uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255,
	    i & 255);
}

/* The entry a key of len bytes names; 0, or -1 for another key. */
int
index_of(const char *key, size_t len, uint32_t *i)
{
	char		buf[20];
	unsigned	a, b, c, d;
	int		n;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if (sscanf(buf, "%u.%u.%u.%u%n", &a, &b, &c, &d, &n) != 4 ||
	    (size_t)n != len || a != 10 || b > 255 || c > 255 || d > 255)
		return -1;
	*i = b << 16 | c << 8 | d;
	return 0;
}

static void
quiet(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	(void)msg;
}

static DB *
open_db(const char *path, u_int32_t flags, u_int32_t cache)
{
	DB	*db;

	if (db_create(&db, NULL, 0) != 0)
		return NULL;
	db->set_errcall(db, quiet);
	db->set_cachesize(db, 0, cache, 1);
	if (db->open(db, NULL, path, NULL,
	    flags & DB_CREATE ? DB_HASH : DB_UNKNOWN, flags, 0644) != 0) {
		db->close(db, 0);
		return NULL;
	}
	return db;
}

static void
set_dbt(DBT *d, const char *s)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)s;
	d->size = strlen(s);
}

/*
 * Write entries 0 to n-1 with their expiry times, into a new map when
 * fresh, else over the records already there.  Returns the seconds it
 * took, or -1.
 */
double
map_fill(const char *path, uint32_t n, int fresh, when_fn when,
    const void *arg)
{
	DB		*db;
	DBT		 k, v;
	char		 key[20], val[16];
	uint64_t	 t0 = now_ns();
	uint32_t	 i;
	int		 err = 0;

	if (fresh)
		unlink(path);
	if ((db = open_db(path, DB_CREATE, FILL_CACHE)) == NULL)
		return -1;
	for (i = 0; i < n && err == 0; i++) {
		key_of(i, key, sizeof(key));
		snprintf(val, sizeof(val), "%u", when(i, arg));
		set_dbt(&k, key);
		set_dbt(&v, val);
		err = db->put(db, NULL, &k, &v, 0);
	}
	if (db->close(db, 0) != 0 || err != 0)
		return -1;
	return (double)(now_ns() - t0) / 1e9;
}

/*
 * Scan the map in its own order and leave in key the last key whose entry
 * satisfies in.  Returns how many records the map holds, or -1.
 */
long
map_last(const char *path, int (*in)(uint32_t), char *key, size_t len)
{
	DB		*db;
	DBC		*c;
	DBT		 k, v;
	uint32_t	 i;
	long		 n = 0;

	key[0] = '\0';
	if ((db = open_db(path, DB_RDONLY, SCAN_CACHE)) == NULL)
		return -1;
	if (db->cursor(db, NULL, &c, 0) != 0) {
		db->close(db, 0);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while (c->get(c, &k, &v, DB_NEXT) == 0) {
		n++;
		if (index_of(k.data, k.size, &i) == 0 && in(i) &&
		    k.size < len) {
			memcpy(key, k.data, k.size);
			key[k.size] = '\0';
		}
	}
	c->close(c);
	db->close(db, 0);
	return n;
}

static int
lock_sh(const char *path)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (flock(fd, LOCK_SH) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Look key up in a fresh open of the map, under the lock: 1, 0 or -1. */
int
map_has(const char *path, const char *key)
{
	DB	*db;
	DBT	 k, v;
	int	 fd, err;

	if ((fd = lock_sh(path)) == -1)
		return -1;
	if ((db = open_db(path, DB_RDONLY, READER_CACHE)) == NULL) {
		close(fd);
		return -1;
	}
	set_dbt(&k, key);
	memset(&v, 0, sizeof(v));
	err = db->get(db, NULL, &k, &v, 0);
	db->close(db, 0);
	close(fd);
	return err == 0 ? 1 : err == DB_NOTFOUND ? 0 : -1;
}

/* How many records the map holds (read under the lock), or -1. */
long
map_count(const char *path)
{
	DB	*db;
	DBC	*c;
	DBT	 k, v;
	long	 n = 0;
	int	 fd;

	if ((fd = lock_sh(path)) == -1)
		return -1;
	if ((db = open_db(path, DB_RDONLY, SCAN_CACHE)) == NULL ||
	    db->cursor(db, NULL, &c, 0) != 0) {
		if (db != NULL)
			db->close(db, 0);
		close(fd);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while (c->get(c, &k, &v, DB_NEXT) == 0)
		n++;
	c->close(c);
	db->close(db, 0);
	close(fd);
	return n;
}

/* Quarter-octave buckets: about 19% wide. */
static int
bucket(uint64_t ns)
{
	int	l;

	if (ns < 4)
		return (int)ns;
	l = 63 - __builtin_clzll(ns);
	if (l * 4 + 3 >= NHIST)
		return NHIST - 1;
	return l * 4 + (int)((ns >> (l - 2)) & 3);
}

/* The lower end of bucket b in ns (its upper end: hist_lo(b + 1)). */
uint64_t
hist_lo(int b)
{
	if (b < 8)	/* 0 to 3 ns one a bucket; 4 to 7 unused */
		return (uint64_t)(b < 4 ? b : 4);
	return (uint64_t)(4 + b % 4) << (b / 4 - 2);
}

/*
 * The pct percentile of the waits that were not 0 (bucket 0), in ns: the
 * upper end of its bucket; 0 when none.
 */
double
hist_pct(const uint64_t *hist, double pct)
{
	uint64_t	seen = 0, want, total = 0;
	int		b;

	for (b = 1; b < NHIST; b++)
		total += hist[b];
	if (total == 0)
		return 0;
	want = (uint64_t)(total * pct / 100.0);
	for (b = 1; b < NHIST; b++) {
		seen += hist[b];
		if (seen > want)
			break;
	}
	return (double)hist_lo(b + 1);
}

static void
record(struct rstat *st, uint64_t wait, uint64_t get)
{
	st->lookups++;
	st->hist[bucket(wait)]++;
	if (wait > 0)
		st->blocked++;
	if (wait > st->maxwait)
		st->maxwait = wait;
	if (get > st->maxget)
		st->maxget = get;
}

/* Reopen the map if it changed since db was opened (lock held). */
static DB *
fresh_db(DB *db, const char *path, int fd, struct timespec *mt,
    struct rstat *st)
{
	struct stat	sb;
	uint64_t	t0;

	if (fstat(fd, &sb) == -1)
		return db;
	if (db != NULL && sb.st_mtim.tv_sec == mt->tv_sec &&
	    sb.st_mtim.tv_nsec == mt->tv_nsec)
		return db;
	t0 = now_ns();
	if (db != NULL)
		db->close(db, 0);
	db = open_db(path, DB_RDONLY, READER_CACHE);
	*mt = sb.st_mtim;
	t0 = now_ns() - t0;
	st->reopens++;
	if (t0 > st->maxreopen)
		st->maxreopen = t0;
	return db;
}

static void
reader(const char *path, uint32_t n, struct rshared *sh)
{
	struct timespec	 mt = { 0, 0 };
	struct rstat	*st;
	DB		*db = NULL;
	DBT		 k, v;
	char		 key[20];
	uint64_t	 rnd = now_ns() | 1, t0, t1, t2, end;
	int		 fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	end = now_ns() + (uint64_t)READER_MAX_S * 1000000000;
	while (!atomic_load(&sh->stop) && now_ns() < end) {
		st = &sh->st[atomic_load(&sh->phase) % NPHASE];
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		key_of((uint32_t)(rnd % n), key, sizeof(key));
		set_dbt(&k, key);
		memset(&v, 0, sizeof(v));
		t0 = t1 = now_ns();
		if (flock(fd, LOCK_SH | LOCK_NB) == -1) {
			flock(fd, LOCK_SH);
			t1 = now_ns();
		}
		if ((db = fresh_db(db, path, fd, &mt, st)) == NULL)
			err = -1;
		t2 = now_ns();
		if (db != NULL)
			err = db->get(db, NULL, &k, &v, 0);
		record(st, t1 - t0, now_ns() - t2);
		flock(fd, LOCK_UN);
		if (err == 0)
			st->found++;
		else if (err != DB_NOTFOUND) {
			st->errors++;
			mt.tv_sec = mt.tv_nsec = 0;
		}
	}
	if (db != NULL)
		db->close(db, 0);
	close(fd);
}

/*
 * Start a reader process on the map at path, looking up entries 0 to n-1
 * until sh->stop.  Returns its PID, or -1.
 */
pid_t
reader_start(const char *path, uint32_t n, struct rshared *sh)
{
	pid_t	pid;

	if ((pid = fork()) != 0)
		return pid;
	signal(SIGTERM, SIG_DFL);
	reader(path, n > 0 ? n : 1, sh);
	_exit(0);
}

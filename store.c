/*
 * store.c: the authorizations, kept in two places: the expiry index in
 * memory (expire.c) and the map on disk (map.c).
 *
 * Group commit: an add goes into the index and a queue at once and is
 * acknowledged; the queue is written to the map, in one locked change that
 * ends with a sync, at most window msec later (as soon as FLUSH_BATCH
 * adds wait), or a change's write later when one is on the way.  The
 * change is begun here, on the event loop, and the queue handed over
 * (writing, with each address's expiry time in wwhen); the commit thread
 * (commit.c) makes it (Berkeley DB's puts, its pages held) and writes it
 * (journal, syncs, pages over the map), while the loop goes on answering;
 * the queue written goes back into the queue if the change failed.  One
 * change at a time: nothing else is begun while one is on the thread,
 * the loop uses neither the map nor what it handed over until the thread
 * is done, and an add that comes when the change on the thread has taken
 * longer than the window waits for it (the add's change must begin
 * within the window).  With window 0 an add is answered once its change
 * is in the map, as DEL and the last flush at exit are: those changes are
 * made on the loop itself (flush_sync()), which waits for them anyway.
 * So the file is never left half-written between two locked changes, and
 * a reader waits for one batch, not for the whole map.  While the map
 * cannot be written (full disk, a reader that holds its lock...) adds
 * fail at once, stay queued, and the queue is tried again every
 * FLUSH_RETRY_MS: a map that cannot be written delays the map, never the
 * daemon.  The queue (queue.c) holds each address once, at most MAX_QUEUE
 * of them.
 *
 * Bound: past conf.max entries a new address is refused (the caller gets
 * ADD_SYSERR, the log a rate-limited line); an address already held is
 * refreshed as ever, so the bound never logs a user out.
 *
 * Expiry: the index knows what expires first; due entries are deleted in
 * batches of EXPIRE_BATCH, each its own locked change, made and written
 * on the thread, with the event loop (and the MTAs) running meanwhile.  A
 * batch leaves the index when it is handed over; if it could not be
 * written its entries come back (those not added again meanwhile) and
 * are tried again a second later (expire_resume).
 *
 * A map file replaced under dracd is noticed at the next change, which
 * then writes every entry of the index into the new file (map_fresh()).
 *
 * Checkpoints: a change syncs the map only once its journal is due
 * (change.c); when no change comes, the loop hands the thread a
 * checkpoint of its own (W_CKPT) once it is due, so that the journal of
 * a map no longer written is emptied within a second or so.
 *
 * The first store_run() runs in the process that serves, after
 * daemon(3)'s fork: it writes that PID into the map's owner lock.  The
 * commit thread is started by store_start(), in that process too (a fork
 * keeps only the thread that forks); without one (not started, or no
 * thread could be made) changes are written on the loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "commit.h"
#include "expire.h"
#include "log.h"
#include "queue.h"
#include "store.h"

#define EXPIRE_BATCH	256
#define FLUSH_BATCH	2048	/* adds written at once, window or not */
#define MAX_QUEUE	65536	/* adds held while the map fails */
#define FLUSH_RETRY_MS	1000	/* between tries of a map that failed */

struct store {
	struct store_conf	 conf;
	struct map		*map;
	struct expire		*idx;
	struct queue		*queue;		/* each address once */
	struct queue		*writing;	/* the flush on the thread */
	time_t			*wwhen;		/* their times; 0: not put */
	struct commit		*cm;		/* the commit thread */
	enum { W_FLUSH, W_EXPIRE, W_DEL, W_CKPT } kind;	/* of the job on it */
	long long		 t0;		/* when it was begun, usec */
	int			 lastret;	/* its result */
	struct addr		 xad[EXPIRE_BATCH]; /* an expiry batch */
	time_t			 xwhen[EXPIRE_BATCH];
	int			 nx;
	struct addr		 dad;		/* the address of a DEL */
	long long		 flush_at;	/* msec, monotonic; 0: none */
	time_t			 expire_resume;	/* no expiry before this */
	int			 healthy;
	int			 claimed;	/* owner PID written */
	struct store_stats	 st;		/* counters, store_stats() */
	int			 held;		/* store_hold(): no flush */
};

static int
index_record(const struct addr *ad, time_t when, void *arg)
{
	struct store	*s = arg;
	time_t		 old;

	if (expire_get(s->idx, ad, &old) == 0 && old >= when)
		return 0;
	if (expire_set(s->idx, ad, when) == -1) {
		log_warnx("%s: out of memory indexing the map",
		    s->conf.path);
		return -1;
	}
	return 0;
}

/* Open the map and index what it holds; NULL, logged, on failure. */
struct store *
store_open(const struct store_conf *conf)
{
	struct store	*s;
	int		 other;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->idx = expire_new()) == NULL ||
	    (s->queue = queue_new(MAX_QUEUE)) == NULL ||
	    (s->writing = queue_new(MAX_QUEUE)) == NULL ||
	    (s->wwhen = calloc(MAX_QUEUE, sizeof(*s->wwhen))) == NULL) {
		log_warn("store_open");
		if (s != NULL) {
			expire_free(s->idx);
			queue_free(s->queue);
			queue_free(s->writing);
		}
		free(s);
		return NULL;
	}

	s->conf = *conf;
	s->healthy = 1;
	if ((s->map = map_open(conf->path, conf->statedir, &conf->fmt,
	    conf->truncate)) == NULL)
		goto fail;
	/* The map's times come in hash order: sort them once at the end. */
	expire_bulk(s->idx, 1);
	if ((other = map_scan(s->map, index_record, s)) == -1)
		goto fail;
	if (expire_bulk(s->idx, 0) == -1) {
		log_warnx("%s: out of memory sorting the index", conf->path);
		goto fail;
	}
	if (other > 0)
		log_warnx("%s: %d records with keys or values dracd does not "
		    "write were left alone", conf->path, other);
	if (expire_count(s->idx) > conf->max)
		log_warnx("%s: %zu entries, more than %zu (-m): new addresses "
		    "are refused until enough expire", conf->path,
		    expire_count(s->idx), conf->max);
	return s;
fail:
	store_close(s);
	return NULL;
}

static int
put_entry(const struct addr *ad, time_t when, void *arg)
{
	return map_put(arg, ad, when);
}

/*
 * Begin a change; when the map file was replaced, the change first writes
 * every entry of the index into the new one.  0, or -1, logged.
 */
static int
begin(struct store *s)
{
	if (map_begin(s->map) == -1)
		return -1;
	if (!map_fresh(s->map) ||
	    expire_each(s->idx, put_entry, s->map) == 0)
		return 0;
	map_abort(s->map);
	return -1;
}

/* A change failed: keep the queue and try again in FLUSH_RETRY_MS. */
static int
failed(struct store *s)
{
	s->healthy = 0;
	s->flush_at = clock_ms() + FLUSH_RETRY_MS;
	return -1;
}

/* 1 while a change is on the commit thread, else 0. */
static int
busy(const struct store *s)
{
	return s->cm != NULL && commit_busy(s->cm);
}

/*
 * Make the change begun (what its kind hands over: the queue's puts, a
 * batch's or a DEL's deletes) and commit it; on the commit thread, or on
 * the loop when there is none or the caller waits anyway.  0 or -1.
 */
static int
make(void *arg)
{
	struct store	*s = arg;
	size_t		 i;
	int		 k;

	switch (s->kind) {
	case W_CKPT:
		return map_checkpoint(s->map);
	case W_FLUSH:
		for (i = 0; i < queue_len(s->writing); i++)
			if (s->wwhen[i] != 0 && map_put(s->map,
			    queue_at(s->writing, i), s->wwhen[i]) == -1)
				goto fail;
		break;
	case W_EXPIRE:
		for (k = 0; k < s->nx; k++)
			if (map_del(s->map, &s->xad[k]) == -1)
				goto fail;
		break;
	case W_DEL:
		if (map_del(s->map, &s->dad) == -1)
			goto fail;
		break;
	}
	return map_commit(s->map);
fail:
	map_abort(s->map);
	return -1;
}

/* The change committed (ret 0) or not (-1): the store's side of it. */
static void
finish(struct store *s, int ret)
{
	time_t	now = clock_wall(), t;
	size_t	i;
	int	k;

	s->lastret = ret;
	if (s->kind == W_CKPT)
		return;
	if (ret == 0) {
		s->st.commits++;
		s->st.last_commit_us = clock_us() - s->t0;
	}
	switch (s->kind) {
	case W_FLUSH:
		if (ret == -1) {
			/* Not in the file: queued again, with what comes. */
			for (i = 0; i < queue_len(s->writing); i++)
				queue_add(s->queue, queue_at(s->writing, i));
			failed(s);
		} else {
			if (!s->healthy)
				log_info("%s: map writable again",
				    s->conf.path);
			s->healthy = 1;
		}
		queue_clear(s->writing);
		break;
	case W_EXPIRE:
		if (ret == 0) {
			s->st.expired += s->nx;
			break;
		}
		/* Not gone from the file: back, unless added again since. */
		for (k = 0; k < s->nx; k++)
			if (expire_get(s->idx, &s->xad[k], &t) == -1)
				expire_set(s->idx, &s->xad[k], s->xwhen[k]);
		s->expire_resume = now + 1;
		break;
	case W_DEL:
	case W_CKPT:
		break;
	}
	s->nx = 0;
}

/*
 * Hand the change begun, whose kind is set, to the commit thread, or
 * make it here when the caller waits for it anyway (here: -s 0, DEL,
 * exit), sparing two hand-overs per change.  Returns 0 when it is on its
 * way or was written already, -1 when it failed (finished).
 */
static int
commit_begun(struct store *s, int here)
{
	s->t0 = clock_us();
	/* No thread (store_start()): made here, as if it had come back. */
	if (here || s->cm == NULL) {
		finish(s, make(s));
		return s->lastret;
	}
	commit_start(s->cm, make, s);
	return 0;
}

/* Wait for the change on the thread, if any, and finish it. */
static void
settle(struct store *s)
{
	if (busy(s))
		finish(s, commit_wait(s->cm));
}

/*
 * Write the queue to the map in one change, made and committed on the
 * thread (or here); returns -1 when it failed at once (queue kept), else
 * 0.  Not while a change is on the thread: store_run() comes back once it
 * ended.
 */
static int
flush(struct store *s, int here)
{
	struct queue	*q;
	size_t		 i;

	if (busy(s))
		return 0;
	s->flush_at = 0;
	if (queue_len(s->queue) == 0)
		return 0;
	if (begin(s) == -1)
		return failed(s);
	q = s->writing;
	s->writing = s->queue;
	s->queue = q;
	/* Each address's time now; 0 for one deleted since (store_del()). */
	for (i = 0; i < queue_len(s->writing); i++)
		if (expire_get(s->idx, queue_at(s->writing, i),
		    &s->wwhen[i]) == -1)
			s->wwhen[i] = 0;
	s->kind = W_FLUSH;
	return commit_begun(s, here);
}

/* flush() here, once the thread is idle: the queue is in the map; 0 or -1. */
static int
flush_sync(struct store *s)
{
	settle(s);
	if (queue_len(s->queue) == 0)
		return 0;
	return flush(s, 1);
}

/*
 * Authorize ad for conf.expire seconds from now.  Returns 0 once it is in
 * the index and queued (or, without group commit, in the map), -1 when it
 * could not be stored.
 */
int
store_add(struct store *s, const struct addr *ad)
{
	return store_add_until(s, ad, clock_wall() + s->conf.expire);
}

/* Authorize ad until when; as store_add(). */
int
store_add_until(struct store *s, const struct addr *ad, time_t when)
{
	char	text[INET6_ADDRSTRLEN];
	time_t	old;

	/*
	 * An add promises a change begun within the window: once the one on
	 * the thread has taken longer than that (a slow disk, a reader that
	 * holds its lock), wait for it here, as the loop did before the
	 * thread, rather than acknowledge adds a kill would lose.
	 */
	if (busy(s) && clock_us() - s->t0 > (long long)s->conf.window * 1000)
		settle(s);
	if (expire_count(s->idx) >= s->conf.max &&
	    expire_get(s->idx, ad, &old) == -1) {
		addr_text(ad, text, sizeof(text));
		log_limited(LIMIT_FULL, "%s: full: %zu entries (-m %zu); "
		    "refusing new addresses (%s)", s->conf.path,
		    expire_count(s->idx), s->conf.max, text);
		return -1;
	}
	if (expire_set(s->idx, ad, when) == -1) {
		log_limited(LIMIT_MAP, "out of memory");
		return -1;
	}
	if (queue_add(s->queue, ad) == -1) {
		log_limited(LIMIT_MAP, "%s: %zu adds waiting for the map; "
		    "refusing more", s->conf.path, queue_len(s->queue));
		return -1;
	}
	if (!s->healthy)
		return -1;
	if (s->conf.window == 0 && !s->held)
		return flush_sync(s);
	if (s->flush_at == 0)
		s->flush_at = clock_ms() + s->conf.window;
	/*
	 * The readers wait while a change's pages are written over the map:
	 * bound the pages, write a full batch as soon as this add is answered.
	 */
	if (queue_len(s->queue) >= FLUSH_BATCH)
		s->flush_at = clock_ms();
	return 0;
}

/*
 * Delete one batch of due entries from the index and hand it over, to be
 * deleted from the map on the thread; finish() puts them back in the
 * index if that fails.
 */
static void
expire_batch(struct store *s, time_t now)
{
	struct addr	ad;
	time_t		when;

	if (busy(s) || expire_first(s->idx, &ad, &when) == -1 ||
	    when > now)
		return;
	if (begin(s) == -1) {
		s->expire_resume = now + 1;
		return;
	}
	s->nx = 0;
	while (s->nx < EXPIRE_BATCH &&
	    expire_first(s->idx, &s->xad[s->nx], &s->xwhen[s->nx]) == 0 &&
	    s->xwhen[s->nx] <= now)
		expire_remove(s->idx, &s->xad[s->nx++]);
	s->kind = W_EXPIRE;
	commit_begun(s, 0);
}

/* Msec until store_run() has work, 0 for now, -1 for none. */
int
store_timeout(struct store *s)
{
	struct addr	ad;
	time_t		when, now = clock_wall();
	long long	ms = -1, d;

	/* The thread's end is polled for (store_pollfd()). */
	if (busy(s))
		return -1;
	if (s->flush_at != 0)
		ms = s->flush_at > clock_ms() ? s->flush_at - clock_ms() : 0;
	if (expire_first(s->idx, &ad, &when) == 0) {
		if (when < s->expire_resume)
			when = s->expire_resume;
		d = when > now ? (long long)(when - now) * 1000 : 0;
		if (ms == -1 || d < ms)
			ms = d;
	}
	if ((d = map_checkpoint_due(s->map)) != -1 && (ms == -1 || d < ms))
		ms = d;
	return ms > 60000 ? 60000 : (int)ms;
}

/*
 * Start the commit thread, in the process that serves (after daemon(3)).
 * Without it changes are written on the event loop; 0 or -1, logged.
 */
int
store_start(struct store *s)
{
	if (s->cm == NULL && (s->cm = commit_new()) == NULL)
		return -1;
	return 0;
}

/* The descriptor to poll for: readable when the thread's change ended. */
int
store_pollfd(const struct store *s)
{
	return s->cm != NULL ? commit_fd(s->cm) : -1;
}

/*
 * Do what is due: finish the change the thread ended, write the queue,
 * delete one batch of expired entries.
 */
void
store_run(struct store *s)
{
	time_t	now = clock_wall();
	int	ret;

	if (!s->claimed) {
		map_claim(s->map);
		s->claimed = 1;
	}
	if (s->cm != NULL && commit_done(s->cm, &ret))
		finish(s, ret);
	if (s->flush_at != 0 && clock_ms() >= s->flush_at)
		flush(s, 0);
	if (now >= s->expire_resume)
		expire_batch(s, now);
	/* Idle, the journal due: a checkpoint of its own, on the thread. */
	if (!busy(s) && s->flush_at == 0 && map_checkpoint_due(s->map) == 0) {
		s->kind = W_CKPT;
		commit_begun(s, 0);
	}
}

/* The format the map is written in (map.h). */
void
store_format(const struct store *s, struct map_format *f)
{
	map_get_format(s->map, f);
}

/* How many addresses are authorized. */
size_t
store_count(const struct store *s)
{
	return expire_count(s->idx);
}

/* Give the map's files to uid and gid; 0 or -1, logged. */
int
store_chown(struct store *s, uid_t uid, gid_t gid)
{
	return map_chown(s->map, uid, gid);
}

/*
 * Remove every key form of ad from the map, in a change of its own, and
 * from the index.  1 when the index held it, 0 when not, -1 (logged)
 * when the map could not be changed.
 */
int
store_del(struct store *s, const struct addr *ad)
{
	time_t	when;
	int	had = expire_get(s->idx, ad, &when) == 0;

	settle(s);
	if (begin(s) == -1)
		return -1;
	s->dad = *ad;
	s->kind = W_DEL;
	if (commit_begun(s, 1) == -1)
		return -1;
	expire_remove(s->idx, ad);
	s->st.deleted += had;
	return had;
}

/*
 * Hold the adds that follow in the queue, with or without a window, until
 * store_release(), which writes them in one change: ADDMANY's adds are one
 * commit.  store_release() returns 0, or -1 when the change failed.
 */
void
store_hold(struct store *s)
{
	s->held = 1;
}

int
store_release(struct store *s)
{
	s->held = 0;
	if (s->conf.window == 0)
		return flush_sync(s);
	if (queue_len(s->queue) >= FLUSH_BATCH)
		s->flush_at = clock_ms();
	return 0;
}

/* When ad's authorization ends: 0 and *when, or -1 when it has none. */
int
store_query(const struct store *s, const struct addr *ad, time_t *when)
{
	if (expire_get(s->idx, ad, when) == -1 || *when <= clock_wall())
		return -1;
	return 0;
}

struct page {
	size_t		 skip, n, max;
	struct addr	*ad;
	time_t		*when;
};

static int
page_fill(const struct addr *ad, time_t when, void *arg)
{
	struct page	*p = arg;

	if (p->skip > 0) {
		p->skip--;
		return 0;
	}
	if (p->n == p->max)
		return -1;
	p->ad[p->n] = *ad;
	p->when[p->n++] = when;
	return 0;
}

/*
 * Up to max entries in expiry order from position from on, into ad and
 * when; returns how many.  A position is a count of entries, so an entry
 * may be missed or repeated when the index changes between two pages.
 */
size_t
store_list(const struct store *s, size_t from, struct addr *ad,
    time_t *when, size_t max)
{
	struct page	p = { from, 0, max, ad, when };

	(void)expire_each(s->idx, page_fill, &p);
	return p.n;
}

/* The store's counters and state, in *st. */
void
store_stats(const struct store *s, struct store_stats *st)
{
	*st = s->st;
	st->entries = expire_count(s->idx);
	st->queued = queue_len(s->queue);
	st->healthy = s->healthy;
}

/* Write what is queued, then sync and close the map; 0 or -1, logged. */
int
store_close(struct store *s)
{
	int	ret = 0;

	if (s == NULL)
		return 0;
	if (s->map != NULL && flush_sync(s) == -1) {
		log_warnx("%s: %zu adds could not be written", s->conf.path,
		    queue_len(s->queue));
		ret = -1;
	}
	if (map_close(s->map) == -1)
		ret = -1;
	commit_free(s->cm);
	expire_free(s->idx);
	queue_free(s->queue);
	queue_free(s->writing);
	free(s->wwhen);
	free(s);
	return ret;
}

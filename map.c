/*
 * map.c: the relay map, the only user of <db.h>.
 *
 * Layout (dracd(8), DESIGN.md section 3): one record per key form of an
 * address (addr_keys()), key the lowercase address text, value the expiry
 * time as decimal seconds since the epoch in ASCII; with -N both carry a
 * trailing NUL.  A hash map by default, a btree with -t btree.
 *
 * Locking: Berkeley DB without an environment does no locking of its own.
 * MTAs read the file under a shared flock (Debian's sendmail and postfix)
 * or a shared fcntl lock (upstream builds), so the pages of every change
 * are written over the file under both an exclusive flock and an
 * exclusive fcntl lock on a descriptor of our own: whenever the file is
 * unlocked it is complete and consistent.  Nothing else needs the locks:
 * during a change Berkeley DB's writes are held back (journal.c below) and
 * dracd is the only writer, so the locks are held for the page writes
 * alone, never across a sync, and a reader waits for no more than that.
 * Berkeley DB closes and reopens the file only inside DB->open() (which
 * drops a process's fcntl locks, so at open only the flock is sure to
 * hold); between open and close it keeps one descriptor, so the fcntl lock
 * holds for every change.
 * The file is always updated in place, never replaced.
 *
 * Crashes and full disks: Berkeley DB writes a change page by page, so a
 * dracd killed in the middle, or a write refused for lack of space, would
 * leave the file broken.  Each change therefore goes through journal.c:
 * Berkeley DB's page I/O is hooked, the change's pages reach the file only
 * after they are safe in MAP.journal, and a change that failed is dropped
 * from Berkeley DB's cache by reopening the file (reopen()), so that the
 * file as the last complete change left it is what counts.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "journal.h"
#include "log.h"
#include "map.h"

#define CACHE_BYTES	(4 * 1024 * 1024)
#define LOCK_WAIT_MS	250	/* give up a lock attempt after this */
#define LOCK_TICK_MS	10	/* and check the time this often */
#define LOCK_SPIN_US	1000	/* try without blocking this long first */

struct map {
	DB		*db;		/* NULL after a failed reopen() */
	int		 lockfd;
	int		 dbfd;		/* Berkeley DB's descriptor */
	u_int32_t	 pagesize;
	int		 nul;
	enum map_type	 type;
	const char	*path;
	struct journal	*jnl;
};

static int	db_setup(struct map *, enum map_type, int);

static int	opening;

static void
db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	/* DB->open complains of the empty file we create to lock it. */
	if (!opening)
		log_warnx("%s: %s", pfx, msg);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * Try both locks without blocking, again and again, for LOCK_SPIN_US.
 * flock has no writer preference: readers that look up back to back
 * leave the lock free for a moment only, too short for a process the
 * kernel has to wake, long enough for one already running.
 */
static int
spin_locks(struct map *m, struct flock *fl)
{
	struct timespec	end;
	int		have_flock = 0;

	clock_after(&end, LOCK_SPIN_US);
	for (;;) {
		if (!have_flock && flock(m->lockfd, LOCK_EX | LOCK_NB) == 0)
			have_flock = 1;
		else if (!have_flock && errno != EWOULDBLOCK)
			break;
		if (have_flock && fcntl(m->lockfd, F_SETLK, fl) == 0)
			return 0;
		if (have_flock && errno != EACCES && errno != EAGAIN)
			break;
		if (clock_passed(&end))
			break;
	}
	if (have_flock)
		flock(m->lockfd, LOCK_UN);
	return -1;
}

/*
 * Wait for both locks in the kernel, for at most LOCK_WAIT_MS: SIGALRM
 * interrupts the wait every LOCK_TICK_MS, so a tick that comes before the
 * call only delays the check of the deadline by one tick.
 */
static int
wait_locks(struct map *m, struct flock *fl)
{
	struct itimerval	tick, off;
	struct sigaction	sa, osa;
	struct timespec		end;
	int			have_flock = 0, ret = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	memset(&off, 0, sizeof(off));
	tick.it_value.tv_sec = 0;
	tick.it_value.tv_usec = LOCK_TICK_MS * 1000;
	tick.it_interval = tick.it_value;
	clock_after(&end, LOCK_WAIT_MS * 1000L);
	sigaction(SIGALRM, &sa, &osa);
	setitimer(ITIMER_REAL, &tick, NULL);
	for (;;) {
		if (!have_flock && flock(m->lockfd, LOCK_EX) == 0)
			have_flock = 1;
		if (have_flock && fcntl(m->lockfd, F_SETLKW, fl) == 0) {
			ret = 0;
			break;
		}
		if (errno != EINTR)
			break;
		if (clock_passed(&end)) {
			errno = ETIMEDOUT;
			break;
		}
	}
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &osa, NULL);
	if (ret == -1 && have_flock)
		flock(m->lockfd, LOCK_UN);
	return ret;
}

/* Take the exclusive flock and fcntl locks; 0 or -1 (logged). */
static int
try_locks(struct map *m)
{
	struct flock	fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (spin_locks(m, &fl) == 0 || wait_locks(m, &fl) == 0)
		return 0;
	log_warn("%s: cannot lock", m->path);
	return -1;
}

static void
drop_locks(struct map *m)
{
	struct flock	fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	if (fcntl(m->lockfd, F_SETLK, &fl) == -1)
		log_warn("%s: fcntl unlock", m->path);
	if (flock(m->lockfd, LOCK_UN) == -1)
		log_warn("%s: flock unlock", m->path);
}

/*
 * Drop Berkeley DB's handle, whose cache may hold a change that never
 * reached the file, complete a journaled change, and open the file again
 * (map locked).  Returns 0, or -1 (logged) with no handle.
 */
static int
reopen(struct map *m)
{
	journal_abort(m->jnl);
	if (m->db != NULL)
		m->db->close(m->db, DB_NOSYNC);
	m->db = NULL;
	if (journal_replay(m->jnl) == -1 || db_setup(m, m->type, 0) == -1) {
		if (m->db != NULL)
			m->db->close(m->db, DB_NOSYNC);
		m->db = NULL;
		return -1;
	}
	log_debug("%s: reopened after a failed change", m->path);
	return 0;
}

static int
lock_cb(void *m)
{
	return try_locks(m);
}

static void
unlock_cb(void *m)
{
	drop_locks(m);
}

/*
 * Start a change; 0 or -1 (logged).  The change is held back in the
 * journal: the file is only written, under the locks, at map_unlock().
 */
int
map_lock(struct map *m)
{
	int	ret;

	if (m->db == NULL) {
		if (try_locks(m) == -1)
			return -1;
		ret = reopen(m);
		drop_locks(m);
		if (ret == -1)
			return -1;
	}
	journal_begin(m->jnl, m->dbfd, m->pagesize);
	return 0;
}

/*
 * Write out the change (DB->sync, then the journal, the file written under
 * the locks) unless abandon.  Returns 0, or -1 (logged) when the change
 * did not reach the file; the file is then as the last complete change
 * left it.
 */
int
map_unlock(struct map *m, int abandon)
{
	int	err;

	if (!abandon && (err = m->db->sync(m->db, 0)) != 0)
		log_limited(LIMIT_MAP, "%s: sync: %s", m->path,
		    db_strerror(err));
	else if (!abandon &&
	    journal_commit(m->jnl, lock_cb, unlock_cb, m) == 0)
		return 0;
	/* Berkeley DB's cache holds what the file does not: drop it. */
	if (try_locks(m) == 0) {
		reopen(m);
		drop_locks(m);
	} else {
		journal_abort(m->jnl);
		m->db->close(m->db, DB_NOSYNC);
		m->db = NULL;
	}
	return abandon ? 0 : -1;
}

static int
db_setup(struct map *m, enum map_type type, int truncate)
{
	int	err;

	if ((err = db_create(&m->db, NULL, 0)) != 0) {
		log_warnx("db_create: %s", db_strerror(err));
		return -1;
	}
	m->db->set_errcall(m->db, db_errcall);
	m->db->set_errpfx(m->db, m->path);
	m->db->set_cachesize(m->db, 0, CACHE_BYTES, 1);
	opening = 1;
	err = m->db->open(m->db, NULL, m->path, NULL,
	    type == MAP_BTREE ? DB_BTREE : DB_HASH,
	    DB_CREATE | (truncate ? DB_TRUNCATE : 0), 0644);
	opening = 0;
	if (err == EINVAL)
		log_warnx("%s: not a Berkeley DB %s map (wrong -t?)", m->path,
		    type == MAP_BTREE ? "btree" : "hash");
	else if (err != 0)
		log_warnx("%s: open: %s", m->path, db_strerror(err));
	else if ((err = m->db->fd(m->db, &m->dbfd)) != 0 ||
	    (err = m->db->get_pagesize(m->db, &m->pagesize)) != 0)
		log_warnx("%s: %s", m->path, db_strerror(err));
	return err == 0 ? 0 : -1;
}

/*
 * Open (creating it 0644 if needed) the map at path; truncate empties it.
 * Returns NULL after logging why on failure.
 */
struct map *
map_open(const char *path, enum map_type type, int nul, int truncate)
{
	struct map	*m;
	struct stat	 st;
	int		 err;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("map_open");
		return NULL;
	}
	m->path = path;
	m->nul = nul;
	m->type = type;
	m->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (m->lockfd == -1 || fstat(m->lockfd, &st) == -1) {
		log_warn("%s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s: not a regular file", path);
		goto fail;
	}
	if (try_locks(m) == -1)
		goto fail;
	db_env_set_func_pread(journal_pread);
	db_env_set_func_pwrite(journal_pwrite);
	db_env_set_func_fsync(journal_fsync);
	if ((m->jnl = journal_open(path, m->lockfd)) == NULL ||
	    db_setup(m, type, truncate) == -1) {
		drop_locks(m);
		goto fail;
	}
	/* Nothing is held back: DB->open wrote the file, under the locks. */
	err = m->db->sync(m->db, 0);
	drop_locks(m);
	if (err == 0)
		return m;
	log_warnx("%s: sync: %s", path, db_strerror(err));
fail:
	map_close(m);
	return NULL;
}

static int
parse_when(const DBT *v, time_t *when)
{
	const char	*s = v->data;
	size_t		 n = v->size, i;
	long long	 t = 0;

	if (n > 0 && s[n - 1] == '\0')
		n--;
	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		t = t * 10 + (s[i] - '0');
	}
	*when = (time_t)t;
	return 0;
}

/*
 * Call fn for each record whose key dracd writes and whose value is a
 * time.  Returns the number of other records (left alone), or -1.
 */
int
map_scan(struct map *m, int (*fn)(const struct addr *, time_t, void *),
    void *arg)
{
	DBC		*c;
	DBT		 k, v;
	struct addr	 ad;
	time_t		 when;
	int		 err, other = 0;

	if ((err = m->db->cursor(m->db, NULL, &c, 0)) != 0) {
		log_warnx("%s: cursor: %s", m->path, db_strerror(err));
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((err = c->get(c, &k, &v, DB_NEXT)) == 0) {
		if (addr_from_key(&ad, k.data, k.size) == -1 ||
		    parse_when(&v, &when) == -1)
			other++;
		else if (fn(&ad, when, arg) == -1)
			break;
	}
	c->close(c);
	if (err != 0 && err != DB_NOTFOUND) {
		log_warnx("%s: read: %s", m->path, db_strerror(err));
		return -1;
	}
	return err == 0 ? -1 : other;
}

static void
set_dbt(DBT *d, const char *s, int nul)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)s;
	d->size = strlen(s) + (nul ? 1 : 0);
}

/* Store ad with expiry time when, under every key form (map locked). */
int
map_put(struct map *m, const struct addr *ad, time_t when)
{
	char	keys[ADDR_MAXKEYS][ADDR_KEYLEN], val[24];
	DBT	k, v;
	int	i, n, err;

	n = addr_keys(ad, keys);
	snprintf(val, sizeof(val), "%lld", (long long)when);
	set_dbt(&v, val, m->nul);
	for (i = 0; i < n; i++) {
		set_dbt(&k, keys[i], m->nul);
		if ((err = m->db->put(m->db, NULL, &k, &v, 0)) != 0) {
			log_limited(LIMIT_MAP, "%s: put %s: %s", m->path,
			    keys[i], db_strerror(err));
			return -1;
		}
	}
	return 0;
}

/*
 * Delete every key form of ad (map locked), in the NUL form this dracd
 * writes or, failing that, the other one.
 */
int
map_del(struct map *m, const struct addr *ad)
{
	char	keys[ADDR_MAXKEYS][ADDR_KEYLEN];
	DBT	k;
	int	i, n, err;

	n = addr_keys(ad, keys);
	for (i = 0; i < n; i++) {
		set_dbt(&k, keys[i], m->nul);
		err = m->db->del(m->db, NULL, &k, 0);
		if (err == DB_NOTFOUND) {
			set_dbt(&k, keys[i], !m->nul);
			err = m->db->del(m->db, NULL, &k, 0);
		}
		if (err != 0 && err != DB_NOTFOUND) {
			log_limited(LIMIT_MAP, "%s: delete %s: %s", m->path,
			    keys[i], db_strerror(err));
			return -1;
		}
	}
	return 0;
}

/* Sync and close the map; 0, or -1 (logged) when the close failed. */
int
map_close(struct map *m)
{
	int	err = 0;

	if (m == NULL)
		return 0;
	if (m->db != NULL && (err = m->db->close(m->db, 0)) != 0)
		log_warnx("%s: close: %s", m->path, db_strerror(err));
	journal_close(m->jnl);
	if (m->lockfd != -1)
		close(m->lockfd);
	free(m);
	return err == 0 ? 0 : -1;
}

/* Give the map and its journal to uid and gid; 0 or -1 (logged). */
int
map_chown(struct map *m, uid_t uid, gid_t gid)
{
	if (fchown(m->lockfd, uid, gid) == -1) {
		log_warn("%s: chown", m->path);
		return -1;
	}
	return journal_chown(m->jnl, uid, gid);
}

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
 * or a shared fcntl lock (upstream builds), so every change takes both an
 * exclusive flock and an exclusive fcntl lock on a descriptor of our own,
 * and ends with DB->sync() before the locks are dropped: whenever the file
 * is unlocked it is complete and consistent.  Berkeley DB closes and
 * reopens the file only inside DB->open() (which drops a process's fcntl
 * locks, so at open only the flock is sure to hold); between open and
 * close it keeps one descriptor, so the fcntl lock holds for every change.
 * The file is always updated in place, never replaced.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "map.h"

#define CACHE_BYTES	(4 * 1024 * 1024)
#define LOCK_WAIT_MS	2000	/* give up a lock attempt after this */

struct map {
	DB		*db;
	int		 lockfd;
	int		 nul;
	const char	*path;
};

static int	opening;

static void
db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	/* DB->open complains of the empty file we create to lock it. */
	if (!opening)
		log_warnx("%s: %s", pfx, msg);
}

static int
try_locks(struct map *m)
{
	struct flock	fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec	ms = { 0, 1000000 };
	int		i, have_flock = 0;

	for (i = 0; i < LOCK_WAIT_MS; i++) {
		if (!have_flock && flock(m->lockfd, LOCK_EX | LOCK_NB) == 0)
			have_flock = 1;
		else if (!have_flock && errno != EWOULDBLOCK)
			break;
		if (have_flock && fcntl(m->lockfd, F_SETLK, &fl) == 0)
			return 0;
		if (have_flock && errno != EACCES && errno != EAGAIN)
			break;
		nanosleep(&ms, NULL);
	}
	if (i == LOCK_WAIT_MS)
		errno = ETIMEDOUT;
	log_warn("%s: cannot lock", m->path);
	if (have_flock)
		flock(m->lockfd, LOCK_UN);
	return -1;
}

/* Take the exclusive locks for a change; 0 or -1 (logged). */
int
map_lock(struct map *m)
{
	return try_locks(m);
}

/*
 * Write out the change (DB->sync) unless abandon, then drop the locks.
 * Returns 0, or -1 (logged) when the change did not reach the file.
 */
int
map_unlock(struct map *m, int abandon)
{
	struct flock	fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	int		ret = 0, err = 0;

	if (!abandon && (err = m->db->sync(m->db, 0)) != 0) {
		log_warnx("%s: sync: %s", m->path, db_strerror(err));
		ret = -1;
	}
	if (fcntl(m->lockfd, F_SETLK, &fl) == -1)
		log_warn("%s: fcntl unlock", m->path);
	if (flock(m->lockfd, LOCK_UN) == -1)
		log_warn("%s: flock unlock", m->path);
	return ret;
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

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("map_open");
		return NULL;
	}
	m->path = path;
	m->nul = nul;
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
	if (map_lock(m) == -1)
		goto fail;
	if (db_setup(m, type, truncate) == -1) {
		map_unlock(m, 1);
		goto fail;
	}
	if (map_unlock(m, 0) == 0)
		return m;
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
	if (m->lockfd != -1)
		close(m->lockfd);
	free(m);
	return err == 0 ? 0 : -1;
}

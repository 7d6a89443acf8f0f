/*
 * map.c: the relay map, the only user of <db.h>.
 *
 * Layout (dracd(8), DESIGN.md section 3): one record per key form of an
 * address (addr_keys()), key the lowercase address text, value the expiry
 * time as decimal seconds since the epoch in ASCII; with -N both carry a
 * trailing NUL.  A hash map by default, a btree with -t btree.  The file
 * is always updated in place, never replaced.
 *
 * Changes: map_begin(), map_put()/map_del(), map_commit() or
 * map_abort().  Berkeley DB writes the change's pages in DB->sync, and
 * change.c (the commit protocol, with what it assumes of Berkeley DB)
 * makes them reach the file all at once, with the MTAs kept out for the
 * writes alone.  A
 * change that failed is dropped from Berkeley DB's cache by closing the
 * handle without a sync and opening the file again (reopen()), so that
 * the file as the last complete change left it is what counts; until that
 * succeeds m->db is NULL and map_begin() tries again.
 *
 * A map replaced under dracd (renamed over, or removed) is noticed by
 * map_begin(), logged, and the new file opened in its place; until a
 * change has been committed to it, map_fresh() tells the caller to write
 * every entry it knows into the change, so that no add is lost.
 *
 * Error idiom: functions return 0 or -1, and log why before returning -1.
 */
#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "change.h"
#include "log.h"
#include "map.h"

#define CACHE_BYTES	(4 * 1024 * 1024)

struct map {
	DB		*db;		/* NULL after a failed reopen() */
	int		 dbfd;		/* Berkeley DB's descriptor */
	u_int32_t	 pagesize;
	int		 nul;
	enum map_type	 type;
	const char	*path;
	struct change	*chg;
	int		 fresh;		/* replaced, not yet rewritten */
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
db_drop(struct map *m)
{
	if (m->db != NULL)
		m->db->close(m->db, DB_NOSYNC);
	m->db = NULL;
}

/*
 * Drop Berkeley DB's handle, whose cache may hold a change that never
 * reached the file, recover a journaled change, and open the file again,
 * the readers kept out.  Returns 0, or -1, logged, with no handle.
 */
static int
reopen(struct map *m)
{
	int	ret = -1, err;

	change_abort(m->chg);
	db_drop(m);
	if (change_readers_out(m->chg) == -1)
		return -1;
	if (change_recover(m->chg) == 0 && db_setup(m, m->type, 0) == 0) {
		/* Nothing begun: a new file DB->open made goes straight out. */
		if ((err = m->db->sync(m->db, 0)) == 0)
			ret = 0;
		else
			log_warnx("%s: sync: %s", m->path, db_strerror(err));
	}
	if (ret == -1)
		db_drop(m);
	change_readers_in(m->chg);
	if (ret == 0)
		log_debug("%s: reopened after a failed change", m->path);
	return ret;
}

/*
 * Begin a change; 0 or -1, logged.  Nothing reaches the file before
 * map_commit().
 */
int
map_begin(struct map *m)
{
	if (change_replaced(m->chg)) {
		log_limited(LIMIT_MAP, "%s: replaced by another file; "
		    "writing every entry into the new one", m->path);
		db_drop(m);
		if (change_reopen(m->chg) == -1)
			return -1;
		m->fresh = 1;
	}
	if (m->db == NULL && reopen(m) == -1)
		return -1;
	change_begin(m->chg, m->dbfd, m->pagesize);
	return 0;
}

/* 1 when the change begun must write every entry (a new file), else 0. */
int
map_fresh(const struct map *m)
{
	return m->fresh;
}

/* Abort the change begun: Berkeley DB's cache forgets it too. */
void
map_abort(struct map *m)
{
	reopen(m);
}

/*
 * Commit the change begun: DB->sync writes its pages, change_commit()
 * the file.  Returns 0, or -1, logged, when the change did not reach the
 * file; the file is then as the last complete change left it.
 */
int
map_commit(struct map *m)
{
	int	err;

	if ((err = m->db->sync(m->db, 0)) != 0)
		log_limited(LIMIT_MAP, "%s: sync: %s", m->path,
		    db_strerror(err));
	else if (change_commit(m->chg) == 0) {
		m->fresh = 0;
		return 0;
	}
	/* Berkeley DB's cache holds what the file does not: drop it. */
	reopen(m);
	return -1;
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
 * Open (creating it 0644 if needed) the map at path, its journal and
 * owner lock in statedir; recover an interrupted change; truncate
 * empties the map.  Returns NULL, logged, on failure.
 */
struct map *
map_open(const char *path, const char *statedir, enum map_type type,
    int nul, int truncate)
{
	struct map	*m;
	int		 err = -1;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("map_open");
		return NULL;
	}
	m->path = path;
	m->nul = nul;
	m->type = type;
	db_env_set_func_pread(change_pread);
	db_env_set_func_pwrite(change_pwrite);
	db_env_set_func_fsync(change_fsync);
	if ((m->chg = change_open(path, statedir)) == NULL ||
	    change_readers_out(m->chg) == -1)
		goto fail;
	/* Not in a change: DB->open writes a new file, the readers kept out. */
	if (change_recover(m->chg) == 0 && db_setup(m, type, truncate) == 0 &&
	    (err = m->db->sync(m->db, 0)) != 0)
		log_warnx("%s: sync: %s", path, db_strerror(err));
	change_readers_in(m->chg);
	if (err == 0)
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

/* Store ad with expiry time when, under every key form, in a change. */
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
 * Delete every key form of ad, in a change, in the NUL form this dracd
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

/* Sync and close the map; 0, or -1, logged, when the close failed. */
int
map_close(struct map *m)
{
	int	err = 0;

	if (m == NULL)
		return 0;
	if (m->db != NULL && (err = m->db->close(m->db, 0)) != 0)
		log_warnx("%s: close: %s", m->path, db_strerror(err));
	change_close(m->chg);
	free(m);
	return err == 0 ? 0 : -1;
}

/* Give the map and its state files to uid and gid; 0 or -1, logged. */
int
map_chown(struct map *m, uid_t uid, gid_t gid)
{
	return change_chown(m->chg, uid, gid);
}

/* Record this process as the map's owner (after daemon(3)). */
void
map_claim(struct map *m)
{
	change_claim(m->chg);
}

/*
 * map.c: the relay map, the only user of <db.h>.
 *
 * Layout (dracd(8), DESIGN.md section 3): one record per key form of an
 * address (key.c), key the lowercase address text, value the expiry time
 * as decimal seconds since the epoch in ASCII.  The map's format is its
 * own: an existing map keeps its type (read from its meta page) and its
 * key convention (NUL-terminated or not, CIDR suffix or not: the
 * majority of its first DRAC records); the options (-t, -N, -C) choose
 * only for a new map, and one that contradicts the map is warned about.
 * Keys that DRAC wrote in another form (Debian's "::ffff:a.b.c.d", a
 * NUL or suffix against the map's convention) are rewritten in the map's
 * form when the map is read at start, so that they expire like the rest.
 * The file is always updated in place, never replaced.
 *
 * Changes: map_begin(), map_put()/map_del(), map_commit() or
 * map_abort(), all on one thread at a time: the event loop begins a
 * change, and the rest may be done on the commit thread (store.c), which
 * the loop then leaves alone until it is done.  Berkeley DB writes the
 * change's pages in DB->sync, and change.c (the commit protocol, with
 * what it assumes of Berkeley DB) makes them reach the file all at once,
 * with the MTAs kept out for the writes alone.  A change that failed is
 * dropped from Berkeley DB's cache by closing the handle without a sync
 * and opening the file again (reopen()), so that the file as the last
 * complete change left it is what counts; until that succeeds m->db is
 * NULL and map_begin() tries again.
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
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "change.h"
#include "clock.h"
#include "log.h"
#include "map.h"

#define CACHE_BYTES	(4 * 1024 * 1024)
#define CONV_SAMPLE	64	/* DRAC records that decide the convention */
#define HASH_MAGIC	0x061561
#define BTREE_MAGIC	0x053162

struct map {
	DB		*db;		/* NULL after a failed reopen() */
	int		 dbfd;		/* Berkeley DB's descriptor */
	u_int32_t	 pagesize;
	struct keyconv	 conv;
	enum map_type	 type;
	const char	*path;
	struct change	*chg;
	int		 fresh;		/* replaced, not yet rewritten */
};

struct legacy;

static int	db_setup(struct map *, enum map_type);
static int	rewrite(struct map *, const struct legacy *, size_t);

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
	if (change_recover(m->chg) == 0 && db_setup(m, m->type) == 0) {
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
 * Milliseconds until the map's journal is due for a checkpoint, 0 when
 * due, -1 when there is none to make (change_due_ms()).
 */
long long
map_checkpoint_due(struct map *m)
{
	return change_due_ms(m->chg);
}

/*
 * Outside a change: sync the map and empty its journal; 0, or -1,
 * logged, after the journal's changes were written again (reopen()).
 */
int
map_checkpoint(struct map *m)
{
	if (change_checkpoint(m->chg) == 0)
		return 0;
	reopen(m);
	return -1;
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
 * Commit the change begun: DB->sync writes its pages, which change.c
 * holds, and change_commit() makes them reach the file.  Returns 0, or
 * -1, logged, when the change did not reach the file, which is then as
 * the last complete change left it, or did but could not be synced; the
 * journal's changes are then written again (change_recover()).
 */
int
map_commit(struct map *m)
{
	int	err, ret;

	if ((err = m->db->sync(m->db, 0)) != 0) {
		log_limited(LIMIT_MAP, "%s: sync: %s", m->path,
		    db_strerror(err));
		ret = -1;
	} else
		ret = change_commit(m->chg);
	if (ret == 0)
		m->fresh = 0;
	else	/* Berkeley DB's cache holds what the file does not: drop it. */
		reopen(m);
	return ret;
}

/*
 * Open the map in Berkeley DB, which opens it by path: its descriptor
 * must be the file change.c opened and checked, or the map is refused.
 */
static int
db_setup(struct map *m, enum map_type type)
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
	    DB_CREATE, 0644);
	opening = 0;
	if (err == EINVAL)
		log_warnx("%s: not a Berkeley DB hash or btree map", m->path);
	else if (err != 0)
		log_warnx("%s: open: %s", m->path, db_strerror(err));
	else if ((err = m->db->fd(m->db, &m->dbfd)) != 0 ||
	    (err = m->db->get_pagesize(m->db, &m->pagesize)) != 0)
		log_warnx("%s: %s", m->path, db_strerror(err));
	else if (!change_is_map(m->chg, m->dbfd)) {
		log_warnx("%s: replaced while Berkeley DB opened it; "
		    "refusing it", m->path);
		db_drop(m);
		err = -1;
	}
	return err == 0 ? 0 : -1;
}

/* "hash" or "btree". */
const char *
map_type_name(enum map_type type)
{
	return type == MAP_BTREE ? "btree" : "hash";
}

/*
 * The type of the Berkeley DB file at path, from the magic number of its
 * meta page (either byte order), or MAP_UNSET if there is none to read.
 */
static enum map_type
file_type(const char *path)
{
	unsigned char	meta[16];
	uint32_t	le, be;
	int		fd;
	ssize_t		n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return MAP_UNSET;
	n = pread(fd, meta, sizeof(meta), 0);
	close(fd);
	if (n != (ssize_t)sizeof(meta))
		return MAP_UNSET;
	le = meta[12] | meta[13] << 8 | meta[14] << 16 | (uint32_t)meta[15] << 24;
	be = meta[15] | meta[14] << 8 | meta[13] << 16 | (uint32_t)meta[12] << 24;
	if (le == HASH_MAGIC || be == HASH_MAGIC)
		return MAP_HASH;
	if (le == BTREE_MAGIC || be == BTREE_MAGIC)
		return MAP_BTREE;
	return MAP_UNSET;
}

/*
 * What the options in want ask for against what the map m is: for i = 0
 * (-t), 1 (-N) and 2 (-C), a message when they contradict, else NULL.
 */
static const char *
conflict(const struct map *m, const struct map_format *want, int i)
{
	static char	msg[96];

	if (i == 0 && want->type != MAP_UNSET && want->type != m->type)
		snprintf(msg, sizeof(msg), "a %s map; -t %s applies to new "
		    "maps only", map_type_name(m->type),
		    map_type_name(want->type));
	else if (i == 1 && want->nul != -1 && want->nul != m->conv.nul)
		snprintf(msg, sizeof(msg), "its keys %s a trailing NUL; -N "
		    "applies to new maps only", m->conv.nul ? "have" : "lack");
	else if (i == 2 && want->cidr != -1 && want->cidr != m->conv.cidr)
		snprintf(msg, sizeof(msg), "its keys %s a CIDR suffix; -C "
		    "applies to new maps only", m->conv.cidr ? "have" : "lack");
	else
		return NULL;
	return msg;
}

/*
 * Set the map's key convention from its first CONV_SAMPLE DRAC records
 * (the majority), or, with none, from want; 0, or -1 logged.
 */
static int
find_conv(struct map *m, const struct map_format *want)
{
	DBC		*c;
	DBT		 k, v;
	struct keyconv	 conv;
	struct addr	 ad;
	time_t		 when;
	int		 err, n = 0, nul = 0, cidr = 0;

	if ((err = m->db->cursor(m->db, NULL, &c, 0)) != 0) {
		log_warnx("%s: cursor: %s", m->path, db_strerror(err));
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while (n < CONV_SAMPLE && (err = c->get(c, &k, &v, DB_NEXT)) == 0)
		if (key_parse(k.data, k.size, &ad, &conv) == 0 &&
		    key_parse_value(v.data, v.size, &when) == 0) {
			n++;
			nul += conv.nul;
			cidr += conv.cidr;
		}
	c->close(c);
	if (err != 0 && err != DB_NOTFOUND) {
		log_warnx("%s: read: %s", m->path, db_strerror(err));
		return -1;
	}
	if (n == 0) {
		m->conv.nul = want->nul == 1;
		m->conv.cidr = want->cidr == 1;
		return 0;
	}
	m->conv.nul = 2 * nul > n;
	m->conv.cidr = 2 * cidr > n;
	return 0;
}

/* The format the map is written in. */
void
map_get_format(const struct map *m, struct map_format *f)
{
	f->type = m->type;
	f->nul = m->conv.nul;
	f->cidr = m->conv.cidr;
}

/*
 * Open (creating it 0644 if needed) the map at path, its journal and
 * owner lock in statedir; recover an interrupted change; truncate
 * empties the map, through the descriptor change.c checked, never by
 * path (DB_TRUNCATE).  Returns NULL, logged, on failure.
 */
struct map *
map_open(const char *path, const char *statedir,
    const struct map_format *want, int truncate)
{
	struct map	*m;
	const char	*msg;
	int		 i, err = -1;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("map_open");
		return NULL;
	}
	m->path = path;
	m->type = truncate ? MAP_UNSET : file_type(path);
	if (m->type == MAP_UNSET)
		m->type = want->type == MAP_BTREE ? MAP_BTREE : MAP_HASH;
	db_env_set_func_pread(change_pread);
	db_env_set_func_pwrite(change_pwrite);
	db_env_set_func_fsync(change_fsync);
	db_env_set_func_ftruncate(change_ftruncate);
	if ((m->chg = change_open(path, statedir)) == NULL ||
	    change_readers_out(m->chg) == -1)
		goto fail;
	/* Not in a change: DB->open writes a new file, the readers kept out. */
	if (change_recover(m->chg) == 0 &&
	    (!truncate || change_truncate(m->chg) == 0) &&
	    db_setup(m, m->type) == 0 &&
	    (err = m->db->sync(m->db, 0)) != 0)
		log_warnx("%s: sync: %s", path, db_strerror(err));
	change_readers_in(m->chg);
	if (err == 0 && find_conv(m, want) == 0) {
		for (i = 0; i < 3; i++)
			if ((msg = conflict(m, want, i)) != NULL)
				log_warnx("%s: %s", path, msg);
		return m;
	}
fail:
	map_close(m);
	return NULL;
}

/* A record read from the map whose key is in a form to rewrite. */
struct legacy {
	struct key	 key;
	struct addr	 ad;
	time_t		 when;
};

/*
 * Call fn for each DRAC record (a key in a form DRAC writes, a time for
 * value), then rewrite those in another form than the map's convention.
 * Returns the number of other records (left alone), or -1.
 */
int
map_scan(struct map *m, int (*fn)(const struct addr *, time_t, void *),
    void *arg)
{
	DBC		*c;
	DBT		 k, v;
	struct legacy	*old = NULL, *l;
	struct keyconv	 conv;
	struct addr	 ad;
	time_t		 when;
	size_t		 nold = 0;
	int		 err, other = 0;

	if ((err = m->db->cursor(m->db, NULL, &c, 0)) != 0) {
		log_warnx("%s: cursor: %s", m->path, db_strerror(err));
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((err = c->get(c, &k, &v, DB_NEXT)) == 0) {
		if (key_parse(k.data, k.size, &ad, &conv) == -1 ||
		    key_parse_value(v.data, v.size, &when) == -1) {
			other++;
			continue;
		}
		if (fn(&ad, when, arg) == -1)
			break;
		if (key_is_canonical(k.data, k.size, &ad, &m->conv))
			continue;
		if ((l = reallocarray(old, nold + 1, sizeof(*old))) == NULL) {
			log_warn("%s: keys to rewrite", m->path);
			break;
		}
		old = l;
		l += nold++;
		memcpy(l->key.b, k.data, k.size);
		l->key.len = k.size;
		l->ad = ad;
		l->when = when;
	}
	c->close(c);
	if (err != 0 && err != DB_NOTFOUND)
		log_warnx("%s: read: %s", m->path, db_strerror(err));
	if (err == DB_NOTFOUND && nold > 0 && rewrite(m, old, nold) == -1)
		err = -1;
	free(old);
	return err == DB_NOTFOUND ? other : -1;
}

static void
set_dbt(DBT *d, const void *data, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)data;
	d->size = len;
}

/* Store ad with expiry time when, under every key form, in a change. */
int
map_put(struct map *m, const struct addr *ad, time_t when)
{
	struct key	keys[KEY_MAX];
	char		val[KEY_VALLEN];
	DBT		k, v;
	int		i, n, err;

	n = key_make(ad, &m->conv, keys);
	set_dbt(&v, val, key_value(when, &m->conv, val));
	for (i = 0; i < n; i++) {
		set_dbt(&k, keys[i].b, keys[i].len);
		if ((err = m->db->put(m->db, NULL, &k, &v, 0)) != 0) {
			log_limited(LIMIT_MAP, "%s: put %s: %s", m->path,
			    keys[i].b, db_strerror(err));
			return -1;
		}
	}
	return 0;
}

/* Delete the key of len bytes, in a change; 0 (also if absent) or -1. */
static int
del_key(struct map *m, const void *key, size_t len)
{
	DBT	k;
	int	err;

	set_dbt(&k, key, len);
	err = m->db->del(m->db, NULL, &k, 0);
	if (err == 0 || err == DB_NOTFOUND)
		return 0;
	log_limited(LIMIT_MAP, "%s: delete %.*s: %s", m->path, (int)len,
	    (const char *)key, db_strerror(err));
	return -1;
}

/* Delete every key form of ad, in a change. */
int
map_del(struct map *m, const struct addr *ad)
{
	struct key	keys[KEY_MAX];
	int		i, n;

	n = key_make(ad, &m->conv, keys);
	for (i = 0; i < n; i++)
		if (del_key(m, keys[i].b, keys[i].len) == -1)
			return -1;
	return 0;
}

/* The expiry time stored under ad's first key, or -1 if none. */
static time_t
stored_when(struct map *m, const struct addr *ad)
{
	struct key	keys[KEY_MAX];
	DBT		k, v;
	time_t		when;

	key_make(ad, &m->conv, keys);
	set_dbt(&k, keys[0].b, keys[0].len);
	memset(&v, 0, sizeof(v));
	if (m->db->get(m->db, NULL, &k, &v, 0) != 0 ||
	    key_parse_value(v.data, v.size, &when) == -1)
		return -1;
	return when;
}

/*
 * Rewrite the n records of old in the map's convention, in one change:
 * each old key goes, and the address is stored in the map's form unless
 * that already holds a later time.  0, or -1 logged.
 */
static int
rewrite(struct map *m, const struct legacy *old, size_t n)
{
	size_t	i;

	if (map_begin(m) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (del_key(m, old[i].key.b, old[i].key.len) == -1)
			goto fail;
		if (stored_when(m, &old[i].ad) < old[i].when &&
		    map_put(m, &old[i].ad, old[i].when) == -1)
			goto fail;
	}
	if (map_commit(m) == -1)
		return -1;
	log_info("%s: %zu keys in an older DRAC form rewritten in the map's "
	    "own", m->path, n);
	return 0;
fail:
	map_abort(m);
	return -1;
}

/* What map_check() counts in a map. */
struct census {
	long		 drac, expired, older, other;
	struct keyconv	 conv;
};

/* Count the records of db into c, the map's convention in c->conv. */
static int
count_records(DB *db, struct census *c)
{
	DBC		*cur;
	DBT		 k, v;
	struct keyconv	 conv;
	struct addr	 ad;
	time_t		 when, now = clock_wall();
	int		 err;

	if ((err = db->cursor(db, NULL, &cur, 0)) != 0)
		return err;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((err = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
		if (key_parse(k.data, k.size, &ad, &conv) == -1 ||
		    key_parse_value(v.data, v.size, &when) == -1) {
			c->other++;
			continue;
		}
		c->drac++;
		c->expired += when < now;
		c->older += !key_is_canonical(k.data, k.size, &ad, &c->conv);
	}
	cur->close(cur);
	return err == DB_NOTFOUND ? 0 : err;
}

/*
 * Check the map at path without changing it, for dracd -n: that it is a
 * Berkeley DB hash or btree file that verifies, its format, and what it
 * holds, one line each on out.  Returns the number of problems found.
 */
int
map_check(const char *path, const struct map_format *want, FILE *out)
{
	struct map	 m = { .path = path };
	struct census	 c = { 0 };
	const char	*msg;
	int		 i, err, n = 0;

	if ((m.type = file_type(path)) == MAP_UNSET) {
		if (access(path, F_OK) == 0) {
			fprintf(out, "%s: not a Berkeley DB hash or btree "
			    "map\n", path);
			return 1;
		}
		fprintf(out, "%s: no map yet; dracd creates a %s map\n", path,
		    map_type_name(want->type == MAP_BTREE ? MAP_BTREE :
		    MAP_HASH));
		return 0;
	}
	/* DB->verify frees its handle whatever it finds. */
	if ((err = db_create(&m.db, NULL, 0)) == 0) {
		m.db->set_errfile(m.db, out);
		m.db->set_errpfx(m.db, path);
		err = m.db->verify(m.db, path, NULL, NULL, 0);
		m.db = NULL;
	}
	if (err == 0 && (err = db_create(&m.db, NULL, 0)) == 0 &&
	    (err = m.db->open(m.db, NULL, path, NULL, DB_UNKNOWN, DB_RDONLY,
	    0)) == 0 && (err = find_conv(&m, want)) == 0) {
		c.conv = m.conv;
		err = count_records(m.db, &c);
	}
	if (m.db != NULL)
		m.db->close(m.db, 0);
	if (err != 0) {
		fprintf(out, "%s: %s\n", path, err == -1 ? "cannot be read" :
		    db_strerror(err));
		return 1;
	}
	fprintf(out, "%s: %s map, keys %s NUL, %s CIDR suffix: %ld entries "
	    "(%ld expired), %ld keys in an older DRAC form to rewrite, %ld "
	    "other records left alone\n", path, map_type_name(m.type),
	    c.conv.nul ? "with" : "without", c.conv.cidr ? "with" : "without",
	    c.drac, c.expired, c.older, c.other);
	for (i = 0; i < 3; i++)
		if ((msg = conflict(&m, want, i)) != NULL) {
			fprintf(out, "%s: warning: %s\n", path, msg);
			n++;
		}
	return n;
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

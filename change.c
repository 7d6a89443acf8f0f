/*
 * change.c: the commit protocol.  Every change to the map file is
 * all-or-nothing, on disk and for the MTAs that read it.
 *
 * One change, in four steps:
 *
 *   begin	change_begin(): from now on Berkeley DB's page writes to the
 *		map are held in memory, and its reads of those pages are
 *		served from there.
 *   write	map.c calls DB->put/del and DB->sync; the pages they write
 *		arrive through change_pwrite() and are held.
 *   commit	change_commit(), on the thread that made the change (the
 *		commit thread, commit.c, so that the event loop goes on
 *		answering meanwhile): change_seal() ends the holding, and
 *		change_write() does steps 1 to 4:
 *		1. the held pages, with their offsets, the map's file ID and
 *		   a checksum, are appended to the journal
 *		   (STATEDIR/MAP.journal) as one record, which is
 *		   fdatasync()ed;
 *		2. the space the map grows by is reserved (posix_fallocate);
 *		3. the pages are written over the map, with the readers kept
 *		   out (lock.c) for those writes only;
 *		4. a checkpoint, once the journal holds CKPT_BYTES or its
 *		   first record is CKPT_MS old: the map is fdatasync()ed and
 *		   the journal emptied (its first record marked done).
 *		   Between changes the caller makes one when it is due
 *		   (change_due_ms(), change_checkpoint()), so that the
 *		   journal of a map no longer written is emptied too.
 *   recover	change_recover(), at start and after a failed change, with
 *		the readers kept out and the map closed in Berkeley DB: the
 *		journal's records are written over the map again, in order,
 *		the map synced and the journal emptied.
 *
 * The map is thus synced once per checkpoint, not once per change, and
 * the kernel writes a page that many changes rewrite once: the journal
 * alone makes each change durable.
 *
 * Invariants:
 * - Every change since the last checkpoint is a record of the journal, in
 *   the order made; every page written to the map since then is in one,
 *   and the map was synced at the checkpoint.  Writing a record's pages
 *   again, and those of the records after it, leaves the map as the last
 *   of them did, whatever of them had reached the disk: so replaying the
 *   journal is harmless, and emptying it need not be synced, except where
 *   the map is written outside a change or replaced (change_reopen(),
 *   change_close(), change_recover() itself).
 * - Each record names the checksum of the one before it (0 for the first,
 *   at offset 0) and carries a sequence number no record before it had,
 *   so no two records have the same checksum: replay stops at the first
 *   record torn or left from an earlier journal (its checksum, or the one
 *   it names, fails), which never reached the map.
 * - Whenever the readers' lock is free the map file is complete.
 * - One dracd per map: the owner lock (lock.c) is taken in change_open(),
 *   before anything is recovered, and held until exit.
 * - At most one change is begun at a time in the process (current), and
 *   one thread at a time makes and commits it (map.c).
 * - A journal is replayed only onto the map it was written for: the file
 *   ID in the map's meta page, and the file's inode number (a copy moved
 *   over the map, as a backup is restored, has the same file ID).  Each
 *   record holds the map's length before it: every page in it must be
 *   whole, page-aligned, and end, like its cut, within twice that length
 *   and its pages (Berkeley DB's hash doubles its table by writing the
 *   last page of the new half first, far past the pages it writes), and
 *   the first record's length no further past the
 *   map's length now than the records' own cuts took off (a later
 *   record's cut may be in the file already).  A journal with a record
 *   whose checksum holds but that fails these checks is moved aside to
 *   MAP.journal.bad and logged, with none of its records written; the
 *   records after the chain ends were torn before step 1 completed, or
 *   left from an earlier journal, and are dropped.
 *
 * What this rests on in Berkeley DB 5.3 without an environment (its
 * private cache, no locking, no log):
 * - DB->put and DB->del change pages in the cache; pages reach the file
 *   through __os_io(), which calls the pwrite hook (db_env_set_func_pwrite)
 *   with one whole page at a page-aligned offset: all dirty pages in
 *   DB->sync, and one page at a time when the cache evicts a dirty page
 *   during a put.  A write that fails or comes up short is retried with
 *   lseek and write(2), around the hook, so the hook never fails: an
 *   error is kept and fails the commit instead.
 * - Pages come back through the pread hook, so a page evicted during a
 *   change is read back from what is held here, not from the stale file.
 * - DB->sync ends with the fsync hook on the map; during a change the sync
 *   is ours to do (step 4), so the hook does nothing then.
 * - A put or delete that frees the file's last page gives it back to the
 *   system at once, through the ftruncate hook (__db_free calls
 *   __memp_ftruncate, which truncates when the page had reached the
 *   file), in the middle of the change.  The cut is held like the pages:
 *   the pages held past it are forgotten, pages read past it are zeros,
 *   and it is made in step 3, before the pages are written.  Unheld, it
 *   cut pages that other pages still pointed to out of the map, with the
 *   readers let in, for as long as the change took, and for good when
 *   dracd died before the change was written.
 * - The hooks are process-global and get no context: hence current.
 * - DB->open opens the file by path, reads the meta page, closes that
 *   descriptor and opens the one the cache keeps (DB->fd), until
 *   DB->close; map.c refuses a DB->fd that is not the file opened and
 *   checked here (change_is_map()).  A new or truncated map is written
 *   by DB->open itself, not in a change: map.c does that with the
 *   readers kept out, and syncs.
 * - DB->close(DB_NOSYNC) drops dirty pages without writing them: how a
 *   change that failed is forgotten (map.c reopens the file).
 * - Page 0 is the meta page: magic at byte 12, page size at 20, and the
 *   20-byte file ID (DB->get_mpf()->get_fileid()) at 52, written when the
 *   file is created and never changed.
 *
 * The journal: records one after the other from offset 0, each a header
 * (struct jhdr: with the length, in pages, the map is cut to before the
 * pages are written, 0 for no cut; the map's length before the record
 * and its inode number; its sequence number and the checksum of the
 * record before) and for each page its offset (8 bytes) and its bytes.  Host byte order: it never leaves this host.  Its checksum is
 * wide() (magic DRACJNL4).  An older dracd's journal holds one record,
 * its header without the chain (struct jhdr3): DRACJNL3, checksum
 * wide(), or DRACJNL2, byte-wise FNV-1a; it is still checked and
 * replayed.
 *
 * The map, the journal and the owner lock are opened by safeopen.c's
 * rules (no symbolic link, one hard link, the expected owner, the
 * descriptor checked against the path); change_chown() gives away only
 * those made here, in this run.
 *
 * A map replaced under dracd (cp m.db x && mv x m.db) is noticed before
 * each change: change_replaced() compares the path with the descriptor,
 * and change_reopen() opens the new file in its place.
 *
 * Error idiom, as in the rest of the daemon: 0 or -1, and every -1 is
 * logged where it happens.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "clock.h"
#include "lock.h"
#include "log.h"
#include "safeopen.h"

#define JNL_MAGIC	"DRACJNL4"	/* chained records; checksum: wide() */
#define JNL_MAGIC3	"DRACJNL3"	/* an older dracd's, one record */
#define JNL_MAGIC_FNV	"DRACJNL2"	/* an even older one's: fnv() */
#define CKPT_BYTES	(32 << 20)	/* journal length that checkpoints */
#define CKPT_MS		1000		/* age of its first record, too */
#define PRIME		0x100000001b3ULL
#define LANES		4
#define MIN_PAGE	512
#define MAX_PAGE	65536
#define RUN_MAX		64		/* pages in one pwritev() */
#define FILEID_LEN	20		/* DB_FILE_ID_LEN */
#define META_MAGIC	12		/* offsets in the meta page */
#define META_PAGESIZE	20
#define META_FILEID	52
#define HASH_MAGIC	0x061561
#define BTREE_MAGIC	0x053162

struct jhdr {
	char		magic[8];
	uint8_t		fileid[FILEID_LEN];
	uint32_t	pagesize;
	uint32_t	npages;
	uint32_t	cut;		/* pages the map is cut to; 0: none */
	uint32_t	base;		/* pages the map had before; 0: unknown */
	uint32_t	spare;		/* 0 */
	uint64_t	ino;		/* the map's inode number; 0: unknown */
	uint64_t	seq;		/* greater than any record's before */
	uint64_t	prev;		/* the record before's sum; 0: none */
	uint64_t	sum;		/* of all, with sum 0 */
};

/* An older dracd's journal: one record, this header. */
struct jhdr3 {
	char		magic[8];
	uint8_t		fileid[FILEID_LEN];
	uint32_t	pagesize;
	uint32_t	npages;
	uint32_t	cut;
	uint64_t	sum;
};

struct meta {
	uint8_t		fileid[FILEID_LEN];
	uint32_t	pagesize;
};

struct change {
	const char	*mappath;
	char		*jpath;		/* the journal */
	char		*ownpath;	/* the owner lock */
	int		 mapfd;		/* the map: our descriptor, locked */
	int		 jfd;
	int		 ownerfd;
	int		 statefd;	/* the state directory, if we made it */
	int		 dbfd;		/* the map: Berkeley DB's descriptor */
	int		 made[3];	/* map, journal, lock: made by us */
	size_t		 pagesize;
	struct meta	 meta;		/* of the map, once known */
	int		 have_meta;
	unsigned char	*buf;		/* header, then the page records */
	size_t		 len, cap;
	uint32_t	*slot;		/* by page number: record index + 1 */
	size_t		 nslot;
	uint32_t	 npages;
	int		 err;		/* errno of a write not held */
	off_t		 cut;		/* the shortest cut held, or -1 */
	off_t		 lastcut;	/* the last cut held, or -1 */
	off_t		 mapsize;	/* the map's size when sealed */
	uint64_t	 mapino;	/* and its inode number */
	off_t		 jend;		/* where the next record goes */
	uint64_t	 seq;		/* the next record's number */
	uint64_t	 prev;		/* the last record's sum */
	long long	 ckpt_ms;	/* when the first record was written */
	int		 clean;		/* the map holds every record */
};

static struct change	*current;	/* begun and not yet ended */

static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n-- > 0)
		h = (h ^ *p++) * PRIME;
	return h;
}

static uint64_t
step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * PRIME;
	return h ^ h >> 31;
}

/*
 * FNV-1a's step on 8-byte words, in LANES independent lanes so that the
 * multiplies overlap: each step is a bijection of the lane, so a change
 * to any one word always changes the sum.  Byte-wise FNV-1a cost about a
 * microsecond per KiB, for every page of every change.
 */
static uint64_t
wide(uint64_t seed, const unsigned char *p, size_t n)
{
	uint64_t	h[LANES], w, r;
	int		k;

	for (k = 0; k < LANES; k++)
		h[k] = seed + (uint64_t)(k + 1) * 0x9e3779b97f4a7c15ULL;
	for (; n >= 8 * LANES; p += 8 * LANES, n -= 8 * LANES)
		for (k = 0; k < LANES; k++) {
			memcpy(&w, p + 8 * k, 8);
			h[k] = step(h[k], w);
		}
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h[0] = step(h[0], w);
	}
	r = fnv(seed, p, n);
	for (k = 0; k < LANES; k++)
		r = step(r, h[k]);
	return r;
}

#define BASIS	0xcbf29ce484222325ULL

/* A record's checksum, over all with sum 0. */
static uint64_t
checksum(const unsigned char *buf, size_t len)
{
	struct jhdr	h;
	uint64_t	s;

	memcpy(&h, buf, sizeof(h));
	h.sum = 0;
	s = wide(BASIS, (unsigned char *)&h, sizeof(h));
	return wide(s ^ len, buf + sizeof(h), len - sizeof(h));
}

/* An older dracd's journal's checksum, as its magic says. */
static uint64_t
checksum3(const unsigned char *buf, size_t len)
{
	struct jhdr3	h;
	uint64_t	s;

	memcpy(&h, buf, sizeof(h));
	h.sum = 0;
	if (memcmp(h.magic, JNL_MAGIC_FNV, sizeof(h.magic)) == 0)
		return fnv(fnv(BASIS, (unsigned char *)&h, sizeof(h)),
		    buf + sizeof(h), len - sizeof(h));
	s = wide(BASIS, (unsigned char *)&h, sizeof(h));
	return wide(s ^ len, buf + sizeof(h), len - sizeof(h));
}

static int
pwrite_all(int fd, const unsigned char *p, size_t n, off_t off)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, off)) == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= w;
		off += w;
	}
	return 0;
}

static int
pread_all(int fd, unsigned char *p, size_t n, off_t off)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = pread(fd, p, n, off)) == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		p += r;
		n -= r;
		off += r;
	}
	return 0;
}

/* The offset of record i of b, a journal of pages of pagesize. */
static uint64_t
rec_off(const unsigned char *b, uint32_t i, size_t pagesize)
{
	uint64_t	off;

	memcpy(&off, b + sizeof(struct jhdr) + (size_t)i * (8 + pagesize), 8);
	return off;
}

/*
 * Write n pages, the records of b from i on, that follow each other in the
 * map, with one pwritev(); a short write is finished page by page.
 */
static int
write_run(struct change *c, const unsigned char *b, uint32_t i, uint32_t n,
    size_t pagesize)
{
	struct iovec	 iov[RUN_MAX];
	uint64_t	 off = rec_off(b, i, pagesize);
	uint32_t	 k;
	ssize_t		 w;
	size_t		 done, skip;

	for (k = 0; k < n; k++) {
		iov[k].iov_base = (void *)(b + sizeof(struct jhdr) +
		    (size_t)(i + k) * (8 + pagesize) + 8);
		iov[k].iov_len = pagesize;
	}
	while ((w = pwritev(c->mapfd, iov, n, (off_t)off)) == -1 &&
	    errno == EINTR)
		;
	if (w == -1)
		return -1;
	for (done = w, k = 0; k < n; k++, done -= skip) {
		skip = done < pagesize ? done : pagesize;
		if (skip < pagesize && pwrite_all(c->mapfd,
		    (unsigned char *)iov[k].iov_base + skip, pagesize - skip,
		    (off_t)(off + (uint64_t)k * pagesize + skip)) == -1)
			return -1;
	}
	return 0;
}

/*
 * Write npages records of b over the map; 0 or -1 (errno).  Berkeley DB
 * syncs its pages in order, so records of neighbouring pages mostly
 * follow each other: each such run goes in one system call.
 */
static int
write_pages(struct change *c, const unsigned char *b, uint32_t npages,
    size_t pagesize)
{
	uint32_t	i, n;

	for (i = 0; i < npages; i += n) {
		for (n = 1; i + n < npages && n < RUN_MAX &&
		    rec_off(b, i + n, pagesize) == rec_off(b, i + n - 1,
		    pagesize) + pagesize; n++)
			;
		if (write_run(c, b, i, n, pagesize) == -1)
			return -1;
	}
	return 0;
}

/*
 * Make the change of the journal b on the map: its cut, if any, then its
 * pages; 0 or -1 (errno).
 */
static int
apply(struct change *c, const unsigned char *b)
{
	struct jhdr	h;

	memcpy(&h, b, sizeof(h));
	if (h.cut != 0 && ftruncate(c->mapfd, (off_t)h.cut * h.pagesize) == -1)
		return -1;
	return write_pages(c, b, h.npages, h.pagesize);
}

/* Mark the record at off, and so the journal from it on, void; 0 or -1. */
static int
mark_void(struct change *c, off_t off)
{
	static const unsigned char	zero[sizeof(JNL_MAGIC) - 1];

	if (pwrite_all(c->jfd, zero, sizeof(zero), off) == 0)
		return 0;
	log_warn("%s: cannot mark done", c->jpath);
	return -1;
}

/* Empty the journal: the next record goes first; 0 or -1, logged. */
static int
empty(struct change *c, int durable)
{
	c->jend = 0;
	c->prev = 0;
	if (mark_void(c, 0) == -1)
		return -1;
	if (durable && fdatasync(c->jfd) == -1) {
		log_warn("%s: sync", c->jpath);
		return -1;
	}
	return 0;
}

/* The journal is empty, as far as it counts, and the map holds it: 0. */
static int
ready(struct change *c)
{
	c->jend = 0;
	c->prev = 0;
	c->clean = 1;
	return 0;
}

/*
 * A checkpoint: the map synced, then the journal emptied.  Returns 0, or
 * -1, logged, with the journal kept: also when a record may not be
 * wholly in the map (a change failed and change_recover() did not
 * follow).
 */
static int
checkpoint(struct change *c, int durable)
{
	if (!c->clean)
		return -1;
	if (c->jend == 0)
		return 0;
	if (fdatasync(c->mapfd) == -1) {
		/* The pages may be lost: only a replay writes them again. */
		c->clean = 0;
		log_limited(LIMIT_MAP, "%s: sync: %s", c->mappath,
		    strerror(errno));
		return -1;
	}
	return empty(c, durable);
}

/* The map's file ID and page size, from its meta page; 0 or -1. */
static int
read_meta(struct change *c, struct meta *m)
{
	unsigned char	page[META_FILEID + FILEID_LEN];
	uint32_t	magic;

	if (pread_all(c->mapfd, page, sizeof(page), 0) == -1)
		return -1;
	memcpy(&magic, page + META_MAGIC, 4);
	memcpy(&m->pagesize, page + META_PAGESIZE, 4);
	memcpy(m->fileid, page + META_FILEID, FILEID_LEN);
	if (magic != HASH_MAGIC && magic != BTREE_MAGIC) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Open the file at path (safeopen.c), for reading and writing, creating
 * it with mode; its descriptor, *made set if it was made here, or -1,
 * logged.
 */
static int
open_file(const char *path, int flags, mode_t mode, int *made)
{
	const char	*why;
	int		 fd;

	fd = safe_open(path, flags | O_RDWR | O_CREAT, mode, made, &why);
	if (fd == -1 && why != NULL)
		log_warnx("%s: %s; refusing it", path, why);
	else if (fd == -1)
		log_warn("%s", path);
	return fd;
}

/*
 * Make the state directory dir if it is missing.  Returns its real path,
 * or NULL, logged; *fd is a descriptor of it when it was made here.
 */
static char *
make_statedir(const char *dir, int *fd)
{
	struct stat	 st;
	char		*real;

	*fd = -1;
	if (mkdir(dir, 0755) == 0)
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    O_NOFOLLOW);
	else if (errno != EEXIST) {
		log_warn("%s: cannot make the state directory", dir);
		return NULL;
	}
	/* Only the directory just made is ever given away. */
	if (*fd != -1 && (fstat(*fd, &st) == -1 || st.st_uid != geteuid())) {
		close(*fd);
		*fd = -1;
	}
	if ((real = realpath(dir, NULL)) == NULL)
		log_warn("%s", dir);
	return real;
}

/*
 * Open the map file at mappath, creating it 0644, its journal, and take
 * the owner lock, both in statedir (made if missing).  Nothing is
 * recovered yet: change_recover().  Returns NULL, logged, on failure.
 */
struct change *
change_open(const char *mappath, const char *statedir)
{
	struct change	*c;
	const char	*base;
	char		*dir;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("change_open");
		return NULL;
	}
	c->mappath = mappath;
	c->mapfd = c->jfd = c->ownerfd = c->dbfd = -1;
	c->seq = (uint64_t)arc4random() << 32 | arc4random();
	if ((base = strrchr(mappath, '/')) != NULL)
		base++;
	else
		base = mappath;
	if ((dir = make_statedir(statedir, &c->statefd)) == NULL)
		goto fail;
	if (asprintf(&c->jpath, "%s/%s.journal", dir, base) == -1 ||
	    asprintf(&c->ownpath, "%s/%s.lock", dir, base) == -1) {
		c->jpath = c->ownpath = NULL;
		log_warn("change_open");
		free(dir);
		goto fail;
	}
	free(dir);
	if ((c->ownerfd = lock_owner(c->ownpath, mappath, &c->made[2])) == -1 ||
	    (c->mapfd = open_file(mappath, 0, 0644, &c->made[0])) == -1 ||
	    (c->jfd = open_file(c->jpath, 0, 0600, &c->made[1])) == -1)
		goto fail;
	return c;
fail:
	change_close(c);
	return NULL;
}

/*
 * Read the record at off of a journal of size bytes, its header hsize
 * bytes long, into a new buffer (*b, *len bytes, room for front more in
 * front): 1, or 0 when the pages it says cannot be there, or -1 when it
 * cannot be read (errno).
 */
static int
read_rec(struct change *c, off_t off, off_t size, size_t hsize,
    uint32_t pagesize, uint32_t npages, size_t front, unsigned char **b,
    size_t *len)
{
	uint64_t	rec;

	if (pagesize < MIN_PAGE || pagesize > MAX_PAGE ||
	    (pagesize & (pagesize - 1)) != 0)
		return 0;
	rec = 8 + (uint64_t)pagesize;
	if (npages > ((uint64_t)(size - off) - hsize) / rec ||
	    hsize + npages * rec > SIZE_MAX - front)
		return 0;
	*len = (size_t)(hsize + npages * rec);
	if ((*b = malloc(*len + front)) == NULL)
		return -1;
	if (pread_all(c->jfd, *b, *len, off) == -1) {
		free(*b);
		return -1;
	}
	return 1;
}

/*
 * The record at off of a journal of size bytes into a new buffer (*b,
 * *len bytes): 1 when it is whole, its checksum holds and it follows the
 * record whose sum is prev (0: it is the first); else 0, or -1 when it
 * cannot be read (errno).
 */
static int
load(struct change *c, off_t off, off_t size, uint64_t prev,
    unsigned char **b, size_t *len)
{
	struct jhdr	h;
	int		r;

	if (size - off < (off_t)sizeof(h))
		return 0;
	if (pread_all(c->jfd, (unsigned char *)&h, sizeof(h), off) == -1)
		return -1;
	if (memcmp(h.magic, JNL_MAGIC, sizeof(h.magic)) != 0 || h.prev != prev)
		return 0;
	if ((r = read_rec(c, off, size, sizeof(h), h.pagesize, h.npages, 0, b,
	    len)) == 1 && checksum(*b, *len) != h.sum) {
		free(*b);
		return 0;
	}
	return r;
}

/*
 * An older dracd's journal, of size bytes: as load(), its one record, in
 * this dracd's layout.
 */
static int
load3(struct change *c, off_t size, unsigned char **b, size_t *len)
{
	struct jhdr3	h3;
	struct jhdr	h;
	int		r;

	if (size < (off_t)sizeof(h3))
		return 0;
	if (pread_all(c->jfd, (unsigned char *)&h3, sizeof(h3), 0) == -1)
		return -1;
	/* Room for the longer header in front, once checked. */
	if ((r = read_rec(c, 0, size, sizeof(h3), h3.pagesize, h3.npages,
	    sizeof(h) - sizeof(h3), b, len)) != 1)
		return r;
	if (checksum3(*b, *len) != h3.sum) {
		free(*b);
		return 0;
	}
	memmove(*b + sizeof(h), *b + sizeof(h3), *len - sizeof(h3));
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, h3.magic, sizeof(h.magic));
	memcpy(h.fileid, h3.fileid, FILEID_LEN);
	h.pagesize = h3.pagesize;
	h.npages = h3.npages;
	h.cut = h3.cut;
	memcpy(*b, &h, sizeof(h));
	*len = (size_t)size;	/* nothing follows it */
	return 1;
}

/*
 * Why the record b may not be written over the map m (all zeros: no
 * map), the file st, or NULL.  Its pages and its cut must lie within
 * twice the map's length before the record (base; the map's length now
 * for an older dracd's record) and its pages: a change that doubles a
 * hash table writes the last page of the new half, and the pages of
 * every half it doubles again.
 */
static const char *
check(const struct meta *m, const struct stat *st, const unsigned char *b)
{
	struct jhdr	h;
	uint64_t	off, end;
	uint32_t	i;

	memcpy(&h, b, sizeof(h));
	if (m->pagesize == 0)
		return "the map is not a Berkeley DB file";
	if (memcmp(m->fileid, h.fileid, FILEID_LEN) != 0)
		return "written for another map (file ID)";
	if (h.ino != 0 && h.ino != (uint64_t)st->st_ino)
		return "written for another file at the map's path (inode)";
	if (m->pagesize != h.pagesize)
		return "page size differs from the map's";
	end = h.base != 0 ? (uint64_t)h.base * h.pagesize :
	    (uint64_t)st->st_size;
	end = 2 * (end + (uint64_t)h.npages * h.pagesize);
	if ((uint64_t)h.cut * h.pagesize > end)
		return "it cuts the map past its end";
	for (i = 0; i < h.npages; i++) {
		off = rec_off(b, i, h.pagesize);
		if (off % h.pagesize != 0)
			return "a record is not page-aligned";
		if (off > end - h.pagesize)
			return "a record lies past the end of the map";
	}
	return NULL;
}

/*
 * Move the journal aside (why it is bad in the log) and start a new one.
 * Returns 0, or -1, logged.
 */
static int
set_aside(struct change *c, const char *why)
{
	struct stat	 st;
	char		*bad;
	int		 fd, made;

	if (asprintf(&bad, "%s.bad", c->jpath) == -1) {
		log_warn("%s", c->jpath);
		return -1;
	}
	if (rename(c->jpath, bad) == -1) {
		log_warn("%s: %s; cannot move it aside to %s", c->jpath, why,
		    bad);
		free(bad);
		return empty(c, 1) == 0 ? ready(c) : -1;
	}
	log_warnx("%s: %s; not replayed, moved aside to %s", c->jpath, why,
	    bad);
	free(bad);
	if ((fd = open_file(c->jpath, O_TRUNC, 0600, &made)) == -1)
		return -1;
	if (made && fstat(c->jfd, &st) == 0 &&
	    fchown(fd, st.st_uid, st.st_gid) == -1)
		log_warn("%s: chown", c->jpath);
	close(c->jfd);
	c->jfd = fd;
	return ready(c);
}

/*
 * The journal's next record, from off on, after the one whose sum is
 * *prev (an older dracd's journal: its one record), as load(); *prev
 * becomes its sum.
 */
static int
next(struct change *c, off_t off, off_t size, uint64_t *prev,
    unsigned char **b, size_t *len)
{
	struct jhdr	h;
	char		magic[8];
	int		r;

	if (off == 0 && size >= (off_t)sizeof(magic)) {
		if (pread_all(c->jfd, (unsigned char *)magic, sizeof(magic),
		    0) == -1)
			return -1;
		if (memcmp(magic, JNL_MAGIC3, sizeof(magic)) == 0 ||
		    memcmp(magic, JNL_MAGIC_FNV, sizeof(magic)) == 0)
			return load3(c, size, b, len);
	}
	if ((r = load(c, off, size, *prev, b, len)) == 1) {
		memcpy(&h, *b, sizeof(h));
		*prev = h.sum;
	}
	return r;
}

/*
 * Walk the journal's records in order: check each against the map m (n
 * counts them, pages their pages), and with write also write it.
 * Returns NULL, or why a record may not be written (nothing written
 * then), or "" when the journal could not be read or the map written
 * (errno).
 */
static const char *
walk(struct change *c, const struct meta *m, int write, uint32_t *n,
    uint64_t *pages)
{
	struct stat	 js, ms;
	struct jhdr	 h;
	unsigned char	*b;
	const char	*why = NULL;
	uint64_t	 prev = 0, first = 0, cuts = 0;
	size_t		 len;
	off_t		 off = 0;
	int		 r;

	*n = 0;
	*pages = 0;
	if (fstat(c->jfd, &js) == -1 || fstat(c->mapfd, &ms) == -1)
		return "";
	while (why == NULL &&
	    (r = next(c, off, js.st_size, &prev, &b, &len)) == 1) {
		if ((why = check(m, &ms, b)) == NULL && write &&
		    apply(c, b) == -1)
			why = "";
		memcpy(&h, b, sizeof(h));
		free(b);
		if (*n == 0)
			first = (uint64_t)h.base * h.pagesize;
		if (h.cut != 0 && h.cut < h.base)
			cuts += (uint64_t)(h.base - h.cut) * h.pagesize;
		off += len;
		(*n)++;
		*pages += h.npages;
		if (write && c->seq <= h.seq)
			c->seq = h.seq + 1;
	}
	if (why == NULL && r == -1)
		return "";
	/* The map now is no shorter than the records' own cuts made it. */
	if (why == NULL && first > (uint64_t)ms.st_size + cuts)
		return "its first change begins past the end of the map";
	return why;
}

/*
 * Recover: write the journal's records over the map again (see the top),
 * sync the map and empty the journal.  The readers must be kept out and
 * the map closed in Berkeley DB.  Returns 0, or -1, logged, when the map
 * could not be written.
 */
int
change_recover(struct change *c)
{
	struct meta	 m;
	const char	*why;
	uint64_t	 pages;
	uint32_t	 n;

	c->clean = 0;
	/* No map yet, or not one: no record fits it (check()). */
	if (read_meta(c, &m) == -1)
		memset(&m, 0, sizeof(m));
	why = walk(c, &m, 0, &n, &pages);
	/* Nothing whole: nothing of it reached the map. */
	if (why == NULL && n == 0)
		return ready(c);
	if (why != NULL && *why != '\0')
		return set_aside(c, why);
	if (why != NULL || walk(c, &m, 1, &n, &pages) != NULL ||
	    fdatasync(c->mapfd) == -1) {
		log_warn("%s: cannot complete the interrupted changes",
		    c->jpath);
		return -1;
	}
	log_warnx("%s: completed %" PRIu32 " interrupted change%s (%" PRIu64
	    " pages)", c->jpath, n, n == 1 ? "" : "s", pages);
	if (empty(c, 1) == -1)
		return -1;
	return ready(c);
}

/*
 * Whether the file at the map's path is no longer the one open (renamed
 * over, or removed): 1 if so, else 0.
 */
int
change_replaced(struct change *c)
{
	struct stat	at_path, held;

	if (fstat(c->mapfd, &held) == -1)
		return 0;
	if (stat(c->mappath, &at_path) == -1)
		return errno == ENOENT;
	return at_path.st_dev != held.st_dev || at_path.st_ino != held.st_ino;
}

/*
 * Open the file now at the map's path (creating it 0644) in place of the
 * one open, outside a change; 0 or -1, logged (the old one is kept).
 */
int
change_reopen(struct change *c)
{
	const char	*why;
	int		 fd, made;

	fd = safe_open(c->mappath, O_RDWR | O_CREAT, 0644, &made, &why);
	if (fd == -1) {
		log_limited(LIMIT_MAP, "%s: cannot open the new map: %s",
		    c->mappath, why != NULL ? why : strerror(errno));
		return -1;
	}
	/*
	 * The journal holds the old file's changes: never written onto the
	 * new one (a copy has the same file ID).  The old file is synced for
	 * whoever still reads it; a failure there does not hold up the new.
	 */
	if (c->jend != 0 && fdatasync(c->mapfd) == -1)
		log_warn("%s: sync of the file replaced", c->mappath);
	if (empty(c, 1) == -1) {
		close(fd);
		return -1;
	}
	ready(c);
	close(c->mapfd);
	c->mapfd = fd;
	c->have_meta = 0;
	return 0;
}

/* Keep the map's readers out, outside a change; 0 or -1, logged. */
int
change_readers_out(struct change *c)
{
	return lock_readers_out(c->mapfd, c->mappath);
}

/* Let the map's readers in again. */
void
change_readers_in(struct change *c)
{
	lock_readers_in(c->mapfd, c->mappath);
}

static void
reset(struct change *c)
{
	c->len = sizeof(struct jhdr);
	c->npages = 0;
	c->err = 0;
	c->cut = c->lastcut = -1;
	if (c->slot != NULL)
		memset(c->slot, 0, c->nslot * sizeof(*c->slot));
}

/*
 * Begin a change: until change_commit() or change_abort(), hold the
 * writes Berkeley DB makes through dbfd, pages of pagesize bytes.
 */
void
change_begin(struct change *c, int dbfd, size_t pagesize)
{
	c->dbfd = dbfd;
	c->pagesize = pagesize;
	reset(c);
	current = c;
}

/* Grow the index of held pages to nn slots; 0, or -1 (errno). */
static int
grow_slots(struct change *c, size_t nn)
{
	uint32_t	*ns, idx;
	uint64_t	 o;
	size_t		 h;

	if ((ns = calloc(nn, sizeof(*ns))) == NULL)
		return -1;
	for (idx = 0; idx < c->npages; idx++) {
		o = rec_off(c->buf, idx, c->pagesize);
		for (h = (o / c->pagesize) * 0x9e3779b1u;
		    ns[h & (nn - 1)] != 0; h++)
			;
		ns[h & (nn - 1)] = idx + 1;
	}
	free(c->slot);
	c->slot = ns;
	c->nslot = nn;
	return 0;
}

/* The record of the page at off, added if add; NULL (errno) if none. */
static unsigned char *
record(struct change *c, off_t off, int add)
{
	size_t		 h, rec = 8 + c->pagesize, ncap;
	uint64_t	 o = (uint64_t)off;
	uint32_t	 idx;
	unsigned char	*nb, *r;

	for (h = (o / c->pagesize) * 0x9e3779b1u; c->nslot > 0; h++) {
		if ((idx = c->slot[h & (c->nslot - 1)]) == 0)
			break;
		r = c->buf + sizeof(struct jhdr) + (idx - 1) * rec;
		if (memcmp(r, &o, 8) == 0)
			return r;
	}
	if (!add) {
		errno = ENOENT;
		return NULL;
	}
	if ((c->npages + 1) * 2 > c->nslot) {
		if (grow_slots(c, c->nslot ? c->nslot * 2 : 64) == -1)
			return NULL;
		return record(c, off, add);
	}
	if (c->len + rec > c->cap) {
		ncap = c->cap ? c->cap * 2 : sizeof(struct jhdr) + 16 * rec;
		if (ncap < c->len + rec)
			ncap = c->len + rec;
		if ((nb = realloc(c->buf, ncap)) == NULL)
			return NULL;
		c->buf = nb;
		c->cap = ncap;
	}
	r = c->buf + c->len;
	memcpy(r, &o, 8);
	c->len += rec;
	c->slot[h & (c->nslot - 1)] = ++c->npages;
	return r;
}

/* Where the map ends once the held pages are written. */
static off_t
extent(const struct change *c)
{
	uint64_t	off, end = 0;
	uint32_t	i;

	for (i = 0; i < c->npages; i++) {
		off = rec_off(c->buf, i, c->pagesize);
		if (off + c->pagesize > end)
			end = off + c->pagesize;
	}
	return (off_t)end;
}

/*
 * Take the record written last out of the journal again, durably: not a
 * byte of its change reached the map.
 */
static void
unwrite(struct change *c, off_t at, uint64_t prev)
{
	c->jend = at;
	c->prev = prev;
	if (mark_void(c, at) == 0 && fdatasync(c->jfd) == -1)
		log_warn("%s: sync", c->jpath);
}

/* Steps 1 and 2 of a commit; 0, or -1 (errno) with the map untouched. */
static int
prepare(struct change *c)
{
	struct jhdr	h;
	off_t		end, at = c->jend;
	int		err;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, JNL_MAGIC, sizeof(h.magic));
	memcpy(h.fileid, c->meta.fileid, FILEID_LEN);
	h.pagesize = c->pagesize;
	h.npages = c->npages;
	h.cut = c->cut == -1 ? 0 : (uint32_t)(c->cut / c->pagesize);
	h.base = (uint32_t)(c->mapsize / (off_t)c->pagesize);
	h.ino = c->mapino;
	h.seq = c->seq;
	h.prev = c->prev;
	memcpy(c->buf, &h, sizeof(h));
	h.sum = checksum(c->buf, c->len);
	memcpy(c->buf, &h, sizeof(h));
	/* Torn, the record ends the chain; the next goes in its place. */
	if (pwrite_all(c->jfd, c->buf, c->len, at) == -1 ||
	    fdatasync(c->jfd) == -1)
		return -1;
	if (at == 0)
		c->ckpt_ms = clock_ms();
	c->jend = at + (off_t)c->len;
	c->prev = h.sum;
	c->seq++;
	if ((end = extent(c)) <= c->mapsize)
		return 0;
	if ((err = posix_fallocate(c->mapfd, c->mapsize,
	    end - c->mapsize)) == 0)
		return 0;
	/* Not a byte of the change is in the map: forget it. */
	if (ftruncate(c->mapfd, c->mapsize) == -1)
		log_warn("%s: truncate", c->mappath);
	unwrite(c, at, h.prev);
	errno = err;
	return -1;
}

/*
 * End the change begun, before steps 1 to 4: from now on Berkeley DB's
 * writes go to the file again, and the held pages wait for
 * change_write().  Returns 1 when there are pages to write, 0 when there
 * are none, -1, logged, when the change cannot be committed.
 */
static int
change_seal(struct change *c)
{
	struct stat	 mst;
	unsigned char	*r;

	if (current != c) {
		log_warnx("%s: commit without a change begun", c->jpath);
		return -1;
	}
	current = NULL;
	/* Cut, grown, cut again past the pages: the file ends at that cut. */
	if (c->lastcut > c->cut && c->lastcut > extent(c)) {
		if ((r = record(c, c->lastcut - (off_t)c->pagesize, 1)) == NULL)
			c->err = errno;
		else
			memset(r + 8, 0, c->pagesize);
	}
	if (c->err != 0) {
		log_limited(LIMIT_MAP, "%s: cannot hold a page: %s",
		    c->mappath, strerror(c->err));
		return -1;
	}
	if (c->npages == 0 && c->cut == -1)
		return 0;
	if (!c->have_meta && read_meta(c, &c->meta) == 0)
		c->have_meta = 1;
	if (!c->have_meta || fstat(c->mapfd, &mst) == -1) {
		log_limited(LIMIT_MAP, "%s: %s", c->mappath, strerror(errno));
		return -1;
	}
	c->mapsize = mst.st_size;
	c->mapino = (uint64_t)mst.st_ino;
	return 1;
}

/*
 * Steps 1 to 4 of the change sealed: only the change's own files and
 * pages are touched.  Returns 0, or -1, logged, when the change did not
 * reach the map or the map could not be synced; the map is then either
 * as the last change left it or completed by change_recover().
 */
static int
change_write(struct change *c)
{
	struct jhdr	h;
	int		ret;

	if (prepare(c) == -1) {
		log_limited(LIMIT_MAP, "%s: journal: %s", c->jpath,
		    strerror(errno));
		return -1;
	}
	if (lock_readers_out(c->mapfd, c->mappath) == -1) {
		/* Not a byte of the change is in the map: forget it. */
		memcpy(&h, c->buf, sizeof(h));
		unwrite(c, c->jend - (off_t)c->len, h.prev);
		return -1;
	}
	ret = apply(c, c->buf);
	lock_readers_in(c->mapfd, c->mappath);
	if (ret == -1) {
		c->clean = 0;
		log_limited(LIMIT_MAP, "%s: writing the change: %s",
		    c->mappath, strerror(errno));
		return -1;
	}
	if (c->jend >= CKPT_BYTES || clock_ms() - c->ckpt_ms >= CKPT_MS)
		return checkpoint(c, 0);
	return 0;
}

/*
 * Commit the change begun: change_seal(), then change_write().  Returns
 * 0, or -1, logged, when the change did not reach the map, or did but
 * the map could not be synced at a checkpoint (change_recover() writes
 * it again).
 */
int
change_commit(struct change *c)
{
	int	ret;

	if ((ret = change_seal(c)) <= 0)
		return ret;
	return change_write(c);
}

/*
 * Milliseconds until a checkpoint of the journal is due (see the top),
 * between changes: 0 when due, -1 when there is nothing a checkpoint can
 * do (the journal empty, or a record that change_recover() must write
 * again first).
 */
long long
change_due_ms(struct change *c)
{
	long long	left;

	if (c->jend == 0 || !c->clean)
		return -1;
	left = c->ckpt_ms + CKPT_MS - clock_ms();
	return left > 0 ? left : 0;
}

/*
 * A checkpoint between changes, so that the journal of a map that is no
 * longer written is not left to replay: 0, or -1, logged, with the
 * journal kept (and to be written again: change_recover()).
 */
int
change_checkpoint(struct change *c)
{
	return checkpoint(c, 0);
}

/* Abort the change begun, if any: forget the held pages. */
void
change_abort(struct change *c)
{
	if (current == c)
		current = NULL;
	reset(c);
}

/* Write this process's PID into the owner lock (after daemon(3)). */
void
change_claim(struct change *c)
{
	lock_owner_pid(c->ownerfd, c->ownpath);
}

/*
 * Give the files made in this run (map, journal, owner lock, state
 * directory) to uid and gid.  A file that was there is never given away
 * (it may be a link planted to another file): it must be uid's already,
 * since dracd writes and reopens it as uid.  0 or -1, logged.
 */
int
change_chown(struct change *c, uid_t uid, gid_t gid)
{
	const char	*path[3] = { c->mappath, c->jpath, c->ownpath };
	int		 fd[3] = { c->mapfd, c->jfd, c->ownerfd };
	struct stat	 st;
	int		 i;

	for (i = 0; i < 3; i++)
		if (c->made[i] && fchown(fd[i], uid, gid) == -1) {
			log_warn("%s: chown", path[i]);
			return -1;
		}
	if (c->statefd != -1 && fchown(c->statefd, uid, gid) == -1) {
		log_warn("%s: chown of the state directory", c->jpath);
		return -1;
	}
	/* After the chown: a start refused here leaves no file of root's. */
	for (i = 0; i < 3; i++) {
		if (c->made[i])
			continue;
		if (fstat(fd[i], &st) == -1) {
			log_warn("%s", path[i]);
			return -1;
		}
		if (st.st_uid != uid) {
			log_warnx("%s: owned by uid %ld, not by the user "
			    "dracd runs as (uid %ld), and dracd gives away only "
			    "the files it makes; chown it", path[i],
			    (long)st.st_uid, (long)uid);
			return -1;
		}
	}
	return 0;
}

/* 1 when fd (Berkeley DB's) is open on the map file checked, else 0. */
int
change_is_map(struct change *c, int fd)
{
	return safe_same(fd, c->mapfd);
}

/* Empty the map file, outside a change; 0 or -1, logged. */
int
change_truncate(struct change *c)
{
	/* A chain of the old file's could still be on the disk. */
	if (empty(c, 1) == -1)
		return -1;
	if (ftruncate(c->mapfd, 0) == 0)
		return 0;
	log_warn("%s: truncate", c->mappath);
	return -1;
}

/* Close the files; the owner lock goes with them. */
void
change_close(struct change *c)
{
	if (c == NULL)
		return;
	if (current == c)
		current = NULL;
	/* The map is synced: the journal is left empty. */
	if (c->jfd != -1 && checkpoint(c, 0) == 0 &&
	    (ftruncate(c->jfd, 0) == -1 || fdatasync(c->jfd) == -1))
		log_warn("%s: cannot empty", c->jpath);
	if (c->jfd != -1)
		close(c->jfd);
	if (c->mapfd != -1)
		close(c->mapfd);
	if (c->statefd != -1)
		close(c->statefd);
	if (c->ownerfd != -1)
		close(c->ownerfd);
	free(c->slot);
	free(c->buf);
	free(c->jpath);
	free(c->ownpath);
	free(c);
}

/*
 * The write step: Berkeley DB's pwrite hook.  A page of the map written
 * during a change is held, never fails (see the top).
 */
ssize_t
change_pwrite(int fd, const void *b, size_t n, off_t off)
{
	struct change	*c = current;
	unsigned char	*r;

	if (c == NULL || fd != c->dbfd)
		return pwrite(fd, b, n, off);
	if (n != c->pagesize || off < 0 || off % c->pagesize != 0)
		c->err = EINVAL;
	else if ((r = record(c, off, 1)) == NULL)
		c->err = errno;
	else
		memcpy(r + 8, b, n);
	return n;
}

/*
 * Berkeley DB's pread hook: a page held during a change comes from here,
 * and one past the change's cut reads as zeros, as it will in the file.
 */
ssize_t
change_pread(int fd, void *b, size_t n, off_t off)
{
	struct change	*c = current;
	unsigned char	*r;

	if (c != NULL && fd == c->dbfd && n == c->pagesize) {
		if ((r = record(c, off, 0)) != NULL) {
			memcpy(b, r + 8, n);
			return n;
		}
		if (c->cut != -1 && off >= c->cut) {
			memset(b, 0, n);
			return n;
		}
	}
	return pread(fd, b, n, off);
}

/* Forget the held pages at len and past it, which a cut threw away. */
static void
forget_from(struct change *c, off_t len)
{
	unsigned char	*rec0 = c->buf + sizeof(struct jhdr);
	size_t		 rec = 8 + c->pagesize;
	uint32_t	 i = 0, n = c->npages;

	while (i < c->npages)
		if (rec_off(c->buf, i, c->pagesize) >= (uint64_t)len) {
			c->npages--;
			c->len -= rec;
			memmove(rec0 + i * rec, rec0 + (size_t)c->npages * rec,
			    rec);
		} else
			i++;
	if (c->npages != n && grow_slots(c, c->nslot) == -1)
		c->err = errno;
}

/*
 * Berkeley DB's ftruncate hook: during a change the cut is held, like
 * the pages (see the top).  Returns 0, or an errno value, as the hook
 * must.
 */
int
change_ftruncate(int fd, off_t len)
{
	struct change	*c = current;

	if (c == NULL || fd != c->dbfd)
		return ftruncate(fd, len) == 0 ? 0 : errno;
	if (len < 0 || len % c->pagesize != 0) {
		c->err = EINVAL;
		return 0;
	}
	if (c->cut == -1 || len < c->cut)
		c->cut = len;
	c->lastcut = len;
	forget_from(c, len);
	return 0;
}

/* Berkeley DB's fsync hook: the map is synced at a checkpoint (step 4), not here. */
int
change_fsync(int fd)
{
	if (current != NULL && fd == current->dbfd)
		return 0;
	return fdatasync(fd);
}

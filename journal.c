/*
 * journal.c: all-or-nothing changes to the map file.
 *
 * Berkeley DB without an environment writes the pages of a change one by
 * one (in DB->sync, or when it evicts a page from its cache during a put).
 * A dracd killed between two of those writes, or a write refused by a full
 * disk, leaves a file that fails db_verify or has lost records written long
 * before: a hash bucket split moves records from one page to another, and
 * only one of the two may reach the file (tests/t-soak.sh, t-disk.sh).
 *
 * So during a change (journal_begin() to journal_commit()) map.c routes
 * Berkeley DB's page I/O through the hooks at the end of this file: the
 * map's pages it writes are held in memory, and reads of those pages are
 * served from there.  journal_commit() then
 *
 *   1. writes the pages, with their offsets and a checksum, to the
 *      journal file (MAP.journal) and fdatasync()s it;
 *   2. reserves the space the map grows by (posix_fallocate);
 *   3. writes the pages over the map and fdatasync()s it;
 *   4. marks the journal done.
 *
 * Before step 1 completes the map is untouched, as the last change left it;
 * from then on a complete journal holds the change, and journal_replay()
 * (at open, and after a failure) writes it over the map again.  Writing
 * the same pages twice is harmless, so the mark of step 4 is not synced.
 * A journal is only replayed onto the file it was written for (device and
 * inode), and only when its checksum holds.
 *
 * The file: a header (struct jhdr), then for each page its offset
 * (8 bytes) and its bytes.  Host byte order: it never leaves this host.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

#define JNL_MAGIC	"DRACJNL1"
#define JNL_SUFFIX	".journal"
#define MIN_PAGE	512
#define MAX_PAGE	65536

struct jhdr {
	char		magic[8];
	uint64_t	dev;
	uint64_t	ino;
	uint32_t	pagesize;
	uint32_t	npages;
	uint64_t	sum;		/* FNV-1a of all, with sum 0 */
};

struct journal {
	char		*path;
	int		 fd;		/* the journal file */
	int		 mapfd;		/* the map, our descriptor */
	int		 dbfd;		/* the map, Berkeley DB's descriptor */
	size_t		 pagesize;
	unsigned char	*buf;		/* header, then the page records */
	size_t		 len, cap;
	uint32_t	*slot;		/* by page number: record index + 1 */
	size_t		 nslot;
	uint32_t	 npages;
	int		 err;		/* errno of a write not held back */
};

static struct journal	*active;	/* the one in a change, or NULL */

static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static uint64_t
checksum(const unsigned char *buf, size_t len)
{
	struct jhdr	h;

	memcpy(&h, buf, sizeof(h));
	h.sum = 0;
	return fnv(fnv(0xcbf29ce484222325ULL, (unsigned char *)&h,
	    sizeof(h)), buf + sizeof(h), len - sizeof(h));
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

/* Write npages records of b over the map; 0 or -1 (errno). */
static int
write_pages(struct journal *j, const unsigned char *b, uint32_t npages,
    size_t pagesize)
{
	const unsigned char	*r;
	uint64_t		 off;
	uint32_t		 i;

	for (i = 0; i < npages; i++) {
		r = b + sizeof(struct jhdr) + (size_t)i * (8 + pagesize);
		memcpy(&off, r, 8);
		if (pwrite_all(j->mapfd, r + 8, pagesize, (off_t)off) == -1)
			return -1;
	}
	return 0;
}

/* Write npages records of b over the map and sync it; 0 or -1 (errno). */
static int
apply(struct journal *j, const unsigned char *b, uint32_t npages,
    size_t pagesize)
{
	if (write_pages(j, b, npages, pagesize) == -1)
		return -1;
	return fdatasync(j->mapfd);
}

/* Mark the journal done; 0, or -1 (logged). */
static int
mark_done(struct journal *j)
{
	static const unsigned char	zero[sizeof(JNL_MAGIC) - 1];

	if (pwrite_all(j->fd, zero, sizeof(zero), 0) == 0)
		return 0;
	log_warn("%s: cannot mark done", j->path);
	return -1;
}

static void
reset(struct journal *j)
{
	j->len = sizeof(struct jhdr);
	j->npages = 0;
	j->err = 0;
	if (j->slot != NULL)
		memset(j->slot, 0, j->nslot * sizeof(*j->slot));
}

/* Open (creating it 0600) the journal of the map at mappath, on mapfd. */
struct journal *
journal_open(const char *mappath, int mapfd)
{
	struct journal	*j;
	struct stat	 st;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    asprintf(&j->path, "%s%s", mappath, JNL_SUFFIX) == -1) {
		log_warn("journal_open");
		free(j);
		return NULL;
	}
	j->mapfd = mapfd;
	j->dbfd = -1;
	j->fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (j->fd == -1 || fstat(j->fd, &st) == -1)
		log_warn("%s", j->path);
	else if (!S_ISREG(st.st_mode))
		log_warnx("%s: not a regular file", j->path);
	else if (journal_replay(j) != -1)
		return j;
	journal_close(j);
	return NULL;
}

/* Read a complete journal for this map into a new buffer, or NULL. */
static unsigned char *
load(struct journal *j, struct jhdr *h)
{
	struct stat	 st, mst;
	unsigned char	*b;
	size_t		 rec, len;

	if (fstat(j->fd, &st) == -1 || fstat(j->mapfd, &mst) == -1)
		return NULL;
	if (h->dev != (uint64_t)mst.st_dev || h->ino != (uint64_t)mst.st_ino) {
		log_warnx("%s: written for another file; ignored", j->path);
		return NULL;
	}
	if (h->pagesize < MIN_PAGE || h->pagesize > MAX_PAGE ||
	    (h->pagesize & (h->pagesize - 1)) != 0)
		return NULL;
	rec = 8 + (size_t)h->pagesize;
	if ((size_t)st.st_size < sizeof(*h) ||
	    h->npages > ((size_t)st.st_size - sizeof(*h)) / rec)
		return NULL;
	len = sizeof(*h) + h->npages * rec;
	if ((b = malloc(len)) == NULL)
		return NULL;
	if (pread_all(j->fd, b, len, 0) == -1 || checksum(b, len) != h->sum) {
		free(b);
		return NULL;
	}
	return b;
}

/*
 * Write a complete journal over the map again (see the top); the map must
 * not be open in Berkeley DB.  Returns 0, or -1 (logged) when the map
 * could not be written.
 */
int
journal_replay(struct journal *j)
{
	struct jhdr	 h;
	unsigned char	*b;
	ssize_t		 n;
	int		 ret;

	if ((n = pread(j->fd, &h, sizeof(h), 0)) == -1) {
		log_warn("%s", j->path);
		return -1;
	}
	if (n != sizeof(h) || memcmp(h.magic, JNL_MAGIC, sizeof(h.magic)) != 0)
		return 0;
	if ((b = load(j, &h)) == NULL) {
		/* Never complete, so never begun on the map. */
		mark_done(j);
		return 0;
	}
	ret = apply(j, b, h.npages, h.pagesize);
	free(b);
	if (ret == -1) {
		log_warn("%s: cannot complete the interrupted change",
		    j->path);
		return -1;
	}
	log_warnx("%s: completed an interrupted change (%" PRIu32 " pages)",
	    j->path, h.npages);
	mark_done(j);
	return 0;
}

/*
 * Start a change: until journal_commit() or journal_abort(), hold back the
 * writes Berkeley DB makes through dbfd, pages of pagesize bytes.
 */
void
journal_begin(struct journal *j, int dbfd, size_t pagesize)
{
	j->dbfd = dbfd;
	j->pagesize = pagesize;
	reset(j);
	active = j;
}

/* The record of the page at off, added if add; NULL (errno) if none. */
static unsigned char *
record(struct journal *j, off_t off, int add)
{
	uint32_t	*ns, idx;
	size_t		 h, rec = 8 + j->pagesize, nn, ncap;
	uint64_t	 o = (uint64_t)off;
	unsigned char	*nb, *r;

	for (h = (o / j->pagesize) * 0x9e3779b1u; j->nslot > 0; h++) {
		if ((idx = j->slot[h & (j->nslot - 1)]) == 0)
			break;
		r = j->buf + sizeof(struct jhdr) + (idx - 1) * rec;
		if (memcmp(r, &o, 8) == 0)
			return r;
	}
	if (!add) {
		errno = ENOENT;
		return NULL;
	}
	if ((j->npages + 1) * 2 > j->nslot) {
		nn = j->nslot ? j->nslot * 2 : 64;
		if ((ns = calloc(nn, sizeof(*ns))) == NULL)
			return NULL;
		for (idx = 0; idx < j->npages; idx++) {
			memcpy(&o, j->buf + sizeof(struct jhdr) + idx * rec, 8);
			for (h = (o / j->pagesize) * 0x9e3779b1u;
			    ns[h & (nn - 1)] != 0; h++)
				;
			ns[h & (nn - 1)] = idx + 1;
		}
		free(j->slot);
		j->slot = ns;
		j->nslot = nn;
		return record(j, off, add);
	}
	if (j->len + rec > j->cap) {
		ncap = j->cap ? j->cap * 2 : sizeof(struct jhdr) + 16 * rec;
		if (ncap < j->len + rec)
			ncap = j->len + rec;
		if ((nb = realloc(j->buf, ncap)) == NULL)
			return NULL;
		j->buf = nb;
		j->cap = ncap;
	}
	r = j->buf + j->len;
	memcpy(r, &o, 8);
	j->len += rec;
	j->slot[h & (j->nslot - 1)] = ++j->npages;
	return r;
}

/* Where the map ends once the held pages are written. */
static off_t
extent(const struct journal *j)
{
	uint64_t	off, end = 0;
	uint32_t	i;

	for (i = 0; i < j->npages; i++) {
		memcpy(&off, j->buf + sizeof(struct jhdr) +
		    (size_t)i * (8 + j->pagesize), 8);
		if (off + j->pagesize > end)
			end = off + j->pagesize;
	}
	return (off_t)end;
}

/* Steps 1 and 2 of a commit; 0, or -1 (errno) with the map untouched. */
static int
prepare(struct journal *j, const struct stat *mst)
{
	struct jhdr	h;
	off_t		end;
	int		err;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, JNL_MAGIC, sizeof(h.magic));
	h.dev = mst->st_dev;
	h.ino = mst->st_ino;
	h.pagesize = j->pagesize;
	h.npages = j->npages;
	memcpy(j->buf, &h, sizeof(h));
	h.sum = checksum(j->buf, j->len);
	memcpy(j->buf, &h, sizeof(h));
	if (pwrite_all(j->fd, j->buf, j->len, 0) == -1 ||
	    fdatasync(j->fd) == -1)
		return -1;
	if ((end = extent(j)) <= mst->st_size)
		return 0;
	if ((err = posix_fallocate(j->mapfd, mst->st_size,
	    end - mst->st_size)) == 0)
		return 0;
	/* Not a byte of the change is in the map: forget it. */
	if (ftruncate(j->mapfd, mst->st_size) == -1)
		log_warn("%s: truncate", j->path);
	mark_done(j);
	errno = err;
	return -1;
}

/*
 * End a change: write the held pages through the journal to the map,
 * holding the map's locks (lock(arg) to unlock(arg)) only while the pages
 * are written over it: the syncs happen outside.  Returns 0, or -1
 * (logged) when the change did not reach the map; the map is then either
 * untouched or completed by journal_replay().
 */
int
journal_commit(struct journal *j, int (*lock)(void *),
    void (*unlock)(void *), void *arg)
{
	struct stat	mst;
	int		ret;

	if (active != j)
		return 0;
	active = NULL;
	if (j->err != 0) {
		errno = j->err;
		log_limited(LIMIT_MAP, "%s: cannot hold a page back: %s",
		    j->path, strerror(errno));
		return -1;
	}
	if (j->npages == 0)
		return 0;
	if (fstat(j->mapfd, &mst) == -1 || prepare(j, &mst) == -1) {
		log_limited(LIMIT_MAP, "%s: %s", j->path, strerror(errno));
		return -1;
	}
	if (lock(arg) == -1) {
		/* Not a byte of the change is in the map: forget it. */
		mark_done(j);
		return -1;
	}
	ret = write_pages(j, j->buf, j->npages, j->pagesize);
	unlock(arg);
	if (ret == -1 || fdatasync(j->mapfd) == -1) {
		log_limited(LIMIT_MAP, "%s: writing the change: %s", j->path,
		    strerror(errno));
		return -1;
	}
	mark_done(j);
	return 0;
}

/* Forget the held pages. */
void
journal_abort(struct journal *j)
{
	if (active == j)
		active = NULL;
	reset(j);
}

/* Give the journal file to uid and gid; 0 or -1 (logged). */
int
journal_chown(struct journal *j, uid_t uid, gid_t gid)
{
	if (fchown(j->fd, uid, gid) == 0)
		return 0;
	log_warn("%s: chown", j->path);
	return -1;
}

/* Close the journal. */
void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (active == j)
		active = NULL;
	if (j->fd != -1)
		close(j->fd);
	free(j->slot);
	free(j->buf);
	free(j->path);
	free(j);
}

/*
 * The hooks (db_env_set_func_pwrite, _pread, _fsync).  A held write never
 * fails: Berkeley DB would retry a failed one with write(2), around us;
 * the error is kept and fails the commit instead.
 */
ssize_t
journal_pwrite(int fd, const void *b, size_t n, off_t off)
{
	struct journal	*j = active;
	unsigned char	*r;

	if (j == NULL || fd != j->dbfd)
		return pwrite(fd, b, n, off);
	if (n != j->pagesize || off < 0 || off % j->pagesize != 0)
		j->err = EINVAL;
	else if ((r = record(j, off, 1)) == NULL)
		j->err = errno;
	else
		memcpy(r + 8, b, n);
	return n;
}

ssize_t
journal_pread(int fd, void *b, size_t n, off_t off)
{
	struct journal	*j = active;
	unsigned char	*r;

	if (j != NULL && fd == j->dbfd && n == j->pagesize &&
	    (r = record(j, off, 0)) != NULL) {
		memcpy(b, r + 8, n);
		return n;
	}
	return pread(fd, b, n, off);
}

int
journal_fsync(int fd)
{
	if (active != NULL && fd == active->dbfd)
		return 0;
	return fdatasync(fd);
}

/*
 * maptest: a change reaches the map file at its commit and not before
 * (tests/t-journal.sh).  Journal and lock in DIR.
 *
 *	maptest changes MAP DIR
 *		through map.c, on a new map MAP: changes that add batches
 *		of addresses, then changes that delete them in another
 *		order, so that Berkeley DB's hash splits its buckets and
 *		frees overflow pages, the file's last page among them.
 *		Before each commit the file must be, byte for byte, what
 *		it was when the change began.  Prints "N changes, M of
 *		them shortened the file".
 *	maptest hooks MAP DIR
 *		through change.c's hooks, on the map MAP (a Berkeley DB
 *		file, which it then spoils): random page writes, cuts and
 *		reads in each of many changes, and the same writes and
 *		cuts made straight on a copy, the model.  Reads through
 *		the hooks must give what the model holds (zeros for a
 *		hole), the map must not move before the commit, and must
 *		be the model after it.  Prints "N changes, M cuts".
 *
 * Exits 0, or 1 with a line on stderr.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "log.h"
#include "map.h"

#define BATCH	97	/* addresses in a change */
#define NADDR	(BATCH * 60)
#define NCHANGE	400	/* changes of random hook calls */
#define NOPS	12	/* calls in one */

struct file {
	unsigned char	*b;
	size_t		 len;
};

/* The whole file at path in f; 0 or -1. */
static int
slurp(const char *path, struct file *f)
{
	struct stat	st;
	ssize_t		n;
	int		fd, ret = -1;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && (f->b = realloc(f->b, st.st_size + 1)) &&
	    (n = pread(fd, f->b, st.st_size, 0)) == st.st_size) {
		f->len = n;
		ret = 0;
	}
	close(fd);
	return ret;
}

/* The i-th address: 10.x.y.z, spread over the hash by a multiplier. */
static void
nth(struct addr *ad, unsigned i)
{
	addr_from_v4(ad, 0x0a000000u | ((i * 2654435761u) & 0xffffffu));
}

static int
fail(const char *why, unsigned n)
{
	fprintf(stderr, "change %u: %s\n", n, why);
	return 1;
}

/* Whether the file at path holds was's bytes (read into now); 0 if not. */
static int
same(const char *path, const struct file *was, struct file *now)
{
	return slurp(path, now) == 0 && now->len == was->len &&
	    memcmp(now->b, was->b, now->len) == 0;
}

/* maptest hooks: change.c's hooks against a model file. */
static int
hooks(const char *map, const char *dir)
{
	struct file	 fa = { 0 }, fb = { 0 }, start = { 0 };
	struct change	*c;
	unsigned char	 page[65536], got[65536], want[65536];
	char		 model[4096];
	unsigned	 n, k, cuts = 0;
	off_t		 ps, pages, p;
	ssize_t		 r;
	int		 fd, md;

	snprintf(model, sizeof(model), "%s.model", map);
	if (slurp(map, &fa) == -1 || (md = open(model, O_RDWR | O_CREAT |
	    O_TRUNC, 0600)) == -1 || write(md, fa.b, fa.len) !=
	    (ssize_t)fa.len || (c = change_open(map, dir)) == NULL ||
	    (fd = open(map, O_RDWR)) == -1)
		return fail("cannot open the map or its model", 0);
	/*
	 * As dracd starts (map.c): the journal recovered, which also tells
	 * change.c the map holds it; else the first checkpoint, a second
	 * in, refuses it and fails that commit.
	 */
	if (change_readers_out(c) == -1 || change_recover(c) == -1)
		return fail("cannot recover the journal", 0);
	change_readers_in(c);
	memcpy(&n, fa.b + 20, 4);	/* the page size, in the meta page */
	ps = n;
	srandom(1);
	for (n = 0; n < NCHANGE; n++) {
		pages = lseek(md, 0, SEEK_END) / ps;
		if (slurp(map, &start) == -1)
			return fail("cannot read the map", n);
		change_begin(c, fd, ps);
		for (k = 0; k < NOPS; k++) {
			/* Never page 0: change.c reads the map's meta page. */
			p = 1 + random() % (pages + 3);
			switch (random() % 6) {
			case 0:
				if (change_ftruncate(fd, p * ps) != 0 ||
				    ftruncate(md, p * ps) == -1)
					return fail("a cut failed", n);
				cuts++;
				break;
			case 1:
			case 2:
			case 3:
				memset(page, random(), ps);
				if (change_pwrite(fd, page, ps, p * ps) != ps ||
				    pwrite(md, page, ps, p * ps) != ps)
					return fail("a write failed", n);
				break;
			default:
				memset(want, 0, ps);
				if (pread(md, want, ps, p * ps) == -1 ||
				    (r = change_pread(fd, got, ps, p * ps)) == -1)
					return fail("a read failed", n);
				/* Past the end of the model: nothing, or zeros. */
				if (memcmp(got, want, r) != 0)
					return fail("a read differs from the "
					    "model", n);
				break;
			}
			pages = lseek(md, 0, SEEK_END) / ps;
		}
		if (!same(map, &start, &fa))
			return fail("the map moved before the commit", n);
		if (change_commit(c) == -1)
			return fail("the commit failed", n);
		if (slurp(model, &fb) == -1 || !same(map, &fb, &fa))
			return fail("the map is not the model after the commit",
			    n);
	}
	change_close(c);
	close(fd);
	close(md);
	free(fa.b);
	free(fb.b);
	free(start.b);
	printf("%u changes, %u cuts\n", n, cuts);
	return 0;
}

/* maptest changes: through map.c, the file still until each commit. */
static int
changes(const char *map, const char *dir)
{
	struct map_format	 want = { MAP_UNSET, -1, -1 };
	struct file		 before = { 0 }, now = { 0 };
	struct addr		 ad;
	struct map		*m;
	unsigned		 i, k, changes = 0, shorter = 0;
	int			 del;

	if ((m = map_open(map, dir, &want, 1)) == NULL)
		return 1;
	for (del = 0; del < 2; del++)
		for (i = 0; i < NADDR; i += BATCH) {
			if (slurp(map, &before) == -1 ||
			    map_begin(m) == -1) {
				perror(map);
				return 1;
			}
			for (k = i; k < i + BATCH; k++) {
				/* The deletes go backwards, in strides. */
				nth(&ad, del ? (NADDR - 1 - k) * 7 % NADDR : k);
				if ((del ? map_del(m, &ad) :
				    map_put(m, &ad, 2000000000)) == -1)
					return 1;
			}
			if (!same(map, &before, &now)) {
				fprintf(stderr, "change %u (%s): the file went "
				    "from %zu to %zu bytes, or changed, before "
				    "its commit\n", changes, del ? "deletes" :
				    "adds", before.len, now.len);
				return 1;
			}
			if (map_commit(m) == -1 || slurp(map, &now) == -1)
				return 1;
			changes++;
			shorter += now.len < before.len;
		}
	if (map_close(m) == -1)
		return 1;
	printf("%u changes, %u of them shortened the file\n", changes,
	    shorter);
	free(before.b);
	free(now.b);
	return 0;
}

int
main(int argc, char *argv[])
{
	log_init(1, 0);
	if (argc == 4 && strcmp(argv[1], "changes") == 0)
		return changes(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "hooks") == 0)
		return hooks(argv[2], argv[3]);
	fprintf(stderr, "usage: maptest changes|hooks MAP DIR\n");
	return 2;
}

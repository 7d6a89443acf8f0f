/*
 * journaltest: writes crafted journals for tests/t-journal.sh.  It
 * includes change.c itself, for the journal's header and checksum.
 *
 *	journaltest JOURNAL IDMAP OFFSET [MAP PAGEOFF [CUT]]
 *
 * writes to JOURNAL a complete journal, its checksum valid, for the map
 * whose file ID and page size are those of IDMAP's meta page, of one
 * record at OFFSET: the page of MAP at PAGEOFF, or zeros; with CUT, the
 * map is cut to CUT pages first.  Exit status 0, or 1 with a line on
 * stderr.
 */
#include <stdio.h>

#include "change.c"

static int
fail(const char *what)
{
	perror(what);
	return 1;
}

/* The meta page of the map at path in *m; 0 or -1. */
static int
meta_of(const char *path, struct meta *m)
{
	struct change	c;
	int		ret;

	memset(&c, 0, sizeof(c));
	if ((c.mapfd = open(path, O_RDONLY)) == -1)
		return -1;
	ret = read_meta(&c, m);
	close(c.mapfd);
	return ret;
}

int
main(int argc, char *argv[])
{
	struct meta	 m;
	struct jhdr	 h;
	unsigned char	*b;
	uint64_t	 off;
	size_t		 len;
	int		 fd;

	if (argc != 4 && argc != 6 && argc != 7) {
		fprintf(stderr, "usage: journaltest JOURNAL IDMAP OFFSET "
		    "[MAP PAGEOFF [CUT]]\n");
		return 2;
	}
	if (meta_of(argv[2], &m) == -1)
		return fail(argv[2]);
	off = strtoull(argv[3], NULL, 0);
	len = sizeof(h) + 8 + m.pagesize;
	if ((b = calloc(1, len)) == NULL)
		return fail("calloc");
	memcpy(b + sizeof(h), &off, 8);
	if (argc >= 6) {
		if ((fd = open(argv[4], O_RDONLY)) == -1 ||
		    pread_all(fd, b + sizeof(h) + 8, m.pagesize,
		    strtoll(argv[5], NULL, 0)) == -1)
			return fail(argv[4]);
		close(fd);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, JNL_MAGIC, sizeof(h.magic));
	memcpy(h.fileid, m.fileid, FILEID_LEN);
	h.pagesize = m.pagesize;
	h.npages = 1;
	h.cut = argc == 7 ? strtoul(argv[6], NULL, 0) : 0;
	memcpy(b, &h, sizeof(h));
	h.sum = checksum(b, len);
	memcpy(b, &h, sizeof(h));
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    pwrite_all(fd, b, len, 0) == -1 || close(fd) == -1)
		return fail(argv[1]);
	free(b);
	return 0;
}

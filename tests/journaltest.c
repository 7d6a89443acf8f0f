/*
 * journaltest: writes crafted journals for tests/t-journal.sh.  It
 * includes change.c itself, for the journal's records and checksums.
 *
 *	journaltest [-a | -b | -3] [-s BASE] JOURNAL IDMAP OFFSET
 *	    [MAP PAGEOFF [CUT]]
 *
 * writes to JOURNAL a journal, its checksums valid, for the map IDMAP
 * (its file ID and page size, from its meta page, its inode number and,
 * unless -s gives BASE, its length in pages as the map's before the
 * record), of one record of one page at OFFSET: the page of MAP at
 * PAGEOFF, or zeros; with CUT, the map is cut to CUT pages first.  -a
 * appends the record to the journal in JOURNAL, chained after its last;
 * -b appends it unchained, as a record left from an earlier journal; -3
 * writes an older dracd's journal (DRACJNL3).  Exit status 0, or 1 with
 * a line on stderr.
 */
#include <getopt.h>
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

/*
 * Where the chain of records of the journal fd ends (*end), the last
 * one's sum (*prev) and sequence number (*seq); 0 or -1.
 */
static int
chain_end(int fd, off_t *end, uint64_t *prev, uint64_t *seq)
{
	struct change	 c;
	struct stat	 st;
	struct jhdr	 h;
	unsigned char	*b;
	size_t		 len;
	int		 r;

	memset(&c, 0, sizeof(c));
	c.jfd = fd;
	if (fstat(fd, &st) == -1)
		return -1;
	*end = 0;
	*prev = *seq = 0;
	while ((r = next(&c, *end, st.st_size, prev, &b, &len)) == 1) {
		memcpy(&h, b, sizeof(h));
		*seq = h.seq;
		*end += len;
		free(b);
	}
	return r;
}

/* The one-record journal of an older dracd from the record r, len bytes. */
static int
write3(int fd, const unsigned char *r, size_t len)
{
	struct jhdr	 h;
	struct jhdr3	 h3;
	unsigned char	*b;
	size_t		 n = len - sizeof(h) + sizeof(h3);

	if ((b = malloc(n)) == NULL)
		return -1;
	memcpy(&h, r, sizeof(h));
	memset(&h3, 0, sizeof(h3));
	memcpy(h3.magic, JNL_MAGIC3, sizeof(h3.magic));
	memcpy(h3.fileid, h.fileid, FILEID_LEN);
	h3.pagesize = h.pagesize;
	h3.npages = h.npages;
	h3.cut = h.cut;
	memcpy(b, &h3, sizeof(h3));
	memcpy(b + sizeof(h3), r + sizeof(h), len - sizeof(h));
	h3.sum = checksum3(b, n);
	memcpy(b, &h3, sizeof(h3));
	if (pwrite_all(fd, b, n, 0) == -1) {
		free(b);
		return -1;
	}
	free(b);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: journaltest [-a | -b | -3] [-s BASE] JOURNAL "
	    "IDMAP OFFSET [MAP PAGEOFF [CUT]]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct meta	 m;
	struct jhdr	 h;
	struct stat	 st;
	unsigned char	*b;
	uint64_t	 off;
	size_t		 len;
	off_t		 at = 0;
	long		 base = -1;
	int		 fd, ch, mode = 0;

	while ((ch = getopt(argc, argv, "ab3s:")) != -1) {
		if (ch == 's')
			base = strtol(optarg, NULL, 0);
		else if (ch == '?')
			return usage();
		else
			mode = ch;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 4 && argc != 6 && argc != 7)
		return usage();
	if (meta_of(argv[2], &m) == -1 || stat(argv[2], &st) == -1)
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
	h.base = base != -1 ? (uint32_t)base : (uint32_t)(st.st_size /
	    m.pagesize);
	h.ino = (uint64_t)st.st_ino;
	if ((fd = open(argv[1], O_RDWR | O_CREAT | (mode == 'a' ||
	    mode == 'b' ? 0 : O_TRUNC), 0600)) == -1)
		return fail(argv[1]);
	if ((mode == 'a' || mode == 'b') &&
	    chain_end(fd, &at, &h.prev, &h.seq) == -1)
		return fail(argv[1]);
	if (at != 0)
		h.seq++;
	if (mode == 'b')
		h.prev++;
	memcpy(b, &h, sizeof(h));
	h.sum = checksum(b, len);
	memcpy(b, &h, sizeof(h));
	if ((mode == '3' ? write3(fd, b, len) :
	    pwrite_all(fd, b, len, at)) == -1 || close(fd) == -1)
		return fail(argv[1]);
	free(b);
	return 0;
}

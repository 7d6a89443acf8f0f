/*
 * allowtest.c: drives allow.c for tests/t-allow.sh.
 *
 *   allowtest [-b] FILE           the table: "warning: " and each of its
 *                                 warnings, then one allow_format() line
 *                                 per entry ("# default" first for the
 *                                 default table); or the error line
 *   allowtest [-b] FILE ADDR...   "ADDR yes" or "ADDR no" per caller
 *   allowtest -c FILE             allow_check's report, then "N problems"
 *
 * -b reads FILE into a buffer of exactly its size and calls allow_parse,
 * so that the sanitizers see any read past the end.  ADDR "unix" is a
 * caller of another family, which addr_from_sockaddr refuses.  Everything
 * goes to stdout.  Exits 0, 1 when the table was refused (or -c found a
 * problem), 2 on usage or I/O errors.
 */
#include <sys/types.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"

static void
usage(void)
{
	fprintf(stderr, "usage: allowtest [-b] file [addr ...]\n"
	    "       allowtest -c file\n");
	exit(2);
}

/* The whole of path in a buffer of exactly its size. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	long	 len;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) == -1 ||
	    (len = ftell(fp)) == -1 || fseek(fp, 0, SEEK_SET) == -1) {
		perror(path);
		exit(2);
	}
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL ||
	    fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		perror(path);
		exit(2);
	}
	fclose(fp);
	*lenp = (size_t)len;
	return buf;
}

static struct allow *
load(const char *path, int bufmode, char *err, size_t errlen)
{
	struct allow	*a;
	char		*buf;
	size_t		 len;

	if (!bufmode)
		return allow_load(path, err, errlen);
	buf = slurp(path, &len);
	a = allow_parse(buf, len, path, err, errlen);
	free(buf);
	return a;
}

/*
 * Parse addr as a caller the way the handler gets one, through a sockaddr
 * and addr_from_sockaddr: 0, 1 for a family it refuses, -1 for no address.
 */
static int
caller(const char *addr, struct addr *ad)
{
	struct sockaddr_un	sun;
	struct sockaddr_in6	sin6;

	if (strcmp(addr, "unix") == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		return addr_from_sockaddr(ad, (struct sockaddr *)&sun) == -1;
	}
	if (addr_from_text(ad, addr) == -1)
		return -1;
	addr_to_sockaddr(ad, &sin6);
	return addr_from_sockaddr(ad, (struct sockaddr *)&sin6);
}

static void
dump(const struct allow *a)
{
	char		 line[ALLOW_FMTLEN];
	const char	*w;
	size_t		 i;

	if (allow_is_default(a))
		printf("# default\n");
	for (i = 0; (w = allow_warning(a, i)) != NULL; i++)
		printf("warning: %s\n", w);
	for (i = 0; i < allow_count(a); i++)
		printf("%s\n", allow_format(a, i, line, sizeof(line)));
}

int
main(int argc, char *argv[])
{
	struct addr	 ad;
	struct allow	*a;
	char		 err[1024];
	int		 bufmode = 0, i, n;

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		n = allow_check(argv[2], stdout);
		printf("%d problems\n", n);
		return n > 0;
	}
	if (argc > 1 && strcmp(argv[1], "-b") == 0) {
		bufmode = 1;
		argc--;
		argv++;
	}
	if (argc < 2)
		usage();
	if ((a = load(argv[1], bufmode, err, sizeof(err))) == NULL) {
		printf("%s\n", err);
		return 1;
	}
	if (argc == 2)
		dump(a);
	for (i = 2; i < argc; i++) {
		if ((n = caller(argv[i], &ad)) == -1) {
			allow_free(a);
			usage();
		}
		printf("%s %s\n", argv[i],
		    n == 0 && allow_match(a, &ad) ? "yes" : "no");
	}
	allow_free(a);
	return 0;
}

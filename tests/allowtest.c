/*
 * allowtest.c: drives allow.c for tests/t-allow.sh.
 *
 *   allowtest [-b] FILE           the table, one allow_format() line per
 *                                 entry ("# default" first for the default
 *                                 table), or the error line
 *   allowtest [-b] FILE ADDR...   "ADDR yes" or "ADDR no" per caller
 *
 * -b reads FILE into a buffer of exactly its size and calls allow_parse,
 * so that the sanitizers see any read past the end.  ADDR "unix" is an
 * AF_UNIX caller.  Everything goes to stdout.  Exits 0, 1 when the table
 * was refused, 2 on usage or I/O errors.
 */
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"

static void
usage(void)
{
	fprintf(stderr, "usage: allowtest [-b] file [addr ...]\n");
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

/* Parse addr as a caller's sockaddr into ss; -1 when it is no address. */
static int
caller(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strcmp(addr, "unix") == 0) {
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, "/run/x");
		return 0;
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static void
dump(const struct allow *a)
{
	char	line[ALLOW_FMTLEN];
	size_t	i;

	if (allow_is_default(a))
		printf("# default\n");
	for (i = 0; i < allow_count(a); i++)
		printf("%s\n", allow_format(a, i, line, sizeof(line)));
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	 ss;
	struct allow		*a;
	char			 err[1024];
	int			 bufmode = 0, i;

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
		if (caller(argv[i], &ss) == -1) {
			allow_free(a);
			usage();
		}
		printf("%s %s\n", argv[i],
		    allow_match(a, (struct sockaddr *)&ss) ? "yes" : "no");
	}
	allow_free(a);
	return 0;
}

/*
 * fuzz_allow.c: the allow-file parser (allow_parse) on any bytes.
 *
 * A file that fails must say why in a printable, NUL-terminated message
 * (it goes to the log).  A file that parses must give a table in which
 * each entry matches its own network address, and whose entries, written
 * back in the file format, parse to the same table without a warning.
 * Every warning is printable too.  allow_check, on the same bytes in a
 * file, agrees: a problem for a refused file or one with warnings, none
 * for a clean one, and only printable lines (tabs allowed).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_error(const char *err, size_t len)
{
	size_t	i;

	CHECK(memchr(err, '\0', len) != NULL);
	CHECK(err[0] != '\0');
	for (i = 0; err[i] != '\0'; i++)
		CHECK(isprint((unsigned char)err[i]));
}

/*
 * Entry fmt ("inet NET/MASK" or "inet6 ADDR/PLEN") as a line of the file
 * at the end of out; checks that its network address matches a.
 */
static size_t
reline(const struct allow *a, const char *fmt, char *out, size_t off,
    size_t len)
{
	struct addr	ad;
	char		net[ALLOW_FMTLEN], *mask;
	int		n;

	if (strncmp(fmt, "inet ", 5) == 0) {
		strcpy(net, fmt + 5);
		CHECK((mask = strchr(net, '/')) != NULL);
		*mask++ = '\0';
		n = snprintf(out + off, len - off, "%s %s\n", mask, net);
	} else {
		CHECK(strncmp(fmt, "inet6 ", 6) == 0);
		strcpy(net, fmt + 6);
		n = snprintf(out + off, len - off, "%s\n", net);
		CHECK((mask = strchr(net, '/')) != NULL);
		*mask = '\0';
	}
	CHECK(addr_from_text(&ad, net) == 0);
	CHECK(allow_match(a, &ad));
	CHECK(n > 0 && (size_t)n < len - off);
	return off + (size_t)n;
}

static void
check_table(const struct allow *a)
{
	struct allow	*b;
	char		*text, fa[ALLOW_FMTLEN], fb[ALLOW_FMTLEN];
	char		 err[512];
	size_t		 i, n = allow_count(a), len, off = 0;

	CHECK(!allow_is_default(a));
	len = n * (ALLOW_FMTLEN + 1) + 1;
	CHECK((text = malloc(len)) != NULL);
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		allow_format(a, i, fa, sizeof(fa));
		CHECK(strlen(fa) < ALLOW_FMTLEN - 1);
		off = reline(a, fa, text, off, len);
	}
	b = allow_parse(text, off, "again", err, sizeof(err));
	CHECK(b != NULL);
	CHECK(allow_count(b) == n);
	CHECK(allow_warning(b, 0) == NULL);
	for (i = 0; i < n; i++)
		CHECK(strcmp(allow_format(a, i, fa, sizeof(fa)),
		    allow_format(b, i, fb, sizeof(fb))) == 0);
	allow_free(b);
	free(text);
}

static char	report_path[64];

static void
remove_file(void)
{
	unlink(report_path);
}

static void
check_report(const uint8_t *data, size_t size, int problems)
{
	static int	 fd = -1;
	char		*path = report_path;
	char		*out = NULL;
	size_t		 outlen = 0, i;
	FILE		*fp;
	int		 n;

	/* A real file: allow_check refuses a symbolic link (safeopen.c). */
	if (fd == -1) {
		snprintf(path, sizeof(report_path), "/tmp/fuzz-allow.XXXXXX");
		CHECK((fd = mkstemp(path)) != -1);
		CHECK(fchmod(fd, 0600) == 0);
		atexit(remove_file);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	CHECK((fp = open_memstream(&out, &outlen)) != NULL);
	n = allow_check(path, fp);
	CHECK(fclose(fp) == 0);
	CHECK(problems ? n >= 1 : n == 0);
	for (i = 0; i < outlen; i++)
		CHECK(isprint((unsigned char)out[i]) || out[i] == '\n' ||
		    out[i] == '\t');
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct allow	*a;
	const char	*w;
	char		 err[512];
	size_t		 i;

	memset(err, 'x', sizeof(err));
	a = allow_parse((const char *)data, size, "fuzz", err, sizeof(err));
	if (a == NULL) {
		check_error(err, sizeof(err));
		check_report(data, size, 1);
		return 0;
	}
	for (i = 0; (w = allow_warning(a, i)) != NULL; i++)
		check_error(w, strlen(w) + 1);
	check_report(data, size, i > 0);
	check_table(a);
	allow_free(a);
	return 0;
}

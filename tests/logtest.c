/*
 * logtest.c: the rate limits of log.c, for tests/t-log.sh.
 *
 *   logtest CASE    runs one case in a fresh process; exits 0 when it
 *                   holds, else prints why and exits 1
 *
 *   noisy    one caller denied again and again, two others in between:
 *            every caller is logged, the noisy one once
 *   kinds    one caller under two kinds: logged under each
 *   flood    1000 distinct callers at once: the budget of a kind (100
 *            lines per 10 s) holds, and a caller already logged stays
 *            limited
 *   later    after 10 s the noisy caller is logged again, with the count
 *            of its lines dropped
 *   debug    with -d every line passes
 *
 * log.c writes to stderr in the foreground; stderr goes to a temporary
 * file here, and the cases count its lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"

static FILE	*cap;

/* How many lines of the log so far are exactly "dracd: " line. */
static int
count(const char *line)
{
	char	buf[1 << 16], want[256];
	char	*p;
	ssize_t	n;
	int	c = 0;

	fflush(stderr);
	if ((n = pread(fileno(cap), buf, sizeof(buf) - 1, 0)) < 0) {
		perror("pread");
		exit(2);
	}
	buf[n] = '\0';
	snprintf(want, sizeof(want), "dracd: %s\n", line);
	for (p = buf; (p = strstr(p, want)) != NULL; p += strlen(want))
		if (p == buf || p[-1] == '\n')
			c++;
	return c;
}

static int
expect(const char *line, int want)
{
	int	got = count(line);

	if (got == want)
		return 0;
	printf("\"%s\" logged %d times, want %d\n", line, got, want);
	return 1;
}

static struct addr
ad(const char *text)
{
	struct addr	a;

	if (addr_from_text(&a, text) == -1)
		abort();
	return a;
}

static int
noisy(void)
{
	struct addr	a = ad("192.0.2.1"), b = ad("192.0.2.2");
	struct addr	c = ad("2001:db8::3");
	int		i;

	for (i = 0; i < 100; i++)
		log_limited_from(LIMIT_DENIED, &a, "denied a");
	log_limited_from(LIMIT_DENIED, &b, "denied b");
	for (i = 0; i < 100; i++)
		log_limited_from(LIMIT_DENIED, &a, "denied a");
	log_limited_from(LIMIT_DENIED, &c, "denied c");
	return expect("denied a", 1) + expect("denied b", 1) +
	    expect("denied c", 1);
}

static int
kinds(void)
{
	struct addr	a = ad("192.0.2.1");

	log_limited_from(LIMIT_DENIED, &a, "denied a");
	log_limited_from(LIMIT_BADADDR, &a, "refused a");
	log_limited_from(LIMIT_DENIED, &a, "denied a");
	return expect("denied a", 1) + expect("refused a", 1);
}

static int
flood(void)
{
	struct addr	a;
	int		i;

	for (i = 0; i < 1000; i++) {
		addr_from_v4(&a, 0x0a000000U | (unsigned int)i);
		log_limited_from(LIMIT_DENIED, &a, "flood");
	}
	addr_from_v4(&a, 0x0a000000U);
	log_limited_from(LIMIT_DENIED, &a, "flood");
	for (i = 0; i < 1000; i++) {
		addr_from_v4(&a, 0x0a000000U | (unsigned int)i);
		log_limited_from(LIMIT_BADADDR, &a, "other kind");
	}
	return expect("flood", 100) + expect("other kind", 100);
}

static int
later(void)
{
	struct addr	a = ad("192.0.2.1"), b = ad("192.0.2.2");
	int		i;

	for (i = 0; i < 5; i++)
		log_limited_from(LIMIT_DENIED, &a, "denied a");
	sleep(11);
	log_limited_from(LIMIT_DENIED, &a, "denied a");
	log_limited_from(LIMIT_DENIED, &b, "denied b");
	return expect("denied a", 2) + expect("denied b", 1) +
	    expect("4 similar messages suppressed from 192.0.2.1", 1);
}

static int
debug(void)
{
	struct addr	a = ad("192.0.2.1");
	int		i;

	log_init(1, 1);
	for (i = 0; i < 3; i++)
		log_limited_from(LIMIT_DENIED, &a, "denied a");
	return expect("denied a", 3);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		int		(*fn)(void);
	} cases[] = {
		{ "noisy", noisy }, { "kinds", kinds }, { "flood", flood },
		{ "later", later }, { "debug", debug },
	};
	size_t	i;

	if (argc != 2) {
		fprintf(stderr, "usage: logtest case\n");
		return 2;
	}
	if ((cap = tmpfile()) == NULL || dup2(fileno(cap), 2) == -1) {
		perror("tmpfile");
		return 2;
	}
	log_init(1, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(argv[1], cases[i].name) == 0)
			return cases[i].fn() != 0;
	printf("no such case: %s\n", argv[1]);
	return 2;
}

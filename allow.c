/*
 * allow.c: the allow list, dracd.allow(5): which callers may add
 * addresses to the map.
 *
 * A table is an array of networks, built whole by one parse and never
 * changed afterwards; matching is a linear scan (allow files are short).
 *   inet   net and mask in network byte order.  Any mask: the original
 *          format allows non-contiguous ones.  Invariant: net & ~mask == 0.
 *   inet6  address and prefix length.  Invariant: no bit set past it.
 * A caller matches an entry when (caller & mask) == net.  IPv4-mapped
 * IPv6 callers (::ffff:a.b.c.d) are matched as IPv4, and IPv4-mapped
 * entries of prefix 96 or longer are stored as inet, so that both meet.
 * Nothing here logs or exits: errors go back in err as "file:line: why".
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"

#define LINE_MAX_LEN	1024		/* characters, without the newline */
#define FILE_MAX_LEN	(1024 * 1024)
#define WHYLEN		256
#define WS		" \t\r\v\f"

struct entry {
	uint8_t		af;		/* AF_INET or AF_INET6 */
	uint8_t		plen;		/* inet6: prefix length */
	union {
		struct {
			uint32_t	net;
			uint32_t	mask;
		} in;
		uint8_t		in6[16];
	} u;
};

struct allow {
	struct entry	*ent;
	size_t		 n;
	size_t		 cap;
	int		 dflt;
};

static const uint8_t	v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int fail(char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Write the reason for an error into why (WHYLEN bytes); returns -1. */
static int
fail(char *why, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, WHYLEN, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t
v4mask(unsigned int plen)
{
	return plen == 0 ? 0 : htonl(0xffffffffU << (32 - plen));
}

/* The mask for byte i of an IPv6 address under a prefix of plen bits. */
static uint8_t
bytemask(unsigned int plen, unsigned int i)
{
	unsigned int	bits = plen > 8 * i ? plen - 8 * i : 0;

	return bits >= 8 ? 0xff : (uint8_t)(0xff00U >> bits);
}

/* 1 when mask (network order) is ones then zeros, as a prefix makes. */
static int
contiguous(uint32_t mask)
{
	uint32_t	inv = ~ntohl(mask);

	return (inv & (inv + 1)) == 0;
}

/* An inet6 entry inside ::ffff:0:0/96 becomes the inet entry it means. */
static void
unmap(struct entry *e)
{
	uint32_t	net;

	if (e->af != AF_INET6 || e->plen < 96 ||
	    memcmp(e->u.in6, v4mapped, sizeof(v4mapped)) != 0)
		return;
	memcpy(&net, e->u.in6 + 12, sizeof(net));
	e->af = AF_INET;
	e->u.in.mask = v4mask(e->plen - 96);
	e->u.in.net = net;
	e->plen = 0;
}

/* Parse an IPv4 or IPv6 address as an exact entry; 0, or -1. */
static int
parse_addr(const char *s, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, s, &e->u.in.net) == 1) {
		e->af = AF_INET;
		e->u.in.mask = 0xffffffffU;
		return 0;
	}
	if (inet_pton(AF_INET6, s, e->u.in6) == 1) {
		e->af = AF_INET6;
		e->plen = 128;
		return 0;
	}
	return -1;
}

/* Parse a prefix length, decimal without leading zeros, up to max. */
static int
parse_plen(const char *s, unsigned int max, unsigned int *plen)
{
	unsigned int	v = 0;
	size_t		i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 3)
			return -1;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*plen = v;
	return 0;
}

static int
set_prefix4(struct entry *e, unsigned int plen, const char *tok, char *why)
{
	char	s[INET_ADDRSTRLEN];

	e->u.in.mask = v4mask(plen);
	if ((e->u.in.net & ~e->u.in.mask) == 0)
		return 0;
	e->u.in.net &= e->u.in.mask;
	inet_ntop(AF_INET, &e->u.in.net, s, sizeof(s));
	return fail(why, "\"%.64s\": host bits set, so it never matches; "
	    "write %s/%u", tok, s, plen);
}

static int
set_prefix6(struct entry *e, unsigned int plen, const char *tok, char *why)
{
	char		s[INET6_ADDRSTRLEN];
	unsigned int	i;
	int		hostbits = 0;

	e->plen = (uint8_t)plen;
	for (i = 0; i < sizeof(e->u.in6); i++) {
		if (e->u.in6[i] & ~bytemask(plen, i))
			hostbits = 1;
		e->u.in6[i] &= bytemask(plen, i);
	}
	if (!hostbits)
		return 0;
	inet_ntop(AF_INET6, e->u.in6, s, sizeof(s));
	return fail(why, "\"%.64s\": host bits set, so it never matches; "
	    "write %s/%u", tok, s, plen);
}

/* Apply the prefix length in s to the exact entry e parsed from tok. */
static int
set_prefix(struct entry *e, const char *s, const char *tok, char *why)
{
	unsigned int	plen, max = e->af == AF_INET ? 32 : 128;

	if (parse_plen(s, max, &plen) == -1)
		return fail(why, "\"%.64s\": bad prefix length; want a number "
		    "from 0 to %u", tok, max);
	if (e->af == AF_INET)
		return set_prefix4(e, plen, tok, why);
	return set_prefix6(e, plen, tok, why);
}

/* One field: ADDR or ADDR/PREFIXLEN, IPv4 or IPv6. */
static int
parse_single(char *tok, struct entry *e, char *why)
{
	char	*slash;
	int	 bad;

	if ((slash = strchr(tok, '/')) != NULL)
		*slash = '\0';
	bad = parse_addr(tok, e) == -1;
	if (slash != NULL)
		*slash = '/';
	if (bad)
		return fail(why, "\"%.64s\": not an IPv4 or IPv6 address", tok);
	if (slash != NULL && set_prefix(e, slash + 1, tok, why) == -1)
		return -1;
	unmap(e);
	return 0;
}

/* Two fields, the original form: NETMASK NETADDR, both IPv4. */
static int
parse_pair(const char *mtok, const char *ntok, struct entry *e, char *why)
{
	char	s[INET_ADDRSTRLEN];

	memset(e, 0, sizeof(*e));
	e->af = AF_INET;
	if (inet_pton(AF_INET, mtok, &e->u.in.mask) != 1)
		return fail(why, "\"%.64s\": netmask must be an IPv4 dotted "
		    "quad (the two-field form is \"netmask netaddr\")", mtok);
	if (inet_pton(AF_INET, ntok, &e->u.in.net) != 1)
		return fail(why, "\"%.64s\": netaddr must be an IPv4 dotted "
		    "quad (the two-field form is \"netmask netaddr\")", ntok);
	if ((e->u.in.net & ~e->u.in.mask) == 0)
		return 0;
	if (!contiguous(e->u.in.mask) && contiguous(e->u.in.net))
		return fail(why, "\"%s %s\": the netmask comes first; write "
		    "%s %s", mtok, ntok, ntok, mtok);
	e->u.in.net &= e->u.in.mask;
	inet_ntop(AF_INET, &e->u.in.net, s, sizeof(s));
	return fail(why, "netaddr %s has bits outside netmask %s, so it "
	    "never matches; write %s %s", ntok, mtok, mtok, s);
}

static int
push(struct allow *a, const struct entry *e, char *why)
{
	struct entry	*p;
	size_t		 cap;

	if (a->n == a->cap) {
		cap = a->cap == 0 ? 8 : a->cap * 2;
		if ((p = reallocarray(a->ent, cap, sizeof(*p))) == NULL)
			return fail(why, "%s", strerror(errno));
		a->ent = p;
		a->cap = cap;
	}
	a->ent[a->n++] = *e;
	return 0;
}

/* Copy a raw line of n bytes into line, which holds LINE_MAX_LEN + 1. */
static int
get_line(char *line, const char *buf, size_t n, char *why)
{
	size_t	i;

	if (n > LINE_MAX_LEN)
		return fail(why, "line longer than %d characters",
		    LINE_MAX_LEN);
	if (memchr(buf, '\0', n) != NULL)
		return fail(why, "NUL byte in line");
	memcpy(line, buf, n);
	line[n] = '\0';
	/* Only printable ASCII may reach an error message (and the log). */
	for (i = 0; i < n; i++)
		if ((line[i] < 0x20 && strchr(WS, line[i]) == NULL) ||
		    (unsigned char)line[i] >= 0x7f)
			line[i] = '?';
	return 0;
}

static int
parse_line(struct allow *a, char *line, char *why)
{
	struct entry	 e;
	char		*f[3], *p, *save;
	int		 nf = 0;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	for (p = strtok_r(line, WS, &save); p != NULL && nf < 3;
	    p = strtok_r(NULL, WS, &save))
		f[nf++] = p;
	switch (nf) {
	case 0:
		return 0;
	case 1:
		if (parse_single(f[0], &e, why) == -1)
			return -1;
		break;
	case 2:
		if (parse_pair(f[0], f[1], &e, why) == -1)
			return -1;
		break;
	default:
		return fail(why, "\"%.64s\": unexpected third field; one "
		    "entry per line, comments start with #", f[2]);
	}
	return push(a, &e, why);
}

/* Parse len bytes of buf, named name in errors; a new table or NULL. */
struct allow *
allow_parse(const char *buf, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct allow	*a;
	const char	*nl;
	char		 line[LINE_MAX_LEN + 1], why[WHYLEN];
	size_t		 lineno, n;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return NULL;
	}
	for (lineno = 1; len > 0; lineno++) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		if (get_line(line, buf, n, why) == -1 ||
		    parse_line(a, line, why) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", name, lineno, why);
			allow_free(a);
			return NULL;
		}
		n += nl != NULL;
		buf += n;
		len -= n;
	}
	return a;
}

/* The caller's address as an exact entry; -1 for other families. */
static int
host_entry(const struct sockaddr *sa, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	switch (sa->sa_family) {
	case AF_INET:
		e->af = AF_INET;
		e->u.in.net = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
		e->u.in.mask = 0xffffffffU;
		return 0;
	case AF_INET6:
		e->af = AF_INET6;
		e->plen = 128;
		memcpy(e->u.in6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    sizeof(e->u.in6));
		unmap(e);
		return 0;
	default:
		return -1;
	}
}

static int
entry_match(const struct entry *e, const struct entry *c)
{
	unsigned int	i;

	if (e->af != c->af)
		return 0;
	if (e->af == AF_INET)
		return (c->u.in.net & e->u.in.mask) == e->u.in.net;
	for (i = 0; i < sizeof(e->u.in6); i++)
		if ((c->u.in6[i] & bytemask(e->plen, i)) != e->u.in6[i])
			return 0;
	return 1;
}

/* 1 when the caller at sa is trusted by table a, else 0. */
int
allow_match(const struct allow *a, const struct sockaddr *sa)
{
	struct entry	c;
	size_t		i;

	if (a == NULL || sa == NULL || host_entry(sa, &c) == -1)
		return 0;
	for (i = 0; i < a->n; i++)
		if (entry_match(&a->ent[i], &c))
			return 1;
	return 0;
}

/* Add sa (an interface address) exactly, unless already trusted. */
static int
add_host(struct allow *a, const struct sockaddr *sa, char *why)
{
	struct entry	e;

	if (sa == NULL || host_entry(sa, &e) == -1 || allow_match(a, sa))
		return 0;
	return push(a, &e, why);
}

static int
add_loopbacks(struct allow *a, char *why)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if (add_host(a, (struct sockaddr *)&sin, why) == -1)
		return -1;
	return add_host(a, (struct sockaddr *)&sin6, why);
}

/* The table for a missing file: loopback and the host's own addresses. */
static struct allow *
allow_default(char *err, size_t errlen)
{
	struct allow	*a;
	struct ifaddrs	*ifa, *i;
	char		 why[WHYLEN];
	int		 r;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "default allow list: %s",
		    strerror(errno));
		return NULL;
	}
	a->dflt = 1;
	if (getifaddrs(&ifa) == -1) {
		snprintf(err, errlen, "getifaddrs: %s", strerror(errno));
		allow_free(a);
		return NULL;
	}
	r = add_loopbacks(a, why);
	for (i = ifa; i != NULL && r == 0; i = i->ifa_next)
		r = add_host(a, i->ifa_addr, why);
	freeifaddrs(ifa);
	if (r == -1) {
		snprintf(err, errlen, "default allow list: %s", why);
		allow_free(a);
		return NULL;
	}
	return a;
}

/* The file must be regular, not writable by group or others, not huge. */
static int
check_file(int fd, const char *path, struct stat *st, char *err,
    size_t errlen)
{
	if (fstat(fd, st) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(err, errlen, "%s: is group or world writable; "
		    "chmod go-w %s", path, path);
	else if (st->st_size > FILE_MAX_LEN)
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    FILE_MAX_LEN);
	else
		return 0;
	return -1;
}

/* Read all of fd into a new buffer of at most FILE_MAX_LEN bytes. */
static char *
read_file(int fd, const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0, cap;
	ssize_t		 r;

	if (check_file(fd, path, &st, err, errlen) == -1)
		return NULL;
	/* One byte more than allowed, to see a file grown since fstat. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (len < cap && (r = read(fd, buf + len, cap - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			return NULL;
		}
		len += (size_t)r;
	}
	if (len == cap) {
		snprintf(err, errlen, "%s: changed while being read", path);
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* Load the allow file at path; a new table, or NULL with err set. */
struct allow *
allow_load(const char *path, char *err, size_t errlen)
{
	struct allow	*a;
	char		*buf;
	size_t		 len;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return allow_default(err, errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = read_file(fd, path, &len, err, errlen);
	close(fd);
	if (buf == NULL)
		return NULL;
	a = allow_parse(buf, len, path, err, errlen);
	free(buf);
	return a;
}

/* Number of entries in the table. */
size_t
allow_count(const struct allow *a)
{
	return a == NULL ? 0 : a->n;
}

/* 1 when the table is the default one (the file did not exist). */
int
allow_is_default(const struct allow *a)
{
	return a != NULL && a->dflt;
}

/* Write entry i of a into buf (see allow.h); returns buf. */
const char *
allow_format(const struct allow *a, size_t i, char *buf, size_t len)
{
	const struct entry	*e;
	char			 s[INET6_ADDRSTRLEN], m[INET_ADDRSTRLEN];

	if (len > 0)
		buf[0] = '\0';
	if (a == NULL || i >= a->n)
		return buf;
	e = &a->ent[i];
	if (e->af == AF_INET) {
		inet_ntop(AF_INET, &e->u.in.net, s, sizeof(s));
		inet_ntop(AF_INET, &e->u.in.mask, m, sizeof(m));
		snprintf(buf, len, "inet %s/%s", s, m);
	} else {
		inet_ntop(AF_INET6, e->u.in6, s, sizeof(s));
		snprintf(buf, len, "inet6 %s/%u", s, e->plen);
	}
	return buf;
}

/* Free a table; NULL is fine. */
void
allow_free(struct allow *a)
{
	if (a == NULL)
		return;
	free(a->ent);
	free(a);
}

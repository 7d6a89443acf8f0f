/*
 * allow.c: the allow list, dracd.allow(5): which callers may add
 * addresses to the map.
 *
 * A table is an array of netblocks, built whole by one parse and never
 * changed afterwards; matching is a linear scan (allow files are short).
 * A netblock is a network and a mask, both struct addr; any mask, as the
 * original format allows non-contiguous ones.  Invariant: net & ~mask == 0.
 * A caller matches when (caller & mask) == net and the families agree: an
 * IPv4 block (IPv4 text, or IPv4-mapped text with a prefix of 96 or more)
 * matches IPv4 callers only, any other block IPv6 callers only, so that
 * ::/0 does not trust every IPv4 caller through ::ffff:0:0/96.
 *
 * Each line is read into a struct line that says what is wrong with it:
 * nothing; a warning (host bits set under a mask: they are cleared and
 * the line is taken); or refused (the whole file is not used, since a
 * line silently ignored could leave a host trusted or not by mistake).
 * Where the entry can be written correctly, fix holds it.  allow_parse
 * stops at the first refused line; allow_check reads on and prints every
 * problem with the corrected line.  The file is opened by safe_open()
 * (no symbolic link, one hard link, owned by root or dracd's user).
 * Nothing here logs or exits: messages go back to the caller.
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
#include "safeopen.h"

#define LINE_MAX_LEN	1024		/* characters, without the newline */
#define FILE_MAX_LEN	(1024 * 1024)
#define WHYLEN		256
#define FIXLEN		128
#define MSGLEN		(WHYLEN + FIXLEN + 1024)
#define WARN_MAX	10		/* warnings a table keeps for the log */
#define WS		" \t\r\v\f"

struct netblock {
	struct addr	net;
	struct addr	mask;
	uint8_t		v4;		/* matches IPv4 callers, else IPv6 */
	uint8_t		plen;		/* IPv6: prefix length */
};

struct allow {
	struct netblock	 *nb;
	size_t		  n;
	size_t		  cap;
	char		**warn;		/* WARN_MAX, and one for the rest */
	size_t		  nwarn;
	size_t		  morewarn;	/* warnings past WARN_MAX */
	int		  dflt;
};

enum problem { LINE_OK, LINE_WARNED, LINE_REFUSED };

/* One line of the file, and what is wrong with it. */
struct line {
	size_t		lineno;
	char		text[LINE_MAX_LEN + 1];	/* printable copy */
	size_t		start, end;	/* where its fields are in text */
	enum problem	problem;
	char		why[WHYLEN];
	char		fix[FIXLEN];	/* the entry as it should be, or "" */
};

/* A buffer read line by line. */
struct reader {
	const char	*buf;
	size_t		 len;
	size_t		 lineno;
};

static int refuse(struct line *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct line *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
vmark(struct line *l, enum problem p, const char *fmt, va_list ap)
{
	vsnprintf(l->why, sizeof(l->why), fmt, ap);
	l->problem = p;
}

/* Mark line l refused, for the reason fmt; returns -1. */
static int
refuse(struct line *l, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmark(l, LINE_REFUSED, fmt, ap);
	va_end(ap);
	return -1;
}

/* Mark line l taken with a change, for the reason fmt. */
static void
warn(struct line *l, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vmark(l, LINE_WARNED, fmt, ap);
	va_end(ap);
}

/* Set the first bits of m's 128, clear the others. */
static void
prefix_mask(struct addr *m, unsigned int bits)
{
	unsigned int	i;

	for (i = 0; i < sizeof(m->a); i++) {
		if (bits >= 8 * (i + 1))
			m->a[i] = 0xff;
		else if (bits <= 8 * i)
			m->a[i] = 0;
		else
			m->a[i] = (uint8_t)(0xff00U >> (bits - 8 * i));
	}
}

/* Clear the bits of b's network outside its mask; 1 if there were any. */
static int
clear_hostbits(struct netblock *b)
{
	unsigned int	i;
	int		set = 0;

	for (i = 0; i < sizeof(b->net.a); i++) {
		if (b->net.a[i] & ~b->mask.a[i])
			set = 1;
		b->net.a[i] &= b->mask.a[i];
	}
	return set;
}

/* An IPv4 block of host-order net and mask. */
static void
block_v4(struct netblock *b, uint32_t net, uint32_t mask)
{
	memset(b, 0, sizeof(*b));
	addr_from_v4(&b->net, net);
	addr_from_v4(&b->mask, mask);
	memset(b->mask.a, 0xff, 12);
	b->v4 = 1;
}

/* The last four bytes of ad as a dotted quad, in s (INET_ADDRSTRLEN). */
static const char *
quad(const struct addr *ad, char *s)
{
	return inet_ntop(AF_INET, ad->a + 12, s, INET_ADDRSTRLEN);
}

/* 1 when mask (host order) is ones then zeros, as a prefix makes. */
static int
contiguous(uint32_t mask)
{
	uint32_t	inv = ~mask;

	return (inv & (inv + 1)) == 0;
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

/* One field: ADDR or ADDR/PREFIXLEN, IPv4 or IPv6, into b. */
static int
parse_single(struct line *l, char *tok, struct netblock *b)
{
	char		*slash, s[INET6_ADDRSTRLEN];
	unsigned int	 plen, max;
	int		 bad;

	memset(b, 0, sizeof(*b));
	if ((slash = strchr(tok, '/')) != NULL)
		*slash = '\0';
	bad = addr_from_text(&b->net, tok) == -1;
	max = strchr(tok, ':') == NULL ? 32 : 128;
	if (slash != NULL)
		*slash = '/';
	if (bad)
		return refuse(l, "\"%.64s\": not an IPv4 or IPv6 address", tok);
	plen = max;
	if (slash != NULL && parse_plen(slash + 1, max, &plen) == -1)
		return refuse(l, "\"%.64s\": bad prefix length; want a number "
		    "from 0 to %u", tok, max);
	b->plen = (uint8_t)(128 - max + plen);
	prefix_mask(&b->mask, b->plen);
	b->v4 = addr_is_v4(&b->net) && b->plen >= 96;
	if (!clear_hostbits(b))
		return 0;
	if (max == 32)
		quad(&b->net, s);
	else
		inet_ntop(AF_INET6, b->net.a, s, sizeof(s));
	snprintf(l->fix, sizeof(l->fix), "%s/%u", s, plen);
	warn(l, "\"%.64s\": host bits set past the prefix", tok);
	return 0;
}

/* A part of a dotted address: decimal; returns the character after it. */
static const char *
dotted_part(const char *p, uint64_t *v, size_t *digits)
{
	*v = 0;
	for (*digits = 0; *p >= '0' && *p <= '9'; p++)
		if (++*digits <= 10)
			*v = *v * 10 + (uint64_t)(*p - '0');
	return p;
}

/*
 * A netmask or netaddr of the original form, as DRAC 1.12 read it with
 * inet_addr(3): two to four decimal parts, the last filling the bytes
 * left ("127.1" is 127.0.0.1).  A part with a leading zero was octal
 * there, so it is taken only where octal and decimal agree ("001").
 * Sets *v (host order) and *nparts.
 */
static int
parse_dotted(struct line *l, const char *tok, const char *what, uint32_t *v,
    int *nparts)
{
	uint64_t	 part[4], max;
	const char	*p = tok, *q;
	size_t		 digits;
	int		 i, n = 0;

	for (;;) {
		q = dotted_part(p, &part[n], &digits);
		if (digits == 0 || digits > 10)
			goto bad;
		if (*p == '0' && digits > 1 && part[n] >= 8)
			return refuse(l, "\"%.64s\": \"%.*s\" has a leading zero, "
			    "so DRAC read it as octal; write the number you "
			    "mean without it", tok, (int)digits, p);
		n++;
		if (*q == '\0')
			break;
		if (*q != '.' || n == 4)
			goto bad;
		p = q + 1;
	}
	max = 0xffffffffU >> (8 * (n - 1));
	if (n < 2 || part[n - 1] > max)
		goto bad;
	*v = (uint32_t)part[n - 1];
	for (i = 0; i < n - 1; i++) {
		if (part[i] > 255)
			goto bad;
		*v |= (uint32_t)part[i] << (24 - 8 * i);
	}
	*nparts = n;
	return 0;
bad:
	return refuse(l, "\"%.64s\": %s must be a dotted IPv4 address (the "
	    "two-field form is \"netmask netaddr\")", tok, what);
}

/* Two fields, the original form: NETMASK NETADDR, both IPv4, into b. */
static int
parse_pair(struct line *l, const char *mtok, const char *ntok,
    struct netblock *b)
{
	uint32_t	mask, net;
	int		mparts, nparts;
	char		m[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];

	if (parse_dotted(l, mtok, "netmask", &mask, &mparts) == -1 ||
	    parse_dotted(l, ntok, "netaddr", &net, &nparts) == -1)
		return -1;
	block_v4(b, net, mask);
	quad(&b->mask, m);
	quad(&b->net, n);
	if (mparts < 4)
		return refuse(l, "netmask \"%.64s\" is %s to DRAC; write all "
		    "four parts", mtok, m);
	if ((net & ~mask) == 0)
		return 0;
	if (!contiguous(mask) && contiguous(net)) {
		snprintf(l->fix, sizeof(l->fix), "%s %s", n, m);
		return refuse(l, "\"%.64s %.64s\": the netmask comes first",
		    mtok, ntok);
	}
	if (nparts < 4)
		return refuse(l, "netaddr \"%.64s\" is %s to DRAC, which has "
		    "bits outside netmask %s; write all four parts", ntok, n,
		    m);
	clear_hostbits(b);
	snprintf(l->fix, sizeof(l->fix), "%s %s", m, quad(&b->net, n));
	warn(l, "netaddr %.64s has bits outside netmask %s", ntok, m);
	return 0;
}

/* The fields of l into b: 1 for an entry, 0 for none, -1 if refused. */
static int
parse_fields(struct line *l, struct netblock *b)
{
	char	work[sizeof(l->text)], *f[3], *p, *save;
	int	nf = 0, rc;

	memcpy(work, l->text, sizeof(work));
	if ((p = strchr(work, '#')) != NULL)
		*p = '\0';
	for (p = strtok_r(work, WS, &save); p != NULL && nf < 3;
	    p = strtok_r(NULL, WS, &save))
		f[nf++] = p;
	if (nf == 0)
		return 0;
	l->start = (size_t)(f[0] - work);
	l->end = (size_t)(f[nf - 1] - work) + strlen(f[nf - 1]);
	if (nf == 1)
		rc = parse_single(l, f[0], b);
	else if (nf == 2)
		rc = parse_pair(l, f[0], f[1], b);
	else
		rc = refuse(l, "\"%.64s\": unexpected third field; one entry "
		    "per line, comments start with #", f[2]);
	return rc == -1 ? -1 : 1;
}

/* The next line of r (which is not empty) into l; -1 if refused as such. */
static int
next_line(struct reader *r, struct line *l)
{
	const char	*s = r->buf, *nl;
	size_t		 i, n;

	l->lineno = ++r->lineno;
	l->text[0] = l->why[0] = l->fix[0] = '\0';
	l->start = l->end = 0;
	l->problem = LINE_OK;
	nl = memchr(s, '\n', r->len);
	n = nl != NULL ? (size_t)(nl - s) : r->len;
	r->buf += n + (nl != NULL);
	r->len -= n + (nl != NULL);
	if (n > LINE_MAX_LEN)
		return refuse(l, "line longer than %d characters",
		    LINE_MAX_LEN);
	if (memchr(s, '\0', n) != NULL)
		return refuse(l, "NUL byte in line");
	memcpy(l->text, s, n);
	l->text[n] = '\0';
	/* Only printable ASCII may reach a message (and the log). */
	for (i = 0; i < n; i++)
		if ((l->text[i] < 0x20 && strchr(WS, l->text[i]) == NULL) ||
		    (unsigned char)l->text[i] >= 0x7f)
			l->text[i] = '?';
	return 0;
}

/* Read and parse the next line: as parse_fields. */
static int
next_entry(struct reader *r, struct line *l, struct netblock *b)
{
	if (next_line(r, l) == -1)
		return -1;
	return parse_fields(l, b);
}

/* The problem of l as "name:line: TAGreason; write|taken as FIX". */
static void
problem_text(const struct line *l, const char *name, const char *tag,
    char *buf, size_t len)
{
	const char	*sep = "";

	if (l->fix[0] != '\0')
		sep = l->problem == LINE_WARNED ? "; taken as " : "; write ";
	snprintf(buf, len, "%s:%zu: %s%s%s%s", name, l->lineno, tag, l->why,
	    sep, l->fix);
}

static int
push(struct allow *a, const struct netblock *b)
{
	struct netblock	*p;
	size_t		 cap;

	if (a->n == a->cap) {
		cap = a->cap == 0 ? 8 : a->cap * 2;
		if ((p = reallocarray(a->nb, cap, sizeof(*p))) == NULL)
			return -1;
		a->nb = p;
		a->cap = cap;
	}
	a->nb[a->n++] = *b;
	return 0;
}

/* Keep the warning of l for the log, up to WARN_MAX of them. */
static int
keep_warning(struct allow *a, const char *name, const struct line *l)
{
	char	msg[MSGLEN];

	if (a->nwarn == WARN_MAX) {
		a->morewarn++;
		return 0;
	}
	if (a->warn == NULL &&
	    (a->warn = calloc(WARN_MAX + 1, sizeof(*a->warn))) == NULL)
		return -1;
	problem_text(l, name, "", msg, sizeof(msg));
	if ((a->warn[a->nwarn] = strdup(msg)) == NULL)
		return -1;
	a->nwarn++;
	return 0;
}

/* After the last line: one warning that counts those not kept. */
static int
count_warnings(struct allow *a, const char *name)
{
	char	*msg;

	if (a->morewarn == 0)
		return 0;
	if (asprintf(&msg, "%s: %zu more warnings; dracd -n lists them",
	    name, a->morewarn) == -1)
		return -1;
	a->warn[a->nwarn++] = msg;
	return 0;
}

/* Parse len bytes of buf, named name in messages; a new table or NULL. */
struct allow *
allow_parse(const char *buf, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct reader	 r = { buf, len, 0 };
	struct line	 l;
	struct netblock	 b;
	struct allow	*a;
	int		 rc;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto fail;
	while (r.len > 0) {
		if ((rc = next_entry(&r, &l, &b)) == -1) {
			problem_text(&l, name, "", err, errlen);
			allow_free(a);
			return NULL;
		}
		if ((l.problem == LINE_WARNED &&
		    keep_warning(a, name, &l) == -1) ||
		    (rc == 1 && push(a, &b) == -1))
			goto fail;
	}
	if (count_warnings(a, name) == 0)
		return a;
fail:
	snprintf(err, errlen, "%s: %s", name, strerror(errno));
	allow_free(a);
	return NULL;
}

/* Print the line of l with its entry corrected, indented by a tab. */
static void
print_corrected(const struct line *l, FILE *out)
{
	char	buf[sizeof(l->text) + FIXLEN], *p;
	size_t	tail = strlen(l->text);

	while (tail > l->end && strchr(WS, l->text[tail - 1]) != NULL)
		tail--;
	snprintf(buf, sizeof(buf), "%.*s%s%.*s", (int)l->start, l->text,
	    l->fix, (int)(tail - l->end), l->text + l->end);
	/* Whitespace other than tabs and spaces would upset a terminal. */
	for (p = buf; *p != '\0'; p++)
		if (*p != '\t' && *p < 0x20)
			*p = ' ';
	fprintf(out, "\t%s\n", buf);
}

/* Every problem of len bytes of buf to out; returns how many. */
static int
check_buf(const char *buf, size_t len, const char *name, FILE *out)
{
	struct reader	r = { buf, len, 0 };
	struct line	l;
	struct netblock	b;
	char		msg[MSGLEN];
	int		n = 0;

	while (r.len > 0) {
		next_entry(&r, &l, &b);
		if (l.problem == LINE_OK)
			continue;
		problem_text(&l, name, l.problem == LINE_WARNED ?
		    "warning: " : "", msg, sizeof(msg));
		fprintf(out, "%s\n", msg);
		if (l.fix[0] != '\0')
			print_corrected(&l, out);
		n++;
	}
	return n;
}

/* The address ad as a single host, unless a already trusts it. */
static int
add_host(struct allow *a, const struct addr *ad)
{
	struct netblock	b;

	if (allow_match(a, ad))
		return 0;
	memset(&b, 0, sizeof(b));
	b.net = *ad;
	b.plen = 128;
	prefix_mask(&b.mask, b.plen);
	b.v4 = addr_is_v4(ad);
	return push(a, &b);
}

/* The table for a missing file: loopback and the host's own addresses. */
static struct allow *
allow_default(char *err, size_t errlen)
{
	struct allow	*a;
	struct ifaddrs	*ifa, *i;
	struct addr	 ad;
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
	addr_from_v4(&ad, INADDR_LOOPBACK);
	r = add_host(a, &ad);
	addr_from_text(&ad, "::1");
	r = r == 0 ? add_host(a, &ad) : r;
	for (i = ifa; i != NULL && r == 0; i = i->ifa_next)
		if (i->ifa_addr != NULL &&
		    addr_from_sockaddr(&ad, i->ifa_addr) == 0)
			r = add_host(a, &ad);
	freeifaddrs(ifa);
	if (r == -1) {
		snprintf(err, errlen, "default allow list: %s",
		    strerror(errno));
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

/* The file at path, read whole; NULL with err set (*missing: ENOENT). */
static char *
load_file(const char *path, size_t *lenp, int *missing, char *err,
    size_t errlen)
{
	const char	*why;
	char		*buf;
	int		 fd, made;

	fd = safe_open(path, O_RDONLY | O_NONBLOCK, 0, &made, &why);
	*missing = fd == -1 && why == NULL && errno == ENOENT;
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, why != NULL ? why :
		    strerror(errno));
		return NULL;
	}
	buf = read_file(fd, path, lenp, err, errlen);
	close(fd);
	return buf;
}

/* Load the allow file at path; a new table, or NULL with err set. */
struct allow *
allow_load(const char *path, char *err, size_t errlen)
{
	struct allow	*a;
	char		*buf;
	size_t		 len;
	int		 missing;

	if ((buf = load_file(path, &len, &missing, err, errlen)) == NULL)
		return missing ? allow_default(err, errlen) : NULL;
	a = allow_parse(buf, len, path, err, errlen);
	free(buf);
	return a;
}

/*
 * Check the allow file at path as allow_load reads it, and print every
 * problem to out: "file:line: reason", or "file:line: warning: reason"
 * for a line taken with a change, each followed by the corrected line
 * (indented by a tab) where there is one.  A missing file is no problem:
 * one line says that only this host is trusted.  Returns the number of
 * problems; the file loads when none of them is a refusal.
 */
int
allow_check(const char *path, FILE *out)
{
	char	*buf, err[MSGLEN];
	size_t	 len;
	int	 missing, n;

	if ((buf = load_file(path, &len, &missing, err, sizeof(err))) ==
	    NULL) {
		if (missing) {
			fprintf(out, "%s: no such file; only this host's own "
			    "addresses are trusted\n", path);
			return 0;
		}
		fprintf(out, "%s\n", err);
		return 1;
	}
	n = check_buf(buf, len, path, out);
	free(buf);
	return n;
}

static int
block_match(const struct netblock *b, const struct addr *c)
{
	unsigned int	i;

	for (i = 0; i < sizeof(c->a); i++)
		if ((c->a[i] & b->mask.a[i]) != b->net.a[i])
			return 0;
	return 1;
}

/* 1 when the caller at c is trusted by table a, else 0. */
int
allow_match(const struct allow *a, const struct addr *c)
{
	size_t	i;
	int	v4;

	if (a == NULL || c == NULL)
		return 0;
	v4 = addr_is_v4(c);
	for (i = 0; i < a->n; i++)
		if (a->nb[i].v4 == v4 && block_match(&a->nb[i], c))
			return 1;
	return 0;
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

/* Warning i of the parse that made a (see allow.h), or NULL. */
const char *
allow_warning(const struct allow *a, size_t i)
{
	return a != NULL && i < a->nwarn ? a->warn[i] : NULL;
}

/* Write entry i of a into buf (see allow.h); returns buf. */
const char *
allow_format(const struct allow *a, size_t i, char *buf, size_t len)
{
	const struct netblock	*b;
	char			 s[INET6_ADDRSTRLEN], m[INET_ADDRSTRLEN];

	if (len > 0)
		buf[0] = '\0';
	if (a == NULL || i >= a->n)
		return buf;
	b = &a->nb[i];
	if (b->v4)
		snprintf(buf, len, "inet %s/%s", quad(&b->net, s),
		    quad(&b->mask, m));
	else
		snprintf(buf, len, "inet6 %s/%u", inet_ntop(AF_INET6,
		    b->net.a, s, sizeof(s)), b->plen);
	return buf;
}

/* Free a table; NULL is fine. */
void
allow_free(struct allow *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nwarn; i++)
		free(a->warn[i]);
	free(a->warn);
	free(a->nb);
	free(a);
}

/*
 * socketmap.c: the socketmap service.  sendmail (map class "socket") and
 * postfix (socketmap: tables) send one netstring per lookup,
 * "<mapname> <key>" (16:drac 10.1.2.3,), and read one back: "OK
 * <expiry>" when the key is an authorized address, "NOTFOUND " when it is
 * not, "PERM <reason>" for a request that is not "<mapname> <key>".  The
 * answer comes from the store's index, so an entry past its expiry is
 * NOTFOUND at once, whether or not the sweep removed it from the map yet.
 * Any map name is accepted: dracd has one table.  Keys are parsed as the
 * map's keys are (key_parse), in any case: IPv4, IPv6 compressed or
 * as sendmail's "IPv6:" form, IPv4-mapped IPv6; anything else (postfix
 * also looks up the client's name and its parent domains, and address
 * prefixes such as 10.1.2) is NOTFOUND.  dracd never answers TEMP: its
 * answers come from memory and cannot fail for a while.
 *
 * Readers: on a unix socket anyone the socket's mode (0660) and group let
 * in; on TCP only a caller in the reader list (dracd.allow(5) format),
 * checked at accept; without a list TCP is refused at start.
 *
 * Hostile readers: every socket is non-blocking and a reader gets at most
 * one read of SM_INBUF bytes and the replies to what it holds per poll
 * round, so no reader holds up another for more than the lookups of one
 * buffer.  A netstring longer than SM_MAXREQ, or anything that is not a
 * netstring, closes the connection.  Replies wait in an SM_OUTBUF buffer:
 * while it is full the reader's requests are not read (the kernel's socket
 * buffers then stop the writer).  A connection idle (no input) for the idle
 * timeout is closed, and beyond maxconn the least recently active is.
 *
 * Invariants: nrd readers, at most maxconn after each accept; polled[i]
 * is what entry i of the last socketmap_pollfds array stands for, readers
 * first, so that a reader closed while serving the array is never reached
 * again from it.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "allow.h"
#include "clock.h"
#include "key.h"
#include "log.h"
#include "num.h"
#include "socketmap.h"
#include "store.h"

#define SM_MAXREQ	1024	/* longest request (netstring payload) */
#define SM_INBUF	(SM_MAXREQ + 6)	/* "1024:" payload "," */
#define SM_OUTBUF	4096
#define SM_MAXREPLY	64	/* longest reply, framed */
#define SM_ACCEPTS	16	/* accepts per listener and poll round */
#define SM_PAUSE_MS	1000	/* no accepts after running out of fds */
#define SM_SPARE_FDS	64	/* descriptors beside the two pools */

struct spec {
	char		*text;		/* as given to -S */
	int		 tcp;
	char		*buf;		/* holds where */
	char		*where;		/* unix: path; inet: host, "" any */
	char		 port[6];
};

struct listener {
	int		 fd;
	int		 tcp;
	const char	*text;
	const char	*path;		/* unix: the socket file we made */
	dev_t		 dev;
	ino_t		 ino;
};

struct reader {
	int			 fd;
	int			 tcp;
	struct sockaddr_storage	 peer;
	char			 name[INET6_ADDRSTRLEN + 8];
	long long		 last;		/* msec of last input */
	size_t			 nin, nout, off;
	char			 in[SM_INBUF];
	char			 out[SM_OUTBUF];
};

static struct spec	*specs;
static int		 nspecs;
static struct listener	*lis;
static int		 nlis;
static struct reader	**rd;
static int		 nrd;
static void		**polled;
static int		 npolled, npolledrd;	/* entries, readers first */
static struct store	*store;
static struct allow	*readers;
static const char	*readerspath;
static int		 maxconn = 128;
static long long	 idle_ms = 600 * 1000;
static long long	 paused;		/* no accepts before, msec */

/* Check inet:HOST:PORT's HOST:PORT; 0, or -1 and err. */
static int
check_inet(const char *text, const char *p, char *err, size_t errlen)
{
	const char	*colon, *errstr = NULL;

	if ((colon = strrchr(p, ':')) != NULL)
		num_parse(colon + 1, 1, 65535, &errstr);
	if (colon == NULL || errstr != NULL || colon == p ||
	    (p[0] == '[' ? colon[-1] != ']' || colon - p < 3 :
	    memchr(p, ':', colon - p) != NULL)) {
		snprintf(err, errlen, "%s: expected inet:HOST:PORT, "
		    "inet:[IPV6]:PORT or inet:*:PORT", text);
		return -1;
	}
	return 0;
}

/* Split s->where, "HOST:PORT", into host ("" for any) and port. */
static void
split_inet(struct spec *s)
{
	char	*colon = strrchr(s->where, ':');

	snprintf(s->port, sizeof(s->port), "%s", colon + 1);
	*colon = '\0';
	if (s->where[0] == '[') {
		s->where++;
		s->where[strlen(s->where) - 1] = '\0';
	}
	if (strcmp(s->where, "*") == 0)
		s->where[0] = '\0';
}

/* Record one -S address, unix:PATH or inet:HOST:PORT; 0, or -1 and err. */
int
socketmap_add(const char *text, char *err, size_t errlen)
{
	struct spec	 s, *ns;

	memset(&s, 0, sizeof(s));
	if (strncmp(text, "unix:", 5) == 0) {
		if (text[5] != '/' || strlen(text + 5) >=
		    sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen, "%s: expected unix:/absolute/path"
			    " of at most 107 bytes", text);
			return -1;
		}
	} else if (strncmp(text, "inet:", 5) == 0) {
		if (check_inet(text, text + 5, err, errlen) == -1)
			return -1;
		s.tcp = 1;
	} else {
		snprintf(err, errlen, "%s: expected unix:PATH or "
		    "inet:HOST:PORT", text);
		return -1;
	}
	if ((s.text = strdup(text)) == NULL ||
	    (s.buf = strdup(text + 5)) == NULL ||
	    (ns = reallocarray(specs, nspecs + 1, sizeof(*ns))) == NULL)
		fatal("socketmap_add");
	specs = ns;
	s.where = s.buf;
	if (s.tcp)
		split_inet(&s);
	specs[nspecs++] = s;
	return 0;
}

/* How many -S addresses were given. */
int
socketmap_count(void)
{
	return nspecs;
}

static void
add_listener(int fd, const struct spec *s, const char *path)
{
	struct listener	*nl, l = { .fd = fd, .tcp = s->tcp,
			    .text = s->text, .path = path };
	struct stat	 st;

	if (path != NULL) {
		if (stat(path, &st) == -1)
			fatal("socketmap: %s", path);
		l.dev = st.st_dev;
		l.ino = st.st_ino;
	}
	if ((nl = reallocarray(lis, nlis + 1, sizeof(*nl))) == NULL)
		fatal("socketmap listeners");
	lis = nl;
	lis[nlis++] = l;
	log_info("socketmap: answering on %s", s->text);
}

/* Remove a stale socket at path; fatal if a server answers there. */
static void
clear_stale(const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, r;

	if (lstat(sun->sun_path, &st) == -1) {
		if (errno == ENOENT)
			return;
		fatal("socketmap: %s", sun->sun_path);
	}
	if (!S_ISSOCK(st.st_mode))
		fatalx("socketmap: %s exists and is not a socket",
		    sun->sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0)
		fatalx("socketmap: a server answers on %s already; stop it "
		    "first", sun->sun_path);
	if (unlink(sun->sun_path) == -1)
		fatal("socketmap: cannot remove the stale %s", sun->sun_path);
}

static void
listen_unix(const struct spec *s, gid_t gid)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->where);
	clear_stale(&sun);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	/* Never wider than 0660, not even between bind and chmod. */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		fatal("socketmap: bind %s", s->where);
	}
	umask(old);
	if (gid != (gid_t)-1 && chown(s->where, (uid_t)-1, gid) == -1)
		fatal("socketmap: chown %s", s->where);
	if (chmod(s->where, 0660) == -1)
		fatal("socketmap: chmod %s", s->where);
	if (listen(fd, SOMAXCONN) == -1)
		fatal("socketmap: listen on %s", s->where);
	add_listener(fd, s, s->where);
}

static void
listen_one(const struct spec *s, const struct addrinfo *ai)
{
	char	host[NI_MAXHOST];
	int	fd, on = 1;

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		fatal("socketmap: %s: socket for %s", s->text, host);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1))
		fatal("socketmap: %s: setsockopt", s->text);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		fatal("socketmap: %s: bind to %s port %s", s->text, host,
		    s->port);
	if (listen(fd, SOMAXCONN) == -1)
		fatal("socketmap: %s: listen", s->text);
	add_listener(fd, s, NULL);
}

static void
listen_inet(const struct spec *s)
{
	struct addrinfo	 hints, *res, *ai;
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	e = getaddrinfo(s->where[0] ? s->where : NULL, s->port, &hints, &res);
	if (e != 0)
		fatalx("socketmap: %s: %s", s->text, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next)
		listen_one(s, ai);
	freeaddrinfo(res);
}

/* The reader list, as at start (no file is fatal) or on SIGHUP. */
static struct allow *
load_readers(int starting)
{
	struct allow	*a;
	char		 err[512];

	if ((a = allow_load(readerspath, err, sizeof(err))) != NULL &&
	    allow_is_default(a)) {
		allow_free(a);
		a = NULL;
		snprintf(err, sizeof(err), "%s: no such file (the socketmap's "
		    "TCP reader list)", readerspath);
	}
	if (a == NULL) {
		if (starting)
			fatalx("%s", err);
		log_warnx("%s; keeping the old reader list", err);
		return NULL;
	}
	log_info("%s: %zu socketmap readers", readerspath, allow_count(a));
	return a;
}

/* Room for both connection pools and the listeners; fatal if none. */
static void
fd_limit(void)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)maxconn * 2 + nlis + SM_SPARE_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		fatalx("socketmap: needs %llu descriptors, the limit is %llu",
		    (unsigned long long)need, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("socketmap: setrlimit to %llu descriptors",
		    (unsigned long long)need);
}

/* Bind every -S address (none: nothing to do); fatal on any failure. */
void
socketmap_open(const struct socketmap_conf *conf)
{
	struct group	*gr;
	gid_t		 gid = (gid_t)-1;
	int		 i;

	store = conf->store;
	maxconn = conf->maxconn;
	idle_ms = (long long)conf->idle * 1000;
	if (nspecs == 0)
		return;
	readerspath = conf->readers;
	for (i = 0; i < nspecs; i++)
		if (specs[i].tcp && readerspath == NULL)
			fatalx("-S %s: TCP lookups reveal who may relay; give "
			    "the readers allowed with -r file", specs[i].text);
	if (readerspath != NULL)
		readers = load_readers(1);
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL)
			fatalx("-g %s: no such group", conf->group);
		gid = gr->gr_gid;
	}
	for (i = 0; i < nspecs; i++) {
		if (specs[i].tcp)
			listen_inet(&specs[i]);
		else
			listen_unix(&specs[i], gid);
	}
	if ((rd = calloc(maxconn + 1, sizeof(*rd))) == NULL ||
	    (polled = calloc(socketmap_maxfds(), sizeof(*polled))) == NULL)
		fatal("socketmap");
	fd_limit();
}

/* The most entries socketmap_pollfds fills. */
int
socketmap_maxfds(void)
{
	return nspecs == 0 ? 0 : maxconn + nlis;
}

/* Fill fds with the connections, then the listeners; returns how many. */
int
socketmap_pollfds(struct pollfd *fds, int max)
{
	struct reader	*r;
	int		 i, n = 0, room;

	for (i = 0; i < nrd && n < max; i++, n++) {
		r = rd[i];
		room = r->nout + SM_MAXREPLY <= SM_OUTBUF;
		fds[n].fd = r->fd;
		fds[n].events = (room ? POLLIN : 0) |
		    (r->nout > r->off ? POLLOUT : 0);
		fds[n].revents = 0;
		polled[n] = r;
	}
	npolledrd = n;
	for (i = 0; i < nlis && n < max; i++, n++) {
		fds[n].fd = lis[i].fd;
		fds[n].events = clock_ms() >= paused ? POLLIN : 0;
		fds[n].revents = 0;
		polled[n] = &lis[i];
	}
	npolled = n;
	return n;
}

static void
drop(struct reader *r, const char *why)
{
	int	i;

	log_debug("socketmap: %s: %s", r->name, why);
	close(r->fd);
	for (i = 0; i < nrd; i++)
		if (rd[i] == r) {
			rd[i] = rd[--nrd];
			break;
		}
	free(r);
}

/* Append the netstring of body to the reader's output. */
static void
reply(struct reader *r, const char *body)
{
	int	n;

	n = snprintf(r->out + r->nout, SM_OUTBUF - r->nout, "%zu:%s,",
	    strlen(body), body);
	if (n > 0 && (size_t)n < SM_OUTBUF - r->nout)
		r->nout += n;
}

/* Answer one request, "<mapname> <key>", of len bytes. */
static void
answer(struct reader *r, const char *req, size_t len)
{
	struct addr	 ad;
	struct keyconv	 conv;
	const char	*sp;
	char		 key[KEY_LEN], body[SM_MAXREPLY];
	size_t		 klen, i;
	time_t		 when;

	if ((sp = memchr(req, ' ', len)) == NULL || sp == req) {
		reply(r, "PERM expected <mapname> <key>");
		return;
	}
	klen = len - (size_t)(sp + 1 - req);
	snprintf(body, sizeof(body), "NOTFOUND ");
	if (klen < sizeof(key)) {
		for (i = 0; i < klen; i++)
			key[i] = tolower((unsigned char)sp[1 + i]);
		if (key_parse(key, klen, &ad, &conv) == 0 &&
		    store_query(store, &ad, &when) == 0)
			snprintf(body, sizeof(body), "OK %lld",
			    (long long)when);
	}
	log_debug("socketmap: %s: %.*s: %s", r->name, (int)len, req, body);
	reply(r, body);
}

/*
 * Parse one netstring at in[*pos]: 1 and the payload, 0 while it is
 * incomplete, -1 when it is no netstring or longer than SM_MAXREQ.
 */
static int
netstring(const char *in, size_t nin, size_t *pos, const char **p,
    size_t *len)
{
	size_t	i = *pos, n = 0;

	if (i < nin && (!isdigit((unsigned char)in[i]) ||
	    (in[i] == '0' && i + 1 < nin && in[i + 1] != ':')))
		return -1;
	for (; i < nin && isdigit((unsigned char)in[i]); i++)
		if ((n = n * 10 + (in[i] - '0')) > SM_MAXREQ)
			return -1;
	if (i == nin)
		return 0;
	if (in[i] != ':')
		return -1;
	if (nin - i - 1 < n + 1)
		return 0;
	if (in[i + 1 + n] != ',')
		return -1;
	*p = in + i + 1;
	*len = n;
	*pos = i + n + 2;
	return 1;
}

/* Answer the complete requests in the input while replies fit; -1: bad. */
static int
serve(struct reader *r)
{
	const char	*p;
	size_t		 pos = 0, len;
	int		 got = 0;

	while (r->nout + SM_MAXREPLY <= SM_OUTBUF &&
	    (got = netstring(r->in, r->nin, &pos, &p, &len)) == 1)
		answer(r, p, len);
	memmove(r->in, r->in + pos, r->nin - pos);
	r->nin -= pos;
	return got == -1 ? -1 : 0;
}

/* Write what waits; -1 when the reader is gone. */
static int
flush(struct reader *r)
{
	ssize_t	n;

	if (r->nout == r->off)
		return 0;
	n = write(r->fd, r->out + r->off, r->nout - r->off);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	r->off += n;
	if (r->off == r->nout)
		r->off = r->nout = 0;
	else if (r->nout + SM_MAXREPLY > SM_OUTBUF) {
		memmove(r->out, r->out + r->off, r->nout - r->off);
		r->nout -= r->off;
		r->off = 0;
	}
	return 0;
}

/* Serve one reader's events: read once, answer, write. */
static void
reader_events(struct reader *r, short revents)
{
	ssize_t	n = 0;
	int	eof = 0;

	if (revents & POLLOUT && flush(r) == -1) {
		drop(r, "write failed");
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR) && r->nin < SM_INBUF) {
		n = read(r->fd, r->in + r->nin, SM_INBUF - r->nin);
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			drop(r, "read failed");
			return;
		}
		if (n > 0) {
			r->nin += n;
			r->last = clock_ms();
		}
		eof = n == 0;
	}
	if (serve(r) == -1) {
		drop(r, "not a netstring, or longer than 1024 bytes: closed");
		return;
	}
	if (flush(r) == -1)
		drop(r, "write failed");
	else if (eof)
		drop(r, "closed by the reader");
}

/* Close the least recently active reader. */
static void
evict(void)
{
	struct reader	*old = NULL;
	int		 i;

	for (i = 0; i < nrd; i++)
		if (old == NULL || rd[i]->last < old->last)
			old = rd[i];
	log_limited(LIMIT_CONN, "socketmap: over %d connections: closed the "
	    "least recently active, from %s", maxconn, old->name);
	drop(old, "over the connection cap");
}

static void
adopt(int fd, const struct listener *l, const struct sockaddr_storage *ss)
{
	struct reader	*r;
	struct addr	 ad;
	int		 on = 1;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_limited(LIMIT_CONN, "socketmap: out of memory");
		close(fd);
		return;
	}
	r->fd = fd;
	r->tcp = l->tcp;
	r->peer = *ss;
	r->last = clock_ms();
	snprintf(r->name, sizeof(r->name), "%s", l->text);
	if (l->tcp) {
		if (addr_from_sockaddr(&ad, (struct sockaddr *)ss) == 0)
			addr_text(&ad, r->name, sizeof(r->name));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	}
	if (nrd == maxconn)
		evict();
	rd[nrd++] = r;
}

/* 1 when the peer ss is in the reader list, else 0; its address in ad. */
static int
listed(const struct sockaddr_storage *ss, struct addr *ad)
{
	if (addr_from_sockaddr(ad, (const struct sockaddr *)ss) == -1) {
		memset(ad, 0, sizeof(*ad));
		return 0;
	}
	return allow_match(readers, ad);
}

/* Accept what waits on listener l, refusing TCP callers not listed. */
static void
accept_on(const struct listener *l)
{
	struct sockaddr_storage	ss;
	struct addr		ad;
	socklen_t		len;
	char			name[INET6_ADDRSTRLEN] = "?";
	int			fd, i;

	for (i = 0; i < SM_ACCEPTS; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_limited(LIMIT_CONN, "socketmap: accept: %s",
				    strerror(errno));
				paused = clock_ms() + SM_PAUSE_MS;
			}
			return;
		}
		if (l->tcp && !listed(&ss, &ad)) {
			addr_text(&ad, name, sizeof(name));
			log_limited_from(LIMIT_DENIED, &ad, "socketmap: reader "
			    "%s not in %s: closed", name, readerspath);
			close(fd);
			continue;
		}
		adopt(fd, l, &ss);
	}
}

/* Close the readers idle for the timeout. */
static void
expire_idle(void)
{
	long long	now = clock_ms();
	int		i;

	for (i = nrd - 1; i >= 0; i--)
		if (now - rd[i]->last >= idle_ms)
			drop(rd[i], "idle: closed");
}

/* Serve the entries of the last socketmap_pollfds; how many had events. */
int
socketmap_events(const struct pollfd *fds, int n)
{
	int	i, nev = 0;

	for (i = 0; i < n && i < npolled; i++) {
		if (fds[i].revents == 0)
			continue;
		nev++;
		if (i < npolledrd)
			reader_events(polled[i], fds[i].revents);
		else
			accept_on(polled[i]);
	}
	npolled = 0;
	expire_idle();
	return nev;
}

/* Msec until the first idle reader is due, -1 for none. */
int
socketmap_timeout(void)
{
	long long	now = clock_ms(), first = -1, d;
	int		i;

	for (i = 0; i < nrd; i++) {
		d = rd[i]->last + idle_ms - now;
		if (first == -1 || d < first)
			first = d < 0 ? 0 : d;
	}
	if (paused > now && (first == -1 || paused - now < first))
		first = paused - now;
	return first > 60000 ? 60000 : (int)first;
}

/* Reread the reader list; close TCP readers it no longer lists. */
void
socketmap_reload(void)
{
	struct allow	*a;
	struct addr	 ad;
	int		 i;

	if (readerspath == NULL || (a = load_readers(0)) == NULL)
		return;
	allow_free(readers);
	readers = a;
	for (i = nrd - 1; i >= 0; i--)
		if (rd[i]->tcp && !listed(&rd[i]->peer, &ad))
			drop(rd[i], "no longer in the reader list: closed");
}

/* Close every connection and listener; remove our unix sockets. */
void
socketmap_close(void)
{
	struct stat	st;
	int		i;

	while (nrd > 0)
		drop(rd[0], "dracd stops");
	for (i = 0; i < nlis; i++) {
		close(lis[i].fd);
		if (lis[i].path != NULL && lstat(lis[i].path, &st) == 0 &&
		    st.st_dev == lis[i].dev && st.st_ino == lis[i].ino &&
		    unlink(lis[i].path) == -1)
			log_debug("socketmap: cannot remove %s: %s",
			    lis[i].path, strerror(errno));
	}
	for (i = 0; i < nspecs; i++) {
		free(specs[i].text);
		free(specs[i].buf);
	}
	free(specs);
	free(lis);
	free(rd);
	free(polled);
	allow_free(readers);
	specs = NULL;
	lis = NULL;
	rd = NULL;
	polled = NULL;
	readers = NULL;
	nspecs = nlis = nrd = 0;
}

/*
 * dracd: the DRAC daemon.  POP and IMAP servers call it (ONC RPC program
 * 900101, versions 1 and 2; version 3 adds more procedures) after a user
 * logs in; it writes the user's address with an expiry time into the
 * relay map that the MTA reads.
 *
 * This file holds the options, the start-up sequence (main), signals and
 * the event loop; the transports are listen.c (sockets, rpcbind),
 * dgram.c (UDP), conn.c (TCP) and rpc.c (calls and replies), the
 * procedures are in handler.c.
 *
 * How dracd owns its sockets (the decision for every transport file):
 * dracd opens, binds and reads its sockets itself and registers them with
 * rpcbind itself; libtirpc's server side (svc_*) is not used.  The
 * protocol still comes from drac.x alone: rpcgen's drac.h gives the
 * numbers, its xdr_* routines decode the arguments and encode the
 * results, and libtirpc's xdr_callmsg/xdr_replymsg and rpcb_set/unset do
 * the RPC headers and the registration.  Why: dracd must know on which
 * interface a datagram arrived (to refuse forged sources), must close an
 * untrusted TCP peer before reading from it, must never wait for a
 * client that does not read its replies, and must decode a call from
 * exactly the bytes received.  libtirpc's svc gives none of that without
 * patching its private transport operations, keeps its connections out
 * of reach, and spins for seconds on a full TCP socket.  The loop is
 * ours: it polls the listening sockets and the connections with the
 * signals unblocked only inside ppoll(), acts on signal flags between
 * rounds, and gives the store its timer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include "allow.h"
#include "conn.h"
#include "dgram.h"
#include "drac.h"
#include "handler.h"
#include "listen.h"
#include "log.h"
#include "notify.h"
#include "num.h"
#include "socketmap.h"
#include "safeopen.h"
#include "store.h"

#define DRACD_VERSION	"2.0"
#define DEFAULT_WINDOW	20	/* group commit window, msec */
#define DEFAULT_MAXCONN	128	/* TCP connections */
#define YEAR_MS		(366 * 86400 * NUM_SEC)
#define DURATION	"minutes, or a number with s, m, h or d (at most a year)"
#define DEFAULT_IDLE	600	/* seconds a TCP connection may idle */
#define MAXLISTEN	16	/* -l addresses */
#define DEFAULT_LOCAL	"/run/drac/dracd.sock"	/* -U */
#define DEFAULT_MAXTTL	86400	/* -E, seconds */
#define DEFAULT_MAX	1000000	/* map entries: 59 MiB resident (dracd.8) */

static char			*allowpath;
static size_t		 nallow;	/* entries in the allow file */
static struct store		*store;
static volatile sig_atomic_t	 gotterm, gothup;

static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: dracd [-CdfinN] [-a allowfile] [-c maxconn] "
	    "[-E maxttl] [-e expire]\n"
	    "             [-G group] [-g group] [-j statedir] [-l address] "
	    "[-m max]\n"
	    "             [-P tcp|any] [-r readers] [-S unix:path | "
	    "inet:host:port]\n"
	    "             [-s msec] [-T idle] [-t hash|btree] [-U socket] "
	    "[-u user] [dbfile]\n");
	exit(2);
}

/*
 * The value of option ch: a number (unit 0) or a duration in unit, from
 * min to max; exits with usage() naming what was expected if it is not.
 */
static long long
option_value(int ch, const char *arg, long long unit, long long min,
    long long max, const char *expected)
{
	const char	*errstr;
	long long	 v;

	if (unit == 0)
		v = num_parse(arg, min, max, &errstr);
	else
		v = num_duration(arg, unit, min, max, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "dracd: -%c %s: %s, expected %s\n", ch, arg,
		    errstr, expected);
		usage();
	}
	return v;
}

/* 0 when option ch's arg is w0, 1 when it is w1; usage() otherwise. */
static int
option_word(int ch, const char *arg, const char *w0, const char *w1)
{
	if (strcmp(arg, w0) == 0)
		return 0;
	if (strcmp(arg, w1) == 0)
		return 1;
	fprintf(stderr, "dracd: -%c %s: expected %s or %s\n", ch, arg, w0, w1);
	usage();
}

/* An absolute path, so that nothing depends on the working directory. */
static char *
absolute(const char *path)
{
	char	cwd[PATH_MAX], *p;

	if (path[0] == '/') {
		if ((p = strdup(path)) == NULL)
			fatal("strdup");
		return p;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		fatal("getcwd");
	if (asprintf(&p, "%s/%s", cwd, path) == -1)
		fatal("asprintf");
	return p;
}

static void
load_allow(int starting)
{
	struct allow	*na;
	const char	*w;
	char		 err[1024];
	size_t		 i;

	if ((na = allow_load(allowpath, err, sizeof(err))) == NULL) {
		if (starting)
			fatalx("%s", err);
		log_warnx("%s; keeping the old allow list", err);
		return;
	}
	for (i = 0; (w = allow_warning(na, i)) != NULL; i++)
		log_warnx("%s", w);
	handler_allow(na);
	if (allow_is_default(na))
		log_info("%s: no such file; trusting only this host's "
		    "addresses", allowpath);
	else
		log_info("%s: %zu entries", allowpath, allow_count(na));
	nallow = allow_is_default(na) ? 0 : allow_count(na);
}

/* Refuse to start beside a dracd that already answers on this host. */
static void
check_running(void)
{
	struct timeval	 tv = { 1, 0 };
	CLIENT		*cl;
	enum clnt_stat	 st;

	cl = clnt_create_timed("localhost", DRACPROG, DRACVERS, "udp", &tv);
	if (cl == NULL)
		return;
	clnt_control(cl, CLSET_TIMEOUT, (char *)&tv);
	st = clnt_call(cl, NULLPROC, (xdrproc_t)xdr_void, NULL,
	    (xdrproc_t)xdr_void, NULL, tv);
	clnt_destroy(cl);
	if (st == RPC_SUCCESS)
		fatalx("another dracd answers on this host (rpcinfo -p); "
		    "stop it first");
}

/* Become pw for good (groups, gid, uid), and check it; fatal if not. */
static void
drop_privileges(const struct passwd *pw)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg, g;

	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot become user %s", pw->pw_name);
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != pw->pw_uid || eu != pw->pw_uid || su != pw->pw_uid ||
	    rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid ||
	    getgroups(1, &g) != 1 || g != pw->pw_gid ||
	    (pw->pw_uid != 0 && setuid(0) != -1))
		fatalx("privileges not dropped to user %s", pw->pw_name);
	/* SIGHUP rereads the allow file as pw. */
	if (access(allowpath, R_OK) == -1 && errno != ENOENT)
		fatal("%s: user %s cannot read it, so SIGHUP could not "
		    "reload it", allowpath, pw->pw_name);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		gothup = 1;
	else
		gotterm = 1;
}

/* Block the signals we handle; ppoll() unblocks them while waiting. */
static void
signals(sigset_t *waitmask)
{
	struct sigaction	sa;
	sigset_t		block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

/* The poll timeout: the first of the store's, conn's and socketmap's. */
static struct timespec *
next_timeout(struct timespec *ts)
{
	int	ms, cms;

	ms = store_timeout(store);
	if ((cms = conn_timeout()) >= 0 && (ms < 0 || cms < ms))
		ms = cms;
	if ((cms = socketmap_timeout()) >= 0 && (ms < 0 || cms < ms))
		ms = cms;
	if (ms < 0)
		return NULL;
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

/*
 * The event loop: the listening sockets first in the poll set, then one
 * entry per connection (at most maxconn), then the socketmap's, then the
 * commit thread's (store_pollfd()), until SIGTERM or SIGINT.
 */
static void
loop(const struct listener *ls, int nls, int maxconn, const sigset_t *mask)
{
	struct pollfd	*pfd;
	struct timespec	 ts;
	int		 i, n, nsm, r;

	if ((pfd = calloc((size_t)nls + maxconn + socketmap_maxfds() + 1,
	    sizeof(*pfd))) == NULL)
		fatal("poll array");
	while (!gotterm) {
		if (gothup) {
			gothup = 0;
			load_allow(0);
			socketmap_reload();
		}
		for (i = 0; i < nls; i++) {
			pfd[i].fd = ls[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = conn_pollfds(pfd + nls);
		nsm = socketmap_pollfds(pfd + nls + n, socketmap_maxfds());
		/* Last: the commit thread's end (store.c). */
		pfd[nls + n + nsm].fd = store_pollfd(store);
		pfd[nls + n + nsm].events = POLLIN;
		pfd[nls + n + nsm].revents = 0;
		r = ppoll(pfd, nls + n + nsm + 1, next_timeout(&ts), mask);
		if (r == -1 && errno != EINTR)
			fatal("poll");
		/* Also on a timeout: it closes the idle readers. */
		if (r >= 0)
			socketmap_events(pfd + nls + n, nsm);
		if (r > 0) {
			conn_events(pfd + nls, n);
			for (i = 0; i < nls; i++) {
				if (pfd[i].revents == 0)
					continue;
				if (ls[i].type == SOCK_DGRAM)
					dgram_read(ls[i].fd, ls[i].outside);
				else
					conn_accept(ls[i].fd);
			}
		}
		conn_check();
		store_run(store);
	}
	free(pfd);
}

struct options {
	struct store_conf	 conf;
	struct socketmap_conf	 sm;
	const char		*allow;
	const char		*user;
	const char		*local;		/* -U */
	int			 localset;
	const char		*group;		/* -G */
	time_t			 maxttl;	/* -E */
	char			*listen[MAXLISTEN];
	int			 nlisten;
	int			 fg, debug, tcponly, maxconn, check;
	time_t			 idle;
};

/* Parse the command line into o; exits with usage() on any error. */
static void
options(int argc, char *argv[], struct options *o)
{
	char	err[256];
	int	ch;

	while ((ch = getopt(argc, argv,
	    "a:Cc:dE:e:fG:g:ij:l:m:nNP:r:S:s:T:t:U:u:")) != -1) {
		switch (ch) {
		case 'a':
			o->allow = optarg;
			break;
		case 'C':
			o->conf.fmt.cidr = 1;
			break;
		case 'c':
			o->maxconn = option_value(ch, optarg, 0, 1, 65536,
			    "1 to 65536 connections");
			break;
		case 'd':
			o->debug = o->fg = 1;
			break;
		case 'E':
			o->maxttl = option_value(ch, optarg, NUM_MIN,
			    NUM_SEC, YEAR_MS, DURATION) / 1000;
			break;
		case 'G':
			o->group = optarg;
			break;
		case 'U':
			o->local = optarg;
			o->localset = 1;
			break;
		case 'e':
			o->conf.expire = option_value(ch, optarg, NUM_MIN,
			    NUM_SEC, YEAR_MS, DURATION) / 1000;
			break;
		case 'f':
			o->fg = 1;
			break;
		case 'g':
			o->sm.group = optarg;
			break;
		case 'i':
			o->conf.truncate = 1;
			break;
		case 'l':
			if (o->nlisten == MAXLISTEN) {
				fprintf(stderr, "dracd: -l: at most %d "
				    "addresses\n", MAXLISTEN);
				usage();
			}
			o->listen[o->nlisten++] = optarg;
			break;
		case 'j':
			o->conf.statedir = optarg;
			break;
		case 'm':
			o->conf.max = option_value(ch, optarg, 0, 1,
			    100000000, "1 to 100000000 entries");
			break;
		case 'n':
			o->check = 1;
			break;
		case 'N':
			o->conf.fmt.nul = 1;
			break;
		case 'P':
			o->tcponly = option_word(ch, optarg, "any", "tcp");
			break;
		case 'r':
			o->sm.readers = optarg;
			break;
		case 'S':
			if (socketmap_add(optarg, err, sizeof(err)) == -1) {
				fprintf(stderr, "dracd: -S %s\n", err);
				usage();
			}
			break;
		case 's':
			o->conf.window = option_value(ch, optarg, 0, 0, 1000,
			    "0 to 1000 msec");
			break;
		case 'T':
			o->idle = option_value(ch, optarg, NUM_MIN, NUM_SEC,
			    YEAR_MS, DURATION) / 1000;
			break;
		case 't':
			o->conf.fmt.type = option_word(ch, optarg, "hash",
			    "btree") ? MAP_BTREE : MAP_HASH;
			break;
		case 'u':
			o->user = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1)
		usage();
	if (argc - optind == 1)
		o->conf.path = argv[optind];
}

/* The map: replayed and indexed, then given to pw (if any). */
static struct store *
open_map(const struct store_conf *conf, const struct passwd *pw)
{
	struct store	*s;

	if ((s = store_open(conf)) == NULL)
		fatalx("%s: cannot open the map", conf->path);
	/* So that the map can be written after the drop, and reopened. */
	if (pw != NULL && store_chown(s, pw->pw_uid, pw->pw_gid) == -1)
		fatalx("%s: cannot give the map to user %s", conf->path,
		    pw->pw_name);
	return s;
}

/*
 * dracd -n: check the allow file and the map, changing nothing, and
 * print every problem.  Returns the exit status: 0 if none, else 1.
 */
static int
check_config(const struct options *o)
{
	int	n;

	n = allow_check(allowpath, stdout);
	n += map_check(o->conf.path, &o->conf.fmt, stdout);
	if (n == 0)
		printf("dracd: configuration OK\n");
	else
		printf("dracd: %d problem%s\n", n, n == 1 ? "" : "s");
	return n == 0 ? 0 : 1;
}

/* The start line: version, map, expiry, allow file, transports. */
static void
started(const struct options *o, const struct listener *ls, int nls)
{
	struct map_format	f;
	char			tr[64] = "";
	size_t			n = 0;
	int			i, j;

	for (i = 0; i < nls; i++) {
		for (j = 0; j < i && strcmp(ls[j].netid, ls[i].netid) != 0; j++)
			;
		if (j == i && n < sizeof(tr))
			n += snprintf(tr + n, sizeof(tr) - n, "%s%s",
			    n ? " " : "", ls[i].netid);
	}
	store_format(store, &f);
	log_info("drac %s started: map %s (%zu entries), %s, keys %s NUL, "
	    "%s CIDR suffix, expire %llds, sync window %d ms, at most %zu "
	    "entries, allow file %s with %zu entries, transports %s%s",
	    DRACD_VERSION, o->conf.path, store_count(store),
	    map_type_name(f.type),
	    f.nul ? "with" : "without", f.cidr ? "with" : "without",
	    (long long)o->conf.expire, o->conf.window, o->conf.max,
	    allowpath, nallow, tr,
	    o->tcponly ? " (adds over TCP only)" : "");
}

/*
 * The local socket (-U), for DEL, LIST and STATS: "none" makes none; the
 * default path's directory is made when missing, and a default that
 * cannot be made is skipped with a warning.  Returns the listener count.
 */
static int
open_local(const struct options *o, struct listener **ls, int nls)
{
	char	dir[PATH_MAX], *slash;

	if (strcmp(o->local, "none") == 0)
		return nls;
	if (!o->localset) {
		snprintf(dir, sizeof(dir), "%s", o->local);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		if ((mkdir(dir, 0755) == -1 && errno != EEXIST) ||
		    access(dir, W_OK) == -1) {
			log_warn("%s: no local socket %s", dir, o->local);
			return nls;
		}
	}
	return listen_local(o->local, ls, nls);
}

/* The gid of -G's group, or (gid_t)-1 without -G; fatal if unknown. */
static gid_t
admin_group(const char *name)
{
	struct group	*gr;

	if (name == NULL)
		return (gid_t)-1;
	if ((gr = getgrnam(name)) == NULL)
		fatalx("-G %s: no such group", name);
	return gr->gr_gid;
}

/* Detach from the terminal unless fg; from now on log to syslog. */
static void
detach(int fg)
{
	if (fg)
		return;
	if (daemon(0, 0) == -1)
		fatal("daemon");
	log_init(0, 0);
}

/*
 * Start-up is a sequence whose order matters; each step says why it
 * comes where it does.
 */
int
main(int argc, char *argv[])
{
	struct options		 o = {
		.conf = {
			.path = "/etc/mail/dracd.db",
			.statedir = "/var/lib/drac",
			.fmt = { MAP_UNSET, -1, -1 },
			.expire = 30 * 60,
			.window = DEFAULT_WINDOW,
			.max = DEFAULT_MAX,
		},
		.allow = "/etc/mail/dracd.allow",
		.maxconn = DEFAULT_MAXCONN,
		.local = DEFAULT_LOCAL,
		.maxttl = DEFAULT_MAXTTL,
		.idle = DEFAULT_IDLE,
	};
	sigset_t		 waitmask;
	struct passwd		*pw = NULL;
	struct listener		*ls;
	char			*mappath, *readerspath = NULL;
	gid_t			 admgid;
	int			 nls, ret;

	options(argc, argv, &o);
	log_init(1, o.debug);
	umask(022);
	o.conf.path = mappath = absolute(o.conf.path);
	allowpath = absolute(o.allow);
	if (o.user != NULL && (pw = getpwnam(o.user)) == NULL)
		fatalx("-u %s: no such user", o.user);
	admgid = admin_group(o.group);
	/* Files of -u's user are dracd's own (safeopen.c). */
	if (pw != NULL)
		safe_owner(pw->pw_uid);
	if (o.check) {
		ret = check_config(&o);
		free(allowpath);
		free(mappath);
		return ret;
	}
	/* 1. Signals, before anything that takes time: a SIGTERM during
	 * start-up waits for the loop, which stops cleanly. */
	signals(&waitmask);
	/* 2. The allow file: a bad one stops dracd before it touches
	 * anything. */
	load_allow(1);
	/* 3. Another dracd: refuse before touching the map it owns. */
	check_running();
	/* 4. The map, as root: replay the journal, index the entries, give
	 * the files to -u's user so that it can write and reopen them. */
	store = open_map(&o.conf, pw);
	handler_init(store, allowpath, o.tcponly);
	handler_init3(o.maxttl, admgid, DRACD_VERSION);
	conn_init(o.maxconn, (int)o.idle);
	/* 5. Bind, still as root: any address and port can be had, and
	 * the socketmap's unix sockets made in a root-owned directory. */
	nls = listen_open(o.listen, o.nlisten, &ls);
	nls = open_local(&o, &ls, nls);
	if (o.sm.readers != NULL)
		o.sm.readers = readerspath = absolute(o.sm.readers);
	o.sm.store = store;
	o.sm.maxconn = o.maxconn;
	o.sm.idle = (int)o.idle;
	socketmap_open(&o.sm);
	/* 6. Drop privileges: nothing after this needs root. */
	if (pw != NULL)
		drop_privileges(pw);
	/* 7. Register with rpcbind as the user that unregisters at exit:
	 * rpcbind lets only that user remove the entries. */
	listen_register(ls, nls);
	/* 8. Detach last, so that every start-up error reaches the shell. */
	detach(o.fg);
	/* 8a. The commit thread, in the process that serves: a fork keeps
	 * only the thread that forks. */
	if (store_start(store) == -1)
		log_warnx("no commit thread: changes are written in the event "
		    "loop");
	/* 9. Ready: registered, and in the process that will serve (systemd
	 * takes the PID of the sender as the service's). */
	notify_ready();
	started(&o, ls, nls);
	loop(ls, nls, o.maxconn, &waitmask);

	/* Unregister first: clients stop being sent to a dracd that stops. */
	listen_unregister();
	conn_closeall();
	listen_close(ls, nls);
	socketmap_close();
	ret = store_close(store);
	handler_allow(NULL);
	free(allowpath);
	free(mappath);
	free(readerspath);
	log_info("stopped");
	return ret == 0 ? 0 : 1;
}

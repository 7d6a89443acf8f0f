/*
 * dracd: the DRAC daemon.  POP and IMAP servers call it (ONC RPC program
 * 900101, versions 1 and 2) after a user logs in; it writes the user's
 * address with an expiry time into the relay map that the MTA reads.
 *
 * This file holds the options, the RPC transports, signals and the event
 * loop; the procedures themselves are in handler.c.  The loop is ours (no
 * svc_run): it polls the RPC descriptors with the signals unblocked only
 * inside ppoll(), acts on signal flags between requests, and gives the
 * store its timer.
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
#include <rpc/rpc_com.h>

#include "allow.h"
#include "conn.h"
#include "dgram.h"
#include "drac.h"
#include "handler.h"
#include "log.h"
#include "num.h"
#include "socketmap.h"
#include "store.h"

#define DRACD_VERSION	"2.0"
#define MAX_RECORD	8192	/* largest TCP record we accept */
#define DEFAULT_WINDOW	20	/* group commit window, msec */
#define DEFAULT_MAXCONN	128	/* TCP connections */
#define YEAR_MS		(366 * 86400 * NUM_SEC)
#define DURATION	"minutes, or a number with s, m, h or d (at most a year)"
#define DEFAULT_IDLE	600	/* seconds a TCP connection may idle */
#define NNETIDS		4

static char			*allowpath;
static struct store		*store;
static volatile sig_atomic_t	 gotterm, gothup;

static void
usage(void)
{
	fprintf(stderr, "usage: dracd [-dfiN] [-a allowfile] [-c maxconn] "
	    "[-e expire] [-g group]\n"
	    "             [-r readers] [-S unix:path | inet:host:port] "
	    "[-s msec] [-T idle]\n"
	    "             [-t hash|btree] [-u user] [dbfile]\n");
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
	char		 err[512];

	if ((na = allow_load(allowpath, err, sizeof(err))) == NULL) {
		if (starting)
			fatalx("%s", err);
		log_warnx("%s; keeping the old allow list", err);
		return;
	}
	handler_allow(na);
	if (allow_is_default(na))
		log_info("%s: no such file; trusting only this host's "
		    "addresses", allowpath);
	else
		log_info("%s: %zu entries", allowpath, allow_count(na));
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

/*
 * Create (bind) the transports, drop to pw unless NULL, then register
 * versions 1 and 2 with rpcbind: rpcbind lets only the user who registered
 * a service unset it, so the registrations must be pw's for the
 * svc_unreg() at exit to work.
 */
static void
serve(const struct passwd *pw)
{
	static const char	*netids[NNETIDS] = { "udp", "tcp", "udp6",
				    "tcp6" };
	struct netconfig	*nc[NNETIDS];
	SVCXPRT			*x[NNETIDS];
	size_t			 i;
	int			 maxrec = MAX_RECORD, n = 0;

	/* Bounded records also make libtirpc's TCP servicing non-blocking. */
	rpc_control(RPC_SVC_CONNMAXREC_SET, &maxrec);
	rpcb_unset(DRACPROG, DRACVERS, NULL);
	rpcb_unset(DRACPROG, DRACVERS6, NULL);
	for (i = 0; i < NNETIDS; i++) {
		x[i] = NULL;
		if ((nc[i] = getnetconfigent(netids[i])) == NULL)
			continue;
		x[i] = svc_tli_create(RPC_ANYFD, nc[i], NULL, 0, 0);
		if (x[i] == NULL)
			log_warnx("%s: cannot create the transport",
			    netids[i]);
		else if (nc[i]->nc_semantics == NC_TPI_CLTS &&
		    dgram_guard(x[i]) == -1)
			fatalx("%s: not the UDP transport expected",
			    netids[i]);
	}
	if (pw != NULL)
		drop_privileges(pw);
	for (i = 0; i < NNETIDS; i++) {
		if (x[i] != NULL) {
			if (!svc_reg(x[i], DRACPROG, DRACVERS, dracprog_1,
			    nc[i]) || !svc_reg(x[i], DRACPROG, DRACVERS6,
			    dracprog_2, nc[i]))
				fatalx("%s: cannot register with rpcbind (is "
				    "it running?)", netids[i]);
			conn_listener(x[i]->xp_fd);
			n++;
		}
		if (nc[i] != NULL)
			freenetconfigent(nc[i]);
	}
	if (n == 0)
		fatalx("no transport could be created");
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

static void
loop(const sigset_t *waitmask)
{
	struct pollfd	*fds = NULL, *nf;
	struct timespec	 ts, *tp;
	int		 cap = 0, nsvc, nsm, ms, cms, r;

	while (!gotterm) {
		if (gothup) {
			gothup = 0;
			load_allow(0);
			socketmap_reload();
		}
		nsvc = svc_max_pollfd;
		if (cap < nsvc + socketmap_maxfds()) {
			cap = nsvc + socketmap_maxfds();
			if ((nf = reallocarray(fds, cap, sizeof(*fds))) == NULL)
				fatal("poll array");
			fds = nf;
		}
		memcpy(fds, svc_pollfd, nsvc * sizeof(*fds));
		nsm = socketmap_pollfds(fds + nsvc, cap - nsvc);
		ms = store_timeout(store);
		if ((cms = conn_timeout()) >= 0 && (ms < 0 || cms < ms))
			ms = cms;
		if ((cms = socketmap_timeout()) >= 0 && (ms < 0 || cms < ms))
			ms = cms;
		tp = NULL;
		if (ms >= 0) {
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (long)(ms % 1000) * 1000000;
			tp = &ts;
		}
		r = ppoll(fds, nsvc + nsm, tp, waitmask);
		if (r == -1 && errno != EINTR)
			fatal("poll");
		/* svc_getreq_poll stops after r entries with events. */
		if (r >= 0)
			r -= socketmap_events(fds + nsvc, nsm);
		if (r > 0) {
			conn_seen(fds, nsvc);
			svc_getreq_poll(fds, r);
		}
		conn_check();
		store_run(store);
	}
	free(fds);
}

int
main(int argc, char *argv[])
{
	struct store_conf	 conf = {
		.path = "/etc/mail/dracd.db",
		.type = MAP_HASH,
		.expire = 30 * 60,
		.window = DEFAULT_WINDOW,
	};
	struct socketmap_conf	 smconf = { .group = NULL };
	sigset_t		 waitmask;
	struct passwd		*pw = NULL;
	const char		*allowarg = "/etc/mail/dracd.allow";
	const char		*user = NULL;
	char			*mappath, *readerspath = NULL, err[256];
	int			 ch, fg = 0, debug = 0, ret;
	int			 maxconn = DEFAULT_MAXCONN;
	time_t			 idle = DEFAULT_IDLE;

	while ((ch = getopt(argc, argv, "a:c:de:fg:iNr:S:s:T:t:u:")) != -1) {
		switch (ch) {
		case 'a':
			allowarg = optarg;
			break;
		case 'c':
			maxconn = option_value(ch, optarg, 0, 1, 65536,
			    "1 to 65536 connections");
			break;
		case 'd':
			debug = fg = 1;
			break;
		case 'e':
			conf.expire = option_value(ch, optarg, NUM_MIN,
			    NUM_SEC, YEAR_MS, DURATION) / 1000;
			break;
		case 'f':
			fg = 1;
			break;
		case 'g':
			smconf.group = optarg;
			break;
		case 'i':
			conf.truncate = 1;
			break;
		case 'N':
			conf.nul = 1;
			break;
		case 'r':
			smconf.readers = optarg;
			break;
		case 'S':
			if (socketmap_add(optarg, err, sizeof(err)) == -1) {
				fprintf(stderr, "dracd: -S %s\n", err);
				usage();
			}
			break;
		case 's':
			conf.window = option_value(ch, optarg, 0, 0, 1000,
			    "0 to 1000 msec");
			break;
		case 'T':
			idle = option_value(ch, optarg, NUM_MIN, NUM_SEC,
			    YEAR_MS, DURATION) / 1000;
			break;
		case 't':
			if (strcmp(optarg, "hash") == 0)
				conf.type = MAP_HASH;
			else if (strcmp(optarg, "btree") == 0)
				conf.type = MAP_BTREE;
			else {
				fprintf(stderr, "dracd: -t %s: expected hash "
				    "or btree\n", optarg);
				usage();
			}
			break;
		case 'u':
			user = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1)
		conf.path = argv[0];

	log_init(1, debug);
	umask(022);
	conf.path = mappath = absolute(conf.path);
	allowpath = absolute(allowarg);
	if (user != NULL && (pw = getpwnam(user)) == NULL)
		fatalx("-u %s: no such user", user);
	load_allow(1);
	check_running();
	if ((store = store_open(&conf)) == NULL)
		fatalx("%s: cannot open the map", conf.path);
	/* So that the map can be written after the drop, and reopened. */
	if (pw != NULL && store_chown(store, pw->pw_uid, pw->pw_gid) == -1)
		fatalx("%s: cannot give the map to user %s", conf.path, user);
	handler_init(store, allowpath);
	conn_init(maxconn, (int)idle);
	if (smconf.readers != NULL)
		smconf.readers = readerspath = absolute(smconf.readers);
	smconf.store = store;
	smconf.maxconn = maxconn;
	smconf.idle = (int)idle;
	socketmap_open(&smconf);
	serve(pw);
	if (!fg) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, 0);
	}
	signals(&waitmask);
	log_info("drac %s started: map %s (%zu entries), expire %llds, "
	    "sync window %d ms", DRACD_VERSION, conf.path, store_count(store),
	    (long long)conf.expire, conf.window);
	loop(&waitmask);

	socketmap_close();
	ret = store_close(store);
	svc_unreg(DRACPROG, DRACVERS);
	svc_unreg(DRACPROG, DRACVERS6);
	handler_allow(NULL);
	free(allowpath);
	free(mappath);
	free(readerspath);
	log_info("stopped");
	return ret == 0 ? 0 : 1;
}

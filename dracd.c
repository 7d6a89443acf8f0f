/*
 * dracd: the DRAC daemon.  POP and IMAP servers call it (ONC RPC program
 * 900101, versions 1 and 2) after a user logs in; it writes the user's
 * address with an expiry time into the relay map that the MTA reads.
 *
 * This file holds the options, the RPC transports and handlers, signals
 * and the event loop.  The loop is ours (no svc_run): it polls the RPC
 * descriptors with the signals unblocked only inside ppoll(), acts on
 * signal flags between requests, and gives the store its timer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpc/rpc.h>
#include <rpc/rpc_com.h>

#include "addr.h"
#include "allow.h"
#include "drac.h"
#include "log.h"
#include "store.h"

#define DRACD_VERSION	"2.0"
#define MAX_RECORD	8192	/* largest TCP record we accept */
#define DEFAULT_WINDOW	20	/* group commit window, msec */

static struct allow		*allow;
static char			*allowpath;
static struct store		*store;
static volatile sig_atomic_t	 gotterm, gothup;

static void
usage(void)
{
	fprintf(stderr, "usage: dracd [-dfiN] [-a allowfile] [-e expire] "
	    "[-s msec] [-t hash|btree] [dbfile]\n");
	exit(2);
}

/* Seconds from "30" (minutes), "90s", "10m", "2h" or "1d"; -1 if bad. */
static time_t
parse_expire(const char *s)
{
	char		*end;
	unsigned long	 n;
	time_t		 unit = 60;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *s == '-' || *s == '+')
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's':
		unit = 1;
		break;
	case 'm':
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n == 0 || n > 366UL * 86400 / (unsigned long)unit)
		return -1;
	return (time_t)n * unit;
}

static int
parse_window(const char *s)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 || n > 1000)
		return -1;
	return (int)n;
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
	allow_free(allow);
	allow = na;
	if (allow_is_default(allow))
		log_info("%s: no such file; trusting only this host's "
		    "addresses", allowpath);
	else
		log_info("%s: %zu entries", allowpath, allow_count(allow));
}

/*
 * The add handler behind both versions: check the caller, then the
 * address, then store it.
 */
static addstat
add(struct svc_req *rq, const struct addr *ad)
{
	const struct netbuf	*nb = svc_getrpccaller(rq->rq_xprt);
	struct addr		 caller;
	const char		*why;
	char			 cs[INET6_ADDRSTRLEN], as[INET6_ADDRSTRLEN];

	addr_text(ad, as, sizeof(as));
	if (nb == NULL || nb->buf == NULL ||
	    addr_from_sockaddr(&caller, nb->buf) == -1) {
		log_limited(LIMIT_DENIED, "add of %s from an unknown caller "
		    "refused", as);
		return ADD_PERM;
	}
	addr_text(&caller, cs, sizeof(cs));
	if (!allow_match(allow, nb->buf)) {
		log_limited(LIMIT_DENIED, "denied: %s is not in %s (add of "
		    "%s)", cs, allowpath, as);
		return ADD_PERM;
	}
	if ((why = addr_refuse(ad, &caller)) != NULL) {
		log_limited(LIMIT_BADADDR, "refused add of %s from %s: %s",
		    as, cs, why);
		return ADD_PERM;
	}
	if (store_add(store, ad) == -1)
		return ADD_SYSERR;
	log_debug("added %s from %s", as, cs);
	return ADD_SUCCESS;
}

/* Version 1: the IPv4 address as a host-order integer. */
bool_t
dracproc_add_1_svc(drac_add_parm *argp, addstat *res, struct svc_req *rq)
{
	struct addr	ad;

	addr_from_v4(&ad, (uint32_t)argp->ip_addr);
	*res = add(rq, &ad);
	return TRUE;
}

/* Version 2: the IPv6 address, 16 bytes. */
bool_t
dracproc_add_2_svc(drac_add_parm6 *argp, addstat *res, struct svc_req *rq)
{
	struct addr	ad;

	memcpy(ad.a, argp->ip_addr6, sizeof(ad.a));
	*res = add(rq, &ad);
	return TRUE;
}

/* Free a version 1 result (an enum: nothing to free). */
int
dracprog_1_freeresult(SVCXPRT *xprt, xdrproc_t proc, caddr_t res)
{
	(void)xprt;
	xdr_free(proc, res);
	return 1;
}

/* Free a version 2 result. */
int
dracprog_2_freeresult(SVCXPRT *xprt, xdrproc_t proc, caddr_t res)
{
	return dracprog_1_freeresult(xprt, proc, res);
}

void	dracprog_1(struct svc_req *, SVCXPRT *);
void	dracprog_2(struct svc_req *, SVCXPRT *);

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

/* Create the transports and register versions 1 and 2 with rpcbind. */
static void
serve(void)
{
	static const char	*netids[] = { "udp", "tcp", "udp6", "tcp6" };
	struct netconfig	*nc;
	SVCXPRT			*x;
	size_t			 i;
	int			 maxrec = MAX_RECORD, n = 0;

	/* Bounded records also make libtirpc's TCP servicing non-blocking. */
	rpc_control(RPC_SVC_CONNMAXREC_SET, &maxrec);
	rpcb_unset(DRACPROG, DRACVERS, NULL);
	rpcb_unset(DRACPROG, DRACVERS6, NULL);
	for (i = 0; i < sizeof(netids) / sizeof(netids[0]); i++) {
		if ((nc = getnetconfigent(netids[i])) == NULL)
			continue;
		x = svc_tli_create(RPC_ANYFD, nc, NULL, 0, 0);
		if (x == NULL)
			log_warnx("%s: cannot create the transport",
			    netids[i]);
		else if (!svc_reg(x, DRACPROG, DRACVERS, dracprog_1, nc) ||
		    !svc_reg(x, DRACPROG, DRACVERS6, dracprog_2, nc))
			fatalx("%s: cannot register with rpcbind (is it "
			    "running?)", netids[i]);
		else
			n++;
		freenetconfigent(nc);
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
	int		 nfds = 0, ms, r;

	while (!gotterm) {
		if (gothup) {
			gothup = 0;
			load_allow(0);
		}
		if (nfds != svc_max_pollfd) {
			nf = reallocarray(fds, svc_max_pollfd, sizeof(*fds));
			if (nf == NULL && svc_max_pollfd > 0)
				fatal("poll array");
			fds = nf;
			nfds = svc_max_pollfd;
		}
		memcpy(fds, svc_pollfd, nfds * sizeof(*fds));
		ms = store_timeout(store);
		tp = NULL;
		if (ms >= 0) {
			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (long)(ms % 1000) * 1000000;
			tp = &ts;
		}
		r = ppoll(fds, nfds, tp, waitmask);
		if (r == -1 && errno != EINTR)
			fatal("poll");
		if (r > 0)
			svc_getreq_poll(fds, r);
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
	sigset_t		 waitmask;
	const char		*allowarg = "/etc/mail/dracd.allow";
	char			*mappath;
	int			 ch, fg = 0, debug = 0, ret;

	while ((ch = getopt(argc, argv, "a:de:fiNs:t:")) != -1) {
		switch (ch) {
		case 'a':
			allowarg = optarg;
			break;
		case 'd':
			debug = fg = 1;
			break;
		case 'e':
			if ((conf.expire = parse_expire(optarg)) == -1) {
				fprintf(stderr, "dracd: -e %s: expected "
				    "minutes, or a number with s, m, h or d "
				    "(at most a year)\n", optarg);
				usage();
			}
			break;
		case 'f':
			fg = 1;
			break;
		case 'i':
			conf.truncate = 1;
			break;
		case 'N':
			conf.nul = 1;
			break;
		case 's':
			if ((conf.window = parse_window(optarg)) == -1) {
				fprintf(stderr, "dracd: -s %s: expected "
				    "0 to 1000 msec\n", optarg);
				usage();
			}
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
	load_allow(1);
	check_running();
	if ((store = store_open(&conf)) == NULL)
		fatalx("%s: cannot open the map", conf.path);
	serve();
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

	ret = store_close(store);
	svc_unreg(DRACPROG, DRACVERS);
	svc_unreg(DRACPROG, DRACVERS6);
	allow_free(allow);
	free(allowpath);
	free(mappath);
	log_info("stopped");
	return ret == 0 ? 0 : 1;
}

/*
 * client.c: the handle of libdrac's handle API (drac_open(),
 * drac_close()) and client_call(), the one place where libdrac makes a
 * call to dracd.  proc.c wraps the procedures (drac_add(), drac_ping()...)
 * around it, and dracauth.c's compatible functions wrap handles.
 *
 * A handle holds the server's name, the transports to try (udp, then
 * udp6; or tcp, then tcp6), its timeout, and one RPC client per protocol
 * version, made when first needed.  client_call() makes one call (a
 * struct drac_call: version, procedure, argument, result) by the
 * deadline now + timeout.
 *
 * Invariants:
 * - every call ends by its deadline: the rpcbind lookup, the connection,
 *   the call, and the one new lookup when a client that was made earlier
 *   (or from a remembered address) fails; only the resolution of the
 *   server's name is not bounded;
 * - a client that failed a call is closed (and its remembered address
 *   forgotten), so the next call asks rpcbind again;
 * - clients belong to the process that made them: after fork(), the
 *   child closes its copies and makes its own, since sharing a socket and
 *   an xid sequence would let one process take another's reply;
 * - errors: every function that fails returns -1 or -2 (or the server's
 *   addstat) and stores a static message through errmsg when errmsg is
 *   not NULL (client_msg()); on success *errmsg is left alone.  Nothing
 *   in libdrac exits, logs or prints.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "client.h"
#include "clock.h"
#include "drac.h"
#include "num.h"
#include "rpcb.h"

#define NVERS		3	/* DRACVERS (1), DRACVERS6 (2), DRACVERS3 */
#define UNIX_PREFIX	"unix:"	/* a server that is a local socket's path */
#define DEF_TIMEOUT	5000	/* ms, unless DRAC_TIMEOUT says otherwise */

struct drac {
	char		*server;
	const char	*netids[2];	/* tried in turn; [1] may be NULL */
	int		 timeout;	/* ms */
	enum client_lookup lookup;
	pid_t		 pid;		/* the process clnt[] belongs to */
	CLIENT		*clnt[NVERS];	/* per version, made when needed */
};

/* Stores the static message msg through errmsg (if not NULL); rc. */
int
client_msg(int rc, const char *msg, char **errmsg)
{
	if (errmsg != NULL)
		*errmsg = (char *)msg;
	return rc;
}

/* The default timeout in ms: $DRAC_TIMEOUT seconds, else 5 s. */
int
client_default_timeout(void)
{
	const char	*s, *errstr;
	long long	 ms;

	if ((s = getenv("DRAC_TIMEOUT")) == NULL)
		return DEF_TIMEOUT;
	ms = num_duration(s, NUM_SEC, 1, CLIENT_MAX_TIMEOUT, &errstr);
	return errstr == NULL ? (int)ms : DEF_TIMEOUT;
}

/* The message of a failure st to make a client (-1), as dracauth(3)'s. */
const char *
client_create_msg(enum clnt_stat st)
{
	switch (st) {
	case RPC_UNKNOWNHOST:
		return "Cannot create client: unknown server host";
	case RPC_PROGNOTREGISTERED:
		return "Cannot create client: dracd is not registered "
		    "on the server";
	case RPC_TIMEDOUT:
		return "Cannot create client: server timed out";
	case RPC_CANTSEND:
	case RPC_CANTRECV:
		return "Cannot create client: server not reachable";
	case RPC_UNKNOWNPROTO:
		return "Cannot create client: unknown transport";
	default:
		return "Cannot create client handle";
	}
}

/* The message of a failure st of a call (-2), as dracauth(3)'s. */
const char *
client_call_msg(enum clnt_stat st)
{
	switch (st) {
	case RPC_TIMEDOUT:
		return "Call to server timed out";
	case RPC_CANTSEND:
	case RPC_CANTRECV:
		return "Call to server failed: server not reachable";
	case RPC_PROGUNAVAIL:
	case RPC_PROGVERSMISMATCH:
	case RPC_PROCUNAVAIL:
		return CLIENT_MSG_NOVERS;
	default:
		return "Call to server failed";
	}
}

/* Makes d's client of version vers at the address a. */
static enum clnt_stat
connect_at(struct drac *d, rpcvers_t vers, struct rpcb_addr *a,
    const struct timespec *end)
{
	struct netconfig	*nc;
	struct netbuf		 nb;
	enum clnt_stat		 st;

	if ((nc = getnetconfigent(a->netid)) == NULL)
		return RPC_UNKNOWNPROTO;
	nb.buf = &a->sa;
	nb.len = nb.maxlen = a->salen;
	d->clnt[vers - 1] = call_client(nc, &nb, DRACPROG, vers, end, &st);
	freenetconfigent(nc);
	return st;
}

/* Makes d's client of version vers from the address rpcb.c remembers. */
static int
connect_remembered(struct drac *d, rpcvers_t vers, const struct timespec *end)
{
	struct rpcb_addr	a;

	return d->lookup == CLIENT_REMEMBER &&
	    rpcb_recall(d->server, d->netids[0], vers, &a) &&
	    connect_at(d, vers, &a, end) == RPC_SUCCESS;
}

/* Makes d's client of version vers over netid through rpcbind. */
static enum clnt_stat
connect_netid(struct drac *d, rpcvers_t vers, const char *netid,
    const struct timespec *end)
{
	struct netconfig	*nc;
	struct rpcb_addr	 a;
	enum clnt_stat		 st;

	if ((nc = getnetconfigent(netid)) == NULL)
		return RPC_UNKNOWNPROTO;
	st = rpcb_lookup(d->server, nc, DRACPROG, vers, end, &a);
	freenetconfigent(nc);
	if (st != RPC_SUCCESS)
		return st;
	st = connect_at(d, vers, &a, end);
	if (st == RPC_SUCCESS && d->lookup == CLIENT_REMEMBER)
		rpcb_remember(d->server, d->netids[0], vers, &a);
	return st;
}

/*
 * Makes d's client of version vers by asking rpcbind over each of d's
 * transports in turn; the most telling error when none answers.
 */
static enum clnt_stat
connect_by_lookup(struct drac *d, rpcvers_t vers, const struct timespec *end)
{
	enum clnt_stat	st, best = RPC_SUCCESS;
	int		i;

	for (i = 0; i < 2 && d->netids[i] != NULL; i++) {
		if (clock_passed(end))
			return best != RPC_SUCCESS ? best : RPC_TIMEDOUT;
		if ((st = connect_netid(d, vers, d->netids[i], end)) ==
		    RPC_SUCCESS)
			return st;
		/* A name that does not resolve in this family says little. */
		if (best == RPC_SUCCESS || best == RPC_UNKNOWNHOST ||
		    best == RPC_N2AXLATEFAILURE)
			best = st;
	}
	return best;
}

/* Makes d's client of version vers at the local socket path. */
static enum clnt_stat
connect_local(struct drac *d, rpcvers_t vers, const char *path,
    const struct timespec *end)
{
	struct sockaddr_un	*sun;
	struct rpcb_addr	 a;

	memset(&a, 0, sizeof(a));
	sun = (struct sockaddr_un *)&a.sa;
	if (strlen(path) >= sizeof(sun->sun_path))
		return RPC_UNKNOWNHOST;
	strcpy(a.netid, "local");
	sun->sun_family = AF_LOCAL;
	strcpy(sun->sun_path, path);
	a.salen = sizeof(*sun);
	return connect_at(d, vers, &a, end);
}

/* Makes d's client of version vers: at its local socket, or by lookup. */
static enum clnt_stat
connect_new(struct drac *d, rpcvers_t vers, const struct timespec *end)
{
	if (strncmp(d->server, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0)
		return connect_local(d, vers, d->server + strlen(UNIX_PREFIX),
		    end);
	return connect_by_lookup(d, vers, end);
}

static void
close_client(struct drac *d, rpcvers_t vers)
{
	if (d->clnt[vers - 1] != NULL) {
		clnt_destroy(d->clnt[vers - 1]);
		d->clnt[vers - 1] = NULL;
	}
}

/*
 * In a child of fork() (d's clients were made by another process):
 * closes the child's copies of its parent's clients.
 */
static void
leave_parent_clients(struct drac *d)
{
	rpcvers_t	vers;

	if (d->pid == getpid())
		return;
	for (vers = 1; vers <= NVERS; vers++)
		close_client(d, vers);
	d->pid = getpid();
}

/* Makes call c through d's client by end; a client that fails is closed. */
static enum clnt_stat
call_once(struct drac *d, struct drac_call *c, const struct timespec *end)
{
	enum clnt_stat	st;

	st = call_run(d->clnt[c->vers - 1], c->proc, c->xarg, c->arg, c->xres,
	    c->res, end);
	if (st != RPC_SUCCESS) {
		close_client(d, c->vers);
		if (d->lookup == CLIENT_REMEMBER)
			rpcb_forget(d->server, d->netids[0], c->vers);
	}
	return st;
}

/*
 * Makes call c on d by d's deadline: 0 when the server answered, -1 when
 * no client could be made, -2 when the call failed, with a message.  A
 * client made earlier, or from a remembered address, may point at a
 * dracd that has gone or moved: when a call through it fails short of
 * the deadline, ask rpcbind afresh and call once more.
 */
int
client_call(struct drac *d, struct drac_call *c, char **errmsg)
{
	struct timespec	end;
	enum clnt_stat	st;

	clock_after(&end, d->timeout * 1000LL);
	leave_parent_clients(d);
	if (d->clnt[c->vers - 1] != NULL || connect_remembered(d, c->vers,
	    &end)) {
		if ((st = call_once(d, c, &end)) == RPC_SUCCESS)
			return 0;
		if (st == RPC_TIMEDOUT || clock_passed(&end))
			return client_msg(-2, client_call_msg(st), errmsg);
	}
	if ((st = connect_new(d, c->vers, &end)) != RPC_SUCCESS)
		return client_msg(-1, client_create_msg(st), errmsg);
	if ((st = call_once(d, c, &end)) != RPC_SUCCESS)
		return client_msg(-2, client_call_msg(st), errmsg);
	return 0;
}

/*
 * A handle on dracd at server (NULL: localhost) over netid (NULL: udp),
 * with no client yet; NULL with a message on a bad netid.  A server
 * "unix:PATH" is dracd's local socket at PATH, whatever the netid.
 */
struct drac *
client_new(const char *server, const char *netid, int timeout_ms,
    enum client_lookup lookup, char **errmsg)
{
	static const char *const twins[][2] = {
		{ "udp", "udp6" }, { "tcp", "tcp6" },
		{ "udp6", NULL }, { "tcp6", NULL },
	};
	struct drac	*d;
	size_t		 i;

	if (netid == NULL)
		netid = "udp";
	for (i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (strcmp(netid, twins[i][0]) == 0)
			break;
	if (i == sizeof(twins) / sizeof(twins[0])) {
		client_msg(-1, client_create_msg(RPC_UNKNOWNPROTO), errmsg);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->server = strdup(server != NULL ? server : "localhost")) ==
	    NULL) {
		free(d);
		client_msg(-1, "Cannot create client: out of memory", errmsg);
		return NULL;
	}
	d->netids[0] = twins[i][0];
	d->netids[1] = twins[i][1];
	client_set_timeout(d, timeout_ms);
	d->lookup = lookup;
	d->pid = getpid();
	return d;
}

/* Sets d's timeout in ms; <= 0: the default. */
void
client_set_timeout(struct drac *d, int timeout_ms)
{
	d->timeout = timeout_ms > 0 ? timeout_ms : client_default_timeout();
}

/* Makes sure d has a client of version vers: 0, or -1 with a message. */
int
client_connect(struct drac *d, rpcvers_t vers, char **errmsg)
{
	struct timespec	end;
	enum clnt_stat	st;

	leave_parent_clients(d);
	if (d->clnt[vers - 1] != NULL)
		return 0;
	clock_after(&end, d->timeout * 1000LL);
	if (connect_remembered(d, vers, &end))
		return 0;
	if ((st = connect_new(d, vers, &end)) != RPC_SUCCESS)
		return client_msg(-1, client_create_msg(st), errmsg);
	return 0;
}

/* Opens a handle on dracd at server; NULL with a message on failure. */
struct drac *
drac_open(const char *server, const char *netid, int timeout_ms,
    char **errmsg)
{
	struct drac	*d;

	if ((d = client_new(server, netid, timeout_ms, CLIENT_ASK_RPCBIND,
	    errmsg)) == NULL)
		return NULL;
	if (client_connect(d, DRACVERS, errmsg) != 0) {
		drac_close(d);
		return NULL;
	}
	return d;
}

/* Closes the handle d and its clients; d may be NULL. */
void
drac_close(struct drac *d)
{
	rpcvers_t	vers;

	if (d == NULL)
		return;
	for (vers = 1; vers <= NVERS; vers++)
		close_client(d, vers);
	free(d->server);
	free(d);
}

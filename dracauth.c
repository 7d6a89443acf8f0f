/*
 * dracauth.c: the functions of DRAC 1.12 and of Debian's IPv6 extension
 * (dracauth(), dracconn(), dracsend(), dracdisc() and their -6 twins),
 * source and binary compatible, and dractimeout().  Each is a thin
 * wrapper over a handle of client.c.
 *
 * dracauth() and dracauth6() make a short-lived UDP handle that first
 * tries the server's address rpcb.c remembers.  A server string that
 * names several servers ("mx1,mx2", commas or blanks) fans out instead:
 * the add goes to all of them at once through async.c, the call takes
 * at most one timeout, and succeeds when one server accepted it.
 * dracconn() and dracsend() share one handle per protocol version (the
 * process's "connection"), each behind a mutex; dracconn() makes the new
 * handle outside the mutex and swaps it in, so that sends on the old one
 * go on meanwhile.
 *
 * Invariants: the timeout of every function here is dractimeout()'s, or
 * else client.c's default ($DRAC_TIMEOUT, 5 s); return values and the
 * messages on success are DRAC 1.12's ("Server reports add succeeded",
 * "Connect succeeded", "Disconnect succeeded"), the messages on failure
 * client.c's (dracauth(3) lists where they differ).  Errors: a return
 * value and a static message through errmsg, as in client.c.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "client.h"
#include "drac.h"

#define MSG_ADDED	"Server reports add succeeded"
#define MSG_CONNECTED	"Connect succeeded"
#define MSG_CLOSED	"Disconnect succeeded"

/* The handle of dracconn() (version 1) or dracconn6() (version 2). */
struct shared_handle {
	pthread_mutex_t	 lock;
	struct drac	*d;
	rpcvers_t	 vers;
};

static atomic_int timeout_set;		/* dractimeout(); 0: not set */
static struct shared_handle shared_v1 = {
	PTHREAD_MUTEX_INITIALIZER, NULL, DRACVERS
};
static struct shared_handle shared_v2 = {
	PTHREAD_MUTEX_INITIALIZER, NULL, DRACVERS6
};

static int
compat_timeout(void)
{
	int	ms;

	ms = atomic_load(&timeout_set);
	return ms > 0 ? ms : client_default_timeout();
}

/* Sets the timeout of the compatible API; returns the previous one (ms). */
int
dractimeout(int msec)
{
	int	old;

	if (msec <= 0)
		return compat_timeout();
	if (msec > CLIENT_MAX_TIMEOUT)
		msec = CLIENT_MAX_TIMEOUT;
	old = atomic_exchange(&timeout_set, msec);
	return old > 0 ? old : client_default_timeout();
}

/* The message of DRAC 1.12 on success: rc unchanged. */
static int
added(int rc, char **errmsg)
{
	return rc == 0 ? client_msg(0, MSG_ADDED, errmsg) : rc;
}

/* A short-lived UDP handle on server that uses remembered addresses. */
static struct drac *
oneshot_handle(const char *server, char **errmsg)
{
	return client_new(server, "udp", compat_timeout(), CLIENT_REMEMBER,
	    errmsg);
}

static int
shared_open(struct shared_handle *h, const char *server, char **errmsg)
{
	struct drac	*d, *old;
	int		 rc = -1;

	if ((d = client_new(server, "udp", compat_timeout(),
	    CLIENT_ASK_RPCBIND, errmsg)) != NULL &&
	    (rc = client_connect(d, h->vers, errmsg)) != 0) {
		drac_close(d);
		d = NULL;
	}
	pthread_mutex_lock(&h->lock);
	old = h->d;
	h->d = d;
	pthread_mutex_unlock(&h->lock);
	drac_close(old);
	return rc == 0 ? client_msg(0, MSG_CONNECTED, errmsg) : rc;
}

static int
shared_send(struct shared_handle *h, uint32_t v1, const unsigned char *v2,
    char **errmsg)
{
	int	rc;

	pthread_mutex_lock(&h->lock);
	if (h->d == NULL)
		rc = client_msg(-1, CLIENT_MSG_NOTCONN, errmsg);
	else {
		client_set_timeout(h->d, compat_timeout());
		rc = h->vers == DRACVERS ? proc_add_v1(h->d, v1, errmsg) :
		    proc_add_v2(h->d, v2, errmsg);
	}
	pthread_mutex_unlock(&h->lock);
	return added(rc, errmsg);
}

static int
shared_close(struct shared_handle *h, char **errmsg)
{
	struct drac	*d;

	pthread_mutex_lock(&h->lock);
	d = h->d;
	h->d = NULL;
	pthread_mutex_unlock(&h->lock);
	if (d == NULL)
		return client_msg(-1, CLIENT_MSG_NOTCONN, errmsg);
	drac_close(d);
	return client_msg(0, MSG_CLOSED, errmsg);
}

/* Non-zero when server names more than one server. */
static int
is_list(const char *server)
{
	return server != NULL && strpbrk(server, ", \t") != NULL;
}

/* The add of sa to every server in the list servers at once. */
static int
fanout(const char *servers, const struct sockaddr *sa, char **errmsg)
{
	struct drac_async	*a;
	int			 rc;

	if ((a = drac_async_add(servers, sa, compat_timeout(), errmsg)) ==
	    NULL)
		return -1;
	rc = drac_async_wait(a, errmsg);
	drac_async_free(a);
	return added(rc, errmsg);
}

/* Authorizes userip (network order) at server with version 1. */
int
dracauth(char *server, unsigned long userip, char **errmsg)
{
	struct sockaddr_in	 sin;
	struct drac		*d;
	int			 rc;

	if (is_list(server)) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = (uint32_t)userip;
		return fanout(server, (struct sockaddr *)&sin, errmsg);
	}
	if ((d = oneshot_handle(server, errmsg)) == NULL)
		return -1;
	rc = proc_add_v1(d, ntohl((uint32_t)userip), errmsg);
	drac_close(d);
	return added(rc, errmsg);
}

/* Authorizes the IPv6 address userip6 at server with version 2. */
int
dracauth6(char *server, unsigned char userip6[16], char **errmsg)
{
	struct sockaddr_in6	 sin6;
	struct drac		*d;
	int			 rc;

	if (is_list(server)) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, userip6, 16);
		return fanout(server, (struct sockaddr *)&sin6, errmsg);
	}
	if ((d = oneshot_handle(server, errmsg)) == NULL)
		return -1;
	rc = proc_add_v2(d, userip6, errmsg);
	drac_close(d);
	return added(rc, errmsg);
}

/* Opens the process's version 1 connection to server; 0 or -1. */
int
dracconn(char *server, char **errmsg)
{
	return shared_open(&shared_v1, server, errmsg);
}

/* Authorizes userip (network order) on the dracconn() connection. */
int
dracsend(unsigned long userip, char **errmsg)
{
	return shared_send(&shared_v1, ntohl((uint32_t)userip), NULL, errmsg);
}

/* Closes the dracconn() connection; -1 when there is none. */
int
dracdisc(char **errmsg)
{
	return shared_close(&shared_v1, errmsg);
}

/* Opens the process's version 2 connection to server; 0 or -1. */
int
dracconn6(char *server, char **errmsg)
{
	return shared_open(&shared_v2, server, errmsg);
}

/* Authorizes userip6 on the dracconn6() connection. */
int
dracsend6(unsigned char userip6[16], char **errmsg)
{
	return shared_send(&shared_v2, 0, userip6, errmsg);
}

/* Closes the dracconn6() connection; -1 when there is none. */
int
dracdisc6(char **errmsg)
{
	return shared_close(&shared_v2, errmsg);
}

/*
 * drac-plugin.c: a Dovecot 2.3 mail plugin (mail_plugins = drac) that
 * authorizes the client of every IMAP and POP3 login with dracd, and
 * again every drac_refresh while the session stays open.
 *
 *	plugin {
 *		drac_server = localhost	# one or more, "mx1 mx2" or "mx1,mx2"
 *		drac_timeout = 1000	# ms (or 1s...), per add
 *		drac_refresh = 5m	# seconds (or 5m...), 0: never
 *	}
 *
 * The client is user->conn.remote_ip: IPv4, IPv6, IPv4-mapped IPv6 sent
 * as IPv4.  Users without one (doveadm, LDA, shared namespaces) are left
 * alone.
 *
 * Invariants: the plugin never blocks a session.  An add is libdrac's
 * non-blocking add (drac_async_add) driven by the process's ioloop: an io
 * on its descriptor and a timeout for its next retransmission or its
 * deadline; a refresh while an add is still in flight is skipped.  Only
 * when the user is freed does the plugin wait, at most the rest of the
 * add's timeout, for an add still in flight, so that a session shorter
 * than a round trip (a POP3 login and QUIT) is still authorized.  A
 * failure is logged once per session; the first success after a failure
 * is logged too.
 */

#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "mail-user.h"
#include "mail-storage-hooks.h"
#include "module-context.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "drac.h"
#include "num.h"

#define DRAC_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, drac_user_module)

#define DEF_SERVER	"localhost"
#define DEF_TIMEOUT	1000		/* ms */
#define DEF_REFRESH	(5 * 60)	/* s */
#define MAX_TIMEOUT	(60 * NUM_SEC)
#define MAX_REFRESH	(24 * 3600 * NUM_SEC)

struct drac_user {
	union mail_user_module_context	 module_ctx;
	struct mail_user		*user;
	const char			*servers;
	unsigned int			 timeout_ms;
	unsigned int			 refresh_ms;	/* 0: never */
	struct sockaddr_storage		 client;
	const char			*client_text;

	struct drac_async		*add;		/* in flight, or NULL */
	struct io			*io;
	struct timeout			*to_add;
	struct timeout			*to_refresh;
	bool				 failed;	/* logged, not yet cured */
};

void drac_plugin_init(struct module *module);
void drac_plugin_deinit(void);

const char *drac_plugin_version = DOVECOT_ABI_VERSION;

static MODULE_CONTEXT_DEFINE_INIT(drac_user_module,
    &mail_user_module_register);

static void add_poll(struct drac_user *du);

/* ip as a sockaddr in *ss; false for a family libdrac does not know. */
static bool
client_sockaddr(const struct ip_addr *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	i_zero(ss);
	if (ip->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr = ip->u.ip4;
		return TRUE;
	}
	if (ip->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = ip->u.ip6;
		return TRUE;
	}
	return FALSE;
}

/* A duration setting in ms (def_unit for a bare number), or def. */
static unsigned int
setting_ms(struct mail_user *user, const char *name, long long def_unit,
    long long min, long long max, unsigned int def)
{
	const char	*s, *errstr;
	long long	 ms;

	s = mail_user_plugin_getenv(user, name);
	if (s == NULL || *s == '\0')
		return def;
	ms = num_duration(s, def_unit, min, max, &errstr);
	if (errstr != NULL) {
		i_error("drac: %s = %s: %s, using %u ms", name, s, errstr, def);
		return def;
	}
	return (unsigned int)ms;
}

static void
add_finish(struct drac_user *du, int rc, const char *err)
{
	io_remove(&du->io);
	timeout_remove(&du->to_add);
	drac_async_free(du->add);
	du->add = NULL;
	if (rc != 0 && !du->failed) {
		i_warning("drac: cannot authorize %s at %s: %s "
		    "(logged once per session)", du->client_text, du->servers,
		    err);
		du->failed = TRUE;
	} else if (rc == 0 && du->failed) {
		i_info("drac: %s authorized at %s again", du->client_text,
		    du->servers);
		du->failed = FALSE;
	}
}

/* Sets the timeout of the add in flight to its next retransmission. */
static void
add_arm(struct drac_user *du)
{
	int	ms;

	timeout_remove(&du->to_add);
	ms = drac_async_timeout_ms(du->add);
	du->to_add = timeout_add_short(ms < 0 ? 0 : (unsigned int)ms,
	    add_poll, du);
}

/* The add's descriptor is readable, or its timeout ran out. */
static void
add_poll(struct drac_user *du)
{
	char	*err = NULL;
	int	 rc;

	if ((rc = drac_async_result(du->add, &err)) == DRAC_PENDING)
		add_arm(du);
	else
		add_finish(du, rc, err);
}

/* Sends an add of the client, unless one is still in flight. */
static void
add_start(struct drac_user *du)
{
	char	*err = NULL;

	if (du->add != NULL)
		return;
	du->add = drac_async_add(du->servers, (struct sockaddr *)&du->client,
	    (int)du->timeout_ms, &err);
	if (du->add == NULL) {
		add_finish(du, -1, err);
		return;
	}
	du->io = io_add(drac_async_fd(du->add), IO_READ, add_poll, du);
	add_arm(du);
}

static void
drac_user_deinit(struct mail_user *user)
{
	struct drac_user	*du = DRAC_USER_CONTEXT(user);
	char			*err = NULL;

	timeout_remove(&du->to_refresh);
	if (du->add != NULL)
		add_finish(du, drac_async_wait(du->add, &err), err);
	du->module_ctx.super.deinit(user);
}

/* Reads the plugin's settings into du. */
static void
drac_user_settings(struct drac_user *du, struct mail_user *user)
{
	const char	*s;

	s = mail_user_plugin_getenv(user, "drac_server");
	du->servers = p_strdup(user->pool, s != NULL && *s != '\0' ? s :
	    DEF_SERVER);
	du->timeout_ms = setting_ms(user, "drac_timeout", NUM_MS, 1,
	    MAX_TIMEOUT, DEF_TIMEOUT);
	du->refresh_ms = setting_ms(user, "drac_refresh", NUM_SEC, 0,
	    MAX_REFRESH, DEF_REFRESH * 1000);
}

/* A user logged in: authorize the client, and refresh while it stays. */
static void
drac_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs	*v = user->vlast;
	struct drac_user	*du;
	struct sockaddr_storage	 ss;

	if (user->autocreated || user->conn.remote_ip == NULL ||
	    !client_sockaddr(user->conn.remote_ip, &ss))
		return;
	du = p_new(user->pool, struct drac_user, 1);
	du->module_ctx.super = *v;
	user->vlast = &du->module_ctx.super;
	v->deinit = drac_user_deinit;
	MODULE_CONTEXT_SET(user, drac_user_module, du);

	du->user = user;
	du->client = ss;
	du->client_text = p_strdup(user->pool,
	    net_ip2addr(user->conn.remote_ip));
	drac_user_settings(du, user);
	add_start(du);
	if (du->refresh_ms > 0)
		du->to_refresh = timeout_add(du->refresh_ms, add_start, du);
}

static struct mail_storage_hooks drac_mail_storage_hooks = {
	.mail_user_created = drac_mail_user_created
};

/* Called by Dovecot when it loads the plugin. */
void
drac_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &drac_mail_storage_hooks);
}

/* Called by Dovecot when it unloads the plugin. */
void
drac_plugin_deinit(void)
{
	mail_storage_hooks_remove(&drac_mail_storage_hooks);
}

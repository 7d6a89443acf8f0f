/*
 * pam_drac.c: a PAM session module that authorizes the client of every
 * session it opens with dracd, for POP and IMAP servers that open PAM
 * sessions (Dovecot's passdb pam with session=yes, courier, popa3d...).
 *
 *	session optional pam_drac.so [server=HOST[,HOST...]] [timeout=MS]
 *
 * The client is PAM_RHOST, which must be a numeric IPv4 or IPv6 address
 * (IPv4-mapped IPv6 goes as IPv4); anything else is skipped with a log
 * line.  The add goes to every server in parallel through libdrac's
 * non-blocking add and ends by one timeout (default 1000 ms).
 *
 * Invariant: a session never fails because of dracd or of this module's
 * arguments: pam_sm_open_session() always returns PAM_SUCCESS, and logs
 * (pam_syslog) what went wrong.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>
#include <syslog.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "addr.h"
#include "drac.h"
#include "num.h"

#define DEF_SERVER	"localhost"
#define DEF_TIMEOUT	1000		/* ms */
#define MAX_TIMEOUT	(60 * NUM_SEC)

struct opts {
	const char	*server;
	int		 timeout;	/* ms */
};

/* Reads the module's arguments; a bad one is logged and ignored. */
static void
opts_parse(pam_handle_t *pamh, int argc, const char **argv, struct opts *o)
{
	const char	*errstr;
	long long	 ms;
	int		 i;

	o->server = DEF_SERVER;
	o->timeout = DEF_TIMEOUT;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "server=", 7) == 0 && argv[i][7] != '\0')
			o->server = argv[i] + 7;
		else if (strncmp(argv[i], "timeout=", 8) == 0) {
			ms = num_duration(argv[i] + 8, NUM_MS, 1, MAX_TIMEOUT,
			    &errstr);
			if (errstr == NULL)
				o->timeout = (int)ms;
			else
				pam_syslog(pamh, LOG_ERR, "%s: %s, using %d ms",
				    argv[i], errstr, o->timeout);
		} else
			pam_syslog(pamh, LOG_ERR, "unknown option %s ignored",
			    argv[i]);
	}
}

/* Logs the outcome at each server that did not accept the add. */
static void
log_failures(pam_handle_t *pamh, struct drac_async *a, const char *rhost)
{
	const char	*name;
	char		*err;
	size_t		 i;

	for (i = 0; i < drac_async_count(a); i++)
		if (drac_async_server(a, i, &name, &err) != 0)
			pam_syslog(pamh, LOG_WARNING, "dracd at %s did not "
			    "authorize %s: %s", name, rhost, err);
}

/* Authorizes PAM_RHOST with dracd; always PAM_SUCCESS. */
PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	struct sockaddr_in6	 sin6;
	struct addr		 ad;
	struct drac_async	*a;
	const void		*item;
	const char		*rhost;
	struct opts		 o;
	char			*err;

	(void)flags;
	opts_parse(pamh, argc, argv, &o);
	if (pam_get_item(pamh, PAM_RHOST, &item) != PAM_SUCCESS ||
	    (rhost = item) == NULL || *rhost == '\0') {
		pam_syslog(pamh, LOG_INFO, "no PAM_RHOST: nothing to "
		    "authorize");
		return PAM_SUCCESS;
	}
	if (addr_from_text(&ad, rhost) == -1) {
		pam_syslog(pamh, LOG_NOTICE, "PAM_RHOST %s is not a numeric "
		    "address: skipped", rhost);
		return PAM_SUCCESS;
	}
	addr_to_sockaddr(&ad, &sin6);
	if ((a = drac_async_add(o.server, (struct sockaddr *)&sin6, o.timeout,
	    &err)) == NULL) {
		pam_syslog(pamh, LOG_WARNING, "cannot authorize %s at %s: %s",
		    rhost, o.server, err);
		return PAM_SUCCESS;
	}
	drac_async_wait(a, NULL);
	log_failures(pamh, a, rhost);
	drac_async_free(a);
	return PAM_SUCCESS;
}

/* Nothing to undo: an authorization lasts until dracd expires it. */
PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
    const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

/*
 * oldpop: a POP server's calls of libdrac as programs built against DRAC
 * 1.12 (and Debian's IPv6 extension) make them, for tests/t-lib.sh.  It
 * does not include our drac.h: it declares what its own copy of the old
 * header gave it (rpcgen without -M), and it calls the rpcgen client
 * stubs directly as well as the eight functions.  Built twice, against
 * libdrac.a and libdrac.so, unchanged.
 *
 *	oldpop server
 *
 * prints one line per call, "what: rc: message" (the stubs: "what:
 * addstat", or "what: clnt_sperror()").
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rpc/rpc.h>

/* --- what the old drac.h declared ------------------------------------ */
enum addstat {
	ADD_SUCCESS = 0,
	ADD_PERM = 1,
	ADD_SYSERR = 2,
	ADD_UNKOWN = 3
};
typedef enum addstat addstat;

struct drac_add_parm {
	u_long ip_addr;
};
typedef struct drac_add_parm drac_add_parm;

struct drac_add_parm6 {
	char ip_addr6[16];
};
typedef struct drac_add_parm6 drac_add_parm6;

#define DRACPROG	((u_long)900101)
#define DRACVERS	((u_long)1)
#define DRACVERS6	((u_long)2)
#define DRACPROC_ADD	((u_long)1)

extern addstat *dracproc_add_1(drac_add_parm *, CLIENT *);
extern addstat *dracproc_add_2(drac_add_parm6 *, CLIENT *);

/* --- and what the POP server declared itself -------------------------- */
extern int dracauth(char *, unsigned long, char **);
extern int dracconn(char *, char **);
extern int dracsend(unsigned long, char **);
extern int dracdisc(char **);
extern int dracauth6(char *, unsigned char *, char **);
extern int dracconn6(char *, char **);
extern int dracsend6(unsigned char *, char **);
extern int dracdisc6(char **);
/* ----------------------------------------------------------------------- */

/* Prints a call's result and message, and clears the message. */
static void
show(const char *what, int rc, char **err)
{
	printf("%s: %d: %s\n", what, rc, *err != NULL ? *err : "(unset)");
	*err = NULL;
}

static void
v6(const char *text, unsigned char *a6)
{
	if (inet_pton(AF_INET6, text, a6) != 1)
		memset(a6, 0, 16);
}

/*
 * The eight functions, the way a POP server calls them.  err is cleared
 * before each call, to see that each call sets it.
 */
static void
functions(char *server)
{
	unsigned char a6[16];
	char *err = NULL;
	int rc;

	rc = dracauth(server, inet_addr("10.9.0.1"), &err);
	show("dracauth", rc, &err);
	v6("2001:db8:9::1", a6);
	rc = dracauth6(server, a6, &err);
	show("dracauth6", rc, &err);
	rc = dracconn(server, &err);
	show("dracconn", rc, &err);
	rc = dracsend(inet_addr("10.9.0.2"), &err);
	show("dracsend", rc, &err);
	rc = dracdisc(&err);
	show("dracdisc", rc, &err);
	rc = dracconn6(server, &err);
	show("dracconn6", rc, &err);
	v6("2001:db8:9::2", a6);
	rc = dracsend6(a6, &err);
	show("dracsend6", rc, &err);
	rc = dracdisc6(&err);
	show("dracdisc6", rc, &err);
	rc = dracsend(inet_addr("10.9.0.9"), &err);
	show("dracsend unconnected", rc, &err);
}

/* The rpcgen stubs, called directly on a client of the program's own. */
static void
stubs(char *server)
{
	drac_add_parm arg;
	drac_add_parm6 arg6;
	addstat *res;
	CLIENT *clnt;

	if ((clnt = clnt_create(server, DRACPROG, DRACVERS, "udp")) == NULL) {
		printf("dracproc_add_1: %s\n", clnt_spcreateerror(server));
		return;
	}
	arg.ip_addr = ntohl(inet_addr("10.9.0.3"));
	if ((res = dracproc_add_1(&arg, clnt)) == NULL)
		printf("dracproc_add_1: %s\n", clnt_sperror(clnt, "call failed"));
	else
		printf("dracproc_add_1: %d\n", (int)*res);
	clnt_destroy(clnt);
	if ((clnt = clnt_create(server, DRACPROG, DRACVERS6, "udp")) == NULL) {
		printf("dracproc_add_2: %s\n", clnt_spcreateerror(server));
		return;
	}
	v6("2001:db8:9::3", (unsigned char *)arg6.ip_addr6);
	if ((res = dracproc_add_2(&arg6, clnt)) == NULL)
		printf("dracproc_add_2: %s\n", clnt_sperror(clnt, "call failed"));
	else
		printf("dracproc_add_2: %d\n", (int)*res);
	clnt_destroy(clnt);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: oldpop server\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	functions(argv[1]);
	stubs(argv[1]);
	return 0;
}

/*
 * dracctl.c: dracd from the command line (see dracctl(8)): add, del,
 * query, list, stats, ping.  A thin front end to the handle API of
 * libdrac.  del, list and stats go to dracd's local socket unless -s
 * names a server.  -j prints one JSON object per result.
 *
 * Exit status: 0 when every operation succeeded, 1 when one failed (one
 * message per failure on stderr, naming the address), 2 on a usage error.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "drac.h"
#include "num.h"

static const char *const transports[] = { "udp", "tcp", "udp6", "tcp6" };
#define LOCAL_SOCKET	"unix:/run/drac/dracd.sock"
#define LIST_PAGE	64

static const char *server = NULL;
static int verbose, json;

static void
usage(void)
{
	fprintf(stderr, "usage: dracctl [-2jv] [-p transport] [-s server] "
	    "[-t seconds] command\n"
	    "commands: add [-T ttl] address ... | del address ... |\n"
	    "          query address ... | list | stats [-o prometheus] | "
	    "ping\n");
	exit(2);
}

static int
known_transport(const char *netid)
{
	size_t i;

	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strcmp(netid, transports[i]) == 0)
			return 1;
	return 0;
}

/* Milliseconds in a duration of up to an hour (seconds by default). */
static int
timeout_ms(const char *s)
{
	const char *errstr;
	long long ms;

	ms = num_duration(s, NUM_SEC, 1, 3600 * NUM_SEC, &errstr);
	return errstr == NULL ? (int)ms : -1;
}

/* The address text as a sockaddr in sin6; -1 (said) when it is none. */
static int
parse_addr(const char *text, struct sockaddr_in6 *sin6)
{
	struct addr ad;

	if (addr_from_text(&ad, text) == -1) {
		fprintf(stderr, "dracctl: %s: not an IPv4 or IPv6 address\n",
		    text);
		return -1;
	}
	addr_to_sockaddr(&ad, sin6);
	return 0;
}

/* Print the result of op on what: text or a JSON object; 0 or 1. */
static int
result(const char *op, const char *what, int rc, const char *msg,
    long long expires)
{
	if (json)
		printf("{\"op\":\"%s\",\"address\":\"%s\",\"ok\":%s,"
		    "\"expires\":%lld%s%s%s}\n", op, what, rc == 0 ? "true" :
		    "false", expires, rc ? ",\"error\":\"" : "",
		    rc ? msg : "", rc ? "\"" : "");
	else if (rc != 0)
		fprintf(stderr, "dracctl: %s: %s\n", what, msg);
	else if (expires > 0)
		printf("%s: %s, expires %lld\n", what, op, expires);
	else if (verbose)
		printf("%s: %s\n", what, op);
	return rc != 0;
}

static int
add(struct drac *d, const char *text, int v2, unsigned int ttl)
{
	struct sockaddr_in6 sin6;
	char *msg = NULL;
	long long expires = 0;
	int rc;

	if (parse_addr(text, &sin6) == -1)
		return 1;
	if (v2)
		rc = drac_add_v2(d, (struct sockaddr *)&sin6, &msg);
	else if (ttl > 0 || json)
		rc = drac_add3(d, (struct sockaddr *)&sin6, ttl, &expires,
		    &msg);
	else
		rc = drac_add(d, (struct sockaddr *)&sin6, &msg);
	return result("added", text, rc, msg, expires);
}

static int
del(struct drac *d, const char *text)
{
	struct sockaddr_in6 sin6;
	char *msg = NULL;
	int rc;

	if (parse_addr(text, &sin6) == -1)
		return 1;
	rc = drac_del(d, (struct sockaddr *)&sin6, &msg);
	return result("deleted", text, rc, msg, 0);
}

static int
query(struct drac *d, const char *text)
{
	struct sockaddr_in6 sin6;
	char *msg = NULL;
	long long expires;
	int rc;

	if (parse_addr(text, &sin6) == -1)
		return 1;
	rc = drac_query(d, (struct sockaddr *)&sin6, &expires, &msg);
	if (rc == ADD_UNKNOWN && !json) {
		printf("%s: not authorized\n", text);
		return 1;
	}
	return result("authorized", text, rc, msg, expires);
}

static const char *
entry_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)ss)->sin_addr, buf, len);
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
	    buf, len);
}

static int
list(struct drac *d)
{
	struct drac_list_entry ents[LIST_PAGE];
	unsigned long long cursor = 0;
	char *msg = NULL, a[INET6_ADDRSTRLEN], when[32];
	size_t i, n;
	time_t t;

	do {
		if (drac_list(d, &cursor, ents, LIST_PAGE, &n, &msg) != 0) {
			fprintf(stderr, "dracctl: list: %s\n", msg);
			return 1;
		}
		for (i = 0; i < n; i++) {
			entry_text(&ents[i].addr, a, sizeof(a));
			t = (time_t)ents[i].expires;
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			    gmtime(&t));
			if (json)
				printf("{\"address\":\"%s\",\"expires\":%lld}"
				    "\n", a, ents[i].expires);
			else
				printf("%-39s %s\n", a, when);
		}
	} while (cursor != 0);
	return 0;
}

#define STAT(name, field, help)	\
	{ name, help, offsetof(struct drac_stats, field) }

static const struct {
	const char	*name, *help;
	size_t		 off;
} stat_fields[] = {
	STAT("entries", entries, "Addresses authorized"),
	STAT("adds", adds, "Adds of new addresses"),
	STAT("refreshes", refreshes, "Adds of addresses already there"),
	STAT("refused_perm", refused_perm, "Calls refused: caller not allowed"),
	STAT("refused_addr", refused_addr, "Adds refused: address not storable"),
	STAT("refused_syserr", refused_syserr, "Adds refused: map error"),
	STAT("expired", expired, "Entries expired"),
	STAT("deleted", deleted, "Entries deleted"),
	STAT("commits", commits, "Changes committed to the map"),
	STAT("last_commit_us", last_commit_us, "Last commit's duration, us"),
	STAT("queued", queued, "Adds waiting for the map"),
	STAT("uptime_seconds", uptime, "Seconds since dracd started"),
};
#define NSTATS	(sizeof(stat_fields) / sizeof(stat_fields[0]))

static unsigned long long
stat_value(const struct drac_stats *st, size_t i)
{
	unsigned long long v;

	memcpy(&v, (const char *)st + stat_fields[i].off, sizeof(v));
	return v;
}

static void
stats_print(const struct drac_stats *st, int prom)
{
	size_t i;

	if (json)
		printf("{\"version\":\"%s\",\"healthy\":%s", st->version,
		    st->healthy ? "true" : "false");
	else if (prom)
		printf("# HELP dracd_info dracd's version\n"
		    "# TYPE dracd_info gauge\n"
		    "dracd_info{version=\"%s\"} 1\n"
		    "# HELP dracd_healthy The map can be written\n"
		    "# TYPE dracd_healthy gauge\ndracd_healthy %d\n",
		    st->version, st->healthy);
	else
		printf("%-16s %s\n%-16s %s\n", "version", st->version,
		    "healthy", st->healthy ? "yes" : "no");
	for (i = 0; i < NSTATS; i++) {
		if (json)
			printf(",\"%s\":%llu", stat_fields[i].name,
			    stat_value(st, i));
		else if (prom)
			printf("# HELP dracd_%s %s\n# TYPE dracd_%s %s\n"
			    "dracd_%s %llu\n", stat_fields[i].name,
			    stat_fields[i].help, stat_fields[i].name,
			    i == 0 || i == 9 || i == 10 || i == 11 ?
			    "gauge" : "counter", stat_fields[i].name,
			    stat_value(st, i));
		else
			printf("%-16s %llu\n", stat_fields[i].name,
			    stat_value(st, i));
	}
	if (json)
		printf("}\n");
}

static int
stats(struct drac *d, int prom)
{
	struct drac_stats st;
	char *msg = NULL;

	if (drac_stats(d, &st, &msg) != 0) {
		fprintf(stderr, "dracctl: stats: %s\n", msg);
		return 1;
	}
	stats_print(&st, prom);
	return 0;
}

static int
ping(struct drac *d)
{
	char *msg = NULL;

	if (drac_ping(d, &msg) != 0) {
		fprintf(stderr, "dracctl: %s: %s\n", server, msg);
		return 1;
	}
	if (json)
		printf("{\"op\":\"ping\",\"server\":\"%s\",\"ok\":true}\n",
		    server);
	else if (verbose)
		printf("%s: dracd answers\n", server);
	return 0;
}

/* The subcommand's own options: add -T ttl, stats -o prometheus. */
static void
sub_options(int *argc, char ***argv, unsigned int *ttl, int *prom)
{
	const char *errstr;
	int ch;

	optind = 0;	/* glibc: start afresh on the subcommand's words */
	while ((ch = getopt(*argc, *argv, "+T:o:")) != -1) {
		if (ch == 'T' && strcmp((*argv)[0], "add") == 0) {
			*ttl = num_duration(optarg, NUM_SEC, NUM_SEC,
			    366LL * 86400 * NUM_SEC, &errstr) / NUM_SEC;
			if (errstr != NULL)
				usage();
		} else if (ch == 'o' && strcmp((*argv)[0], "stats") == 0 &&
		    strcmp(optarg, "prometheus") == 0)
			*prom = 1;
		else
			usage();
	}
	(*argv)[optind - 1] = (*argv)[0];	/* the command, before its words */
	*argc -= optind - 1;
	*argv += optind - 1;
}

/* Run command argv[0] on d; the exit status. */
static int
run(struct drac *d, int argc, char *argv[], int v2, unsigned int ttl,
    int prom)
{
	const char *cmd = argv[0];
	int i, rc = 0;

	if (strcmp(cmd, "list") == 0)
		return list(d);
	if (strcmp(cmd, "stats") == 0)
		return stats(d, prom);
	if (strcmp(cmd, "ping") == 0)
		return ping(d);
	for (i = 1; i < argc; i++) {
		if (strcmp(cmd, "add") == 0)
			rc |= add(d, argv[i], v2, ttl);
		else if (strcmp(cmd, "del") == 0)
			rc |= del(d, argv[i]);
		else
			rc |= query(d, argv[i]);
	}
	return rc;
}

/* Check the command and its arguments; usage() when they are wrong. */
static void
check_command(int argc, char *argv[], int v2)
{
	const char *cmd = argv[0];
	int many;

	many = strcmp(cmd, "add") == 0 || strcmp(cmd, "del") == 0 ||
	    strcmp(cmd, "query") == 0;
	if (many ? argc < 2 : argc != 1)
		usage();
	if (!many && strcmp(cmd, "list") != 0 && strcmp(cmd, "stats") != 0 &&
	    strcmp(cmd, "ping") != 0)
		usage();
	if (v2 && strcmp(cmd, "add") != 0)
		usage();
}

int
main(int argc, char *argv[])
{
	const char *netid = "udp";
	struct drac *d;
	char *msg = NULL;
	unsigned int ttl = 0;
	int ch, v2 = 0, ms = 0, rc, prom = 0;

	while ((ch = getopt(argc, argv, "+2jp:s:t:v")) != -1) {
		switch (ch) {
		case '2':
			v2 = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'p':
			if (!known_transport(optarg))
				usage();
			netid = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 't':
			if ((ms = timeout_ms(optarg)) == -1)
				usage();
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	sub_options(&argc, &argv, &ttl, &prom);
	check_command(argc, argv, v2);
	if (server == NULL)
		server = strcmp(argv[0], "del") == 0 ||
		    strcmp(argv[0], "list") == 0 ||
		    strcmp(argv[0], "stats") == 0 ? LOCAL_SOCKET : "localhost";
	if ((d = drac_open(server, netid, ms, &msg)) == NULL) {
		fprintf(stderr, "dracctl: %s: %s\n", server, msg);
		return 1;
	}
	rc = run(d, argc, argv, v2, ttl, prom);
	drac_close(d);
	return rc;
}

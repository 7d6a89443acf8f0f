/*
 * dracctl.c: authorize addresses at dracd, or check that it answers, from
 * the command line (see dracctl(8)).  A thin front end to the handle API
 * of libdrac.
 *
 * Exit status: 0 when every operation succeeded, 1 when one failed (one
 * message per failure on stderr, naming the address), 2 on a usage error.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "drac.h"
#include "num.h"

static const char *const transports[] = { "udp", "tcp", "udp6", "tcp6" };
static const char *server = "localhost";
static int verbose;

static void
usage(void)
{
	fprintf(stderr, "usage: dracctl [-2v] [-p transport] [-s server] "
	    "[-t seconds] add address ...\n"
	    "       dracctl [-v] [-p transport] [-s server] [-t seconds] "
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

static int
add(struct drac *d, const char *text, int v2)
{
	struct addr ad;
	struct sockaddr_in6 sin6;
	char *msg = NULL;
	int rc;

	if (addr_from_text(&ad, text) == -1) {
		fprintf(stderr, "dracctl: %s: not an IPv4 or IPv6 address\n",
		    text);
		return 1;
	}
	addr_to_sockaddr(&ad, &sin6);
	if (v2)
		rc = drac_add_v2(d, (struct sockaddr *)&sin6, &msg);
	else
		rc = drac_add(d, (struct sockaddr *)&sin6, &msg);
	if (rc != 0) {
		fprintf(stderr, "dracctl: %s: %s\n", text, msg);
		return 1;
	}
	if (verbose)
		printf("%s: added\n", text);
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
	if (verbose)
		printf("%s: dracd answers\n", server);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *netid = "udp";
	struct drac *d;
	char *msg = NULL;
	int ch, i, v2 = 0, ms = 0, rc = 0, isping;

	while ((ch = getopt(argc, argv, "2p:s:t:v")) != -1) {
		switch (ch) {
		case '2':
			v2 = 1;
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
	isping = strcmp(argv[0], "ping") == 0;
	if (isping ? argc != 1 || v2 : strcmp(argv[0], "add") != 0 || argc < 2)
		usage();

	if ((d = drac_open(server, netid, ms, &msg)) == NULL) {
		fprintf(stderr, "dracctl: %s: %s\n", server, msg);
		return 1;
	}
	if (isping)
		rc = ping(d);
	for (i = 1; !isping && i < argc; i++)
		rc |= add(d, argv[i], v2);
	drac_close(d);
	return rc;
}

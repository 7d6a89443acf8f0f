/*
 * rawrpc: send bytes given in hex to a local RPC port and print the reply
 * in hex.  The tests use it to speak the DRAC protocol exactly as an old
 * client does (golden wire bytes) and to send malformed input.
 *
 *	rawrpc [-t] [-b addr[:port]] [-d addr] [-w msec] port hex...
 *	rawrpc -R [-w msec] addr port
 *
 * Each hex argument is one datagram (UDP) or one chunk written as is
 * (TCP, -t; the caller supplies the record marks), sent to port at
 * 127.0.0.1 or the address -d names, from the address and port -b names
 * (IPv6 as [addr]:port).  Prints one line per reply ("-" when none came
 * within -w msec, default 2000).  Exit 0 when a reply came to the last
 * message.  -R only receives: it binds a UDP socket to addr and port and
 * prints the first datagram that comes within -w msec, the same way.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"

static int
reply(int fd, int wait)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	unsigned char	buf[65536];
	ssize_t		n, i;

	if (poll(&pfd, 1, wait) != 1 || (n = read(fd, buf, sizeof(buf))) <= 0) {
		printf("-\n");
		return -1;
	}
	for (i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}

/* Parse "a.b.c.d", "a.b.c.d:port", "v6" or "[v6]:port" into ss. */
static int
sockaddr_parse(const char *arg, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 a[128], *p;

	snprintf(a, sizeof(a), "%s", arg[0] == '[' ? arg + 1 : arg);
	if ((p = strstr(a, "]:")) != NULL) {
		*p = '\0';
		port = atoi(p + 2);
	} else if ((p = strchr(a, ']')) != NULL)
		*p = '\0';
	else if ((p = strchr(a, ':')) != NULL && strchr(p + 1, ':') == NULL) {
		*p = '\0';
		port = atoi(p + 1);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* -R: print the first datagram that comes to addr and port. */
static int
receive(const char *addr, int port, int wait)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd;

	if (sockaddr_parse(addr, port, &ss, &len) == -1 ||
	    (fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1) {
		perror("rawrpc: bind");
		return 1;
	}
	return reply(fd, wait) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	to, from;
	socklen_t		tolen, fromlen;
	unsigned char		buf[65536];
	const char		*bind_to = NULL, *dest = "127.0.0.1";
	int			ch, fd, n, i, tcp = 0, wait = 2000, ret = -1;
	int			recv_only = 0;

	while ((ch = getopt(argc, argv, "b:d:Rtw:")) != -1) {
		if (ch == 't')
			tcp = 1;
		else if (ch == 'w')
			wait = atoi(optarg);
		else if (ch == 'b')
			bind_to = optarg;
		else if (ch == 'd')
			dest = optarg;
		else if (ch == 'R')
			recv_only = 1;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (recv_only && argc == 2)
		return receive(argv[0], atoi(argv[1]), wait);
	if (argc < 2 || recv_only) {
		fprintf(stderr, "usage: rawrpc [-t] [-b addr[:port]] [-d addr] "
		    "[-w msec] port hex...\n"
		    "       rawrpc -R [-w msec] addr port\n");
		return 2;
	}
	if (sockaddr_parse(dest, atoi(argv[0]), &to, &tolen) == -1 ||
	    (bind_to != NULL &&
	    sockaddr_parse(bind_to, 0, &from, &fromlen) == -1)) {
		fprintf(stderr, "rawrpc: bad address\n");
		return 2;
	}
	fd = socket(to.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd == -1 || (bind_to != NULL &&
	    bind(fd, (struct sockaddr *)&from, fromlen) == -1) ||
	    connect(fd, (struct sockaddr *)&to, tolen) == -1) {
		perror("rawrpc: connect");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if ((n = unhex(argv[i], buf, sizeof(buf))) == -1) {
			fprintf(stderr, "rawrpc: bad hex: %s\n", argv[i]);
			return 2;
		}
		if (write(fd, buf, n) != n) {
			perror("rawrpc: write");
			return 1;
		}
		if (!tcp || i == argc - 1)
			ret = reply(fd, wait);
	}
	close(fd);
	return ret == 0 ? 0 : 1;
}

/*
 * rawrpc: send bytes given in hex to a local RPC port and print the reply
 * in hex.  The tests use it to speak the DRAC protocol exactly as an old
 * client does (golden wire bytes) and to send malformed input.
 *
 *	rawrpc [-t] [-w msec] port hex...
 *
 * Each hex argument is one datagram (UDP) or one chunk written as is
 * (TCP, -t; the caller supplies the record marks).  Prints one line per
 * reply ("-" when none came within -w msec, default 2000).  Exit 0 when a
 * reply came to the last message.
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

int
main(int argc, char *argv[])
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	unsigned char		buf[65536];
	int			ch, fd, n, i, tcp = 0, wait = 2000, ret = -1;

	while ((ch = getopt(argc, argv, "tw:")) != -1) {
		if (ch == 't')
			tcp = 1;
		else if (ch == 'w')
			wait = atoi(optarg);
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		fprintf(stderr, "usage: rawrpc [-t] [-w msec] port hex...\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[0]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
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

/*
 * asynctest.c: drives libdrac's non-blocking add as an event loop would,
 * for tests/t-async.sh.
 *
 *	asynctest SERVERS TIMEOUT_MS ADDRESS
 *
 * Starts drac_async_add(), then polls drac_async_fd() with
 * drac_async_timeout_ms() and calls drac_async_result() until it is no
 * longer DRAC_PENDING.  Prints "result RC ELAPSED_MS [message]", then
 * "server NAME RC [message]" for each server.  Exits 0 when the result
 * line was printed, 2 on a usage or start error.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "drac.h"

static int
parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* The event loop: poll, then collect, until the add is done. */
static int
run(struct drac_async *a, char **err)
{
	struct pollfd	pfd;
	int		rc;

	pfd.fd = drac_async_fd(a);
	pfd.events = POLLIN;
	while ((rc = drac_async_result(a, err)) == DRAC_PENDING)
		if (poll(&pfd, 1, drac_async_timeout_ms(a)) == -1)
			perror("poll");
	return rc;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	 ss;
	struct drac_async	*a;
	const char		*name;
	char			*err = NULL;
	long long		 t0;
	size_t			 i;
	int			 rc;

	if (argc != 4 || parse_addr(argv[3], &ss) == -1) {
		fprintf(stderr, "usage: asynctest servers timeout_ms address\n");
		return 2;
	}
	t0 = clock_ms();
	if ((a = drac_async_add(argv[1], (struct sockaddr *)&ss,
	    atoi(argv[2]), &err)) == NULL) {
		printf("start failed: %s\n", err);
		return 2;
	}
	rc = run(a, &err);
	printf("result %d %lld%s%s\n", rc, clock_ms() - t0, rc ? " " : "",
	    rc ? err : "");
	for (i = 0; i < drac_async_count(a); i++) {
		rc = drac_async_server(a, i, &name, &err);
		printf("server %s %d%s%s\n", name, rc, rc ? " " : "",
		    rc ? err : "");
	}
	drac_async_free(a);
	return 0;
}

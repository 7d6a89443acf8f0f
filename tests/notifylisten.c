/*
 * notifylisten: stand in for systemd's notification socket, to test
 * dracd's readiness message (t-systemd.sh).
 *
 *	notifylisten [-s] socket seconds
 *
 * Binds an AF_UNIX datagram socket at socket (a path, or @name for an
 * abstract name), prints "listening" and waits up to seconds for one
 * datagram.  With -s it stops the sender (SIGSTOP, the pid from the
 * kernel's credentials) the moment the datagram arrives, so that the
 * caller can look at what the sender had done before sending, before it
 * does anything more.  Prints "PID MESSAGE" (newlines in MESSAGE as
 * spaces) and exits 0, or exits 1 on timeout or error.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
listen_at(const char *name)
{
	struct sockaddr_un	sun;
	size_t			len = strlen(name);
	int			fd, on = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (len < 2 || len >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun,
	    offsetof(struct sockaddr_un, sun_path) + len) == -1) {
		perror(name);
		return -1;
	}
	return fd;
}

/* Receive one datagram into buf; returns the sender's pid, or -1. */
static pid_t
receive(int fd, char *buf, size_t size)
{
	union {
		struct cmsghdr	hdr;
		char		space[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec	 iov = { buf, size - 1 };
	struct msghdr	 msg = { 0 };
	struct cmsghdr	*c;
	struct ucred	 cred;
	ssize_t		 n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.space;
	msg.msg_controllen = sizeof(ctl.space);
	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return -1;
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			return cred.pid;
		}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd;
	char		 buf[4096], *p;
	pid_t		 pid;
	int		 stop = 0;

	if (argc == 4 && strcmp(argv[1], "-s") == 0) {
		stop = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: notifylisten [-s] socket seconds\n");
		return 2;
	}
	if ((pfd.fd = listen_at(argv[1])) == -1)
		return 1;
	pfd.events = POLLIN;
	printf("listening\n");
	fflush(stdout);
	if (poll(&pfd, 1, atoi(argv[2]) * 1000) != 1) {
		printf("timeout\n");
		return 1;
	}
	if ((pid = receive(pfd.fd, buf, sizeof(buf))) == -1) {
		perror("recvmsg");
		return 1;
	}
	if (stop)
		kill(pid, SIGSTOP);
	for (p = buf; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	printf("%ld %s\n", (long)pid, buf);
	return 0;
}

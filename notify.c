/*
 * notify.c: readiness for systemd's Type=notify, without libsystemd.
 *
 * The protocol is one datagram of "VAR=value" lines on the AF_UNIX socket
 * named by $NOTIFY_SOCKET: a path, or an abstract name written with a
 * leading '@' (a NUL on the wire, the name not NUL-terminated).  These
 * few lines replace sd_notify(3) so that dracd, which runs just as well
 * without systemd (under another init, or in the foreground), gains no
 * dependency on libsystemd; nothing else of libsystemd is needed.
 *
 * The variable is removed from the environment after use, as
 * sd_notify(unset_environment=1) does: nothing dracd runs should notify
 * in its name.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

/* Fill sun from name; returns the address length, or 0 if name is bad. */
static socklen_t
notify_address(struct sockaddr_un *sun, const char *name)
{
	size_t	len = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || len < 2 ||
	    len > sizeof(sun->sun_path))
		return 0;
	/* A path keeps its NUL; an abstract name has none. */
	if (name[0] == '/' && len == sizeof(sun->sun_path))
		return 0;
	memcpy(sun->sun_path, name, len);
	if (name[0] == '@')
		sun->sun_path[0] = '\0';
	else
		len++;
	return offsetof(struct sockaddr_un, sun_path) + len;
}

/* Send READY=1 to $NOTIFY_SOCKET if it is set; a failure is only logged. */
void
notify_ready(void)
{
	static const char	 msg[] = "READY=1";
	struct sockaddr_un	 sun;
	socklen_t		 len;
	const char		*name;
	int			 fd;

	if ((name = getenv("NOTIFY_SOCKET")) == NULL)
		return;
	if ((len = notify_address(&sun, name)) == 0) {
		log_warnx("NOTIFY_SOCKET %s: not a socket path or @name", name);
		unsetenv("NOTIFY_SOCKET");
		return;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		log_warn("NOTIFY_SOCKET %s: socket", name);
	else if (sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_warn("NOTIFY_SOCKET %s: cannot tell it READY=1", name);
	if (fd != -1)
		close(fd);
	unsetenv("NOTIFY_SOCKET");
}

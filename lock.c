/*
 * lock.c: the two kinds of lock on dracd's files.
 *
 * The readers' lock, on the map file, taken around the writes of a change
 * only.  MTAs read the map under a shared flock (Debian's sendmail and
 * postfix) or a shared fcntl lock (upstream builds), so dracd takes both,
 * exclusive.  flock and fcntl locks do not interact on Linux, hence both.
 * An fcntl lock is dropped when the process closes any descriptor of the
 * file, which Berkeley DB does inside DB->open (change.c, top): only the
 * flock is sure to hold there.  A lock not granted within LOCK_WAIT_MS
 * fails the change, which is tried again later: a reader that never lets
 * go delays the map, never the daemon.  The wait is woken by a SIGALRM
 * timer aimed at the waiting thread alone (the commit thread, commit.c,
 * waits here while the event loop runs).
 *
 * The owner lock, on MAP.lock in the state directory, taken once before
 * the journal is replayed and held until the process exits: one dracd per
 * map.  The file holds the owner's PID, for the message the second one
 * prints.  flock, so that it survives daemon(3)'s fork and the descriptors
 * Berkeley DB closes.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lock.h"
#include "log.h"
#include "safeopen.h"

#define LOCK_WAIT_MS	250	/* give up a lock attempt after this */
#define LOCK_TICK_MS	10	/* and check the time this often */
#define LOCK_SPIN_US	1000	/* try without blocking this long first */

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * Try both locks without blocking, again and again, for LOCK_SPIN_US.
 * flock has no writer preference: readers that look up back to back
 * leave the lock free for a moment only, too short for a process the
 * kernel has to wake, long enough for one already running.
 */
static int
spin_locks(int fd, struct flock *fl)
{
	struct timespec	end;
	int		have_flock = 0;

	clock_after(&end, LOCK_SPIN_US);
	for (;;) {
		if (!have_flock && flock(fd, LOCK_EX | LOCK_NB) == 0)
			have_flock = 1;
		else if (!have_flock && errno != EWOULDBLOCK)
			break;
		if (have_flock && fcntl(fd, F_SETLK, fl) == 0)
			return 0;
		if (have_flock && errno != EACCES && errno != EAGAIN)
			break;
		if (clock_passed(&end))
			break;
	}
	if (have_flock)
		flock(fd, LOCK_UN);
	return -1;
}

/*
 * Wait for both locks in the kernel, for at most LOCK_WAIT_MS: SIGALRM,
 * sent to this thread alone (the commit thread waits here while the
 * event loop runs), interrupts the wait every LOCK_TICK_MS, so a tick
 * that comes before the call only delays the check of the deadline by
 * one tick.
 */
static int
wait_locks(int fd, struct flock *fl)
{
	struct itimerspec	tick;
	struct sigaction	sa, osa;
	struct sigevent		sev;
	struct timespec		end;
	timer_t			timer;
	int			have_flock = 0, ret = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == -1)
		return -1;
	tick.it_value.tv_sec = 0;
	tick.it_value.tv_nsec = LOCK_TICK_MS * 1000000L;
	tick.it_interval = tick.it_value;
	clock_after(&end, LOCK_WAIT_MS * 1000L);
	sigaction(SIGALRM, &sa, &osa);
	timer_settime(timer, 0, &tick, NULL);
	for (;;) {
		if (!have_flock && flock(fd, LOCK_EX) == 0)
			have_flock = 1;
		if (have_flock && fcntl(fd, F_SETLKW, fl) == 0) {
			ret = 0;
			break;
		}
		if (errno != EINTR)
			break;
		if (clock_passed(&end)) {
			errno = ETIMEDOUT;
			break;
		}
	}
	timer_delete(timer);
	sigaction(SIGALRM, &osa, NULL);
	if (ret == -1 && have_flock)
		flock(fd, LOCK_UN);
	return ret;
}

/* Keep the map's readers out: both locks on fd; 0 or -1, logged. */
int
lock_readers_out(int fd, const char *path)
{
	struct flock	fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (spin_locks(fd, &fl) == 0 || wait_locks(fd, &fl) == 0)
		return 0;
	log_warn("%s: cannot lock", path);
	return -1;
}

/* Let the map's readers in again. */
void
lock_readers_in(int fd, const char *path)
{
	struct flock	fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_SETLK, &fl) == -1)
		log_warn("%s: fcntl unlock", path);
	if (flock(fd, LOCK_UN) == -1)
		log_warn("%s: flock unlock", path);
}

/* The PID written in the owner lock file fd, or 0 if none can be read. */
static long
owner_pid(int fd)
{
	char	buf[32];
	ssize_t	n;
	long	pid = 0;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld", &pid) != 1)
		return 0;
	return pid;
}

/*
 * Become the one dracd of map: take the owner lock at path (safeopen.c;
 * *made set if made here), for the life of the process.  Returns its
 * descriptor, or -1, logged, naming the owner's PID when another process
 * holds it.
 */
int
lock_owner(const char *path, const char *map, int *made)
{
	const char	*why;
	int		 fd;

	if ((fd = safe_open(path, O_RDWR | O_CREAT, 0644, made, &why)) == -1) {
		if (why != NULL)
			log_warnx("%s: %s; refusing it", path, why);
		else
			log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		lock_owner_pid(fd, path);
		return fd;
	}
	if (errno == EWOULDBLOCK)
		log_warnx("%s: in use by another dracd (pid %ld; lock %s)",
		    map, owner_pid(fd), path);
	else
		log_warn("%s: flock", path);
	close(fd);
	return -1;
}

/* Write this process's PID into the owner lock file fd. */
void
lock_owner_pid(int fd, const char *path)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, n, 0) != n)
		log_warn("%s: cannot write the PID", path);
}

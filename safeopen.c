/*
 * safeopen.c: open one of dracd's files (the map, its journal and owner
 * lock, the allow file) so that no link planted in a directory another
 * user can write makes dracd, running as root, read, truncate or give
 * away some other file.  The rules are those of Postfix's safe_open:
 *
 * - never through a symbolic link (O_NOFOLLOW);
 * - a regular file with exactly one link: a hard link planted to another
 *   file has two;
 * - owned by root, by the user dracd runs as, or by the user of -u
 *   (safe_owner());
 * - the descriptor opened is the file now at the path: its fstat and the
 *   path's lstat agree on device and inode.
 *
 * A file is created only with O_EXCL, and *created says so: only such a
 * file may be given to another user.  O_TRUNC is done after the checks,
 * with ftruncate on the checked descriptor.  A descriptor someone else
 * opened by path (Berkeley DB's) is compared with the checked one by
 * safe_same().
 *
 * Like num.c it does not log: a refusal comes back as a static reason in
 * *why, a failed system call as -1 with *why NULL and errno set.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "safeopen.h"

#define SAFE_TRIES	3	/* a file removed or made under us */

static uid_t	user;		/* the owner accepted besides root and us */

/* Accept files owned by uid too (dracd -u). */
void
safe_owner(uid_t uid)
{
	user = uid;
}

/* Check the file open on fd against the rules above; 0, or -1 (why). */
static int
check(int fd, const char *path, const char **why)
{
	struct stat	st, at;

	if (fstat(fd, &st) == -1 || lstat(path, &at) == -1)
		return -1;
	if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_nlink != 1)
		*why = "more than one hard link to it (planted?)";
	else if (st.st_uid != 0 && st.st_uid != geteuid() &&
	    st.st_uid != user)
		*why = "owned by a user other than root and dracd's";
	else if (at.st_dev != st.st_dev || at.st_ino != st.st_ino)
		*why = "replaced while it was opened";
	else
		return 0;
	errno = EPERM;
	return -1;
}

/* open(2) flags with O_CREAT: create it (O_EXCL) or open what is there. */
static int
open_or_make(const char *path, int flags, mode_t mode, int *created)
{
	int	fd, i;

	for (i = 0; i < SAFE_TRIES; i++) {
		if (flags & O_CREAT) {
			if ((fd = open(path, flags | O_EXCL, mode)) != -1) {
				*created = 1;
				return fd;
			}
			if (errno != EEXIST)
				return -1;
		}
		if ((fd = open(path, flags & ~O_CREAT)) != -1 ||
		    errno != ENOENT || !(flags & O_CREAT))
			return fd;
	}
	return -1;
}

/*
 * Open path with flags (O_CREAT: mode) under the rules above.  Returns
 * the descriptor, *created set when this call made the file; or -1, with
 * *why the rule broken, or NULL and errno.
 */
int
safe_open(const char *path, int flags, mode_t mode, int *created,
    const char **why)
{
	int	fd, trunc = flags & O_TRUNC, err;

	*created = 0;
	*why = NULL;
	flags = (flags & ~O_TRUNC) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	if ((fd = open_or_make(path, flags, mode, created)) == -1) {
		if (errno == ELOOP)
			*why = "a symbolic link";
		return -1;
	}
	if (check(fd, path, why) == 0 && (!trunc || ftruncate(fd, 0) == 0))
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* 1 when descriptors fd and checked are open on the same file, else 0. */
int
safe_same(int fd, int checked)
{
	struct stat	a, b;

	if (fstat(fd, &a) == -1 || fstat(checked, &b) == -1)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

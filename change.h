/*
 * change.h: the commit protocol (change.c): each change to the map file
 * is all-or-nothing.  begin, write (Berkeley DB's page I/O, through the
 * hooks below), commit; recover at start and after a failure; a
 * checkpoint when idle.
 */
#ifndef CHANGE_H
#define CHANGE_H

#include <sys/types.h>

#include <stddef.h>

struct change;

struct change	*change_open(const char *, const char *);
int		 change_recover(struct change *);
int		 change_replaced(struct change *);
int		 change_reopen(struct change *);
int		 change_readers_out(struct change *);
void		 change_readers_in(struct change *);
void		 change_begin(struct change *, int, size_t);
int		 change_commit(struct change *);
void		 change_abort(struct change *);
long long	 change_due_ms(struct change *);
int		 change_checkpoint(struct change *);
void		 change_claim(struct change *);
int		 change_chown(struct change *, uid_t, gid_t);
int		 change_is_map(struct change *, int);
int		 change_truncate(struct change *);
void		 change_close(struct change *);

/* The write step: Berkeley DB's page I/O (db_env_set_func_*). */
ssize_t		 change_pwrite(int, const void *, size_t, off_t);
ssize_t		 change_pread(int, void *, size_t, off_t);
int		 change_fsync(int);
int		 change_ftruncate(int, off_t);

#endif

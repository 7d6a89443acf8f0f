/*
 * journal.h: makes each change to the map all-or-nothing on disk: the
 * pages Berkeley DB writes during a change are held back, written to a
 * journal file, and only then written over the map.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <sys/types.h>

#include <stddef.h>

struct journal;

struct journal	*journal_open(const char *, int);
int		 journal_replay(struct journal *);
void		 journal_begin(struct journal *, int, size_t);
int		 journal_commit(struct journal *, int (*)(void *),
		    void (*)(void *), void *);
void		 journal_abort(struct journal *);
int		 journal_chown(struct journal *, uid_t, gid_t);
void		 journal_close(struct journal *);

/* Berkeley DB's page I/O, routed through the journal during a change. */
ssize_t		 journal_pread(int, void *, size_t, off_t);
ssize_t		 journal_pwrite(int, const void *, size_t, off_t);
int		 journal_fsync(int);

#endif

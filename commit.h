/*
 * commit.h: the commit thread, a change's disk work off the event loop
 * (commit.c).
 */
#ifndef COMMIT_H
#define COMMIT_H

struct commit;

struct commit	*commit_new(void);
void		 commit_start(struct commit *, int (*)(void *), void *);
int		 commit_busy(const struct commit *);
int		 commit_fd(const struct commit *);
int		 commit_done(struct commit *, int *);
int		 commit_wait(struct commit *);
void		 commit_free(struct commit *);

#endif

/*
 * lock.h: the readers' lock on the map, held while a change is written
 * over it, and the owner lock that makes one dracd the map's only writer.
 */
#ifndef LOCK_H
#define LOCK_H

int	lock_readers_out(int, const char *);
void	lock_readers_in(int, const char *);
int	lock_owner(const char *, const char *, int *);
void	lock_owner_pid(int, const char *);

#endif

/*
 * safeopen.h: opening dracd's files in directories others may write, as
 * Postfix's safe_open does (safeopen.c).
 */
#ifndef SAFEOPEN_H
#define SAFEOPEN_H

#include <sys/types.h>

void	safe_owner(uid_t);
int	safe_open(const char *, int, mode_t, int *, const char **);
int	safe_same(int, int);

#endif

/*
 * clock.h: the one monotonic clock of dracd and libdrac.
 *
 * Every timeout, deadline and rate is measured on CLOCK_MONOTONIC, so
 * that a change of the wall clock never fires or stalls one.  Wall-clock
 * time (time(3)) is used only for what is stored: expiry times.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <time.h>

time_t		clock_wall(void);
long long	clock_ms(void);
long long	clock_us(void);
void		clock_after(struct timespec *, long long);
int		clock_passed(const struct timespec *);
long long	clock_left_ms(const struct timespec *);

#endif

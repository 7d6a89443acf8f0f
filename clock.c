/*
 * clock.c: monotonic time in milliseconds and microseconds, deadlines as
 * struct timespec (what sem_timedwait, ppoll and pthread_cond_timedwait
 * want), and the wall-clock second that expiry times are measured in.
 */
#include <time.h>

#include "clock.h"

/*
 * The wall-clock time in seconds.  Not time(3): on Linux that reads the
 * coarse clock, which may still show the previous second for a tick after
 * the second has begun, so an entry could be reported valid a few
 * milliseconds past its expiry.
 */
time_t
clock_wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Milliseconds on the monotonic clock. */
long long
clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Microseconds on the monotonic clock. */
long long
clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sets end to the monotonic time us microseconds from now. */
void
clock_after(struct timespec *end, long long us)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += us / 1000000;
	end->tv_nsec += us % 1000000 * 1000;
	if (end->tv_nsec >= 1000000000) {
		end->tv_sec++;
		end->tv_nsec -= 1000000000;
	}
}

/* 1 when the deadline end has passed, else 0. */
int
clock_passed(const struct timespec *end)
{
	return clock_left_ms(end) <= 0;
}

/* Milliseconds left until end (rounded up), 0 once it has passed. */
long long
clock_left_ms(const struct timespec *end)
{
	struct timespec	now;
	long long	ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(end->tv_sec - now.tv_sec) * 1000000000 +
	    (end->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (ns + 999999) / 1000000;
}

/*
 * log.c: stderr in the foreground, syslog (LOG_MAIL) as a daemon.
 *
 * log_limited lets the first message of a kind through, then at most one
 * per LIMIT_SECS seconds, and says how many it dropped in between.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

#define LIMIT_SECS	10

static int	log_fg = 1;
static int	log_dbg;
static struct {
	time_t		last;
	unsigned long	dropped;
} limits[LIMIT_NKEYS];

/* Start logging: to stderr when foreground, else to syslog. */
void
log_init(int foreground, int debug)
{
	log_fg = foreground;
	log_dbg = debug;
	if (!log_fg)
		openlog("dracd", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* Non-zero when debug lines are wanted. */
int
log_debugging(void)
{
	return log_dbg;
}

static void
vlog(int pri, const char *fmt, va_list ap, int err)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_fg) {
		if (err)
			fprintf(stderr, "dracd: %s: %s\n", msg, strerror(err));
		else
			fprintf(stderr, "dracd: %s\n", msg);
		fflush(stderr);
	} else if (err)
		syslog(pri, "%s: %s", msg, strerror(err));
	else
		syslog(pri, "%s", msg);
}

#define LOGFN(name, pri, witherr)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	ap;						\
	int	saved = errno;					\
								\
	va_start(ap, fmt);					\
	vlog(pri, fmt, ap, (witherr) ? saved : 0);		\
	va_end(ap);						\
	errno = saved;						\
}

/* Warning with strerror(errno) appended. */
LOGFN(log_warn, LOG_WARNING, 1)
/* Warning. */
LOGFN(log_warnx, LOG_WARNING, 0)
/* Informational line. */
LOGFN(log_info, LOG_INFO, 0)

/* Debug line, only with -d. */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_dbg)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

/* Warning of kind KEY, rate-limited; everything passes with -d. */
void
log_limited(int key, const char *fmt, ...)
{
	va_list	ap;
	time_t	now = time(NULL);

	if (!log_dbg && limits[key].last != 0 &&
	    now - limits[key].last < LIMIT_SECS) {
		limits[key].dropped++;
		return;
	}
	if (limits[key].dropped > 0)
		log_warnx("%lu similar messages suppressed",
		    limits[key].dropped);
	limits[key].last = now;
	limits[key].dropped = 0;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

/* Log with strerror(errno) and exit 1. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

/* Log and exit 1. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

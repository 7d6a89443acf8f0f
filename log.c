/*
 * log.c: stderr in the foreground, syslog (LOG_MAIL) as a daemon.
 *
 * Rate limits, all off with -d:
 * - log_limited, per kind: the first message, then at most one per
 *   LIMIT_MS, with the count of those dropped in between.
 * - log_limited_from, the same per kind and caller, kept in a fixed table
 *   of LIMIT_SETS sets of LIMIT_WAYS slots.  A caller new to its set
 *   takes the slot logged longest ago; an evicted caller is logged again
 *   when it comes back, so eviction only ever adds lines.  What bounds
 *   them is a budget per kind: LIMIT_BURST lines per LIMIT_MS over all
 *   callers, the rest counted in one "from other callers" line.  So every
 *   caller is logged at least once per LIMIT_MS as long as fewer than
 *   LIMIT_BURST callers of one kind are, and memory stays fixed however
 *   many there are.
 * Times come from the monotonic clock (clock_ms).  The limits' state is
 * shared by the event loop and the commit thread (commit.c), under mu.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"
#include "log.h"

#define LIMIT_MS	10000
#define LIMIT_BURST	100
#define LIMIT_SETS	256
#define LIMIT_WAYS	4

/* One rate limit: when a line last passed, and how many were dropped. */
struct bucket {
	long long	last;
	unsigned long	dropped;
	int		used;
};

/* The rate limit of one caller for one kind. */
struct slot {
	struct bucket	b;
	struct addr	from;
	int		kind;
};

/* The lines of one kind that log_limited_from let through in a window. */
struct budget {
	long long	start;
	unsigned int	lines;
	unsigned long	dropped;	/* over the budget, or evicted */
};

static int		log_fg = 1;
static int		log_dbg;
static struct bucket	kinds[LIMIT_NKEYS];
static struct budget	budgets[LIMIT_NKEYS];
static struct slot	slots[LIMIT_SETS][LIMIT_WAYS];
static pthread_mutex_t	mu = PTHREAD_MUTEX_INITIALIZER;

/* Start logging: to stderr when foreground, else to syslog. */
void
log_init(int foreground, int debug)
{
	log_fg = foreground;
	log_dbg = debug;
	if (!log_fg)
		openlog("dracd", LOG_PID | LOG_NDELAY, LOG_MAIL);
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

/* Non-zero with -d: a debug line's arguments are worth making. */
int
log_debugging(void)
{
	return log_dbg;
}

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

/* 0 (and one more dropped) when b has let a line through too recently. */
static int
bucket_pass(struct bucket *b, long long now)
{
	if (b->used && now - b->last < LIMIT_MS) {
		b->dropped++;
		return 0;
	}
	return 1;
}

/* A line passes b at now: first say how many were dropped before it. */
static void
bucket_open(struct bucket *b, long long now, const char *from)
{
	if (b->dropped > 0)
		log_warnx("%lu similar messages suppressed%s%s", b->dropped,
		    from != NULL ? " from " : "", from != NULL ? from : "");
	b->used = 1;
	b->last = now;
	b->dropped = 0;
}

/* Warning of kind KIND, rate-limited; everything passes with -d. */
void
log_limited(int kind, const char *fmt, ...)
{
	va_list		ap;
	long long	now = clock_ms();

	if (!log_dbg) {
		pthread_mutex_lock(&mu);
		if (!bucket_pass(&kinds[kind], now)) {
			pthread_mutex_unlock(&mu);
			return;
		}
		bucket_open(&kinds[kind], now, NULL);
		pthread_mutex_unlock(&mu);
	}
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

static struct slot *
set_of(int kind, const struct addr *from)
{
	uint32_t	h = 2166136261U ^ (uint32_t)kind;
	size_t		i;

	for (i = 0; i < sizeof(from->a); i++)
		h = (h ^ from->a[i]) * 16777619U;
	return slots[h % LIMIT_SETS];
}

/* The slot of (kind, from), or NULL. */
static struct slot *
slot_find(int kind, const struct addr *from)
{
	struct slot	*set = set_of(kind, from);
	int		 i;

	for (i = 0; i < LIMIT_WAYS; i++)
		if (set[i].b.used && set[i].kind == kind &&
		    memcmp(&set[i].from, from, sizeof(*from)) == 0)
			return &set[i];
	return NULL;
}

/* A slot for (kind, from): a free one, else the one logged longest ago. */
static struct slot *
slot_take(int kind, const struct addr *from)
{
	struct slot	*set = set_of(kind, from), *s = &set[0];
	int		 i;

	for (i = 0; i < LIMIT_WAYS; i++) {
		if (!set[i].b.used) {
			s = &set[i];
			break;
		}
		if (set[i].b.last < s->b.last)
			s = &set[i];
	}
	if (s->b.used)
		budgets[s->kind].dropped += s->b.dropped;
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->from = *from;
	return s;
}

/* 1 when kind may log one more line at now, else 0 (counted dropped). */
static int
budget_take(int kind, long long now)
{
	struct budget	*bu = &budgets[kind];

	if (now - bu->start >= LIMIT_MS) {
		if (bu->dropped > 0)
			log_warnx("%lu similar messages suppressed from other "
			    "callers", bu->dropped);
		bu->start = now;
		bu->lines = 0;
		bu->dropped = 0;
	}
	if (bu->lines >= LIMIT_BURST) {
		bu->dropped++;
		return 0;
	}
	bu->lines++;
	return 1;
}

/* Warning of kind KIND about caller FROM, rate-limited per caller. */
void
log_limited_from(int kind, const struct addr *from, const char *fmt, ...)
{
	va_list		 ap;
	struct slot	*s;
	long long	 now = clock_ms();
	char		 who[INET6_ADDRSTRLEN];

	if (!log_dbg) {
		pthread_mutex_lock(&mu);
		s = slot_find(kind, from);
		if ((s != NULL && !bucket_pass(&s->b, now)) ||
		    !budget_take(kind, now)) {
			pthread_mutex_unlock(&mu);
			return;
		}
		if (s == NULL)
			s = slot_take(kind, from);
		bucket_open(&s->b, now, addr_text(from, who, sizeof(who)));
		pthread_mutex_unlock(&mu);
	}
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

/*
 * log.h: dracd's logging.  In the foreground (-f, -d) lines go to stderr
 * prefixed "dracd: "; otherwise to syslog, facility mail.  Debug lines are
 * dropped unless -d.  log_warn and fatal append strerror(errno).
 * log_limited drops a repeated message (same key) for a few seconds, so a
 * hostile client cannot flood the log.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

void	log_init(int foreground, int debug);
int	log_debugging(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_limited(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Keys for log_limited: one rate limit per kind of event. */
enum {
	LIMIT_DENIED,
	LIMIT_BADADDR,
	LIMIT_MAP,
	LIMIT_CONN,
	LIMIT_NKEYS
};

#endif

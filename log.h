/*
 * log.h: dracd's logging.  In the foreground (-f, -d) lines go to stderr
 * prefixed "dracd: "; otherwise to syslog, facility mail.  Debug lines are
 * dropped unless -d (log_debugging() says whether).  log_warn and fatal
 * append strerror(errno).
 *
 * log_limited drops a repeated message of one kind for a few seconds, so
 * that a hostile client cannot flood the log; log_limited_from does the
 * same per kind and caller, so that one noisy caller hides no other.
 *
 * Error idioms (there are two):
 * - In the daemon, a function that fails logs why, naming the file, the
 *   address or the call that failed, and returns -1 (or NULL); its caller
 *   does not log it again.  Fatal errors at start go through fatal().
 * - Code that must not log (libdrac, and the parsers that tools, tests and
 *   fuzzers share: addr, allow, num) returns -1 (or NULL) and hands back
 *   the message for its caller to log: libdrac a static string through
 *   char **errmsg, num a static string through const char **errstr, and
 *   allow "file:line: reason" in the caller's buffer.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

#include "addr.h"

void	log_init(int foreground, int debug);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
int	log_debugging(void);
void	log_limited(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_limited_from(int, const struct addr *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Kinds for log_limited and log_limited_from. */
enum {
	LIMIT_DENIED,
	LIMIT_BADADDR,
	LIMIT_MAP,
	LIMIT_CONN,
	LIMIT_FULL,
	LIMIT_NKEYS
};

#endif

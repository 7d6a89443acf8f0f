/*
 * fuzz.h: what the libFuzzer harnesses share (make fuzz, tests/t-fuzz.sh).
 *
 * CHECK aborts, so that libFuzzer records the input, when a property the
 * code under test promises does not hold.  stubstore.c stands in for
 * store.c behind the real handlers, checks what reaches it, and fails
 * for the addresses stub_fails() names.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

struct addr;

struct store	*stub_store(void);
unsigned long	 stub_adds(void);
int		 stub_fails(const struct addr *);

#endif

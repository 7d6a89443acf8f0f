/*
 * hex.c: hex text to bytes.  Spaces and dots between bytes are ignored,
 * so that a message can be written a word at a time.
 */
#include <stdio.h>

#include "hex.h"

/* Decode s into buf (at most max bytes); the length, or -1 if bad. */
int
unhex(const char *s, unsigned char *buf, size_t max)
{
	size_t		n = 0;
	unsigned int	b;

	for (; *s != '\0'; s += 2) {
		while (*s == ' ' || *s == '.')
			s++;
		if (*s == '\0')
			break;
		if (n == max || sscanf(s, "%2x", &b) != 1)
			return -1;
		buf[n++] = (unsigned char)b;
	}
	return (int)n;
}

/*
 * hex.h: hex text to bytes, for the test tools that speak raw RPC.
 */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>

int	unhex(const char *, unsigned char *, size_t);

#endif

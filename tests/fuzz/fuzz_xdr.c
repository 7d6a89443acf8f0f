/*
 * fuzz_xdr.c: the XDR routines rpcgen makes from drac.x, on any bytes.
 *
 * Each routine decodes the input from its start.  It must fail exactly
 * when the input is too short (4 bytes for version 1 and for addstat, 64
 * for version 2's sixteen XDR chars), consume exactly that much, and what
 * it decoded must encode and decode back to the same value; the 4-byte
 * ones must encode back to the same bytes.
 */
#include <stdint.h>
#include <string.h>

#include <rpc/rpc.h>

#include "drac.h"
#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Decode size bytes of data with proc into v; 1 when it worked. */
static int
decode(xdrproc_t proc, const uint8_t *data, size_t size, void *v,
    u_int want)
{
	XDR	x;
	int	ok;

	xdrmem_create(&x, (char *)data, size, XDR_DECODE);
	ok = proc(&x, v);
	CHECK(ok == (size >= want));
	CHECK(!ok || xdr_getpos(&x) == want);
	return ok;
}

/* Encode v with proc into buf (want bytes). */
static void
encode(xdrproc_t proc, void *v, char *buf, u_int want)
{
	XDR	x;

	xdrmem_create(&x, buf, want, XDR_ENCODE);
	CHECK(proc(&x, v));
	CHECK(xdr_getpos(&x) == want);
}

static void
parm(const uint8_t *data, size_t size)
{
	drac_add_parm	a, b;
	char		buf[4];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (!decode((xdrproc_t)xdr_drac_add_parm, data, size, &a, 4))
		return;
	CHECK(a.ip_addr <= UINT32_MAX);
	encode((xdrproc_t)xdr_drac_add_parm, &a, buf, 4);
	CHECK(memcmp(buf, data, 4) == 0);
	CHECK(decode((xdrproc_t)xdr_drac_add_parm, (uint8_t *)buf, 4, &b, 4));
	CHECK(a.ip_addr == b.ip_addr);
}

static void
parm6(const uint8_t *data, size_t size)
{
	drac_add_parm6	a, b;
	char		buf[64];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (!decode((xdrproc_t)xdr_drac_add_parm6, data, size, &a, 64))
		return;
	encode((xdrproc_t)xdr_drac_add_parm6, &a, buf, 64);
	CHECK(decode((xdrproc_t)xdr_drac_add_parm6, (uint8_t *)buf, 64, &b,
	    64));
	CHECK(memcmp(a.ip_addr6, b.ip_addr6, sizeof(a.ip_addr6)) == 0);
}

static void
status(const uint8_t *data, size_t size)
{
	addstat	a, b;
	char	buf[4];

	if (!decode((xdrproc_t)xdr_addstat, data, size, &a, 4))
		return;
	encode((xdrproc_t)xdr_addstat, &a, buf, 4);
	CHECK(memcmp(buf, data, 4) == 0);
	CHECK(decode((xdrproc_t)xdr_addstat, (uint8_t *)buf, 4, &b, 4));
	CHECK(a == b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parm(data, size);
	parm6(data, size);
	status(data, size);
	return 0;
}

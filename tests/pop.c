/*
 * pop.c: what a POP server does after a login, as the packaging tests
 * build it against an installed libdrac (pkg-config --cflags --libs drac):
 * dracauth() for the client address argv[1].  Exits 0 when the add
 * succeeded, else 1 with libdrac's message.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <drac.h>

int
main(int argc, char *argv[])
{
	char	*err = NULL;

	if (argc != 2 || dracauth("localhost", inet_addr(argv[1]), &err) != 0) {
		fprintf(stderr, "dracauth: %s\n", err ? err : "usage");
		return 1;
	}
	return 0;
}

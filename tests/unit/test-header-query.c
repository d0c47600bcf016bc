/* SPDX-License-Identifier: MIT */
/*
 * test-header-query.c - include/hostfish-query.h compiles alone as C89 (-std=c89 -pedantic
 * -Werror) and declares what it should.  Prints TAP.
 */
#include <hostfish-query.h>

#include <stdio.h>

int main(void)
{
	int (*link)(hf_client *, const char *, unsigned, char **) = hf_service_root_link;
	int ok = link != NULL && HF_ROOT_REVALIDATE == 1u;

	printf("1..1\n%s 1 - hostfish-query.h is self-contained C89\n", ok ? "ok" : "not ok");
	return ok ? 0 : 1;
}

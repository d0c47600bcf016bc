/* SPDX-License-Identifier: MIT */
/*
 * fuzz-uefi-creds.c - the parsers of what firmware and the BMC hand over as credentials:
 * the efivarfs files RedfishOSCredentials and RedfishIndications (4 attribute bytes, then the
 * data) and the IPMI "Get Bootstrap Account Credentials" answer.  The same bytes go to all
 * three.  Seeds: tests/fuzz/corpus/uefi/README.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostfish-private.h"
#include "lib/host/creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(char *user, char *pass)
{
	/* the invariants callers rely on: non-empty, no ':' in the user, no control chars */
	if (!user || !pass || !*user || !*pass || strchr(user, ':'))
		abort();
	for (const char *p = pass; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	free(user);
	hf_free_secret(pass);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512], *user = NULL, *pass = NULL;
	uint32_t ind;
	uint8_t *copy;

	/* an exact-size copy, so that the sanitizers see any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (hf_uefi_creds_parse(copy, size, &user, &pass, why, sizeof(why)) == 0)
		check(user, pass);
	else if (!why[0])
		abort();
	(void)hf_uefi_indications_parse(copy, size, &ind, why, sizeof(why));
	user = pass = NULL;
	if (hf_ipmi_bootstrap_parse(copy, size, &user, &pass, why, sizeof(why)) == 0)
		check(user, pass);
	free(copy);
	return 0;
}

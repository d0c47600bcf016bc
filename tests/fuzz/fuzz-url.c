/* SPDX-License-Identifier: MIT */
/*
 * fuzz-url.c - URL parsing and Location resolution, with whatever a BMC puts in Location.
 * Input: "location\nbase_path\norigin" (missing parts are NULL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostfish-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *parts[3] = { NULL, NULL, NULL }, *p, *out = NULL;
	struct hf_url url = { 0 };
	int i;

	if (size > 65536)
		return 0;
	copy = hf_strndup((const char *)data, size);
	if (!copy)
		return 0;
	p = copy;
	for (i = 0; i < 3 && p; i++) {
		parts[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	if (hf_url_parse(parts[0], &url) == 0) {
		free(hf_url_origin(&url));
		hf_url_clear(&url);
	}
	if (hf_location_to_path(parts[0], parts[1], parts[2], &out) == 0) {
		/* whatever comes out must be a path the client would send */
		if (hf_path_check(out) < 0)
			abort();
		free(out);
	}
	(void)hf_path_same(parts[0], parts[1]);
	free(hf_mask_path(parts[0]));
	free(copy);
	return 0;
}

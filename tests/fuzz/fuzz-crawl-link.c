/* SPDX-License-Identifier: MIT */
/*
 * fuzz-crawl-link.c - the crawl's link classifier with whatever a BMC puts in @odata.id
 * (NULs included).  Input: the link's bytes.  A followed link must be a checked path below
 * the root: no dot segment, no empty segment, no encoded dot or slash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawl-private.h"
#include "hostfish-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char root[] = "/redfish/v1";
	const char *why = NULL;
	char *link, *ret = NULL;
	int r;

	if (size > 65536)
		return 0;
	link = malloc(size + 1);
	if (!link)
		return 0;
	memcpy(link, data, size);
	link[size] = '\0';
	r = hf_crawl_classify("https://bmc.example:443", root, sizeof(root) - 1, link, size, &ret,
			      &why);
	if (r == HF_CRAWL_FOLLOW) {
		if (!ret || hf_crawl_path_unsafe(ret) || hf_path_check(ret) < 0 ||
		    strncmp(ret, root, sizeof(root) - 1) != 0 || strstr(ret, "/../") ||
		    strstr(ret, "/./") || strstr(ret, "//") || strchr(ret, '\\') ||
		    strchr(ret, '#') || strchr(ret, '?'))
			abort();
		free(ret);
	} else if (r == HF_CRAWL_REFUSE && !why) {
		abort();
	}
	free(link);
	return 0;
}

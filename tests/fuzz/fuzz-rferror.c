/* SPDX-License-Identifier: MIT */
/*
 * fuzz-rferror.c - BMC answers as the client reads them: strict JSON validation, parsing,
 * Redfish error bodies of both dialects with registry completion, and log masking.
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct json_object *obj;
	hf_redfish_error *err;
	size_t i;

	if (size > (1 << 20))
		return 0;
	free(hf_mask_json_text(text, size));
	obj = hf_json_parse(text, size);
	err = hf_rferror_parse(obj);
	for (i = 0; i < hf_redfish_error_count(err); i++) {
		const hf_message *m = hf_redfish_error_info(err, i);

		if (m->message)
			(void)strlen(m->message);
	}
	(void)hf_redfish_error_class(err);
	hf_rferror_unref(err);
	json_object_put(obj);
	return 0;
}

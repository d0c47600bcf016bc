/* SPDX-License-Identifier: MIT */
/*
 * fuzz-logs.c - a log's entries as a BMC sends them, read since a cursor or a time
 * (lib/features/logs-cursor.c).  Input: the "since" text, a newline, then a LogEntry
 * collection (JSON).  Whatever the BMC sends, the cursor made from it must be accepted back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"
#include "logs-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *cursor_of(struct json_object *doc)
{
	struct json_object *v;

	if (!json_object_object_get_ex(doc, "cursor", &v))
		abort();
	return json_object_get_string(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct json_object *page, *members, *entries, *doc = NULL, *again = NULL;
	char *since;
	size_t i, n;

	if (!nl || size > 1 << 20)
		return 0;
	since = hf_strndup((const char *)data, (size_t)(nl - data));
	page = hf_json_parse((const char *)nl + 1, size - (size_t)(nl - data) - 1);
	entries = json_object_new_array();
	if (!since || !entries)
		goto out;
	if (json_object_object_get_ex(page, "Members", &members) &&
	    json_object_is_type(members, json_type_array)) {
		n = json_object_array_length(members);
		for (i = 0; i < n; i++) {
			struct json_object *e = hf_log_entry_normalise(
				json_object_array_get_idx(members, i), "IML", (int64_t)i + 1);

			if (e)
				json_object_array_add(entries, e);
		}
	}
	if (hf_log_select(entries, "IML", *since ? since : NULL, &doc) == 0) {
		if (hf_log_select(entries, "IML", cursor_of(doc), &again) != 0)
			abort(); /* a cursor of this log must be one */
	}
out:
	json_object_put(doc);
	json_object_put(again);
	json_object_put(entries);
	json_object_put(page);
	free(since);
	return 0;
}

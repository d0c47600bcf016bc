/* SPDX-License-Identifier: MIT */
/*
 * fuzz-sse.c - a BMC's server-sent event stream (lib/features/sse.c) and the Redfish Events
 * it carries made log entries (lib/features/events.c).  Input: one byte choosing the size of
 * the pieces the stream arrives in (how TCP and TLS happen to cut it), then the stream.
 * Whatever the BMC sends: the events and the retry are the same whatever the pieces, and the
 * last event id kept (sent back as Last-Event-ID) fits its bound and holds no CR or LF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events-private.h"
#include "hostfish-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each event (type, data, id) and the entries of its records, appended to a buffer. */
static int on_event(void *userdata, const char *type, const char *text, const char *id)
{
	struct hf_buf *seen = userdata;
	struct json_object *ev = hf_json_parse(text, strlen(text)), *recs;
	size_t i, n;

	if (hf_buf_printf(seen, "%s|%s|%s\n", type, text, id) < 0)
		abort();
	if (ev && json_object_object_get_ex(ev, "Events", &recs) &&
	    json_object_is_type(recs, json_type_array)) {
		n = json_object_array_length(recs);
		for (i = 0; i < n; i++) {
			struct json_object *e =
				hf_event_record_entry(json_object_array_get_idx(recs, i), id);

			if (!e)
				abort();
			if (hf_buf_appends(seen, json_object_to_json_string(e)) < 0)
				abort();
			json_object_put(e);
		}
	}
	json_object_put(ev);
	return 0;
}

/* The stream in pieces of step bytes (0: whole): its result; *seen its events. */
static int run(const char *s, size_t len, size_t step, struct hf_buf *seen, char *last_id)
{
	struct hf_sse p;
	size_t i;
	int r = 0;

	hf_sse_init(&p, NULL, on_event, seen);
	if (!step)
		r = hf_sse_feed(&p, s, len);
	for (i = 0; step && i < len && r == 0; i += step)
		r = hf_sse_feed(&p, s + i, len - i < step ? len - i : step);
	if (strlen(p.last_id) >= HF_SSE_ID_MAX || strpbrk(p.last_id, "\r\n"))
		abort();
	memcpy(last_id, p.last_id, HF_SSE_ID_MAX);
	if (hf_buf_printf(seen, "retry %ld\n", p.retry_ms) < 0)
		abort();
	hf_sse_free(&p);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_buf whole = { 0 }, pieces = { 0 };
	char id_whole[HF_SSE_ID_MAX], id_pieces[HF_SSE_ID_MAX];
	size_t step;
	int r1, r2;

	if (size < 1 || size > 1 << 16)
		return 0;
	step = (size_t)(data[0] % 17) + 1; /* 1 to 17 bytes */
	r1 = run((const char *)data + 1, size - 1, 0, &whole, id_whole);
	r2 = run((const char *)data + 1, size - 1, step, &pieces, id_pieces);
	if (r1 != r2 || whole.len != pieces.len ||
	    (whole.len && memcmp(whole.data, pieces.data, whole.len) != 0) ||
	    strcmp(id_whole, id_pieces) != 0)
		abort(); /* the pieces changed what the stream says */
	hf_buf_free(&whole);
	hf_buf_free(&pieces);
	return 0;
}

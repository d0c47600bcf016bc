/* SPDX-License-Identifier: MIT */
/*
 * test-sse.c - the text/event-stream parser (lib/features/sse.c) against the WHATWG rules:
 * every line ending (CRLF split between pieces too), comments, fields without a colon, one
 * space dropped after the colon, multi-line data, the last event ID committed only at a
 * blank line, an event cut short discarded at a new connection, retry, a BOM (in pieces too),
 * the bounds; a Redfish Event record made a log entry; the pause before opening it again.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "events-private.h"

struct seen {
	char log[4096]; /* "type|data|id;" per event */
	int n;
	int fail_at; /* return -ECANCELED at this event (1-based), 0: never */
};

static int on_event(void *userdata, const char *type, const char *data, const char *id)
{
	struct seen *s = userdata;
	size_t len = strlen(s->log);

	s->n++;
	snprintf(s->log + len, sizeof(s->log) - len, "%s|%s|%s;", type, data, id);
	return s->n == s->fail_at ? -ECANCELED : 0;
}

/* Feed text in pieces of size step (0: whole). */
static int feed(struct hf_sse *p, const char *text, size_t step)
{
	size_t len = strlen(text), i;
	int r;

	if (!step)
		return hf_sse_feed(p, text, len);
	for (i = 0; i < len; i += step) {
		r = hf_sse_feed(p, text + i, len - i < step ? len - i : step);
		if (r < 0)
			return r;
	}
	return 0;
}

static void test_fields(void **state)
{
	/* the BOM before a field: split between pieces, it must still be dropped */
	static const char stream[] = "\xef\xbb\xbfretry: 250\r\n"
				     ": a comment\r\n\r\n"
				     "id: 7\nevent: Event\ndata: {\"a\":\ndata:1}\n\n"
				     "data\rid:8\r\r"
				     "field-unknown: x\nid: 9\n\n";
	size_t steps[] = { 0, 1, 2, 3, 7 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		struct seen s = { 0 };
		struct hf_sse p;

		hf_sse_init(&p, NULL, on_event, &s);
		assert_int_equal(feed(&p, stream, steps[k]), 0);
		/* the CR-only line "data" is a field with an empty value: an empty data line */
		assert_string_equal(s.log, "Event|{\"a\":\n1}|7;message||8;");
		assert_int_equal(p.retry_ms, 250);
		assert_string_equal(p.last_id, "9"); /* set at the blank line, no event */
		hf_sse_free(&p);
	}
}

static void test_cut_and_resume(void **state)
{
	struct seen s = { 0 };
	struct hf_sse p;

	(void)state;
	hf_sse_init(&p, "3", on_event, &s);
	assert_string_equal(p.last_id, "3");
	assert_int_equal(feed(&p, "id: 4\ndata: four\n\nid: 5\ndata: fi", 0), 0);
	assert_string_equal(s.log, "message|four|4;");
	assert_string_equal(p.last_id, "4"); /* 5 was never dispatched */
	hf_sse_restart(&p); /* the connection broke */
	/* what the old connection did not finish is gone: "ve" is a field of its own */
	assert_int_equal(feed(&p, "ve\n\n", 0), 0);
	assert_string_equal(s.log, "message|four|4;");
	hf_sse_restart(&p);
	assert_int_equal(feed(&p, "id: 5\ndata: five\n\n", 0), 0);
	assert_string_equal(p.last_id, "5");
	hf_sse_free(&p);
}

static void test_bounds_and_stop(void **state)
{
	struct seen s = { .fail_at = 1 };
	struct hf_sse p;
	char *big;

	(void)state;
	hf_sse_init(&p, NULL, on_event, &s);
	assert_int_equal(feed(&p, "data: a\n\ndata: b\n\n", 0), -ECANCELED);
	assert_int_equal(s.n, 1);
	hf_sse_free(&p);

	hf_sse_init(&p, NULL, on_event, &s);
	big = malloc(HF_SSE_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', HF_SSE_LINE_MAX + 1);
	big[HF_SSE_LINE_MAX + 1] = '\0';
	assert_int_equal(hf_sse_feed(&p, big, HF_SSE_LINE_MAX + 1), -EFBIG);
	free(big);
	hf_sse_free(&p);

	/* an id with a NUL is ignored; one too long to send back is kept as none */
	hf_sse_init(&p, "1", on_event, &s);
	assert_int_equal(hf_sse_feed(&p, "id: 2\0x\n\n", 9), 0);
	assert_string_equal(p.last_id, "1");
	big = malloc(HF_SSE_ID_MAX + 8);
	assert_non_null(big);
	memcpy(big, "id: ", 4);
	memset(big + 4, '7', HF_SSE_ID_MAX);
	memcpy(big + 4 + HF_SSE_ID_MAX, "\n\n", 3);
	assert_int_equal(feed(&p, big, 0), 0);
	assert_string_equal(p.last_id, "");
	free(big);
	assert_int_equal(feed(&p, "retry: 1x\n\n", 0), 0);
	assert_int_equal(p.retry_ms, -1);
	hf_sse_free(&p);
}

static void test_record(void **state)
{
	struct json_object *rec = json_tokener_parse(
		"{\"EventId\":\"12\",\"EventTimestamp\":\"2026-12-07T06:00:00Z\",\"EventType\":"
		"\"Alert\",\"Message\":\"Fan 3 failed\",\"MessageId\":\"Base.1.0.X\",\"MessageArgs\":"
		"[\"3\"],\"MessageSeverity\":\"Critical\",\"OriginOfCondition\":{\"@odata.id\":"
		"\"/redfish/v1/Chassis/1/\"}}");
	struct json_object *e, *v;

	(void)state;
	assert_non_null(rec);
	e = hf_event_record_entry(rec, "40");
	assert_non_null(e);
	assert_string_equal(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"service\":\"EventService\",\"id\":\"12\",\"event_id\":\"40\","
			    "\"created\":\"2026-12-07T06:00:00Z\",\"severity\":\"Critical\","
			    "\"message\":\"Fan 3 failed\",\"message_id\":\"Base.1.0.X\","
			    "\"message_args\":[\"3\"],\"entry_type\":\"Alert\","
			    "\"origin\":\"/redfish/v1/Chassis/1/\"}");
	json_object_put(e);
	json_object_put(rec);
	rec = json_tokener_parse("{\"Severity\":\"OK\"}");
	e = hf_event_record_entry(rec, "41");
	assert_true(json_object_object_get_ex(e, "id", &v));
	assert_string_equal(json_object_get_string(v), "41");
	json_object_put(e);
	json_object_put(rec);
}

static void test_pause(void **state)
{
	(void)state;
	/* no "retry:": 1 s, doubled per attempt that brought nothing, bounded by 30 s */
	assert_int_equal(hf_events_pause_ms(-1, 0, -1), 1000);
	assert_int_equal(hf_events_pause_ms(-1, 1, -1), 2000);
	assert_int_equal(hf_events_pause_ms(-1, 4, -1), 16000);
	assert_int_equal(hf_events_pause_ms(-1, 5, -1), 30000);
	assert_int_equal(hf_events_pause_ms(-1, 4000000000u, -1), 30000);
	/* the stream's retry, at least 100 ms */
	assert_int_equal(hf_events_pause_ms(200, 0, -1), 200);
	assert_int_equal(hf_events_pause_ms(200, 2, -1), 800);
	assert_int_equal(hf_events_pause_ms(0, 0, -1), 100);
	assert_int_equal(hf_events_pause_ms(999999999, 0, -1), 30000);
	/* a 503's Retry-After when longer, within the bound */
	assert_int_equal(hf_events_pause_ms(200, 0, 5000), 5000);
	assert_int_equal(hf_events_pause_ms(200, 3, 1000), 1600);
	assert_int_equal(hf_events_pause_ms(-1, 0, 3600000), 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_cut_and_resume),
		cmocka_unit_test(test_bounds_and_stop),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_pause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

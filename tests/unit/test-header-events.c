/* SPDX-License-Identifier: MIT */
/*
 * test-header-events.c - include/hostfish-events.h compiles alone as C89 (-std=c89 -pedantic
 * -Werror) and declares what it should.  Prints TAP.
 */
#include <hostfish-events.h>

#include <stdio.h>

static int on_event(void *userdata, struct json_object *entry)
{
	(void)userdata;
	(void)entry;
	return 0;
}

int main(void)
{
	int (*uri)(hf_client *, char **) = hf_events_sse_uri;
	int (*follow)(hf_client *, const char *, const char *, hf_event_fn, void *) =
		hf_events_follow;
	hf_event_fn fn = on_event;
	int ok = uri != NULL && follow != NULL && fn != NULL;

	printf("1..1\n%s 1 - hostfish-events.h is self-contained C89\n", ok ? "ok" : "not ok");
	return ok ? 0 : 1;
}

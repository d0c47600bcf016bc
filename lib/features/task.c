/* SPDX-License-Identifier: MIT */
/*
 * task.c - following a long operation the BMC accepted with 202: its task monitor (Location)
 * or its Task resource, polled until a final state, honouring Retry-After, bounded in time.
 *
 * DSP0266 ("Asynchronous operations"): a GET of the task monitor answers 202 (with
 * Retry-After, often the Task as body) while the task runs, and the operation's final response
 * once it is done.  A Task resource answers 200 with TaskState.  iLO answers some operations
 * with the Task's URI in Location: both are followed the same way here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"
#include "task-private.h"

/* TaskState values (DSP0268 Task) after which nothing changes any more */
static const char *const final_states[] = { "Completed", "Exception", "Killed", "Cancelled" };

static bool is_final_state(const char *s)
{
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(final_states); i++)
		if (strcmp(s, final_states[i]) == 0)
			return true;
	return false;
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static struct json_object *json_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

const char *hf_update_state_of(struct json_object *update_service)
{
	return json_str(json_obj(json_obj(update_service, "Oem"), "Hpe"), "State");
}

_hf_public_ const char *hf_task_state(const hf_response *resp)
{
	struct json_object *j;
	const char *s;
	int status;

	if (!resp)
		return "Exception";
	j = hf_response_json(resp);
	status = hf_response_status(resp);
	s = json_str(j, "TaskState");
	if (s)
		return s;
	s = hf_update_state_of(j); /* iLO's UpdateService: Oem.Hpe.State */
	if (s && status >= 200 && status < 300) {
		if (strcmp(s, "Complete") == 0)
			return "Completed";
		if (strcmp(s, "Error") == 0)
			return "Exception";
		if (strcmp(s, "Idle") == 0)
			return "Completed"; /* nothing (left) in progress */
		return s;
	}
	return status >= 200 && status < 300 ? "Completed" : "Exception";
}

/* PercentComplete of a task body, -1 when absent */
static double percent_of(struct json_object *j)
{
	struct json_object *v;

	if (j && json_object_is_type(j, json_type_object) &&
	    json_object_object_get_ex(j, "PercentComplete", &v) &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return json_object_get_double(v);
	return -1;
}

long hf_task_timeout_ms(long timeout_ms)
{
	if (timeout_ms <= 0)
		return HF_TASK_DEFAULT_TIMEOUT_MS;
	return timeout_ms > HF_TASK_MAX_TIMEOUT_MS ? HF_TASK_MAX_TIMEOUT_MS : timeout_ms;
}

/* first_wait_ms: the Retry-After of the 202 that announced the task (-1: none) */
static int task_wait(hf_client *c, const char *uri, long timeout_ms, long first_wait_ms,
		     hf_progress_fn progress, void *userdata, hf_response **final)
{
	_cleanup_free_ char *target = NULL;
	hf_response *resp = NULL;
	const char *last = "unknown";
	char last_buf[64] = "";
	int64_t deadline;
	unsigned polls = 0;
	int interrupts_seen, r;

	if (!c || !uri || !final)
		return -EINVAL;
	HF_OPERATION(c);
	interrupts_seen = hf_op_interrupts(c); /* the operation's, when inside one */
	deadline = hf_now_ms() + hf_task_timeout_ms(timeout_ms);
	if (first_wait_ms > 0) {
		if (first_wait_ms > hf_task_timeout_ms(timeout_ms))
			first_wait_ms = hf_task_timeout_ms(timeout_ms);
		r = hf_sleep_interruptible(c, first_wait_ms, interrupts_seen);
		if (r < 0) {
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "waiting for task %s: interrupted", uri);
			return r;
		}
	}
	target = strdup(uri);
	if (!target)
		return -ENOMEM;
	/* bounded by the deadline: every round sleeps at least HF_TASK_MIN_POLL_MS */
	for (;;) {
		struct json_object *j;
		const char *state;
		long wait_ms;
		double pct;
		int64_t now;

		r = hf_get(c, target, &resp);
		if (r < 0)
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
			return r;
		polls++;
		j = hf_response_json(resp);
		state = json_str(j, "TaskState");
		if (hf_response_status(resp) != 202 && (!state || is_final_state(state) ||
							 hf_response_status(resp) >= 300)) {
			hf_log_debug(&c->log, "task %s: final answer %d (%s) after %u polls", uri,
				     hf_response_status(resp), hf_task_state(resp), polls);
			*final = resp;
			return 0;
		}
		if (state) {
			snprintf(last_buf, sizeof(last_buf), "%s", state);
			last = last_buf;
		} else {
			last = "running";
		}
		pct = percent_of(j);
		if (progress && progress(userdata, "task", pct < 0 ? 0 : pct, pct < 0 ? 0 : 100)) {
			hf_response_free(resp);
			hf_client_set_error(c, -ECANCELED, HF_ERROR_USAGE, 0, NULL,
					    "waiting for task %s: cancelled", uri);
			return -ECANCELED;
		}
		wait_ms = hf_retry_after_ms(hf_response_header(resp, "Retry-After"),
					    HF_TASK_MAX_POLL_MS);
		if (wait_ms < 0)
			wait_ms = HF_TASK_POLL_MS;
		if (wait_ms < HF_TASK_MIN_POLL_MS)
			wait_ms = HF_TASK_MIN_POLL_MS;
		hf_response_free(resp);
		resp = NULL;
		now = hf_now_ms();
		if (now >= deadline) {
			hf_client_set_error(c, -ETIMEDOUT, HF_ERROR_TIMEOUT, 0, NULL,
					    "task %s still %s after %lld s (%u polls)", uri, last,
					    (long long)hf_task_timeout_ms(timeout_ms) / 1000, polls);
			return -ETIMEDOUT;
		}
		if (now + wait_ms > deadline)
			wait_ms = (long)(deadline - now);
		r = hf_sleep_interruptible(c, wait_ms, interrupts_seen);
		if (r < 0) {
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "waiting for task %s: interrupted", uri);
			return r;
		}
	}
}

_hf_public_ int hf_task_wait(hf_client *c, const char *uri, long timeout_ms,
			     hf_progress_fn progress, void *userdata, hf_response **final)
{
	return task_wait(c, uri, timeout_ms, -1, progress, userdata, final);
}

_hf_public_ int hf_task_wait_response(hf_client *c, const hf_response *accepted, long timeout_ms,
				      hf_progress_fn progress, void *userdata,
				      hf_response **final)
{
	_cleanup_free_ char *path = NULL;
	const char *loc;

	if (!c || !accepted || !final)
		return -EINVAL;
	loc = hf_response_header(accepted, "Location");
	if (hf_response_status(accepted) != 202 || !loc || !*loc) {
		hf_client_begin(c);
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, hf_response_status(accepted), NULL,
				    "%s %s answered %d%s: there is no task to follow",
				    hf_response_method(accepted), hf_response_path(accepted),
				    hf_response_status(accepted),
				    hf_response_status(accepted) == 202 ? " without Location" : "");
		return -EINVAL;
	}
	/* absolute, a path, or relative to the request (resolved as RFC 3986 says) */
	if (hf_location_to_path(loc, hf_response_path(accepted), c->origin, &path) < 0) {
		hf_client_begin(c);
		hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, 202, NULL,
				    "the task monitor's Location is not on this BMC");
		return -EPROTO;
	}
	/* the 202's Retry-After says when the first look is worth it */
	return task_wait(c, path, timeout_ms,
			 hf_retry_after_ms(hf_response_header(accepted, "Retry-After"),
					   HF_TASK_MAX_POLL_MS),
			 progress, userdata, final);
}

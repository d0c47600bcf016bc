/* SPDX-License-Identifier: MIT */
/*
 * apply.c - desired state, idempotently: GET each resource, compare, PATCH only what differs.
 *
 * For each "path": {properties} of the desired state, in the order given:
 *   1. GET the resource; its ETag is the ETag header, else its "@odata.etag".
 *   2. Compare (objects member by member, recursively; arrays and scalars as wholes, numbers
 *      by value).  A desired property the resource does not have fails the resource before
 *      anything is sent: the BMC would refuse the whole PATCH (PropertyUnknown), and a
 *      misspelt name should not half-apply a configuration.
 *   3. A resource with "@Redfish.Settings" (iLO's Bios, network settings...) is changed
 *      through its SettingsObject: that object is read too and PATCHed with what differs from
 *      it.  The values take effect later (at the next reset): they are reported as pending,
 *      and not PATCHed again while the settings object already holds them.
 *   3b. Check the changed values (attrreg.c, attrcheck.c): @Redfish.AllowableValues, and the
 *      AttributeRegistry of a resource that names one.  A violation fails the resource before
 *      its PATCH.
 *   4. PATCH the minimal nested body with If-Match: ETag (none when the BMC gave no ETag).
 *      412 Precondition Failed: the resource changed meanwhile; read it again and retry once.
 *   5. Read the resource again: what still differs (a BMC may answer 200 and apply on reset)
 *      is reported as pending.
 * A failing resource is reported and the others still run.
 *
 * Values of secret properties (hf_mask_is_secret_key(): Password...) are reported as "****".
 *
 * Requests per resource: 1 GET when nothing differs; +1 GET of the settings object; +1 PATCH
 * and +1 GET to verify; a 412 adds one GET (+1 settings GET) and one PATCH, once.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "attrreg-private.h"
#include "client-private.h"

#define MAX_RESOURCES 256
#define MAX_DEPTH 32

/* ---- comparing ---- */

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* NOLINTNEXTLINE(misc-no-recursion): json-c bounds the depth of what it parses (32) */
bool hf_json_same(struct json_object *a, struct json_object *b)
{
	size_t i, n;

	if (!a || !b)
		return !a && !b; /* JSON null is NULL in json-c */
	if (is_number(a) && is_number(b)) {
		/* 1 and 1.0 are the same value; two integers compare exactly */
		if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int))
			return json_object_get_int64(a) == json_object_get_int64(b) &&
			       json_object_get_uint64(a) == json_object_get_uint64(b);
		return json_object_get_double(a) == json_object_get_double(b);
	}
	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	switch (json_object_get_type(a)) {
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		return json_object_get_string_len(a) == json_object_get_string_len(b) &&
		       memcmp(json_object_get_string(a), json_object_get_string(b),
			      (size_t)json_object_get_string_len(a)) == 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!hf_json_same(json_object_array_get_idx(a, i),
					  json_object_array_get_idx(b, i)))
				return false;
		return true;
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, va)
		{
			struct json_object *vb;

			if (!json_object_object_get_ex(b, key, &vb) || !hf_json_same(va, vb))
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}

/* Append a JSON Pointer (RFC 6901) token: "~" -> "~0", "/" -> "~1". */
static int pointer_push(struct hf_buf *p, const char *key)
{
	if (hf_buf_append(p, "/", 1) < 0)
		return -ENOMEM;
	for (; *key; key++) {
		int r = *key == '~'   ? hf_buf_append(p, "~0", 2)
			: *key == '/' ? hf_buf_append(p, "~1", 2)
				      : hf_buf_append(p, key, 1);

		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Secrets (a Password, a key...) are reported as "****", never as their values. */
static struct json_object *shown(struct json_object *v, bool secret)
{
	return secret && v ? json_object_new_string("****") : json_object_get(v);
}

static int add_change(struct json_object *changes, const char *pointer, struct json_object *old,
		      struct json_object *new, bool secret)
{
	struct json_object *c = json_object_new_object();

	if (!c || json_object_array_add(changes, c) < 0) {
		json_object_put(c);
		return -ENOMEM;
	}
	if (json_object_object_add(c, "property", json_object_new_string(pointer)) < 0 ||
	    json_object_object_add(c, "old", shown(old, secret)) < 0 ||
	    json_object_object_add(c, "new", shown(new, secret)) < 0)
		return -ENOMEM;
	return 0;
}

/* NOLINTNEXTLINE(misc-no-recursion): as deep as the desired state, checked to be at most 32 */
static int diff(struct json_object *cur, struct json_object *des, struct hf_buf *ptr,
		bool secret, struct json_object **patch, struct json_object *changes, char **unknown)
{
	struct json_object *out = NULL;
	size_t mark = ptr->len;
	int r = 0;

	json_object_object_foreach(des, key, dv)
	{
		struct json_object *cv = NULL;
		bool sec = secret || hf_mask_is_secret_key(key);

		ptr->len = mark;
		ptr->data[mark] = '\0';
		if (pointer_push(ptr, key) < 0)
			goto nomem;
		if (!json_object_object_get_ex(cur, key, &cv)) {
			if (unknown) {
				*unknown = hf_strdup(ptr->data);
				r = *unknown ? -ENOENT : -ENOMEM;
				goto fail;
			}
			/* not compared against: a settings object lists only what is pending */
			cv = NULL;
		}
		if (json_object_is_type(dv, json_type_object) &&
		    json_object_is_type(cv, json_type_object)) {
			struct json_object *sub = NULL;

			r = diff(cv, dv, ptr, sec, &sub, changes, unknown);
			if (r < 0)
				goto fail;
			if (!sub)
				continue;
			if (!out && !(out = json_object_new_object())) {
				json_object_put(sub);
				goto nomem;
			}
			if (json_object_object_add(out, key, sub) < 0)
				goto nomem;
			continue;
		}
		if (hf_json_same(cv, dv))
			continue;
		if (!out && !(out = json_object_new_object()))
			goto nomem;
		if (json_object_object_add(out, key, json_object_get(dv)) < 0)
			goto nomem;
		if (changes && add_change(changes, ptr->data, cv, dv, sec) < 0)
			goto nomem;
	}
	ptr->len = mark;
	ptr->data[mark] = '\0';
	*patch = out;
	return 0;
nomem:
	r = -ENOMEM;
fail:
	json_object_put(out);
	return r;
}

int hf_apply_diff(struct json_object *current, struct json_object *desired,
		  struct json_object **patch, struct json_object *changes, char **unknown)
{
	struct hf_buf ptr = { 0 };
	int r;

	*patch = NULL;
	if (!json_object_is_type(desired, json_type_object))
		return -EINVAL;
	if (hf_buf_append(&ptr, "", 0) < 0)
		return -ENOMEM;
	r = diff(current, desired, &ptr, false, patch, changes, unknown);
	hf_buf_free(&ptr);
	return r;
}

/* ---- validating the desired state ---- */

/* NOLINTNEXTLINE(misc-no-recursion): bounded by its depth argument */
static int check_value(struct json_object *v, int depth, char *why, size_t len)
{
	size_t i, n;

	if (depth > MAX_DEPTH) {
		snprintf(why, len, "nested deeper than %d levels", MAX_DEPTH);
		return -EINVAL;
	}
	if (json_object_is_type(v, json_type_double) && !isfinite(json_object_get_double(v))) {
		snprintf(why, len, "a number that is not finite");
		return -EINVAL;
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (check_value(json_object_array_get_idx(v, i), depth + 1, why, len) < 0)
				return -EINVAL;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, sub)
		{
			if (strncmp(key, "@odata.", 7) == 0) {
				snprintf(why, len, "\"%.64s\" cannot be set (an @odata annotation)",
					 key);
				return -EINVAL;
			}
			if (check_value(sub, depth + 1, why, len) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

int hf_apply_validate(struct json_object *desired, char *why, size_t len)
{
	size_t count = 0;

	if (!json_object_is_type(desired, json_type_object)) {
		snprintf(why, len, "the desired state must be a JSON object of resource paths");
		return -EINVAL;
	}
	json_object_object_foreach(desired, path, props)
	{
		if (++count > MAX_RESOURCES) {
			snprintf(why, len, "more than %d resources", MAX_RESOURCES);
			return -EINVAL;
		}
		if (!hf_startswith(path, "/redfish/v1/") || hf_path_check(path) < 0 ||
		    strpbrk(path, "?#\\") || strstr(path, "..") || strcasestr(path, "%2e") ||
		    strlen(path) > 1024) {
			snprintf(why, len,
				 "\"%.128s\": a resource path must start with /redfish/v1/, without "
				 "a query, '..', CR or LF",
				 path);
			hf_one_line(why);
			return -EINVAL;
		}
		if (!json_object_is_type(props, json_type_object)) {
			snprintf(why, len, "%.128s: the properties must be a JSON object", path);
			return -EINVAL;
		}
		if (check_value(props, 1, why, len) < 0) {
			char tail[256];

			snprintf(tail, sizeof(tail), "%s", why);
			snprintf(why, len, "%.128s: %s", path, tail);
			return -EINVAL;
		}
		/* "/redfish/v1/Systems/1" and ".../1/" name one resource */
		json_object_object_foreach(desired, other, unused)
		{
			(void)unused;
			if (other == path)
				break;
			if (hf_path_same(other, path)) {
				snprintf(why, len, "%.128s is given twice", path);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ---- applying ---- */

struct state {
	struct json_object *json; /* the resource, a reference */
	char *etag;
};

static void state_clear(struct state *s)
{
	json_object_put(s->json);
	free(s->etag);
	memset(s, 0, sizeof(*s));
}

struct run {
	hf_client *c;
	unsigned flags;
	struct json_object *entry; /* this resource's report */
	/* the first failure, for hf_client_last_error() */
	int fail_code, fail_kind, fail_status;
	char fail_msg[512];
	hf_redfish_error *fail_rf;
};

static int set(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static struct json_object *messages_of(const hf_redfish_error *rf)
{
	struct json_object *arr = json_object_new_array();
	size_t i, n = hf_redfish_error_count(rf);

	for (i = 0; arr && i < n; i++) {
		const hf_message *m = hf_redfish_error_info(rf, i);
		struct json_object *o = json_object_new_object();

		if (!o || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
		if ((m->message_id &&
		     set(o, "MessageId", json_object_new_string(m->message_id)) < 0) ||
		    (m->message && set(o, "Message", json_object_new_string(m->message)) < 0) ||
		    (m->severity && set(o, "Severity", json_object_new_string(m->severity)) < 0) ||
		    (m->resolution &&
		     set(o, "Resolution", json_object_new_string(m->resolution)) < 0)) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/*
 * Record the resource as failed: status "failed", "error": {"kind", "http_status",
 * "message", "messages"?}.  resp (may be NULL) is the BMC's answer; code the errno.
 */
static int fail(struct run *run, int code, int kind, hf_response *resp, const char *fmt, ...)
	_hf_printf_(5, 6);

static int fail(struct run *run, int code, int kind, hf_response *resp, const char *fmt, ...)
{
	struct json_object *err = json_object_new_object();
	const hf_redfish_error *rf = NULL;
	char msg[512];
	int status = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hf_one_line(msg);
	if (resp) {
		status = hf_response_status(resp);
		hf_client_resolve_messages(run->c, resp);
		rf = hf_response_redfish_error(resp);
	}
	if (!err || set(run->entry, "status", json_object_new_string("failed")) < 0 ||
	    set(run->entry, "error", err) < 0)
		return -ENOMEM;
	if (set(err, "kind", json_object_new_int(kind)) < 0 ||
	    set(err, "http_status", json_object_new_int(status)) < 0 ||
	    set(err, "message", json_object_new_string(msg)) < 0 ||
	    (rf && set(err, "messages", messages_of(rf)) < 0))
		return -ENOMEM;
	if (!run->fail_code) {
		run->fail_code = code;
		run->fail_kind = kind;
		run->fail_status = status;
		snprintf(run->fail_msg, sizeof(run->fail_msg), "%s", msg);
		run->fail_rf = hf_rferror_ref((hf_redfish_error *)rf);
	}
	return 0;
}

static int kind_of_status(int status)
{
	return status == 401 ? HF_ERROR_AUTH : status >= 500 ? HF_ERROR_HTTP_SERVER
							     : HF_ERROR_HTTP_CLIENT;
}

/* A failed call: its errno and the client's error record. */
static int fail_call(struct run *run, int r, const char *what, const char *path)
{
	const hf_error *e = hf_client_last_error(run->c);

	return fail(run, r, e->kind != HF_ERROR_NONE ? e->kind : hf_errno_kind(r), NULL,
		    "%s %s: %s", what, path, e->message[0] ? e->message : strerror(-r));
}

/* GET path into *s.  1 when read, 0 when the resource was reported as failed, -ENOMEM. */
static int read_resource(struct run *run, const char *path, struct state *s)
{
	hf_response *resp = NULL;
	const char *etag;
	int r;

	state_clear(s);
	r = hf_request(run->c, "GET", path, NULL, NULL, 0, &resp);
	if (r < 0)
		return fail_call(run, r, "GET", path);
	if (hf_response_status(resp) != 200 ||
	    !json_object_is_type(hf_response_json(resp), json_type_object)) {
		r = hf_response_status(resp) == 200
			    ? fail(run, -EPROTO, HF_ERROR_PROTOCOL, resp,
				   "GET %s: the answer is not a JSON object", path)
			    : fail(run, -EIO, kind_of_status(hf_response_status(resp)), resp,
				   "GET %s: %d %s", path, hf_response_status(resp),
				   hf_response_reason(resp));
		hf_response_free(resp);
		return r < 0 ? r : 0;
	}
	s->json = json_object_get(hf_response_json(resp));
	etag = hf_response_header(resp, "ETag");
	if (!etag) {
		struct json_object *v;

		if (json_object_object_get_ex(s->json, "@odata.etag", &v) &&
		    json_object_is_type(v, json_type_string))
			etag = json_object_get_string(v);
	}
	/* a value that could not go into a header is as good as none */
	if (etag && *etag && !hf_has_crlf(etag, strlen(etag)) && strlen(etag) < 512) {
		s->etag = strdup(etag);
		if (!s->etag) {
			hf_response_free(resp);
			return -ENOMEM;
		}
	}
	hf_response_free(resp);
	return 1;
}

/* The settings object's path of a resource with @Redfish.Settings, or NULL. */
static char *settings_path(hf_client *c, struct json_object *res, const char *path)
{
	struct json_object *s, *o, *id;
	char *p = NULL;

	if (!json_object_object_get_ex(res, "@Redfish.Settings", &s) ||
	    !json_object_object_get_ex(s, "SettingsObject", &o) ||
	    !json_object_object_get_ex(o, "@odata.id", &id) ||
	    !json_object_is_type(id, json_type_string))
		return NULL;
	if (hf_location_to_path(json_object_get_string(id), path, c->origin, &p) < 0)
		return NULL;
	if (hf_path_check(p) < 0 || hf_path_same(p, path)) {
		free(p);
		return NULL;
	}
	return p;
}

/* The JSON Pointers of what still differs from desired, as a new array (never NULL on
 * success). */
static struct json_object *still_different(struct json_object *res, struct json_object *desired)
{
	struct json_object *changes = json_object_new_array(), *patch = NULL, *out;
	size_t i, n;

	if (!changes)
		return NULL;
	if (hf_apply_diff(res, desired, &patch, changes, NULL) < 0) {
		json_object_put(changes);
		return NULL;
	}
	json_object_put(patch);
	out = json_object_new_array();
	n = json_object_array_length(changes);
	for (i = 0; out && i < n; i++) {
		struct json_object *p;

		json_object_object_get_ex(json_object_array_get_idx(changes, i), "property", &p);
		if (json_object_array_add(out, json_object_get(p)) < 0) {
			json_object_put(out);
			out = NULL;
		}
	}
	json_object_put(changes);
	return out;
}

#define PATCH_AGAIN 2
/*
 * Send the PATCH of one resource to pt, with If-Match: etag when there is one.  1: applied (the
 * BMC's messages recorded in the entry); PATCH_AGAIN: the resource changed meanwhile (412) and
 * not retried yet: read it and decide again; 0: failed, as the entry says; or a negative errno.
 */
static int send_patch(struct run *run, const char *pt, const char *etag, struct json_object *patch,
		      bool retried)
{
	const char *headers[2] = { NULL, NULL };
	struct hf_buf h = { 0 };
	hf_response *resp = NULL;
	int r, status;

	if (etag) {
		if (hf_buf_printf(&h, "If-Match: %s", etag) < 0)
			return -ENOMEM;
		headers[0] = h.data;
	}
	r = hf_request_json(run->c, "PATCH", pt, headers, patch, &resp);
	hf_buf_free(&h);
	if (r < 0) {
		bool unsent = hf_client_last_unsent(run->c);

		r = fail_call(run, r, "PATCH", pt);
		/* sent, and no answer: the BMC may have applied it */
		if (r == 0 && !unsent &&
		    set(run->entry, "status", json_object_new_string("unknown")) < 0)
			return -ENOMEM;
		return r;
	}
	status = hf_response_status(resp);
	if (status == 412 && !retried) {
		/* changed since we read it: read it again and decide again, once */
		hf_log_info(&run->c->log, "apply: %s changed meanwhile (412): reading it again", pt);
		hf_response_free(resp);
		return set(run->entry, "retried", json_object_new_boolean(1)) < 0 ? -ENOMEM
										    : PATCH_AGAIN;
	}
	if (status < 200 || status > 299) {
		r = fail(run, -EIO, kind_of_status(status), resp, "PATCH %s: %d %s", pt, status,
			 hf_response_reason(resp));
		hf_response_free(resp);
		return r;
	}
	r = 1;
	/* the BMC's messages on success (e.g. SystemResetRequired) say when it applies */
	if (hf_response_redfish_error(resp)) {
		hf_client_resolve_messages(run->c, resp);
		if (set(run->entry, "messages", messages_of(hf_response_redfish_error(resp))) < 0)
			r = -ENOMEM;
	}
	hf_response_free(resp);
	return r;
}

/* After a PATCH the BMC took: status "changed", and what the resource (res) still shows
 * differently from desired as "pending".  0 or -ENOMEM. */
static int record_changed(struct run *run, struct json_object *res, struct json_object *desired)
{
	struct json_object *pending = still_different(res, desired);

	if (!pending)
		return -ENOMEM;
	if (json_object_array_length(pending)) {
		if (set(run->entry, "pending", pending) < 0)
			return -ENOMEM;
	} else {
		json_object_put(pending);
	}
	return set(run->entry, "status", json_object_new_string("changed"));
}

/*
 * The checks before anything is sent: @Redfish.AllowableValues and the attribute registry
 * (hf_apply_check()).  Violations fail the resource, all listed in its "violations".
 * 1 when it may go on, 0 when it was reported as failed, -ENOMEM.
 */
static int check_values(struct run *run, struct json_object *cur, struct json_object *pending,
			struct json_object *desired)
{
	struct json_object *violations = json_object_new_array(), *first;
	int r, n;

	if (!violations)
		return -ENOMEM;
	n = hf_apply_check(run->c, cur, pending, desired, violations);
	if (n <= 0) {
		json_object_put(violations);
		return n < 0 ? n : 1;
	}
	first = json_object_array_get_idx(violations, 0);
	if (set(run->entry, "violations", violations) < 0)
		return -ENOMEM;
	r = fail(run, -EINVAL, HF_ERROR_USAGE, NULL, "%s: %s%s; nothing was sent",
		 json_object_get_string(json_object_object_get(first, "property")),
		 json_object_get_string(json_object_object_get(first, "allowed")),
		 n > 1 ? " (and more: see violations)" : "");
	return r < 0 ? r : 0;
}

/* One resource.  Returns HF_APPLY_* bits for it, or -ENOMEM. */
static int apply_one(struct run *run, const char *path, struct json_object *desired)
{
	struct state cur = { 0 }, set_state = { 0 };
	struct json_object *changes = NULL, *patch = NULL, *body;
	_cleanup_free_ char *unknown = NULL, *target = NULL;
	bool retried = false;
	int r, result = 0;

again:
	json_object_put(changes);
	json_object_put(patch);
	patch = NULL;
	changes = json_object_new_array();
	if (!changes)
		goto nomem;
	r = read_resource(run, path, &cur);
	if (r <= 0)
		goto done_r;
	r = hf_apply_diff(cur.json, desired, &body, changes, &unknown);
	if (r == -ENOENT) {
		r = fail(run, -ENOENT, HF_ERROR_HTTP_CLIENT, NULL,
			 "the resource has no property %s: it was not changed", unknown);
		goto done_r;
	}
	if (r < 0)
		goto out;
	free(target);
	target = settings_path(run->c, cur.json, path);
	if (target) {
		json_object_put(body);
		body = NULL;
		r = read_resource(run, target, &set_state);
		if (r <= 0)
			goto done_r;
		/* unknown properties are judged by the resource itself, above */
		r = hf_apply_diff(set_state.json, desired, &body, NULL, NULL);
		if (r < 0)
			goto out;
		if (set(run->entry, "target", json_object_new_string(target)) < 0)
			goto nomem;
	}
	r = check_values(run, cur.json, target ? set_state.json : NULL, desired);
	if (r <= 0) {
		json_object_put(body);
		goto done_r;
	}
	patch = body;
	if (set(run->entry, "changes", json_object_get(changes)) < 0)
		goto nomem;
	if (!patch) {
		struct json_object *pending;

		if (json_object_array_length(changes) == 0) {
			r = set(run->entry, "status", json_object_new_string("unchanged"));
			goto done_r;
		}
		/* the settings object already holds every value: it applies at the next reset */
		pending = still_different(cur.json, desired);
		if (!pending || set(run->entry, "pending", pending) < 0 ||
		    set(run->entry, "status", json_object_new_string("pending")) < 0)
			goto nomem;
		goto out;
	}
	if (run->flags & HF_APPLY_DRY_RUN) {
		const char *text = json_object_to_json_string_ext(patch, JSON_C_TO_STRING_PLAIN);
		_cleanup_free_ char *masked = text ? hf_mask_json_text(text, strlen(text)) : NULL;

		/* the body that would be sent, its secrets masked */
		if (!masked || set(run->entry, "status", json_object_new_string("would_change")) < 0 ||
		    set(run->entry, "patch", hf_json_parse(masked, strlen(masked))) < 0)
			goto nomem;
		result = HF_APPLY_CHANGED;
		goto out;
	}
	r = send_patch(run, target ? target : path, target ? set_state.etag : cur.etag, patch,
		       retried);
	if (r == PATCH_AGAIN) {
		retried = true;
		goto again;
	}
	if (r <= 0)
		goto done_r;
	result = HF_APPLY_CHANGED;
	/* did it take?  What the resource still shows differently is pending */
	r = read_resource(run, path, &cur);
	if (r <= 0) {
		result |= r == 0 ? HF_APPLY_FAILED : 0;
		goto done_r;
	}
	if (record_changed(run, cur.json, desired) < 0)
		goto nomem;
	goto out;
done_r:
	if (r < 0)
		goto out;
	if (json_object_object_get_ex(run->entry, "error", NULL))
		result |= HF_APPLY_FAILED;
	r = 0;
out:
	json_object_put(changes);
	json_object_put(patch);
	state_clear(&cur);
	state_clear(&set_state);
	return r < 0 ? r : result;
nomem:
	r = -ENOMEM;
	goto out;
}

_hf_public_ int hf_apply(hf_client *c, struct json_object *desired, unsigned flags,
			 struct json_object **ret)
{
	struct json_object *report = NULL, *list;
	struct run run = { 0 };
	char why[512];
	int r, result = 0;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	if (flags & ~HF_APPLY_DRY_RUN) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "apply: unknown flags");
		return -EINVAL;
	}
	if (hf_apply_validate(desired, why, sizeof(why)) < 0) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid desired state: %s; nothing was sent", why);
		return -EINVAL;
	}
	run.c = c;
	run.flags = flags;
	report = json_object_new_object();
	list = json_object_new_array();
	if (!report || set(report, "resources", list) < 0)
		goto nomem;
	json_object_object_foreach(desired, path, props)
	{
		run.entry = json_object_new_object();
		if (!run.entry || json_object_array_add(list, run.entry) < 0) {
			json_object_put(run.entry);
			goto nomem;
		}
		if (set(run.entry, "path", json_object_new_string(path)) < 0)
			goto nomem;
		r = apply_one(&run, path, props);
		if (r < 0)
			goto nomem;
		result |= r;
	}
	if (set(report, "dry_run", json_object_new_boolean(!!(flags & HF_APPLY_DRY_RUN))) < 0 ||
	    set(report, "changed", json_object_new_boolean(!!(result & HF_APPLY_CHANGED))) < 0 ||
	    set(report, "failed", json_object_new_boolean(!!(result & HF_APPLY_FAILED))) < 0)
		goto nomem;
	/* the first failure stays readable, as after any failed call */
	hf_client_clear_error(c);
	if (run.fail_code)
		hf_client_set_error(c, run.fail_code, run.fail_kind, run.fail_status, run.fail_rf,
				    "%s", run.fail_msg);
	hf_rferror_unref(run.fail_rf);
	*ret = report;
	return result;
nomem:
	hf_rferror_unref(run.fail_rf);
	json_object_put(report);
	hf_client_set_error(c, -ENOMEM, HF_ERROR_RESOURCE, 0, NULL, "apply: out of memory");
	return -ENOMEM;
}

/* SPDX-License-Identifier: MIT */
/*
 * results.c - after a reboot, which pending values a BIOS (or any settings provider) applied
 * and which it refused: each desired value compared with the resource, and the resource's
 * @Redfish.Settings "Messages" (DSP0268 Settings: "messages associated with the settings",
 * each with RelatedProperties, JSON Pointers "#/Attributes/NAME") and a "SettingsResult"
 * object's Messages where a service gives one.
 *
 * A desired value is
 *   applied      the resource has it;
 *   refused      it does not, and a message other than Success names it (RelatedProperties,
 *                else MessageArgs holding its name);
 *   pending      it does not, the settings object still holds it (no reboot yet);
 *   not_applied  none of these: the resource shows another value and no message says why.
 * Requests: per resource one GET, plus one GET of its settings object when it has one.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"

#define MAX_DEPTH 32

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static int add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int push(struct json_object *arr, struct json_object *v)
{
	if (!v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* GET path: its JSON object (new reference), else NULL with the error set and *r. */
static struct json_object *fetch(hf_client *c, const char *path, int *r)
{
	hf_response *resp = NULL;
	struct json_object *json = NULL;

	*r = hf_request(c, "GET", path, NULL, NULL, 0, &resp);
	if (*r < 0)
		return NULL;
	if (hf_response_status(resp) == 200 &&
	    json_object_is_type(hf_response_json(resp), json_type_object)) {
		json = json_object_get(hf_response_json(resp));
	} else {
		hf_client_resolve_messages(c, resp);
		hf_client_set_error(c, -EIO, hf_response_status(resp) >= 500 ? HF_ERROR_HTTP_SERVER
									   : HF_ERROR_HTTP_CLIENT,
				    hf_response_status(resp), hf_response_redfish_error(resp),
				    "GET %s: %d %s", path, hf_response_status(resp),
				    hf_response_reason(resp));
		*r = -EIO;
	}
	hf_response_free(resp);
	return json;
}

/* The messages of a resource's settings: @Redfish.Settings.Messages and SettingsResult's. */
static struct json_object *messages_of(struct json_object *res)
{
	struct json_object *settings = member(res, "@Redfish.Settings");
	struct json_object *lists[] = { member(settings, "Messages"),
					member(member(settings, "SettingsResult"), "Messages"),
					member(member(res, "SettingsResult"), "Messages") };
	struct json_object *all = json_object_new_array();
	size_t i, j;

	for (i = 0; all && i < sizeof(lists) / sizeof(lists[0]); i++)
		for (j = 0; json_object_is_type(lists[i], json_type_array) &&
			    j < json_object_array_length(lists[i]);
		     j++)
			if (push(all, json_object_get(json_object_array_get_idx(lists[i], j))) < 0) {
				json_object_put(all);
				return NULL;
			}
	return all;
}

static bool is_success(struct json_object *msg)
{
	const char *id = json_object_get_string(member(msg, "MessageId"));
	const char *dot = id ? strrchr(id, '.') : NULL;

	return !id || strcmp(dot ? dot + 1 : id, "Success") == 0;
}

/* The messages (a new array) that name the property at pointer ptr, whose last token is
 * name. */
static struct json_object *naming(struct json_object *msgs, const char *ptr, const char *name)
{
	struct json_object *out = json_object_new_array();
	size_t i, j;

	for (i = 0; out && i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i);
		struct json_object *rel = member(m, "RelatedProperties"), *args = member(m, "MessageArgs");
		bool hit = false;

		if (is_success(m))
			continue;
		for (j = 0; json_object_is_type(rel, json_type_array) &&
			    j < json_object_array_length(rel);
		     j++) {
			const char *p = json_object_get_string(json_object_array_get_idx(rel, j));

			if (p && (strcmp(p[0] == '#' ? p + 1 : p, ptr) == 0))
				hit = true;
		}
		for (j = 0; !json_object_is_type(rel, json_type_array) &&
			    json_object_is_type(args, json_type_array) &&
			    j < json_object_array_length(args);
		     j++)
			if (hf_streq(json_object_get_string(json_object_array_get_idx(args, j)), name))
				hit = true;
		if (hit && push(out, json_object_get(m)) < 0) {
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

struct walk {
	struct json_object *msgs, *entry;
	struct hf_buf ptr;
};

static int record(struct walk *w, const char *list, const char *name, struct json_object *want,
		  struct json_object *cur, struct json_object *why, bool secret)
{
	struct json_object *e;

	if (strcmp(list, "applied") == 0 || strcmp(list, "pending") == 0) {
		json_object_put(why);
		return push(member(w->entry, list), json_object_new_string(w->ptr.data));
	}
	(void)name;
	e = json_object_new_object();
	if (push(member(w->entry, list), e) < 0 ||
	    add(e, "property", json_object_new_string(w->ptr.data)) < 0 ||
	    add(e, "value", secret ? json_object_new_string("****") : json_object_get(want)) < 0 ||
	    (cur && add(e, "current", secret ? json_object_new_string("****")
					      : json_object_get(cur)) < 0) ||
	    (why && add(e, "messages", why) < 0)) {
		if (!e)
			json_object_put(why);
		return -ENOMEM;
	}
	return 0;
}

/* NOLINTNEXTLINE(misc-no-recursion): bounded by depth */
static int walk(struct walk *w, struct json_object *des, struct json_object *cur,
		struct json_object *pend, bool secret, int depth)
{
	size_t mark = w->ptr.len;

	if (depth > MAX_DEPTH)
		return -EINVAL;
	json_object_object_foreach(des, key, want)
	{
		struct json_object *cv = member(cur, key), *pv = member(pend, key), *why;
		bool sec = secret || hf_mask_is_secret_key(key);
		int r;

		w->ptr.len = mark;
		w->ptr.data[mark] = '\0';
		if (hf_buf_printf(&w->ptr, "/%s", key) < 0)
			return -ENOMEM;
		if (json_object_is_type(want, json_type_object)) {
			r = walk(w, want, cv, pv, sec, depth + 1);
			if (r < 0)
				return r;
			continue;
		}
		if (hf_json_same(cv, want)) {
			r = record(w, "applied", key, want, cv, NULL, sec);
		} else {
			why = naming(w->msgs, w->ptr.data, key);
			if (!why)
				return -ENOMEM;
			if (json_object_array_length(why))
				r = record(w, "refused", key, want, cv, why, sec);
			else if (pend && hf_json_same(pv, want))
				r = record(w, "pending", key, want, cv, why, sec);
			else
				r = record(w, "not_applied", key, want, cv, why, sec);
		}
		if (r < 0)
			return r;
	}
	w->ptr.len = mark;
	w->ptr.data[mark] = '\0';
	return 0;
}

/* The settings object of a resource (new reference) or NULL when it has none. */
static struct json_object *settings_of(hf_client *c, struct json_object *res, const char *path,
				       int *r)
{
	const char *id = json_object_get_string(
		member(member(member(res, "@Redfish.Settings"), "SettingsObject"), "@odata.id"));
	_cleanup_free_ char *p = NULL;

	*r = 0;
	if (!id || hf_location_to_path(id, path, c->origin, &p) < 0 || hf_path_check(p) < 0 ||
	    hf_path_same(p, path))
		return NULL;
	return fetch(c, p, r);
}

static int one(hf_client *c, const char *path, struct json_object *des, struct json_object *entry)
{
	struct walk w = { 0 };
	struct json_object *res, *pend = NULL, *time;
	static const char *const lists[] = { "applied", "pending", "refused", "not_applied" };
	size_t i;
	int r;

	res = fetch(c, path, &r);
	if (!res)
		return r;
	if (member(res, "@Redfish.Settings"))
		pend = settings_of(c, res, path, &r);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	w.entry = entry;
	w.msgs = messages_of(res);
	if (!w.msgs || add(entry, "path", json_object_new_string(path)) < 0 ||
	    add(entry, "messages", json_object_get(w.msgs)) < 0)
		goto out;
	time = member(member(res, "@Redfish.Settings"), "Time");
	if (json_object_object_add(entry, "settings_time", json_object_get(time)) < 0)
		goto out;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (add(entry, lists[i], json_object_new_array()) < 0)
			goto out;
	if (hf_buf_append(&w.ptr, "", 0) < 0)
		goto out;
	r = walk(&w, des, res, pend, false, 0);
out:
	hf_buf_free(&w.ptr);
	json_object_put(w.msgs);
	json_object_put(res);
	json_object_put(pend);
	return r;
}

_hf_public_ int hf_apply_results(hf_client *c, struct json_object *desired,
				 struct json_object **ret)
{
	static const char *const lists[] = { "applied", "pending", "refused", "not_applied" };
	struct json_object *report, *resources;
	size_t counts[4] = { 0 }, i;
	char why[512];
	int r = 0;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	if (hf_apply_validate(desired, why, sizeof(why)) < 0) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid desired state: %s; nothing was sent", why);
		return -EINVAL;
	}
	report = json_object_new_object();
	resources = json_object_new_array();
	if (add(report, "resources", resources) < 0) {
		json_object_put(report);
		return -ENOMEM;
	}
	json_object_object_foreach(desired, path, props)
	{
		struct json_object *entry = json_object_new_object();

		r = push(resources, entry);
		if (r == 0)
			r = one(c, path, props, entry);
		if (r < 0)
			break;
		for (i = 0; i < 4; i++)
			counts[i] += json_object_array_length(member(entry, lists[i]));
	}
	for (i = 0; r == 0 && i < 4; i++)
		r = add(report, lists[i], json_object_new_int64((int64_t)counts[i]));
	if (r < 0) {
		json_object_put(report);
		if (r == -ENOMEM)
			hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL,
					    "apply --results: out of memory");
		return r;
	}
	*ret = report;
	return (counts[1] ? HF_RESULTS_PENDING : 0) |
	       (counts[2] || counts[3] ? HF_RESULTS_REFUSED : 0);
}

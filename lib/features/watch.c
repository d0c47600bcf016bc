/* SPDX-License-Identifier: MIT */
/*
 * watch.c - helpers of the watching side (inventory, sensors, metrics): reading resources
 * and collections, and copying what a BMC has into a normalised document, never more.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "client-private.h"
#include "service-root.h"
#include "watch-private.h"

struct json_object *hf_w_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *hf_w_str(struct json_object *o, const char *key)
{
	struct json_object *v = hf_w_get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *hf_w_link(struct json_object *o, const char *key)
{
	return hf_w_str(hf_w_get(o, key), "@odata.id");
}

struct json_object *hf_w_num(struct json_object *o, const char *key)
{
	struct json_object *v = hf_w_get(o, key);

	if (v &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return v;
	return NULL;
}

void hf_w_copy_str(struct json_object *out, const char *outkey, struct json_object *in,
		   const char *inkey)
{
	const char *s = hf_w_str(in, inkey), *end;

	if (!s)
		return;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (end > s)
		json_object_object_add(out, outkey, json_object_new_string_len(s, (int)(end - s)));
}

void hf_w_put_num(struct json_object *out, const char *outkey, struct json_object *num)
{
	if (!num)
		return;
	if (json_object_is_type(num, json_type_int))
		json_object_object_add(out, outkey,
				       json_object_new_int64(json_object_get_int64(num)));
	else
		json_object_object_add(out, outkey,
				       json_object_new_double(json_object_get_double(num)));
}

void hf_w_copy_num(struct json_object *out, const char *outkey, struct json_object *in,
		   const char *inkey)
{
	hf_w_put_num(out, outkey, hf_w_num(in, inkey));
}

void hf_w_copy_status(struct json_object *out, struct json_object *in)
{
	struct json_object *st = hf_w_get(in, "Status");

	hf_w_copy_str(out, "health", st, "Health");
	hf_w_copy_str(out, "health_rollup", st, "HealthRollup");
	hf_w_copy_str(out, "state", st, "State");
}

static void note_error(struct hf_watch *w, const char *path, int status)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "path", json_object_new_string(path));
	json_object_object_add(e, "status", json_object_new_int(status));
	json_object_array_add(w->errors, e);
}

int hf_w_read(struct hf_watch *w, const char *path, struct json_object **ret)
{
	hf_response *resp = NULL;
	struct json_object *json;
	int r, status;

	*ret = NULL;
	r = hf_get(w->c, path, &resp);
	if (r < 0)
		return r;
	status = hf_response_status(resp);
	if (status == 401) {
		/* the library logged in again and was still refused: no point going on */
		hf_client_set_error(w->c, -EACCES, HF_ERROR_AUTH, status,
				    hf_response_redfish_error(resp), "GET %s: %d %s", path, status,
				    hf_response_reason(resp));
		hf_response_free(resp);
		return -EACCES;
	}
	json = hf_response_json(resp);
	if (status < 200 || status >= 300 || !json_object_is_type(json, json_type_object)) {
		note_error(w, path, status);
		hf_response_free(resp);
		return 1;
	}
	*ret = json_object_get(json);
	hf_response_free(resp);
	return 0;
}

/*
 * Member by member, each failure noted: what hf_w_members() falls back to when the BMC
 * answered part of a collection with an HTTP error, so the document goes on without that
 * part and says which it was.
 */
static int members_each(struct hf_watch *w, const char *path, struct json_object **ret)
{
	struct json_object *coll = NULL, *members, *out;
	size_t i, n;
	int r;

	r = hf_w_read(w, path, &coll);
	if (r != 0)
		return r;
	members = hf_w_get(coll, "Members");
	n = members && json_object_is_type(members, json_type_array)
		? json_object_array_length(members)
		: 0;
	if (n > HF_WATCH_MAX_MEMBERS)
		n = HF_WATCH_MAX_MEMBERS;
	out = json_object_new_array();
	for (i = 0; i < n; i++) {
		const char *m = hf_w_str(json_object_array_get_idx(members, i), "@odata.id");
		struct json_object *obj = NULL;

		if (!m)
			continue;
		r = hf_w_read(w, m, &obj);
		if (r < 0) {
			json_object_put(out);
			json_object_put(coll);
			return r;
		}
		if (r == 0)
			json_object_array_add(out, obj);
	}
	json_object_put(coll);
	*ret = out;
	return 0;
}

/*
 * The one place that reads a collection's members: hf_collection_get(), in one request with
 * $expand where the BMC's service root advertises it (else the collection and then each
 * member).  An HTTP error of the collection or of a member is read again member by member
 * (members_each()), so what failed is noted and the rest kept, as without $expand.
 */
int hf_w_members(struct hf_watch *w, const char *path, struct json_object **ret)
{
	struct json_object *out = NULL;
	int r;

	*ret = NULL;
	r = hf_collection_get(w->c, path, NULL, &out);
	if (r == 0) {
		if (json_object_array_length(out) > HF_WATCH_MAX_MEMBERS) {
			json_object_array_del_idx(out, HF_WATCH_MAX_MEMBERS,
						  json_object_array_length(out) -
						      HF_WATCH_MAX_MEMBERS);
		}
		*ret = out;
		return 0;
	}
	if (r == -ENOENT) {
		note_error(w, path, 404);
		hf_client_clear_error(w->c);
		return 1;
	}
	if (r != -EIO && r != -EPROTO &&
	    !(r == -EACCES && hf_client_last_error(w->c)->http_status == 403))
		return r; /* no answer, 401 after logging in again, no memory */
	hf_client_clear_error(w->c);
	return members_each(w, path, ret);
}

/* SPDX-License-Identifier: MIT */
/*
 * fwmgmt.c - an HPE iLO's component repository and update task queue, the way HPE's ilorest
 * listcomp, deletecomp and taskqueue handle them (python-redfish-utility): a Locked component
 * is not deleted, "clean" removes only finished items, an Expired or Exception item blocks
 * every item after it, items are "FILENAME", "wait=SECONDS" or "reboot".  Also the helpers
 * fwsets.c and fwpull.c share.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "firmware-private.h"
#include "fwmgmt-private.h"

#define MAX_WAIT_SECONDS 86400L

/* ---- shared helpers ---- */

int hf_fwm_refuse(hf_client *c, int code, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hf_client_set_error(c, code, code == -EINVAL ? HF_ERROR_USAGE : HF_ERROR_HTTP_CLIENT, 0,
			    NULL, "%s", msg);
	return code;
}

int hf_fwm_area(hf_client *c, const char *area, char **ret)
{
	hf_response *us = NULL;
	const char *uri;
	int r = hf_fw_update_service(c, &us);

	if (r < 0)
		return r;
	uri = hf_fw_str(hf_fw_obj(hf_fw_obj(hf_fw_obj(hf_response_json(us), "Oem"), "Hpe"), area),
			"@odata.id");
	if (!uri || hf_path_check(uri) < 0) {
		hf_response_free(us);
		return hf_fwm_refuse(c, -ENOTSUP,
				     "the BMC's UpdateService has no %s (HPE iLO 5 and later have)",
				     area);
	}
	*ret = hf_strdup(uri);
	hf_response_free(us);
	return *ret ? 0 : -ENOMEM;
}

int hf_fwm_members(hf_client *c, const char *area, struct json_object **ret, char **uri)
{
	char *path = NULL;
	int r = hf_fwm_area(c, area, &path);

	if (r == 0)
		r = hf_get_collection(c, path, NULL, ret);
	if (r == 0 && uri) {
		*uri = path;
		path = NULL;
	}
	free(path);
	return r;
}

struct json_object *hf_fwm_find(struct json_object *members, const char *key, const char *name)
{
	size_t i, n = members ? json_object_array_length(members) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(members, i);

		if (hf_streq(hf_fw_str(m, key), name))
			return m;
	}
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(members, i);

		if (hf_streq(hf_fw_str(m, "Id"), name))
			return m;
	}
	return NULL;
}

int hf_fwm_send(hf_client *c, const char *method, const char *path, struct json_object *body,
		hf_response **ret)
{
	hf_response *resp = NULL;
	int r, status;

	r = body ? hf_request_json(c, method, path, NULL, body, &resp)
		 : hf_request(c, method, path, NULL, NULL, 0, &resp);
	if (r < 0)
		return r;
	status = hf_response_status(resp);
	if (status < 200 || status >= 300) {
		hf_client_resolve_messages(c, resp);
		hf_client_set_error(c, -EREMOTEIO,
				    status == 401   ? HF_ERROR_AUTH
				    : status >= 500 ? HF_ERROR_HTTP_SERVER
						    : HF_ERROR_HTTP_CLIENT,
				    status, hf_response_redfish_error(resp), "%s %s: %d %s", method,
				    path, status, hf_response_reason(resp));
		hf_response_free(resp);
		return -EREMOTEIO;
	}
	if (ret)
		*ret = resp;
	else
		hf_response_free(resp);
	return 0;
}

bool hf_fwm_text_ok(const char *s, bool may_be_empty)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!s || n > HF_FW_MAX_NAME || (n == 0 && !may_be_empty))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f)
			return false;
	}
	return hf_utf8_cut(s, n, n) == n;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* the number of n digits at s (checked to be digits) */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

bool hf_fwm_time_ok(const char *s, long long *t)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se;

	if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return false;
	for (size_t i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0) || h > 23 || mi > 59 || se > 59)
		return false;
	if (t) {
		struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d };

		*t = (long long)timegm(&tm) + h * 3600LL + mi * 60LL + se;
	}
	return true;
}

const char *hf_fwm_blocker(struct json_object *queue, struct json_object **blocked)
{
	const char *first = NULL;
	size_t i, n = queue ? json_object_array_length(queue) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(queue, i);
		const char *state = hf_fw_str(it, "State");

		if (!first && (hf_streq(state, "Exception") || hf_streq(state, "Expired")))
			first = hf_fw_str(it, "Name") ?: hf_fw_str(it, "Id") ?: "?";
		else if (first && blocked && *blocked && hf_streq(state, "Pending"))
			json_object_array_add(*blocked, json_object_new_string(
								hf_fw_str(it, "Name") ?: "?"));
	}
	return first;
}

/* ---- items ---- */

static unsigned random_tag(void)
{
	unsigned rnd = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (unsigned)getpid();
	return rnd % 1000000;
}

static bool filename_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._") == n;
}

static struct json_object *by_list(const char *one)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(one));
	return a;
}

static int item_of(hf_client *c, const char *text, unsigned flags, struct json_object *comps,
		   struct json_object *queue, struct json_object **ret)
{
	struct json_object *it = json_object_new_object(), *comp, *by;
	char name[HF_FW_MAX_NAME + 1];
	char *end;

	if (!it)
		return -ENOMEM;
	if (strcmp(text, "reboot") == 0) {
		/* HPE's taskqueue: a server reset, done by the runtime agent (AMS/iSUT) */
		snprintf(name, sizeof(name), "Reboot-%u", random_tag());
		json_object_object_add(it, "Command", json_object_new_string("ResetServer"));
		json_object_object_add(it, "UpdatableBy", by_list("RuntimeAgent"));
	} else if (strncmp(text, "wait=", 5) == 0) {
		long s;

		errno = 0;
		s = strtol(text + 5, &end, 10);
		if (errno || end == text + 5 || *end || s < 1 || s > MAX_WAIT_SECONDS) {
			json_object_put(it);
			return hf_fwm_refuse(c, -EINVAL, "%s: the wait is 1 to %ld seconds", text,
					     MAX_WAIT_SECONDS);
		}
		snprintf(name, sizeof(name), "Wait-%u %ld seconds", random_tag(), s);
		json_object_object_add(it, "Command", json_object_new_string("Wait"));
		json_object_object_add(it, "WaitTimeSeconds", json_object_new_int((int)s));
		json_object_object_add(it, "UpdatableBy", by_list("Bmc"));
	} else {
		json_object_put(it);
		if (!filename_ok(text))
			return hf_fwm_refuse(c, -EINVAL,
					     "'%.64s' is neither \"reboot\", \"wait=SECONDS\" nor a "
					     "component's file name (letters, digits, '-', '.', '_')",
					     text);
		comp = hf_fwm_find(comps, "Filename", text);
		if (!comp)
			return hf_fwm_refuse(c, -ENOENT,
					     "%s is not in the BMC's component repository (upload it "
					     "first: hostfish firmware upload)",
					     text);
		if (queue) {
			size_t i;

			for (i = 0; i < json_object_array_length(queue); i++) {
				struct json_object *q = json_object_array_get_idx(queue, i);

				if (hf_streq(hf_fw_str(q, "Filename"), hf_fw_str(comp, "Filename")) &&
				    !hf_streq(hf_fw_str(q, "State"), "Exception"))
					return hf_fwm_refuse(
						c, -EEXIST,
						"%s is already in the task queue (item %s, %s); "
						"remove that item first",
						text, hf_fw_str(q, "Name") ?: "?",
						hf_fw_str(q, "State") ?: "?");
			}
		}
		it = json_object_new_object();
		if (!it)
			return -ENOMEM;
		snprintf(name, sizeof(name), "Update-%u %s", random_tag(), hf_fw_str(comp, "Filename"));
		json_object_object_add(it, "Command", json_object_new_string("ApplyUpdate"));
		json_object_object_add(it, "Filename",
				       json_object_new_string(hf_fw_str(comp, "Filename")));
		by = json_object_object_get_ex(comp, "UpdatableBy", &by) &&
				     json_object_is_type(by, json_type_array) &&
				     json_object_array_length(by) > 0
			     ? json_object_get(by)
			     : by_list("Bmc");
		json_object_object_add(it, "UpdatableBy", by);
		json_object_object_add(it, "TPMOverride",
				       json_object_new_boolean((flags & HF_FW_TPM_OVERRIDE) != 0));
	}
	/* a name cut at HF_FW_MAX_NAME bytes on a character boundary */
	name[hf_utf8_cut(name, strlen(name), HF_FW_MAX_NAME)] = '\0';
	json_object_object_add(it, "Name", json_object_new_string(name));
	*ret = it;
	return 0;
}

int hf_fwm_items(hf_client *c, const char *const *items, unsigned flags,
		 struct json_object *comps, struct json_object *queue, struct json_object **ret)
{
	struct json_object *out;
	size_t i, n = 0;
	int r = 0;

	while (items && items[n])
		n++;
	if (n == 0 || n > HF_FW_MAX_ITEMS)
		return hf_fwm_refuse(c, -EINVAL, "give 1 to %d items (FILENAME, wait=SECONDS, reboot)",
				     HF_FW_MAX_ITEMS);
	out = json_object_new_array();
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		struct json_object *it = NULL;

		r = item_of(c, items[i], flags, comps, queue, &it);
		if (r == 0)
			json_object_array_add(out, it);
	}
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	*ret = out;
	return 0;
}

/* ---- component repository ---- */

_hf_public_ int hf_firmware_repo_list(hf_client *c, struct json_object **ret)
{
	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	return hf_fwm_members(c, "ComponentRepository", ret, NULL);
}

/* who holds a locked component: the queue items and install sets that name it */
static void holders(hf_client *c, const char *filename, struct hf_buf *b)
{
	static const char *const areas[] = { "UpdateTaskQueue", "InstallSets" };
	size_t a, i, j;

	for (a = 0; a < HF_ARRAY_SIZE(areas); a++) {
		struct json_object *m = NULL;

		if (hf_fwm_members(c, areas[a], &m, NULL) < 0)
			continue;
		for (i = 0; i < json_object_array_length(m); i++) {
			struct json_object *e = json_object_array_get_idx(m, i), *seq;
			bool uses = hf_streq(hf_fw_str(e, "Filename"), filename);

			if (json_object_object_get_ex(e, "Sequence", &seq) &&
			    json_object_is_type(seq, json_type_array))
				for (j = 0; j < json_object_array_length(seq); j++)
					uses = uses || hf_streq(hf_fw_str(json_object_array_get_idx(
									    seq, j),
								    "Filename"),
							    filename);
			if (uses)
				hf_buf_printf(b, "%s%s %s", b->len ? ", " : "",
					      a == 0 ? "task queue item" : "install set",
					      hf_fw_str(e, "Name") ?: "?");
		}
		json_object_put(m);
	}
}

_hf_public_ int hf_firmware_repo_delete(hf_client *c, const char *name)
{
	struct json_object *comps = NULL, *comp, *locked;
	struct hf_buf who = { 0 };
	const char *id;
	int r;

	if (!c || !name)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "ComponentRepository", &comps, NULL);
	if (r < 0)
		return r;
	comp = hf_fwm_find(comps, "Filename", name);
	id = hf_fw_str(comp, "@odata.id");
	if (!comp || !id || hf_path_check(id) < 0) {
		r = hf_fwm_refuse(c, -ENOENT, "no component %.100s in the BMC's repository", name);
	} else if (json_object_object_get_ex(comp, "Locked", &locked) &&
		   json_object_get_boolean(locked)) {
		/* HPE's deletecomp: "in use by an install set or update task" */
		holders(c, hf_fw_str(comp, "Filename") ?: "", &who);
		r = hf_fwm_refuse(c, -EBUSY,
				  "%s is Locked: in use by %s; remove those first (nothing was "
				  "deleted)",
				  hf_fw_str(comp, "Filename") ?: name,
				  who.data ? who.data : "an install set or a task queue item");
	} else {
		r = hf_fwm_send(c, "DELETE", id, NULL, NULL);
	}
	hf_buf_free(&who);
	json_object_put(comps);
	return r;
}

/* ---- update task queue ---- */

_hf_public_ int hf_firmware_queue_list(hf_client *c, struct json_object **ret)
{
	struct json_object *items = NULL, *out, *blocking, *blocked;
	size_t i;
	int r;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "UpdateTaskQueue", &items, NULL);
	if (r < 0)
		return r;
	out = json_object_new_object();
	blocking = json_object_new_array();
	blocked = json_object_new_array();
	if (!out || !blocking || !blocked) {
		json_object_put(out);
		json_object_put(blocking);
		json_object_put(blocked);
		json_object_put(items);
		return -ENOMEM;
	}
	for (i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *state = hf_fw_str(it, "State");

		if (hf_streq(state, "Exception") || hf_streq(state, "Expired"))
			json_object_array_add(blocking,
					      json_object_new_string(hf_fw_str(it, "Name") ?: "?"));
	}
	hf_fwm_blocker(items, &blocked);
	json_object_object_add(out, "Items", items);
	json_object_object_add(out, "Blocking", blocking);
	json_object_object_add(out, "Blocked", blocked);
	*ret = out;
	return 0;
}

_hf_public_ int hf_firmware_queue_clean(hf_client *c, struct json_object **removed)
{
	struct json_object *items = NULL, *names;
	size_t i;
	int r, n = 0;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "UpdateTaskQueue", &items, NULL);
	if (r < 0)
		return r;
	names = json_object_new_array();
	for (i = 0; names && r == 0 && i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *state = hf_fw_str(it, "State"), *id = hf_fw_str(it, "@odata.id");

		if (!hf_streq(state, "Complete") && !hf_streq(state, "Expired") &&
		    !hf_streq(state, "Exception"))
			continue;
		if (!id || hf_path_check(id) < 0)
			continue;
		r = hf_fwm_send(c, "DELETE", id, NULL, NULL);
		if (r == 0) {
			json_object_array_add(names,
					      json_object_new_string(hf_fw_str(it, "Name") ?: "?"));
			n++;
		}
	}
	json_object_put(items);
	if (!names)
		return -ENOMEM;
	if (r < 0) {
		json_object_put(names);
		return r;
	}
	if (removed)
		*removed = names;
	else
		json_object_put(names);
	return n;
}

/* a POST failed after others succeeded: say so in the error */
static void partly_queued(hf_client *c, int r, size_t done)
{
	const hf_error *e = hf_client_last_error(c);
	hf_redfish_error *rf = hf_rferror_ref((hf_redfish_error *)e->redfish);
	char *msg = hf_strdup(e->message);
	int kind = e->kind, status = e->http_status;

	/* the record is replaced: keep its message and Redfish error until then */
	hf_client_set_error(c, r, kind, status, rf, "%s (the %zu items before it were queued)",
			    msg ? msg : "", done);
	hf_rferror_unref(rf);
	free(msg);
}

_hf_public_ int hf_firmware_queue_add(hf_client *c, const char *const *items, unsigned flags,
				      struct json_object **ret)
{
	struct json_object *comps = NULL, *queue = NULL, *list = NULL, *out = NULL;
	char *uri = NULL;
	const char *blocker;
	size_t i;
	int r;

	if (!c || !items)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "ComponentRepository", &comps, NULL);
	if (r == 0)
		r = hf_fwm_members(c, "UpdateTaskQueue", &queue, &uri);
	if (r == 0)
		r = hf_fwm_items(c, items, flags, comps, queue, &list);
	blocker = r == 0 ? hf_fwm_blocker(queue, NULL) : NULL;
	if (blocker)
		r = hf_fwm_refuse(c, -EBUSY,
				  "the task queue item %s is Expired or in Exception and blocks "
				  "every item after it: remove it first (hostfish firmware queue "
				  "clean); nothing was queued",
				  blocker);
	out = r == 0 ? json_object_new_array() : NULL;
	if (r == 0 && !out)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < json_object_array_length(list); i++) {
		struct json_object *it = json_object_array_get_idx(list, i), *e;
		hf_response *resp = NULL;
		const char *loc;

		r = hf_fwm_send(c, "POST", uri, it, &resp);
		if (r < 0) {
			if (i)
				partly_queued(c, r, i);
			break;
		}
		loc = hf_response_header(resp, "Location");
		e = json_object_new_object();
		json_object_object_add(e, "Name", json_object_get(json_object_object_get(it, "Name")));
		json_object_object_add(e, "@odata.id", loc ? json_object_new_string(loc) : NULL);
		json_object_array_add(out, e);
		hf_response_free(resp);
	}
	if (r == 0 && ret) {
		*ret = out;
		out = NULL;
	}
	json_object_put(out);
	json_object_put(list);
	json_object_put(queue);
	json_object_put(comps);
	free(uri);
	return r;
}

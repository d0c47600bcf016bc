/* SPDX-License-Identifier: MIT */
/*
 * fwsets.c - an HPE iLO's install sets (HpeComponentInstallSet, #HpeComponentInstallSet.Invoke)
 * and maintenance windows (HpeMaintenanceWindow), as HPE's ilorest installset and
 * maintenancewindow commands handle them: names unique, times "%Y-%m-%dT%H:%M:%SZ", every
 * component an install set names already in the repository.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"
#include "firmware-private.h"
#include "fwmgmt-private.h"

/* ---- install sets ---- */

_hf_public_ int hf_firmware_installset_list(hf_client *c, struct json_object **ret)
{
	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	return hf_fwm_members(c, "InstallSets", ret, NULL);
}

/* the path of the answer's new resource: Location, else the body's @odata.id */
static int created_path(hf_client *c, hf_response *resp, char **ret)
{
	const char *loc = hf_response_header(resp, "Location");

	if (!loc)
		loc = hf_fw_str(hf_response_json(resp), "@odata.id");
	if (!loc)
		return hf_fwm_refuse(c, -EPROTO, "the BMC did not say where the new resource is");
	return hf_location_to_path(loc, hf_response_path(resp), NULL, ret);
}

_hf_public_ int hf_firmware_installset_create(hf_client *c, const char *name,
					      const char *description, const char *const *items,
					      char **ret_uri)
{
	struct json_object *comps = NULL, *sets = NULL, *seq = NULL, *body = NULL;
	hf_response *resp = NULL;
	char *uri = NULL;
	int r;

	if (!c || !name || !items)
		return -EINVAL;
	HF_OPERATION(c);
	if (!hf_fwm_text_ok(name, false) || (description && !hf_fwm_text_ok(description, true)))
		return hf_fwm_refuse(c, -EINVAL,
				     "an install set's name (1 to %d characters) and description (at "
				     "most %d) hold no control characters",
				     HF_FW_MAX_NAME, HF_FW_MAX_NAME);
	r = hf_fwm_members(c, "InstallSets", &sets, &uri);
	if (r == 0 && hf_fwm_find(sets, "Name", name))
		r = hf_fwm_refuse(c, -EEXIST, "an install set named %s exists already", name);
	if (r == 0)
		r = hf_fwm_members(c, "ComponentRepository", &comps, NULL);
	if (r == 0)
		r = hf_fwm_items(c, items, 0, comps, NULL, &seq);
	if (r == 0) {
		size_t i;

		/* a Sequence item holds no TPMOverride: Invoke gives it to every item */
		for (i = 0; i < json_object_array_length(seq); i++)
			json_object_object_del(json_object_array_get_idx(seq, i), "TPMOverride");
		body = json_object_new_object();
		if (!body)
			r = -ENOMEM;
	}
	if (r == 0) {
		json_object_object_add(body, "Name", json_object_new_string(name));
		json_object_object_add(body, "Description",
				       json_object_new_string(description ? description : ""));
		json_object_object_add(body, "IsRecovery", json_object_new_boolean(0));
		json_object_object_add(body, "Sequence", seq);
		seq = NULL;
		r = hf_fwm_send(c, "POST", uri, body, &resp);
	}
	if (r == 0 && ret_uri)
		r = created_path(c, resp, ret_uri);
	hf_response_free(resp);
	json_object_put(body);
	json_object_put(seq);
	json_object_put(comps);
	json_object_put(sets);
	free(uri);
	return r;
}

_hf_public_ int hf_firmware_installset_delete(hf_client *c, const char *name)
{
	struct json_object *sets = NULL, *set;
	const char *id;
	int r;

	if (!c || !name)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "InstallSets", &sets, NULL);
	if (r < 0)
		return r;
	set = hf_fwm_find(sets, "Name", name);
	id = hf_fw_str(set, "@odata.id");
	if (!id || hf_path_check(id) < 0)
		r = hf_fwm_refuse(c, -ENOENT, "no install set %.100s on the BMC", name);
	else
		r = hf_fwm_send(c, "DELETE", id, NULL, NULL);
	json_object_put(sets);
	return r;
}

static int invoke_body(hf_client *c, const hf_invoke_options *o, struct json_object **ret)
{
	struct json_object *body, *windows = NULL, *w;
	int r = 0;

	if ((o->start_after && !hf_fwm_time_ok(o->start_after, NULL)) ||
	    (o->expire && !hf_fwm_time_ok(o->expire, NULL)))
		return hf_fwm_refuse(c, -EINVAL, "times are YYYY-MM-DDTHH:MM:SSZ (UTC): %s",
				     o->start_after && !hf_fwm_time_ok(o->start_after, NULL)
					     ? o->start_after
					     : o->expire);
	body = json_object_new_object();
	if (!body)
		return -ENOMEM;
	if (o->window) {
		r = hf_fwm_members(c, "MaintenanceWindows", &windows, NULL);
		w = r == 0 ? hf_fwm_find(windows, "Name", o->window) : NULL;
		if (r == 0 && !hf_fw_str(w, "Id"))
			r = hf_fwm_refuse(c, -ENOENT, "no maintenance window %.100s on the BMC",
					  o->window);
		if (r == 0)
			json_object_object_add(body, "MaintenanceWindow",
					       json_object_new_string(hf_fw_str(w, "Id")));
		json_object_put(windows);
	}
	json_object_object_add(body, "ClearTaskQueue", json_object_new_boolean(o->clear_queue));
	json_object_object_add(body, "TPMOverride",
			       json_object_new_boolean((o->flags & HF_FW_TPM_OVERRIDE) != 0));
	json_object_object_add(body, "UpdateRecoverySet", json_object_new_boolean(o->recovery_set));
	if (o->start_after)
		json_object_object_add(body, "StartAfter", json_object_new_string(o->start_after));
	if (o->expire)
		json_object_object_add(body, "Expire", json_object_new_string(o->expire));
	if (r < 0) {
		json_object_put(body);
		return r;
	}
	*ret = body;
	return 0;
}

_hf_public_ int hf_firmware_installset_invoke(hf_client *c, const char *name,
					      const hf_invoke_options *o)
{
	static const hf_invoke_options defaults = HF_INVOKE_OPTIONS_INIT;
	struct json_object *sets = NULL, *queue = NULL, *body = NULL, *set, *seq;
	const char *target = NULL, *blocker;
	int r, n = 0;

	if (!c || !name)
		return -EINVAL;
	if (!o)
		o = &defaults;
	HF_OPERATION(c);
	if (o->version != HF_INVOKE_OPTIONS_VERSION)
		return hf_fwm_refuse(c, -EINVAL, "invalid hf_invoke_options (version %u)",
				     o->version);
	r = hf_fwm_members(c, "InstallSets", &sets, NULL);
	set = r == 0 ? hf_fwm_find(sets, "Name", name) : NULL;
	if (set)
		target = hf_fw_str(hf_fw_obj(hf_fw_obj(set, "Actions"),
					     "#HpeComponentInstallSet.Invoke"),
				   "target");
	if (r == 0 && (!target || hf_path_check(target) < 0))
		r = hf_fwm_refuse(c, -ENOENT, "no install set %.100s (with an Invoke action) on "
					      "the BMC", name);
	if (r == 0 && json_object_object_get_ex(set, "Sequence", &seq) &&
	    json_object_is_type(seq, json_type_array))
		n = (int)json_object_array_length(seq);
	if (r == 0 && !o->clear_queue)
		r = hf_fwm_members(c, "UpdateTaskQueue", &queue, NULL);
	blocker = r == 0 && !o->clear_queue ? hf_fwm_blocker(queue, NULL) : NULL;
	if (blocker)
		r = hf_fwm_refuse(c, -EBUSY,
				  "the task queue item %s is Expired or in Exception and blocks "
				  "every item after it: the set's items would never run; clean the "
				  "queue first (or invoke with --clear-queue)",
				  blocker);
	if (r == 0)
		r = invoke_body(c, o, &body);
	if (r == 0)
		r = hf_fwm_send(c, "POST", target, body, NULL);
	json_object_put(body);
	json_object_put(queue);
	json_object_put(sets);
	return r < 0 ? r : n;
}

/* ---- maintenance windows ---- */

_hf_public_ int hf_firmware_window_list(hf_client *c, struct json_object **ret)
{
	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	return hf_fwm_members(c, "MaintenanceWindows", ret, NULL);
}

static int window_check(hf_client *c, const char *name, const char *start, const char *expire,
			const char *description)
{
	long long t0, t1;

	if (!hf_fwm_text_ok(name, false) || (description && !hf_fwm_text_ok(description, true)))
		return hf_fwm_refuse(c, -EINVAL,
				     "a maintenance window's name (1 to %d characters) and "
				     "description (at most %d) hold no control characters",
				     HF_FW_MAX_NAME, HF_FW_MAX_NAME);
	if (!hf_fwm_time_ok(start, &t0))
		return hf_fwm_refuse(c, -EINVAL, "the start %.40s is not YYYY-MM-DDTHH:MM:SSZ (UTC)",
				     start);
	if (expire && !hf_fwm_time_ok(expire, &t1))
		return hf_fwm_refuse(c, -EINVAL, "the expiry %.40s is not YYYY-MM-DDTHH:MM:SSZ (UTC)",
				     expire);
	if (expire && t1 <= t0)
		return hf_fwm_refuse(c, -EINVAL, "the window expires (%s) before it starts (%s)",
				     expire, start);
	return 0;
}

_hf_public_ int hf_firmware_window_create(hf_client *c, const char *name, const char *start,
					  const char *expire, const char *description,
					  char **ret_id)
{
	struct json_object *windows = NULL, *body = NULL;
	hf_response *resp = NULL;
	char *uri = NULL, *path = NULL;
	int r;

	if (!c || !name || !start)
		return -EINVAL;
	HF_OPERATION(c);
	r = window_check(c, name, start, expire, description);
	if (r == 0)
		r = hf_fwm_members(c, "MaintenanceWindows", &windows, &uri);
	if (r == 0 && hf_fwm_find(windows, "Name", name))
		r = hf_fwm_refuse(c, -EEXIST, "a maintenance window named %s exists already", name);
	if (r == 0 && !(body = json_object_new_object()))
		r = -ENOMEM;
	if (r == 0) {
		json_object_object_add(body, "Name", json_object_new_string(name));
		json_object_object_add(body, "StartAfter", json_object_new_string(start));
		if (expire)
			json_object_object_add(body, "Expire", json_object_new_string(expire));
		if (description)
			json_object_object_add(body, "Description",
					       json_object_new_string(description));
		r = hf_fwm_send(c, "POST", uri, body, &resp);
	}
	if (r == 0 && ret_id) {
		/* the Id is the path's last segment */
		r = created_path(c, resp, &path);
		if (r == 0 && !path)
			r = -ENOMEM;
		if (r == 0) {
			size_t n = strlen(path);
			char *s;

			while (n > 1 && path[n - 1] == '/')
				path[--n] = '\0';
			s = strrchr(path, '/');
			*ret_id = hf_strdup(s ? s + 1 : path);
			r = *ret_id ? 0 : -ENOMEM;
		}
	}
	free(path);
	hf_response_free(resp);
	json_object_put(body);
	json_object_put(windows);
	free(uri);
	return r;
}

_hf_public_ int hf_firmware_window_delete(hf_client *c, const char *name)
{
	struct json_object *windows = NULL, *w;
	const char *id;
	int r;

	if (!c || !name)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_fwm_members(c, "MaintenanceWindows", &windows, NULL);
	if (r < 0)
		return r;
	w = hf_fwm_find(windows, "Name", name);
	id = hf_fw_str(w, "@odata.id");
	if (!id || hf_path_check(id) < 0)
		r = hf_fwm_refuse(c, -ENOENT, "no maintenance window %.100s on the BMC", name);
	else
		r = hf_fwm_send(c, "DELETE", id, NULL, NULL);
	json_object_put(windows);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * fwpull.c - hf_firmware_pull(): the BMC fetches a firmware image itself.  DMTF's
 * UpdateService.SimpleUpdate {ImageURI, TransferProtocol} when the UpdateService offers it,
 * else iLO's HpeiLOUpdateServiceExt.AddFromUri {ImageURI, CompSigURI, UpdateTarget,
 * UpdateRepository, TPMOverrideFlag}; then, with wait, the update followed as
 * hf_firmware_wait() follows an upload (a 202's task, or iLO's Oem.Hpe.State).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "client-private.h"
#include "firmware-private.h"
#include "fwmgmt-private.h"
#include "task-private.h"

#define MAX_URI 1024
#define SIMPLE_UPDATE "#UpdateService.SimpleUpdate"
#define ADD_FROM_URI "#HpeiLOUpdateServiceExt.AddFromUri"

/* http(s)://host..., no user information, no space nor control character: *proto "HTTP" or
 * "HTTPS" (static) */
static int uri_check(hf_client *c, const char *what, const char *uri, const char **proto)
{
	struct hf_url u = { 0 };
	size_t i, n = strlen(uri);
	int r;

	for (i = 0; i < n; i++)
		if ((unsigned char)uri[i] <= 0x20 || uri[i] == 0x7f)
			break;
	if (n == 0 || n > MAX_URI || i < n)
		return hf_fwm_refuse(c, -EINVAL, "the %s must be 1 to %d characters without spaces "
						 "or control characters",
				     what, MAX_URI);
	r = hf_url_parse(uri, &u); /* refuses user information too */
	if (r < 0 || !u.host || !u.host[0]) {
		hf_url_clear(&u);
		return hf_fwm_refuse(c, -EINVAL,
				     "the %s must be an http:// or https:// URL with a host and "
				     "without user information (credentials in it would be logged "
				     "and kept by the BMC)",
				     what);
	}
	*proto = strcmp(u.scheme, "https") == 0 ? "HTTPS" : "HTTP";
	hf_url_clear(&u);
	return 0;
}

/* whether the action lists proto among its TransferProtocol@Redfish.AllowableValues (or
 * lists none) */
static bool protocol_allowed(struct json_object *action, const char *proto)
{
	struct json_object *v;
	size_t i;

	if (!json_object_object_get_ex(action, "TransferProtocol@Redfish.AllowableValues", &v) ||
	    !json_object_is_type(v, json_type_array))
		return true;
	for (i = 0; i < json_object_array_length(v); i++)
		if (hf_strcaseeq(json_object_get_string(json_object_array_get_idx(v, i)), proto))
			return true;
	return false;
}

/* the action to use and its body */
static int plan(hf_client *c, struct json_object *us, const char *uri, const char *proto,
		const hf_pull_options *o, char **target, struct json_object *body,
		const char **action)
{
	struct json_object *simple = hf_fw_obj(hf_fw_obj(us, "Actions"), SIMPLE_UPDATE);
	struct json_object *add = hf_fw_obj(
		hf_fw_obj(hf_fw_obj(hf_fw_obj(us, "Oem"), "Hpe"), "Actions"), ADD_FROM_URI);
	const char *t;
	bool need_add = o->compsig_uri || o->repository_only;

	if (simple && !need_add && hf_fw_str(simple, "target")) {
		if (!protocol_allowed(simple, proto))
			return hf_fwm_refuse(c, -ENOTSUP, "the BMC's SimpleUpdate does not take %s",
					     proto);
		t = hf_fw_str(simple, "target");
		*action = "SimpleUpdate";
		json_object_object_add(body, "ImageURI", json_object_new_string(uri));
		json_object_object_add(body, "TransferProtocol", json_object_new_string(proto));
	} else if (add && hf_fw_str(add, "target")) {
		t = hf_fw_str(add, "target");
		*action = "AddFromUri";
		json_object_object_add(body, "ImageURI", json_object_new_string(uri));
		if (o->compsig_uri)
			json_object_object_add(body, "CompSigURI",
					       json_object_new_string(o->compsig_uri));
		json_object_object_add(body, "UpdateTarget",
				       json_object_new_boolean(!o->repository_only));
		json_object_object_add(body, "UpdateRepository",
				       json_object_new_boolean(o->repository_only));
	} else {
		return hf_fwm_refuse(c, -ENOTSUP, "the BMC's UpdateService offers %s",
				     need_add ? "no AddFromUri action (iLO's, needed for a "
						"signature URI or a repository-only pull)"
					      : "neither SimpleUpdate nor iLO's AddFromUri");
	}
	if (hf_path_check(t) < 0)
		return hf_fwm_refuse(c, -EPROTO, "the BMC's %s target is not a path", *action);
	*target = hf_strdup(t);
	return *target ? 0 : -ENOMEM;
}

/* Oem.Hpe.Result (or a task's messages) of a failed update, completed from the registries */
static int failed(hf_client *c, hf_response *final)
{
	struct json_object *res = hf_fw_obj(hf_fw_obj(hf_fw_obj(hf_response_json(final), "Oem"),
						      "Hpe"),
					    "Result");
	struct hf_transport_response t = { .status = 200 };
	hf_response *resp = NULL;
	const char *id = hf_fw_str(res, "MessageId");

	if (id && hf_buf_printf(&t.body,
				"{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"message\":"
				"\"See @Message.ExtendedInfo for more information.\","
				"\"@Message.ExtendedInfo\":[%s]}}",
				json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)) == 0 &&
	    hf_response_build(&resp, "GET", "", "", NULL, 0, &t, 1 << 20) == 0)
		hf_client_resolve_messages(c, resp);
	hf_transport_response_clear(&t);
	hf_client_set_error(c, -EREMOTEIO, HF_ERROR_HTTP_SERVER, hf_response_status(final),
			    resp ? hf_response_redfish_error(resp)
				 : hf_response_redfish_error(final),
			    "the pull update failed: the BMC reports %s%s%s", hf_task_state(final),
			    id ? ": " : "", id ? id : "");
	hf_response_free(resp);
	return -EREMOTEIO;
}

static int pull(hf_client *c, const char *uri, const hf_pull_options *o,
		struct json_object *report)
{
	struct json_object *body = json_object_new_object();
	hf_response *us = NULL, *resp = NULL, *final = NULL;
	const char *proto = NULL, *sigproto, *action = NULL, *state = NULL;
	char *target = NULL;
	int r;

	if (!body)
		return -ENOMEM;
	r = uri_check(c, "image URI", uri, &proto);
	if (r == 0 && o->compsig_uri)
		r = uri_check(c, "signature URI", o->compsig_uri, &sigproto);
	if (r == 0)
		r = hf_fw_update_service(c, &us);
	if (r == 0 && hf_fw_busy(hf_response_json(us), &state))
		r = hf_fwm_refuse(c, -EBUSY,
				  "the BMC's UpdateService is busy (%s); try again once it is done",
				  state);
	if (r == 0)
		r = plan(c, hf_response_json(us), uri, proto, o, &target, body, &action);
	if (r == 0)
		r = hf_fwm_send(c, "POST", target, body, &resp);
	if (r == 0) {
		json_object_object_add(report, "ImageURI", json_object_new_string(uri));
		json_object_object_add(report, "Action", json_object_new_string(action));
	}
	if (r == 0 && o->wait) {
		r = hf_firmware_wait(c, resp, o->wait_timeout_ms, o->progress,
				     o->progress_userdata, &final);
		if (r == 0 && strcmp(hf_task_state(final), "Completed") != 0)
			r = failed(c, final);
	}
	if (r == 0)
		json_object_object_add(report, "Outcome",
				       json_object_new_string(o->wait ? "completed" : "started"));
	hf_response_free(final);
	hf_response_free(resp);
	hf_response_free(us);
	json_object_put(body);
	free(target);
	return r;
}

_hf_public_ int hf_firmware_pull(hf_client *c, const char *uri, const hf_pull_options *o,
				 struct json_object **report)
{
	static const hf_pull_options defaults = HF_PULL_OPTIONS_INIT;
	struct json_object *rep;
	int r;

	if (!c || !uri || !report)
		return -EINVAL;
	if (!o)
		o = &defaults;
	HF_OPERATION(c);
	if (o->version != HF_PULL_OPTIONS_VERSION)
		return hf_fwm_refuse(c, -EINVAL, "invalid hf_pull_options (version %u)", o->version);
	rep = json_object_new_object();
	if (!rep)
		return -ENOMEM;
	r = pull(c, uri, o, rep);
	if (r < 0) {
		json_object_put(rep);
		return r;
	}
	*report = rep;
	return 0;
}

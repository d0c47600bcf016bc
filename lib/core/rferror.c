/* SPDX-License-Identifier: MIT */
/*
 * rferror.c - Redfish error bodies in both dialects.
 *
 * iLO's short form:  {"error": {"code": "iLO.0.10.ExtendedInfo", "message": "See ...",
 *                     "@Message.ExtendedInfo": [{"MessageId": "Base.1.4.NoValidSession"}]}}
 * DMTF's full form:  each ExtendedInfo entry also has Message, MessageArgs, Severity (or
 *                    MessageSeverity) and Resolution.
 * Short-form entries are completed from the built-in Base registry (hf_message.completed), and
 * later, on request, from the BMC's own registries (regcache.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

#define MAX_ENTRIES 256
#define MAX_ARGS 32

struct hf_redfish_error {
	int refs;
	char *code;
	char *message;
	hf_message *infos;
	size_t n_infos;
};

static const struct {
	const char *name;
	int code;
} known_ids[] = {
	{ "Success", HF_RF_SUCCESS },
	{ "NoValidSession", HF_RF_NO_VALID_SESSION },
	{ "AccessDenied", HF_RF_ACCESS_DENIED },
	{ "InsufficientPrivilege", HF_RF_ACCESS_DENIED },
	{ "SessionLimitExceeded", HF_RF_SESSION_LIMIT_EXCEEDED },
	{ "PasswordChangeRequired", HF_RF_PASSWORD_CHANGE_REQUIRED },
	{ "PreconditionFailed", HF_RF_PRECONDITION_FAILED },
	{ "ResourceMissingAtURI", HF_RF_RESOURCE_MISSING },
	{ "ResourceNotFound", HF_RF_RESOURCE_MISSING },
	{ "PropertyUnknown", HF_RF_PROPERTY_UNKNOWN },
	{ "PropertyNotWritable", HF_RF_PROPERTY_NOT_WRITABLE },
	{ "MalformedJSON", HF_RF_MALFORMED_JSON },
	{ "ServiceTemporarilyUnavailable", HF_RF_SERVICE_UNAVAILABLE },
	{ "ServiceShuttingDown", HF_RF_SERVICE_UNAVAILABLE },
};

int hf_rferror_code_of(const char *message_id)
{
	const char *name;
	size_t i;

	if (!message_id || !*message_id)
		return HF_RF_NONE;
	/* "Registry.Major.Minor.Name": the name decides, whichever registry it is in */
	name = strrchr(message_id, '.');
	name = name ? name + 1 : message_id;
	for (i = 0; i < HF_ARRAY_SIZE(known_ids); i++)
		if (strcmp(name, known_ids[i].name) == 0)
			return known_ids[i].code;
	return HF_RF_OTHER;
}

static char *dup_string_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return hf_strndup_bounded(json_object_get_string(v), (size_t)json_object_get_string_len(v),
				  HF_MESSAGE_TEXT_MAX);
}

static void message_clear(hf_message *m)
{
	size_t i;

	free((char *)m->message_id);
	free((char *)m->message);
	free((char *)m->severity);
	free((char *)m->resolution);
	for (i = 0; i < m->n_message_args; i++)
		free((char *)m->message_args[i]);
	free((char **)m->message_args);
	memset(m, 0, sizeof(*m));
}

static int parse_args(struct json_object *entry, hf_message *m)
{
	struct json_object *arr;
	size_t i, n;
	char **args;

	if (!json_object_object_get_ex(entry, "MessageArgs", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	n = json_object_array_length(arr);
	if (n > MAX_ARGS)
		n = MAX_ARGS;
	if (n == 0)
		return 0;
	args = calloc(n, sizeof(*args));
	if (!args)
		return -ENOMEM;
	m->message_args = (const char *const *)args;
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);

		/* numbers and booleans are arguments too; they are shown as JSON text */
		const char *text = json_object_is_type(a, json_type_string)
					   ? json_object_get_string(a)
					   : json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);

		args[i] = text ? hf_strndup_bounded(text, strlen(text), HF_MESSAGE_ARG_MAX) : NULL;
		if (!args[i])
			return -ENOMEM;
		m->n_message_args = i + 1;
	}
	return 0;
}

static int complete(hf_message *m, const struct hf_registry_entry *reg)
{
	if (!m->message) {
		m->message = hf_registry_format(reg->message, m->message_args, m->n_message_args);
		if (!m->message)
			return -ENOMEM;
		m->completed = 1;
	}
	if (!m->severity && reg->severity[0]) {
		m->severity = hf_strdup(reg->severity);
		if (!m->severity)
			return -ENOMEM;
		m->completed = 1;
	}
	if (!m->resolution && reg->resolution[0]) {
		m->resolution = hf_strdup(reg->resolution);
		if (!m->resolution)
			return -ENOMEM;
		m->completed = 1;
	}
	return 0;
}

size_t hf_rferror_incomplete(const hf_redfish_error *err, const char **ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; err && i < err->n_infos; i++)
		if (err->infos[i].message_id && !err->infos[i].message) {
			if (n < max && ids)
				ids[n] = err->infos[i].message_id;
			n++;
		}
	return n;
}

int hf_rferror_complete_entry(hf_redfish_error *err, size_t i,
			      const struct hf_registry_entry *reg)
{
	if (!err || i >= err->n_infos || !reg || !reg->message)
		return -EINVAL;
	return complete(&err->infos[i], reg);
}

static int parse_entry(struct json_object *entry, hf_message *m)
{
	const struct hf_registry_entry *reg;

	m->message_id = dup_string_member(entry, "MessageId");
	m->message = dup_string_member(entry, "Message");
	m->severity = dup_string_member(entry, "Severity");
	if (!m->severity)
		m->severity = dup_string_member(entry, "MessageSeverity");
	m->resolution = dup_string_member(entry, "Resolution");
	if (parse_args(entry, m) < 0)
		return -ENOMEM;

	reg = hf_registry_lookup(m->message_id);
	if (!reg)
		return 0;
	return complete(m, reg);
}

hf_redfish_error *hf_rferror_parse(struct json_object *body)
{
	struct json_object *error = NULL, *ext = NULL;
	hf_redfish_error *err;
	size_t i, n;

	if (!body || !json_object_is_type(body, json_type_object))
		return NULL;
	if (json_object_object_get_ex(body, "error", &error) &&
	    json_object_is_type(error, json_type_object))
		json_object_object_get_ex(error, "@Message.ExtendedInfo", &ext);
	else if (json_object_object_get_ex(body, "@Message.ExtendedInfo", &ext))
		error = NULL;
	else
		return NULL;
	if (ext && !json_object_is_type(ext, json_type_array))
		ext = NULL;

	err = calloc(1, sizeof(*err));
	if (!err)
		return NULL;
	err->refs = 1;
	if (error) {
		err->code = dup_string_member(error, "code");
		err->message = dup_string_member(error, "message");
	}
	n = ext ? json_object_array_length(ext) : 0;
	if (n > MAX_ENTRIES)
		n = MAX_ENTRIES;
	if (n) {
		err->infos = calloc(n, sizeof(*err->infos));
		if (!err->infos)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct json_object *entry = json_object_array_get_idx(ext, i);

		if (!json_object_is_type(entry, json_type_object))
			continue;
		if (parse_entry(entry, &err->infos[err->n_infos]) < 0) {
			err->n_infos++;
			goto fail;
		}
		err->n_infos++;
	}
	return err;
fail:
	hf_rferror_unref(err);
	return NULL;
}

hf_redfish_error *hf_rferror_ref(hf_redfish_error *err)
{
	if (err)
		__atomic_add_fetch(&err->refs, 1, __ATOMIC_RELAXED);
	return err;
}

void hf_rferror_unref(hf_redfish_error *err)
{
	size_t i;

	if (!err || __atomic_sub_fetch(&err->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (i = 0; i < err->n_infos; i++)
		message_clear(&err->infos[i]);
	free(err->infos);
	free(err->code);
	free(err->message);
	free(err);
}

bool hf_rferror_has(const hf_redfish_error *err, int code)
{
	size_t i;

	if (!err)
		return false;
	for (i = 0; i < err->n_infos; i++)
		if (hf_rferror_code_of(err->infos[i].message_id) == code)
			return true;
	return hf_rferror_code_of(err->code) == code;
}

_hf_public_ const char *hf_redfish_error_code(const hf_redfish_error *err)
{
	return err ? err->code : NULL;
}

_hf_public_ const char *hf_redfish_error_message(const hf_redfish_error *err)
{
	return err ? err->message : NULL;
}

_hf_public_ size_t hf_redfish_error_count(const hf_redfish_error *err)
{
	return err ? err->n_infos : 0;
}

_hf_public_ const hf_message *hf_redfish_error_info(const hf_redfish_error *err, size_t i)
{
	if (!err || i >= err->n_infos)
		return NULL;
	return &err->infos[i];
}

_hf_public_ int hf_redfish_error_class(const hf_redfish_error *err)
{
	size_t i;

	if (!err)
		return HF_RF_NONE;
	for (i = 0; i < err->n_infos; i++) {
		int c = hf_rferror_code_of(err->infos[i].message_id);

		if (c != HF_RF_OTHER && c != HF_RF_NONE)
			return c;
	}
	if (err->n_infos)
		return hf_rferror_code_of(err->infos[0].message_id);
	return hf_rferror_code_of(err->code);
}

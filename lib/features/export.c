/* SPDX-License-Identifier: MIT */
/*
 * export.c - the writable, non-volatile properties of resources, as a desired state that
 * hf_apply() takes back: applied to the same server it changes nothing and sends no PATCH.
 *
 * Which properties:
 *   - a resource that names an AttributeRegistry (the BIOS): "Attributes" with the attributes
 *     the registry lets be written and read back (not ReadOnly, Immutable, WriteOnly or
 *     Hidden, not a Password: hf_attrreg_exportable());
 *   - any other resource: the properties its JSON schema marks "readonly": false, found
 *     through /redfish/v1/JsonSchemas (the member named like the resource's type, with or
 *     without its version; its Location "Uri").  HPE's schema store gives each property a
 *     "readonly" flag and nested "properties"; DMTF's versioned schemas put them under
 *     "definitions" (local "$ref"s are followed).  Objects are walked into; a property
 *     without "readonly": false is left out (status, readings, links: read-only or volatile).
 * Left out everywhere: @odata and other annotations, nulls (what a BMC never reads back, a
 * Password), secret keys (hf_mask_is_secret_key()), empty objects.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "attrreg-private.h"

#define SCHEMAS_PATH "/redfish/v1/JsonSchemas/"
#define MAX_PATHS 256
#define MAX_DEPTH 16

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static const char *str_of(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* GET path: the JSON object (new reference) or NULL, *r the error (-EIO for a non-200). */
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

static char *link_path(hf_client *c, const char *link, const char *base)
{
	char *path = NULL;

	if (!link || hf_location_to_path(link, base, c->origin, &path) < 0)
		return NULL;
	if (hf_path_check(path) < 0 || strstr(path, "/../") || strchr(path, '?')) {
		free(path);
		return NULL;
	}
	return path;
}

/* ---- the BIOS: its attribute registry ---- */

static int export_attributes(hf_client *c, struct json_object *res, struct json_object *out)
{
	struct json_object *reg = NULL, *attrs = member(res, "Attributes"), *keep;
	const char *name = str_of(res, "AttributeRegistry");
	int r;

	r = hf_attrreg_get(c, name, &reg);
	if (r < 0) {
		hf_client_set_error(c, r, r == -ENOMEM ? HF_ERROR_RESOURCE : HF_ERROR_PROTOCOL, 0,
				    NULL, "the attribute registry %.128s cannot be read: %s", name,
				    strerror(-r));
		return r;
	}
	keep = json_object_new_object();
	if (!keep || json_object_object_add(out, "Attributes", keep) < 0) {
		json_object_put(keep);
		json_object_put(reg);
		return -ENOMEM;
	}
	json_object_object_foreach(attrs, k, v)
	{
		struct json_object *def = member(member(reg, "attributes"), k);

		if (!def || !hf_attrreg_exportable(def) || !v || hf_mask_is_secret_key(k))
			continue;
		if (json_object_object_add(keep, k, json_object_get(v)) < 0) {
			json_object_put(reg);
			return -ENOMEM;
		}
	}
	json_object_put(reg);
	return 0;
}

/* ---- anything else: its JSON schema ---- */

/* "#ComputerSystem.v1_10_0.ComputerSystem": the namespace with and without version */
static int schema_names(const char *type, char *full, size_t len, char *base, size_t blen)
{
	const char *t = type[0] == '#' ? type + 1 : type, *dot;

	if (!*t || strlen(t) >= len)
		return -EINVAL;
	snprintf(full, len, "%s", t);
	dot = strchr(t, '.');
	snprintf(base, blen, "%.*s", (int)(dot ? (size_t)(dot - t) : strlen(t)), t);
	return 0;
}

static bool last_segment_is(const char *path, const char *name)
{
	size_t n = strlen(path), k = strlen(name);

	while (n && path[n - 1] == '/')
		n--;
	return n > k && path[n - k - 1] == '/' && strncmp(path + n - k, name, k) == 0;
}

/* The schema document of a resource's @odata.type (new reference), or NULL. */
static struct json_object *schema_of(hf_client *c, struct json_object *res, int *r)
{
	char full[256], base[128];
	struct json_object *coll, *members, *file = NULL, *doc = NULL;
	_cleanup_free_ char *file_path = NULL, *uri = NULL;
	size_t i, n;

	*r = -ENOENT;
	if (!str_of(res, "@odata.type") ||
	    schema_names(str_of(res, "@odata.type"), full, sizeof(full), base, sizeof(base)) < 0)
		return NULL;
	coll = fetch(c, SCHEMAS_PATH, r);
	members = member(coll, "Members");
	n = json_object_is_type(members, json_type_array) ? json_object_array_length(members) : 0;
	for (i = 0; i < n && !file_path; i++) {
		const char *id = str_of(json_object_array_get_idx(members, i), "@odata.id");

		if (id && (last_segment_is(id, full) || last_segment_is(id, base)))
			file_path = link_path(c, id, SCHEMAS_PATH);
	}
	json_object_put(coll);
	if (file_path)
		file = fetch(c, file_path, r);
	if (file) {
		struct json_object *locs = member(file, "Location");

		for (i = 0; json_object_is_type(locs, json_type_array) &&
			    i < json_object_array_length(locs) && !uri;
		     i++)
			uri = link_path(c, str_of(json_object_array_get_idx(locs, i), "Uri"),
					file_path);
		json_object_put(file);
	}
	if (uri)
		doc = fetch(c, uri, r);
	if (!doc && *r == 0)
		*r = -ENOENT;
	return doc;
}

/* A local "$ref" ("#/definitions/Name") resolved in doc, else def itself. */
static struct json_object *deref(struct json_object *doc, struct json_object *def)
{
	const char *ref = str_of(def, "$ref");

	if (ref && strncmp(ref, "#/definitions/", 14) == 0)
		return member(member(doc, "definitions"), ref + 14);
	return def;
}

/* NOLINTNEXTLINE(misc-no-recursion): bounded by depth */
static int keep_writable(struct json_object *doc, struct json_object *props,
			 struct json_object *res, struct json_object *out, int depth)
{
	if (depth > MAX_DEPTH)
		return 0;
	json_object_object_foreach(res, k, v)
	{
		struct json_object *def = deref(doc, member(props, k)), *ro;

		if (!def || strchr(k, '@') || hf_mask_is_secret_key(k) || !v)
			continue;
		ro = member(def, "readonly");
		if (!json_object_is_type(ro, json_type_boolean) || json_object_get_boolean(ro))
			continue;
		if (json_object_is_type(v, json_type_object)) {
			struct json_object *sub = json_object_new_object();
			int r;

			if (!sub)
				return -ENOMEM;
			r = keep_writable(doc, member(def, "properties"), v, sub, depth + 1);
			if (r < 0 || json_object_object_length(sub) == 0) {
				json_object_put(sub);
				if (r < 0)
					return r;
				continue;
			}
			if (json_object_object_add(out, k, sub) < 0)
				return -ENOMEM;
			continue;
		}
		if (json_object_object_add(out, k, json_object_get(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int export_schema(hf_client *c, struct json_object *res, struct json_object *out)
{
	struct json_object *doc, *props;
	char full[256], base[128];
	int r;

	doc = schema_of(c, res, &r);
	if (!doc) {
		if (r != -ENOMEM)
			hf_client_set_error(c, r, HF_ERROR_PROTOCOL, 0, NULL,
					    "no JSON schema for %.128s on the BMC: which properties "
					    "are writable is not known",
					    str_of(res, "@odata.type") ? str_of(res, "@odata.type")
								       : "a resource without @odata.type");
		return r;
	}
	props = member(doc, "properties");
	if (!props && schema_names(str_of(res, "@odata.type"), full, sizeof(full), base,
				   sizeof(base)) == 0)
		props = member(member(member(doc, "definitions"), base), "properties");
	r = keep_writable(doc, props, res, out, 0);
	json_object_put(doc);
	return r;
}

_hf_public_ int hf_export(hf_client *c, const char *const *paths, size_t n,
			  struct json_object **ret)
{
	struct json_object *state;
	size_t i;
	int r = 0;

	if (!c || !ret || (!paths && n))
		return -EINVAL;
	HF_OPERATION(c);
	if (n == 0 || n > MAX_PATHS) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "export: 1 to %d resource paths", MAX_PATHS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!hf_startswith(paths[i], "/redfish/v1/") || hf_path_check(paths[i]) < 0 ||
		    strpbrk(paths[i], "?#\\") || strstr(paths[i], "..")) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "export: \"%.128s\": a resource path must start with "
					    "/redfish/v1/, without a query or '..'",
					    paths[i]);
			return -EINVAL;
		}
	state = json_object_new_object();
	for (i = 0; state && i < n && r == 0; i++) {
		struct json_object *res = fetch(c, paths[i], &r), *out;

		if (!res)
			break;
		out = json_object_new_object();
		if (!out || json_object_object_add(state, paths[i], out) < 0) {
			json_object_put(out);
			r = -ENOMEM;
		} else if (str_of(res, "AttributeRegistry") && member(res, "Attributes")) {
			r = export_attributes(c, res, out);
		} else {
			r = export_schema(c, res, out);
		}
		json_object_put(res);
	}
	if (!state)
		r = -ENOMEM;
	if (r < 0) {
		json_object_put(state);
		if (r == -ENOMEM)
			hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL, "export: out of memory");
		return r;
	}
	*ret = state;
	return 0;
}

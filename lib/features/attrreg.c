/* SPDX-License-Identifier: MIT */
/*
 * attrreg.c - a BMC's attribute registries (DMTF AttributeRegistry), found through
 * /redfish/v1/Registries and cached per BMC like the message registries (regcache.c).
 *
 * Where it comes from (iLO 5: Bios "AttributeRegistry": "BiosAttributeRegistryA47.v1_2_58"):
 *   GET /redfish/v1/Registries/                    the member named like the registry
 *   GET /redfish/v1/Registries/NAME/               MessageRegistryFile: "Location":
 *                                                  [{"Language": "en", "Uri": ...}]
 *   GET the Location's Uri                         AttributeRegistry: "RegistryEntries":
 *                                                  {"Attributes": [...], "Dependencies"}
 * The document is large (1.2 MB for A47); only what the checks and export use is kept.
 *
 * The cache: $HOSTFISH_STATE_DIR/registries/KEY.attributes.json (0600 in 0700 directories,
 * replaced atomically): {"format": 1, "endpoint": E, "registries": {NAME: {"stored_at": T,
 * "registry": trimmed}}}.  A registry's name carries its version, so an entry stays right
 * until the BMC's firmware changes it; entries older than HF_REGISTRY_CACHE_TTL_S are read
 * again all the same.  At most HF_ATTRREG_CACHED registries are kept.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "atomic-write.h"
#include "attrreg-private.h"
#include "hostif.h"

#define CACHE_FORMAT 1
#define REGISTRIES_PATH "/redfish/v1/Registries/"

static struct json_object *member(struct json_object *obj, const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* ---- trimming ---- */

static int keep(struct json_object *to, struct json_object *from, const char *key, json_type t)
{
	struct json_object *v = member(from, key, t);

	if (!v && t == json_type_double)
		v = member(from, key, json_type_int);
	if (!v)
		return 0;
	return json_object_object_add(to, key, json_object_get(v)) < 0 ? -ENOMEM : 0;
}

static int trim_attribute(struct json_object *a, struct json_object *attrs)
{
	static const char *const flags[] = { "ReadOnly", "GrayOut", "Immutable", "WriteOnly",
					     "Hidden" };
	static const char *const numbers[] = { "LowerBound", "UpperBound", "ScalarIncrement",
					       "MinLength", "MaxLength" };
	struct json_object *name = member(a, "AttributeName", json_type_string);
	struct json_object *t, *values, *names;
	size_t i;

	if (!name || !member(a, "Type", json_type_string))
		return 0; /* not one we can check: left out */
	t = json_object_new_object();
	if (!t || json_object_object_add(attrs, json_object_get_string(name), t) < 0) {
		json_object_put(t);
		return -ENOMEM;
	}
	if (keep(t, a, "Type", json_type_string) < 0 ||
	    keep(t, a, "ValueExpression", json_type_string) < 0)
		return -ENOMEM;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (keep(t, a, flags[i], json_type_boolean) < 0)
			return -ENOMEM;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		if (keep(t, a, numbers[i], json_type_int) < 0)
			return -ENOMEM;
	values = member(a, "Value", json_type_array);
	if (!values)
		return 0;
	names = json_object_new_array();
	if (!names || json_object_object_add(t, "Values", names) < 0) {
		json_object_put(names);
		return -ENOMEM;
	}
	for (i = 0; i < json_object_array_length(values); i++) {
		struct json_object *vn = member(json_object_array_get_idx(values, i), "ValueName",
						json_type_string);

		if (vn && json_object_array_add(names, json_object_get(vn)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int hf_attrreg_trim(struct json_object *doc, const char *name, struct json_object **ret)
{
	struct json_object *entries = member(doc, "RegistryEntries", json_type_object);
	struct json_object *list = member(entries, "Attributes", json_type_array);
	struct json_object *deps = member(entries, "Dependencies", json_type_array);
	struct json_object *id = member(doc, "Id", json_type_string);
	struct json_object *out, *attrs, *maps;
	size_t i;

	*ret = NULL;
	if (!list || !id || strcasecmp(json_object_get_string(id), name) != 0)
		return -EPROTO;
	out = json_object_new_object();
	attrs = json_object_new_object();
	maps = json_object_new_array();
	if (!out || json_object_object_add(out, "attributes", attrs) < 0) {
		json_object_put(attrs);
		json_object_put(maps);
		goto nomem;
	}
	if (json_object_object_add(out, "dependencies", maps) < 0) {
		json_object_put(maps);
		goto nomem;
	}
	if (!attrs || !maps)
		goto nomem;
	for (i = 0; i < json_object_array_length(list); i++)
		if (trim_attribute(json_object_array_get_idx(list, i), attrs) < 0)
			goto nomem;
	for (i = 0; deps && i < json_object_array_length(deps); i++) {
		struct json_object *d = json_object_array_get_idx(deps, i);
		struct json_object *t = member(d, "Type", json_type_string);
		struct json_object *map = member(d, "Dependency", json_type_object);

		if (!t || strcmp(json_object_get_string(t), "Map") != 0 || !map)
			continue; /* the only type DMTF defines */
		if (json_object_array_add(maps, json_object_get(map)) < 0)
			goto nomem;
	}
	*ret = out;
	return 0;
nomem:
	json_object_put(out);
	return -ENOMEM;
}

bool hf_attrreg_exportable(struct json_object *attr)
{
	static const char *const flags[] = { "ReadOnly", "Immutable", "WriteOnly", "Hidden" };
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct json_object *v = member(attr, flags[i], json_type_boolean);

		if (v && json_object_get_boolean(v))
			return false;
	}
	return member(attr, "Type", json_type_string) &&
	       strcmp(json_object_get_string(member(attr, "Type", json_type_string)),
		      "Password") != 0;
}

/* ---- the cache ---- */

static char *cache_path(hf_client *c)
{
	char key[33];
	struct hf_buf b = { 0 };

	if (hf_endpoint_key(hf_client_endpoint(c), key, sizeof(key)) < 0)
		return NULL;
	if (hf_buf_printf(&b, "%s/registries/%s.attributes.json", hf_state_dir(), key) < 0)
		return NULL;
	return b.data;
}

/* The cache root for this endpoint (valid or new), a new reference; NULL on ENOMEM. */
static struct json_object *cache_load(hf_client *c, const char *path)
{
	struct json_object *root = NULL, *v;
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (hf_read_private(path, HF_ATTRREG_CACHE_MAX, &text, &len) == 0)
		root = hf_json_parse(text, len);
	v = member(root, "format", json_type_int);
	if (!v || json_object_get_int(v) != CACHE_FORMAT ||
	    !member(root, "registries", json_type_object) ||
	    !(v = member(root, "endpoint", json_type_string)) ||
	    strcmp(json_object_get_string(v), hf_client_endpoint(c)) != 0) {
		json_object_put(root);
		root = json_object_new_object();
		if (!root ||
		    json_object_object_add(root, "format", json_object_new_int(CACHE_FORMAT)) < 0 ||
		    json_object_object_add(root, "endpoint",
					   json_object_new_string(hf_client_endpoint(c))) < 0 ||
		    json_object_object_add(root, "registries", json_object_new_object()) < 0) {
			json_object_put(root);
			return NULL;
		}
	}
	return root;
}

/* The cached registry NAME if fresh (borrowed from root), else NULL. */
static struct json_object *cache_find(struct json_object *root, const char *name)
{
	struct json_object *e = member(member(root, "registries", json_type_object), name,
				       json_type_object);
	struct json_object *at = member(e, "stored_at", json_type_int);
	struct json_object *reg = member(e, "registry", json_type_object);
	long long now = (long long)time(NULL), t;

	if (!at || !reg || !member(reg, "attributes", json_type_object) ||
	    !member(reg, "dependencies", json_type_array))
		return NULL;
	t = (long long)json_object_get_int64(at);
	if (t > now + 3600 || now - t > HF_REGISTRY_CACHE_TTL_S)
		return NULL;
	return reg;
}

static int cache_put(struct json_object *root, const char *name, struct json_object *reg)
{
	struct json_object *regs = member(root, "registries", json_type_object);
	struct json_object *e = json_object_new_object();

	if (!e || !regs)
		goto nomem;
	if (json_object_object_length(regs) >= HF_ATTRREG_CACHED &&
	    !json_object_object_get_ex(regs, name, NULL)) {
		/* full: start over rather than grow */
		regs = json_object_new_object();
		if (!regs || json_object_object_add(root, "registries", regs) < 0)
			goto nomem;
	}
	if (json_object_object_add(e, "stored_at", json_object_new_int64((int64_t)time(NULL))) < 0 ||
	    json_object_object_add(e, "registry", json_object_get(reg)) < 0 ||
	    json_object_object_add(regs, name, e) < 0)
		goto nomem;
	return 0;
nomem:
	json_object_put(e);
	return -ENOMEM;
}

/* ---- fetching ---- */

/* GET path: the JSON object of a 200 answer (new reference), else NULL with *r set. */
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
		hf_log_debug(&c->log, "attribute registry: GET %s answered %d", path,
			     hf_response_status(resp));
		*r = hf_response_status(resp) == 404 ? -ENOENT : -EIO;
	}
	hf_response_free(resp);
	return json;
}

/* A path on this BMC for a link, or NULL (off-host, malformed). */
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

/* The last segment of a path equals name (case-insensitively, trailing slash or not). */
static bool names(const char *path, const char *name)
{
	size_t n = strlen(path), k = strlen(name);

	while (n && path[n - 1] == '/')
		n--;
	return n > k && path[n - k - 1] == '/' && strncasecmp(path + n - k, name, k) == 0;
}

/* The registry file (MessageRegistryFile) of NAME: its path, found in the collection. */
static char *find_file(hf_client *c, const char *name, int *r)
{
	struct json_object *coll = fetch(c, REGISTRIES_PATH, r), *members;
	char *found = NULL;
	size_t i, n;

	members = member(coll, "Members", json_type_array);
	n = members ? json_object_array_length(members) : 0;
	for (i = 0; i < n && !found; i++) {
		const char *id = json_object_get_string(
			member(json_object_array_get_idx(members, i), "@odata.id", json_type_string));

		if (id && names(id, name))
			found = link_path(c, id, REGISTRIES_PATH);
	}
	if (!found && *r == 0)
		*r = -ENOENT;
	json_object_put(coll);
	return found;
}

/* The Uri of the file's Location: English first, else the first one. */
static char *location_of(hf_client *c, struct json_object *file, const char *base)
{
	struct json_object *locs = member(file, "Location", json_type_array);
	const char *uri = NULL;
	size_t i, n = locs ? json_object_array_length(locs) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(locs, i);
		struct json_object *u = member(l, "Uri", json_type_string);
		struct json_object *lang = member(l, "Language", json_type_string);

		if (!u)
			continue;
		if (!uri || (lang && strcmp(json_object_get_string(lang), "en") == 0))
			uri = json_object_get_string(u);
		if (lang && strcmp(json_object_get_string(lang), "en") == 0)
			break;
	}
	return link_path(c, uri, base);
}

static int fetch_registry(hf_client *c, const char *name, struct json_object **ret)
{
	_cleanup_free_ char *file_path = NULL, *uri = NULL;
	struct json_object *file = NULL, *doc = NULL;
	int r;

	file_path = find_file(c, name, &r);
	if (!file_path)
		return r < 0 ? r : -ENOENT;
	file = fetch(c, file_path, &r);
	if (!file)
		return r;
	uri = location_of(c, file, file_path);
	json_object_put(file);
	if (!uri)
		return -ENOENT;
	doc = fetch(c, uri, &r);
	if (!doc)
		return r;
	r = hf_attrreg_trim(doc, name, ret);
	json_object_put(doc);
	return r;
}

int hf_attrreg_get(hf_client *c, const char *name, struct json_object **ret)
{
	_cleanup_free_ char *path = NULL;
	struct json_object *root, *reg = NULL;
	int r;

	*ret = NULL;
	if (!name || !*name || strlen(name) > 128 || strchr(name, '/'))
		return -EINVAL;
	path = cache_path(c);
	if (!path)
		return -ENOMEM;
	root = cache_load(c, path);
	if (!root)
		return -ENOMEM;
	reg = cache_find(root, name);
	if (reg) {
		*ret = json_object_get(reg);
		json_object_put(root);
		return 0;
	}
	r = fetch_registry(c, name, &reg);
	if (r < 0) {
		json_object_put(root);
		return r;
	}
	r = cache_put(root, name, reg);
	if (r == 0 && hf_regcache_store(c, path, root) < 0)
		hf_log_debug(&c->log, "attribute registry cache %s not written", path);
	json_object_put(root);
	if (r < 0) {
		json_object_put(reg);
		return r;
	}
	*ret = reg;
	return 0;
}

/* ---- what apply asks ---- */

int hf_apply_check(hf_client *c, struct json_object *current, struct json_object *pending,
		   struct json_object *desired, struct json_object *violations)
{
	struct json_object *name = member(current, "AttributeRegistry", json_type_string);
	struct json_object *want = member(desired, "Attributes", json_type_object);
	struct json_object *reg = NULL;
	int count, r;

	count = hf_allowable_check(current, desired, violations);
	if (count < 0 || !name || !want)
		return count;
	r = hf_attrreg_get(c, json_object_get_string(name), &reg);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		hf_log_warning(&c->log,
			       "apply: the attribute registry %.128s cannot be read (%s): the "
			       "attributes are not checked against it",
			       json_object_get_string(name), strerror(-r));
		return count;
	}
	r = hf_attrreg_check(reg, "/Attributes", member(current, "Attributes", json_type_object),
			     member(pending, "Attributes", json_type_object), want, violations);
	json_object_put(reg);
	return r < 0 ? r : count + r;
}

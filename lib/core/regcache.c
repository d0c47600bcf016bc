/* SPDX-License-Identifier: MIT */
/*
 * regcache.c - complete iLO's short-form errors (MessageId only) from the BMC's own message
 * registries, read once and cached per BMC.
 *
 * Where a registry comes from (DSP0266, "Message registries"):
 *   GET /redfish/v1/Registries/                   MessageRegistryFileCollection
 *   GET each member                               MessageRegistryFile: "Registry":
 *                                                 "iLO.2.14.0", "Location": [{"Uri": ...}]
 *   GET the Location's Uri                        MessageRegistry: RegistryPrefix,
 *                                                 RegistryVersion, Messages
 * A MessageId "iLO.2.14.Name" is served by any registry "iLO.2.x" (same prefix and major
 * version); the highest minor on the BMC is taken.  Only "Uri" locations on the BMC itself
 * are read: ArchiveUri (an archive) and PublicationUri (off-host) never are.
 *
 * The cache: $HOSTFISH_STATE_DIR/registries/KEY.json (KEY from the client's endpoint; the
 * directory 0700, the file 0600, replaced atomically), holding the index of the BMC's
 * registries and the messages of those registries that were needed:
 *   {"format": 1, "endpoint": E, "indexed_at": UNIX-TIME,
 *    "index": [{"prefix": "iLO", "major": 2, "minor": 14, "uri": "/redfish/v1/..."}],
 *    "registries": {"iLO.2": {"minor": 14, "messages": {Key: {"Message", "Severity",
 *                                                             "Resolution"}}}}}
 * It is input like any other: size-bounded, parsed strictly, every member type-checked, and
 * ignored (then rewritten) when it is not valid, belongs to another endpoint or is older than
 * HF_REGISTRY_CACHE_TTL_S.
 *
 * Bounds: one call makes at most 1 + HF_REGISTRY_MAX_FILES + HF_REGISTRY_MAX_FETCH requests
 * (cold cache; the collection and its files are one request where the BMC advertises $expand,
 * collection.c), none once the registries it needs are cached.  The registry requests are
 * plain hf_request() calls whose errors are never resolved in turn (no recursion).  No
 * request is made for a 401 answer, and none after a registry request is answered 401: the
 * registries need credentials, so the built-in Base registry is all there is then.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "hostif.h"

#define CACHE_FORMAT 1
#define MAX_CACHED_REGISTRIES 16
#define REGISTRIES_PATH "/redfish/v1/Registries/"

char *hf_regcache_path(const char *state_dir, const char *endpoint)
{
	struct hf_buf b = { 0 };
	char key[33];

	if (hf_endpoint_key(endpoint, key, sizeof(key)) < 0)
		return NULL;
	if (hf_buf_printf(&b, "%s/registries/%s.json", state_dir, key) < 0)
		return NULL;
	return b.data;
}

static struct json_object *member(struct json_object *obj, const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

struct json_object *hf_regcache_parse(const char *text, size_t len, const char *endpoint,
				      long long now)
{
	struct json_object *root, *v;
	long long at;

	if (len > HF_REGISTRY_CACHE_MAX)
		return NULL;
	root = hf_json_parse(text, len);
	if (!root)
		return NULL;
	v = member(root, "format", json_type_int);
	if (!v || json_object_get_int(v) != CACHE_FORMAT)
		goto bad;
	v = member(root, "endpoint", json_type_string);
	if (!v || strcmp(json_object_get_string(v), endpoint) != 0)
		goto bad;
	v = member(root, "indexed_at", json_type_int);
	if (!v)
		goto bad;
	at = (long long)json_object_get_int64(v);
	/* a clock set back by more than an hour also makes it stale */
	if (at > now + 3600 || now - at > HF_REGISTRY_CACHE_TTL_S)
		goto bad;
	if (!member(root, "index", json_type_array) || !member(root, "registries", json_type_object))
		goto bad;
	return root;
bad:
	json_object_put(root);
	return NULL;
}

static void cache_key(char *out, size_t len, const char *prefix, unsigned major)
{
	snprintf(out, len, "%s.%u", prefix, major);
}

int hf_regcache_complete(struct json_object *cache, hf_redfish_error *err)
{
	struct json_object *regs = member(cache, "registries", json_type_object);
	size_t i, n = hf_redfish_error_count(err);
	int done = 0;

	for (i = 0; regs && i < n; i++) {
		const hf_message *m = hf_redfish_error_info(err, i);
		char prefix[HF_REGISTRY_PREFIX_MAX], key[HF_REGISTRY_PREFIX_MAX + 16];
		struct hf_registry_entry e;
		unsigned major, minor;
		const char *name;
		int r;

		if (!m->message_id || m->message ||
		    hf_message_id_split(m->message_id, prefix, &major, &minor, &name) < 0)
			continue;
		cache_key(key, sizeof(key), prefix, major);
		if (hf_registry_entry_of(member(member(regs, key, json_type_object), "messages",
						json_type_object),
					 name, &e) < 0)
			continue;
		r = hf_rferror_complete_entry(err, i, &e);
		if (r < 0)
			return r;
		done++;
	}
	return done;
}

/* ---- reading and writing the cache file ---- */

static struct json_object *cache_load(const char *path, const char *endpoint)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (hf_read_private(path, HF_REGISTRY_CACHE_MAX, &text, &len) < 0)
		return NULL;
	return hf_regcache_parse(text, len, endpoint, (long long)time(NULL));
}

int hf_regcache_store(hf_client *c, const char *path, struct json_object *root)
{
	char dir[PATH_MAX], why[512];
	const char *text, *state = hf_state_dir();
	size_t len;
	int r;

	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (len > HF_REGISTRY_CACHE_MAX) {
		hf_log_debug(&c->log, "registry cache: %zu bytes is over the bound, not stored", len);
		return -EFBIG;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/registries", state) >= sizeof(dir))
		return -ENAMETOOLONG;
	r = hf_private_dir(state, why, sizeof(why));
	if (r == 0)
		r = hf_private_dir(dir, why, sizeof(why));
	if (r < 0) {
		hf_log_debug(&c->log, "registry cache not stored: %s", why);
		return r;
	}
	return hf_write_atomic(path, text, len);
}

/* ---- fetching ---- */

struct fetch {
	hf_client *c;
	unsigned requests; /* made by this call */
	bool denied; /* a registry request was answered 401: ask no more */
	struct json_object *root; /* the cache being filled */
	bool dirty;
};

/* GET path; the parsed JSON body of a 200 answer (a new reference), else NULL. */
static struct json_object *fetch_json(struct fetch *f, const char *path)
{
	hf_response *resp = NULL;
	struct json_object *json = NULL;

	f->requests++;
	if (hf_request(f->c, "GET", path, NULL, NULL, 0, &resp) < 0)
		return NULL;
	if (hf_response_status(resp) == 401)
		f->denied = true;
	if (hf_response_status(resp) == 200 && hf_response_json(resp))
		json = json_object_get(hf_response_json(resp));
	else
		hf_log_debug(&f->c->log, "registry: GET %s answered %d", path,
			     hf_response_status(resp));
	hf_response_free(resp);
	return json;
}

/* A path on this BMC for a link found in a registry document, or NULL (off-host, bad). */
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

static int build_index(struct fetch *f)
{
	/* what the index needs of each registry file: one request where the BMC $expands */
	static const char *const props[] = { "Registry", "Location", NULL };
	struct json_object *members = NULL, *index;
	size_t i, n;
	int r;

	f->requests++;
	r = hf_collection_get(f->c, REGISTRIES_PATH, props, &members);
	if (r < 0) {
		f->denied = r == -EACCES;
		hf_log_debug(&f->c->log, "registry: %s cannot be read (%s)", REGISTRIES_PATH,
			     strerror(-r));
		return r == -ENOMEM ? r : -ENOENT;
	}
	index = json_object_new_array();
	if (!index) {
		r = -ENOMEM;
		goto out;
	}
	n = json_object_array_length(members);
	if (n > HF_REGISTRY_MAX_FILES)
		n = HF_REGISTRY_MAX_FILES;
	for (i = 0; i < n; i++) {
		struct json_object *file = json_object_array_get_idx(members, i);
		_cleanup_free_ char *path = NULL, *uri = NULL;
		char prefix[HF_REGISTRY_PREFIX_MAX];
		const char *reg, *loc;
		unsigned major, minor;

		path = link_path(f->c,
				 json_object_get_string(member(file, "@odata.id", json_type_string)),
				 REGISTRIES_PATH);
		if (!path)
			continue;
		if (hf_registry_file_parse(file, &reg, &loc) == 0 &&
		    hf_registry_version_split(reg, prefix, &major, &minor, NULL) == 0 &&
		    (uri = link_path(f->c, loc, path))) {
			struct json_object *e = json_object_new_object();

			if (!e || json_object_array_add(index, e) < 0 ||
			    json_object_object_add(e, "prefix", json_object_new_string(prefix)) < 0 ||
			    json_object_object_add(e, "major", json_object_new_int((int)major)) < 0 ||
			    json_object_object_add(e, "minor", json_object_new_int((int)minor)) < 0 ||
			    json_object_object_add(e, "uri", json_object_new_string(uri)) < 0) {
				json_object_put(index);
				r = -ENOMEM;
				goto out;
			}
		}
	}
	json_object_object_add(f->root, "index", index);
	json_object_object_add(f->root, "indexed_at", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(f->root, "registries", json_object_new_object());
	f->dirty = true;
	r = 0;
out:
	json_object_put(members);
	return r;
}

/* The registry serving prefix/major: fetched, trimmed and put in the cache. */
static int fetch_registry(struct fetch *f, const char *prefix, unsigned major, const char *key)
{
	struct json_object *index = member(f->root, "index", json_type_array), *best = NULL;
	struct json_object *doc, *trimmed = NULL, *regs;
	int best_minor = -1, r;
	size_t i, n = index ? json_object_array_length(index) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(index, i);
		struct json_object *p = member(e, "prefix", json_type_string);
		struct json_object *ma = member(e, "major", json_type_int);
		struct json_object *mi = member(e, "minor", json_type_int);

		if (!p || !ma || !mi || !member(e, "uri", json_type_string) ||
		    strcmp(json_object_get_string(p), prefix) != 0 ||
		    json_object_get_int(ma) != (int)major || json_object_get_int(mi) <= best_minor)
			continue;
		best = e;
		best_minor = json_object_get_int(mi);
	}
	if (!best)
		return -ENOENT; /* the BMC has no such registry: the index says so, no request */
	doc = fetch_json(f, json_object_get_string(member(best, "uri", json_type_string)));
	if (!doc)
		return -EIO;
	r = hf_registry_trim(doc, prefix, major, &trimmed);
	json_object_put(doc);
	if (r < 0)
		return r;
	regs = member(f->root, "registries", json_type_object);
	if (!regs || json_object_object_length(regs) >= MAX_CACHED_REGISTRIES) {
		/* full: start over with this one rather than grow without bound */
		regs = json_object_new_object();
		if (!regs || json_object_object_add(f->root, "registries", regs) < 0) {
			json_object_put(trimmed);
			return -ENOMEM;
		}
	}
	if (json_object_object_add(regs, key, trimmed) < 0) {
		json_object_put(trimmed);
		return -ENOMEM;
	}
	f->dirty = true;
	return 0;
}

static struct json_object *new_root(const char *endpoint)
{
	struct json_object *root = json_object_new_object();

	if (!root || json_object_object_add(root, "format", json_object_new_int(CACHE_FORMAT)) < 0 ||
	    json_object_object_add(root, "endpoint", json_object_new_string(endpoint)) < 0) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

_hf_public_ int hf_client_resolve_messages(hf_client *c, hf_response *resp)
{
	hf_redfish_error *err;
	struct fetch f = { 0 };
	_cleanup_free_ char *path = NULL;
	const char *endpoint;
	unsigned fetched = 0;
	bool may_fetch, indexed;
	size_t i, n;
	int r, done = 0;

	if (!c || !resp)
		return -EINVAL;
	err = (hf_redfish_error *)hf_response_redfish_error(resp);
	if (!err || hf_rferror_incomplete(err, NULL, 0) == 0)
		return 0;
	endpoint = hf_client_endpoint(c);
	path = hf_regcache_path(hf_state_dir(), endpoint);
	if (!path)
		return -ENOMEM;

	f.c = c;
	f.root = cache_load(path, endpoint);
	indexed = f.root != NULL;
	if (f.root) {
		r = hf_regcache_complete(f.root, err);
		if (r < 0)
			goto out;
		done += r;
	}
	/* the registries need credentials (unless the transport brings them: the agent, CHIF in
	 * the Production state): after a 401 only the built-in Base registry is left, and asking
	 * would only fail again */
	may_fetch = hf_response_status(resp) != 401;
	n = hf_redfish_error_count(err);
	for (i = 0; may_fetch && !f.denied && i < n && fetched < HF_REGISTRY_MAX_FETCH; i++) {
		const hf_message *m = hf_redfish_error_info(err, i);
		char prefix[HF_REGISTRY_PREFIX_MAX], key[HF_REGISTRY_PREFIX_MAX + 16];
		struct hf_registry_entry e;
		unsigned major, minor;
		const char *name;

		if (!m->message_id || m->message ||
		    hf_message_id_split(m->message_id, prefix, &major, &minor, &name) < 0)
			continue;
		cache_key(key, sizeof(key), prefix, major);
		if (member(member(f.root, "registries", json_type_object), key, json_type_object))
			continue; /* cached, and the message is not in it */
		if (!indexed) {
			json_object_put(f.root);
			f.root = new_root(endpoint);
			if (!f.root) {
				r = -ENOMEM;
				goto out;
			}
			r = build_index(&f);
			if (r == -ENOMEM)
				goto out;
			if (r < 0) {
				hf_log_debug(&c->log, "registry: the BMC's registries cannot be read; "
						      "the built-in Base registry is used");
				break;
			}
			indexed = true;
		}
		fetched++;
		r = fetch_registry(&f, prefix, major, key);
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			hf_log_debug(&c->log, "registry: no registry %s on the BMC for %s (%s)", key,
				     m->message_id, strerror(-r));
			continue;
		}
		if (hf_registry_entry_of(member(member(member(f.root, "registries",
								json_type_object),
							 key, json_type_object),
						  "messages", json_type_object),
					 name, &e) == 0) {
			r = hf_rferror_complete_entry(err, i, &e);
			if (r < 0)
				goto out;
			done++;
		}
	}
	/* later entries of a registry fetched above */
	if (f.dirty) {
		r = hf_regcache_complete(f.root, err);
		if (r < 0)
			goto out;
		done += r;
		r = hf_regcache_store(c, path, f.root);
		if (r < 0)
			hf_log_debug(&c->log, "registry cache %s not written: %s", path, strerror(-r));
	}
	hf_log_debug(&c->log, "registry: %d message(s) completed with %u request(s)", done,
		     f.requests);
	r = done;
out:
	json_object_put(f.root);
	return r;
}

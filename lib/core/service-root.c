/* SPDX-License-Identifier: MIT */
/*
 * service-root.c - the service root's links and ProtocolFeaturesSupported, kept per BMC so
 * that commands that need them do not read /redfish/v1/ every time.
 *
 * The cache: $HOSTFISH_STATE_DIR/service-root/KEY.json (KEY from the client's endpoint; the
 * directory 0700, the file 0600, replaced atomically):
 *   {"format": 1, "endpoint": E, "validated_at": UNIX-TIME, "etag": "W/\"...\"" | null,
 *    "firmware": "2.70" | null, "links": {"UpdateService": "/redfish/v1/UpdateService/",
 *    "Links/Sessions": "/redfish/v1/SessionService/Sessions/", ...},
 *    "features": {ProtocolFeaturesSupported as the BMC gave it} | null,
 *    "query_broken": true (only when set)}
 * Like any input it is size-bounded, parsed strictly and ignored when it is not valid or
 * belongs to another endpoint.
 *
 * When it is read and when it goes:
 * - A command that needs a link or the features takes them from the file without a request
 *   while it is younger than HF_SERVICE_ROOT_TTL_S; older, it is revalidated once per client
 *   with GET /redfish/v1/ and If-None-Match: its ETag (304: kept, its age reset).
 * - Any 200 answer to a GET of the service root (status reads it in full anyway) replaces
 *   it when its ETag or its firmware version (iLO: Oem.Hpe.Manager[0].ManagerFirmwareVersion)
 *   differs: a firmware change drops the old links and features.
 * - hf_client_forget_service_root() drops it (file included) after a BMC reset.
 * - A cached link that answers 404, or an advertised $expand answered wrongly, makes the
 *   caller revalidate (hf_service_root_link_dup(..., true), collection.c).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "hostif.h"
#include "service-root.h"

#define CACHE_FORMAT 1
#define ROOT_PATH "/redfish/v1/"
#define MAX_LINKS 64

void hf_root_cache_init(struct hf_root_cache *rc)
{
	pthread_mutex_init(&rc->lock, NULL);
	rc->doc = NULL;
	rc->loaded = false;
	rc->confirmed = false;
}

void hf_root_cache_fini(struct hf_root_cache *rc)
{
	json_object_put(rc->doc);
	rc->doc = NULL;
	pthread_mutex_destroy(&rc->lock);
}

char *hf_service_root_path(const char *state_dir, const char *endpoint)
{
	struct hf_buf b = { 0 };
	char key[33];

	if (hf_endpoint_key(endpoint, key, sizeof(key)) < 0)
		return NULL;
	if (hf_buf_printf(&b, "%s/service-root/%s.json", state_dir, key) < 0)
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

static const char *member_str(struct json_object *obj, const char *key)
{
	return json_object_get_string(member(obj, key, json_type_string));
}

/* ---- the document ---- */

static bool valid_doc(struct json_object *doc, const char *endpoint)
{
	struct json_object *v = member(doc, "format", json_type_int), *links;

	if (!v || json_object_get_int(v) != CACHE_FORMAT || !member_str(doc, "endpoint") ||
	    strcmp(member_str(doc, "endpoint"), endpoint) != 0 ||
	    !member(doc, "validated_at", json_type_int))
		return false;
	links = member(doc, "links", json_type_object);
	if (!links)
		return false;
	json_object_object_foreach(links, k, l)
	{
		(void)k;
		if (!json_object_is_type(l, json_type_string) ||
		    hf_path_check(json_object_get_string(l)) < 0)
			return false;
	}
	return true;
}

/* A link's path on this BMC, or NULL (off-host, not a path). */
static char *link_of(hf_client *c, struct json_object *ref)
{
	const char *id = member_str(ref, "@odata.id");
	char *path = NULL;

	if (!id || hf_location_to_path(id, ROOT_PATH, c->origin, &path) < 0)
		return NULL;
	if (hf_path_check(path) < 0 || strchr(path, '?')) {
		free(path);
		return NULL;
	}
	return path;
}

static int add_link(hf_client *c, struct json_object *links, const char *name,
		    struct json_object *ref)
{
	char *path = link_of(c, ref);
	int r = 0;

	if (!path)
		return 0;
	if (json_object_object_length(links) < MAX_LINKS)
		r = json_object_object_add(links, name, json_object_new_string(path));
	free(path);
	return r < 0 ? -ENOMEM : 0;
}

static const char *firmware_of(struct json_object *root)
{
	struct json_object *mgr = member(member(member(root, "Oem", json_type_object), "Hpe",
						json_type_object),
					 "Manager", json_type_array);

	return mgr && json_object_array_length(mgr) > 0
		       ? member_str(json_object_array_get_idx(mgr, 0), "ManagerFirmwareVersion")
		       : NULL;
}

/* The cache document of a service root answer (a new object), or NULL. */
static struct json_object *doc_of(hf_client *c, struct json_object *root, const char *etag)
{
	struct json_object *doc = json_object_new_object(), *links = json_object_new_object();
	struct json_object *pfs = member(root, "ProtocolFeaturesSupported", json_type_object);
	const char *fw = firmware_of(root);

	if (!doc || !links || json_object_object_add(doc, "links", links) < 0) {
		json_object_put(links);
		goto fail;
	}
	json_object_object_foreach(root, name, v)
	{
		if (strcmp(name, "Links") == 0) {
			json_object_object_foreach(v, lname, lv)
			{
				char key[160];

				if ((size_t)snprintf(key, sizeof(key), "Links/%s", lname) >= sizeof(key))
					continue;
				if (add_link(c, links, key, lv) < 0)
					goto fail;
			}
		} else if (member(v, "@odata.id", json_type_string) &&
			   add_link(c, links, name, v) < 0) {
			goto fail;
		}
	}
	if (json_object_object_add(doc, "format", json_object_new_int(CACHE_FORMAT)) < 0 ||
	    json_object_object_add(doc, "endpoint",
				   json_object_new_string(hf_client_endpoint(c))) < 0 ||
	    json_object_object_add(doc, "validated_at",
				   json_object_new_int64((int64_t)time(NULL))) < 0 ||
	    json_object_object_add(doc, "etag", etag ? json_object_new_string(etag) : NULL) < 0 ||
	    json_object_object_add(doc, "firmware", fw ? json_object_new_string(fw) : NULL) < 0 ||
	    json_object_object_add(doc, "features", pfs ? json_object_get(pfs) : NULL) < 0)
		goto fail;
	return doc;
fail:
	json_object_put(doc);
	return NULL;
}

/* ---- the file ---- */

static char *cache_path(hf_client *c)
{
	return hf_service_root_path(hf_state_dir(), hf_client_endpoint(c));
}

static struct json_object *file_load(hf_client *c)
{
	_cleanup_free_ char *path = cache_path(c), *text = NULL;
	struct json_object *doc;
	size_t len;

	if (!path || hf_read_private(path, HF_SERVICE_ROOT_CACHE_MAX, &text, &len) < 0)
		return NULL;
	doc = hf_json_parse(text, len);
	if (doc && !valid_doc(doc, hf_client_endpoint(c))) {
		hf_log_debug(&c->log, "service root cache %s is not valid; ignored", path);
		json_object_put(doc);
		doc = NULL;
	}
	return doc;
}

static void file_store(hf_client *c, struct json_object *doc)
{
	_cleanup_free_ char *path = cache_path(c);
	char dir[PATH_MAX], why[512];
	const char *text, *state = hf_state_dir();
	int r;

	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!path || !text || strlen(text) > HF_SERVICE_ROOT_CACHE_MAX)
		return;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/service-root", state) >= sizeof(dir))
		return;
	r = hf_private_dir(state, why, sizeof(why));
	if (r == 0)
		r = hf_private_dir(dir, why, sizeof(why));
	if (r < 0) {
		hf_log_debug(&c->log, "service root cache not stored: %s", why);
		return;
	}
	/* a cache: losing it to a power cut costs one request, not worth an fsync */
	r = hf_write_atomic_flags(path, text, strlen(text), HF_WRITE_NO_FSYNC);
	if (r < 0)
		hf_log_debug(&c->log, "service root cache %s not written: %s", path, strerror(-r));
}

/* ---- keeping it current ---- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Take a new document (consumed); under the lock.  Stored when it differs or when stale. */
static void adopt_locked(hf_client *c, struct json_object *doc, bool store)
{
	struct json_object *old = c->root.doc;

	if (old && (!same_str(member_str(old, "etag"), member_str(doc, "etag")) ||
		    !same_str(member_str(old, "firmware"), member_str(doc, "firmware"))))
		hf_log_info(&c->log, "the BMC's service root changed (ETag %s, firmware %s); its "
				     "cached links and features are replaced",
			    member_str(doc, "etag") ?: "none", member_str(doc, "firmware") ?: "?");
	c->root.doc = doc;
	c->root.loaded = true;
	c->root.confirmed = true;
	json_object_put(old);
	if (store)
		file_store(c, doc);
}

void hf_service_root_note(hf_client *c, const hf_response *resp)
{
	struct json_object *doc, *old;
	const char *etag = hf_response_header(resp, "ETag");
	bool same, stale;

	if (hf_response_status(resp) != 200 ||
	    !json_object_is_type(hf_response_json(resp), json_type_object))
		return;
	doc = doc_of(c, hf_response_json(resp), etag);
	if (!doc)
		return;
	pthread_mutex_lock(&c->root.lock);
	if (!c->root.loaded) {
		c->root.doc = file_load(c);
		c->root.loaded = true;
	}
	old = c->root.doc;
	same = old && same_str(member_str(old, "etag"), etag) &&
	       same_str(member_str(old, "firmware"), member_str(doc, "firmware"));
	/* the same root read again: the file is rewritten only to renew an ageing entry */
	stale = !old || time(NULL) - json_object_get_int64(member(old, "validated_at",
								  json_type_int)) >
				HF_SERVICE_ROOT_TTL_S / 2;
	if (same && member(old, "query_broken", json_type_boolean))
		json_object_object_add(doc, "query_broken", json_object_new_boolean(1));
	adopt_locked(c, doc, !same || stale);
	pthread_mutex_unlock(&c->root.lock);
}

/* Is the cache usable without a request?  Under the lock. */
static bool current_locked(hf_client *c, bool revalidate)
{
	long long at, now = (long long)time(NULL);

	if (!c->root.loaded) {
		c->root.doc = file_load(c);
		c->root.loaded = true;
	}
	if (!c->root.doc)
		return false;
	if (revalidate)
		return false;
	if (c->root.confirmed)
		return true;
	at = (long long)json_object_get_int64(member(c->root.doc, "validated_at", json_type_int));
	/* a clock set back by more than a minute also makes it stale */
	return at <= now + 60 && now - at < HF_SERVICE_ROOT_TTL_S;
}

/* The revalidation (or first read) itself: GET the root, with If-None-Match when the
 * cache has an ETag (etag: a copy, consumed).  have: a cache exists. */
static int fetch_root(hf_client *c, char *etag, bool have)
{
	const char *headers[2] = { NULL, NULL };
	hf_response *resp = NULL;
	char *inm = NULL;
	int r, status;

	/* an ETag with CR or LF is refused by hf_request(): then a plain GET */
	if (etag && !strpbrk(etag, "\r\n") && asprintf(&inm, "If-None-Match: %s", etag) > 0)
		headers[0] = inm;
	free(etag);
	r = hf_request(c, "GET", ROOT_PATH, headers, NULL, 0, &resp);
	free(inm);
	if (r < 0) {
		if (!have)
			return r;
		hf_client_clear_error(c);
		hf_log_debug(&c->log, "service root not revalidated; the cached one is used");
		return 0;
	}
	status = hf_response_status(resp);
	if (status == 304 && have) {
		pthread_mutex_lock(&c->root.lock);
		if (c->root.doc) {
			json_object_object_add(c->root.doc, "validated_at",
					       json_object_new_int64((int64_t)time(NULL)));
			c->root.confirmed = true;
			file_store(c, c->root.doc);
		}
		pthread_mutex_unlock(&c->root.lock);
		hf_log_debug(&c->log, "service root unchanged (304)");
	} else if (status != 200 && !have) {
		/* (a 200 was noted by hf_request() already: request.c) */
		hf_client_set_error(c, -EIO,
				    status >= 500 ? HF_ERROR_HTTP_SERVER : HF_ERROR_HTTP_CLIENT,
				    status, hf_response_redfish_error(resp), "GET %s: %d %s",
				    ROOT_PATH, status, hf_response_reason(resp));
		r = -EIO;
	}
	hf_response_free(resp);
	return r;
}

int hf_service_root_load(hf_client *c, bool revalidate)
{
	char *etag = NULL;
	bool have;

	pthread_mutex_lock(&c->root.lock);
	if (current_locked(c, revalidate)) {
		pthread_mutex_unlock(&c->root.lock);
		return 0;
	}
	have = c->root.doc != NULL;
	if (have && member_str(c->root.doc, "etag"))
		etag = strdup(member_str(c->root.doc, "etag"));
	pthread_mutex_unlock(&c->root.lock);
	return fetch_root(c, etag, have);
}

int hf_service_root_link_dup(hf_client *c, const char *name, bool revalidate, char **ret)
{
	const char *v;
	int r = hf_service_root_load(c, revalidate);

	if (r < 0)
		return r;
	pthread_mutex_lock(&c->root.lock);
	v = member_str(member(c->root.doc, "links", json_type_object), name);
	*ret = v ? strdup(v) : NULL;
	pthread_mutex_unlock(&c->root.lock);
	if (!v)
		return -ENOENT;
	return *ret ? 0 : -ENOMEM;
}

char *hf_service_root_sessions_cached(hf_client *c)
{
	const char *v;
	char *p;

	pthread_mutex_lock(&c->root.lock);
	if (!c->root.loaded) {
		c->root.doc = file_load(c);
		c->root.loaded = true;
	}
	v = member_str(member(c->root.doc, "links", json_type_object), "Links/Sessions");
	p = v ? strdup(v) : NULL;
	pthread_mutex_unlock(&c->root.lock);
	return p;
}

void hf_service_root_query(hf_client *c, struct hf_query_support *q)
{
	struct json_object *pfs, *ex, *v;

	memset(q, 0, sizeof(*q));
	if (hf_service_root_load(c, false) < 0) {
		hf_client_clear_error(c);
		return;
	}
	pthread_mutex_lock(&c->root.lock);
	pfs = member(c->root.doc, "features", json_type_object);
	ex = member(pfs, "ExpandQuery", json_type_object);
	if (!member(c->root.doc, "query_broken", json_type_boolean)) {
		/* "." (NoLinks) expands Members (not under Links); "*" (ExpandAll) too */
		if ((v = member(ex, "NoLinks", json_type_boolean)) && json_object_get_boolean(v))
			q->expand = '.';
		else if ((v = member(ex, "ExpandAll", json_type_boolean)) &&
			 json_object_get_boolean(v))
			q->expand = '*';
		v = member(ex, "Levels", json_type_boolean);
		q->levels = v && json_object_get_boolean(v);
		v = member(pfs, "SelectQuery", json_type_boolean);
		q->select = v && json_object_get_boolean(v);
	}
	pthread_mutex_unlock(&c->root.lock);
}

void hf_service_root_query_broken(hf_client *c)
{
	pthread_mutex_lock(&c->root.lock);
	if (c->root.doc && !member(c->root.doc, "query_broken", json_type_boolean)) {
		json_object_object_add(c->root.doc, "query_broken", json_object_new_boolean(1));
		file_store(c, c->root.doc);
	}
	pthread_mutex_unlock(&c->root.lock);
}

void hf_client_forget_service_root(hf_client *c)
{
	_cleanup_free_ char *path = NULL;

	if (!c)
		return;
	path = cache_path(c);
	pthread_mutex_lock(&c->root.lock);
	json_object_put(c->root.doc);
	c->root.doc = NULL;
	c->root.loaded = true; /* the file is not believed again: it is removed below */
	c->root.confirmed = false;
	if (path && unlink(path) < 0 && errno != ENOENT)
		hf_log_debug(&c->log, "service root cache %s not removed: %s", path,
			     strerror(errno));
	pthread_mutex_unlock(&c->root.lock);
	hf_log_debug(&c->log, "the cached service root is dropped");
}

/* ---- public ---- */

_hf_public_ int hf_service_root_link(hf_client *c, const char *name, unsigned flags, char **ret)
{
	char *p = NULL;
	int r;

	if (!c || !name || !ret)
		return -EINVAL;
	hf_client_begin(c);
	r = hf_service_root_link_dup(c, name, (flags & HF_ROOT_REVALIDATE) != 0, &p);
	if (r == -ENOENT)
		hf_client_set_error(c, r, HF_ERROR_PROTOCOL, 0, NULL,
				    "the BMC's service root has no link %s", name);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

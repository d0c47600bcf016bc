/* SPDX-License-Identifier: MIT */
/*
 * subscribe.c - push event subscriptions that are never left behind (hostfish-subscriptions.h).
 *
 * The journal, like the session journal (lib/core/journal.c), but in the state directory:
 *
 *     $HOSTFISH_STATE_DIR/subscriptions/<endpoint hash>/<context hash>.json   (0600, atomic)
 *
 * with an flock() on the sibling .lock held by the creator for as long as it owns the
 * subscription.  The entry is written before the POST ("creating", with the random Context
 * the subscription will carry) and completed with the subscription's URI once the BMC
 * answered ("owned").  A lock that can be taken means the creator is gone: prune deletes the
 * subscription (found by URI, or by Context when the URI was never learnt) and the entry.
 *
 * Which filter the BMC wants (HPE, "iLO Event services"): iLO 5 implements an EventService
 * older than Redfish 1.3 and filters by EventTypes; iLO 6 (and 7) a newer one, filtering by
 * RegistryPrefixes.  The EventService's schema version tells them apart.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "hostfish-subscriptions.h"
#include "hostif.h" /* hf_state_dir() */
#include "journal.h"
#include "service-root.h"

#define EVENT_SERVICE "/redfish/v1/EventService/"

struct hf_subscription {
	char *uri;
	char context[48]; /* "hostfish-" and 32 hex characters */
	char name[33];	  /* the journal entry's */
	char *dir;
	int lock_fd;
};

/* $HOSTFISH_STATE_DIR/subscriptions/KEY, created private when create. */
static int journal_dir(hf_client *c, bool create, char **ret)
{
	_cleanup_free_ char *parent = NULL;
	char key[33], err[512];
	int r;

	r = hf_endpoint_key(hf_client_endpoint(c), key, sizeof(key));
	if (r < 0)
		return r;
	if (asprintf(&parent, "%s/subscriptions", hf_state_dir()) < 0)
		return -ENOMEM;
	if (asprintf(ret, "%s/%s", parent, key) < 0)
		return -ENOMEM;
	if (!create)
		return 0;
	r = hf_private_dir(hf_state_dir(), err, sizeof(err));
	if (r == 0)
		r = hf_private_dir(parent, err, sizeof(err));
	if (r == 0)
		r = hf_private_dir(*ret, err, sizeof(err));
	if (r < 0) {
		hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL,
				    "the subscription journal cannot be kept: %s", err);
		free(*ret);
		*ret = NULL;
	}
	return r;
}

static int write_entry(hf_client *c, const hf_subscription *s, const char *destination)
{
	char path[4096];
	struct json_object *o = json_object_new_object();
	const char *text;
	int r;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "bmc", json_object_new_string(hf_client_endpoint(c)));
	json_object_object_add(o, "context", json_object_new_string(s->context));
	if (destination)
		json_object_object_add(o, "destination", json_object_new_string(destination));
	if (s->uri)
		json_object_object_add(o, "uri", json_object_new_string(s->uri));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "created", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "state", json_object_new_string(s->uri ? "owned" : "creating"));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(path, sizeof(path), "%s/%s.json", s->dir, s->name);
	r = hf_journal_write(s->dir, path, text, strlen(text));
	json_object_put(o);
	if (r < 0)
		hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL,
				    "the subscription journal entry %s cannot be written: %s", path,
				    strerror(-r));
	return r;
}

_hf_public_ void hf_subscription_free(hf_subscription *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->uri);
	free(s->dir);
	free(s);
}

_hf_public_ const char *hf_subscription_uri(const hf_subscription *s)
{
	return s ? s->uri : NULL;
}

_hf_public_ const char *hf_subscription_context(const hf_subscription *s)
{
	return s ? s->context : NULL;
}

/* A new subscription's journal entry, locked and written ("creating"). */
static int journal_begin(hf_client *c, const char *destination, hf_subscription **ret)
{
	hf_subscription *s = calloc(1, sizeof(*s));
	unsigned char rnd[16];
	char path[4096];
	size_t i;
	int r;

	if (!s)
		return -ENOMEM;
	s->lock_fd = -1;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		free(s);
		return -EIO;
	}
	strcpy(s->context, "hostfish-");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(s->context + 9 + 2 * i, 3, "%02x", rnd[i]);
	r = hf_endpoint_key(s->context, s->name, sizeof(s->name));
	if (r == 0)
		r = journal_dir(c, true, &s->dir);
	if (r < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s.lock", s->dir, s->name);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL, "%s: %s", path, strerror(-r));
		goto fail;
	}
	r = write_entry(c, s, destination);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	if (s->dir && s->name[0])
		hf_journal_remove_files(s->dir, s->name);
	hf_subscription_free(s);
	return r;
}

/* The EventService's filter model: true when it is Redfish EventService 1.3 or newer
 * (RegistryPrefixes), false for an older one (EventTypes, iLO 5). */
static bool by_registry_prefixes(struct json_object *es)
{
	static const char prefix[] = "#EventService.v";
	struct json_object *v;
	const char *t;
	char *end;
	unsigned long major, minor;

	if (json_object_object_get_ex(es, "@odata.type", &v) && (t = json_object_get_string(v)) &&
	    strncmp(t, prefix, sizeof(prefix) - 1) == 0) {
		major = strtoul(t + sizeof(prefix) - 1, &end, 10);
		if (*end == '_') {
			minor = strtoul(end + 1, &end, 10);
			return major > 1 || minor >= 3;
		}
	}
	return json_object_object_get_ex(es, "RegistryPrefixes", &v);
}

/* The subscription's body: Destination, Context, Protocol and the filter. */
static struct json_object *subscription_body(struct json_object *es, const char *destination,
					     const char *context, const char *const *filter)
{
	struct json_object *b = json_object_new_object(), *list, *offered = NULL;
	bool prefixes = by_registry_prefixes(es);
	size_t i;

	json_object_object_add(b, "Destination", json_object_new_string(destination));
	json_object_object_add(b, "Context", json_object_new_string(context));
	json_object_object_add(b, "Protocol", json_object_new_string("Redfish"));
	if (filter && filter[0]) {
		list = json_object_new_array();
		for (i = 0; filter[i]; i++)
			json_object_array_add(list, json_object_new_string(filter[i]));
	} else if (json_object_object_get_ex(
		       es, prefixes ? "RegistryPrefixes" : "EventTypesForSubscription", &offered) &&
		   json_object_is_type(offered, json_type_array)) {
		list = json_object_get(offered); /* everything the service offers */
	} else {
		return b; /* no filter: every event (DSP0268 EventDestination) */
	}
	json_object_object_add(b, prefixes ? "RegistryPrefixes" : "EventTypes", list);
	return b;
}

/* The new subscription's path: the Location header, else the answer's @odata.id. */
static char *created_uri(hf_client *c, hf_response *resp)
{
	static const char *const id[] = {"@odata.id", NULL};
	const char *loc = hf_response_header(resp, "Location");
	char *p = NULL;

	if (!loc)
		loc = hf_json_path_string(hf_response_json(resp), id);
	if (!loc || hf_location_to_path(loc, "/", c->origin, &p) < 0 || hf_path_check(p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int http_error(hf_client *c, hf_response *resp, const char *what)
{
	int status = hf_response_status(resp);
	int code = status == 401 || status == 403 ? -EACCES : status == 404 ? -ENOENT : -EIO;

	hf_client_set_error(c, code,
			    status == 401   ? HF_ERROR_AUTH
			    : status >= 500 ? HF_ERROR_HTTP_SERVER
					    : HF_ERROR_HTTP_CLIENT,
			    status, hf_response_redfish_error(resp), "%s %s: %d %s", what,
			    hf_response_path(resp), status, hf_response_reason(resp));
	return code;
}

static int post_subscription(hf_client *c, hf_subscription *s, const char *destination,
			     const char *const *filter)
{
	hf_response *resp = NULL;
	struct json_object *body;
	int r;

	r = hf_get(c, EVENT_SERVICE, &resp);
	if (r < 0)
		return r;
	if (hf_response_status(resp) != 200 ||
	    !json_object_is_type(hf_response_json(resp), json_type_object)) {
		r = hf_response_status(resp) == 404 ? -ENOTSUP : http_error(c, resp, "GET");
		if (r == -ENOTSUP)
			hf_client_set_error(c, r, HF_ERROR_HTTP_CLIENT, 404, NULL,
					    "the BMC has no event service (%s)", EVENT_SERVICE);
		hf_response_free(resp);
		return r;
	}
	body = subscription_body(hf_response_json(resp), destination, s->context, filter);
	hf_response_free(resp);
	resp = NULL;
	r = hf_request_json(c, "POST", EVENT_SERVICE "Subscriptions/", NULL, body, &resp);
	json_object_put(body);
	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300) {
		r = http_error(c, resp, "POST");
	} else {
		s->uri = created_uri(c, resp);
		r = s->uri ? 0 : -EPROTO;
		if (r < 0)
			hf_client_set_error(c, r, HF_ERROR_PROTOCOL, hf_response_status(resp), NULL,
					    "POST %s: the answer names no subscription",
					    hf_response_path(resp));
	}
	hf_response_free(resp);
	return r;
}

_hf_public_ int hf_subscription_create(hf_client *c, const char *destination,
				       const char *const *filter, hf_subscription **ret)
{
	hf_subscription *s = NULL;
	size_t i;
	int r;

	if (!c || !destination || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	*ret = NULL;
	if (strncmp(destination, "https://", 8) != 0 ||
	    hf_has_crlf(destination, strlen(destination))) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "a subscription's destination is an https:// URL");
		return -EINVAL;
	}
	for (i = 0; filter && filter[i]; i++)
		if (!*filter[i] || hf_has_crlf(filter[i], strlen(filter[i])))
			return -EINVAL;
	r = journal_begin(c, destination, &s);
	if (r < 0)
		return r;
	r = post_subscription(c, s, destination, filter);
	if (r == 0)
		r = write_entry(c, s, destination);
	if (r < 0 && !s->uri) {
		/* the BMC answered no: nothing was created (a transport error leaves the entry,
		 * "creating", for prune to look for by its Context) */
		if (r != -ETIMEDOUT && r != -ECONNRESET && r != -EPIPE)
			hf_journal_remove_files(s->dir, s->name);
		hf_subscription_free(s);
		return r;
	}
	if (r < 0) {
		hf_subscription_delete(c, s);
		return r;
	}
	*ret = s;
	return 0;
}

/* DELETE uri: 1 deleted, 0 already gone (404), or a negative errno (error set). */
static int delete_uri(hf_client *c, const char *uri)
{
	hf_response *resp = NULL;
	int r = hf_request(c, "DELETE", uri, NULL, NULL, 0, &resp);

	if (r < 0)
		return r;
	if (hf_response_status(resp) == 404)
		r = 0;
	else if (hf_response_status(resp) >= 200 && hf_response_status(resp) < 300)
		r = 1;
	else
		r = http_error(c, resp, "DELETE");
	hf_response_free(resp);
	return r;
}

_hf_public_ int hf_subscription_delete(hf_client *c, hf_subscription *s)
{
	int r;

	if (!c || !s)
		return -EINVAL;
	HF_OPERATION(c);
	r = s->uri ? delete_uri(c, s->uri) : 0;
	if (r >= 0)
		hf_journal_remove_files(s->dir, s->name);
	hf_subscription_free(s);
	return r < 0 ? r : 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * An orphan: 1 deleted, 0 gone already (or never created), or a negative errno.  By URI
 * when known, checking first that it still carries our Context (a BMC may give the number
 * to another subscription later); else looked for by its Context.
 */
static int prune_one(hf_client *c, const char *uri, const char *context)
{
	char found[1024] = "";
	struct json_object *members = NULL;
	hf_response *resp = NULL;
	size_t i, n;
	int r;

	if (uri) {
		r = hf_get(c, uri, &resp);
		if (r < 0)
			return r;
		if (hf_response_status(resp) == 404) {
			hf_response_free(resp);
			return 0;
		}
		if (hf_response_status(resp) != 200) {
			r = http_error(c, resp, "GET");
			hf_response_free(resp);
			return r;
		}
		r = strcmp(jstr(hf_response_json(resp), "Context") ?: "", context) == 0;
		hf_response_free(resp);
		return r ? delete_uri(c, uri) : 0;
	}
	r = hf_collection_get(c, EVENT_SERVICE "Subscriptions/", NULL, &members);
	if (r == -ENOENT) {
		hf_client_clear_error(c);
		return 0;
	}
	if (r < 0)
		return r;
	n = json_object_array_length(members);
	for (i = 0; i < n && !*found; i++) {
		struct json_object *m = json_object_array_get_idx(members, i);
		const char *id = jstr(m, "@odata.id");

		if (id && strlen(id) < sizeof(found) &&
		    strcmp(jstr(m, "Context") ?: "", context) == 0)
			strcpy(found, id);
	}
	json_object_put(members);
	return *found ? delete_uri(c, found) : 0;
}

_hf_public_ int hf_client_prune_subscriptions(hf_client *c, unsigned *ret_deleted)
{
	_cleanup_free_ char *dir = NULL;
	unsigned deleted = 0, failed = 0;
	struct dirent *de;
	DIR *dd;
	int r;

	if (ret_deleted)
		*ret_deleted = 0;
	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = journal_dir(c, false, &dir);
	if (r < 0)
		return r;
	dd = opendir(dir);
	if (!dd)
		return 0; /* nothing was ever journaled here */
	while ((de = readdir(dd))) {
		char name[40], path[4096];
		struct json_object *o;
		int lfd;

		if (strlen(de->d_name) != 37 || strcmp(de->d_name + 32, ".json") != 0)
			continue;
		snprintf(name, sizeof(name), "%.32s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
		lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lfd < 0)
			continue;
		if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
			close(lfd); /* its creator is alive */
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = hf_journal_read(path);
		r = jstr(o, "context") ? prune_one(c, jstr(o, "uri"), jstr(o, "context")) : 0;
		if (r >= 0) {
			hf_log_info(&c->log, "orphaned subscription %s (%s): %s",
				    jstr(o, "uri") ?: "(URI never learnt)",
				    jstr(o, "context") ?: "?", r ? "deleted" : "already gone");
			deleted += (unsigned)r;
			hf_journal_remove_files(dir, name);
		} else {
			hf_log_warning(&c->log, "orphaned subscription %s could not be deleted: %s",
				       jstr(o, "uri") ?: "(URI never learnt)",
				       hf_client_last_error(c)->message);
			failed++;
		}
		json_object_put(o);
		close(lfd);
	}
	closedir(dd);
	if (ret_deleted)
		*ret_deleted = deleted;
	return failed ? -EIO : 0;
}

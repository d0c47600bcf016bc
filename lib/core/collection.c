/* SPDX-License-Identifier: MIT */
/*
 * collection.c - read a collection's members in as few requests as the BMC allows.
 *
 * DSP0266 lets a client ask for a collection with its members inline ($expand, "." expands
 * every reference outside Links, Members among them) and only some of their properties
 * ($select).  A BMC says which of these it supports in the service root's
 * ProtocolFeaturesSupported (service-root.c keeps it); iLO 5 advertises ExpandQuery {Levels,
 * MaxLevels 1, NoLinks} and SelectQuery, so one request does what took 1 + N.
 *
 * A BMC that does not advertise them is read member by member.  One that advertises them
 * but answers wrongly (400, 501, no Members, members left as bare references: HPE documents
 * that unsupported query options are silently ignored) is read member by member too, and the
 * service root is revalidated; if it still claims the features they are marked broken for
 * this BMC (service-root.c), so later commands do not try again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"
#include "service-root.h"

static struct json_object *member(struct json_object *obj, const char *key, json_type type)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A bare reference {"@odata.id": ...}, not the resource it names. */
static bool is_reference(struct json_object *m)
{
	if (!member(m, "@odata.id", json_type_string))
		return true;
	json_object_object_foreach(m, k, v)
	{
		(void)v;
		if (strcmp(k, "@odata.id") != 0)
			return false;
	}
	return true;
}

/* A member's or next page's path on this BMC, or NULL. */
static char *path_of(hf_client *c, const char *link, const char *base)
{
	char *p = NULL;

	if (!link || hf_location_to_path(link, base, c->origin, &p) < 0)
		return NULL;
	if (hf_path_check(p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* The query that asks for expanded (and selected) members, "" when not advertised. */
static int build_query(const struct hf_query_support *q, const char *const *select,
		       struct hf_buf *b)
{
	size_t i;

	if (!q->expand)
		return 0;
	if (hf_buf_printf(b, "$expand=%c%s", q->expand, q->levels ? "($levels=1)" : "") < 0)
		return -ENOMEM;
	if (!q->select || !select || !select[0])
		return 0;
	if (hf_buf_printf(b, "&$select=") < 0)
		return -ENOMEM;
	for (i = 0; select[i]; i++)
		if (hf_buf_printf(b, "%s%s", i ? "," : "", select[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int with_query(const char *path, const char *query, char **ret)
{
	struct hf_buf b = { 0 };

	if (hf_buf_printf(&b, "%s%s%s", path, !*query ? "" : strchr(path, '?') ? "&" : "?",
			  query) < 0)
		return -ENOMEM;
	*ret = b.data;
	return 0;
}

/* GET path: 0 with the 200 answer's JSON object (a new reference), 1 with *status set for
 * another answer, or a negative errno (error recorded). */
static int get_object(hf_client *c, unsigned flags, const char *path, struct json_object **ret,
		      int *status)
{
	hf_response *resp = NULL;
	int r = flags & HF_COLLECTION_NO_LOGIN
			? hf_client_send(c, "GET", path, NULL, NULL, 0, HF_SEND_AUTH, NULL, &resp)
			: hf_request(c, "GET", path, NULL, NULL, 0, &resp);

	if (r < 0)
		return r;
	*status = hf_response_status(resp);
	if (*status == 200 && json_object_is_type(hf_response_json(resp), json_type_object)) {
		*ret = json_object_get(hf_response_json(resp));
		r = 0;
	} else {
		hf_client_set_error(c, -EIO, *status == 401 ? HF_ERROR_AUTH
				    : *status >= 500 ? HF_ERROR_HTTP_SERVER
				    : *status >= 300 ? HF_ERROR_HTTP_CLIENT
						     : HF_ERROR_PROTOCOL,
				    *status, hf_response_redfish_error(resp), "GET %s: %d %s", path,
				    *status, *status == 200 ? "(not a JSON object)"
							    : hf_response_reason(resp));
		r = 1;
	}
	hf_response_free(resp);
	return r;
}

/* The collection's answer for an error: the client's error is set already. */
static int answer_error(int status)
{
	return status == 404 ? -ENOENT : status == 401 || status == 403 ? -EACCES : -EIO;
}

/*
 * One expanded read (pages included).  0 with the collection and its members; 1 when the
 * answer was wrong (fall back); a negative errno when the collection cannot be read at all.
 */
static int read_expanded(hf_client *c, unsigned flags, const char *path, const char *query,
			 struct json_object **coll_ret, struct json_object *out)
{
	_cleanup_free_ char *first = NULL, *next = NULL;
	struct json_object *coll = NULL;
	unsigned pages = 0;
	int r, status = 0;

	r = with_query(path, query, &first);
	if (r < 0)
		return r;
	for (const char *p = first; p && pages < HF_COLLECTION_MAX_PAGES; pages++) {
		struct json_object *page = NULL, *members, *link;
		char *np;
		size_t i, n;

		r = get_object(c, flags, p, &page, &status);
		if (r < 0)
			goto fail;
		if (r > 0) {
			/* 401/403/404 answer the collection, not the query options */
			if (status == 401 || status == 403 || status == 404) {
				r = answer_error(status);
				goto fail;
			}
			hf_log_info(&c->log, "GET %s: %d; reading its members one by one", p, status);
			r = 1;
			goto fail;
		}
		members = member(page, "Members", json_type_array);
		n = members ? json_object_array_length(members) : 0;
		for (i = 0; i < n; i++)
			if (is_reference(json_object_array_get_idx(members, i)))
				break;
		if (!members || i < n) {
			hf_log_info(&c->log, "GET %s: %s; reading its members one by one", p,
				    members ? "the members are not expanded" : "no Members");
			json_object_put(page);
			r = 1;
			goto fail;
		}
		for (i = 0; i < n && json_object_array_length(out) < HF_COLLECTION_MAX_MEMBERS; i++)
			if (json_object_array_add(out, json_object_get(json_object_array_get_idx(
							       members, i))) < 0) {
				json_object_put(page);
				r = -ENOMEM;
				goto fail;
			}
		link = member(page, "Members@odata.nextLink", json_type_string);
		np = link ? path_of(c, json_object_get_string(link), path) : NULL;
		/* the next page keeps the query: a BMC's nextLink may not carry it */
		free(next);
		next = NULL;
		if (np && !strstr(np, "$expand")) {
			r = with_query(np, query, &next);
			free(np);
			if (r < 0) {
				json_object_put(page);
				goto fail;
			}
		} else {
			next = np;
		}
		if (!coll)
			coll = page;
		else
			json_object_put(page);
		p = next;
	}
	*coll_ret = coll;
	return 0;
fail:
	json_object_put(coll);
	return r;
}

/* Member by member: the collection (pages included), then each member.  0 or an errno. */
static int read_each(hf_client *c, unsigned flags, const char *path, struct json_object **coll_ret,
		     struct json_object *out)
{
	_cleanup_free_ char *next = NULL;
	struct json_object *coll = NULL;
	const char *p = path;
	unsigned pages = 0;
	int r, status = 0;

	for (; p && pages < HF_COLLECTION_MAX_PAGES; pages++) {
		struct json_object *page = NULL, *members, *link;
		size_t i, n;

		r = get_object(c, flags, p, &page, &status);
		if (r != 0)
			goto fail;
		members = member(page, "Members", json_type_array);
		if (!members) {
			hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, 200, NULL,
					    "GET %s: not a collection (no Members)", p);
			json_object_put(page);
			r = -EPROTO;
			goto fail;
		}
		n = json_object_array_length(members);
		for (i = 0; i < n && json_object_array_length(out) < HF_COLLECTION_MAX_MEMBERS; i++) {
			struct json_object *m = json_object_array_get_idx(members, i), *obj = NULL;
			_cleanup_free_ char *mp = NULL;

			if (!is_reference(m)) {
				obj = json_object_get(m); /* already there */
			} else {
				mp = path_of(c, json_object_get_string(member(m, "@odata.id",
									      json_type_string)),
					     path);
				if (!mp)
					continue;
				r = get_object(c, flags, mp, &obj, &status);
				if (r < 0 || (r > 0 && status != 404)) {
					json_object_put(page);
					r = r < 0 ? r : answer_error(status);
					goto fail;
				}
				if (r > 0) {
					/* gone between the two reads */
					hf_client_clear_error(c);
					continue;
				}
			}
			if (json_object_array_add(out, obj) < 0) {
				json_object_put(obj);
				json_object_put(page);
				r = -ENOMEM;
				goto fail;
			}
		}
		link = member(page, "Members@odata.nextLink", json_type_string);
		free(next);
		next = link ? path_of(c, json_object_get_string(link), path) : NULL;
		if (!coll)
			coll = page;
		else
			json_object_put(page);
		p = next;
	}
	*coll_ret = coll;
	return 0;
fail:
	if (r > 0)
		r = answer_error(status);
	json_object_put(coll);
	return r;
}

static int expanded_or_each(hf_client *c, unsigned flags, const char *path,
			    const char *const *select, struct json_object **coll,
			    struct json_object *out)
{
	struct hf_query_support q;
	struct hf_buf query = { 0 };
	int r;

	hf_service_root_query(c, &q);
	r = build_query(&q, select, &query);
	if (r < 0)
		return r;
	if (query.data) {
		r = read_expanded(c, flags, path, query.data, coll, out);
		hf_buf_free(&query);
		if (r <= 0)
			return r;
		/* wrong: does the BMC still claim it?  (a changed root drops the claim) */
		json_object_array_del_idx(out, 0, json_object_array_length(out));
		hf_client_clear_error(c);
		hf_service_root_load(c, true);
		hf_client_clear_error(c);
		hf_service_root_query(c, &q);
		if (q.expand)
			hf_service_root_query_broken(c);
	}
	return read_each(c, flags, path, coll, out);
}

int hf_collection_read(hf_client *c, const char *path, const char *const *select,
		       unsigned flags, struct json_object **coll_ret,
		       struct json_object **members_ret)
{
	struct json_object *out, *coll = NULL;
	int r;

	if (!c || !path || !members_ret)
		return -EINVAL;
	out = json_object_new_array();
	if (!out)
		return -ENOMEM;
	r = expanded_or_each(c, flags, path, select, &coll, out);
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	if (coll_ret)
		*coll_ret = coll;
	else
		json_object_put(coll);
	*members_ret = out;
	return 0;
}

int hf_collection_get(hf_client *c, const char *path, const char *const *select,
		      struct json_object **members_ret)
{
	return hf_collection_read(c, path, select, 0, NULL, members_ret);
}

_hf_public_ int hf_get_collection(hf_client *c, const char *path, const char *const *select,
				  struct json_object **ret)
{
	if (!c || !path || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	return hf_collection_get(c, path, select, ret);
}

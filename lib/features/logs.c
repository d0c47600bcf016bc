/* SPDX-License-Identifier: MIT */
/*
 * logs.c - the BMC's log services: found under every system and manager (iLO: IML, Event
 * and SL under Systems/1/LogServices, IEL under Managers/1/LogServices), read with a cursor
 * (logs-cursor.c), cleared (#LogService.ClearLog), and on iLO's IML an entry marked repaired
 * or a maintenance note added.  Cursors are kept in the state directory for the programs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomic-write.h"
#include "client-private.h"
#include "hostif.h" /* hf_state_dir() */
#include "logs-private.h"

#define LOG_NOTE_MAX 500 /* characters of a maintenance note (invented bound; HPE gives none) */
#define LOG_SERVICES_MAX 64

static void hf_response_freep(hf_response **r)
{
	hf_response_free(*r);
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static bool valid_utf8(const unsigned char *p)
{
	while (*p) {
		unsigned cp, need, i;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			need = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			need = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			need = 3, cp = *p & 0x07;
		else
			return false;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += need + 1;
	}
	return true;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char *link_of(struct json_object *o, const char *key)
{
	return jstr(jget(o, key), "@odata.id");
}

/* GET a JSON object (2xx); the failure recorded otherwise. */
static int get_object(hf_client *c, const char *path, hf_response **ret)
{
	hf_response *resp = NULL;
	int r = hf_get(c, path, &resp);

	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300) {
		r = hf_client_http_error(c, resp, "GET");
		hf_response_free(resp);
		return r;
	}
	if (!json_object_is_type(hf_response_json(resp), json_type_object)) {
		hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, 0, NULL,
				    "GET %s: the answer is not a JSON object", path);
		hf_response_free(resp);
		return -EPROTO;
	}
	*ret = resp;
	return 0;
}

/* ---- finding the log services ---- */

/* One LogService (its resource, borrowed) as {"name", "path", "entries", "owner", "title",
 * "clear"?, "overwrite_policy"?}. */
static struct json_object *service_doc(struct json_object *ls, const char *owner)
{
	struct json_object *d, *clear;
	const char *entries = link_of(ls, "Entries");

	if (!jstr(ls, "Id") || !jstr(ls, "@odata.id") || !entries ||
	    hf_path_check(entries) < 0)
		return NULL;
	d = json_object_new_object();
	if (!d)
		return NULL;
	json_object_object_add(d, "name", json_object_new_string(jstr(ls, "Id")));
	json_object_object_add(d, "path", json_object_new_string(jstr(ls, "@odata.id")));
	json_object_object_add(d, "entries", json_object_new_string(entries));
	json_object_object_add(d, "owner", json_object_new_string(owner));
	if (jstr(ls, "Name"))
		json_object_object_add(d, "title", json_object_new_string(jstr(ls, "Name")));
	clear = jget(jget(ls, "Actions"), "#LogService.ClearLog");
	if (jstr(clear, "target") && hf_path_check(jstr(clear, "target")) == 0)
		json_object_object_add(d, "clear", json_object_new_string(jstr(clear, "target")));
	if (jstr(ls, "OverWritePolicy"))
		json_object_object_add(d, "overwrite_policy",
				       json_object_new_string(jstr(ls, "OverWritePolicy")));
	return d;
}

/* Members' links of a collection (borrowed from coll). */
static size_t members(struct json_object *coll, const char **out, size_t max)
{
	struct json_object *m = jget(coll, "Members");
	size_t i, n = 0;

	if (!m || !json_object_is_type(m, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(m) && n < max; i++) {
		const char *id = jstr(json_object_array_get_idx(m, i), "@odata.id");

		if (id && hf_path_check(id) == 0)
			out[n++] = id;
	}
	return n;
}

/* The log services of one system or manager, appended to out.  A member without a
 * LogServices link has none; failures to read what is linked fail the call. */
static int services_of(hf_client *c, const char *owner_path, struct json_object *out)
{
	_cleanup_(hf_response_freep) hf_response *owner = NULL, *coll = NULL;
	const char *list[LOG_SERVICES_MAX], *link;
	size_t i, n;
	int r;

	r = get_object(c, owner_path, &owner);
	if (r < 0)
		return r;
	link = link_of(hf_response_json(owner), "LogServices");
	if (!link || hf_path_check(link) < 0)
		return 0;
	r = get_object(c, link, &coll);
	if (r < 0)
		return r;
	n = members(hf_response_json(coll), list, HF_ARRAY_SIZE(list));
	for (i = 0; i < n; i++) {
		_cleanup_(hf_response_freep) hf_response *ls = NULL;
		struct json_object *d;

		r = get_object(c, list[i], &ls);
		if (r < 0)
			return r;
		d = service_doc(hf_response_json(ls), owner_path);
		if (d && json_object_array_add(out, d) < 0) {
			json_object_put(d);
			return -ENOMEM;
		}
	}
	return 0;
}

_hf_public_ int hf_log_services(hf_client *c, struct json_object **ret)
{
	static const char *const groups[] = { "Systems", "Managers" };
	_cleanup_(hf_response_freep) hf_response *root = NULL;
	struct json_object *out;
	size_t g;
	int r;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	r = get_object(c, "/redfish/v1/", &root);
	if (r < 0)
		return r;
	out = json_object_new_array();
	if (!out)
		return -ENOMEM;
	for (g = 0; g < HF_ARRAY_SIZE(groups); g++) {
		_cleanup_(hf_response_freep) hf_response *coll = NULL;
		const char *link = link_of(hf_response_json(root), groups[g]), *list[16];
		size_t i, n;

		if (!link || hf_path_check(link) < 0)
			continue;
		r = get_object(c, link, &coll);
		if (r < 0)
			goto fail;
		n = members(hf_response_json(coll), list, HF_ARRAY_SIZE(list));
		for (i = 0; i < n; i++) {
			r = services_of(c, list[i], out);
			if (r < 0)
				goto fail;
		}
	}
	*ret = out;
	return 0;
fail:
	json_object_put(out);
	return r;
}

/* ---- reading entries ---- */

static int add_members(hf_client *c, struct json_object *page, const char *service,
		       struct json_object *out)
{
	struct json_object *m = jget(page, "Members");
	size_t i, n;

	if (!m || !json_object_is_type(m, json_type_array))
		return 0;
	n = json_object_array_length(m);
	for (i = 0; i < n; i++) {
		_cleanup_(hf_response_freep) hf_response *one = NULL;
		struct json_object *raw = json_object_array_get_idx(m, i), *e;
		size_t pos = json_object_array_length(out) + 1;
		int r;

		if (pos > HF_LOG_MAX_ENTRIES)
			return 0; /* bounded: the rest is read next time */
		if (!jstr(raw, "Id") && jstr(raw, "@odata.id")) { /* a link only: read it */
			if (hf_path_check(jstr(raw, "@odata.id")) < 0)
				continue;
			r = get_object(c, jstr(raw, "@odata.id"), &one);
			if (r < 0)
				return r;
			raw = hf_response_json(one);
		}
		e = hf_log_entry_normalise(raw, service, (int64_t)pos);
		if (!e)
			continue; /* neither Id nor EventNumber: nothing to follow it by */
		if (json_object_array_add(out, e) < 0) {
			json_object_put(e);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Every entry of the service (uniform), following Members@odata.nextLink. */
static int read_entries(hf_client *c, const char *path, const char *service,
			struct json_object **ret)
{
	struct json_object *out = json_object_new_array();
	_cleanup_free_ char *next = hf_strdup(path);
	unsigned pages = 0;
	int r = 0;

	if (!out || !next) {
		json_object_put(out);
		return -ENOMEM;
	}
	while (next && pages++ < HF_LOG_MAX_PAGES &&
	       json_object_array_length(out) < HF_LOG_MAX_ENTRIES) {
		_cleanup_(hf_response_freep) hf_response *page = NULL;
		const char *link;

		r = get_object(c, next, &page);
		if (r < 0)
			break;
		r = add_members(c, hf_response_json(page), service, out);
		if (r < 0)
			break;
		link = jstr(hf_response_json(page), "Members@odata.nextLink");
		free(next);
		next = link && hf_path_check(link) == 0 ? hf_strdup(link) : NULL;
	}
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	*ret = out;
	return 0;
}

_hf_public_ int hf_log_read(hf_client *c, struct json_object *service, const char *since,
			    struct json_object **ret)
{
	const char *name = jstr(service, "name"), *entries = jstr(service, "entries");
	struct json_object *all = NULL;
	int r;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	if (!name || !entries || hf_path_check(entries) < 0)
		return hf_client_usage_error(
		    c, "not a log service (hf_log_services() describes them)");
	if (since && (strlen(since) >= HF_LOG_CURSOR_MAX || !*since))
		return hf_client_usage_error(c, "invalid cursor or time '%.40s'", since);
	r = read_entries(c, entries, name, &all);
	if (r < 0)
		return r;
	r = hf_log_select(all, name, since, ret);
	json_object_put(all);
	if (r == -EINVAL)
		return hf_client_usage_error(c,
					     "'%.40s' is neither a cursor of this log nor a time "
					     "(YYYY-MM-DDTHH:MM:SSZ)",
					     since);
	return r;
}

/* ---- acting on a log ---- */

static int expect_2xx(hf_client *c, int r, hf_response *resp, const char *what)
{
	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300)
		r = hf_client_http_error(c, resp, what);
	hf_response_free(resp);
	return r;
}

_hf_public_ int hf_log_clear(hf_client *c, struct json_object *service)
{
	const char *target = jstr(service, "clear");
	struct json_object *body;
	hf_response *resp = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	if (!jstr(service, "name"))
		return hf_client_usage_error(
		    c, "not a log service (hf_log_services() describes them)");
	if (!target) {
		hf_client_set_error(c, -ENOTSUP, HF_ERROR_HTTP_CLIENT, 0, NULL,
				    "the log service %s offers no #LogService.ClearLog",
				    jstr(service, "name"));
		return -ENOTSUP;
	}
	body = json_object_new_object();
	if (!body)
		return -ENOMEM;
	r = hf_request_json(c, "POST", target, NULL, body, &resp);
	json_object_put(body);
	return expect_2xx(c, r, resp, "POST");
}

/* An entry's Id as it may go into a path: 1 to 32 letters, digits, '-' or '_'. */
static bool valid_entry_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	return n > 0 && n <= 32 &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

_hf_public_ int hf_log_repair(hf_client *c, struct json_object *service, const char *id)
{
	const char *entries = jstr(service, "entries");
	struct json_object *body = NULL;
	hf_response *resp = NULL;
	struct hf_buf path = { 0 };
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	if (!entries || hf_path_check(entries) < 0)
		return hf_client_usage_error(
		    c, "not a log service (hf_log_services() describes them)");
	if (!valid_entry_id(id))
		return hf_client_usage_error(
		    c, "invalid entry id '%.40s' (letters, digits, '-', '_')", id ? id : "");
	if (hf_buf_printf(&path, "%s%s%s/", entries,
			  entries[strlen(entries) - 1] == '/' ? "" : "/", id) < 0)
		return -ENOMEM;
	body = json_tokener_parse("{\"Oem\":{\"Hpe\":{\"Repaired\":true}}}");
	if (!body) {
		hf_buf_free(&path);
		return -ENOMEM;
	}
	r = hf_request_json(c, "PATCH", path.data, NULL, body, &resp);
	json_object_put(body);
	hf_buf_free(&path);
	return expect_2xx(c, r, resp, "PATCH");
}

/* A note is one line of printable text: no control characters at all (UTF-8 is fine). */
static int check_note(hf_client *c, const char *text)
{
	const unsigned char *p;
	size_t chars = 0;

	if (!text || !*text)
		return hf_client_usage_error(c, "the note is empty");
	if (!valid_utf8((const unsigned char *)text))
		return hf_client_usage_error(c, "the note is not valid UTF-8");
	for (p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return hf_client_usage_error(
			    c, "the note holds a control character (CR, LF, tab...)");
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return hf_client_usage_error(c, "the note holds a C1 control character");
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	if (chars > LOG_NOTE_MAX)
		return hf_client_usage_error(c, "the note has %zu characters, more than %d", chars,
					     LOG_NOTE_MAX);
	return 0;
}

_hf_public_ int hf_log_note(hf_client *c, struct json_object *service, const char *text)
{
	const char *entries = jstr(service, "entries");
	struct json_object *body;
	hf_response *resp = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	if (!entries || hf_path_check(entries) < 0)
		return hf_client_usage_error(
		    c, "not a log service (hf_log_services() describes them)");
	r = check_note(c, text);
	if (r < 0)
		return r;
	body = json_object_new_object();
	if (!body)
		return -ENOMEM;
	json_object_object_add(body, "EntryCode", json_object_new_string("Maintenance"));
	json_object_object_add(body, "Message", json_object_new_string(text));
	r = hf_request_json(c, "POST", entries, NULL, body, &resp);
	json_object_put(body);
	return expect_2xx(c, r, resp, "POST");
}

/* ---- cursors kept for the programs ---- */

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 64 && s[0] != '.' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

/* $HOSTFISH_STATE_DIR/cursors/KEY/CONSUMER.SERVICE; the directories made private when mkdirs. */
static int cursor_path(hf_client *c, const char *consumer, const char *service, bool mkdirs,
		       char *out, size_t outlen)
{
	const char *state = hf_state_dir();
	char key[33], dir[PATH_MAX], why[512];
	int r;

	if (!valid_name(consumer) || !valid_name(service))
		return hf_client_usage_error(c, "invalid consumer or service name for a cursor");
	r = hf_endpoint_key(hf_client_endpoint(c), key, sizeof(key));
	if (r < 0)
		return r;
	if ((size_t)snprintf(out, outlen, "%s/cursors/%s/%s.%s", state, key, consumer, service) >=
	    outlen)
		return -ENAMETOOLONG;
	if (!mkdirs)
		return 0;
	snprintf(dir, sizeof(dir), "%s", state);
	r = hf_private_dir(dir, why, sizeof(why));
	if (r == 0) {
		snprintf(dir, sizeof(dir), "%s/cursors", state);
		r = hf_private_dir(dir, why, sizeof(why));
	}
	if (r == 0) {
		snprintf(dir, sizeof(dir), "%s/cursors/%s", state, key);
		r = hf_private_dir(dir, why, sizeof(why));
	}
	if (r < 0)
		hf_client_set_error(c, r, HF_ERROR_USAGE, 0, NULL, "cursor not stored: %s", why);
	return r;
}

_hf_public_ int hf_log_cursor_load(hf_client *c, const char *consumer, const char *service,
				   char **ret)
{
	char path[PATH_MAX], buf[HF_LOG_CURSOR_MAX];
	ssize_t n;
	int fd, r;

	if (!c || !ret)
		return -EINVAL;
	hf_client_begin(c);
	r = cursor_path(c, consumer, service, false, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strncmp(buf, "c1,", 3) != 0)
		return -EBADMSG;
	*ret = hf_strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

_hf_public_ int hf_log_cursor_store(hf_client *c, const char *consumer, const char *service,
				    const char *cursor)
{
	char path[PATH_MAX];
	struct hf_buf b = { 0 };
	int r;

	if (!c || !cursor)
		return -EINVAL;
	hf_client_begin(c);
	if (strncmp(cursor, "c1,", 3) != 0 || strlen(cursor) >= HF_LOG_CURSOR_MAX ||
	    strpbrk(cursor, "\r\n"))
		return hf_client_usage_error(c, "not a cursor");
	r = cursor_path(c, consumer, service, true, path, sizeof(path));
	if (r < 0)
		return r;
	if (hf_buf_printf(&b, "%s\n", cursor) < 0)
		return -ENOMEM;
	r = hf_write_atomic(path, b.data, b.len);
	hf_buf_free(&b);
	if (r < 0)
		hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL, "cannot write %s: %s", path,
				    strerror(-r));
	return r;
}

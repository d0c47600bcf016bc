/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the DMTF Base message registry built into the library, used to complete
 * iLO's short-form errors (MessageId only) when the BMC's own registries are not at hand,
 * and the parsing of the BMC's registries (MessageRegistryFile, MessageRegistry), which are
 * untrusted input: every member is type-checked and every size bounded.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

#include "base-registry.h"

const struct hf_registry_entry *hf_registry_lookup(const char *message_id)
{
	const char *name;
	size_t i;

	/* "Base.<major>.<minor>.<Name>": any version of the Base registry */
	if (!message_id || strncmp(message_id, "Base.", 5) != 0)
		return NULL;
	name = strrchr(message_id, '.');
	if (!name || !name[1])
		return NULL;
	name++;
	for (i = 0; i < HF_ARRAY_SIZE(base_registry); i++)
		if (strcmp(base_registry[i].id, name) == 0)
			return &base_registry[i];
	return NULL;
}

/* Append n bytes of s to b unless b would pass HF_MESSAGE_TEXT_MAX: then as much as fits
 * (a whole UTF-8 character at a time) and "...", and *full is set. */
static int append_bounded(struct hf_buf *b, const char *s, size_t n, bool *full)
{
	const size_t room = HF_MESSAGE_TEXT_MAX - 3; /* "..." always fits after */

	if (*full)
		return 0;
	if (b->len + n <= room)
		return hf_buf_append(b, s, n);
	*full = true;
	if (b->len < room && hf_buf_append(b, s, hf_utf8_cut(s, n, room - b->len)) < 0)
		return -ENOMEM;
	return hf_buf_append(b, "...", 3);
}

char *hf_registry_format(const char *message, const char *const *args, size_t nargs)
{
	struct hf_buf b = { 0 };
	const char *p = message;
	bool full = false;

	while (*p && !full) {
		const char *pct = strchr(p, '%');

		if (!pct) {
			if (append_bounded(&b, p, strlen(p), &full) < 0)
				goto fail;
			break;
		}
		if (append_bounded(&b, p, (size_t)(pct - p), &full) < 0)
			goto fail;
		if (pct[1] >= '1' && pct[1] <= '9') {
			size_t idx = (size_t)(pct[1] - '1');

			/* a missing argument stays visible as %N rather than vanishing */
			if (idx < nargs && args[idx]) {
				if (append_bounded(&b, args[idx], strlen(args[idx]), &full) < 0)
					goto fail;
			} else if (append_bounded(&b, pct, 2, &full) < 0) {
				goto fail;
			}
			p = pct + 2;
		} else {
			if (append_bounded(&b, "%", 1, &full) < 0)
				goto fail;
			p = pct + 1;
		}
	}
	return hf_buf_steal(&b);
fail:
	hf_buf_free(&b);
	return NULL;
}

/* ---- the BMC's own registries (see regcache.c for fetching and caching) ---- */

#define MAX_REG_MESSAGES 4096 /* messages kept from one registry */
#define MAX_REG_NAME 128 /* a message key */
#define MAX_REG_TEXT 4096 /* Message, Severity, Resolution */

static int parse_uint(const char *s, size_t n, unsigned *ret)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 6)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

static bool prefix_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= HF_REGISTRY_PREFIX_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

int hf_registry_version_split(const char *text, char prefix[HF_REGISTRY_PREFIX_MAX],
			      unsigned *major, unsigned *minor, const char **rest)
{
	const char *p1, *p2, *p3;

	if (!text)
		return -EINVAL;
	p1 = strchr(text, '.');
	if (!p1 || !prefix_valid(text, (size_t)(p1 - text)))
		return -EINVAL;
	p2 = strchr(p1 + 1, '.');
	if (!p2 || parse_uint(p1 + 1, (size_t)(p2 - p1 - 1), major) < 0)
		return -EINVAL;
	p3 = p2 + 1 + strcspn(p2 + 1, ".");
	if (parse_uint(p2 + 1, (size_t)(p3 - p2 - 1), minor) < 0)
		return -EINVAL;
	memcpy(prefix, text, (size_t)(p1 - text));
	prefix[p1 - text] = '\0';
	if (rest)
		*rest = *p3 ? p3 + 1 : p3;
	return 0;
}

int hf_message_id_split(const char *id, char prefix[HF_REGISTRY_PREFIX_MAX], unsigned *major,
			unsigned *minor, const char **name)
{
	const char *rest, *last;

	/* Prefix.Major.Minor.Key, or with the errata version: Prefix.Major.Minor.Errata.Key */
	if (hf_registry_version_split(id, prefix, major, minor, &rest) < 0 || !*rest)
		return -EINVAL;
	last = strrchr(rest, '.');
	if (last) {
		unsigned errata;

		if (parse_uint(rest, (size_t)(last - rest), &errata) < 0)
			return -EINVAL;
		rest = last + 1;
	}
	if (!*rest || strlen(rest) >= MAX_REG_NAME)
		return -EINVAL;
	*name = rest;
	return 0;
}

static const char *str_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int hf_registry_file_parse(struct json_object *doc, const char **ret_registry,
			   const char **ret_uri)
{
	struct json_object *locs;
	const char *registry, *uri = NULL;
	size_t i, n;

	registry = str_member(doc, "Registry");
	if (!registry || !json_object_object_get_ex(doc, "Location", &locs) ||
	    !json_object_is_type(locs, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(locs);
	if (n > 64)
		n = 64;
	/* the English copy when there is one, else the first; only "Uri" (a resource of the
	 * BMC): ArchiveUri needs an archive reader and PublicationUri is off-host */
	for (i = 0; i < n; i++) {
		struct json_object *loc = json_object_array_get_idx(locs, i);
		const char *u = str_member(loc, "Uri"), *lang = str_member(loc, "Language");

		if (!u || !*u)
			continue;
		if (!uri)
			uri = u;
		if (lang && strcmp(lang, "en") == 0) {
			uri = u;
			break;
		}
	}
	if (!uri)
		return -ENOENT;
	*ret_registry = registry;
	*ret_uri = uri;
	return 0;
}

static bool text_ok(const char *s)
{
	return s && strlen(s) < MAX_REG_TEXT;
}

int hf_registry_trim(struct json_object *doc, const char *prefix, unsigned major,
		     struct json_object **ret)
{
	char pfx[HF_REGISTRY_PREFIX_MAX], vtext[HF_REGISTRY_PREFIX_MAX + 40];
	const char *rp = str_member(doc, "RegistryPrefix"), *rv = str_member(doc, "RegistryVersion");
	struct json_object *msgs, *out = NULL, *kept = NULL;
	unsigned maj, min, count = 0;

	/* "RegistryPrefix": "iLO", "RegistryVersion": "2.14.0" */
	if (!rp || !rv || strlen(rp) >= HF_REGISTRY_PREFIX_MAX || strlen(rv) > 32)
		return -EBADMSG;
	snprintf(vtext, sizeof(vtext), "%s.%s", rp, rv);
	if (hf_registry_version_split(vtext, pfx, &maj, &min, NULL) < 0)
		return -EBADMSG;
	if (strcmp(pfx, prefix) != 0 || maj != major)
		return -ENOENT;
	if (!json_object_object_get_ex(doc, "Messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_object))
		return -EBADMSG;
	out = json_object_new_object();
	kept = json_object_new_object();
	if (!out || !kept)
		goto nomem;
	json_object_object_foreach(msgs, name, m)
	{
		const char *text = str_member(m, "Message");
		const char *sev = str_member(m, "MessageSeverity");
		const char *res = str_member(m, "Resolution");
		struct json_object *e;

		if (count >= MAX_REG_MESSAGES)
			break;
		if (!sev)
			sev = str_member(m, "Severity");
		if (!text_ok(text) || strlen(name) >= MAX_REG_NAME)
			continue;
		e = json_object_new_object();
		if (!e || json_object_object_add(kept, name, e) < 0) {
			json_object_put(e);
			goto nomem;
		}
		if (json_object_object_add(e, "Message", json_object_new_string(text)) < 0 ||
		    (text_ok(sev) &&
		     json_object_object_add(e, "Severity", json_object_new_string(sev)) < 0) ||
		    (text_ok(res) &&
		     json_object_object_add(e, "Resolution", json_object_new_string(res)) < 0))
			goto nomem;
		count++;
	}
	if (json_object_object_add(out, "minor", json_object_new_int((int)min)) < 0 ||
	    json_object_object_add(out, "messages", kept) < 0)
		goto nomem;
	*ret = out;
	return 0;
nomem:
	json_object_put(kept);
	json_object_put(out);
	return -ENOMEM;
}

int hf_registry_entry_of(struct json_object *messages, const char *name,
			 struct hf_registry_entry *ret)
{
	struct json_object *m;

	if (!json_object_is_type(messages, json_type_object) ||
	    !json_object_object_get_ex(messages, name, &m))
		return -ENOENT;
	ret->id = name;
	ret->message = str_member(m, "Message");
	ret->severity = str_member(m, "Severity");
	ret->resolution = str_member(m, "Resolution");
	ret->nargs = 0;
	if (!text_ok(ret->message))
		return -ENOENT;
	if (!text_ok(ret->severity))
		ret->severity = "";
	if (!text_ok(ret->resolution))
		ret->resolution = "";
	return 0;
}

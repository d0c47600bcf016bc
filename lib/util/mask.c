/* SPDX-License-Identifier: MIT */
/*
 * mask.c - keep secrets out of logs.
 *
 * JSON bodies are parsed and every value under a secret key is replaced, at any depth and
 * inside arrays, so a password nested in an account PATCH is masked as well as a login body.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "hostfish-private.h"

#define MASK "****"
#define MASK_MAX_DEPTH 512 /* beyond hf_json_parse()'s own bound */

static bool contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

bool hf_mask_is_secret_key(const char *key)
{
	static const char *const substrings[] = {
		"password", "passwd", "passphrase", "token", "secret", "sessionkey", "privatekey",
		"authorization", "cookie", "community", /* SNMP communities are passwords */
		"licensekey", /* iLO licence keys (LicenseKey), bought secrets */
	};
	size_t i;

	if (!key)
		return false;
	for (i = 0; i < HF_ARRAY_SIZE(substrings); i++)
		if (contains_ci(key, substrings[i]))
			return true;
	return false;
}

bool hf_mask_is_secret_header(const char *name)
{
	static const char *const names[] = {
		"X-Auth-Token", "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(names); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

static char *masked_url_value(const char *s);

/* false when the document nests deeper than it is walked: then it is not logged at all */
/* NOLINTNEXTLINE(misc-no-recursion): bounded by MASK_MAX_DEPTH */
static bool mask_value(struct json_object *obj, int depth)
{
	if (depth > MASK_MAX_DEPTH)
		return false;
	if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach(obj, key, val)
		{
			/* a secret-named container is masked whole */
			if (hf_mask_is_secret_key(key) && val)
				json_object_object_add(obj, key, json_object_new_string(MASK));
			else if (!mask_value(val, depth + 1))
				return false;
		}
	} else if (json_object_is_type(obj, json_type_array)) {
		size_t i, n = json_object_array_length(obj);

		for (i = 0; i < n; i++)
			if (!mask_value(json_object_array_get_idx(obj, i), depth + 1))
				return false;
	} else if (json_object_is_type(obj, json_type_string)) {
		/* an ImageURI "https://user:pw@server/fw.bin", a link with ?token=... */
		char *m = masked_url_value(json_object_get_string(obj));

		if (m) {
			json_object_set_string(obj, m);
			free(m);
		}
	}
	return true;
}

char *hf_mask_json_text(const char *text, size_t len)
{
	struct json_object *obj = hf_json_parse(text, len);
	char *out;

	if (!obj)
		return NULL;
	if (!mask_value(obj, 0)) {
		json_object_put(obj);
		return NULL;
	}
	out = hf_strdup(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return out;
}

/* "scheme://user:password@host...": where the password starts and ends, or false */
static bool userinfo_password(const char *uri, const char **from, const char **to)
{
	const char *p = uri, *auth, *end, *at = NULL, *colon;

	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (p == uri || strncmp(p, "://", 3) != 0)
		return false;
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return false;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon)
		return false;
	*from = colon + 1;
	*to = at;
	return true;
}

_hf_public_ char *hf_mask_uri(const char *uri)
{
	const char *from, *to;
	char *plain, *out;

	if (!uri)
		return NULL;
	if (!userinfo_password(uri, &from, &to))
		return hf_mask_path(uri);
	plain = malloc(strlen(uri) + sizeof(MASK));
	if (!plain)
		return NULL;
	sprintf(plain, "%.*s%s%s", (int)(from - uri), uri, MASK, to);
	out = hf_mask_path(plain);
	free(plain);
	return out;
}

/* a JSON string that is a URL with a password or secret query values, masked; else NULL */
static char *masked_url_value(const char *s)
{
	char *m;

	if (!strstr(s, "://") && !strchr(s, '?'))
		return NULL;
	m = hf_mask_uri(s);
	if (m && strcmp(m, s) == 0) {
		free(m);
		return NULL;
	}
	return m;
}

char *hf_mask_path(const char *path)
{
	const char *q = strchr(path, '?');
	_cleanup_free_ char *masked = NULL;
	char *out;

	if (!q)
		return strdup(path);
	masked = hf_mask_query(q + 1);
	if (!masked)
		return NULL;
	out = malloc((size_t)(q - path) + 1 + strlen(masked) + 1);
	if (!out)
		return NULL;
	sprintf(out, "%.*s?%s", (int)(q - path), path, masked);
	return out;
}

char *hf_mask_query(const char *text)
{
	struct hf_buf b = { 0 };
	const char *p = text;

	while (*p) {
		size_t seglen = strcspn(p, "&");
		const char *eq = memchr(p, '=', seglen);
		int r;

		if (eq) {
			_cleanup_free_ char *key = hf_strndup(p, (size_t)(eq - p));

			if (!key)
				goto fail;
			if (hf_mask_is_secret_key(key))
				r = hf_buf_append(&b, p, (size_t)(eq - p) + 1) < 0 ||
				    hf_buf_appends(&b, MASK) < 0;
			else
				r = hf_buf_append(&b, p, seglen) < 0;
		} else {
			r = hf_buf_append(&b, p, seglen) < 0;
		}
		if (r)
			goto fail;
		p += seglen;
		if (*p == '&') {
			if (hf_buf_append(&b, "&", 1) < 0)
				goto fail;
			p++;
		}
	}
	return hf_buf_steal(&b);
fail:
	hf_buf_free(&b);
	return NULL;
}

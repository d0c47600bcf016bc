/* SPDX-License-Identifier: MIT */
/*
 * url.c - BMC URLs, request paths and Location headers.
 *
 * Locations come in every shape (iLO: absolute URL; others: absolute path, relative path,
 * with or without trailing slash, or nothing at all), so resolution follows RFC 3986 with one
 * deliberate exception documented at hf_location_to_path().
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hostfish-private.h"

static bool has_bad_chars(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

bool hf_url_has_scheme(const char *s)
{
	if (!s || !isalpha((unsigned char)*s))
		return false;
	while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return strncmp(s, "://", 3) == 0;
}

void hf_url_clear(struct hf_url *url)
{
	free(url->scheme);
	free(url->host);
	free(url->path);
	memset(url, 0, sizeof(*url));
}

int hf_url_parse(const char *text, struct hf_url *url)
{
	const char *p, *auth, *auth_end, *host_end, *port_s = NULL;
	struct hf_url u = { 0 };
	size_t i;
	int r = -EINVAL;

	if (!text || has_bad_chars(text) || !hf_url_has_scheme(text))
		return -EINVAL;
	p = strstr(text, "://");
	u.scheme = hf_strndup(text, (size_t)(p - text));
	if (!u.scheme)
		return -ENOMEM;
	for (i = 0; u.scheme[i]; i++)
		u.scheme[i] = (char)tolower((unsigned char)u.scheme[i]);
	if (strcmp(u.scheme, "https") != 0 && strcmp(u.scheme, "http") != 0)
		goto out;

	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)))
		goto out; /* user info in URLs ends up in logs and process lists */
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(auth_end - auth));
		if (!host_end)
			goto out;
		u.host = hf_strndup(auth + 1, (size_t)(host_end - auth - 1));
		host_end++;
	} else {
		host_end = memchr(auth, ':', (size_t)(auth_end - auth));
		if (!host_end)
			host_end = auth_end;
		u.host = hf_strndup(auth, (size_t)(host_end - auth));
	}
	if (!u.host) {
		r = -ENOMEM;
		goto out;
	}
	if (!u.host[0])
		goto out;
	if (host_end < auth_end) {
		char *end;
		unsigned long port;

		if (*host_end != ':')
			goto out;
		port_s = host_end + 1;
		if (port_s == auth_end || !isdigit((unsigned char)*port_s))
			goto out;
		port = strtoul(port_s, &end, 10);
		if (end != auth_end || port == 0 || port > 65535)
			goto out;
		u.port = (unsigned)port;
	} else {
		u.port = strcmp(u.scheme, "https") == 0 ? 443 : 80;
	}
	if (strchr(auth_end, '#'))
		goto out;
	if (*auth_end == '/') {
		u.path = strdup(auth_end);
	} else {
		/* "" or "?query": the path is "/" */
		u.path = malloc(strlen(auth_end) + 2);
		if (u.path)
			sprintf(u.path, "/%s", auth_end);
	}
	if (!u.path) {
		r = -ENOMEM;
		goto out;
	}
	*url = u;
	return 0;
out:
	hf_url_clear(&u);
	return r;
}

char *hf_url_origin(const struct hf_url *url)
{
	struct hf_buf b = { 0 };
	bool v6 = strchr(url->host, ':') != NULL;

	if (hf_buf_printf(&b, "%s://%s%s%s:%u", url->scheme, v6 ? "[" : "", url->host,
			  v6 ? "]" : "", url->port) < 0) {
		hf_buf_free(&b);
		return NULL;
	}
	return hf_buf_steal(&b);
}

int hf_path_check(const char *path)
{
	/* "//host/..." is a scheme-relative URL in disguise, not a path */
	if (!path || path[0] != '/' || path[1] == '/')
		return -EINVAL;
	if (has_bad_chars(path) || strchr(path, '#'))
		return -EINVAL;
	if (strlen(path) > 8192)
		return -EINVAL;
	return 0;
}

bool hf_path_same(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la && a[la - 1] == '/')
		la--;
	if (lb && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

/* RFC 3986 5.2.4, in place on a path without query. */
static void remove_dot_segments(char *path)
{
	char *in = path, *out = path;

	while (*in) {
		if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in[1] = '\0';
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			in += 3;
			if (*in == '\0') {
				in--;
				*in = '/';
			}
			while (out > path && *--out != '/')
				;
			*out = '\0';
		} else {
			do {
				*out++ = *in++;
			} while (*in && *in != '/');
		}
	}
	*out = '\0';
	if (path[0] == '\0') {
		path[0] = '/';
		path[1] = '\0';
	}
}

/*
 * Location resolution.  The one departure from RFC 3986: a relative reference is resolved
 * against base_path taken as a directory even without a trailing slash, because Redfish
 * creates members (sessions, tasks) beneath the collection that was POSTed to, and services
 * that send relative Locations mean exactly that.
 */
int hf_location_to_path(const char *location, const char *base_path, const char *origin,
			char **ret)
{
	struct hf_buf b = { 0 };
	const char *q;
	char *path = NULL, *query = NULL;
	int r;

	if (!location)
		return -EINVAL;
	while (*location == ' ' || *location == '\t')
		location++;
	if (!*location || has_bad_chars(location))
		return -EINVAL;

	if (hf_url_has_scheme(location) || hf_startswith(location, "//")) {
		struct hf_url u = { 0 };
		_cleanup_free_ char *abs = NULL, *o = NULL;

		if (hf_startswith(location, "//")) {
			const char *sep = origin ? strstr(origin, "://") : NULL;

			if (!sep)
				return -EINVAL;
			if (hf_buf_append(&b, origin, (size_t)(sep - origin) + 1) < 0 ||
			    hf_buf_appends(&b, location) < 0) {
				hf_buf_free(&b);
				return -ENOMEM;
			}
			abs = hf_buf_steal(&b);
		}
		r = hf_url_parse(abs ? abs : location, &u);
		if (r < 0)
			return r;
		o = hf_url_origin(&u);
		if (!o) {
			hf_url_clear(&u);
			return -ENOMEM;
		}
		if (origin && strcasecmp(o, origin) != 0) {
			hf_url_clear(&u);
			return -EXDEV;
		}
		path = u.path;
		u.path = NULL;
		hf_url_clear(&u);
	} else if (location[0] == '/') {
		path = strdup(location);
	} else {
		size_t blen;

		if (!base_path || base_path[0] != '/')
			return -EINVAL;
		blen = strcspn(base_path, "?");
		if (hf_buf_append(&b, base_path, blen) < 0 ||
		    (b.data[b.len - 1] != '/' && hf_buf_append(&b, "/", 1) < 0) ||
		    hf_buf_appends(&b, location) < 0) {
			hf_buf_free(&b);
			return -ENOMEM;
		}
		path = hf_buf_steal(&b);
	}
	if (!path)
		return -ENOMEM;

	/* dot segments apply to the path only, not the query */
	q = strchr(path, '?');
	if (q) {
		query = strdup(q);
		if (!query) {
			free(path);
			return -ENOMEM;
		}
		path[q - path] = '\0';
	}
	remove_dot_segments(path);
	if (query) {
		char *joined = malloc(strlen(path) + strlen(query) + 1);

		if (!joined) {
			free(path);
			free(query);
			return -ENOMEM;
		}
		sprintf(joined, "%s%s", path, query);
		free(path);
		free(query);
		path = joined;
	}
	r = hf_path_check(path);
	if (r < 0) {
		free(path);
		return r;
	}
	*ret = path;
	return 0;
}

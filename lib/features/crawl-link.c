/* SPDX-License-Identifier: MIT */
/*
 * crawl-link.c - which @odata.id links a crawl follows.  The BMC's answers are untrusted: a
 * link is followed only when it is a path (or a URL of this BMC) below the crawl's root
 * whose segments are plain names, since each segment becomes a directory name as written.
 * Percent-encodings are never decoded; those that would decode to a dot, slash, backslash or
 * control character are refused, so that the server's view of a path (it decodes) and the
 * file tree's (it does not) cannot disagree about where a segment ends or goes up.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "crawl-private.h"
#include "hostfish-private.h"

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

const char *hf_crawl_path_unsafe(const char *path)
{
	const char *s = path + 1, *end;
	int depth = 0;

	if (path[0] != '/')
		return "not an absolute path";
	if (strlen(path) > HF_CRAWL_MAX_PATH)
		return "path too long";
	while (*s) {
		size_t len, i;

		end = strchr(s, '/');
		len = end ? (size_t)(end - s) : strlen(s);
		if (len == 0)
			return "empty path segment";
		if (len > HF_CRAWL_MAX_SEGMENT)
			return "path segment too long";
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return "dot segment";
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)s[i];
			int v;

			if (ch < 0x20 || ch == 0x7f || ch == '\\')
				return "control character or backslash";
			if (ch != '%')
				continue;
			/* "%XX" must end inside the segment */
			if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return "malformed percent-encoding";
			v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			if (v < 0x20 || v == 0x7f || v == '.' || v == '/' || v == '\\')
				return "percent-encoded dot, slash, backslash or control character";
			i += 2;
		}
		if (++depth > HF_CRAWL_MAX_DEPTH)
			return "path too deep";
		if (!end)
			break;
		s = end + 1; /* a trailing slash ends the loop with *s == '\0' */
	}
	return NULL;
}

int hf_crawl_classify(const char *origin, const char *root, size_t rootlen, const char *link,
		      size_t len, char **ret, const char **why)
{
	_cleanup_free_ char *s = NULL;
	const char *path;
	char *hash;
	size_t keylen;

	*ret = NULL;
	*why = NULL;
	if (strlen(link) != len) {
		*why = "NUL character";
		return HF_CRAWL_REFUSE;
	}
	if (len > HF_CRAWL_MAX_PATH + 256) {
		*why = "link too long";
		return HF_CRAWL_REFUSE;
	}
	s = strdup(link);
	if (!s)
		return -ENOMEM;
	hash = strchr(s, '#'); /* a fragment names a part of the resource */
	if (hash)
		*hash = '\0';
	path = s;
	if (hf_url_has_scheme(s) || hf_startswith(s, "//")) {
		struct hf_url u = { 0 };
		_cleanup_free_ char *o = NULL;

		if (!origin) {
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
			*why = "absolute URL (this transport has no URL to compare it with)";
			return HF_CRAWL_REFUSE;
		}
		if (s[0] == '/' || hf_url_parse(s, &u) < 0) {
			*why = "malformed or scheme-relative URL";
			return HF_CRAWL_REFUSE;
		}
		o = hf_url_origin(&u);
		hf_url_clear(&u);
		if (!o)
			return -ENOMEM;
		if (strcasecmp(o, origin) != 0) {
			*why = "URL of another host";
			return HF_CRAWL_REFUSE;
		}
		/* the path exactly as written, not as the URL parser normalised it */
		path = strchr(strstr(s, "://") + 3, '/');
		if (!path)
			return HF_CRAWL_IGNORE; /* the host's root: not below ours */
	}
	if (path[0] != '/') {
		*why = "not an absolute path";
		return HF_CRAWL_REFUSE;
	}
	if (strchr(path, '?')) {
		*why = "query string";
		return HF_CRAWL_REFUSE;
	}
	if (hf_path_check(path) < 0) {
		*why = "invalid characters";
		return HF_CRAWL_REFUSE;
	}
	*why = hf_crawl_path_unsafe(path);
	if (*why)
		return HF_CRAWL_REFUSE;
	keylen = strlen(path);
	if (keylen > 1 && path[keylen - 1] == '/')
		keylen--;
	if (keylen < rootlen || strncmp(path, root, rootlen) != 0 ||
	    (keylen > rootlen && path[rootlen] != '/'))
		return HF_CRAWL_IGNORE; /* elsewhere on the BMC */
	*ret = strdup(path);
	return *ret ? HF_CRAWL_FOLLOW : -ENOMEM;
}

/* SPDX-License-Identifier: MIT */
/*
 * json.c - strict JSON: what hostfish sends, and what it accepts as a JSON answer.
 *
 * json-c's tokenizer, even in its "strict" mode, accepts single-quoted strings, NaN,
 * Infinity, "1." and raw control characters in strings; a BMC rejects them.  So a document
 * is first checked against the RFC 8259 grammar here (in place, without copying: request
 * bodies carry passwords), then handed to json-c to build the tree.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

#define MAX_DEPTH 256 /* Redfish with $expand nests deeply; a bound still applies */

struct scan {
	const unsigned char *p;
	const unsigned char *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of a valid UTF-8 sequence at p (1..4), 0 when invalid (overlongs, surrogates). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool scan_string(struct scan *s)
{
	s->p++; /* opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p;
		size_t n;

		if (c == '"') {
			s->p++;
			return true;
		}
		if (c < 0x20)
			return false; /* raw control characters must be escaped */
		if (c == '\\') {
			if (s->end - s->p < 2)
				return false;
			c = s->p[1];
			if (c == 'u') {
				int i;

				if (s->end - s->p < 6)
					return false;
				for (i = 2; i < 6; i++)
					if (!is_hex(s->p[i]))
						return false;
				s->p += 6;
			} else if (strchr("\"\\/bfnrt", c) && c) {
				s->p += 2;
			} else {
				return false;
			}
			continue;
		}
		n = utf8_len(s->p, s->end);
		if (!n)
			return false;
		s->p += n;
	}
	return false;
}

static bool scan_digits(struct scan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

static bool scan_number(struct scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (s->p >= s->end)
		return false;
	if (*s->p == '0')
		s->p++; /* no leading zeros */
	else if (!scan_digits(s))
		return false;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!scan_digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!scan_digits(s))
			return false;
	}
	return true;
}

static bool scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): bounded by MAX_DEPTH */
static bool scan_value(struct scan *s, int depth)
{
	skip_ws(s);
	if (s->p >= s->end || depth > MAX_DEPTH)
		return false;
	switch (*s->p) {
	case '{':
		s->p++;
		skip_ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return true;
		}
		for (;;) {
			skip_ws(s);
			if (s->p >= s->end || *s->p != '"' || !scan_string(s))
				return false;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return false;
			s->p++;
			if (!scan_value(s, depth + 1))
				return false;
			skip_ws(s);
			if (s->p >= s->end)
				return false;
			if (*s->p == '}') {
				s->p++;
				return true;
			}
			if (*s->p != ',')
				return false;
			s->p++;
		}
	case '[':
		s->p++;
		skip_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return true;
		}
		for (;;) {
			if (!scan_value(s, depth + 1))
				return false;
			skip_ws(s);
			if (s->p >= s->end)
				return false;
			if (*s->p == ']') {
				s->p++;
				return true;
			}
			if (*s->p != ',')
				return false;
			s->p++;
		}
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return scan_number(s);
		return false;
	}
}

bool hf_json_valid(const char *text, size_t len)
{
	struct scan s = { (const unsigned char *)text, (const unsigned char *)text + len };

	if (!text || len == 0)
		return false;
	if (!scan_value(&s, 0))
		return false;
	skip_ws(&s);
	return s.p == s.end;
}

struct json_object *hf_json_parse(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;

	if (len > INT32_MAX || !hf_json_valid(text, len))
		return NULL;
	tok = json_tokener_new_ex(MAX_DEPTH + 1);
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

const char *hf_json_path_string(struct json_object *obj, const char *const *keys)
{
	for (; *keys; keys++)
		if (!json_object_is_type(obj, json_type_object) ||
		    !json_object_object_get_ex(obj, *keys, &obj))
			return NULL;
	return json_object_is_type(obj, json_type_string) ? json_object_get_string(obj) : NULL;
}

int hf_json_array_printf(struct json_object *arr, const char *fmt, ...)
{
	struct hf_buf b = { 0 };
	struct json_object *s;
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	s = b.data ? json_object_new_string(b.data) : NULL;
	hf_buf_free(&b);
	if (!s || json_object_array_add(arr, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

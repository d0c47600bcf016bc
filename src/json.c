/*
 * json.c - strict JSON parsing shared by request validation, responses and log masking.
 *
 * json-c's default tokenizer accepts trailing commas, single-quoted strings and other
 * extensions that a BMC would reject; hostfish validates what it sends (and judges what it
 * receives) by the RFC 8259 grammar, one document, white space allowed around it.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

struct json_object *hf_json_parse(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	if (!text || len == 0 || len > INT32_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		json_tokener_free(tok);
		return NULL;
	}
	end = (size_t)tok->char_offset;
	json_tokener_free(tok);
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end != len) {
		json_object_put(obj); /* a second document, or garbage after the first */
		return NULL;
	}
	return obj;
}

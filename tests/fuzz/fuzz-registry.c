/* SPDX-License-Identifier: MIT */
/*
 * fuzz-registry.c - the BMC's message registries as the client reads them (all untrusted): a
 * MessageRegistryFile (its Location), a MessageRegistry (trimmed, then used to complete
 * short-form errors with arguments), and the per-BMC cache file; plus MessageId parsing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENDPOINT "https://bmc.example:443"
#define NOW 1700000000LL /* the corpus's cache files say "indexed_at": 1700000000 */

static const char *const short_errors[] = {
	"{\"error\":{\"@Message.ExtendedInfo\":[{\"MessageId\":\"iLO.2.14.PropertyValueBadParam\","
	"\"MessageArgs\":[\"a\",\"%1\",\"%2%3\"]},{\"MessageId\":\"iLO.2.1.UnsupportedOperation\"},"
	"{\"MessageId\":\"Base.1.4.NoValidSession\"},{\"MessageId\":\"Fuzz.1.0.Message\","
	"\"MessageArgs\":[1,true,null,{\"x\":[]}]}]}}",
};

static void complete_with(struct json_object *cache)
{
	size_t i, k;

	for (i = 0; i < sizeof(short_errors) / sizeof(short_errors[0]); i++) {
		struct json_object *body = json_tokener_parse(short_errors[i]);
		hf_redfish_error *err = hf_rferror_parse(body);

		(void)hf_regcache_complete(cache, err);
		for (k = 0; k < hf_redfish_error_count(err); k++) {
			const hf_message *m = hf_redfish_error_info(err, k);

			if (m->message)
				(void)strlen(m->message);
		}
		hf_rferror_unref(err);
		json_object_put(body);
	}
}

/* A cache root holding one trimmed registry under key. */
static struct json_object *cache_of(const char *key, struct json_object *trimmed)
{
	struct json_object *root = json_object_new_object(), *regs = json_object_new_object();

	json_object_object_add(root, "registries", regs);
	json_object_object_add(regs, key, trimmed);
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char prefix[HF_REGISTRY_PREFIX_MAX], small[256];
	struct json_object *doc, *cache, *trimmed = NULL, *v;
	const char *reg, *uri, *name;
	unsigned major, minor;

	if (size > (4 << 20))
		return 0;
	/* the input as a MessageId */
	memcpy(small, data, size < sizeof(small) - 1 ? size : sizeof(small) - 1);
	small[size < sizeof(small) - 1 ? size : sizeof(small) - 1] = '\0';
	(void)hf_message_id_split(small, prefix, &major, &minor, &name);
	(void)hf_registry_version_split(small, prefix, &major, &minor, &name);

	/* as a cache file */
	cache = hf_regcache_parse(text, size, ENDPOINT, NOW);
	if (cache) {
		complete_with(cache);
		json_object_put(cache);
	}

	doc = hf_json_parse(text, size);
	if (!doc)
		return 0;
	/* as a registry file */
	if (hf_registry_file_parse(doc, &reg, &uri) == 0)
		(void)hf_registry_version_split(reg, prefix, &major, &minor, NULL);
	/* as a registry: whatever it claims to be, then the registries errors name */
	if (json_object_object_get_ex(doc, "RegistryPrefix", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strlen(json_object_get_string(v)) < HF_REGISTRY_PREFIX_MAX) {
		snprintf(prefix, sizeof(prefix), "%s", json_object_get_string(v));
		for (major = 0; major < 3; major++) {
			char key[HF_REGISTRY_PREFIX_MAX + 16];

			if (hf_registry_trim(doc, prefix, major, &trimmed) != 0)
				continue;
			snprintf(key, sizeof(key), "%s.%u", prefix, major);
			cache = cache_of(key, trimmed);
			complete_with(cache);
			json_object_put(cache);
		}
	}
	json_object_put(doc);
	return 0;
}

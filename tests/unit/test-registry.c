/* SPDX-License-Identifier: MIT */
/*
 * test-registry.c - the BMC's message registries (lib/core/registry.c, lib/core/regcache.c): MessageId and
 * version parsing, registry files and documents (untrusted), the cache file's checks, and
 * completion of short-form errors with argument substitution.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "hostfish-private.h"

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		fail_msg("test text is not JSON: %s", text);
	return o;
}

static void test_message_id_split(void **state)
{
	char prefix[HF_REGISTRY_PREFIX_MAX];
	unsigned major = 99, minor = 99;
	const char *name = NULL;

	(void)state;
	assert_int_equal(hf_message_id_split("iLO.2.14.PropertyValueBadParam", prefix, &major,
					     &minor, &name), 0);
	assert_string_equal(prefix, "iLO");
	assert_int_equal(major, 2);
	assert_int_equal(minor, 14);
	assert_string_equal(name, "PropertyValueBadParam");
	/* with an errata number */
	assert_int_equal(hf_message_id_split("Base.1.8.1.GeneralError", prefix, &major, &minor,
					     &name), 0);
	assert_string_equal(prefix, "Base");
	assert_int_equal(major, 1);
	assert_int_equal(minor, 8);
	assert_string_equal(name, "GeneralError");
	/* not of the shape */
	assert_int_equal(hf_message_id_split("NoValidSession", prefix, &major, &minor, &name),
			 -EINVAL);
	assert_int_equal(hf_message_id_split("iLO.2.14", prefix, &major, &minor, &name), -EINVAL);
	assert_int_equal(hf_message_id_split("iLO.2.14.", prefix, &major, &minor, &name), -EINVAL);
	assert_int_equal(hf_message_id_split("iLO.x.14.Name", prefix, &major, &minor, &name),
			 -EINVAL);
	assert_int_equal(hf_message_id_split("iLO..14.Name", prefix, &major, &minor, &name),
			 -EINVAL);
	assert_int_equal(hf_message_id_split(".2.14.Name", prefix, &major, &minor, &name), -EINVAL);
	assert_int_equal(hf_message_id_split("i/LO.2.14.Name", prefix, &major, &minor, &name),
			 -EINVAL);
	assert_int_equal(hf_message_id_split("iLO.2.14.a.b", prefix, &major, &minor, &name),
			 -EINVAL);
	assert_int_equal(hf_message_id_split("iLO.9999999.14.Name", prefix, &major, &minor,
					     &name), -EINVAL);
	assert_int_equal(hf_message_id_split(NULL, prefix, &major, &minor, &name), -EINVAL);
	{
		char longp[200];

		memset(longp, 'A', 100);
		strcpy(longp + 100, ".1.0.Name");
		assert_int_equal(hf_message_id_split(longp, prefix, &major, &minor, &name),
				 -EINVAL);
	}
}

static void test_version_split(void **state)
{
	char prefix[HF_REGISTRY_PREFIX_MAX];
	unsigned major, minor;

	(void)state;
	assert_int_equal(hf_registry_version_split("iLO.2.14.0", prefix, &major, &minor, NULL), 0);
	assert_string_equal(prefix, "iLO");
	assert_int_equal(major, 2);
	assert_int_equal(minor, 14);
	assert_int_equal(hf_registry_version_split("Base.1.4", prefix, &major, &minor, NULL), 0);
	assert_int_equal(minor, 4);
	assert_int_equal(hf_registry_version_split("Base.1", prefix, &major, &minor, NULL), -EINVAL);
	assert_int_equal(hf_registry_version_split("Base", prefix, &major, &minor, NULL), -EINVAL);
}

static void test_file_parse(void **state)
{
	struct json_object *doc;
	const char *reg, *uri;

	(void)state;
	/* English preferred; Uri only */
	doc = parse("{\"Registry\":\"iLO.2.14.0\",\"Location\":["
		    "{\"Language\":\"ja\",\"Uri\":\"/ja/iLO.json\"},"
		    "{\"Language\":\"en\",\"PublicationUri\":\"https://example.com/iLO.json\"},"
		    "{\"Language\":\"en\",\"Uri\":\"/en/iLO.json\"}]}");
	assert_int_equal(hf_registry_file_parse(doc, &reg, &uri), 0);
	assert_string_equal(reg, "iLO.2.14.0");
	assert_string_equal(uri, "/en/iLO.json");
	json_object_put(doc);
	/* only off-host or archived copies: nothing to read */
	doc = parse("{\"Registry\":\"Base.1.4.0\",\"Location\":["
		    "{\"Language\":\"en\",\"PublicationUri\":\"https://example.com/Base.json\"},"
		    "{\"Language\":\"en\",\"ArchiveUri\":\"/a.zip\",\"ArchiveFile\":\"Base.json\"}]}");
	assert_int_equal(hf_registry_file_parse(doc, &reg, &uri), -ENOENT);
	json_object_put(doc);
	/* junk types */
	doc = parse("{\"Registry\":7,\"Location\":[{\"Uri\":\"/x\"}]}");
	assert_int_equal(hf_registry_file_parse(doc, &reg, &uri), -EBADMSG);
	json_object_put(doc);
	doc = parse("{\"Registry\":\"iLO.2.14.0\",\"Location\":{\"Uri\":\"/x\"}}");
	assert_int_equal(hf_registry_file_parse(doc, &reg, &uri), -EBADMSG);
	json_object_put(doc);
	doc = parse("{\"Registry\":\"iLO.2.14.0\",\"Location\":[1,null,{\"Uri\":5}]}");
	assert_int_equal(hf_registry_file_parse(doc, &reg, &uri), -ENOENT);
	json_object_put(doc);
	assert_int_equal(hf_registry_file_parse(NULL, &reg, &uri), -EBADMSG);
}

static const char ilo_registry[] =
	"{\"RegistryPrefix\":\"iLO\",\"RegistryVersion\":\"2.14.0\",\"Messages\":{"
	"\"PropertyValueBadParam\":{\"Message\":\"The property value %1 is not valid.\","
	"\"Severity\":\"Warning\",\"Resolution\":\"Retry with a corrected value.\"},"
	"\"NoSeverity\":{\"Message\":\"No severity.\"},"
	"\"Junk\":{\"Message\":5},\"Junk2\":\"text\"}}";

static void test_trim(void **state)
{
	struct json_object *doc = parse(ilo_registry), *t = NULL, *msgs, *v;
	struct hf_registry_entry e;

	(void)state;
	assert_int_equal(hf_registry_trim(doc, "iLO", 2, &t), 0);
	assert_true(json_object_object_get_ex(t, "minor", &v));
	assert_int_equal(json_object_get_int(v), 14);
	assert_true(json_object_object_get_ex(t, "messages", &msgs));
	assert_int_equal(json_object_object_length(msgs), 2); /* the junk entries are dropped */
	assert_int_equal(hf_registry_entry_of(msgs, "PropertyValueBadParam", &e), 0);
	assert_string_equal(e.message, "The property value %1 is not valid.");
	assert_string_equal(e.severity, "Warning");
	assert_string_equal(e.resolution, "Retry with a corrected value.");
	assert_int_equal(hf_registry_entry_of(msgs, "NoSeverity", &e), 0);
	assert_string_equal(e.severity, "");
	assert_int_equal(hf_registry_entry_of(msgs, "Missing", &e), -ENOENT);
	json_object_put(t);
	/* another major version or prefix: not this registry */
	assert_int_equal(hf_registry_trim(doc, "iLO", 1, &t), -ENOENT);
	assert_int_equal(hf_registry_trim(doc, "Base", 2, &t), -ENOENT);
	json_object_put(doc);
	doc = parse("{\"RegistryPrefix\":\"iLO\",\"RegistryVersion\":\"x\",\"Messages\":{}}");
	assert_int_equal(hf_registry_trim(doc, "iLO", 2, &t), -EBADMSG);
	json_object_put(doc);
	doc = parse("{\"RegistryPrefix\":\"iLO\",\"RegistryVersion\":\"2.1.0\",\"Messages\":[]}");
	assert_int_equal(hf_registry_trim(doc, "iLO", 2, &t), -EBADMSG);
	json_object_put(doc);
}

static hf_redfish_error *short_error(const char *id, const char *arg)
{
	char text[512];
	struct json_object *body;
	hf_redfish_error *err;

	snprintf(text, sizeof(text),
		 "{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"@Message.ExtendedInfo\":"
		 "[{\"MessageId\":\"%s\"%s%s%s}]}}",
		 id, arg ? ",\"MessageArgs\":[\"" : "", arg ? arg : "", arg ? "\"]" : "");
	body = parse(text);
	err = hf_rferror_parse(body);
	json_object_put(body);
	assert_non_null(err);
	return err;
}

static struct json_object *cache_with_ilo(const char *endpoint, long long at)
{
	struct json_object *doc = parse(ilo_registry), *t = NULL, *cache, *regs;
	char text[512];

	assert_int_equal(hf_registry_trim(doc, "iLO", 2, &t), 0);
	json_object_put(doc);
	snprintf(text, sizeof(text),
		 "{\"format\":1,\"endpoint\":\"%s\",\"indexed_at\":%lld,\"index\":[],"
		 "\"registries\":{}}",
		 endpoint, at);
	cache = parse(text);
	json_object_object_get_ex(cache, "registries", &regs);
	json_object_object_add(regs, "iLO.2", t);
	return cache;
}

static void test_complete_from_cache(void **state)
{
	struct json_object *cache = cache_with_ilo("https://bmc:443", 1000);
	hf_redfish_error *err;
	const hf_message *m;

	(void)state;
	/* iLO.2.x: served by the iLO.2.14 registry, %1 substituted */
	err = short_error("iLO.2.10.PropertyValueBadParam", "Speed");
	assert_null(hf_redfish_error_info(err, 0)->message);
	assert_int_equal(hf_regcache_complete(cache, err), 1);
	m = hf_redfish_error_info(err, 0);
	assert_true(m->completed);
	assert_string_equal(m->message, "The property value Speed is not valid.");
	assert_string_equal(m->severity, "Warning");
	assert_string_equal(m->resolution, "Retry with a corrected value.");
	/* twice: nothing more to do */
	assert_int_equal(hf_regcache_complete(cache, err), 0);
	hf_rferror_unref(err);

	/* a missing argument stays visible */
	err = short_error("iLO.2.14.PropertyValueBadParam", NULL);
	assert_int_equal(hf_regcache_complete(cache, err), 1);
	assert_string_equal(hf_redfish_error_info(err, 0)->message,
			    "The property value %1 is not valid.");
	hf_rferror_unref(err);

	/* another major version: not served */
	err = short_error("iLO.3.0.PropertyValueBadParam", "x");
	assert_int_equal(hf_regcache_complete(cache, err), 0);
	assert_null(hf_redfish_error_info(err, 0)->message);
	hf_rferror_unref(err);

	/* Base messages were completed by the built-in registry already */
	err = short_error("Base.1.4.NoValidSession", NULL);
	assert_non_null(hf_redfish_error_info(err, 0)->message);
	assert_int_equal(hf_regcache_complete(cache, err), 0);
	hf_rferror_unref(err);
	json_object_put(cache);
}

static void test_cache_parse(void **state)
{
	struct json_object *cache = cache_with_ilo("https://bmc:443", 1000000), *back;
	const char *text = json_object_to_json_string(cache);
	size_t len = strlen(text);

	(void)state;
	back = hf_regcache_parse(text, len, "https://bmc:443", 1000000 + 60);
	assert_non_null(back);
	json_object_put(back);
	/* another endpoint's cache */
	assert_null(hf_regcache_parse(text, len, "https://other:443", 1000000 + 60));
	/* stale, and from the future */
	assert_null(hf_regcache_parse(text, len, "https://bmc:443",
				      1000000 + HF_REGISTRY_CACHE_TTL_S + 1));
	assert_null(hf_regcache_parse(text, len, "https://bmc:443", 1000000 - 7200));
	/* not a cache */
	assert_null(hf_regcache_parse("[]", 2, "https://bmc:443", 0));
	assert_null(hf_regcache_parse("{\"format\":2}", 12, "https://bmc:443", 0));
	{
		static const char bad[] = "{\"format\":1,\"endpoint\":\"https://bmc:443\","
					  "\"indexed_at\":5,\"index\":{},\"registries\":{}}";

		assert_null(hf_regcache_parse(bad, strlen(bad), "https://bmc:443", 5));
	}
	assert_null(hf_regcache_parse("{", 1, "https://bmc:443", 0));
	json_object_put(cache);
}

static void test_cache_path(void **state)
{
	char *a = hf_regcache_path("/var/lib/hostfish", "https://10.0.0.5:443");
	char *b = hf_regcache_path("/var/lib/hostfish", "https://10.0.0.6:443");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_true(hf_startswith(a, "/var/lib/hostfish/registries/"));
	assert_non_null(strstr(a, ".json"));
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_id_split),
		cmocka_unit_test(test_version_split),
		cmocka_unit_test(test_file_parse),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_complete_from_cache),
		cmocka_unit_test(test_cache_parse),
		cmocka_unit_test(test_cache_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

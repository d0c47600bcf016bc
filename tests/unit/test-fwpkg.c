/* SPDX-License-Identifier: MIT */
/*
 * test-fwpkg.c - HPE .fwpkg packages (lib/features/fwpkg.c): the classification image by
 * image as HPE's flashfwpkg does it (A, B, C, D; the last device decides; Uefi+RuntimeAgent is
 * D; Uefi+Bmc goes to the FirmwareInventory), each malformed package refused with its reason,
 * the compsig found by name, entries read in bounded sections.  The packages are built here
 * with libzip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "flash-private.h"
#include "fwpkg-private.h"

static char dir[] = "/tmp/hostfish-test-fwpkg.XXXXXX";
static char path[sizeof(dir) + 32];
static char err[512];

/* one zip entry: name and content (NULL content: an empty entry) */
struct entry {
	const char *name, *data;
};

/* a package at path with payload.json (unless NULL) and the entries; returns path */
static const char *mkpkg(const char *payload, const struct entry *e)
{
	struct zip *z;
	int code;

	snprintf(path, sizeof(path), "%s/p.fwpkg", dir);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
	assert_non_null(z);
	if (payload) {
		struct zip_source *s = zip_source_buffer(z, payload, strlen(payload), 0);

		assert_non_null(s);
		assert_true(zip_file_add(z, "payload.json", s, ZIP_FL_OVERWRITE) >= 0);
	}
	for (; e && e->name; e++) {
		const char *d = e->data ? e->data : "";
		struct zip_source *s = zip_source_buffer(z, d, strlen(d), 0);

		assert_non_null(s);
		assert_true(zip_file_add(z, e->name, s, ZIP_FL_OVERWRITE) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	return path;
}

/* payload.json of one device and one image with these flags (JSON literals) */
static char *payload1(const char *by, const char *file, const char *direct, const char *reset,
		      const char *uefi)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"PackageFormat\": \"FWPKG-v2\", \"UpdatableBy\": [%s], \"Devices\": "
		 "{\"Device\": [{\"Target\": \"t-1\", \"FirmwareImages\": [{\"FileName\": \"%s\", "
		 "\"DirectFlashOk\": %s, \"ResetRequired\": %s, \"UefiFlashable\": %s}]}]}}",
		 by, file, direct, reset, uefi);
	return buf;
}

static const struct entry image[] = { { "image.bin", "0123456789" }, { NULL, NULL } };

static char type_of(const char *payload, const struct entry *e)
{
	struct hf_fwpkg *p = NULL;
	char t;

	err[0] = '\0';
	if (hf_fwpkg_open(mkpkg(payload, e), &p, err, sizeof(err)) < 0)
		fail_msg("refused: %s", err);
	t = p->type;
	hf_fwpkg_free(p);
	return t;
}

/* the package is refused with -EINVAL and a reason containing what */
static void refused(const char *what)
{
	struct hf_fwpkg *p = NULL;

	err[0] = '\0';
	assert_int_equal(hf_fwpkg_open(path, &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	if (!strstr(err, what))
		fail_msg("the reason '%s' does not say '%s'", err, what);
}

static void test_types(void **state)
{
	struct hf_fwpkg *p = NULL;

	(void)state;
	assert_int_equal(type_of(payload1("\"Bmc\"", "image.bin", "true", "false", "false"), image),
			 'A');
	assert_int_equal(type_of(payload1("\"Bmc\"", "image.bin", "true", "true", "false"), image),
			 'B');
	assert_int_equal(type_of(payload1("\"Uefi\"", "image.bin", "false", "true", "true"), image),
			 'C');
	assert_int_equal(type_of(payload1("\"Bmc\"", "image.bin", "false", "false", "false"), image),
			 'D');
	/* Uefi with RuntimeAgent: not flashable through the BMC, whatever the images say */
	assert_int_equal(type_of(payload1("\"Uefi\", \"RuntimeAgent\"", "image.bin", "true", "false",
					  "true"),
				 image),
			 'D');
	/* Uefi with Bmc: the FirmwareInventory decides */
	assert_int_equal(type_of(payload1("\"Uefi\", \"Bmc\"", "image.bin", "true", "true", "true"),
				 image),
			 'I');
	/* the facts kept for the flash */
	assert_int_equal(hf_fwpkg_open(mkpkg(payload1("\"Bmc\"", "image.bin", "true", "false",
						      "false"),
					     image),
				       &p, err, sizeof(err)),
			 0);
	assert_true(p->v2 && p->by_bmc && !p->by_uefi && !p->by_agent);
	assert_int_equal(p->n_targets, 1);
	assert_string_equal(p->targets[0], "t-1");
	assert_int_equal(p->n_img, 1);
	assert_string_equal(p->img[0].file, "image.bin");
	assert_int_equal(p->img[0].size, 10);
	assert_null(p->img[0].compsig);
	hf_fwpkg_free(p);
}

/* one device with two images */
#define ONE_DEVICE                                                                          \
	"{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": [{\"FirmwareImages\": " \
	"[%s, %s]}]}}"

static void test_hpe_loop(void **state)
{
	/* HPE's loop: a device's B or C image ends it; the last device decides */
	static const struct entry two[] = { { "a.bin", "a" }, { "b.bin", "b" }, { NULL, NULL } };
	const char *a = "{\"FileName\": \"a.bin\", \"DirectFlashOk\": true}";
	const char *b = "{\"FileName\": \"b.bin\", \"DirectFlashOk\": true, \"ResetRequired\": true}";
	const char *d = "{\"FileName\": \"b.bin\", \"DirectFlashOk\": false, \"UefiFlashable\": false}";
	char buf[1024];

	(void)state;
	snprintf(buf, sizeof(buf), ONE_DEVICE, a, b);
	assert_int_equal(type_of(buf, two), 'B');
	snprintf(buf, sizeof(buf), ONE_DEVICE, b, a);
	assert_int_equal(type_of(buf, two), 'B');
	snprintf(buf, sizeof(buf), ONE_DEVICE, a, d);
	assert_int_equal(type_of(buf, two), 'D');
	/* two devices: the second one's type */
	snprintf(buf, sizeof(buf),
		 "{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": [{\"FirmwareImages\": "
		 "[%s]}, {\"FirmwareImages\": [%s]}]}}",
		 b, a);
	assert_int_equal(type_of(buf, two), 'A');
	/* HPE's tool accepts "UEFIFlashable" too */
	assert_int_equal(type_of("{\"UpdatableBy\": [\"Uefi\"], \"Devices\": {\"Device\": [{"
				 "\"FirmwareImages\": [{\"FileName\": \"a.bin\", \"DirectFlashOk\": "
				 "false, \"UEFIFlashable\": true}]}]}}",
				 two),
			 'C');
}

static void test_refused(void **state)
{
	char big[HF_FWPKG_MAX_IMAGES * 64 + 256], *o;
	FILE *f;
	int i;

	(void)state;
	/* not a zip, empty, a directory, truncated */
	snprintf(path, sizeof(path), "%s/p.fwpkg", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("PK\003\004 this is not a zip archive at all", f);
	fclose(f);
	refused("not a valid zip");
	assert_int_equal(truncate(path, 0), 0);
	refused("not a non-empty regular file");
	snprintf(path, sizeof(path), "%s", dir);
	refused("not a non-empty regular file");
	mkpkg(payload1("\"Bmc\"", "image.bin", "true", "false", "false"), image);
	assert_int_equal(truncate(path, 60), 0);
	refused("not a valid zip");
	/* payload.json: missing, empty, not JSON, not an object, trailing bytes */
	mkpkg(NULL, image);
	refused("no payload.json");
	mkpkg("", image);
	refused("empty");
	mkpkg("{not json", image);
	refused("not a JSON object");
	mkpkg("[1, 2]", image);
	refused("not a JSON object");
	mkpkg("{\"UpdatableBy\": [\"Bmc\"]} {\"more\": 1}", image);
	refused("after the JSON object");
	/* fields */
	mkpkg("{\"Devices\": {\"Device\": []}}", image);
	refused("UpdatableBy");
	mkpkg("{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": []}}", image);
	refused("Devices.Device");
	mkpkg("{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": [{\"Target\": \"x\"}]}}",
	      image);
	refused("FirmwareImages");
	mkpkg(payload1("\"Bmc\"", "../image.bin", "true", "false", "false"), image);
	refused("FileName");
	mkpkg(payload1("\"Bmc\"", "ima\\u001bge.bin", "true", "false", "false"), image);
	refused("FileName");
	mkpkg(payload1("\"Bmc\"", "ima\\\"ge.bin", "true", "false", "false"), image);
	refused("FileName");
	mkpkg(payload1("\"Bmc\"", "image.bin", "\"true\"", "false", "false"), image);
	refused("DirectFlashOk");
	mkpkg("{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": [{\"FirmwareImages\": "
	      "[{\"FileName\": \"image.bin\", \"DirectFlashOk\": false}]}]}}",
	      image);
	refused("UefiFlashable");
	mkpkg(payload1("\"Bmc\"", "other.bin", "true", "false", "false"), image);
	refused("other.bin");
	/* too many images */
	o = big + sprintf(big, "{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": "
			       "[{\"FirmwareImages\": [");
	for (i = 0; i <= HF_FWPKG_MAX_IMAGES; i++)
		o += sprintf(o, "%s{\"FileName\": \"image.bin\", \"DirectFlashOk\": true}",
			     i ? ", " : "");
	strcpy(o, "]}]}}");
	mkpkg(big, image);
	refused("images");
}

static void test_compsig(void **state)
{
	static const struct entry e[] = { { "image.bin", "x" },
					  { "image_part1.compsig", "p1" },
					  { "image-extra.compsig", "other" },
					  { "image.compsig", "whole" },
					  { NULL, NULL } };
	static const struct entry parts_only[] = { { "image.bin", "x" },
						   { "image_part1.compsig", "p1" },
						   { NULL, NULL } };
	struct hf_fwpkg *p = NULL;

	(void)state;
	assert_int_equal(hf_fwpkg_open(mkpkg(payload1("\"Bmc\"", "image.bin", "true", "false",
						      "false"),
					     e),
				       &p, err, sizeof(err)),
			 0);
	assert_string_equal(p->img[0].compsig, "image.compsig");
	hf_fwpkg_free(p);
	p = NULL;
	assert_int_equal(hf_fwpkg_open(mkpkg(payload1("\"Bmc\"", "image.bin", "true", "false",
						      "false"),
					     parts_only),
				       &p, err, sizeof(err)),
			 0);
	assert_null(p->img[0].compsig); /* a section's signature is not the component's */
	hf_fwpkg_free(p);
}

static void test_inventory(void **state)
{
	const char *by_inv = "{\"UpdatableBy\": [\"Uefi\", \"Bmc\"], \"Devices\": {\"Device\": "
			     "[{\"Target\": \"t-1\", \"FirmwareImages\": [{\"FileName\": "
			     "\"image.bin\", \"DirectFlashOk\": true, \"UefiFlashable\": true}]}]}}";
	struct json_object *inv;
	struct hf_fwpkg *p = NULL;
	const char *targets[8];
	size_t n;
	char type2;

	(void)state;
	assert_int_equal(hf_fwpkg_open(mkpkg(by_inv, image), &p, err, sizeof(err)), 0);
	assert_int_equal(p->type, 'I');
	/* no member holds the target */
	inv = json_tokener_parse("[{\"@odata.id\": \"/i/1\", \"Updateable\": true, \"Oem\": "
				 "{\"Hpe\": {\"Targets\": [\"t-2\"], \"DeviceContext\": \"x\"}}}]");
	assert_int_equal(hf_fwpkg_classify_inventory(p, inv, targets, 8, &n, &type2), -ENODEV);
	json_object_put(inv);
	/* still discovering: no DeviceContext */
	inv = json_tokener_parse("[{\"@odata.id\": \"/i/1\", \"Oem\": {\"Hpe\": "
				 "{\"Targets\": [\"t-1\"]}}}]");
	assert_int_equal(hf_fwpkg_classify_inventory(p, inv, targets, 8, &n, &type2), -EAGAIN);
	json_object_put(inv);
	/* on board, not Updateable: C through the queue, with its target */
	inv = json_tokener_parse("[{\"@odata.id\": \"/i/1\", \"Updateable\": false, \"Oem\": "
				 "{\"Hpe\": {\"Targets\": [\"t-1\"], \"DeviceContext\": "
				 "\"System Board\"}}}]");
	assert_int_equal(hf_fwpkg_classify_inventory(p, inv, targets, 8, &n, &type2), 0);
	assert_int_equal(p->type, 'C');
	assert_int_equal(type2, 0);
	assert_int_equal(n, 1);
	assert_string_equal(targets[0], "/i/1");
	json_object_put(inv);
	/* a slot device that is not Updateable does not count */
	inv = json_tokener_parse("[{\"@odata.id\": \"/i/1\", \"Updateable\": false, \"Oem\": "
				 "{\"Hpe\": {\"Targets\": [\"t-1\"], \"DeviceContext\": "
				 "\"Slot=3:Bus=2\"}}}]");
	assert_int_equal(hf_fwpkg_classify_inventory(p, inv, targets, 8, &n, &type2), -ENODEV);
	json_object_put(inv);
	/* Updateable and not: B, then C */
	inv = json_tokener_parse("[{\"@odata.id\": \"/i/1\", \"Updateable\": true, \"Oem\": "
				 "{\"Hpe\": {\"Targets\": [\"t-1\"], \"DeviceContext\": \"a\"}}}, "
				 "{\"@odata.id\": \"/i/2\", \"Updateable\": false, \"Oem\": "
				 "{\"Hpe\": {\"Targets\": [\"t-1\"], \"DeviceContext\": \"b\"}}}]");
	assert_int_equal(hf_fwpkg_classify_inventory(p, inv, targets, 8, &n, &type2), 0);
	assert_int_equal(p->type, 'B');
	assert_int_equal(type2, 'C');
	assert_int_equal(n, 2);
	assert_int_equal(hf_fwpkg_targets(p, inv, targets, 1), 1);
	json_object_put(inv);
	hf_fwpkg_free(p);
}

/* --if-different's rule: the package's version against what FirmwareInventory says */
static void test_versions(void **state)
{
	const char *two = "{\"UpdatableBy\": [\"Bmc\"], \"Devices\": {\"Device\": ["
			  "{\"Target\": \"t-1\", \"Version\": \"2.72\", \"FirmwareImages\": "
			  "[{\"FileName\": \"image.bin\", \"DirectFlashOk\": true}]}, "
			  "{\"Target\": \"t-2\", \"Version\": \"1.5\", \"FirmwareImages\": "
			  "[{\"FileName\": \"image.bin\", \"DirectFlashOk\": true}]}]}}";
	struct json_object *m;
	struct hf_fwpkg *p = NULL;

	(void)state;
	assert_true(hf_flash_version_matches("2.72", "2.72"));
	assert_true(hf_flash_version_matches("2.72 Sep 04 2022", "2.72"));
	assert_true(hf_flash_version_matches("A47 v2.58 (05/19/2022)", "2.58"));
	assert_true(hf_flash_version_matches("U46 V1.10 (2023)", "1.10"));
	assert_false(hf_flash_version_matches("2.70 May 16 2022", "2.72"));
	assert_false(hf_flash_version_matches("2.72.1", "2.72"));
	assert_false(hf_flash_version_matches("A47 v2.58 (05/19/2022)", "2.5"));
	assert_false(hf_flash_version_matches("16 May 2.72", "16 May"));
	assert_false(hf_flash_version_matches("May 16 2022", "16")); /* not the first word */
	assert_false(hf_flash_version_matches(NULL, "2.72"));
	assert_false(hf_flash_version_matches("2.72", NULL));
	assert_false(hf_flash_version_matches("", ""));
	assert_int_equal(hf_fwpkg_open(mkpkg(two, image), &p, err, sizeof(err)), 0);
	m = json_tokener_parse("{\"Oem\": {\"Hpe\": {\"Targets\": [\"t-9\", \"t-2\"]}}}");
	assert_string_equal(hf_fwpkg_device_version(p, m), "1.5");
	json_object_put(m);
	m = json_tokener_parse("{\"Oem\": {\"Hpe\": {\"Targets\": [\"t-9\"]}}}");
	assert_null(hf_fwpkg_device_version(p, m));
	json_object_put(m);
	assert_null(hf_fwpkg_device_version(p, NULL));
	hf_fwpkg_free(p);
}

static void test_sections(void **state)
{
	static const struct entry e[] = { { "image.bin", "0123456789" }, { NULL, NULL } };
	struct hf_zip_reader z = { 0 };
	struct hf_fwpkg *p = NULL;
	char buf[16];
	size_t got;

	(void)state;
	assert_int_equal(hf_fwpkg_open(mkpkg(payload1("\"Bmc\"", "image.bin", "true", "false",
						      "false"),
					     e),
				       &p, err, sizeof(err)),
			 0);
	assert_int_equal(hf_fwpkg_entry_open(p, "image.bin", &z.f), 0);
	z.left = 4; /* a section of 4 bytes */
	assert_int_equal(hf_zip_read(&z, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(hf_zip_read(&z, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0); /* the section ends there */
	z.left = 100; /* beyond the entry: its end is an error, not a short section */
	assert_int_equal(hf_zip_read(&z, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 6);
	assert_int_equal(hf_zip_read(&z, buf, sizeof(buf), &got), -EIO);
	zip_fclose(z.f);
	assert_int_equal(hf_fwpkg_entry_open(p, "nothere.bin", &z.f), -EIO);
	hf_fwpkg_free(p);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[sizeof(path)];

	(void)state;
	snprintf(p, sizeof(p), "%s/p.fwpkg", dir);
	unlink(p);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),	 cmocka_unit_test(test_hpe_loop),
		cmocka_unit_test(test_refused),	 cmocka_unit_test(test_compsig),
		cmocka_unit_test(test_inventory), cmocka_unit_test(test_sections),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * test-credentials.c - the host interface's credential sources: the DSP0270 UEFI variable on
 * fixture efivars trees the test writes, the IPMI bootstrap request and answer, the HPE
 * application-account entry points of the emulated vendor library (no emulator socket: the
 * library's "not ready" paths), and the order with its failure message.  The program runs
 * itself again under tests/shim's LD_PRELOAD shim, which shows its fixture root's
 * /sys/firmware/efi/efivars and /dev/ipmi0 in place of the machine's: the library's default
 * paths are tested on the fixture too.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/host/creds.h"

#define GUID HF_EFI_REDFISH_GUID

#define REDIRECTED HF_EFIVARS_DEFAULT ":" HF_IPMI_DEVICE_DEFAULT

/* the fixture root, shown by the shim; dir: its efivars directory */
static char root[] = "/tmp/hf-creds-XXXXXX";
static char dir[sizeof(root) + sizeof(HF_EFIVARS_DEFAULT)];

static void put(const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-" GUID, dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void rm(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s-" GUID, dir, name);
	unlink(path);
}

static void indications(uint32_t v)
{
	uint8_t b[8] = { 7, 0, 0, 0, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	put("RedfishIndications", b, sizeof(b));
}

static int setup(void **state)
{
	(void)state;
	unsetenv("HOSTFISH_CHIF_LIBRARY");
	unsetenv("HOSTFISH_EMU_CHIF_SOCKET");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm("RedfishIndications");
	rm("RedfishOSCredentials");
	/* the fixture root's directories, deepest first */
	while (strlen(dir) > strlen(root)) {
		rmdir(dir);
		*strrchr(dir, '/') = '\0';
	}
	rmdir(root);
	return 0;
}

/* parse with the 4 attribute bytes in front */
static int parse(const char *var, size_t len, char **u, char **p, char *why, size_t wl)
{
	uint8_t buf[2048] = { 7, 0, 0, 0 };

	memcpy(buf + 4, var, len);
	return hf_uefi_creds_parse(buf, len + 4, u, p, why, wl);
}

static void test_uefi_parse_valid(void **state)
{
	char *u = NULL, *p = NULL, why[256] = "";

	(void)state;
	assert_int_equal(parse("HostAutoOS:s3cr3t!\0", 19, &u, &p, why, sizeof(why)), 0);
	assert_string_equal(u, "HostAutoOS");
	assert_string_equal(p, "s3cr3t!");
	free(u);
	hf_free_secret(p);
	/* UTF-8 is fine */
	assert_int_equal(parse("\xc3\xa9t\xc3\xa9:\xe2\x82\xac\0", 10, &u, &p, why, sizeof(why)),
			 0);
	assert_string_equal(u, "\xc3\xa9t\xc3\xa9");
	free(u);
	hf_free_secret(p);
}

static void test_uefi_parse_malformed(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		const char *msg;
	} bad[] = {
		{ "user:Zq9w", 9, "does not end in a NUL" },
		{ "us\0r:Zq9w\0", 10, "NUL byte at offset 2" },
		{ "a:b:c\0", 6, "more than one ':'" },
		{ "userZq9w\0", 9, "no ':'" },
		{ ":Zq9w\0", 6, "empty user name" },
		{ "user:\0", 6, "empty password" },
		{ "u\n:Zq9w\0", 8, "control character" },
		{ "\xc0\xaf:x\0", 5, "not valid UTF-8" },
		{ "\xed\xa0\x80:x\0", 6, "not valid UTF-8" },
		{ "a:\0", 3, "too few" },
		{ "", 0, "too few" },
	};
	char *u = NULL, *p = NULL, why[256];
	size_t i;

	(void)state;
	for (i = 0; i < HF_ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		assert_int_equal(parse(bad[i].data, bad[i].len, &u, &p, why, sizeof(why)),
				 -EBADMSG);
		if (!strstr(why, bad[i].msg))
			fail_msg("case %zu: [%s] lacks [%s]", i, why, bad[i].msg);
		assert_null(strstr(why, "Zq9w")); /* the secret is never quoted */
		assert_null(u);
	}
	/* shorter than the attributes, and oversized */
	assert_int_equal(hf_uefi_creds_parse((const uint8_t *)"\7\0", 2, &u, &p, why,
					     sizeof(why)),
			 -EBADMSG);
	{
		uint8_t big[4 + HF_UEFI_CREDS_MAX + 1];

		memset(big, 'a', sizeof(big));
		big[10] = ':';
		big[sizeof(big) - 1] = 0;
		assert_int_equal(hf_uefi_creds_parse(big, sizeof(big), &u, &p, why, sizeof(why)),
				 -EBADMSG);
		assert_non_null(strstr(why, "more than"));
	}
}

static void test_uefi_indications(void **state)
{
	const uint8_t ok[8] = { 7, 0, 0, 0, 2, 0, 0, 0x80 };
	char why[256];
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hf_uefi_indications_parse(ok, 8, &v, why, sizeof(why)), 0);
	assert_int_equal(v, 0x80000002u);
	assert_int_equal(hf_uefi_indications_parse(ok, 7, &v, why, sizeof(why)), -EBADMSG);
	assert_int_equal(hf_uefi_indications_parse(ok, 6, &v, why, sizeof(why)), -EBADMSG);
}

static void test_uefi_load(void **state)
{
	const uint8_t var[] = "\7\0\0\0HostAutoOS:pw-42";
	struct hf_creds c = { 0 };
	char why[512];

	(void)state;
	/* nothing at all */
	assert_int_equal(hf_uefi_creds_load(dir, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no UEFI variable RedfishIndications"));
	/* the credentials exist but the indication says "not for the OS" (FW only) */
	put("RedfishOSCredentials", var, sizeof(var));
	indications(HF_EFI_INDICATIONS_OS_CREDENTIALS ^ 3);
	assert_int_equal(hf_uefi_creds_load(dir, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "bit 1 (OS credentials) is not set"));
	/* announced and present */
	indications(HF_EFI_INDICATIONS_OS_CREDENTIALS);
	assert_int_equal(hf_uefi_creds_load(dir, &c, why, sizeof(why)), 0);
	assert_string_equal(c.source, "uefi-redfish-os-credentials");
	assert_string_equal(c.username, "HostAutoOS");
	assert_string_equal(c.password, "pw-42");
	hf_creds_clear(&c);
	assert_null(c.password);
	/* no directory: /sys/firmware/efi/efivars, the fixture's through the shim */
	assert_int_equal(hf_uefi_creds_load(NULL, &c, why, sizeof(why)), 0);
	assert_string_equal(c.username, "HostAutoOS");
	hf_creds_clear(&c);
	/* the test hook the library once had is gone: the variable names no directory */
	setenv("HOSTFISH_EFIVARS_ROOT", "/nonexistent", 1);
	assert_int_equal(hf_uefi_creds_load(NULL, &c, why, sizeof(why)), 0);
	hf_creds_clear(&c);
	unsetenv("HOSTFISH_EFIVARS_ROOT");
	/* announced but missing, then malformed */
	rm("RedfishOSCredentials");
	assert_int_equal(hf_uefi_creds_load(dir, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "cannot be read"));
	put("RedfishOSCredentials", "\7\0\0\0nocolon", 12);
	assert_int_equal(hf_uefi_creds_load(dir, &c, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "refusing it"));
	rm("RedfishOSCredentials");
	rm("RedfishIndications");
}

static void test_ipmi_request(void **state)
{
	uint8_t b[2];

	(void)state;
	assert_int_equal(hf_ipmi_bootstrap_request(b, true), 2);
	assert_int_equal(b[0], 0x52);
	assert_int_equal(b[1], 0xa5);
	hf_ipmi_bootstrap_request(b, false);
	assert_int_equal(b[1], 0x00);
	assert_int_equal(HF_IPMI_NETFN_GROUP_EXT, 0x2c);
	assert_int_equal(HF_IPMI_CMD_GET_BOOTSTRAP_CREDS, 0x02);
}

static void answer(uint8_t out[34], uint8_t cc, uint8_t group, const char *u, const char *p)
{
	memset(out, 0, 34);
	out[0] = cc;
	out[1] = group;
	memcpy(out + 2, u, strlen(u));
	memcpy(out + 18, p, strlen(p));
}

static void test_ipmi_parse(void **state)
{
	uint8_t a[34];
	char *u = NULL, *p = NULL, why[256];

	(void)state;
	answer(a, 0, 0x52, "bootstrap", "Pw0123456789abcd");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), 0);
	assert_string_equal(u, "bootstrap");
	assert_string_equal(p, "Pw0123456789abcd"); /* 16 characters: no NUL */
	free(u);
	hf_free_secret(p);
	u = p = NULL;

	a[0] = 0x80;
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 1, &u, &p, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "disabled"));
	a[0] = 0xc1;
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 1, &u, &p, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "C1h"));
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 0, &u, &p, why, sizeof(why)), -EPROTO);
	answer(a, 0, 0x52, "bootstrap", "pw");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 33, &u, &p, why, sizeof(why)), -EPROTO);
	answer(a, 0, 0x51, "bootstrap", "pw");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "51h"));
	answer(a, 0, 0x52, "", "pw");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "user name is empty"));
	answer(a, 0, 0x52, "user", "pw");
	a[18 + 5] = 'x'; /* garbage after the NUL padding */
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), -EPROTO);
	answer(a, 0, 0x52, "us er", "pw");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), -EPROTO);
	assert_null(u);
	/* a ':' cannot be in a user name (HTTP Basic); found by fuzz-uefi-creds */
	answer(a, 0, 0x52, "boot:user", "pw");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "':'"));
	assert_null(u);
	answer(a, 0, 0x52, "user", "pw:ok");
	assert_int_equal(hf_ipmi_bootstrap_parse(a, 34, &u, &p, why, sizeof(why)), 0);
	free(u);
	hf_free_secret(p);
	u = p = NULL;
}

static void test_ipmi_device(void **state)
{
	struct hf_creds c = { 0 };
	char why[256], path[512];

	(void)state;
	/* a device that is missing */
	snprintf(path, sizeof(path), "%s/ipmi0", dir);
	assert_int_equal(hf_ipmi_bootstrap_get(path, 100, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));
	/* no device: /dev/ipmi0, which the shim shows missing, whatever the machine has */
	assert_int_equal(hf_ipmi_bootstrap_get(NULL, 100, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/dev/ipmi0"));
	/* the test hook the library once had is gone: a device the variable names is not used */
	put("ipmi0", "", 0);
	setenv("HOSTFISH_IPMI_DEVICE", path, 1);
	assert_int_equal(hf_ipmi_bootstrap_get(NULL, 100, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/dev/ipmi0"));
	unsetenv("HOSTFISH_IPMI_DEVICE");
	rm("ipmi0");
}

static void test_appaccount_library(void **state)
{
	struct hf_appacct_lib lib;
	struct hf_appacct_status st;
	struct hf_creds c = { 0 };
	char why[1024];

	(void)state;
	assert_int_equal(hf_appacct_open("/nonexistent/libnothing.so", &lib, why, sizeof(why)),
			 -ENOTSUP);
	assert_non_null(strstr(why, "/nonexistent/libnothing.so"));
	/* libc has none of the entry points */
	assert_int_equal(hf_appacct_open("libc.so.6", &lib, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "ReadyToUse"));

	/* the emulated library, with no emulator behind it and an empty "TPM" */
	setenv("HOSTFISH_EMU_TPM_DIR", dir, 1);
	assert_int_equal(hf_appacct_open(CHIF_EMU_LIBRARY, &lib, why, sizeof(why)), 0);
	hf_appacct_query(&lib, &st);
	assert_false(st.ready);
	assert_int_equal(st.detect_rc, -1);
	assert_int_equal(st.ilo_type, 100);
	assert_int_equal(st.exists_rc, 0);
	assert_false(st.exists);
	assert_int_equal(hf_appacct_session(&lib, &c, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "not ready"));
	assert_int_equal(hf_appacct_create(&lib, NULL, NULL, why, sizeof(why)), -EACCES);
	assert_int_equal(hf_appacct_create(&lib, "admin", "pw", why, sizeof(why)), -EIO);
	assert_int_equal(hf_appacct_delete(&lib, why, sizeof(why)), -ENOENT);
	hf_appacct_close(&lib);
	unsetenv("HOSTFISH_EMU_TPM_DIR");
}

static void test_order(void **state)
{
	const uint8_t var[] = "\7\0\0\0HostAutoOS:pw-42";
	struct hf_creds_context ctx = { .efivars = dir, .library = "/nonexistent/lib.so" };
	struct hf_creds c = { 0 };
	char why[2048];

	(void)state;
	/* none: every source named, in order */
	assert_int_equal(hf_creds_find(&ctx, &c, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "authentication is always required"));
	{
		const char *a = strstr(why, "user:"), *b = strstr(why, "uefi-redfish-os-credentials:"),
			   *d = strstr(why, "hpe-application-account:"),
			   *e = strstr(why, "ipmi-bootstrap: the record does not advertise");

		assert_true(a && b && d && e && a < b && b < d && d < e);
	}
	/* advertised IPMI, no device */
	ctx.ipmi_advertised = true;
	snprintf(why, sizeof(why), "%s/ipmi0", dir);
	ctx.ipmi_device = why;
	{
		char w2[2048];

		assert_int_equal(hf_creds_find(&ctx, &c, w2, sizeof(w2)), -EACCES);
		assert_non_null(strstr(w2, "ipmi-bootstrap: "));
		assert_non_null(strstr(w2, "/ipmi0: No such file"));
	}
	ctx.ipmi_device = NULL;
	/* the UEFI variable comes first */
	indications(HF_EFI_INDICATIONS_OS_CREDENTIALS);
	put("RedfishOSCredentials", var, sizeof(var));
	assert_int_equal(hf_creds_find(&ctx, &c, why, sizeof(why)), 0);
	assert_string_equal(c.source, "uefi-redfish-os-credentials");
	assert_string_equal(c.username, "HostAutoOS");
	hf_creds_clear(&c);
	rm("RedfishOSCredentials");
	rm("RedfishIndications");
}

/* mkdir -p: path's directories below its first skip characters (which exist) */
static int mkdirs(char *path, size_t skip)
{
	char *p, c;

	for (p = path + skip + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/*
 * Run the program again under tests/shim with a fresh fixture root, whose efivars directory is
 * dir; in that run, only find dir.  A hard error (exit 99) when that cannot be done.
 */
static void under_shim(char **argv)
{
	const char *r = getenv("HOSTFISH_TEST_ROOT"), *preload = getenv("LD_PRELOAD"),
		   *asan = getenv("ASAN_OPTIONS");
	char env[PATH_MAX * 2];

	if (r && *r) {
		snprintf(root, sizeof(root), "%s", r);
		snprintf(dir, sizeof(dir), "%s" HF_EFIVARS_DEFAULT, root);
		return;
	}
	if (!mkdtemp(root))
		goto fail;
	snprintf(dir, sizeof(dir), "%s" HF_EFIVARS_DEFAULT, root);
	if (mkdirs(dir, strlen(root)) < 0)
		goto fail;
	snprintf(env, sizeof(env), "%s%s%s", PATH_REDIRECT_SHIM, preload && *preload ? ":" : "",
		 preload ? preload : "");
	setenv("LD_PRELOAD", env, 1);
	/* in an ASan build, the shim comes before ASan's runtime */
	snprintf(env, sizeof(env), "%s%sverify_asan_link_order=0", asan ? asan : "",
		 asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", env, 1);
	setenv("HOSTFISH_TEST_ROOT", root, 1);
	setenv("HOSTFISH_TEST_REDIRECT", REDIRECTED, 1);
	execv("/proc/self/exe", argv);
fail:
	printf("Bail out! cannot run under %s with a fixture root (%s): %s\n",
	       PATH_REDIRECT_SHIM, root, strerror(errno));
	exit(99);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uefi_parse_valid),
		cmocka_unit_test(test_uefi_parse_malformed),
		cmocka_unit_test(test_uefi_indications),
		cmocka_unit_test(test_uefi_load),
		cmocka_unit_test(test_ipmi_request),
		cmocka_unit_test(test_ipmi_parse),
		cmocka_unit_test(test_ipmi_device),
		cmocka_unit_test(test_appaccount_library),
		cmocka_unit_test(test_order),
	};

	(void)argc;
	under_shim(argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * test-cert.c - the validators of lib/features/cert.c: CSR fields, licence keys, PEM certificates,
 * serial numbers; hf_cert_pem_info() against values computed by the openssl command.
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

#include "cert-private.h"

/* openssl req -x509 -newkey ec -days 36500 -subj "/C=DE/O=hostfish unit test/CN=unit.example"
 * -set_serial 0x0abc -addext basicConstraints=critical,CA:TRUE */
static const char cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBxzCCAW2gAwIBAgICCrwwCgYIKoZIzj0EAwIwQTELMAkGA1UEBhMCREUxGzAZ\n"
	"BgNVBAoMEmhvc3RmaXNoIHVuaXQgdGVzdDEVMBMGA1UEAwwMdW5pdC5leGFtcGxl\n"
	"MCAXDTI2MTEyNDIzNDAzMloYDzIxMjYxMDMxMjM0MDMyWjBBMQswCQYDVQQGEwJE\n"
	"RTEbMBkGA1UECgwSaG9zdGZpc2ggdW5pdCB0ZXN0MRUwEwYDVQQDDAx1bml0LmV4\n"
	"YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR/8TQ0psO5RB37MUoeEnLx\n"
	"QGKBTHZ6vtzR7LK1l1xsm0TvHcwR2GhSqOHZ6jLP61X5Nd20v4uibiTFiV86C3hF\n"
	"o1MwUTAdBgNVHQ4EFgQUbpkuWLK/Cza0gVPjP2fOLNCnMMAwHwYDVR0jBBgwFoAU\n"
	"bpkuWLK/Cza0gVPjP2fOLNCnMMAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
	"AgNIADBFAiBDM0GmAJ4Qe/Pac9I1MTvp50qUjNOnCsiL0WIp8YubZgIhAO7hAD+E\n"
	"qlqKIbJjor11k3+zS0KVpt54XTH3wenJtFBn\n"
	"-----END CERTIFICATE-----\n";
/* openssl x509 -noout -fingerprint -sha256 of it */
static const char cert_sha256[] = "E7:04:19:56:26:68:82:0C:D9:49:96:79:AF:73:78:C3:6E:39:05:9F:"
				  "4F:4A:4B:84:E8:65:A9:01:B6:2D:26:21";

static void test_text(void **state)
{
	(void)state;
	assert_int_equal(hf_cert_text_check("Houston", 64), 0);
	assert_int_equal(hf_cert_text_check("M\xc3\xbcnchen", 64), 0); /* UTF-8 */
	assert_int_equal(hf_cert_text_check("ACME/Labs, Inc.", 64), 0);
	assert_int_equal(hf_cert_text_check("", 64), -EINVAL);
	assert_int_equal(hf_cert_text_check(NULL, 64), -EINVAL);
	assert_int_equal(hf_cert_text_check("a\nb", 64), -EINVAL);
	assert_int_equal(hf_cert_text_check("a\tb", 64), -EINVAL);
	assert_int_equal(hf_cert_text_check("a\x7f", 64), -EINVAL);
	assert_int_equal(hf_cert_text_check("a\xc2\x85", 64), -EINVAL); /* C1 NEL */
	assert_int_equal(hf_cert_text_check("M\xfcnchen", 64), -EINVAL); /* Latin-1 */
	assert_int_equal(hf_cert_text_check("\xc0\xaf", 64), -EINVAL); /* overlong */
	assert_int_equal(hf_cert_text_check("\xed\xa0\x80", 64), -EINVAL); /* surrogate */
	assert_int_equal(hf_cert_text_check("abc", 3), 0);
	assert_int_equal(hf_cert_text_check("abcd", 3), -EINVAL);
}

static void test_csr_params(void **state)
{
	hf_csr_params p = { HF_CSR_PARAMS_VERSION, "ilo.example", "US", "Texas", "Houston",
			    "ACME", NULL, 0 };
	char why[200];

	(void)state;
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), 0);
	p.org_unit = "IT";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), 0);
	p.org_unit = "";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	p.org_unit = NULL;
	p.country = "us";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "country"));
	p.country = "USA";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	p.country = "U";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	p.country = "U1";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	p.country = "US";
	p.org = NULL;
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "organisation"));
	p.org = "ACME";
	p.city = "Hou\rston";
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	p.city = "Houston";
	p.version = 99;
	assert_int_equal(hf_csr_params_check(&p, why, sizeof(why)), -EINVAL);
	assert_int_equal(hf_csr_params_check(NULL, why, sizeof(why)), -EINVAL);
}

static void test_license_key(void **state)
{
	char out[HF_LICENSE_KEY_LEN + 1];

	(void)state;
	assert_int_equal(hf_license_key_normalise("ABCDE-12345-FGHIJ-67890-KLMNO", out), 0);
	assert_string_equal(out, "ABCDE-12345-FGHIJ-67890-KLMNO");
	assert_int_equal(hf_license_key_normalise("abcde-12345-fghij-67890-klmno", out), 0);
	assert_string_equal(out, "ABCDE-12345-FGHIJ-67890-KLMNO");
	assert_int_equal(hf_license_key_normalise("ABCDE-12345-FGHIJ-67890-KLMN", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise("ABCDE-12345-FGHIJ-67890-KLMNOP", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise("ABCDE12345-FGHIJ-67890-KLMNO-", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise("ABCDE 12345 FGHIJ 67890 KLMNO", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise("ABCDE-12345-FGHIJ-67890-KLMN!", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise("ABCDE-12345-FGHIJ-6789\xc3\xa9-KLMN", out),
			 -EINVAL);
	assert_int_equal(hf_license_key_normalise("", out), -EINVAL);
	assert_int_equal(hf_license_key_normalise(NULL, out), -EINVAL);
}

static void test_serial(void **state)
{
	(void)state;
	assert_true(hf_cert_serial_same("11:0c:a1:53", "110CA153"));
	assert_true(hf_cert_serial_same("0a:bc", "ABC"));
	assert_true(hf_cert_serial_same("00:0a:bc", "0abc"));
	assert_false(hf_cert_serial_same("0a:bc", "0a:bd"));
	assert_false(hf_cert_serial_same("", ""));
	assert_false(hf_cert_serial_same(NULL, "ab"));
}

static void test_load_pem(void **state)
{
	char why[200], fp[96], buf[4096];
	X509 *x = NULL;

	(void)state;
	assert_int_equal(hf_cert_load_pem(cert_pem, strlen(cert_pem), &x, why, sizeof(why)), 0);
	assert_int_equal(hf_cert_fingerprint(x, fp), 0);
	assert_string_equal(fp, cert_sha256);
	X509_free(x);

	/* text around the block is fine; a key, a second certificate, garbage are not */
	snprintf(buf, sizeof(buf), "Subject: whatever\n%s\n", cert_pem);
	x = NULL;
	assert_int_equal(hf_cert_load_pem(buf, strlen(buf), &x, why, sizeof(why)), 0);
	X509_free(x);
	snprintf(buf, sizeof(buf), "%s-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		 cert_pem);
	assert_int_equal(hf_cert_load_pem(buf, strlen(buf), &x, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "private key"));
	snprintf(buf, sizeof(buf), "%s%s", cert_pem, cert_pem);
	assert_int_equal(hf_cert_load_pem(buf, strlen(buf), &x, why, sizeof(why)), -EINVAL);
	assert_int_equal(hf_cert_load_pem("hello", 5, &x, why, sizeof(why)), -EINVAL);
	assert_int_equal(hf_cert_load_pem(cert_pem, 100, &x, why, sizeof(why)), -EINVAL);
	assert_int_equal(hf_cert_load_pem("", 0, &x, why, sizeof(why)), -EINVAL);
	assert_int_equal(hf_cert_load_pem(cert_pem, HF_CERT_PEM_MAX + 1, &x, why, sizeof(why)),
			 -EINVAL);
}

static void test_pem_info(void **state)
{
	struct json_object *o = NULL, *v;

	(void)state;
	assert_int_equal(hf_cert_pem_info(cert_pem, strlen(cert_pem), &o), 0);
	assert_true(json_object_object_get_ex(o, "sha256_fingerprint", &v));
	assert_string_equal(json_object_get_string(v), cert_sha256);
	assert_true(json_object_object_get_ex(o, "serial", &v));
	assert_string_equal(json_object_get_string(v), "0a:bc");
	assert_true(json_object_object_get_ex(o, "subject", &v));
	assert_string_equal(json_object_get_string(v), "CN = unit.example, O = hostfish unit test, C = DE");
	assert_true(json_object_object_get_ex(o, "is_ca", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "expired", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "not_after", &v));
	assert_string_equal(json_object_get_string(v), "2126-10-31T23:40:32Z");
	json_object_put(o);
	assert_int_equal(hf_cert_pem_info("x", 1, &o), -EINVAL);
	assert_int_equal(hf_cert_pem_info(cert_pem, strlen(cert_pem), NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),	    cmocka_unit_test(test_csr_params),
		cmocka_unit_test(test_license_key), cmocka_unit_test(test_serial),
		cmocka_unit_test(test_load_pem),    cmocka_unit_test(test_pem_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

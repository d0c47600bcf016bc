/* SPDX-License-Identifier: MIT */
/*
 * cert-pem.c - certificates without a BMC: the checks of what the caller gives (CSR fields,
 * licence keys, PEM certificates), fingerprints and serial numbers, and descriptions of
 * certificates (hf_cert_pem_info).  What is sent to the BMC is in cert.c.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert-private.h"

/* ---- validators ---- */

int hf_cert_text_check(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len == 0 || len > max)
		return -EINVAL;
	while (*p) {
		size_t n, i;

		if (*p < 0x20 || *p == 0x7f)
			return -EINVAL;
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* UTF-8: lead byte, continuation bytes; no overlong forms or surrogates */
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return -EINVAL;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -EINVAL;
		if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0) ||
		    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))
			return -EINVAL;
		/* C1 controls (U+0080..U+009F) are control characters too */
		if (*p == 0xc2 && p[1] < 0xa0)
			return -EINVAL;
		p += n + 1;
	}
	return 0;
}

int hf_csr_params_check(const hf_csr_params *p, char *why, size_t whylen)
{
	static const struct {
		const char *name;
		size_t offset, max;
		bool required;
	} fields[] = {
		{ "common name", offsetof(hf_csr_params, common_name), 64, true },
		{ "country", offsetof(hf_csr_params, country), 2, true },
		{ "state", offsetof(hf_csr_params, state), 128, true },
		{ "city", offsetof(hf_csr_params, city), 128, true },
		{ "organisation", offsetof(hf_csr_params, org), 64, true },
		{ "organisational unit", offsetof(hf_csr_params, org_unit), 64, false },
	};
	size_t i;

	if (!p || p->version != HF_CSR_PARAMS_VERSION) {
		snprintf(why, whylen, "invalid CSR parameters (version)");
		return -EINVAL;
	}
	for (i = 0; i < HF_ARRAY_SIZE(fields); i++) {
		const char *v = *(const char *const *)((const char *)p + fields[i].offset);

		if (!v && !fields[i].required)
			continue;
		if (!v || !*v) {
			snprintf(why, whylen, "the %s is required", fields[i].name);
			return -EINVAL;
		}
		if (hf_cert_text_check(v, fields[i].max) < 0) {
			snprintf(why, whylen,
				 "the %s must be at most %zu characters of UTF-8 text without control "
				 "characters",
				 fields[i].name, fields[i].max);
			return -EINVAL;
		}
	}
	if (strlen(p->country) != 2 || p->country[0] < 'A' || p->country[0] > 'Z' ||
	    p->country[1] < 'A' || p->country[1] > 'Z') {
		snprintf(why, whylen, "the country must be two upper-case letters (ISO 3166, e.g. US)");
		return -EINVAL;
	}
	return 0;
}

int hf_license_key_normalise(const char *key, char out[HF_LICENSE_KEY_LEN + 1])
{
	size_t i;

	if (!key || strlen(key) != HF_LICENSE_KEY_LEN)
		return -EINVAL;
	for (i = 0; i < HF_LICENSE_KEY_LEN; i++) {
		char ch = key[i];

		if (i % 6 == 5) {
			if (ch != '-')
				return -EINVAL;
		} else if (ch >= 'a' && ch <= 'z') {
			ch = (char)(ch - 'a' + 'A');
		} else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
			return -EINVAL;
		}
		out[i] = ch;
	}
	out[HF_LICENSE_KEY_LEN] = '\0';
	return 0;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0; /* never prompt on a terminal */
}

static bool mem_contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

bool hf_cert_is_csr(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509_REQ *req = bio ? PEM_read_bio_X509_REQ(bio, NULL, no_passphrase, NULL) : NULL;
	bool ok = req != NULL;

	ERR_clear_error();
	X509_REQ_free(req);
	BIO_free(bio);
	return ok;
}

int hf_cert_load_pem(const char *pem, size_t len, X509 **ret, char *why, size_t whylen)
{
	BIO *bio = NULL;
	X509 *x = NULL, *more = NULL;
	int r;

	if (!pem || len == 0) {
		snprintf(why, whylen, "empty input: expected a PEM certificate");
		return -EINVAL;
	}
	if (len > HF_CERT_PEM_MAX) {
		snprintf(why, whylen, "larger than %zu bytes: not a certificate", HF_CERT_PEM_MAX);
		return -EINVAL;
	}
	if (mem_contains(pem, len, "PRIVATE KEY-----")) {
		snprintf(why, whylen, "holds a private key: give the certificate alone (the key "
				      "must not leave this host)");
		return -EINVAL;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return -ENOMEM;
	x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	if (!x) {
		snprintf(why, whylen, "not a PEM certificate (-----BEGIN CERTIFICATE-----)");
		r = -EINVAL;
		goto out;
	}
	more = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	if (more) {
		snprintf(why, whylen, "holds more than one certificate: give one");
		r = -EINVAL;
		goto out;
	}
	*ret = x;
	x = NULL;
	r = 0;
out:
	ERR_clear_error();
	X509_free(more);
	X509_free(x);
	BIO_free(bio);
	return r;
}

int hf_cert_fingerprint(X509 *x, char out[96])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!X509_digest(x, EVP_sha256(), md, &n) || n != 32)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		snprintf(out + 3 * (size_t)i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
	return 0;
}

/* hex digits without colons and leading zeros, lower case */
static void serial_norm(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	bool lead = true;

	for (; s && *s && o + 1 < outlen; s++) {
		char ch = *s;

		if (ch == ':' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (lead && ch == '0')
			continue;
		lead = false;
		out[o++] = ch;
	}
	out[o] = '\0';
}

bool hf_cert_serial_same(const char *a, const char *b)
{
	char x[256], y[256];

	if (!a || !b)
		return false;
	serial_norm(a, x, sizeof(x));
	serial_norm(b, y, sizeof(y));
	return x[0] && strcmp(x, y) == 0;
}

/* ---- describing certificates ---- */

static struct json_object *name_text(const X509_NAME *name)
{
	unsigned long flags = (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) |
			      XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_SPC_EQ | XN_FLAG_DN_REV | XN_FLAG_FN_SN;
	struct json_object *o = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (!bio)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		o = json_object_new_string_len(n > 0 ? data : "", n > 0 ? (int)n : 0);
	}
	BIO_free(bio);
	return o;
}

static struct json_object *time_text(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];

	if (!ASN1_TIME_to_tm(t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return json_object_new_string(buf);
}

static struct json_object *serial_text(X509 *x)
{
	struct json_object *o = NULL;
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	struct hf_buf b = { 0 };
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	size_t i, len;
	bool odd;

	if (!hex)
		goto out;
	len = strlen(hex);
	odd = len % 2;
	for (i = 0; i < len; i++) {
		char ch = hex[i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (i == 0 && odd && hf_buf_append(&b, "0", 1) < 0)
			goto out;
		if (i > 0 && (i + odd) % 2 == 0 && hf_buf_append(&b, ":", 1) < 0)
			goto out;
		if (hf_buf_append(&b, &ch, 1) < 0)
			goto out;
	}
	o = json_object_new_string(b.data ? b.data : "");
out:
	hf_buf_free(&b);
	OPENSSL_free(hex);
	BN_free(bn);
	return o;
}

int hf_cert_describe(X509 *x, struct json_object **ret)
{
	struct json_object *o = json_object_new_object();
	char fp[96];

	if (!o || hf_cert_fingerprint(x, fp) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	json_object_object_add(o, "subject", name_text(X509_get_subject_name(x)));
	json_object_object_add(o, "issuer", name_text(X509_get_issuer_name(x)));
	json_object_object_add(o, "serial", serial_text(x));
	json_object_object_add(o, "not_before", time_text(X509_get0_notBefore(x)));
	json_object_object_add(o, "not_after", time_text(X509_get0_notAfter(x)));
	json_object_object_add(o, "sha256_fingerprint", json_object_new_string(fp));
	json_object_object_add(o, "is_ca", json_object_new_boolean(X509_check_ca(x) >= 1));
	json_object_object_add(o, "expired", json_object_new_boolean(
						     X509_cmp_current_time(X509_get0_notAfter(x)) < 0));
	*ret = o;
	return 0;
}

_hf_public_ int hf_cert_pem_info(const char *pem, size_t len, struct json_object **ret)
{
	char why[160];
	X509 *x = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = hf_cert_load_pem(pem, len, &x, why, sizeof(why));
	if (r < 0)
		return r;
	r = hf_cert_describe(x, ret);
	X509_free(x);
	return r;
}

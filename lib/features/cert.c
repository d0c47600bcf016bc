/* SPDX-License-Identifier: MIT */
/*
 * cert.c - HPE iLO certificates and licence: the BMC's HTTPS certificate (signing request,
 * import, what it presents), certificate login set-up (enable, CA import, user mapping) and
 * the licence (show, install).
 *
 * Resources are found by links (the first manager's Oem.Hpe.Links, then the SecurityService's
 * Links) and actions by the resources' Actions, as HPE documents for iLO 5; nothing is sent
 * before the input has been checked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert-private.h"
#include "client-private.h"

#define CSR_DEFAULT_WAIT_MS 600000L /* HPE: the CSR may take up to 10 minutes */
#define CSR_POLL_FIRST_MS 250L
#define CSR_POLL_MAX_MS 5000L
#define CSR_SLICE_MS 250L /* progress (and cancellation) granularity while waiting */
#define MANAGERS_PATH "/redfish/v1/Managers/"

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

static int describe(X509 *x, struct json_object **ret)
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
	r = describe(x, ret);
	X509_free(x);
	return r;
}

/* ---- talking to the BMC ---- */

static int usage(hf_client *c, const char *fmt, ...) _hf_printf_(2, 3);
static int usage(hf_client *c, const char *fmt, ...)
{
	struct hf_buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "%s; nothing was sent",
			    b.data ? b.data : "invalid input");
	hf_buf_free(&b);
	return -EINVAL;
}

/* The BMC answered with an error status: record it. */
static int http_failed(hf_client *c, const hf_response *resp, const char *what)
{
	int status = hf_response_status(resp), code, kind;

	if (status == 401) {
		code = -EACCES;
		kind = HF_ERROR_AUTH;
	} else if (status >= 500) {
		code = -EIO;
		kind = HF_ERROR_HTTP_SERVER;
	} else {
		code = status == 403 ? -EPERM : status == 404 ? -ENOENT : -EIO;
		kind = HF_ERROR_HTTP_CLIENT;
	}
	hf_client_set_error(c, code, kind, status, hf_response_redfish_error(resp),
			    "%s %s: %d %s", what, hf_response_path(resp), status,
			    hf_response_reason(resp));
	return code;
}

static int protocol_error(hf_client *c, const char *fmt, ...) _hf_printf_(2, 3);
static int protocol_error(hf_client *c, const char *fmt, ...)
{
	struct hf_buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, 0, NULL, "%s",
			    b.data ? b.data : "unexpected answer");
	hf_buf_free(&b);
	return -EPROTO;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* GET a resource that must be a JSON object. */
static int get_object(hf_client *c, const char *path, hf_response **ret)
{
	hf_response *resp = NULL;
	int r = hf_get(c, path, &resp);

	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300) {
		r = http_failed(c, resp, "GET");
		hf_response_free(resp);
		return r;
	}
	if (!json_object_is_type(hf_response_json(resp), json_type_object)) {
		hf_response_free(resp);
		return protocol_error(c, "GET %s: the answer is not a JSON object", path);
	}
	*ret = resp;
	return 0;
}

/* A link: o[k1][k2]...["@odata.id"], as a copy (NULL when absent or on ENOMEM). */
static char *link_of(struct json_object *o, const char *const *keys)
{
	for (; *keys; keys++)
		o = jget(o, *keys);
	return hf_strdup(jstr(o, "@odata.id"));
}

static int missing(hf_client *c, const char *what, const char *where)
{
	hf_client_set_error(c, -ENOTSUP, HF_ERROR_PROTOCOL, 0, NULL,
			    "the BMC does not offer %s (nothing in %s): not an HPE iLO 5/6?", what,
			    where);
	return -ENOTSUP;
}

/* The path of the first manager's Oem.Hpe.Links.<name>; caller frees. */
static int manager_link(hf_client *c, const char *name, char **ret)
{
	hf_response *coll = NULL, *mgr = NULL;
	struct json_object *members;
	const char *keys[] = { "Oem", "Hpe", "Links", name, NULL };
	char *path = NULL;
	int r;

	r = get_object(c, MANAGERS_PATH, &coll);
	if (r < 0)
		return r;
	members = jget(hf_response_json(coll), "Members");
	if (!members || !json_object_is_type(members, json_type_array) ||
	    json_object_array_length(members) == 0) {
		r = missing(c, "a manager", MANAGERS_PATH);
		goto out;
	}
	path = hf_strdup(jstr(json_object_array_get_idx(members, 0), "@odata.id"));
	if (!path) {
		r = missing(c, "a manager", MANAGERS_PATH);
		goto out;
	}
	r = get_object(c, path, &mgr);
	if (r < 0)
		goto out;
	*ret = link_of(hf_response_json(mgr), keys);
	if (!*ret)
		r = missing(c, name, path);
out:
	free(path);
	hf_response_free(coll);
	hf_response_free(mgr);
	return r;
}

/* A resource linked from the SecurityService (Links.<name>): its response and path. */
static int security_resource(hf_client *c, const char *name, hf_response **ret, char **ret_path)
{
	const char *keys[] = { "Links", name, NULL };
	hf_response *sec = NULL;
	char *sec_path = NULL, *path = NULL;
	int r;

	r = manager_link(c, "SecurityService", &sec_path);
	if (r < 0)
		return r;
	r = get_object(c, sec_path, &sec);
	if (r < 0)
		goto out;
	path = link_of(hf_response_json(sec), keys);
	if (!path) {
		r = missing(c, name, sec_path);
		goto out;
	}
	r = get_object(c, path, ret);
	if (r < 0)
		goto out;
	*ret_path = path;
	path = NULL;
out:
	free(path);
	free(sec_path);
	hf_response_free(sec);
	return r;
}

/* The target of the action "#<something><suffix>" (e.g. "HttpsCert.GenerateCSR": iLO 5's
 * HpeHttpsCert and iLO 4's HpHttpsCert alike), borrowed from res. */
static const char *action_target(struct json_object *res, const char *suffix)
{
	struct json_object *actions = jget(res, "Actions");
	size_t n = strlen(suffix);

	if (!actions || !json_object_is_type(actions, json_type_object))
		return NULL;
	json_object_object_foreach(actions, key, val)
	{
		size_t k = strlen(key);

		if (key[0] == '#' && k > n && strcmp(key + k - n, suffix) == 0 &&
		    key[k - n - 1] != '.')
			return jstr(val, "target");
	}
	return NULL;
}

/* Send a JSON body; 0 on a 2xx answer, else the error recorded. */
static int send_json(hf_client *c, const char *method, const char *path,
		     struct json_object *body, hf_response **ret)
{
	hf_response *resp = NULL;
	int r;

	if (!body)
		return -ENOMEM;
	r = hf_request_json(c, method, path, NULL, body, &resp);
	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300) {
		r = http_failed(c, resp, method);
		hf_response_free(resp);
		return r;
	}
	if (ret)
		*ret = resp;
	else
		hf_response_free(resp);
	return 0;
}

static int add_str(struct json_object *o, const char *key, const char *value)
{
	struct json_object *v = json_object_new_string(value);

	if (!v)
		return -ENOMEM;
	json_object_object_add(o, key, v);
	return 0;
}

/* ---- HTTPS certificate ---- */

_hf_public_ int hf_https_csr(hf_client *c, const hf_csr_params *p, long wait_ms,
			     hf_progress_fn progress, void *userdata, char **ret_pem)
{
	struct json_object *body = NULL;
	hf_response *res = NULL, *poll_resp = NULL;
	char *path = NULL, *old = NULL, *target = NULL, why[200];
	long delay = CSR_POLL_FIRST_MS, slept;
	int64_t start;
	int r;

	if (!c || !ret_pem)
		return -EINVAL;
	HF_OPERATION(c);
	if (wait_ms < 0)
		return usage(c, "the CSR wait must not be negative");
	if (wait_ms == 0)
		wait_ms = CSR_DEFAULT_WAIT_MS;
	if (hf_csr_params_check(p, why, sizeof(why)) < 0)
		return usage(c, "%s", why);

	r = security_resource(c, "HttpsCert", &res, &path);
	if (r < 0)
		return r;
	target = hf_strdup(action_target(hf_response_json(res), "HttpsCert.GenerateCSR"));
	if (!target) {
		r = missing(c, "the GenerateCSR action", path);
		goto out;
	}
	/* a request already there is not the one asked for now */
	old = hf_strdup(jstr(hf_response_json(res), "CertificateSigningRequest"));

	body = json_object_new_object();
	if (!body || add_str(body, "CommonName", p->common_name) < 0 ||
	    add_str(body, "Country", p->country) < 0 || add_str(body, "State", p->state) < 0 ||
	    add_str(body, "City", p->city) < 0 || add_str(body, "OrgName", p->org) < 0 ||
	    (p->org_unit && add_str(body, "OrgUnit", p->org_unit) < 0)) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(body, "IncludeIP", json_object_new_boolean(p->include_ip != 0));
	r = send_json(c, "POST", target, body, NULL);
	if (r < 0)
		goto out;
	hf_log_info(&c->log, "the BMC is generating a key pair and a CSR; waiting for it (at most "
			     "%ld s)",
		    wait_ms / 1000);

	start = hf_now_ms();
	for (;;) {
		const char *csr;
		int64_t elapsed;

		hf_response_free(poll_resp);
		poll_resp = NULL;
		r = get_object(c, path, &poll_resp);
		if (r < 0)
			goto out;
		csr = jstr(hf_response_json(poll_resp), "CertificateSigningRequest");
		if (csr && *csr && !hf_streq(csr, old)) {
			BIO *bio = BIO_new_mem_buf(csr, -1);
			X509_REQ *req = bio ? PEM_read_bio_X509_REQ(bio, NULL, no_passphrase, NULL)
					    : NULL;

			ERR_clear_error();
			X509_REQ_free(req);
			BIO_free(bio);
			if (!req) {
				r = protocol_error(c, "%s: CertificateSigningRequest is not a PEM "
						      "certificate request",
						   path);
				goto out;
			}
			*ret_pem = strdup(csr);
			r = *ret_pem ? 0 : -ENOMEM;
			goto out;
		}
		elapsed = hf_now_ms() - start;
		if (elapsed >= wait_ms) {
			hf_client_set_error(c, -ETIMEDOUT, HF_ERROR_TIMEOUT, 0, NULL,
					    "the BMC did not produce the CSR within %ld s (%s)",
					    wait_ms / 1000, path);
			r = -ETIMEDOUT;
			goto out;
		}
		/* sleep until the next poll in slices, reporting progress */
		for (slept = 0; slept < delay && elapsed < wait_ms;) {
			long slice = delay - slept < CSR_SLICE_MS ? delay - slept : CSR_SLICE_MS;

			if (progress && progress(userdata, "csr", (double)elapsed / 1000.0,
						 (double)wait_ms / 1000.0)) {
				hf_client_set_error(c, -ECANCELED, HF_ERROR_USAGE, 0, NULL,
						    "waiting for the CSR was cancelled");
				r = -ECANCELED;
				goto out;
			}
			if (slice > wait_ms - elapsed)
				slice = (long)(wait_ms - elapsed);
			hf_sleep_ms(slice);
			slept += slice;
			elapsed = hf_now_ms() - start;
		}
		delay = delay * 2 > CSR_POLL_MAX_MS ? CSR_POLL_MAX_MS : delay * 2;
	}
out:
	json_object_put(body);
	hf_response_free(res);
	hf_response_free(poll_resp);
	free(path);
	free(old);
	free(target);
	return r;
}

/* Check a certificate argument; on success *ret_pem is its PEM re-encoding (caller frees). */
static int checked_cert(hf_client *c, const char *what, const char *pem, size_t len,
			bool want_ca, X509 **ret_x, char **ret_pem)
{
	char why[200];
	X509 *x = NULL;
	BIO *bio = NULL;
	char *data;
	long n;
	int r;

	r = hf_cert_load_pem(pem, len, &x, why, sizeof(why));
	if (r == -EINVAL)
		return usage(c, "the %s %s", what, why);
	if (r < 0)
		return r;
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
		r = usage(c, "the %s has expired", what);
		goto out;
	}
	if (want_ca && X509_check_ca(x) < 1) {
		r = usage(c, "the %s is not a CA certificate (no basicConstraints CA:TRUE)", what);
		goto out;
	}
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_X509(bio, x)) {
		r = -ENOMEM;
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	*ret_pem = hf_strndup(data, n > 0 ? (size_t)n : 0);
	if (!*ret_pem) {
		r = -ENOMEM;
		goto out;
	}
	if (ret_x) {
		*ret_x = x;
		x = NULL;
	}
	r = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	X509_free(x);
	return r;
}

/* POST {"Certificate": pem} to the action "suffix" of a SecurityService resource. */
static int post_certificate(hf_client *c, const char *resource, const char *suffix,
			    const char *pem)
{
	struct json_object *body = NULL;
	hf_response *res = NULL;
	char *path = NULL;
	const char *target;
	int r;

	r = security_resource(c, resource, &res, &path);
	if (r < 0)
		return r;
	target = action_target(hf_response_json(res), suffix);
	if (!target) {
		r = missing(c, suffix, path);
		goto out;
	}
	/* json-c escapes the line breaks ("\n"), which the BMC turns back into PEM lines */
	body = json_object_new_object();
	if (!body || add_str(body, "Certificate", pem) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = send_json(c, "POST", target, body, NULL);
out:
	json_object_put(body);
	hf_response_free(res);
	free(path);
	return r;
}

_hf_public_ int hf_https_cert_import(hf_client *c, const char *pem, size_t len)
{
	char *clean = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = checked_cert(c, "certificate", pem, len, false, NULL, &clean);
	if (r < 0)
		return r;
	r = post_certificate(c, "HttpsCert", "HttpsCert.ImportCertificate", clean);
	free(clean);
	return r;
}

/*
 * The leaf certificate the BMC presents on a TLS handshake with its address: the https
 * transport only (in-band transports have no address of their own to ask), directly (not
 * through a proxy), within the client's connect and total timeouts.  Nothing is verified
 * here: the caller accepts the certificate only when it is the one the BMC describes.  The
 * connection takes one of the host's slots for the BMC like every other.
 */
static int tls_peer_cert(hf_client *c, X509 **ret, char *why, size_t whylen)
{
	struct addrinfo hints = { 0 }, *ai = NULL, *a;
	struct hf_url u = { 0 };
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509 *x = NULL;
	char port[16];
	int fd = -1, slot = -1, r, e;

	if (c->transport.ops != &hf_transport_https || !c->url || hf_url_parse(c->url, &u) < 0 ||
	    strcmp(u.scheme, "https") != 0) {
		snprintf(why, whylen, "the transport (%s) does not speak TLS with an address",
			 hf_client_transport(c));
		r = -ENOTSUP;
		goto out;
	}
	r = hf_slots_acquire(&c->slots, &c->interrupts,
			     __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST), &slot);
	if (r < 0) {
		snprintf(why, whylen, "no connection slot for a TLS handshake: %s", strerror(-r));
		goto out;
	}
	snprintf(port, sizeof(port), "%u", u.port);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	e = getaddrinfo(u.host, port, &hints, &ai);
	if (e != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", u.host, gai_strerror(e));
		r = -EHOSTUNREACH;
		goto out;
	}
	r = -ECONNREFUSED;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(e);

		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
			snprintf(why, whylen, "cannot connect to %s:%s: %s", u.host, port,
				 strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		e = 0;
		if (poll(&pfd, 1, (int)c->connect_timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0 || e != 0) {
			snprintf(why, whylen, "cannot connect to %s:%s: %s", u.host, port,
				 e ? strerror(e) : "timed out");
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		goto out;
	{
		struct timeval tv = { c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000 };

		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
			snprintf(why, whylen, "socket set-up failed: %s", strerror(errno));
			r = -EIO;
			goto out;
		}
	}
	ctx = SSL_CTX_new(TLS_client_method());
	ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl) {
		r = -ENOMEM;
		goto out;
	}
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	{
		unsigned char addr[16];

		/* SNI: a host name, never an address literal (RFC 6066) */
		if (inet_pton(AF_INET, u.host, addr) != 1 && inet_pton(AF_INET6, u.host, addr) != 1)
			SSL_set_tlsext_host_name(ssl, u.host);
	}
	if (!SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1) {
		snprintf(why, whylen, "TLS handshake with %s:%s failed", u.host, port);
		r = -ECONNABORTED;
		goto out;
	}
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	x = SSL_get1_peer_certificate(ssl);
#else
	x = SSL_get_peer_certificate(ssl);
#endif
	if (!x) {
		snprintf(why, whylen, "%s:%s presented no certificate", u.host, port);
		r = -EPROTO;
		goto out;
	}
	*ret = x;
	r = 0;
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	if (slot >= 0)
		hf_slots_release(slot);
	if (ai)
		freeaddrinfo(ai);
	hf_url_clear(&u);
	return r;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

_hf_public_ int hf_https_cert_info(hf_client *c, struct json_object **ret)
{
	struct json_object *out = NULL, *info, *mine = NULL;
	hf_response *res = NULL;
	char *path = NULL, why[256] = "", fp[96];
	const char *cs, *source = NULL;
	X509 *x = NULL;
	int r;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	r = security_resource(c, "HttpsCert", &res, &path);
	if (r < 0)
		return r;
	info = jget(hf_response_json(res), "X509CertificateInformation");
	out = json_object_new_object();
	if (!out) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(out, "subject", str_or_null(jstr(info, "Subject")));
	json_object_object_add(out, "issuer", str_or_null(jstr(info, "Issuer")));
	json_object_object_add(out, "serial", str_or_null(jstr(info, "SerialNumber")));
	json_object_object_add(out, "not_before", str_or_null(jstr(info, "ValidNotBefore")));
	json_object_object_add(out, "not_after", str_or_null(jstr(info, "ValidNotAfter")));

	/* the certificate itself, when the BMC gives it (DMTF Certificate resources do) */
	cs = jstr(hf_response_json(res), "CertificateString");
	if (cs && hf_cert_load_pem(cs, strlen(cs), &x, why, sizeof(why)) == 0) {
		source = "bmc";
	} else if (tls_peer_cert(c, &x, why, sizeof(why)) == 0) {
		if (describe(x, &mine) < 0) {
			r = -ENOMEM;
			goto out;
		}
		if (hf_cert_serial_same(jstr(mine, "serial"), jstr(info, "SerialNumber"))) {
			source = "tls";
		} else {
			snprintf(why, sizeof(why),
				 "the certificate presented in TLS (serial %s) is not the one the BMC "
				 "reports (serial %s); an iLO presents an imported certificate after "
				 "its reset",
				 jstr(mine, "serial") ?: "?", jstr(info, "SerialNumber") ?: "none");
		}
	}
	if (source && hf_cert_fingerprint(x, fp) < 0) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(out, "sha256_fingerprint", source ? json_object_new_string(fp)
								 : NULL);
	json_object_object_add(out, "fingerprint_source", str_or_null(source));
	json_object_object_add(out, "fingerprint_note", source ? NULL : str_or_null(why));
	*ret = out;
	out = NULL;
	r = 0;
out:
	json_object_put(out);
	json_object_put(mine);
	X509_free(x);
	hf_response_free(res);
	free(path);
	return r;
}

/* ---- licence ---- */

_hf_public_ int hf_license_info(hf_client *c, struct json_object **ret)
{
	hf_response *resp = NULL, *member = NULL;
	struct json_object *json, *members;
	char *path = NULL, *only = NULL;
	int r;

	if (!c || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	r = manager_link(c, "LicenseService", &path);
	if (r < 0)
		return r;
	/* iLO's "only": a one-member collection answers with the member itself */
	only = malloc(strlen(path) + sizeof("?only"));
	if (!only) {
		r = -ENOMEM;
		goto out;
	}
	sprintf(only, "%s%s", path, strchr(path, '?') ? "&only" : "?only");
	r = get_object(c, only, &resp);
	if (r < 0)
		goto out;
	json = hf_response_json(resp);
	members = jget(json, "Members");
	if (members && json_object_is_type(members, json_type_array)) {
		const char *m = jstr(json_object_array_get_idx(members, 0), "@odata.id");

		if (!m) {
			r = missing(c, "a licence", path);
			goto out;
		}
		r = get_object(c, m, &member);
		if (r < 0)
			goto out;
		json = hf_response_json(member);
	}
	*ret = json_object_get(json);
	r = 0;
out:
	hf_response_free(resp);
	hf_response_free(member);
	free(path);
	free(only);
	return r;
}

_hf_public_ int hf_license_install(hf_client *c, const char *key)
{
	struct json_object *body = NULL;
	char norm[HF_LICENSE_KEY_LEN + 1], *path = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	/* the key is a secret: the message never repeats it */
	if (hf_license_key_normalise(key, norm) < 0)
		return usage(c, "the licence key must be 25 letters or digits in five groups of "
				"five separated by '-' (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)");
	r = manager_link(c, "LicenseService", &path);
	if (r < 0)
		goto out;
	body = json_object_new_object();
	if (!body || add_str(body, "LicenseKey", norm) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = send_json(c, "POST", path, body, NULL);
out:
	if (body) {
		/* wipe the key from the request body's memory */
		struct json_object *v = jget(body, "LicenseKey");

		if (v)
			hf_wipe((void *)json_object_get_string(v), HF_LICENSE_KEY_LEN);
	}
	json_object_put(body);
	hf_wipe(norm, sizeof(norm));
	free(path);
	return r;
}

/* ---- certificate login ---- */

_hf_public_ int hf_cert_login_set(hf_client *c, int enable)
{
	struct json_object *body = NULL;
	hf_response *res = NULL;
	char *path = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = security_resource(c, "CertAuth", &res, &path);
	if (r < 0)
		return r;
	body = json_object_new_object();
	if (!body) {
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(body, "CertificateLoginEnabled", json_object_new_boolean(enable));
	r = send_json(c, "PATCH", path, body, NULL);
out:
	json_object_put(body);
	hf_response_free(res);
	free(path);
	return r;
}

_hf_public_ int hf_cert_ca_import(hf_client *c, const char *pem, size_t len)
{
	char *clean = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = checked_cert(c, "CA certificate", pem, len, true, NULL, &clean);
	if (r < 0)
		return r;
	r = post_certificate(c, "CertAuth", "CertAuth.ImportCACertificate", clean);
	free(clean);
	return r;
}

_hf_public_ int hf_cert_user_map(hf_client *c, const char *user, const char *pem, size_t len,
				 char **ret_fingerprint)
{
	static const char *const keys[] = { "Links", "UserCertificateMapping", NULL };
	struct json_object *body = NULL;
	hf_response *res = NULL;
	char *path = NULL, *coll = NULL, *clean = NULL, fp[96];
	X509 *x = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	if (hf_cert_text_check(user, HF_CERT_USER_MAX) < 0)
		return usage(c, "the user name must be 1 to %d characters without control "
				"characters",
			     HF_CERT_USER_MAX);
	r = checked_cert(c, "certificate", pem, len, false, &x, &clean);
	if (r < 0)
		return r;
	if (hf_cert_fingerprint(x, fp) < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = security_resource(c, "CertAuth", &res, &path);
	if (r < 0)
		goto out;
	coll = link_of(hf_response_json(res), (const char **)keys);
	if (!coll) {
		r = missing(c, "UserCertificateMapping", path);
		goto out;
	}
	body = json_object_new_object();
	if (!body || add_str(body, "UserName", user) < 0 || add_str(body, "Fingerprint", fp) < 0 ||
	    add_str(body, "FingerprintDigestAlgorithm", "SHA256") < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = send_json(c, "POST", coll, body, NULL);
	if (r == 0 && ret_fingerprint) {
		*ret_fingerprint = strdup(fp);
		if (!*ret_fingerprint)
			r = -ENOMEM;
	}
out:
	json_object_put(body);
	hf_response_free(res);
	X509_free(x);
	free(clean);
	free(coll);
	free(path);
	return r;
}

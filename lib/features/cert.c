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

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert-private.h"
#include "client-private.h"

#define CSR_DEFAULT_WAIT_MS 600000L /* HPE: the CSR may take up to 10 minutes */
#define CSR_POLL_FIRST_MS 250L
#define CSR_POLL_MAX_MS 5000L
#define CSR_SLICE_MS 250L /* progress (and cancellation) granularity while waiting */
#define MANAGERS_PATH "/redfish/v1/Managers/"

/* ---- talking to the BMC ---- */

/* The BMC answered with an error status: record it. */
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
		r = hf_client_http_error(c, resp, "GET");
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
		r = hf_client_http_error(c, resp, method);
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
		return hf_client_usage_error(c, "the CSR wait must not be negative");
	if (wait_ms == 0)
		wait_ms = CSR_DEFAULT_WAIT_MS;
	if (hf_csr_params_check(p, why, sizeof(why)) < 0)
		return hf_client_usage_error(c, "%s", why);

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
			if (!hf_cert_is_csr(csr)) {
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
		return hf_client_usage_error(c, "the %s %s", what, why);
	if (r < 0)
		return r;
	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
		r = hf_client_usage_error(c, "the %s has expired", what);
		goto out;
	}
	if (want_ca && X509_check_ca(x) < 1) {
		r = hf_client_usage_error(
		    c, "the %s is not a CA certificate (no basicConstraints CA:TRUE)", what);
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

/* A certificate checked (CA: it must be one), then POSTed to the security service's
 * SERVICE.ACTION: the public imports. */
static int import_checked(hf_client *c, const char *what, const char *pem, size_t len, bool ca,
			  const char *service, const char *action)
{
	char *clean = NULL;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = checked_cert(c, what, pem, len, ca, NULL, &clean);
	if (r < 0)
		return r;
	r = post_certificate(c, service, action, clean);
	free(clean);
	return r;
}

_hf_public_ int hf_https_cert_import(hf_client *c, const char *pem, size_t len)
{
	return import_checked(c, "certificate", pem, len, false, "HttpsCert",
			      "HttpsCert.ImportCertificate");
}

/*
 * The leaf certificate the BMC presented on the connection that just read its HttpsCert
 * resource (the transport's peer_cert(): https, hostif): no TLS handshake, no connection of
 * its own.  Nothing is verified here: the caller accepts the certificate only when it is the
 * one the BMC describes.
 */
static int presented_cert(hf_client *c, X509 **ret, char *why, size_t whylen)
{
	_cleanup_free_ unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	X509 *x;
	int r;

	r = hf_transport_peer_cert(&c->transport, &der, &len, why, whylen);
	if (r < 0)
		return r;
	p = der;
	x = len <= LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	if (!x) {
		snprintf(why, whylen, "the certificate the BMC presented cannot be parsed");
		return -EPROTO;
	}
	*ret = x;
	return 0;
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
	} else if (presented_cert(c, &x, why, sizeof(why)) == 0) {
		if (hf_cert_describe(x, &mine) < 0) {
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
		return hf_client_usage_error(
		    c, "the licence key must be 25 letters or digits in five groups of "
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
	return import_checked(c, "CA certificate", pem, len, true, "CertAuth",
			      "CertAuth.ImportCACertificate");
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
		return hf_client_usage_error(
		    c,
		    "the user name must be 1 to %d characters without control "
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

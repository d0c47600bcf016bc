/* SPDX-License-Identifier: MIT */
/*
 * response.c - the response object handed to callers, and message logging.
 *
 * The body is kept as it came (decoded); its JSON and the Redfish error in it are parsed the
 * first time a caller asks (hf_response_json(), hf_response_redfish_error()), so a request
 * whose answer is only printed or counted never pays for a parse.  Two threads asking at
 * once may both parse; the first result is kept (compare-and-swap), the other freed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "client-private.h"

struct hf_response {
	int status;
	char *reason;
	struct hf_headers headers;
	struct hf_buf body;
	/* parsed on first use (lazy_json(), lazy_rf()); *_done: parsed, even to NULL */
	struct json_object *json;
	hf_redfish_error *rf;
	bool json_done, rf_done;
	char *method;
	char *url;
	char *path;
	char *req_body;
	size_t req_body_len;
};

static struct json_object *parse_json(const char *text, size_t len)
{
	size_t start = 0;

	/* only what looks like a document is parsed: a bare "1" is not a Redfish answer */
	while (start < len && strchr(" \t\r\n", text[start]))
		start++;
	if (start == len || (text[start] != '{' && text[start] != '['))
		return NULL;
	return hf_json_parse(text, len);
}

int hf_response_build(hf_response **ret, const char *method, const char *url, const char *path,
		      const void *req_body, size_t req_body_len,
		      struct hf_transport_response *tresp, size_t max_decoded)
{
	hf_response *r;
	const char *enc;
	int e;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->status = tresp->status;
	r->reason = tresp->reason ? tresp->reason : strdup("");
	tresp->reason = NULL;
	r->headers = tresp->headers;
	memset(&tresp->headers, 0, sizeof(tresp->headers));

	enc = hf_headers_get(&r->headers, "Content-Encoding");
	if (enc && (strcasecmp(enc, "gzip") == 0 || strcasecmp(enc, "x-gzip") == 0 ||
		    strcasecmp(enc, "deflate") == 0) &&
	    tresp->body.len) {
		e = hf_gunzip(tresp->body.data, tresp->body.len, max_decoded, &r->body);
		if (e < 0)
			goto fail;
	} else if (enc && strcasecmp(enc, "identity") != 0 && tresp->body.len) {
		e = -EPROTO; /* an encoding we did not ask for */
		goto fail;
	} else {
		r->body = tresp->body;
		memset(&tresp->body, 0, sizeof(tresp->body));
	}
	if (!r->body.data && hf_buf_append(&r->body, "", 0) < 0) {
		e = -ENOMEM;
		goto fail;
	}
	r->method = strdup(method);
	r->url = strdup(url);
	r->path = strdup(path);
	r->req_body = hf_strndup(req_body ? req_body : "", req_body_len);
	r->req_body_len = req_body_len;
	if (!r->reason || !r->method || !r->url || !r->path || !r->req_body) {
		e = -ENOMEM;
		goto fail;
	}
	*ret = r;
	return 0;
fail:
	hf_response_free(r);
	return e;
}

_hf_public_ void hf_response_free(hf_response *r)
{
	if (!r)
		return;
	free(r->reason);
	hf_headers_clear(&r->headers);
	hf_buf_free(&r->body);
	json_object_put(r->json);
	hf_rferror_unref(r->rf);
	free(r->method);
	free(r->url);
	free(r->path);
	if (r->req_body)
		hf_wipe(r->req_body, r->req_body_len);
	free(r->req_body);
	free(r);
}

_hf_public_ int hf_response_status(const hf_response *r)
{
	return r->status;
}

_hf_public_ const char *hf_response_reason(const hf_response *r)
{
	return r->reason;
}

_hf_public_ const char *hf_response_header(const hf_response *r, const char *name)
{
	return name ? hf_headers_get(&r->headers, name) : NULL;
}

_hf_public_ size_t hf_response_header_count(const hf_response *r)
{
	return r->headers.n;
}

_hf_public_ int hf_response_header_at(const hf_response *r, size_t i, const char **name,
				      const char **value)
{
	if (i >= r->headers.n)
		return -ERANGE;
	if (name)
		*name = r->headers.v[i].name;
	if (value)
		*value = r->headers.v[i].value;
	return 0;
}

_hf_public_ const char *hf_response_body(const hf_response *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.data;
}

static struct json_object *lazy_json(hf_response *r)
{
	struct json_object *j = __atomic_load_n(&r->json, __ATOMIC_ACQUIRE), *none = NULL;

	if (j || __atomic_load_n(&r->json_done, __ATOMIC_ACQUIRE))
		return j;
	j = parse_json(r->body.data, r->body.len);
	if (j && !__atomic_compare_exchange_n(&r->json, &none, j, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE)) {
		json_object_put(j); /* another thread's parse won */
		j = none;
	}
	__atomic_store_n(&r->json_done, true, __ATOMIC_RELEASE);
	return j;
}

static hf_redfish_error *lazy_rf(hf_response *r)
{
	hf_redfish_error *e = __atomic_load_n(&r->rf, __ATOMIC_ACQUIRE), *none = NULL;
	struct json_object *j;

	if (e || __atomic_load_n(&r->rf_done, __ATOMIC_ACQUIRE))
		return e;
	j = lazy_json(r);
	e = j ? hf_rferror_parse(j) : NULL;
	if (e && !__atomic_compare_exchange_n(&r->rf, &none, e, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE)) {
		hf_rferror_unref(e);
		e = none;
	}
	__atomic_store_n(&r->rf_done, true, __ATOMIC_RELEASE);
	return e;
}

/* The getters are const for their callers; the parse they may do is the object's own
 * cache, not a change callers can see. */
_hf_public_ struct json_object *hf_response_json(const hf_response *r)
{
	return lazy_json((hf_response *)r);
}

_hf_public_ const char *hf_response_method(const hf_response *r)
{
	return r->method;
}

_hf_public_ const char *hf_response_url(const hf_response *r)
{
	return r->url;
}

_hf_public_ const char *hf_response_path(const hf_response *r)
{
	return r->path;
}

_hf_public_ const char *hf_response_request_body(const hf_response *r, size_t *len)
{
	if (len)
		*len = r->req_body_len;
	return r->req_body;
}

_hf_public_ const hf_redfish_error *hf_response_redfish_error(const hf_response *r)
{
	return lazy_rf((hf_response *)r);
}

#define LOG_BODY_MAX 16384

void hf_log_message(const struct hf_logger *lg, const char *prefix, const char *first_line,
		    const struct hf_headers *headers, const void *body, size_t body_len)
{
	struct hf_buf b = { 0 };
	size_t i;

	if (!hf_log_enabled(lg, HF_LOG_DEBUG))
		return;
	hf_log_debug(lg, "%s %s", prefix, first_line);
	for (i = 0; headers && i < headers->n; i++)
		hf_log_debug(lg, "%s %s: %s", prefix, headers->v[i].name,
			     hf_mask_is_secret_header(headers->v[i].name) ? "****"
									  : headers->v[i].value);
	if (!body_len)
		return;
	{
		_cleanup_free_ char *masked = hf_mask_json_text(body, body_len);

		if (!masked) {
			/* not JSON: could be a form with a session key; say only how big */
			hf_log_debug(lg, "%s [%zu bytes of non-JSON body]", prefix, body_len);
			return;
		}
		if (strlen(masked) > LOG_BODY_MAX) {
			hf_buf_printf(&b, "%s %.*s... [%zu bytes]", prefix, LOG_BODY_MAX, masked,
				      body_len);
		} else {
			hf_buf_printf(&b, "%s %s", prefix, masked);
		}
	}
	hf_log_text(lg, HF_LOG_DEBUG, b.data);
	hf_buf_free(&b);
}

/* SPDX-License-Identifier: MIT */
/*
 * fuzz-http1.c - raw HTTP/1.1 as the CHIF transport sees it (lib/transport/http1.c).
 * Input: the bytes of a BMC response.  They are parsed as the answer to GET and to HEAD, and
 * also reused as a request to serialise: first line the path, following lines "name: value"
 * headers (split at the first ':', one space dropped, otherwise unchecked), after an empty
 * line the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/transport/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const uint8_t *data, size_t size, const char *method, size_t max_body)
{
	struct hf_transport_response resp = { 0 };
	char err[256];
	int r;

	r = hf_http1_parse_response(data, size, method, max_body, &resp, err, sizeof(err));
	if (r < 0) {
		/* refused: a message, and nothing handed out */
		if (!err[0] || resp.reason || resp.headers.n || resp.body.data || resp.status)
			abort();
		return;
	}
	if (resp.status < 200 || resp.status > 599 || !resp.reason || resp.body.len > max_body)
		abort();
	if (strcmp(method, "HEAD") == 0 && resp.body.len)
		abort();
	hf_transport_response_clear(&resp);
}

/* On success the header section must be exactly the lines we asked for, each ending CRLF. */
static void check_request(const struct hf_buf *out, const struct hf_transport_request *req,
			  size_t max_len)
{
	size_t lines = 0, expect = 2 + req->headers->n, i;
	bool conn = false, cl = false;

	for (i = 0; i < req->headers->n; i++) {
		conn |= strcasecmp(req->headers->v[i].name, "Connection") == 0;
		cl |= strcasecmp(req->headers->v[i].name, "Content-Length") == 0;
	}
	expect += !conn;
	expect += !cl && (req->body_len || strcmp(req->method, "POST") == 0);
	if (out->len > max_len)
		abort();
	for (i = 0; i + 1 < out->len; i++) {
		if (out->data[i] == '\r' && out->data[i + 1] == '\n') {
			if (i >= 2 && out->data[i - 2] == '\r' && out->data[i - 1] == '\n')
				break; /* the empty line */
			lines++;
			i++;
		} else if (out->data[i] == '\r' || out->data[i] == '\n' || out->data[i] == '\0') {
			abort();
		}
	}
	if (lines != expect || out->len != i + 2 + req->body_len)
		abort();
}

static void serialize(const uint8_t *data, size_t size, const char *method, const char *host,
		      size_t max_len)
{
	struct hf_headers headers = { 0 };
	struct hf_transport_request req = { .method = method, .headers = &headers };
	struct hf_buf out = { 0 };
	const char *p = (const char *)data, *end = p + size, *nl, *colon;
	char *path;

	nl = memchr(p, '\n', size);
	path = hf_strndup(p, nl ? (size_t)(nl - p) : size);
	if (!path)
		return;
	req.path = path;
	p = nl ? nl + 1 : end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl == p) {
			p++;
			break;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon) {
			const char *v = colon + 1 < nl && colon[1] == ' ' ? colon + 2 : colon + 1;

			if (hf_headers_add(&headers, p, (size_t)(colon - p), v, (size_t)(nl - v)) < 0)
				break;
		}
		p = nl < end ? nl + 1 : end;
	}
	req.body = p;
	req.body_len = (size_t)(end - p);
	if (hf_http1_serialize(&req, host, max_len, &out) == 0)
		check_request(&out, &req, max_len);
	hf_buf_free(&out);
	hf_headers_clear(&headers);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1 << 20))
		return 0;
	parse(data, size, "GET", 1 << 20);
	parse(data, size, "HEAD", 1 << 20);
	parse(data, size, "GET", 64); /* the body bound, exercised */
	serialize(data, size, "POST", "bmc.example", 1 << 16);
	serialize(data, size, "GET", NULL, 256); /* an empty Host; the size bound, exercised */
	return 0;
}

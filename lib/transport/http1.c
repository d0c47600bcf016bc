/* SPDX-License-Identifier: MIT */
/*
 * http1.c - HTTP/1.1 as raw text, for the CHIF transport: the request goes into a blob as
 * text, the BMC's answer comes back as bytes (RFC 9112).
 *
 * The parser reads untrusted bytes that are not NUL-terminated: every read goes through
 * struct reader, which checks the remaining length first.  Lines end in CRLF; a bare LF is
 * accepted too (RFC 9112 section 2.2 allows it), a CR anywhere else is refused.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http1.h"

/* ---- character classes (RFC 9110 section 5.6) ---- */

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* field-vchar, SP and HTAB: what a field value (and a reason phrase) may hold */
static bool is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1*DIGIT, saturating at UINT64_MAX.  False when empty or not all digits. */
static bool parse_decimal(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return false;
		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	*ret = v;
	return true;
}

/* ---- serialising a request ---- */

/* request-target in origin form: '/' then printable ASCII without spaces */
static bool target_ok(const char *s)
{
	if (s[0] != '/')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool value_ok(const char *s)
{
	for (; *s; s++)
		if (!is_field_char((unsigned char)*s))
			return false;
	return true;
}

/* Check the caller's headers; note whether Content-Length and Connection are among them. */
static int check_headers(const struct hf_transport_request *req, bool *have_cl, bool *have_conn)
{
	const struct hf_headers *h = req->headers;
	size_t i;

	*have_cl = *have_conn = false;
	for (i = 0; h && i < h->n; i++) {
		const char *name = h->v[i].name, *value = h->v[i].value;
		uint64_t cl;

		if (!name || !value || !is_token(name, strlen(name)) || !value_ok(value))
			return -EINVAL;
		/* we frame the message: Host and Transfer-Encoding are ours */
		if (strcasecmp(name, "Host") == 0 || strcasecmp(name, "Transfer-Encoding") == 0)
			return -EINVAL;
		if (strcasecmp(name, "Connection") == 0)
			*have_conn = true;
		if (strcasecmp(name, "Content-Length") == 0) {
			if (*have_cl || !parse_decimal(value, strlen(value), &cl) ||
			    cl != (uint64_t)req->body_len)
				return -EINVAL;
			*have_cl = true;
		}
	}
	return 0;
}

int hf_http1_serialize(const struct hf_transport_request *req, const char *host, size_t max_len,
		       struct hf_buf *out)
{
	const struct hf_headers *h;
	struct hf_buf b = { 0 };
	bool have_cl, have_conn, need_cl;
	size_t i;
	int r;

	if (!req || !out || !req->method || !req->path ||
	    (req->body_len && !req->body && !req->stream))
		return -EINVAL;
	if (!is_token(req->method, strlen(req->method)) || !target_ok(req->path))
		return -EINVAL;
	if (!host)
		host = "";
	/* host[:port], printable ASCII without spaces */
	for (i = 0; host[i]; i++)
		if ((unsigned char)host[i] <= 0x20 || (unsigned char)host[i] >= 0x7f)
			return -EINVAL;
	r = check_headers(req, &have_cl, &have_conn);
	if (r < 0)
		return r;
	need_cl = req->body_len || strcmp(req->method, "POST") == 0 ||
		  strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0;

	r = hf_buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req->method, req->path, host);
	h = req->headers;
	if (h)
		for (i = 0; r == 0 && i < h->n; i++)
			r = hf_buf_printf(&b, "%s: %s\r\n", h->v[i].name, h->v[i].value);
	/* HPE's client adds it to every request that has headers (connections.py,
	 * Blobstore2Connection.blobstore_headers) */
	if (r == 0 && !have_conn)
		r = hf_buf_appends(&b, "Connection: Keep-Alive\r\n");
	if (r == 0 && need_cl && !have_cl)
		r = hf_buf_printf(&b, "Content-Length: %zu\r\n", req->body_len);
	if (r == 0)
		r = hf_buf_appends(&b, "\r\n");
	if (r == 0 && (b.len > max_len || (!req->stream && req->body_len > max_len - b.len)))
		r = -EFBIG;
	if (r == 0 && !req->stream)
		r = hf_buf_append(&b, req->body, req->body_len);
	if (r < 0) {
		hf_wipe(b.data, b.len); /* it may hold a token or a password */
		hf_buf_free(&b);
		return r;
	}
	if (out->data)
		hf_wipe(out->data, out->len);
	hf_buf_free(out);
	*out = b;
	return 0;
}

/* ---- parsing a response ---- */

struct reader {
	const unsigned char *p;
	size_t len;
	size_t pos;
	size_t header_bytes; /* spent on status lines, header and trailer sections */
	unsigned header_lines;
	char *err;
	size_t errlen;
};

static int fail(struct reader *rd, int r, const char *fmt, ...) _hf_printf_(3, 4);

static int fail(struct reader *rd, int r, const char *fmt, ...)
{
	va_list ap;

	if (rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static size_t avail(const struct reader *rd)
{
	return rd->len - rd->pos;
}

/*
 * The next line, without its end (CRLF or LF), looked for within limit bytes (its end
 * included).  -EPROTO when the data ends first, -E2BIG when no line ends within the limit.
 */
static int next_line(struct reader *rd, size_t limit, const unsigned char **line, size_t *n)
{
	const unsigned char *s = rd->p + rd->pos, *lf;
	size_t scan = avail(rd) < limit ? avail(rd) : limit;

	lf = scan ? memchr(s, '\n', scan) : NULL;
	if (!lf)
		return avail(rd) < limit ? -EPROTO : -E2BIG;
	*line = s;
	*n = (size_t)(lf - s);
	rd->pos += *n + 1;
	if (*n && s[*n - 1] == '\r')
		(*n)--;
	return 0;
}

/* A line of a header or trailer section, charged to the header budget. */
static int header_line(struct reader *rd, const char *what, const unsigned char **line, size_t *n)
{
	size_t start = rd->pos;
	int r;

	r = next_line(rd, (size_t)HF_HTTP1_MAX_HEADER_BYTES - rd->header_bytes, line, n);
	if (r == -EPROTO)
		return fail(rd, r, "truncated HTTP response (in the %s)", what);
	if (r == -E2BIG || (*n && ++rd->header_lines > HF_HTTP1_MAX_HEADER_LINES))
		return fail(rd, -EFBIG, "HTTP header sections over %d bytes or %d lines",
			    HF_HTTP1_MAX_HEADER_BYTES, HF_HTTP1_MAX_HEADER_LINES);
	rd->header_bytes += rd->pos - start;
	return 0;
}

/* "HTTP/1.x SP 3DIGIT SP [reason]" (the SP before an empty reason may be missing). */
static int parse_status_line(struct reader *rd, const unsigned char *l, size_t n, int *status,
			     bool *http10, char **reason)
{
	size_t i;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ' ||
	    (n > 12 && l[12] != ' '))
		return fail(rd, -EPROTO, "malformed HTTP status line");
	*status = 0;
	for (i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9')
			return fail(rd, -EPROTO, "malformed HTTP status code");
		*status = *status * 10 + (l[i] - '0');
	}
	if (*status < 100 || *status > 599)
		return fail(rd, -EPROTO, "HTTP status %d out of range", *status);
	for (i = 13; i < n; i++)
		if (!is_field_char(l[i]))
			return fail(rd, -EPROTO, "control character in the HTTP reason phrase");
	*http10 = l[7] == '0';
	*reason = n > 13 ? hf_strndup((const char *)l + 13, n - 13) : hf_strdup("");
	return *reason ? 0 : fail(rd, -ENOMEM, "out of memory");
}

/* "name: value" into h (NULL: check and drop, for trailers). */
static int parse_field(struct reader *rd, const unsigned char *l, size_t n, struct hf_headers *h)
{
	size_t i = 0, v, e, k;

	if (is_ows(l[0]))
		return fail(rd, -EPROTO, "folded HTTP header line (obs-fold)");
	while (i < n && is_tchar(l[i]))
		i++;
	if (i == 0 || i == n || l[i] != ':')
		return fail(rd, -EPROTO, "malformed HTTP header line");
	for (v = i + 1; v < n && is_ows(l[v]); v++)
		;
	for (e = n; e > v && is_ows(l[e - 1]); e--)
		;
	for (k = v; k < e; k++)
		if (!is_field_char(l[k]))
			return fail(rd, -EPROTO, "control character in HTTP header value");
	if (h && hf_headers_add(h, (const char *)l, i, (const char *)l + v, e - v) < 0)
		return fail(rd, -ENOMEM, "out of memory");
	return 0;
}

/* Field lines up to the empty line that ends the section. */
static int parse_fields(struct reader *rd, const char *what, struct hf_headers *h)
{
	const unsigned char *l = NULL;
	size_t n = 0;
	int r;

	for (;;) {
		r = header_line(rd, what, &l, &n);
		if (r < 0)
			return r;
		if (n == 0)
			return 0;
		r = parse_field(rd, l, n, h);
		if (r < 0)
			return r;
	}
}


/*
 * One element of a comma-separated header value starting at p: *s and *k its text without
 * the optional white space around it; returns what follows its comma, or NULL after the last.
 */
static const char *list_element(const char *p, const char **s, size_t *k)
{
	const char *end = strchr(p, ',');

	*k = end ? (size_t)(end - p) : strlen(p);
	while (*k && is_ows((unsigned char)*p))
		p++, (*k)--;
	while (*k && is_ows((unsigned char)p[*k - 1]))
		(*k)--;
	*s = p;
	return end ? end + 1 : NULL;
}
/* Content-Length: 1*DIGIT, possibly repeated (as fields or a list) with one value. */
static int content_length(struct reader *rd, const struct hf_headers *h, bool *present,
			  uint64_t *ret)
{
	size_t i;

	*present = false;
	for (i = 0; i < h->n; i++) {
		const char *rest = h->v[i].value, *s;

		if (strcasecmp(h->v[i].name, "Content-Length") != 0)
			continue;
		do {
			uint64_t v;
			size_t k;

			rest = list_element(rest, &s, &k);
			if (!parse_decimal(s, k, &v))
				return fail(rd, -EPROTO, "malformed Content-Length");
			if (*present && v != *ret)
				return fail(rd, -EPROTO, "conflicting Content-Length values");
			*present = true;
			*ret = v;
		} while (rest);
	}
	return 0;
}

/* Transfer-Encoding: only "chunked", once (empty list elements allowed). */
static int transfer_encoding(struct reader *rd, const struct hf_headers *h, bool *chunked)
{
	bool present = false;
	size_t i;

	*chunked = false;
	for (i = 0; i < h->n; i++) {
		const char *rest = h->v[i].value, *s;

		if (strcasecmp(h->v[i].name, "Transfer-Encoding") != 0)
			continue;
		present = true;
		do {
			size_t k;

			rest = list_element(rest, &s, &k);
			if (k && (k != 7 || strncasecmp(s, "chunked", 7) != 0 || *chunked))
				return fail(rd, -EPROTO, "unsupported Transfer-Encoding");
			if (k)
				*chunked = true;
		} while (rest);
	}
	if (present && !*chunked)
		return fail(rd, -EPROTO, "empty Transfer-Encoding");
	return 0;
}

/* The CRLF (or LF) that ends chunk data. */
static bool eat_eol(struct reader *rd)
{
	if (avail(rd) >= 2 && rd->p[rd->pos] == '\r' && rd->p[rd->pos + 1] == '\n') {
		rd->pos += 2;
		return true;
	}
	if (avail(rd) >= 1 && rd->p[rd->pos] == '\n') {
		rd->pos++;
		return true;
	}
	return false;
}

/* chunk-size [chunk-ext]: hex, overflow-checked; extensions checked and dropped. */
static int chunk_size(struct reader *rd, size_t *size)
{
	const unsigned char *l;
	size_t n, i;
	int r, d;

	r = next_line(rd, HF_HTTP1_MAX_CHUNK_LINE, &l, &n);
	if (r == -EPROTO)
		return fail(rd, r, "truncated chunked body");
	if (r < 0)
		return fail(rd, -EPROTO, "chunk line over %d bytes", HF_HTTP1_MAX_CHUNK_LINE);
	*size = 0;
	for (i = 0; i < n && (d = hex_value(l[i])) >= 0; i++) {
		if (*size > SIZE_MAX >> 4)
			return fail(rd, -EPROTO, "chunk size overflows");
		*size = *size << 4 | (size_t)d;
	}
	if (i == 0)
		return fail(rd, -EPROTO, "malformed chunk size");
	while (i < n && is_ows(l[i]))
		i++;
	if (i < n && l[i] != ';')
		return fail(rd, -EPROTO, "malformed chunk size");
	for (; i < n; i++)
		if (!is_field_char(l[i]))
			return fail(rd, -EPROTO, "control character in a chunk extension");
	return 0;
}

static int read_chunked(struct reader *rd, size_t max_body, struct hf_buf *body)
{
	size_t size = 0;
	int r;

	for (;;) {
		r = chunk_size(rd, &size);
		if (r < 0)
			return r;
		if (size == 0)
			break;
		if (size > max_body - body->len)
			return fail(rd, -EFBIG, "HTTP body over %zu bytes", max_body);
		if (size > avail(rd))
			return fail(rd, -EPROTO, "truncated chunk (%zu of %zu bytes)", avail(rd),
				    size);
		if (hf_buf_append(body, rd->p + rd->pos, size) < 0)
			return fail(rd, -ENOMEM, "out of memory");
		rd->pos += size;
		if (!eat_eol(rd))
			return fail(rd, -EPROTO, "chunk data not followed by CRLF");
	}
	/* the trailer section: checked, then dropped */
	return parse_fields(rd, "chunked trailer", NULL);
}

static int read_body(struct reader *rd, const struct hf_headers *h, bool http10, size_t max_body,
		     struct hf_buf *body)
{
	bool chunked, has_cl;
	uint64_t cl = 0;
	int r;

	r = transfer_encoding(rd, h, &chunked);
	if (r < 0)
		return r;
	r = content_length(rd, h, &has_cl, &cl);
	if (r < 0)
		return r;
	if (chunked && http10)
		return fail(rd, -EPROTO, "Transfer-Encoding in an HTTP/1.0 response");
	/* with both, Transfer-Encoding wins (RFC 9112 section 6.3, libcurl does the same) */
	if (chunked)
		return read_chunked(rd, max_body, body);
	if (!has_cl)
		cl = avail(rd); /* delimited by the end of the data */
	if (cl > (uint64_t)max_body)
		return fail(rd, -EFBIG, "HTTP body over %zu bytes", max_body);
	if (cl > (uint64_t)avail(rd))
		return fail(rd, -EPROTO, "truncated HTTP body (%zu of %llu bytes)", avail(rd),
			    (unsigned long long)cl);
	if (hf_buf_append(body, rd->p + rd->pos, (size_t)cl) < 0)
		return fail(rd, -ENOMEM, "out of memory");
	rd->pos += (size_t)cl;
	return 0;
}

int hf_http1_parse_response(const void *data, size_t len, const char *method, size_t max_body,
			    struct hf_transport_response *resp, char *err, size_t errlen)
{
	struct hf_transport_response tmp = { 0 };
	struct reader rd = { .p = data, .len = len, .err = err, .errlen = errlen };
	const unsigned char *l = NULL;
	bool http10 = false;
	size_t n = 0;
	int r;

	if (errlen)
		err[0] = '\0';
	if (!data && len)
		return fail(&rd, -EINVAL, "no data");
	for (;;) {
		r = header_line(&rd, "status line", &l, &n);
		if (r < 0)
			goto out;
		r = parse_status_line(&rd, l, n, &tmp.status, &http10, &tmp.reason);
		if (r < 0)
			goto out;
		r = parse_fields(&rd, "header section", &tmp.headers);
		if (r < 0)
			goto out;
		if (tmp.status >= 200)
			break;
		if (tmp.status == 101) {
			r = fail(&rd, -EPROTO, "unexpected 101 Switching Protocols");
			goto out;
		}
		/* an interim answer (100 Continue, 102, 103): the final one follows */
		hf_transport_response_clear(&tmp);
	}
	/* RFC 9112 section 6.3: these never have a body, whatever their headers say */
	if (hf_streq(method, "HEAD") || tmp.status == 204 || tmp.status == 304)
		r = 0;
	else
		r = read_body(&rd, &tmp.headers, http10, max_body, &tmp.body);
out:
	if (r < 0) {
		hf_transport_response_clear(&tmp);
		return r;
	}
	*resp = tmp;
	return 0;
}

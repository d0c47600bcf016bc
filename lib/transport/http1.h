/* SPDX-License-Identifier: MIT */
/*
 * http1.h - raw HTTP/1.1 text for transports that carry whole messages as bytes (CHIF
 * blobstore2): serialise one request, parse one complete response (RFC 9112).
 */
#ifndef HOSTFISH_HTTP1_H
#define HOSTFISH_HTTP1_H

#include "transport.h"

/* Bounds on what the parser accepts from the BMC. */
#define HF_HTTP1_MAX_HEADER_BYTES (64 * 1024) /* every header section and status line */
#define HF_HTTP1_MAX_HEADER_LINES 200 /* status lines, fields and trailer fields */
#define HF_HTTP1_MAX_CHUNK_LINE 4096 /* one chunk-size line with its extensions */

/*
 * Serialise req as an HTTP/1.1 request: request line, "Host: host" (host NULL or "": an
 * empty Host, as HPE's own client sends over CHIF), the caller's headers, "Connection:
 * Keep-Alive" (as HPE's client sends) unless the caller gave a Connection header,
 * "Content-Length" when there is a body or the method is POST, PUT or PATCH, a blank line and
 * the body.
 *
 * The caller's headers may not contain Host or Transfer-Encoding; a caller's Content-Length
 * must match body_len and is then not repeated.  Names must be RFC 9110 tokens, values free of
 * control characters (HTAB aside); the method must be a token and the path printable ASCII
 * without spaces.
 *
 * A streamed body (req->stream) is not serialised: *out holds the head only (its
 * Content-Length is the stream's length), the caller sends the stream after it, and max_len
 * bounds the head alone.
 *
 * On success *out is replaced by the request (its old contents are freed; the caller frees
 * the new ones).  -EINVAL for anything that cannot be sent as is, -EFBIG when the request
 * would exceed max_len bytes, -ENOMEM.  *out is not touched on failure.
 */
int hf_http1_serialize(const struct hf_transport_request *req, const char *host, size_t max_len,
		       struct hf_buf *out);

/*
 * Parse one complete HTTP/1.x response of len bytes (not NUL-terminated) that answered
 * "method".  Interim 1xx responses before it are skipped (101 is refused).  The body is
 * transfer-decoded (chunked), never content-decoded: gzip stays gzip.  Bytes after a
 * complete message are ignored (python's http.client, which HPE's client parses with, does
 * the same).
 *
 * resp must be cleared on entry; it is written only on success (the caller then clears it
 * with hf_transport_response_clear()).  Errors: -EPROTO malformed or truncated, -EFBIG body
 * over max_body or a header section over the bounds above, -ENOMEM; err receives a message
 * (NUL-terminated, errlen may be 0).
 */
int hf_http1_parse_response(const void *data, size_t len, const char *method, size_t max_body,
			    struct hf_transport_response *resp, char *err, size_t errlen);

#endif /* HOSTFISH_HTTP1_H */

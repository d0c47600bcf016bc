/* SPDX-License-Identifier: MIT */
/*
 * http.c - the agent's HTTP/1.1 server side: reading requests within bounds, writing answers.
 *
 * Requests are read into the connection's fixed buffer (HTTP_BUF_SIZE): the request line may
 * take HTTP_MAX_REQUEST_LINE bytes (else 414), the header section HTTP_MAX_HEADER_BYTES bytes
 * and HTTP_MAX_HEADERS fields (else 431); lines end in CRLF or LF; obsolete line folding,
 * control characters and malformed lines are 400.  Bodies need Content-Length: a request with
 * Transfer-Encoding is answered 411 (and the connection closed, since its end is unknown).
 * "Expect: 100-continue" is honoured: the body is asked for only once the request is
 * accepted, so a refused upload is never sent.
 *
 * Every wait has a deadline: --client-timeout for an idle keep-alive connection, and again
 * for the head of a request from its first byte, for its body, and for writing an answer.
 * Sockets are non-blocking; send() uses MSG_NOSIGNAL.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent.h"

#define MAX_LEADING_EMPTY_LINES 4
#define MAX_HEAD_OUT ((size_t)1 << 20) /* bound on an answer's head */

/* 1 ready, 0 deadline passed, -ECANCELED the agent stops (watch_stop), negative errno. */
static int wait_io(struct conn *c, short events, int64_t deadline, bool watch_stop)
{
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = events },
		{ .fd = c->agent->stop_fd, .events = POLLIN },
	};

	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(p, watch_stop ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (watch_stop && p[1].revents)
			return -ECANCELED;
		if (p[0].revents)
			return 1; /* readable, writable, or an error that recv/send will report */
	}
}

static bool is_tchar(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Does the comma-separated list "v" hold the token "tok" (case-insensitive)? */
static bool list_has(const char *v, const char *tok)
{
	size_t n = strlen(tok);

	while (*v) {
		size_t len;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		len = strcspn(v, ",");
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(v, tok, n) == 0)
			return true;
		v += strcspn(v, ",");
	}
	return false;
}

const char *http_header(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/* "METHOD SP target SP HTTP/1.x", NUL-terminated, without its line end. */
static int parse_request_line(char *line, struct http_request *req)
{
	char *p = line, *target;

	while (is_tchar((unsigned char)*p))
		p++;
	if (p == line || *p != ' ')
		return 400;
	*p++ = '\0';
	target = p;
	while ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
		p++;
	if (p == target || *p != ' ')
		return 400;
	*p++ = '\0';
	if (strncmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
	    p[7] < '0' || p[7] > '9' || p[8])
		return 400;
	if (p[5] != '1')
		return 505;
	req->method = line;
	req->target = target;
	req->minor = p[7] - '0';
	return 0;
}

/* One header line, NUL-terminated, without its line end. */
static int parse_header_line(char *line, struct http_request *req)
{
	char *p = line, *v, *end;

	if (*p == ' ' || *p == '\t')
		return 400; /* obsolete line folding */
	if (req->n_headers == HTTP_MAX_HEADERS)
		return 431;
	while (is_tchar((unsigned char)*p))
		p++;
	if (p == line || *p != ':')
		return 400;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	v = p;
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 400;
	}
	end = p;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	req->headers[req->n_headers].name = line;
	req->headers[req->n_headers].value = v;
	req->n_headers++;
	return 0;
}

static int parse_content_length(const char *v, size_t *ret)
{
	size_t n = 0;
	const char *p;

	if (!*v || strlen(v) > 18)
		return -EINVAL;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (size_t)(*p - '0');
	}
	*ret = n;
	return 0;
}

/* The head is buf[0, req->head_len): request line at [start, line_end). */
static int parse_head(struct conn *c, struct http_request *req, size_t start, size_t line_end)
{
	bool have_length = false;
	size_t pos, i;
	int r;

	/* a NUL would cut a line in two below */
	if (memchr(c->buf + start, '\0', req->head_len - start))
		return 400;
	/* NUL-terminate every line in place, dropping CR LF */
	for (pos = start; pos < req->head_len; pos++) {
		if (c->buf[pos] == '\n') {
			c->buf[pos] = '\0';
			if (pos > start && c->buf[pos - 1] == '\r')
				c->buf[pos - 1] = '\0';
		}
	}
	r = parse_request_line(c->buf + start, req);
	if (r)
		return r;
	for (pos = line_end; pos < req->head_len;) {
		size_t len = strlen(c->buf + pos);

		if (len == 0)
			break; /* the empty line that ends the head */
		/* a CR left inside a line (not before its LF) fails the character checks */
		r = parse_header_line(c->buf + pos, req);
		if (r)
			return r;
		pos += len + 1;
		if (pos < req->head_len && c->buf[pos] == '\0')
			pos++; /* the LF after a CR */
	}

	req->keep_alive = req->minor >= 1;
	for (i = 0; i < req->n_headers; i++) {
		const char *n = req->headers[i].name, *v = req->headers[i].value;

		if (strcasecmp(n, "Content-Length") == 0) {
			size_t len;

			if (parse_content_length(v, &len) < 0 ||
			    (have_length && len != req->content_length))
				return 400;
			req->content_length = len;
			have_length = true;
		} else if (strcasecmp(n, "Transfer-Encoding") == 0) {
			req->chunked = true;
		} else if (strcasecmp(n, "Connection") == 0) {
			if (list_has(v, "close"))
				req->keep_alive = false;
			else if (req->minor == 0 && list_has(v, "keep-alive"))
				req->keep_alive = true;
		} else if (strcasecmp(n, "Expect") == 0 && req->minor >= 1) {
			if (strcasecmp(v, "100-continue") == 0)
				req->expect_continue = true;
			else
				req->bad_expect = true;
		}
	}
	return 0;
}

int http_read_head(struct conn *c, struct http_request *req)
{
	struct agent *a = c->agent;
	size_t scan = 0, line_start = 0, start = 0, line_end = 0, skipped = 0, lines = 0;
	int64_t deadline = now_ms() + a->cfg.client_timeout_ms;
	bool started = c->len > 0;

	memset(req, 0, sizeof(*req));
	for (;;) {
		ssize_t n;
		int r;

		for (; scan < c->len; scan++) {
			bool empty;

			if (c->buf[scan] != '\n')
				continue;
			empty = scan == line_start ||
				(scan == line_start + 1 && c->buf[line_start] == '\r');
			if (!line_end) {
				if (empty) {
					/* CRLF before the request line: tolerated a few times */
					if (++skipped > MAX_LEADING_EMPTY_LINES)
						return 400;
					line_start = scan + 1;
					continue;
				}
				if (scan - line_start > HTTP_MAX_REQUEST_LINE + 1)
					return 414;
				start = line_start;
				line_end = scan + 1;
			} else {
				if (scan + 1 - line_end > HTTP_MAX_HEADER_BYTES + 2)
					return 431;
				if (empty) {
					req->head_len = scan + 1;
					return parse_head(c, req, start, line_end);
				}
				if (++lines > HTTP_MAX_HEADERS)
					return 431;
			}
			line_start = scan + 1;
		}
		if (!line_end && c->len - line_start > HTTP_MAX_REQUEST_LINE + 1)
			return 414;
		if (line_end && c->len - line_end > HTTP_MAX_HEADER_BYTES + 2)
			return 431;
		if (c->len == sizeof(c->buf))
			return 431; /* cannot happen with the bounds above: defensive */

		r = wait_io(c, POLLIN, deadline, c->len == 0);
		if (r == 0 && c->len > 0)
			return 408;
		if (r <= 0)
			return HTTP_CLOSED;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return HTTP_CLOSED;
		if (!started) {
			/* the head must arrive within --client-timeout of its first byte */
			started = true;
			deadline = now_ms() + a->cfg.client_timeout_ms;
		}
		c->len += (size_t)n;
	}
}

/* The body into dst (NULL: dropped).  0, HTTP_CLOSED, or 408. */
static int read_body(struct conn *c, struct http_request *req, char *dst, int64_t deadline)
{
	size_t want = req->content_length, have = c->len - req->head_len, got;
	char scratch[4096];
	int r = 0;

	got = have < want ? have : want;
	if (dst)
		memcpy(dst, c->buf + req->head_len, got);
	req->body_buffered = got;
	while (got < want) {
		size_t room = dst ? want - got : sizeof(scratch);
		ssize_t n;

		if (room > want - got)
			room = want - got;
		r = wait_io(c, POLLIN, deadline, false);
		if (r <= 0) {
			r = r == 0 ? 408 : HTTP_CLOSED;
			break;
		}
		r = 0;
		n = recv(c->fd, dst ? dst + got : scratch, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			r = HTTP_CLOSED;
			break;
		}
		got += (size_t)n;
	}
	if (!dst)
		explicit_bzero(scratch, sizeof(scratch)); /* bodies carry passwords */
	else if (r == 0)
		dst[want] = '\0';
	return r;
}

int http_stream_body(struct conn *c, struct http_request *req, char *buf, size_t len,
		     int64_t deadline, size_t *got)
{
	size_t want = req->content_length - req->body_read, have = c->len - req->head_len;
	ssize_t n;
	int r;

	*got = 0;
	if (have > req->content_length)
		have = req->content_length; /* the rest is the next request's */
	req->body_buffered = have;
	if (len > want)
		len = want;
	if (len == 0)
		return 0;
	if (req->body_read < have) {
		size_t k = have - req->body_read < len ? have - req->body_read : len;

		memcpy(buf, c->buf + req->head_len + req->body_read, k);
		req->body_read += k;
		*got = k;
		return 0;
	}
	for (;;) {
		r = wait_io(c, POLLIN, deadline, false);
		if (r <= 0)
			return r == 0 ? 408 : HTTP_CLOSED;
		n = recv(c->fd, buf, len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return HTTP_CLOSED;
		req->body_read += (size_t)n;
		*got = (size_t)n;
		return 0;
	}
}

int http_read_body(struct conn *c, struct http_request *req, int64_t deadline)
{
	int r;

	req->body = malloc(req->content_length + 1);
	if (!req->body)
		return -ENOMEM;
	r = read_body(c, req, req->body, deadline);
	if (r)
		http_body_free(req);
	return r;
}

int http_discard_body(struct conn *c, struct http_request *req, int64_t deadline)
{
	return read_body(c, req, NULL, deadline);
}

void http_body_free(struct http_request *req)
{
	if (!req->body)
		return;
	/* all of it: a body that did not arrive in full is wiped as far as it came */
	explicit_bzero(req->body, req->content_length + 1);
	free(req->body);
	req->body = NULL;
}

void http_request_done(struct conn *c, struct http_request *req)
{
	size_t used = req->head_len + req->body_buffered, old_len = c->len;

	if (used > c->len)
		used = c->len;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	/* what was moved or consumed (headers, body bytes) does not stay behind */
	explicit_bzero(c->buf + c->len, old_len - c->len);
	http_body_free(req);
}

void http_conn_wipe(struct conn *c)
{
	explicit_bzero(c->buf, c->len);
	c->len = 0;
}

const char *http_reason(int status)
{
	static const struct {
		int status;
		const char *reason;
	} reasons[] = {
		{ 100, "Continue" },
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 204, "No Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 408, "Request Timeout" },
		{ 409, "Conflict" },
		{ 411, "Length Required" },
		{ 412, "Precondition Failed" },
		{ 413, "Content Too Large" },
		{ 414, "URI Too Long" },
		{ 417, "Expectation Failed" },
		{ 428, "Precondition Required" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

static int send_all(struct conn *c, struct iovec *iov, int iovcnt)
{
	int64_t deadline = now_ms() + c->agent->cfg.client_timeout_ms;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };

	while (msg.msg_iovlen > 0) {
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (wait_io(c, POLLOUT, deadline, false) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0)
			return -errno;
		while (n > 0 && msg.msg_iovlen > 0) {
			size_t take = (size_t)n < msg.msg_iov->iov_len ? (size_t)n
								     : msg.msg_iov->iov_len;

			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + take;
			msg.msg_iov->iov_len -= take;
			n -= (ssize_t)take;
			if (msg.msg_iov->iov_len == 0) {
				msg.msg_iov++;
				msg.msg_iovlen--;
			}
		}
	}
	return 0;
}

int http_send_continue(struct conn *c)
{
	static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct iovec iov = { .iov_base = (void *)line, .iov_len = sizeof(line) - 1 };

	return send_all(c, &iov, 1);
}

int http_send(struct conn *c, int status, const char *reason, const char *head_extra,
	      const char *body, long long content_length, bool send_body)
{
	struct obuf head = { .max = MAX_HEAD_OUT };
	struct iovec iov[2];
	int r;

	if (c->agent->stopping)
		c->close = true;
	obuf_printf(&head, "HTTP/1.1 %d %s\r\n", status, reason && *reason ? reason
								    : http_reason(status));
	if (head_extra)
		obuf_add(&head, head_extra, strlen(head_extra));
	if (content_length >= 0)
		obuf_printf(&head, "Content-Length: %lld\r\n", content_length);
	if (c->close)
		obuf_printf(&head, "Connection: close\r\n");
	else if (c->http10_keep_alive)
		obuf_printf(&head, "Connection: keep-alive\r\n");
	obuf_add(&head, "\r\n", 2);
	if (head.failed) {
		obuf_free(&head);
		c->close = true;
		return -ENOMEM;
	}
	iov[0].iov_base = head.data;
	iov[0].iov_len = head.len;
	iov[1].iov_base = (void *)body;
	iov[1].iov_len = send_body && body && content_length > 0 ? (size_t)content_length : 0;
	r = send_all(c, iov, iov[1].iov_len ? 2 : 1);
	obuf_free(&head);
	if (r < 0)
		c->close = true;
	return r;
}

int http_send_error(struct conn *c, int status, const char *message_id, const char *extra_head,
		    bool bmc, const char *fmt, ...)
{
	struct json_object *root, *err, *info, *msg;
	struct obuf head = { .max = MAX_HEAD_OUT };
	char text[1024], id[128];
	const char *body;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (bmc)
		COUNT(c->agent, bmc_errors);
	else if (status == 403 || status == 413 || status == 414 || status == 431 ||
		 status == 503)
		COUNT(c->agent, rejected);
	else
		COUNT(c->agent, errors);
	agent_log(ALOG_INFO, "uid %u pid %d: %d %s", (unsigned)c->uid, (int)c->pid, status,
		  text);

	snprintf(id, sizeof(id), "Base.1.8.%s", message_id);
	root = json_object_new_object();
	err = json_object_new_object();
	info = json_object_new_array();
	msg = json_object_new_object();
	json_object_object_add(msg, "MessageId", json_object_new_string(id));
	json_object_object_add(msg, "Message", json_object_new_string(text));
	json_object_object_add(msg, "Severity", json_object_new_string("Critical"));
	json_object_array_add(info, msg);
	json_object_object_add(err, "code", json_object_new_string("Base.1.8.GeneralError"));
	json_object_object_add(err, "message", json_object_new_string(text));
	json_object_object_add(err, "@Message.ExtendedInfo", info);
	json_object_object_add(root, "error", err);
	body = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);

	obuf_printf(&head, "Content-Type: application/json; charset=utf-8\r\n"
			   "OData-Version: 4.0\r\n");
	if (extra_head)
		obuf_add(&head, extra_head, strlen(extra_head));
	r = http_send(c, status, NULL, head.failed ? NULL : head.data, body,
		      body ? (long long)strlen(body) : 0, !c->head);
	obuf_free(&head);
	json_object_put(root);
	return r;
}

void http_linger(int fd, long ms)
{
	int64_t deadline = now_ms() + ms;
	char scratch[16384];

	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	explicit_bzero(scratch, sizeof(scratch)); /* the rest of a refused body */
}

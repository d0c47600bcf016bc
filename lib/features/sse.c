/* SPDX-License-Identifier: MIT */
/*
 * sse.c - a text/event-stream parser, as the WHATWG HTML standard's "Server-sent events"
 * section (9.2.5 Parsing an event stream, 9.2.6 Interpreting an event stream) describes it:
 * lines end with CRLF, LF or CR; a line starting with ':' is a comment; "field: value" (one
 * space after the colon dropped), a line without a colon is a field with an empty value;
 * "event" sets the type, "data" appends its value and an LF, "id" sets the last event ID
 * buffer (unless the value holds a NUL), "retry" the reconnection time (ASCII digits only);
 * other fields are ignored.  A blank line dispatches: the last event ID string takes the
 * buffer's value, and an event is dispatched unless the data buffer is empty.  Whatever is
 * pending when the stream ends is discarded.  A UTF-8 BOM at the start is dropped.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "events-private.h"

void hf_sse_init(struct hf_sse *p, const char *last_id, hf_sse_event_fn fn, void *userdata)
{
	memset(p, 0, sizeof(*p));
	p->retry_ms = -1;
	p->fn = fn;
	p->userdata = userdata;
	if (last_id && strlen(last_id) < sizeof(p->last_id)) {
		strcpy(p->last_id, last_id);
		strcpy(p->id_pending, last_id);
	}
}

void hf_sse_restart(struct hf_sse *p)
{
	hf_buf_reset(&p->line);
	hf_buf_reset(&p->data);
	hf_buf_reset(&p->type);
	strcpy(p->id_pending, p->last_id);
	p->after_cr = false;
	p->started = false;
}

void hf_sse_free(struct hf_sse *p)
{
	hf_buf_free(&p->line);
	hf_buf_free(&p->data);
	hf_buf_free(&p->type);
}

static int dispatch(struct hf_sse *p)
{
	int r = 0;

	memcpy(p->last_id, p->id_pending, sizeof(p->last_id));
	if (p->data.len > 0) {
		p->data.data[--p->data.len] = '\0'; /* the last LF */
		r = p->fn(p->userdata, p->type.len ? p->type.data : "message", p->data.data,
			  p->last_id);
	}
	hf_buf_reset(&p->data);
	hf_buf_reset(&p->type);
	return r;
}

static int field(struct hf_sse *p, const char *name, size_t nlen, const char *value, size_t vlen)
{
	size_t i;

	if (nlen == 5 && memcmp(name, "event", 5) == 0) {
		hf_buf_reset(&p->type);
		return hf_buf_append(&p->type, value, vlen);
	}
	if (nlen == 4 && memcmp(name, "data", 4) == 0) {
		if (p->data.len + vlen + 1 > HF_SSE_DATA_MAX)
			return -EFBIG;
		return hf_buf_append(&p->data, value, vlen) ?: hf_buf_append(&p->data, "\n", 1);
	}
	if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		/* an id too long to send back is not one we can resume from: kept as none */
		if (!memchr(value, '\0', vlen)) {
			if (vlen < sizeof(p->id_pending)) {
				memcpy(p->id_pending, value, vlen);
				p->id_pending[vlen] = '\0';
			} else {
				p->id_pending[0] = '\0';
			}
		}
		return 0;
	}
	if (nlen == 5 && memcmp(name, "retry", 5) == 0 && vlen > 0 && vlen < 10) {
		long ms = 0;

		for (i = 0; i < vlen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return 0;
			ms = ms * 10 + (value[i] - '0');
		}
		p->retry_ms = ms;
	}
	return 0;
}

static int line(struct hf_sse *p)
{
	const char *s = p->line.data ? p->line.data : "";
	size_t n = p->line.len;
	const char *colon;

	if (!p->started) {
		/* the first line: a BOM that begins the stream is dropped (here rather than at
		 * the first byte, as it may come in pieces) */
		p->started = true;
		if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3, n -= 3;
	}
	if (n == 0)
		return dispatch(p);
	if (s[0] == ':')
		return 0;
	colon = memchr(s, ':', n);
	if (!colon)
		return field(p, s, n, "", 0);
	{
		const char *v = colon + 1;
		size_t vlen = n - (size_t)(v - s);

		if (vlen && *v == ' ')
			v++, vlen--;
		return field(p, s, (size_t)(colon - s), v, vlen);
	}
}

int hf_sse_feed(struct hf_sse *p, const char *bytes, size_t len)
{
	size_t i = 0;
	int r;

	while (i < len) {
		size_t start = i;

		if (p->after_cr) {
			p->after_cr = false;
			if (bytes[i] == '\n') {
				i++;
				continue;
			}
		}
		while (i < len && bytes[i] != '\n' && bytes[i] != '\r')
			i++;
		if (p->line.len + (i - start) > HF_SSE_LINE_MAX)
			return -EFBIG;
		r = hf_buf_append(&p->line, bytes + start, i - start);
		if (r < 0)
			return r;
		if (i == len)
			break; /* the line goes on in the next piece */
		p->after_cr = bytes[i] == '\r';
		i++;
		r = line(p);
		hf_buf_reset(&p->line);
		if (r < 0)
			return r;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * util.c - growable buffers, header lists and small string helpers.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hostfish-private.h"

static int buf_reserve(struct hf_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	p[b->len] = '\0'; /* a buffer is a string from its first allocation on */
	b->data = p;
	b->cap = cap;
	return 0;
}

int hf_buf_append(struct hf_buf *b, const void *data, size_t len)
{
	int r = buf_reserve(b, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int hf_buf_appends(struct hf_buf *b, const char *s)
{
	return hf_buf_append(b, s, strlen(s));
}

int hf_buf_vprintf(struct hf_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int hf_buf_printf(struct hf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = hf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void hf_buf_reset(struct hf_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void hf_buf_free(struct hf_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *hf_buf_steal(struct hf_buf *b)
{
	char *p;

	if (!b->data && buf_reserve(b, 0) < 0)
		return NULL;
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int hf_headers_add(struct hf_headers *h, const char *name, size_t name_len, const char *value,
		   size_t value_len)
{
	struct hf_header *v;
	char *n, *val;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;

		v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	n = hf_strndup(name, name_len);
	val = hf_strndup(value, value_len);
	if (!n || !val) {
		free(n);
		free(val);
		return -ENOMEM;
	}
	h->v[h->n].name = n;
	h->v[h->n].value = val;
	h->n++;
	return 0;
}

int hf_headers_set(struct hf_headers *h, const char *name, const char *value)
{
	size_t i, j;

	for (i = 0, j = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) == 0) {
			free(h->v[i].name);
			hf_free_secret(h->v[i].value);
			continue;
		}
		h->v[j++] = h->v[i];
	}
	h->n = j;
	if (!value)
		return 0;
	return hf_headers_add(h, name, strlen(name), value, strlen(value));
}

const char *hf_headers_get(const struct hf_headers *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

void hf_headers_clear(struct hf_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].name);
		hf_free_secret(h->v[i].value);
	}
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

int hf_headers_copy(struct hf_headers *dst, const struct hf_headers *src)
{
	size_t i;
	int r;

	for (i = 0; i < src->n; i++) {
		r = hf_headers_add(dst, src->v[i].name, strlen(src->v[i].name), src->v[i].value,
				   strlen(src->v[i].value));
		if (r < 0)
			return r;
	}
	return 0;
}

static bool is_token_char(unsigned char c)
{
	/* RFC 9110 tchar */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

int hf_headers_add_line(struct hf_headers *h, const char *line)
{
	const char *colon, *v, *end;
	size_t i;

	colon = strchr(line, ':');
	if (!colon || colon == line)
		return -EINVAL;
	for (i = 0; line + i < colon; i++)
		if (!is_token_char((unsigned char)line[i]))
			return -EINVAL;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (i = 0; v + i < end; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EINVAL;
	}
	return hf_headers_add(h, line, (size_t)(colon - line), v, (size_t)(end - v));
}

char *hf_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *hf_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t hf_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	/* back over continuation bytes (10xxxxxx) to the start of the character cut in two */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

char *hf_strndup_bounded(const char *s, size_t n, size_t max)
{
	size_t keep;
	char *r;

	if (n <= max || max < 4)
		return hf_strndup(s, n <= max ? n : max);
	keep = hf_utf8_cut(s, n, max - 3);
	r = malloc(keep + 4);
	if (!r)
		return NULL;
	memcpy(r, s, keep);
	memcpy(r + keep, "...", 4);
	return r;
}

bool hf_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool hf_strcaseeq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcasecmp(a, b) == 0;
}

bool hf_startswith(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

void hf_wipe(void *p, size_t n)
{
	if (!p)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
#endif
}

void hf_free_secret(char *s)
{
	if (!s)
		return;
	hf_wipe(s, strlen(s));
	free(s);
}

bool hf_has_crlf(const char *s, size_t len)
{
	return memchr(s, '\r', len) || memchr(s, '\n', len) || memchr(s, '\0', len);
}

long hf_retry_after_ms(const char *v, long max_ms)
{
	char *end;
	long s;

	if (!v)
		return -1;
	while (*v == ' ')
		v++;
	if (!isdigit((unsigned char)*v))
		return -1;
	s = strtol(v, &end, 10);
	if (*end && *end != ' ')
		return -1;
	if (s > max_ms / 1000)
		return max_ms;
	return s * 1000;
}

int64_t hf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hf_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

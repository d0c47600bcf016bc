/*
 * util.c - small helpers of hostfishd: clock, numbers, secret files, a bounded output buffer.
 * (read_secret_file, parse_long and wipe_free are the CLI's, src/cli/hostfish.c.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* First line of a file, for passwords and passphrases.  Warns when others can read it. */
char *read_secret_file(const char *path)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	size_t len;
	char *s;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		agent_log(ALOG_ERR, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 0044))
		agent_log(ALOG_WARN, "warning: %s is readable by other users", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		agent_log(ALOG_ERR, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	s = strndup(buf, len);
	explicit_bzero(buf, sizeof(buf));
	if (s && !*s) {
		agent_log(ALOG_ERR, "%s is empty", path);
		free(s);
		return NULL;
	}
	return s;
}

void obuf_add(struct obuf *b, const void *p, size_t n)
{
	size_t cap;
	char *d;

	if (b->failed)
		return;
	if (n > b->max || b->len > b->max - n) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void obuf_printf(struct obuf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		b->failed = true;
		return;
	}
	obuf_add(b, line, (size_t)n);
}

void obuf_free(struct obuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

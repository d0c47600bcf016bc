/* SPDX-License-Identifier: MIT */
/*
 * tools.c - helpers shared by the hostfish and hostfishd programs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostfish.h>

#include "tools.h"

int tools_exit_code_of_kind(int kind)
{
	switch (kind) {
	case HF_ERROR_NONE:
		return EXIT_OK;
	case HF_ERROR_USAGE:
		return EXIT_USAGE;
	case HF_ERROR_HTTP_CLIENT:
		return EXIT_HTTP_4XX;
	case HF_ERROR_HTTP_SERVER:
		return EXIT_HTTP_5XX;
	case HF_ERROR_AUTH:
		return EXIT_AUTH;
	case HF_ERROR_TIMEOUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_TRANSPORT;
	}
}

bool tools_parse_long(const char *s, long min, long max, long *ret)
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

int tools_parse_auth(const char *name)
{
	static const struct {
		const char *name;
		int auth;
	} modes[] = {
		{ "session", HF_AUTH_SESSION },
		{ "basic", HF_AUTH_BASIC },
		{ "cert", HF_AUTH_CERT },
		{ "none", HF_AUTH_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(name, modes[i].name) == 0)
			return modes[i].auth;
	return -1;
}

void tools_wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

char *tools_read_secret_file(const char *path, bool *others_can_read, char *err, size_t errlen)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	char *s;
	int fd;

	if (others_can_read)
		*others_can_read = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (others_can_read && fstat(fd, &st) == 0 && (st.st_mode & 0044))
		*others_can_read = true;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	s = strndup(buf, strcspn(buf, "\r\n"));
	explicit_bzero(buf, sizeof(buf));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!*s) {
		snprintf(err, errlen, "%s is empty", path);
		free(s);
		return NULL;
	}
	return s;
}

int tools_open_log_file(const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a reader; O_NOFOLLOW: no symlink */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
				    O_NOCTTY,
		      0600);
	struct stat st;

	if (fd < 0) {
		/* ELOOP: O_NOFOLLOW met a link; ENXIO: a FIFO without a reader (O_NONBLOCK) or a
		 * device that is not there */
		snprintf(err, errlen, "cannot open the log file %s: %s", path,
			 errno == ELOOP	  ? "it is a symbolic link"
			 : errno == ENXIO ? "it is not a regular file"
					  : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot examine the log file %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the log file %s is not a regular file", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the log file %s belongs to uid %u, not to this user", path,
			 (unsigned)st.st_uid);
	} else if ((st.st_mode & 0077) && fchmod(fd, 0600) < 0) {
		/* an existing file keeps its mode: tighten it, the log holds request details */
		snprintf(err, errlen, "cannot make %s private: %s", path, strerror(errno));
	} else if (fcntl(fd, F_SETFL, O_APPEND) < 0) { /* blocking writes from now on */
		snprintf(err, errlen, "cannot set up the log file %s: %s", path, strerror(errno));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

static bool is_c1(const unsigned char *p, size_t left)
{
	return left >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
}

typedef void emit_fn(void *ctx, const void *buf, size_t n);

/*
 * p..end with control characters as \xHH, given to emit in runs: C0 (but tab, and newline
 * when keep_newlines), DEL, C1 in UTF-8 (C2 80..C2 9F), and a byte 0x80..0x9F that continues
 * no UTF-8 character (a C1 control to a terminal in an 8-bit mode).  *need carries the
 * continuation bytes still expected from one call to the next.
 */
static void escape_controls(const unsigned char *p, const unsigned char *end, bool keep_newlines,
			    int *need, emit_fn *emit, void *ctx)
{
	const unsigned char *run = p;
	char esc[16];

	while (p < end) {
		bool c1 = is_c1(p, (size_t)(end - p)), bad;

		if ((*p & 0xc0) == 0x80 && *need > 0) {
			(*need)--;
			p++;
			continue;
		}
		if ((*p & 0xc0) == 0x80)
			bad = *p <= 0x9f;
		else {
			*need = *p >= 0xf0 && *p <= 0xf4 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc2 ? 1 : 0;
			bad = c1 || *p == 0x7f ||
			      (*p < 0x20 && *p != '\t' && !(*p == '\n' && keep_newlines));
		}
		if (!bad) {
			p++;
			continue;
		}
		emit(ctx, run, (size_t)(p - run));
		if (c1)
			emit(ctx, esc, (size_t)snprintf(esc, sizeof(esc), "\\xc2\\x%02x", p[1]));
		else
			emit(ctx, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p));
		*need = 0;
		p += c1 ? 2 : 1;
		run = p;
	}
	emit(ctx, run, (size_t)(p - run));
}

static void emit_file(void *ctx, const void *buf, size_t n)
{
	fwrite(buf, 1, n, ctx);
}

void tools_fput_safe(FILE *f, const char *s, size_t n, bool keep_newlines)
{
	int need = 0;

	escape_controls((const unsigned char *)s, (const unsigned char *)s + n, keep_newlines,
			&need, emit_file, f);
}

void tools_fputs_safe(FILE *f, const char *s)
{
	if (s)
		tools_fput_safe(f, s, strlen(s), false);
}

void tools_fput_json(FILE *f, const char *json)
{
	const unsigned char *p = (const unsigned char *)json, *run = p;

	while (*p) {
		bool c1 = is_c1(p, p[1] ? 2 : 1);

		if (!c1 && *p != 0x7f) {
			p++;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), f);
		/* inside a JSON string (structure is ASCII): the same character, escaped */
		fprintf(f, "\\u%04x", c1 ? p[1] : *p);
		p += c1 ? 2 : 1;
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), f);
}

struct safe_stream {
	int fd;
	bool held_c2; /* the last write ended in C2: a C1 control if the next starts 80..9F */
	int need; /* UTF-8 continuation bytes expected next */
	bool in_use;
};

static void write_all(void *ctx, const void *buf, size_t n)
{
	int fd = *(int *)ctx;
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to report it: this is the error stream */
		p += w;
		n -= (size_t)w;
	}
}

static ssize_t safe_write(void *cookie, const char *buf, size_t n)
{
	struct safe_stream *st = cookie;
	const unsigned char *p = (const unsigned char *)buf, *end = p + n;

	if (n == 0)
		return 0;
	if (st->held_c2) {
		const unsigned char pair[2] = { 0xc2, *p };

		st->held_c2 = false;
		if (is_c1(pair, 2)) {
			escape_controls(pair, pair + 2, true, &st->need, write_all, &st->fd);
			p++;
		} else {
			write_all(&st->fd, pair, 1);
			st->need = 1;
		}
	}
	if (p < end && end[-1] == 0xc2) {
		st->held_c2 = true;
		end--;
	}
	escape_controls(p, end, true, &st->need, write_all, &st->fd);
	return (ssize_t)n;
}

static int safe_close(void *cookie)
{
	struct safe_stream *st = cookie;

	if (st->held_c2)
		write_all(&st->fd, "\xc2", 1);
	st->in_use = false;
	return 0;
}

FILE *tools_safe_stream(int fd)
{
	static const cookie_io_functions_t io = { .write = safe_write, .close = safe_close };
	/* static: the streams live as long as the program (stdout, stderr), never freed */
	static struct safe_stream streams[4];
	struct safe_stream *st = NULL;
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(streams) / sizeof(streams[0]) && !st; i++)
		if (!streams[i].in_use)
			st = &streams[i];
	if (!st)
		return NULL;
	memset(st, 0, sizeof(*st));
	st->in_use = true;
	st->fd = fd;
	f = fopencookie(st, "w", io);
	if (!f) {
		st->in_use = false;
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

/* SPDX-License-Identifier: MIT */
/*
 * log.c - hostfishd's log: stderr (the journal under systemd) and an optional log file,
 * reopened on SIGHUP for log rotation.
 *
 * Threads write whole lines with one write() each (O_APPEND), so lines never interleave.
 * The reopen replaces the file behind the same descriptor number with dup2(), which is
 * atomic: a thread logging at that moment writes to the old file or to the new one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

static int log_fd = -1;
static const char *log_path;
static int stderr_level = ALOG_NOTICE;
static int file_level = ALOG_INFO;

void agent_log_init(int verbose)
{
	stderr_level = ALOG_NOTICE + verbose;
	if (stderr_level > ALOG_DEBUG)
		stderr_level = ALOG_DEBUG;
	file_level = stderr_level > ALOG_INFO ? stderr_level : ALOG_INFO;
}

static int open_file(const char *path)
{
	char err[512];
	int fd = tools_open_log_file(path, err, sizeof(err));

	if (fd < 0)
		agent_log(ALOG_ERR, "%s", err);
	return fd;
}

int agent_log_open(const char *path)
{
	int fd = open_file(path);

	if (fd < 0)
		return -1;
	log_path = path;
	log_fd = fd;
	return 0;
}

int agent_log_reopen(void)
{
	int fd;

	if (log_fd < 0)
		return 0;
	fd = open_file(log_path);
	if (fd < 0)
		return -1; /* keep writing to the old file */
	if (dup2(fd, log_fd) < 0) {
		agent_log(ALOG_ERR, "cannot switch to the reopened log file: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void agent_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

/* One writev() per line: whole lines, also for the library's long debug dumps. */
static void emit(int level, const char *text)
{
	struct iovec iov[3];

	iov[1].iov_base = (void *)text;
	iov[1].iov_len = strlen(text);
	iov[2].iov_base = (void *)"\n";
	iov[2].iov_len = 1;
	if (level <= stderr_level) {
		iov[0].iov_base = (void *)"hostfishd: ";
		iov[0].iov_len = strlen("hostfishd: ");
		(void)!writev(STDERR_FILENO, iov, 3);
	}
	if (log_fd >= 0 && level <= file_level) {
		char stamp[64], date[40];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", gmtime_r(&ts.tv_sec, &tm));
		snprintf(stamp, sizeof(stamp), "%s.%03ldZ ", date, ts.tv_nsec / 1000000);
		iov[0].iov_base = stamp;
		iov[0].iov_len = strlen(stamp);
		(void)!writev(log_fd, iov, 3);
	}
}

void agent_log(int level, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	char *p;

	if (level > stderr_level && (log_fd < 0 || level > file_level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* one line: messages echo what clients sent */
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	emit(level, text);
}

void agent_log_library(void *userdata, int level, const char *message)
{
	static const int map[] = { ALOG_ERR, ALOG_WARN, ALOG_INFO, ALOG_DEBUG };

	(void)userdata;
	if (level < 0 || level > HF_LOG_DEBUG)
		level = HF_LOG_DEBUG;
	/* already one line and masked (hostfish.h) */
	if (map[level] <= stderr_level || (log_fd >= 0 && map[level] <= file_level))
		emit(map[level], message);
}

int agent_log_library_level(void)
{
	int lvl = log_fd >= 0 && file_level > stderr_level ? file_level : stderr_level;

	return lvl >= ALOG_DEBUG ? HF_LOG_DEBUG : lvl >= ALOG_INFO ? HF_LOG_INFO : HF_LOG_WARNING;
}

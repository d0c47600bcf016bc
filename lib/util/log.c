/* SPDX-License-Identifier: MIT */
/*
 * log.c - the library's only output: the caller's log callback.
 *
 * The callback is promised one line per call.  Messages echo input (paths, methods, header
 * names), so every control character is neutralised here, in one place.
 */
#include "config.h"

#include <stdio.h>

#include "hostfish-private.h"

bool hf_log_enabled(const struct hf_logger *lg, int level)
{
	return lg && lg->fn && level <= lg->level;
}

void hf_one_line(char *text)
{
	for (; text && *text; text++) {
		unsigned char *p = (unsigned char *)text;

		if (*p < 0x20 || *p == 0x7f)
			*p = *p == '\t' ? ' ' : '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?'; /* a C1 control in UTF-8 (U+0080..U+009F) */
	}
}

void hf_log_text(const struct hf_logger *lg, int level, char *text)
{
	if (!hf_log_enabled(lg, level) || !text)
		return;
	hf_one_line(text);
	lg->fn(lg->userdata, level, text);
}

void hf_log(const struct hf_logger *lg, int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!hf_log_enabled(lg, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hf_log_text(lg, level, line);
}

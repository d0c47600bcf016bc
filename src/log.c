/*
 * log.c - the library's only output: the caller's log callback.
 */
#include "config.h"

#include <stdio.h>

#include "hostfish-private.h"

bool hf_log_enabled(const struct hf_logger *lg, int level)
{
	return lg && lg->fn && level <= lg->level;
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
	lg->fn(lg->userdata, level, line);
}

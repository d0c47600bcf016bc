/* SPDX-License-Identifier: MIT */
/*
 * progress.c - one progress line on stderr while a long operation runs: percent, rate and
 * time left when the total is known, a count otherwise.  Shown only on a terminal and
 * without --no-progress; redrawn at most ten times a second, cleared when done.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_progress {
	const char *label;
	const char *unit; /* "B" for bytes (scaled), else a noun printed after the count */
	double start, last_draw;
	bool drawn;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool cli_progress_wanted(const struct cli *cli)
{
	return !cli->no_progress && isatty(STDERR_FILENO);
}

struct cli_progress *cli_progress_new(const struct cli *cli, const char *label, const char *unit)
{
	struct cli_progress *p;

	if (!cli_progress_wanted(cli))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->label = label;
	p->unit = unit;
	p->start = now_s();
	return p;
}

static void format_amount(char *buf, size_t len, const char *unit, double v)
{
	static const char *const scale[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t i = 0;

	if (strcmp(unit, "B") != 0) {
		snprintf(buf, len, "%.0f %s", v, unit);
		return;
	}
	while (v >= 1024.0 && i + 1 < sizeof(scale) / sizeof(scale[0])) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, scale[i]);
}

void cli_progress_update(struct cli_progress *p, double done, double total)
{
	char amount[32], rate[32], line[160];
	double t, elapsed;

	if (!p)
		return;
	t = now_s();
	if (p->drawn && t - p->last_draw < 0.1 && (total <= 0 || done < total))
		return;
	p->last_draw = t;
	p->drawn = true;
	elapsed = t - p->start;
	format_amount(amount, sizeof(amount), p->unit, done);
	if (elapsed > 0.05)
		format_amount(rate, sizeof(rate), p->unit, done / elapsed);
	else
		snprintf(rate, sizeof(rate), "-");
	if (total > 0) {
		double pct = done >= total ? 100.0 : 100.0 * done / total;
		double left = done > 0 && elapsed > 0.05 ? (total - done) * elapsed / done : -1;

		if (left >= 0)
			snprintf(line, sizeof(line), "%s %5.1f%%  %s  %s/s  ETA %ld:%02ld", p->label,
				 pct, amount, rate, (long)left / 60, (long)left % 60);
		else
			snprintf(line, sizeof(line), "%s %5.1f%%  %s", p->label, pct, amount);
	} else {
		snprintf(line, sizeof(line), "%s %s  %s/s", p->label, amount, rate);
	}
	/* \r and erase-to-end-of-line: one line, redrawn in place; the line itself (its label
	 * may come from the BMC) through the escaping stderr */
	fputc('\r', cli_raw_stderr);
	fflush(cli_raw_stderr);
	fputs(line, stderr);
	fflush(stderr);
	fputs("\033[K", cli_raw_stderr);
	fflush(cli_raw_stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p)
		return;
	if (p->drawn) {
		fputs("\r\033[K", cli_raw_stderr);
		fflush(cli_raw_stderr);
	}
	free(p);
}

int cli_progress_cb(void *userdata, const char *phase, double done, double total)
{
	(void)phase;
	cli_progress_update(userdata, done, total);
	return cli_interrupted() ? 1 : 0;
}

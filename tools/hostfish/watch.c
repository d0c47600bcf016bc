/* SPDX-License-Identifier: MIT */
/*
 * watch.c - "hostfish inventory", "hostfish sensors" and "hostfish metrics [--textfile DIR]":
 * hf_inventory(), hf_sensors() and hf_metrics() printed.  Every string from the BMC goes
 * through tools_fputs_safe().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static size_t jlen(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

/* "Label:      " then the BMC's value, escaped; "-" when absent */
static void row(const char *label, const char *value)
{
	printf("%-13s ", label);
	tools_fputs_safe(stdout, value ? value : "-");
	putchar('\n');
}

/* o[key] right-aligned in width, then a blank; "-" when absent */
static void number(struct json_object *o, const char *key, int width)
{
	struct json_object *v = jget(o, key);

	if (v &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		printf("%*g ", width, json_object_get_double(v));
	else
		printf("%*s ", width, "-");
}

/* A count and the health of the members that are not OK ("2, 1 Warning"). */
static void count_row(const char *label, struct json_object *arr, const char *noun,
		      const char *nouns)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0, bad = 0;

	for (i = 0; i < n; i++) {
		const char *h = jstr(json_object_array_get_idx(arr, i), "health");

		if (h && strcmp(h, "OK") != 0)
			bad++;
	}
	if (!arr) {
		row(label, NULL);
		return;
	}
	printf("%-13s %zu %s", label, n, n == 1 ? noun : nouns);
	if (bad)
		printf(", %zu not OK", bad);
	putchar('\n');
}

static void print_inventory(struct json_object *doc)
{
	struct json_object *s = jget(doc, "system"), *b = jget(doc, "bmc");
	struct json_object *procs = jget(doc, "processors"), *st = jget(doc, "storage");
	struct json_object *mem = jget(doc, "memory");
	const char *health = jstr(s, "health"), *rollup = jstr(s, "health_rollup");
	size_t i, n = jlen(doc, "memory");
	long long mib = 0;

	row("System:", jstr(s, "model"));
	row("Manufacturer:", jstr(s, "manufacturer"));
	row("Serial:", jstr(s, "serial"));
	row("SKU:", jstr(s, "sku"));
	row("UUID:", jstr(s, "uuid"));
	row("BIOS:", jstr(s, "bios_version"));
	row("Power:", jstr(s, "power_state"));
	printf("%-13s ", "Health:");
	tools_fputs_safe(stdout, health ? health : "-");
	if (rollup) {
		fputs(" (rollup ", stdout);
		tools_fputs_safe(stdout, rollup);
		putchar(')');
	}
	putchar('\n');
	printf("%-13s ", "BMC:");
	tools_fputs_safe(stdout, jstr(b, "model") ? jstr(b, "model") : "-");
	fputs(", firmware ", stdout);
	tools_fputs_safe(stdout, jstr(b, "firmware") ? jstr(b, "firmware") : "-");
	fputs(", health ", stdout);
	tools_fputs_safe(stdout, jstr(b, "health") ? jstr(b, "health") : "-");
	putchar('\n');
	count_row("Processors:", procs, "processor", "processors");
	if (jlen(doc, "processors")) {
		printf("%-13s ", "");
		tools_fputs_safe(stdout, jstr(json_object_array_get_idx(procs, 0), "model") ?: "-");
		putchar('\n');
	}
	for (i = 0; i < n; i++) {
		struct json_object *v = jget(json_object_array_get_idx(mem, i), "capacity_mib");

		if (v)
			mib += json_object_get_int64(v);
	}
	count_row("Memory:", mem, "module", "modules");
	if (mib)
		printf("%-13s %lld GiB\n", "", mib / 1024);
	count_row("Controllers:", jget(st, "controllers"), "storage controller",
		  "storage controllers");
	count_row("Drives:", jget(st, "drives"), "drive", "drives");
	count_row("Network:", jget(doc, "network_adapters"), "adapter", "adapters");
	count_row("PSUs:", jget(doc, "power_supplies"), "power supply", "power supplies");
	count_row("Fans:", jget(doc, "fans"), "fan", "fans");
	count_row("Temperatures:", jget(doc, "temperatures"), "sensor", "sensors");
	count_row("Firmware:", jget(doc, "firmware"), "entry", "entries");
}

/* a BMC string, escaped, then blanks up to width */
static void padded(const char *s, int width)
{
	int len = s ? (int)strlen(s) : 1;

	tools_fputs_safe(stdout, s ? s : "-");
	printf("%*s", len < width ? width - len : 1, "");
}

static void name_cell(struct json_object *e, int width)
{
	padded(jstr(e, "name") ? jstr(e, "name") : jstr(e, "id"), width);
}

static void health_cell(struct json_object *e)
{
	const char *state = jstr(e, "state"), *health = jstr(e, "health");

	tools_fputs_safe(stdout, state && strcmp(state, "Enabled") != 0 ? state
				 : health			    ? health
								    : "-");
	putchar('\n');
}

static void print_sensors(struct json_object *doc)
{
	struct json_object *a;
	size_t i, n;

	a = jget(doc, "temperatures");
	n = jlen(doc, "temperatures");
	if (n)
		printf("%-28s %8s %8s %8s %8s  %s\n", "TEMPERATURE", "CELSIUS", "CAUTION",
		       "CRITICAL", "FATAL", "HEALTH");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		name_cell(e, 29);
		number(e, "reading_celsius", 8);
		number(e, "upper_caution_celsius", 8);
		number(e, "upper_critical_celsius", 8);
		number(e, "upper_fatal_celsius", 8);
		fputs(" ", stdout);
		health_cell(e);
	}
	a = jget(doc, "fans");
	n = jlen(doc, "fans");
	if (n)
		printf("%s%-28s %8s %-8s  %s\n", jlen(doc, "temperatures") ? "\n" : "", "FAN",
		       "READING", "UNITS", "HEALTH");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		name_cell(e, 29);
		number(e, "reading", 8);
		padded(jstr(e, "units"), 10);
		health_cell(e);
	}
	a = jget(doc, "power_supplies");
	n = jlen(doc, "power_supplies");
	if (n)
		printf("\n%-33s %8s %8s  %s\n", "POWER SUPPLY", "OUTPUT W", "CAPACITY", "HEALTH");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		padded(jstr(e, "id"), 5);
		name_cell(e, 24);
		number(e, "output_watts", 8);
		number(e, "capacity_watts", 8);
		fputs(" ", stdout);
		health_cell(e);
	}
	a = jget(doc, "power");
	n = jlen(doc, "power");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		fputs(i == 0 ? "\nPower consumed (chassis " : "Power consumed (chassis ", stdout);
		tools_fputs_safe(stdout, jstr(e, "chassis") ? jstr(e, "chassis") : "-");
		fputs("): ", stdout);
		if (jget(e, "consumed_watts"))
			printf("%g W\n", json_object_get_double(jget(e, "consumed_watts")));
		else
			puts("-");
	}
}

static void report_errors(struct json_object *doc)
{
	struct json_object *errors = jget(doc, "errors");
	size_t i, n = jlen(doc, "errors");

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(errors, i);

		cli_error("warning: %s: HTTP %d (left out)", jstr(e, "path") ?: "?",
			  json_object_get_int(jget(e, "status")));
	}
}

int cmd_inventory(struct cli *cli, int argc, char **argv)
{
	struct json_object *doc = NULL;
	int r;

	(void)argv;
	if (argc != 0) {
		cli_error("usage: hostfish inventory (with --json: the whole document)");
		return EXIT_USAGE;
	}
	r = hf_inventory(cli->client, 0, &doc);
	if (r < 0)
		return cli_report_error(cli, r, "inventory");
	if (cli->json)
		cli_print_json(doc);
	else
		print_inventory(doc);
	report_errors(doc);
	json_object_put(doc);
	return EXIT_OK;
}

int cmd_sensors(struct cli *cli, int argc, char **argv)
{
	struct json_object *doc = NULL;
	int r;

	(void)argv;
	if (argc != 0) {
		cli_error("usage: hostfish sensors");
		return EXIT_USAGE;
	}
	r = hf_sensors(cli->client, 0, &doc);
	if (r < 0)
		return cli_report_error(cli, r, "sensors");
	if (cli->json)
		cli_print_json(doc);
	else
		print_sensors(doc);
	report_errors(doc);
	json_object_put(doc);
	return EXIT_OK;
}

/*
 * DIR/hostfish.prom, replaced atomically: a temporary file in DIR whose name does not end in
 * .prom (node_exporter's textfile collector reads only *.prom, so never a half-written file),
 * written, flushed to disk and renamed over the old one.  Mode 0644: node_exporter runs as
 * its own unprivileged user and must read it, and the file holds only what node_exporter
 * then serves to whoever scrapes it (models, serial numbers, versions, readings), never a
 * credential.  The rename replaces a symbolic link named hostfish.prom rather than following
 * it, and the temporary file is created with O_EXCL | O_NOFOLLOW.
 */
static int write_textfile(const char *dir, const char *text)
{
	char tmp[4096], path[4096];
	size_t len = strlen(text), off = 0;
	int fd, e;

	if ((size_t)snprintf(path, sizeof(path), "%s/hostfish.prom", dir) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.hostfish.prom.%ld.tmp", dir,
			     (long)getpid()) >= sizeof(tmp)) {
		cli_error("metrics: the directory name is too long");
		return EXIT_USAGE;
	}
	unlink(tmp); /* left by a killed run of the same pid: ours */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error("metrics: cannot create a file in %s: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	if (fchmod(fd, 0644) < 0) /* whatever the umask */
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return EXIT_OK;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	cli_error("metrics: cannot write %s: %s", path, strerror(e));
	return EXIT_USAGE;
}

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	const char *dir = NULL;
	char *text = NULL;
	int r, rc;

	if (argc == 2 && strcmp(argv[0], "--textfile") == 0)
		dir = argv[1];
	else if (argc == 1 && strncmp(argv[0], "--textfile=", 11) == 0)
		dir = argv[0] + 11;
	else if (argc != 0) {
		cli_error("usage: hostfish metrics [--textfile DIR]");
		return EXIT_USAGE;
	}
	if (dir && !*dir) {
		cli_error("usage: hostfish metrics [--textfile DIR]");
		return EXIT_USAGE;
	}
	r = hf_metrics(cli->client, 0, &text);
	if (r < 0)
		return cli_report_error(cli, r, "metrics");
	/* the BMC could not be read: the metrics say hostfish_bmc_up 0, and the exit code why */
	rc = r > 0 ? cli_report_error(cli, -EIO, "metrics") : EXIT_OK;
	if (dir) {
		int w = write_textfile(dir, text);

		if (w != EXIT_OK)
			rc = w;
	} else {
		fputs(text, stdout);
	}
	free(text);
	return rc;
}

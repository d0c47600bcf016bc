/* SPDX-License-Identifier: MIT */
/*
 * bmc-options.c - the table of the options that say how to reach the BMC, shared by hostfish
 * and hostfishd (bmc-options.h).  An option is one row: its name and argument, the programs
 * that have it, what kind of value it takes and where in struct tools_bmc that goes, its
 * bounds, and its help.  Adding a field to hf_options that users set is adding a row.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc-options.h"
#include "tools.h"

enum kind {
	K_STRING, /* const char *, borrowed from argv */
	K_LINE, /* the same, without control characters (it ends up in a URL or a header) */
	K_FLAG, /* int set to 1 */
	K_SECRET, /* a file's first line, owned in secret_offset, lent to the hf_options field */
	K_AUTH, /* an --auth name as enum hf_auth, an int */
	K_INT, /* a number within [min, max], an int */
	K_MS, /* a number within [min, max] times scale, a long in milliseconds */
};

#define BOTH (TOOLS_HOSTFISH | TOOLS_HOSTFISHD)
#define AT(field) offsetof(struct tools_bmc, opts.field)

static const struct bmc_option {
	const char *name;
	const char *arg; /* NULL: a flag */
	unsigned int programs; /* enum tools_program mask */
	enum kind kind;
	size_t offset; /* of the field in struct tools_bmc */
	size_t secret_offset; /* K_SECRET: of the owned copy */
	long min, max, scale; /* K_INT, K_MS */
	bool nonzero; /* K_MS: 0 is not a value (the library reads it as "default") */
	const char *expected; /* the error: "--NAME: expected ..." */
	const char *help; /* lines after the first are indented to the first's column */
	const char *help_hostfishd; /* hostfishd's, when it differs */
} table[] = {
	{ "url", "URL", BOTH, K_LINE, AT(url), 0, 0, 0, 0, false, NULL,
	  "BMC address, https://host[:port] (default: $HOSTFISH_URL;\n"
	  "without one, an in-band transport is used)",
	  NULL },
	/* the agent always talks to the BMC itself: "agent" is not one of its transports */
	{ "transport", "NAME", BOTH, K_LINE, AT(transport), 0, 0, 0, 0, false, NULL,
	  "auto, agent, https, hostif or chif (default auto)",
	  "auto, https, hostif or chif (default auto)" },
	{ "smbios", "FILE", TOOLS_HOSTFISH, K_STRING, AT(smbios_file), 0, 0, 0, 0, false, NULL,
	  "read SMBIOS from a 'dmidecode --dump-bin' FILE (hostif,\n"
	  "discover)",
	  NULL },
	{ "chif-library", "FILE", TOOLS_HOSTFISH, K_STRING, AT(chif_library), 0, 0, 0, 0, false,
	  NULL,
	  "HPE's CHIF library for --transport chif (default:\n"
	  "$HOSTFISH_CHIF_LIBRARY, else where iLOrest installs it)",
	  NULL },
	{ "user", "NAME", BOTH, K_LINE, AT(username), 0, 0, 0, 0, false, NULL,
	  "user name; the password comes from $HOSTFISH_PASSWORD or\n"
	  "--password-file, never from the command line",
	  NULL },
	{ "password-file", "FILE", BOTH, K_SECRET, AT(password),
	  offsetof(struct tools_bmc, password), 0, 0, 0, false, NULL,
	  "read the password from the first line of FILE", NULL },
	{ "auth", "MODE", BOTH, K_AUTH, AT(auth), 0, 0, 0, 0, false,
	  "session, basic, cert or none",
	  "session (default with --user), basic, cert or none", NULL },
	{ "cert", "FILE", BOTH, K_STRING, AT(client_cert), 0, 0, 0, 0, false, NULL,
	  "client certificate (PEM) for --auth cert", NULL },
	{ "key", "FILE", BOTH, K_STRING, AT(client_key), 0, 0, 0, 0, false, NULL,
	  "its private key (PEM)", NULL },
	{ "key-passphrase-file", "FILE", BOTH, K_SECRET, AT(client_key_passphrase),
	  offsetof(struct tools_bmc, key_passphrase), 0, 0, 0, false, NULL,
	  "the key's passphrase", NULL },
	{ "cacert", "FILE", BOTH, K_STRING, AT(ca_file), 0, 0, 0, 0, false, NULL,
	  "trust the CA certificates in FILE for the BMC", NULL },
	{ "insecure", NULL, BOTH, K_FLAG, AT(insecure), 0, 0, 0, 0, false, NULL,
	  "do not verify the BMC's certificate (logged)", NULL },
	{ "proxy", "URL", BOTH, K_LINE, AT(proxy), 0, 0, 0, 0, false, NULL,
	  "HTTP or SOCKS5 proxy (http://, socks5://, socks5h://)", NULL },
	{ "timeout", "SEC", BOTH, K_MS, AT(timeout_ms), 0, 1, 86400, 1000, true,
	  "seconds between 1 and 86400",
	  "bound on each request (default 30)",
	  "bound on each BMC request, on waiting for a connection, and\n"
	  "on finishing requests at stop (default 30)" },
	{ "connect-timeout", "SEC", BOTH, K_MS, AT(connect_timeout_ms), 0, 1, 3600, 1000, true,
	  "seconds between 1 and 3600",
	  "bound on connecting (default 10)", NULL },
	{ "retries", "N", BOTH, K_INT, AT(retries), 0, 0, 10, 1, false,
	  "a number between 0 and 10",
	  "retries of idempotent requests (default 2)", NULL },
	{ "slot-wait", "SEC", TOOLS_HOSTFISH, K_MS, AT(slot_wait_ms), 0, 1, 3600, 1000, true,
	  "seconds between 1 and 3600",
	  "wait this long for one of the host's 8 connections to the\n"
	  "BMC when all are in use (default 60)",
	  NULL },
	/* the agent's default of 6 is its own (main.c); the library's is 8 */
	{ "max-connections", "N", TOOLS_HOSTFISHD, K_INT, AT(max_connections), 0, 1, 8, 1,
	  false, "1 to 8",
	  "concurrent BMC connections, 1..8 (default 6: two of the\n"
	  "host's eight stay free for direct users)",
	  NULL },
	{ "idle-timeout", "MS", TOOLS_HOSTFISHD, K_MS, AT(idle_timeout_ms), 0, -1, 3600000, 1,
	  true, "milliseconds between 1 and 3600000, or -1",
	  "a BMC connection unused this long is closed and its slot\n"
	  "given back (default 2000; -1: kept open)",
	  NULL },
};

_Static_assert(sizeof(table) / sizeof(table[0]) == TOOLS_BMC_N_OPTIONS,
	       "TOOLS_BMC_N_OPTIONS is the number of rows of the table");

#define N_TABLE (sizeof(table) / sizeof(table[0]))

void tools_bmc_init(struct tools_bmc *b)
{
	const hf_options init = HF_OPTIONS_INIT;

	memset(b, 0, sizeof(*b));
	b->opts = init;
}

void tools_bmc_clear(struct tools_bmc *b)
{
	tools_wipe_free(b->password);
	b->password = NULL;
	b->opts.password = NULL;
	tools_wipe_free(b->key_passphrase);
	b->key_passphrase = NULL;
	b->opts.client_key_passphrase = NULL;
}

int tools_bmc_long_options(unsigned int program, const struct option *own, struct option *out,
			   size_t room)
{
	size_t i, n = 0;

	for (i = 0; i < N_TABLE; i++) {
		if (!(table[i].programs & program))
			continue;
		if (n + 1 >= room)
			return -1;
		out[n++] = (struct option){ table[i].name,
					    table[i].arg ? required_argument : no_argument, NULL,
					    TOOLS_BMC_FIRST + (int)i };
	}
	for (i = 0; own && own[i].name; i++) {
		if (n + 1 >= room)
			return -1;
		out[n++] = own[i];
	}
	out[n] = (struct option){ NULL, 0, NULL, 0 };
	return (int)n;
}

bool tools_bmc_is_option(int c)
{
	return c >= TOOLS_BMC_FIRST && c < TOOLS_BMC_FIRST + (int)N_TABLE;
}

static void reportf(tools_report_fn *report, void *userdata, bool warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reportf(tools_report_fn *report, void *userdata, bool warning, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(userdata, warning, msg);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* K_SECRET: read the file, then replace (and wipe) the copy an earlier option left. */
static int set_secret(struct tools_bmc *b, const struct bmc_option *e, const char *path,
		      tools_report_fn *report, void *userdata)
{
	char **owned = (char **)(void *)((char *)b + e->secret_offset);
	const char **lent = (const char **)(void *)((char *)b + e->offset);
	char err[512];
	bool loose;
	char *s = tools_read_secret_file(path, &loose, err, sizeof(err));

	if (!s) {
		report(userdata, false, err);
		return -1;
	}
	if (loose)
		reportf(report, userdata, true, "warning: %s is readable by other users", path);
	tools_wipe_free(*owned);
	*owned = s;
	*lent = s;
	return 0;
}

int tools_bmc_set(struct tools_bmc *b, int c, const char *arg, tools_report_fn *report,
		  void *userdata)
{
	const struct bmc_option *e;
	void *field;
	long v;
	int auth;

	if (!tools_bmc_is_option(c))
		return -1;
	e = &table[c - TOOLS_BMC_FIRST];
	field = (char *)b + e->offset;
	switch (e->kind) {
	case K_LINE:
		if (has_control(arg)) {
			reportf(report, userdata, false,
				"--%s: control characters (CR, LF...) are not allowed", e->name);
			return -1;
		}
		/* fall through */
	case K_STRING:
		*(const char **)field = arg;
		return 0;
	case K_FLAG:
		*(int *)field = 1;
		return 0;
	case K_SECRET:
		return set_secret(b, e, arg, report, userdata);
	case K_AUTH:
		auth = tools_parse_auth(arg);
		if (auth < 0)
			break;
		*(int *)field = auth;
		return 0;
	case K_INT:
		if (!tools_parse_long(arg, e->min, e->max, &v))
			break;
		*(int *)field = (int)v;
		return 0;
	case K_MS:
		if (!tools_parse_long(arg, e->min, e->max, &v) || (e->nonzero && v == 0))
			break;
		*(long *)field = v * e->scale;
		return 0;
	}
	reportf(report, userdata, false, "--%s: expected %s", e->name, e->expected);
	return -1;
}

int tools_bmc_from_env(struct tools_bmc *b)
{
	char *env;

	if (!b->opts.url) {
		env = secure_getenv("HOSTFISH_URL");
		if (env && *env)
			b->opts.url = env;
	}
	if (b->opts.username && !b->password) {
		env = secure_getenv("HOSTFISH_PASSWORD");
		if (env && *env) {
			b->password = strdup(env);
			if (!b->password)
				return -ENOMEM;
			b->opts.password = b->password;
			explicit_bzero(env, strlen(env));
			unsetenv("HOSTFISH_PASSWORD");
		}
	}
	return 0;
}

/* One option's help: "  --name ARG" padded to column 25, its lines indented to match. */
static void print_help(FILE *f, const struct bmc_option *e, const char *help)
{
	char left[64];
	const char *line = help, *nl;

	snprintf(left, sizeof(left), "--%s%s%s", e->name, e->arg ? " " : "", e->arg ? e->arg : "");
	fprintf(f, "  %-21s  ", left);
	while ((nl = strchr(line, '\n'))) {
		fprintf(f, "%.*s\n%25s", (int)(nl - line), line, "");
		line = nl + 1;
	}
	fprintf(f, "%s\n", line);
}

void tools_bmc_help(FILE *f, unsigned int program, enum tools_bmc_help_set set)
{
	size_t i;

	for (i = 0; i < N_TABLE; i++) {
		const struct bmc_option *e = &table[i];
		bool shared = (e->programs & BOTH) == BOTH;

		if (!(e->programs & program) || (set == TOOLS_BMC_HELP_SHARED && !shared) ||
		    (set == TOOLS_BMC_HELP_OWN && shared))
			continue;
		print_help(f, e, program == TOOLS_HOSTFISHD && e->help_hostfishd ? e->help_hostfishd
										: e->help);
	}
}

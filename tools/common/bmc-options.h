/* SPDX-License-Identifier: MIT */
/*
 * bmc-options.h - the options that say how to reach the BMC (--url, --user, --timeout...),
 * one table shared by hostfish and hostfishd: each option once, with its argument, its help
 * and what it stores into an hf_options.  Each program builds its getopt_long() table and the
 * BMC part of its --help from it, and hands every option it returns to tools_bmc_set().
 *
 *	struct tools_bmc bmc;
 *	struct option longopts[TOOLS_BMC_N_OPTIONS + N_OWN];
 *
 *	tools_bmc_init(&bmc);
 *	tools_bmc_long_options(TOOLS_HOSTFISH, own, longopts, N);
 *	while ((c = getopt_long(argc, argv, "...", longopts, NULL)) != -1)
 *		if (tools_bmc_is_option(c) && tools_bmc_set(&bmc, c, optarg, report, ud) < 0)
 *			... usage error ...
 *	tools_bmc_from_env(&bmc);
 *	hf_client_new(&client, &bmc.opts);	(plus the program's own fields: log_fn...)
 *	tools_bmc_clear(&bmc);
 */
#ifndef HOSTFISH_BMC_OPTIONS_H
#define HOSTFISH_BMC_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <hostfish.h>

/* The programs, as a mask: which of them has an option. */
enum tools_program {
	TOOLS_HOSTFISH = 1u << 0,
	TOOLS_HOSTFISHD = 1u << 1,
};

/* Entries in the table: room a program leaves for them in its getopt_long() table. */
#define TOOLS_BMC_N_OPTIONS 19
/* getopt_long() returns TOOLS_BMC_FIRST + the table index for a BMC option; a program's own
 * option values stay below it. */
#define TOOLS_BMC_FIRST 0x1000

struct tools_bmc {
	/* What the options said, HF_OPTIONS_INIT for the rest: strings are borrowed from argv
	 * (or the environment), except password and client_key_passphrase, which point to the
	 * two owned copies below. */
	hf_options opts;
	char *password; /* --password-file or $HOSTFISH_PASSWORD; owned, wiped */
	char *key_passphrase; /* --key-passphrase-file; owned, wiped */
};

/* How a program shows an option's error, or a warning (a secret file others can read). */
typedef void tools_report_fn(void *userdata, bool warning, const char *message);

/* HF_OPTIONS_INIT, no secrets. */
void tools_bmc_init(struct tools_bmc *b);

/* Wipe and free the secrets; b->opts no longer points to them.  Again is fine. */
void tools_bmc_clear(struct tools_bmc *b);

/*
 * The getopt_long() table of program: its BMC options, then own[] up to its terminating
 * zeroed entry, then that entry, into out[room].  Returns the number of entries before the
 * terminator, or -1 when room is too small (TOOLS_BMC_N_OPTIONS + the own entries will do).
 */
int tools_bmc_long_options(unsigned int program, const struct option *own, struct option *out,
			   size_t room);

/* Whether getopt_long() returned one of the table's options. */
bool tools_bmc_is_option(int c);

/*
 * Store option c (a getopt_long() value, tools_bmc_is_option()) with its argument arg (NULL
 * for a flag) into b.  Values are checked first: numbers within their bounds, --auth a known
 * mode, no control characters (CR, LF...) in --url, --transport, --user or --proxy; a secret
 * file is read and its first line kept (a second --password-file replaces and wipes the
 * first).  Returns 0, or -1 after report() told why (b unchanged).  A warning may be reported
 * on success.
 */
int tools_bmc_set(struct tools_bmc *b, int c, const char *arg, tools_report_fn *report,
		  void *userdata);

/*
 * The environment, for what the options left unset: $HOSTFISH_URL for the URL, and, when a
 * user is given without a password, $HOSTFISH_PASSWORD, copied and then wiped from the
 * environment (it would show in /proc/PID/environ for as long as the process runs).
 * Returns 0, -ENOMEM.
 */
int tools_bmc_from_env(struct tools_bmc *b);

/* Which of program's BMC options tools_bmc_help() prints. */
enum tools_bmc_help_set {
	TOOLS_BMC_HELP_ALL, /* all of them */
	TOOLS_BMC_HELP_SHARED, /* those both programs have */
	TOOLS_BMC_HELP_OWN, /* those only program has */
};

/* The --help lines of program's BMC options, in table order: "  --name ARG" and the text
 * from column 25, as the programs' other option lines. */
void tools_bmc_help(FILE *f, unsigned int program, enum tools_bmc_help_set set);

#endif /* HOSTFISH_BMC_OPTIONS_H */

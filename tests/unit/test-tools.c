/* SPDX-License-Identifier: MIT */
/*
 * test-tools.c - what the programs print of the BMC's text: no control character reaches a
 * terminal (tools_fput_safe, tools_safe_stream, tools_fput_json); the BMC options both
 * programs parse from one table (bmc-options.c): the same hf_options from the same options,
 * bad values refused before anything is stored.
 */
#include "config.h"

#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/common/bmc-options.h"
#include "tools/common/tools.h"

/* what tools_fput_safe writes for n bytes of s */
static char *safe(const char *s, size_t n, bool keep_newlines)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	tools_fput_safe(f, s, n, keep_newlines);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void check_safe(const char *s, bool keep_newlines, const char *expect)
{
	char *out = safe(s, strlen(s), keep_newlines);

	if (strcmp(out, expect) != 0)
		fail_msg("escaped \"%s\", expected \"%s\"", out, expect);
	free(out);
}

static void test_fput_safe(void **state)
{
	check_safe("plain text", false, "plain text");
	check_safe("\x1b[31mred\x1b[0m", false, "\\x1b[31mred\\x1b[0m");
	check_safe("title\x1b]0;owned\x07", false, "title\\x1b]0;owned\\x07");
	check_safe("tab\tkept", false, "tab\tkept");
	check_safe("two\nlines\r", false, "two\\x0alines\\x0d");
	check_safe("two\nlines\r", true, "two\nlines\\x0d");
	check_safe("del\x7f", false, "del\\x7f");
	/* C1 CSI as UTF-8 (U+009B), and as a lone 8-bit byte */
	check_safe("csi \xc2\x9b"
		   "2J",
		   false, "csi \\xc2\\x9b2J");
	check_safe("csi \x9b"
		   "2J",
		   false, "csi \\x9b2J");
	check_safe("\x9b\x9b", false, "\\x9b\\x9b");
	/* UTF-8 text stays: é, €, U+201B (E2 80 9B: 9B continues a character), 😀 */
	check_safe("caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9b \xf0\x9f\x98\x80", false,
		   "caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9b \xf0\x9f\x98\x80");
	/* a character cut short, then a lone continuation byte */
	check_safe("\xe2\x80 \x80", false, "\xe2\x80 \\x80");
	/* latin-1 letters that are not controls (A0..FF after ASCII) are left */
	check_safe("\xa9", false, "\xa9");
}

static void test_fput_safe_nul(void **state)
{
	char *out = safe("a\0b", 3, false);

	assert_string_equal(out, "a\\x00b");
	free(out);
}

/* what a safe stream on a pipe passes on, given these writes */
static char *through_stream(const char *const *writes, size_t n)
{
	static char buf[4096];
	int fds[2];
	size_t i, len = 0;
	ssize_t r;
	FILE *f;

	assert_int_equal(pipe(fds), 0);
	f = tools_safe_stream(fds[1]);
	assert_non_null(f);
	for (i = 0; i < n; i++) {
		fputs(writes[i], f);
		fflush(f);
	}
	assert_int_equal(fclose(f), 0);
	close(fds[1]);
	while ((r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	close(fds[0]);
	buf[len] = '\0';
	return buf;
}

static void test_safe_stream(void **state)
{
	static const char *const one[] = {"a\x1b[2Jb\nc\x07\n"};
	/* a C1 pair and a UTF-8 character split across two writes */
	static const char *const split_c1[] = {"x\xc2", "\x9by"};
	static const char *const split_utf8[] = {"caf\xc3", "\xa9 \xe2\x80", "\x9b!"};
	static const char *const held_end[] = {"end\xc2"};
	static const char *const lone_after[] = {"ok", "\x9b"};

	assert_string_equal(through_stream(one, 1), "a\\x1b[2Jb\nc\\x07\n");
	assert_string_equal(through_stream(split_c1, 2), "x\\xc2\\x9by");
	assert_string_equal(through_stream(split_utf8, 3), "caf\xc3\xa9 \xe2\x80\x9b!");
	assert_string_equal(through_stream(held_end, 1), "end\xc2");
	assert_string_equal(through_stream(lone_after, 2), "ok\\x9b");
}

static void test_fput_json(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	tools_fput_json(f, "{\"a\": \"x\x7fy\xc2\x9bz\xc3\xa9\"}");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "{\"a\": \"x\\u007fy\\u009bz\xc3\xa9\"}");
	free(out);
}

/* ---- the BMC options (bmc-options.c) ---- */

/* what tools_bmc_set() reported last, and how many warnings */
static char reported[1024];
static int warnings;

static void report(void *userdata, bool warning, const char *message)
{
	assert_ptr_equal(userdata, &reported);
	snprintf(reported, sizeof(reported), "%s", message);
	if (warning)
		warnings++;
}

/* the getopt_long() value of option name in program's table, or -1 when it has none */
static int value_of(unsigned int program, const char *name)
{
	struct option longopts[TOOLS_BMC_N_OPTIONS + 1];
	int i, n = tools_bmc_long_options(program, NULL, longopts, TOOLS_BMC_N_OPTIONS + 1);

	assert_true(n > 0);
	for (i = 0; i < n; i++)
		if (strcmp(longopts[i].name, name) == 0)
			return longopts[i].val;
	return -1;
}

/* args (NULL-terminated) through getopt_long() with program's table into b: 0, or -1 for an
 * option the program does not have or a value refused */
static int parse(unsigned int program, const char *const *args, struct tools_bmc *b)
{
	static const struct option own[] = {{"own", no_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	struct option longopts[TOOLS_BMC_N_OPTIONS + 2];
	char *argv[64];
	int argc = 0, c;

	argv[argc++] = (char *)"prog";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	assert_true(tools_bmc_long_options(program, own, longopts, TOOLS_BMC_N_OPTIONS + 2) > 0);
	tools_bmc_init(b);
	optind = 0; /* glibc: start again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'o')
			continue;
		if (!tools_bmc_is_option(c) || tools_bmc_set(b, c, optarg, report, &reported) < 0)
			return -1;
	}
	return 0;
}

/* a file holding text, mode mode; the caller unlinks it */
static void write_file(char *path, const char *text, mode_t mode)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void assert_same_string(const char *a, const char *b)
{
	if (a || b) {
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(a, b);
	}
}

/* every field the BMC options set, equal in a and b */
static void assert_same_options(const hf_options *a, const hf_options *b)
{
	assert_same_string(a->url, b->url);
	assert_same_string(a->transport, b->transport);
	assert_same_string(a->username, b->username);
	assert_same_string(a->password, b->password);
	assert_int_equal(a->auth, b->auth);
	assert_same_string(a->client_cert, b->client_cert);
	assert_same_string(a->client_key, b->client_key);
	assert_same_string(a->client_key_passphrase, b->client_key_passphrase);
	assert_same_string(a->ca_file, b->ca_file);
	assert_int_equal(a->insecure, b->insecure);
	assert_same_string(a->proxy, b->proxy);
	assert_int_equal(a->timeout_ms, b->timeout_ms);
	assert_int_equal(a->connect_timeout_ms, b->connect_timeout_ms);
	assert_int_equal(a->retries, b->retries);
	assert_int_equal(a->slot_wait_ms, b->slot_wait_ms);
	assert_int_equal(a->max_connections, b->max_connections);
	assert_int_equal(a->idle_timeout_ms, b->idle_timeout_ms);
	assert_same_string(a->smbios_file, b->smbios_file);
	assert_same_string(a->chif_library, b->chif_library);
}

/* The options both programs have fill an hf_options the same way, as the library reads it. */
static void test_bmc_same_for_both(void **state)
{
	char pw[] = "/tmp/test-tools-pw.XXXXXX", pp[] = "/tmp/test-tools-pp.XXXXXX";
	struct tools_bmc cli, agent;

	write_file(pw, "s3cret\nsecond line\n", 0600);
	write_file(pp, "passphrase\r\n", 0600);
	{
		const char *const args[] = {
		    "--url", "https://bmc.example:8443", "--transport", "https", "--user", "admin",
		    "--password-file", pw, "--auth", "basic", "--cert", "c.pem", "--key", "k.pem",
		    "--key-passphrase-file", pp, "--cacert", "ca.pem", "--insecure", "--own",
		    "--proxy", "socks5h://proxy:1080", "--timeout", "45", "--connect-timeout", "7",
		    "--retries", "0", NULL};

		assert_int_equal(parse(TOOLS_HOSTFISH, args, &cli), 0);
		assert_int_equal(parse(TOOLS_HOSTFISHD, args, &agent), 0);
	}
	unlink(pw);
	unlink(pp);
	assert_int_equal(warnings, 0);
	assert_same_options(&cli.opts, &agent.opts);
	assert_string_equal(cli.opts.url, "https://bmc.example:8443");
	assert_string_equal(cli.opts.transport, "https");
	assert_string_equal(cli.opts.username, "admin");
	assert_string_equal(cli.opts.password, "s3cret");
	assert_ptr_equal(cli.opts.password, cli.password); /* the owned copy, wiped at clear */
	assert_int_equal(cli.opts.auth, HF_AUTH_BASIC);
	assert_string_equal(cli.opts.client_cert, "c.pem");
	assert_string_equal(cli.opts.client_key, "k.pem");
	assert_string_equal(cli.opts.client_key_passphrase, "passphrase");
	assert_ptr_equal(cli.opts.client_key_passphrase, cli.key_passphrase);
	assert_string_equal(cli.opts.ca_file, "ca.pem");
	assert_int_equal(cli.opts.insecure, 1);
	assert_string_equal(cli.opts.proxy, "socks5h://proxy:1080");
	assert_int_equal(cli.opts.timeout_ms, 45000);
	assert_int_equal(cli.opts.connect_timeout_ms, 7000);
	assert_int_equal(cli.opts.retries, 0);
	/* what no option set keeps HF_OPTIONS_INIT's value */
	assert_int_equal(cli.opts.version, HF_OPTIONS_VERSION);
	assert_int_equal(cli.opts.log_level, HF_LOG_ERROR);
	assert_int_equal(cli.opts.slot_wait_ms, 0);
	assert_int_equal(cli.opts.direct, 0);

	tools_bmc_clear(&cli);
	tools_bmc_clear(&agent);
	assert_null(cli.password);
	assert_null(cli.opts.password);
	assert_null(cli.opts.client_key_passphrase);
	tools_bmc_clear(&cli); /* again is fine */
}

/* An option only one program has is unknown to the other. */
static void test_bmc_program_only(void **state)
{
	static const char *const cli_only[][3] = {
	    {"--slot-wait", "5", NULL}, {"--smbios", "dmi.bin", NULL},
	    {"--chif-library", "/x/libchif.so", NULL}};
	static const char *const agent_only[][3] = {{"--max-connections", "3", NULL},
						    {"--idle-timeout", "-1", NULL}};
	struct tools_bmc b;
	size_t i;

	for (i = 0; i < sizeof(cli_only) / sizeof(cli_only[0]); i++) {
		assert_int_equal(parse(TOOLS_HOSTFISH, cli_only[i], &b), 0);
		assert_int_equal(parse(TOOLS_HOSTFISHD, cli_only[i], &b), -1);
		assert_int_equal(value_of(TOOLS_HOSTFISHD, cli_only[i][0] + 2), -1);
	}
	for (i = 0; i < sizeof(agent_only) / sizeof(agent_only[0]); i++) {
		assert_int_equal(parse(TOOLS_HOSTFISHD, agent_only[i], &b), 0);
		assert_int_equal(parse(TOOLS_HOSTFISH, agent_only[i], &b), -1);
	}
	assert_int_equal(parse(TOOLS_HOSTFISH, cli_only[0], &b), 0);
	assert_int_equal(b.opts.slot_wait_ms, 5000);
	assert_int_equal(parse(TOOLS_HOSTFISHD, agent_only[0], &b), 0);
	assert_int_equal(b.opts.max_connections, 3);
	assert_int_equal(parse(TOOLS_HOSTFISHD, agent_only[1], &b), 0);
	assert_int_equal(b.opts.idle_timeout_ms, -1);
}

/* Bad values are refused, with the reason, and nothing is stored. */
static void test_bmc_refused(void **state)
{
	static const struct {
		unsigned int program;
		const char *name, *value, *reason;
	} bad[] = {
	    {TOOLS_HOSTFISH, "timeout", "-5", "--timeout: expected seconds between 1 and 86400"},
	    {TOOLS_HOSTFISHD, "timeout", "-5", "--timeout: expected seconds between 1 and 86400"},
	    {TOOLS_HOSTFISH, "timeout", "0", "--timeout: expected"},
	    {TOOLS_HOSTFISH, "timeout", "86401", "--timeout: expected"},
	    {TOOLS_HOSTFISH, "timeout", "10s", "--timeout: expected"},
	    {TOOLS_HOSTFISH, "timeout", "", "--timeout: expected"},
	    {TOOLS_HOSTFISHD, "connect-timeout", "3601", "--connect-timeout: expected seconds"},
	    {TOOLS_HOSTFISH, "retries", "many", "--retries: expected a number between 0 and 10"},
	    {TOOLS_HOSTFISHD, "retries", "11", "--retries: expected a number between 0 and 10"},
	    {TOOLS_HOSTFISH, "auth", "kerberos", "--auth: expected session, basic, cert or none"},
	    {TOOLS_HOSTFISHD, "auth", "kerberos", "--auth: expected session, basic, cert or none"},
	    {TOOLS_HOSTFISH, "url", "https://bmc\r\nX-Injected: 1", "--url: control characters"},
	    {TOOLS_HOSTFISHD, "url", "https://bmc\n", "--url: control characters"},
	    {TOOLS_HOSTFISH, "proxy", "http://proxy:3128\r", "--proxy: control characters"},
	    {TOOLS_HOSTFISHD, "user", "admin\x1b[2J", "--user: control characters"},
	    {TOOLS_HOSTFISH, "transport", "https\n", "--transport: control characters"},
	    {TOOLS_HOSTFISH, "slot-wait", "0", "--slot-wait: expected seconds between 1 and 3600"},
	    {TOOLS_HOSTFISHD, "max-connections", "9", "--max-connections: expected 1 to 8"},
	    {TOOLS_HOSTFISHD, "idle-timeout", "0", "--idle-timeout: expected milliseconds"},
	    {TOOLS_HOSTFISHD, "idle-timeout", "-2", "--idle-timeout: expected milliseconds"},
	    {TOOLS_HOSTFISH, "password-file", "/nonexistent/pw", "cannot open /nonexistent/pw"},
	};
	struct tools_bmc b, fresh;
	size_t i;

	tools_bmc_init(&fresh);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int c = value_of(bad[i].program, bad[i].name);

		assert_true(tools_bmc_is_option(c));
		tools_bmc_init(&b);
		reported[0] = '\0';
		if (tools_bmc_set(&b, c, bad[i].value, report, &reported) != -1)
			fail_msg("--%s '%s' was accepted", bad[i].name, bad[i].value);
		if (strncmp(reported, bad[i].reason, strlen(bad[i].reason)) != 0)
			fail_msg("--%s '%s': reported \"%s\", expected \"%s...\"", bad[i].name,
				 bad[i].value, reported, bad[i].reason);
		assert_memory_equal(&b, &fresh, sizeof(b));
	}
	/* not an option of the table at all */
	assert_false(tools_bmc_is_option('v'));
	assert_int_equal(tools_bmc_set(&b, 'v', NULL, report, &reported), -1);
}

/* A secret file others can read is used, with a warning; a second one replaces the first. */
static void test_bmc_secret_files(void **state)
{
	char one[] = "/tmp/test-tools-one.XXXXXX", two[] = "/tmp/test-tools-two.XXXXXX";
	int c = value_of(TOOLS_HOSTFISHD, "password-file");
	struct tools_bmc b;

	write_file(one, "first\n", 0644);
	write_file(two, "second", 0600);
	tools_bmc_init(&b);
	warnings = 0;
	assert_int_equal(tools_bmc_set(&b, c, one, report, &reported), 0);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(reported, "readable by other users"));
	assert_string_equal(b.opts.password, "first");
	assert_int_equal(tools_bmc_set(&b, c, two, report, &reported), 0);
	assert_int_equal(warnings, 1);
	assert_string_equal(b.opts.password, "second");
	assert_ptr_equal(b.opts.password, b.password);
	/* a file that cannot be read leaves the password there was */
	assert_int_equal(tools_bmc_set(&b, c, "/nonexistent/pw", report, &reported), -1);
	assert_string_equal(b.opts.password, "second");
	tools_bmc_clear(&b);
	unlink(one);
	unlink(two);
}

/* The environment fills in what the options left: the password only with a user, and it is
 * gone from the environment afterwards. */
static void test_bmc_from_env(void **state)
{
	struct tools_bmc b;

	setenv("HOSTFISH_URL", "https://env.example", 1);
	setenv("HOSTFISH_PASSWORD", "envpw", 1);
	tools_bmc_init(&b);
	assert_int_equal(tools_bmc_from_env(&b), 0);
	assert_string_equal(b.opts.url, "https://env.example");
	assert_null(b.opts.password); /* no user */
	assert_non_null(getenv("HOSTFISH_PASSWORD"));

	tools_bmc_init(&b);
	b.opts.url = "https://option.example";
	b.opts.username = "admin";
	assert_int_equal(tools_bmc_from_env(&b), 0);
	assert_string_equal(b.opts.url, "https://option.example");
	assert_string_equal(b.opts.password, "envpw");
	assert_ptr_equal(b.opts.password, b.password);
	assert_null(getenv("HOSTFISH_PASSWORD"));
	tools_bmc_clear(&b);
	unsetenv("HOSTFISH_URL");
}

/* the help lines of program's options in set */
static char *help_of(unsigned int program, enum tools_bmc_help_set set)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	tools_bmc_help(f, program, set);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Each program's help has each of its options once, as "  --name", and no other program's. */
static void test_bmc_help(void **state)
{
	static const unsigned int programs[] = {TOOLS_HOSTFISH, TOOLS_HOSTFISHD};
	size_t p;

	for (p = 0; p < 2; p++) {
		struct option longopts[TOOLS_BMC_N_OPTIONS + 1];
		char *all = help_of(programs[p], TOOLS_BMC_HELP_ALL);
		char *shared = help_of(programs[p], TOOLS_BMC_HELP_SHARED);
		char *own = help_of(programs[p], TOOLS_BMC_HELP_OWN);
		int i, n = tools_bmc_long_options(programs[p], NULL, longopts,
						  TOOLS_BMC_N_OPTIONS + 1);
		char *lines, *line;

		assert_int_equal(strlen(all), strlen(shared) + strlen(own));
		assert_true(asprintf(&lines, "\n%s", all) > 0);
		for (i = 0; i < n; i++) {
			char item[64];
			char *at;

			snprintf(item, sizeof(item), "\n  --%s ", longopts[i].name);
			at = strstr(lines, item);
			if (!at || strstr(at + 1, item))
				fail_msg("--%s is not in the help once", longopts[i].name);
		}
		free(lines);
		/* an option's line, or its text going on at column 25 */
		for (line = all; *line; line = strchr(line, '\n') + 1) {
			if (strncmp(line, "  --", 4) == 0)
				assert_non_null(strstr(line + 2, "  ")); /* the name, then the text */
			else
				assert_int_equal(strspn(line, " "), 25);
			assert_true(line[strcspn(line, "\n") - 1] != ' '); /* no trailing space */
		}
		free(all);
		free(shared);
		free(own);
	}
	{
		char *cli = help_of(TOOLS_HOSTFISH, TOOLS_BMC_HELP_ALL);
		char *agent = help_of(TOOLS_HOSTFISHD, TOOLS_BMC_HELP_SHARED);

		assert_non_null(strstr(cli, "auto, agent, https, hostif or chif"));
		assert_null(strstr(agent, "agent, https"));
		assert_non_null(strstr(agent, "on finishing requests at stop"));
		assert_null(strstr(agent, "--slot-wait"));
		free(cli);
		free(agent);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fput_safe),
	    cmocka_unit_test(test_fput_safe_nul),
	    cmocka_unit_test(test_safe_stream),
	    cmocka_unit_test(test_fput_json),
	    cmocka_unit_test(test_bmc_same_for_both),
	    cmocka_unit_test(test_bmc_program_only),
	    cmocka_unit_test(test_bmc_refused),
	    cmocka_unit_test(test_bmc_secret_files),
	    cmocka_unit_test(test_bmc_from_env),
	    cmocka_unit_test(test_bmc_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

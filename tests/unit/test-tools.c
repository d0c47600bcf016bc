/* SPDX-License-Identifier: MIT */
/*
 * test-tools.c - what the programs print of the BMC's text: no control character reaches a
 * terminal (tools_fput_safe, tools_safe_stream, tools_fput_json).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fput_safe),
	    cmocka_unit_test(test_fput_safe_nul),
	    cmocka_unit_test(test_safe_stream),
	    cmocka_unit_test(test_fput_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

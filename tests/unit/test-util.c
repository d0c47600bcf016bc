/* SPDX-License-Identifier: MIT */
/*
 * test-util.c - buffers, header lists and string helpers (lib/util/util.c).
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "hostfish-private.h"

/* ---- hf_buf ---- */

static void test_buf_append(void **state)
{
	struct hf_buf b = { 0 };

	assert_int_equal(hf_buf_append(&b, "abc", 3), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(hf_buf_append(&b, "defXXX", 3), 0);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcdef");
	assert_int_equal(hf_buf_appends(&b, "gh"), 0);
	assert_string_equal(b.data, "abcdefgh");
	assert_true(b.cap > b.len);
	/* binary data with NULs keeps its length */
	assert_int_equal(hf_buf_append(&b, "\0z", 2), 0);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "abcdefgh\0z", 11);
	hf_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(hf_buf_appends(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	hf_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	hf_buf_free(&b); /* twice is harmless */

	/* appending nothing to an empty buffer still makes a string */
	assert_int_equal(hf_buf_append(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	hf_buf_free(&b);
}

static void test_buf_growth(void **state)
{
	struct hf_buf b = { 0 };
	char expect[16];
	char *big;
	int i;

	/* many small appends through printf */
	for (i = 0; i < 2000; i++)
		assert_int_equal(hf_buf_printf(&b, "%04d,", i), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(b.data), 10000);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.data, "0000,0001,0002,", 15);
	snprintf(expect, sizeof(expect), "%04d,", 1999);
	assert_string_equal(b.data + 9995, expect);
	hf_buf_free(&b);

	/* one printf much larger than the initial capacity */
	big = malloc(100001);
	assert_non_null(big);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	assert_int_equal(hf_buf_appends(&b, "<"), 0);
	assert_int_equal(hf_buf_printf(&b, "%s>%d", big, 42), 0);
	assert_int_equal(b.len, 100004);
	assert_int_equal(strlen(b.data), 100004);
	assert_int_equal(b.data[0], '<');
	assert_string_equal(b.data + 100001, ">42");
	hf_buf_free(&b);
	free(big);

	/* an empty format appends nothing but leaves a string */
	assert_int_equal(hf_buf_appends(&b, "x"), 0);
	assert_int_equal(hf_buf_printf(&b, "%s", ""), 0);
	assert_string_equal(b.data, "x");
	assert_int_equal(b.len, 1);
	hf_buf_free(&b);
}

static void test_buf_steal(void **state)
{
	struct hf_buf b = { 0 };
	char *s;

	assert_int_equal(hf_buf_appends(&b, "taken"), 0);
	s = hf_buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "taken");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);

	/* a buffer emptied by reset: "" */
	assert_int_equal(hf_buf_appends(&b, "gone"), 0);
	hf_buf_reset(&b);
	s = hf_buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_null(b.data);
}

/*
 * BUG: hf_buf_steal() of a buffer that was never written returns uninitialised memory, not
 * "" as hostfish-private.h promises: it allocates through buf_reserve(b, 0), which does not
 * store the terminating NUL.  M_PERTURB fills new allocations so that the garbage shows (16 of
 * them, since chunks recycled by glibc's tcache are not perturbed); valgrind reports the
 * uninitialised read as well.
 */
static void test_buf_steal_empty(void **state)
{
	char *s[16];
	size_t i, bad = 0;

#ifdef M_PERTURB
	mallopt(M_PERTURB, 0x5a);
#endif
	for (i = 0; i < HF_ARRAY_SIZE(s); i++) {
		struct hf_buf b = { 0 };

		s[i] = hf_buf_steal(&b);
		assert_non_null(s[i]);
		assert_null(b.data);
		assert_int_equal(b.len, 0);
	}
#ifdef M_PERTURB
	mallopt(M_PERTURB, 0);
#endif
	for (i = 0; i < HF_ARRAY_SIZE(s); i++) {
		if (s[i][0] != '\0')
			bad++;
		free(s[i]);
	}
	assert_int_equal(bad, 0);
}

/* ---- hf_headers ---- */

static void test_headers_add_get(void **state)
{
	struct hf_headers h = { 0 };
	int i;

	assert_null(hf_headers_get(&h, "Content-Type"));
	assert_int_equal(hf_headers_add(&h, "Content-Type", 12, "application/json", 16), 0);
	assert_int_equal(hf_headers_add(&h, "X-Auth-TokenXXX", 12, "tok", 3), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.v[1].name, "X-Auth-Token");
	assert_string_equal(hf_headers_get(&h, "Content-Type"), "application/json");
	assert_string_equal(hf_headers_get(&h, "content-type"), "application/json");
	assert_string_equal(hf_headers_get(&h, "CONTENT-TYPE"), "application/json");
	assert_string_equal(hf_headers_get(&h, "x-auth-token"), "tok");
	assert_null(hf_headers_get(&h, "Content"));
	assert_null(hf_headers_get(&h, "Content-Type2"));
	/* duplicates: the first one is returned, all are kept in order */
	assert_int_equal(hf_headers_add(&h, "Link", 4, "<a>", 3), 0);
	assert_int_equal(hf_headers_add(&h, "link", 4, "<b>", 3), 0);
	assert_string_equal(hf_headers_get(&h, "LINK"), "<a>");
	assert_int_equal(h.n, 4);
	/* an empty value is a value */
	assert_int_equal(hf_headers_add(&h, "Empty", 5, "", 0), 0);
	assert_non_null(hf_headers_get(&h, "empty"));
	assert_string_equal(hf_headers_get(&h, "empty"), "");
	/* growth past the initial capacity */
	for (i = 0; i < 100; i++)
		assert_int_equal(hf_headers_add(&h, "X-Many", 6, "v", 1), 0);
	assert_int_equal(h.n, 105);
	assert_string_equal(hf_headers_get(&h, "Content-Type"), "application/json");
	hf_headers_clear(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.v);
	assert_null(hf_headers_get(&h, "Content-Type"));
	hf_headers_clear(&h);
}

static size_t count_named(const struct hf_headers *h, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			n++;
	return n;
}

static void test_headers_set(void **state)
{
	struct hf_headers h = { 0 };

	assert_int_equal(hf_headers_add(&h, "Accept", 6, "text/html", 9), 0);
	assert_int_equal(hf_headers_add(&h, "X-Other", 7, "1", 1), 0);
	assert_int_equal(hf_headers_add(&h, "ACCEPT", 6, "text/plain", 10), 0);
	assert_int_equal(hf_headers_add(&h, "accept", 6, "*/*", 3), 0);
	assert_int_equal(count_named(&h, "Accept"), 3);

	/* set replaces every header of that name, whatever its case */
	assert_int_equal(hf_headers_set(&h, "Accept", "application/json"), 0);
	assert_int_equal(count_named(&h, "accept"), 1);
	assert_string_equal(hf_headers_get(&h, "accept"), "application/json");
	assert_string_equal(hf_headers_get(&h, "X-Other"), "1");
	assert_int_equal(h.n, 2);

	/* set on a name that is absent adds it */
	assert_int_equal(hf_headers_set(&h, "OData-Version", "4.0"), 0);
	assert_string_equal(hf_headers_get(&h, "odata-version"), "4.0");
	assert_int_equal(h.n, 3);

	/* NULL removes them all */
	assert_int_equal(hf_headers_add(&h, "accept", 6, "again", 5), 0);
	assert_int_equal(hf_headers_set(&h, "ACCEPT", NULL), 0);
	assert_int_equal(count_named(&h, "Accept"), 0);
	assert_null(hf_headers_get(&h, "Accept"));
	assert_int_equal(h.n, 2);
	assert_int_equal(hf_headers_set(&h, "Not-There", NULL), 0);
	assert_int_equal(h.n, 2);
	hf_headers_clear(&h);
}

static void test_headers_copy(void **state)
{
	struct hf_headers a = { 0 }, b = { 0 };

	assert_int_equal(hf_headers_add(&a, "A", 1, "1", 1), 0);
	assert_int_equal(hf_headers_add(&a, "B", 1, "2", 1), 0);
	assert_int_equal(hf_headers_add(&b, "Z", 1, "0", 1), 0);
	assert_int_equal(hf_headers_copy(&b, &a), 0);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0].name, "Z");
	assert_string_equal(b.v[1].name, "A");
	assert_string_equal(b.v[2].value, "2");
	/* deep copies */
	assert_ptr_not_equal(b.v[1].name, a.v[0].name);
	hf_headers_clear(&a);
	assert_string_equal(hf_headers_get(&b, "a"), "1");
	hf_headers_clear(&b);
}

static void check_line(const char *line, const char *name, const char *value)
{
	struct hf_headers h = { 0 };

	if (hf_headers_add_line(&h, line) != 0)
		fail_msg("hf_headers_add_line(\"%s\") refused a good line", line);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].name, name);
	assert_string_equal(h.v[0].value, value);
	hf_headers_clear(&h);
}

static void test_headers_add_line(void **state)
{
	check_line("Content-Type: application/json", "Content-Type", "application/json");
	check_line("If-Match:W/\"abc\"", "If-Match", "W/\"abc\"");
	check_line("X-Spaces: \t value with  inner space \t ", "X-Spaces",
		   "value with  inner space");
	check_line("X-Empty:", "X-Empty", "");
	check_line("X-Empty:   ", "X-Empty", "");
	check_line("X-Colon: a:b: c", "X-Colon", "a:b: c");
	check_line("X-Tab: a\tb", "X-Tab", "a\tb");
	check_line("X-Utf8: caf\xc3\xa9", "X-Utf8", "caf\xc3\xa9");
	/* every RFC 9110 tchar is allowed in a name */
	check_line("!#$%&'*+-.^_`|~09azAZ: v", "!#$%&'*+-.^_`|~09azAZ", "v");
}

static void test_headers_add_line_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"no colon at all",
		"NoColon",
		": value",
		":",
		"Bad Name: v",
		" Leading: v",
		"Trailing : v",
		"Tab\tName: v",
		"Bad(Name): v",
		"Bad/Name: v",
		"Bad\"Name: v",
		"Bad[Name]: v",
		"Bad@Name: v",
		"Caf\xc3\xa9: v",
		"Name\r: v",
		"Name\n: v",
		"X-Evil: a\r\nInjected: 1",
		"X-Evil: a\nInjected: 1",
		"X-Evil: a\rb",
		"X-Evil: a\r\n",
		"X-Evil: \n",
		"X-Ctl: a\x01" "b",
		"X-Ctl: \x1b[31m",
		"X-Del: a\x7f",
	};
	struct hf_headers h = { 0 };
	size_t i;

	assert_int_equal(hf_headers_add(&h, "Keep", 4, "me", 2), 0);
	for (i = 0; i < HF_ARRAY_SIZE(bad); i++) {
		int r = hf_headers_add_line(&h, bad[i]);

		if (r != -EINVAL)
			fail_msg("hf_headers_add_line(case %zu) = %d, expected -EINVAL", i, r);
		/* nothing was added */
		assert_int_equal(h.n, 1);
	}
	hf_headers_clear(&h);
}

/* ---- strings ---- */

static void test_has_crlf(void **state)
{
	assert_false(hf_has_crlf("abc", 3));
	assert_false(hf_has_crlf("", 0));
	assert_false(hf_has_crlf("a\tb c", 5));
	assert_true(hf_has_crlf("a\rb", 3));
	assert_true(hf_has_crlf("a\nb", 3));
	assert_true(hf_has_crlf("a\r\nb", 4));
	assert_true(hf_has_crlf("\n", 1));
	assert_true(hf_has_crlf("abc\r", 4));
	/* a NUL inside the given length counts: "a\0b" would be cut short */
	assert_true(hf_has_crlf("a\0b", 3));
	/* only len bytes are looked at */
	assert_false(hf_has_crlf("abc\n", 3));
	assert_false(hf_has_crlf("abc\r\n", 3));
}

static void test_strings(void **state)
{
	char secret[] = "x";
	char *p;

	assert_null(hf_strdup(NULL));
	p = hf_strdup("dup");
	assert_string_equal(p, "dup");
	free(p);
	p = hf_strndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
	p = hf_strndup("", 0);
	assert_string_equal(p, "");
	free(p);

	assert_true(hf_streq("a", "a"));
	assert_false(hf_streq("a", "A"));
	assert_true(hf_streq(NULL, NULL));
	assert_false(hf_streq(NULL, "a"));
	assert_false(hf_streq("a", NULL));
	assert_true(hf_strcaseeq("Abc", "aBC"));
	assert_false(hf_strcaseeq("Abc", "abd"));
	assert_true(hf_strcaseeq(NULL, NULL));
	assert_false(hf_strcaseeq("a", NULL));
	assert_true(hf_startswith("/redfish/v1/", "/redfish"));
	assert_true(hf_startswith("abc", ""));
	assert_false(hf_startswith("/red", "/redfish"));
	assert_false(hf_startswith(NULL, "/"));

	hf_wipe(secret, 1);
	assert_int_equal(secret[0], '\0');
	hf_wipe(NULL, 10);
	hf_free_secret(NULL);
	hf_free_secret(strdup("secret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_steal),
		cmocka_unit_test(test_buf_steal_empty),
		cmocka_unit_test(test_headers_add_get),
		cmocka_unit_test(test_headers_set),
		cmocka_unit_test(test_headers_copy),
		cmocka_unit_test(test_headers_add_line),
		cmocka_unit_test(test_headers_add_line_bad),
		cmocka_unit_test(test_has_crlf),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test-firmware.c - the multipart/form-data body of firmware uploads (lib/features/firmware.c): the
 * length announced up front equals what is generated, for any read size; the bytes are
 * RFC 7578's; file names are quoted; a file that shrinks fails the stream.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "firmware-private.h"

/* a temporary file holding len bytes of a pattern; returns its descriptor at offset 0 */
static int temp_file(size_t len, char *path_out)
{
	char path[] = "/tmp/hostfish-test-fw.XXXXXX";
	int fd = mkstemp(path);
	size_t i;

	assert_true(fd >= 0);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)(i * 7 + 3);

		assert_int_equal(write(fd, &c, 1), 1);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	if (path_out)
		strcpy(path_out, path);
	else
		unlink(path);
	return fd;
}

/* read the whole stream in pieces of step bytes */
static int read_all(struct hf_multipart *m, size_t step, struct hf_buf *out)
{
	char *buf = malloc(step);
	int r = 0;

	assert_non_null(buf);
	for (;;) {
		size_t got = 0;

		r = hf_multipart_read(m, buf, step, &got);
		if (r < 0 || got == 0)
			break;
		assert_true(got <= step);
		assert_int_equal(hf_buf_append(out, buf, got), 0);
	}
	free(buf);
	return r;
}

static void build(struct hf_multipart *m, int fd, size_t file_len)
{
	assert_int_equal(hf_multipart_init(m, "BOUNDARY"), 0);
	assert_int_equal(hf_multipart_add_field(m, "sessionKey", NULL, "tok", 3), 0);
	assert_int_equal(hf_multipart_add_field(m, "parameters", "application/json", "{}", 2), 0);
	assert_int_equal(hf_multipart_add_file(m, "file", "fw \"1\".bin", fd, file_len), 0);
	assert_int_equal(hf_multipart_finish(m), 0);
}

static void test_exact_bytes(void **state)
{
	static const char expect_head[] =
		"--BOUNDARY\r\n"
		"Content-Disposition: form-data; name=\"sessionKey\"\r\n\r\n"
		"tok\r\n"
		"--BOUNDARY\r\n"
		"Content-Disposition: form-data; name=\"parameters\"\r\n"
		"Content-Type: application/json\r\n\r\n"
		"{}\r\n"
		"--BOUNDARY\r\n"
		"Content-Disposition: form-data; name=\"file\"; filename=\"fw \\\"1\\\".bin\"\r\n"
		"Content-Type: application/octet-stream\r\n\r\n";
	static const char expect_tail[] = "\r\n--BOUNDARY--\r\n";
	struct hf_multipart m;
	struct hf_buf out = { 0 };
	size_t head = sizeof(expect_head) - 1, i;
	int fd = temp_file(100, NULL);

	build(&m, fd, 100);
	assert_int_equal(read_all(&m, 4096, &out), 0);
	assert_int_equal(out.len, m.length);
	assert_int_equal(out.len, head + 100 + sizeof(expect_tail) - 1);
	assert_memory_equal(out.data, expect_head, head);
	for (i = 0; i < 100; i++)
		assert_int_equal((unsigned char)out.data[head + i], (unsigned char)(i * 7 + 3));
	assert_memory_equal(out.data + head + 100, expect_tail, sizeof(expect_tail) - 1);
	hf_multipart_clear(&m);
	hf_buf_free(&out);
	close(fd);
}

/* the announced length is what comes out, whatever the read size and file size */
static void test_length_any_step(void **state)
{
	static const size_t sizes[] = { 1, 2, 17, 4095, 4096, 65537, 300000 };
	static const size_t steps[] = { 1, 3, 7, 64, 1000, 4096, 65536, 1 << 20 };
	size_t i, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(steps) / sizeof(steps[0]); j++) {
			struct hf_multipart m;
			struct hf_buf out = { 0 };
			int fd;

			if (sizes[i] > 70000 && steps[j] < 64)
				continue; /* slow and adds nothing */
			fd = temp_file(sizes[i], NULL);
			build(&m, fd, sizes[i]);
			assert_int_equal(read_all(&m, steps[j], &out), 0);
			assert_int_equal(out.len, m.length);
			hf_multipart_clear(&m);
			hf_buf_free(&out);
			close(fd);
		}
	}
}

static void test_two_files(void **state)
{
	struct hf_multipart m;
	struct hf_buf out = { 0 };
	int a = temp_file(10, NULL), b = temp_file(20, NULL);

	assert_int_equal(hf_multipart_init(&m, NULL), 0);
	assert_int_equal(strncmp(m.boundary, "hostfish-", 9), 0);
	assert_int_equal(strlen(m.boundary), HF_MULTIPART_BOUNDARY_LEN);
	assert_int_equal(hf_multipart_add_file(&m, "compsig", "a.compsig", a, 10), 0);
	assert_int_equal(hf_multipart_add_file(&m, "file", "b.bin", b, 20), 0);
	assert_int_equal(hf_multipart_finish(&m), 0);
	assert_int_equal(read_all(&m, 5, &out), 0);
	assert_int_equal(out.len, m.length);
	/* nothing after the closing delimiter, and nothing can be added */
	assert_int_equal(hf_multipart_add_field(&m, "x", NULL, "y", 1), -E2BIG);
	hf_multipart_clear(&m);
	hf_buf_free(&out);
	close(a);
	close(b);
}

/* random boundaries differ */
static void test_random_boundary(void **state)
{
	struct hf_multipart a, b;

	assert_int_equal(hf_multipart_init(&a, NULL), 0);
	assert_int_equal(hf_multipart_init(&b, NULL), 0);
	assert_string_not_equal(a.boundary, b.boundary);
}

static void test_refusals(void **state)
{
	struct hf_multipart m;
	int fd = temp_file(4, NULL);

	assert_int_equal(hf_multipart_init(&m, "bad\r\nboundary"), -EINVAL);
	assert_int_equal(hf_multipart_init(&m, ""), -EINVAL);
	assert_int_equal(hf_multipart_init(&m, "B"), 0);
	assert_int_equal(hf_multipart_add_file(&m, "file", "evil\r\nX-Header: 1", fd, 4), -EINVAL);
	assert_int_equal(hf_multipart_add_field(&m, "na\"me", NULL, "v", 1), -EINVAL);
	assert_int_equal(m.length, 0);
	hf_multipart_clear(&m);
	close(fd);
}

/* a file that is shorter than announced (it shrank): the stream fails, it does not pad */
static void test_file_shrank(void **state)
{
	struct hf_multipart m;
	struct hf_buf out = { 0 };
	char path[64];
	int fd = temp_file(50, path);

	build(&m, fd, 50);
	assert_int_equal(truncate(path, 20), 0);
	assert_int_equal(read_all(&m, 4096, &out), -EIO);
	assert_true(out.len < m.length);
	hf_multipart_clear(&m);
	hf_buf_free(&out);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_bytes),     cmocka_unit_test(test_length_any_step),
		cmocka_unit_test(test_two_files),       cmocka_unit_test(test_random_boundary),
		cmocka_unit_test(test_refusals),        cmocka_unit_test(test_file_shrank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

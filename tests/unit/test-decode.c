/* SPDX-License-Identifier: MIT */
/*
 * test-decode.c - Content-Encoding gzip/deflate with a bound on the output (lib/util/decode.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "hostfish-private.h"

/* Compress with deflateInit2: windowBits 31 = gzip wrapper, 15 = zlib wrapper. */
static unsigned char *compress_with(const void *in, size_t len, int window_bits, size_t *out_len)
{
	z_stream zs;
	unsigned char *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	cap = deflateBound(&zs, (uLong)len) + 32;
	out = malloc(cap);
	assert_non_null(out);
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

static unsigned char *gzip(const void *in, size_t len, size_t *out_len)
{
	return compress_with(in, len, 15 + 16, out_len);
}

/* Data that compresses, but not to nothing: spans several of hf_gunzip's 16 KiB chunks. */
static char *make_payload(size_t len)
{
	char *p = malloc(len + 1);
	uint32_t x = 12345;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)('a' + (x >> 16) % 8);
	}
	p[len] = '\0';
	return p;
}

static void test_round_trip(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, 16383, 16384, 16385, 100000 };
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(sizes); i++) {
		char *data = make_payload(sizes[i]);
		struct hf_buf out = { 0 };
		unsigned char *gz;
		size_t gz_len;

		gz = gzip(data, sizes[i], &gz_len);
		if (hf_gunzip(gz, gz_len, sizes[i] + 1000, &out) != 0)
			fail_msg("hf_gunzip of %zu bytes failed", sizes[i]);
		assert_int_equal(out.len, sizes[i]);
		if (sizes[i])
			assert_memory_equal(out.data, data, sizes[i]);
		if (out.data)
			assert_int_equal(out.data[out.len], '\0');
		hf_buf_free(&out);
		free(gz);
		free(data);
	}
}

static void test_json_body(void **state)
{
	static const char body[] = "{\"@odata.id\":\"/redfish/v1/\",\"Name\":\"Root Service\"}";
	struct hf_buf out = { 0 };
	unsigned char *gz;
	size_t gz_len;

	gz = gzip(body, strlen(body), &gz_len);
	assert_int_equal(hf_gunzip(gz, gz_len, HF_DEFAULT_MAX_RESPONSE, &out), 0);
	assert_string_equal(out.data, body);
	hf_buf_free(&out);
	free(gz);
}

/* A zlib stream (Content-Encoding: deflate as RFC 9110 defines it) is accepted too. */
static void test_zlib_header(void **state)
{
	char *data = make_payload(50000);
	struct hf_buf out = { 0 };
	unsigned char *z;
	size_t z_len;
	uLongf clen;

	z = compress_with(data, 50000, 15, &z_len);
	assert_int_equal(hf_gunzip(z, z_len, 50000, &out), 0);
	assert_int_equal(out.len, 50000);
	assert_memory_equal(out.data, data, 50000);
	hf_buf_free(&out);
	free(z);

	/* and what compress2() makes */
	clen = compressBound(50000);
	z = malloc(clen);
	assert_non_null(z);
	assert_int_equal(compress2(z, &clen, (const Bytef *)data, 50000, 6), Z_OK);
	assert_int_equal(hf_gunzip(z, clen, 50000, &out), 0);
	assert_int_equal(out.len, 50000);
	assert_memory_equal(out.data, data, 50000);
	hf_buf_free(&out);
	free(z);
	free(data);
}

/* The bound is on the decoded size: limit == size passes, size - 1 fails. */
static void check_limit(size_t size)
{
	char *data = make_payload(size);
	struct hf_buf out = { 0 };
	unsigned char *gz;
	size_t gz_len;
	int r;

	gz = gzip(data, size, &gz_len);
	r = hf_gunzip(gz, gz_len, size, &out);
	if (r != 0)
		fail_msg("%zu bytes with a limit of %zu: %d", size, size, r);
	assert_int_equal(out.len, size);
	hf_buf_free(&out);
	r = hf_gunzip(gz, gz_len, size - 1, &out);
	if (r != -EFBIG)
		fail_msg("%zu bytes with a limit of %zu: %d, expected -EFBIG", size, size - 1, r);
	hf_buf_free(&out);
	free(gz);
	free(data);
}

static void test_limit_boundary(void **state)
{
	check_limit(1);
	check_limit(10);
	check_limit(16383);
	check_limit(16384);
	check_limit(16385);
	check_limit(32768);
	check_limit(100000);
}

/* 16 MiB of zeros are a few KiB compressed: stopped at the bound, not inflated. */
static void test_bomb(void **state)
{
	const size_t size = 16u << 20;
	char *zeros = calloc(1, size);
	struct hf_buf out = { 0 };
	unsigned char *gz;
	size_t gz_len;

	assert_non_null(zeros);
	gz = gzip(zeros, size, &gz_len);
	free(zeros);
	assert_true(gz_len < 64 * 1024);
	assert_int_equal(hf_gunzip(gz, gz_len, 1 << 20, &out), -EFBIG);
	assert_true(out.len <= 1 << 20);
	hf_buf_free(&out);
	free(gz);
}

static void test_truncated(void **state)
{
	char *data = make_payload(60000);
	struct hf_buf out = { 0 };
	unsigned char *gz;
	size_t gz_len, cut;

	gz = gzip(data, 60000, &gz_len);
	assert_true(gz_len > 100);
	/* every cut: inside the header, the deflate data and the CRC/length trailer */
	for (cut = 0; cut < gz_len; cut += (cut < 20 || cut > gz_len - 20) ? 1 : 97) {
		int r = hf_gunzip(gz, cut, 1 << 20, &out);

		if (r != -EPROTO)
			fail_msg("gzip stream cut at %zu of %zu bytes: %d, expected -EPROTO", cut,
				 gz_len, r);
		hf_buf_free(&out);
	}
	free(gz);
	free(data);
}

static void test_garbage(void **state)
{
	static const char text[] = "this is not a gzip stream, just text from a confused BMC";
	static const unsigned char bad_magic[] = { 0x1f, 0x8c, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03 };
	char *data = make_payload(5000);
	struct hf_buf out = { 0 };
	unsigned char *gz;
	size_t gz_len;

	assert_int_equal(hf_gunzip(text, sizeof(text) - 1, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	assert_int_equal(hf_gunzip(bad_magic, sizeof(bad_magic), 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	assert_int_equal(hf_gunzip("", 0, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);

	/* a corrupted CRC-32 in the trailer */
	gz = gzip(data, 5000, &gz_len);
	gz[gz_len - 8] ^= 0x01;
	assert_int_equal(hf_gunzip(gz, gz_len, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	gz[gz_len - 8] ^= 0x01;
	/* a corrupted length (ISIZE) */
	gz[gz_len - 4] ^= 0x01;
	assert_int_equal(hf_gunzip(gz, gz_len, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	gz[gz_len - 4] ^= 0x01;
	/* the intact stream still decodes: the corruptions above were the only fault */
	assert_int_equal(hf_gunzip(gz, gz_len, 1 << 20, &out), 0);
	assert_int_equal(out.len, 5000);
	hf_buf_free(&out);
	free(gz);
	free(data);
}

static void test_trailing_garbage(void **state)
{
	static const char body[] = "{\"Name\":\"x\"}";
	struct hf_buf out = { 0 };
	unsigned char *gz, *more;
	size_t gz_len;

	gz = gzip(body, strlen(body), &gz_len);
	more = malloc(gz_len + 4);
	assert_non_null(more);
	memcpy(more, gz, gz_len);
	memcpy(more + gz_len, "junk", 4);
	assert_int_equal(hf_gunzip(more, gz_len + 4, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	assert_int_equal(hf_gunzip(more, gz_len + 1, 1 << 20, &out), -EPROTO);
	hf_buf_free(&out);
	assert_int_equal(hf_gunzip(more, gz_len, 1 << 20, &out), 0);
	assert_string_equal(out.data, body);
	hf_buf_free(&out);
	free(more);
	free(gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_json_body),
		cmocka_unit_test(test_zlib_header),
		cmocka_unit_test(test_limit_boundary),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_trailing_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

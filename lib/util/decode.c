/* SPDX-License-Identifier: MIT */
/*
 * decode.c - Content-Encoding: gzip/deflate, with a bound on the decoded size so that a
 * small compressed answer cannot expand into gigabytes (a "gzip bomb").
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#define ZLIB_CONST /* next_in is const: no cast of the caller's buffer */
#include <zlib.h>

#include "hostfish-private.h"

int hf_gunzip(const void *in, size_t in_len, size_t max, struct hf_buf *out)
{
	unsigned char chunk[16384];
	z_stream zs;
	int zr, r = 0;

	memset(&zs, 0, sizeof(zs));
	/* 15 + 32: accept gzip and zlib headers alike */
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -ENOMEM;
	zs.next_in = in;
	zs.avail_in = (uInt)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
	if (in_len > UINT32_MAX) {
		r = -EFBIG;
		goto out;
	}
	do {
		size_t have;

		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			r = zr == Z_MEM_ERROR ? -ENOMEM : -EPROTO;
			goto out;
		}
		have = sizeof(chunk) - zs.avail_out;
		if (out->len + have > max) {
			r = -EFBIG;
			goto out;
		}
		r = hf_buf_append(out, chunk, have);
		if (r < 0)
			goto out;
		if (zr == Z_OK && have == 0 && zs.avail_in == 0) {
			r = -EPROTO; /* truncated stream */
			goto out;
		}
	} while (zr != Z_STREAM_END);
	if (zs.avail_in != 0)
		r = -EPROTO; /* trailing garbage */
out:
	inflateEnd(&zs);
	return r;
}
